"""The services every path goes through: moderation decisions and reader reports."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from comments import services
from comments.models import Comment, Flag, ModerationDecision

pytestmark = pytest.mark.django_db
Action = ModerationDecision.Action


@pytest.fixture
def moderator(db):
    return get_user_model().objects.create_user("mod", password="x")


def test_approve_records_who_what_and_when(make_comment, moderator):
    comment = make_comment(status=Comment.Status.HELD)
    decision = services.approve(comment=comment, moderator=moderator, reason="fine")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert (decision.moderator, decision.action, decision.reason) == (
        moderator,
        Action.APPROVE,
        "fine",
    )
    assert (decision.from_status, decision.to_status) == ("held", "published")
    assert comment.status_changed == decision.created


@pytest.mark.parametrize(
    "action", [Action.REMOVE_ABUSIVE, Action.REMOVE_OFF_TOPIC, Action.REMOVE_SPAM]
)
def test_remove_changes_status_never_deletes_and_can_be_restored(make_comment, moderator, action):
    comment = make_comment()
    services.remove(comment=comment, moderator=moderator, action=action)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    services.approve(comment=comment, moderator=moderator)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert list(comment.decisions.values_list("action", flat=True)) == [Action.APPROVE, action]


def test_remove_refuses_an_action_that_does_not_remove(make_comment, moderator):
    with pytest.raises(ValueError):
        services.remove(comment=make_comment(), moderator=moderator, action=Action.APPROVE)
    assert ModerationDecision.objects.count() == 0


def test_decision_and_status_change_are_one_transaction(make_comment, moderator, monkeypatch):
    comment = make_comment(status=Comment.Status.HELD)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Comment, "save", fail)
    with pytest.raises(RuntimeError):
        services.approve(comment=comment, moderator=moderator)
    assert ModerationDecision.objects.count() == 0
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.HELD


def test_reports_count_once_per_client_and_enough_hold_the_comment(make_comment, settings):
    settings.COMMENT_REPORTS_TO_HOLD = 2
    comment = make_comment()
    assert services.report(comment=comment, client_key="a", reason="spam").created
    again = services.report(comment=comment, client_key="a", reason="hate")
    assert not again.created and again.flag.reason == "spam"
    comment.refresh_from_db()
    assert (comment.report_count, comment.status) == (1, Comment.Status.PUBLISHED)
    assert services.report(comment=comment, client_key="b", reason="off_topic").held
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    decision = comment.decisions.get()
    assert decision.moderator is None and decision.action == Action.HOLD_REPORTED
    assert Flag.objects.filter(comment=comment).count() == 2
    assert Comment.objects.needs_review().filter(pk=comment.pk).exists()


def test_a_moderator_who_decided_can_be_deleted_and_is_still_named(admin_client, make_comment):
    ana = get_user_model().objects.create_user("ana.moderator", password="x", is_staff=True)
    comment = make_comment(status=Comment.Status.HELD)
    services.approve(comment=comment, moderator=ana, reason="fine")
    ana.delete()
    decision = ModerationDecision.objects.get()
    assert (decision.moderator, decision.moderator_name) == (None, "ana.moderator")
    listing = admin_client.get("/admin/comments/moderationdecision/").content.decode()
    assert "ana.moderator" in listing
    on_comment = admin_client.get(f"/admin/comments/comment/{comment.pk}/change/")
    assert "ana.moderator" in on_comment.content.decode()


def test_a_submitted_comment_stores_its_reason_codes_for_filtering(seed_article):
    submitted = services.submit_comment(
        article=seed_article,
        user_name="Troll",
        text="Lavrov is a lying idiot, and anyone who believes this is a brain-dead moron.",
    )
    found = Comment.objects.filter(reason_codes__has_key="abusive")
    assert list(found) == [submitted.comment]
    assert not Comment.objects.filter(reason_codes__has_key="spam_links").exists()


def test_the_queue_rule_held_or_reported_and_kept_since_first_entry():
    import datetime

    first = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    later = first + datetime.timedelta(hours=3)

    def since(status, reports, before=None):
        return services.queue_since(status=status, report_count=reports, since=before, now=later)

    assert since(Comment.Status.HELD, 0) == later
    assert since(Comment.Status.HELD, 2, first) == first
    assert since(Comment.Status.PUBLISHED, 0, first) is None
    assert since(Comment.Status.PUBLISHED, 1) == later
    assert since(Comment.Status.REMOVED, 5, first) is None


def test_a_held_comment_waits_since_it_was_written_and_a_report_keeps_its_place(
    seed_article, settings
):
    settings.COMMENT_REPORTS_TO_HOLD = 5
    Article = type(seed_article)
    Article.objects.filter(pk=seed_article.pk).update(comment_mode="premoderated")
    seed_article.refresh_from_db()
    held = services.submit_comment(
        article=seed_article, user_name="Reader", text="On the SCO summit and trade."
    ).comment
    assert held.review_since == held.created
    moderator = get_user_model().objects.create_user("m", password="x")
    services.approve(comment=held, moderator=moderator)
    assert Comment.objects.get(pk=held.pk).review_since is None
    services.report(comment=held, client_key="a", reason="spam")
    entered = Comment.objects.get(pk=held.pk).review_since
    assert entered is not None
    services.report(comment=held, client_key="b", reason="spam")
    assert Comment.objects.get(pk=held.pk).review_since == entered


def test_only_articles_readers_can_see_take_comments(make_article):
    draft = make_article(status="draft")
    scheduled = make_article(published_at=timezone.now() + datetime.timedelta(hours=1))
    for article in (draft, scheduled):
        with pytest.raises(services.CommentsClosed):
            services.submit_comment(
                article=article, user_name="Early Reader", text="On the SCO and trade."
            )
    assert not Comment.objects.exists()


def test_a_moderator_holds_a_published_comment_for_review(make_comment, moderator):
    comment = make_comment()
    decision = services.moderate(comment=comment, moderator=moderator, action=Action.HOLD)
    comment.refresh_from_db()
    assert (decision.from_status, decision.to_status) == ("published", "held")
    assert Comment.objects.needs_review().filter(pk=comment.pk).exists()


def test_moderate_many_writes_one_decision_each_in_one_transaction(
    make_comment, moderator, monkeypatch
):
    comments = [make_comment(status=Comment.Status.HELD, report_count=1) for _ in range(3)]
    done = services.moderate_many(
        comment_ids=[c.pk for c in comments],
        moderator=moderator,
        action=Action.REMOVE_SPAM,
        reason="link farm",
    )
    assert [prior.status for _, prior in done] == ["held"] * 3
    assert set(Comment.objects.values_list("status", "review_since")) == {("removed", None)}
    decisions = ModerationDecision.objects.filter(action=Action.REMOVE_SPAM, reason="link farm")
    assert sorted(decisions.values_list("comment_id", flat=True)) == [c.pk for c in comments]

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Comment.objects, "bulk_update", fail)
    with pytest.raises(RuntimeError):
        services.moderate_many(
            comment_ids=[c.pk for c in comments], moderator=moderator, action=Action.APPROVE
        )
    assert ModerationDecision.objects.count() == 3  # the approvals were rolled back
    assert set(Comment.objects.values_list("status", flat=True)) == {"removed"}


def test_undo_puts_back_a_reported_comment_with_its_reports_and_place_in_the_queue(
    make_comment, moderator
):
    entered = timezone.now() - datetime.timedelta(hours=3)
    comment = make_comment(report_count=2, report_weight=3, review_since=entered)
    [(approval, prior)] = services.moderate_many(
        comment_ids=[comment.pk], moderator=moderator, action=Action.APPROVE
    )
    comment.refresh_from_db()
    assert (comment.report_count, comment.review_since) == (0, None)

    [undo] = services.undo(decisions={approval.pk: prior}, moderator=moderator)
    comment.refresh_from_db()
    assert (comment.status, comment.report_count, comment.report_weight) == ("published", 2, 3)
    assert comment.review_since == entered
    assert (undo.action, undo.from_status, undo.to_status) == (
        Action.UNDO,
        "published",
        "published",
    )
    assert undo.reason == f"Undoes decision {approval.pk}: Approve"
    # Both decisions stay on record.
    assert list(comment.decisions.values_list("action", flat=True)) == [Action.UNDO, Action.APPROVE]


def test_undo_is_refused_when_the_comment_was_decided_on_since(make_comment, moderator):
    comment = make_comment(status=Comment.Status.HELD)
    [(removal, prior)] = services.moderate_many(
        comment_ids=[comment.pk], moderator=moderator, action=Action.REMOVE_ABUSIVE
    )
    services.approve(comment=comment, moderator=moderator)
    with pytest.raises(services.UndoRefused):
        services.undo(decisions={removal.pk: prior}, moderator=moderator)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert ModerationDecision.objects.filter(action=Action.UNDO).count() == 0


def test_an_undone_removal_teaches_the_model_nothing(make_comment, moderator):
    from comments.training_data import moderator_examples

    comment = make_comment(status=Comment.Status.HELD, text="A fair, sharp point.")
    [(removal, prior)] = services.moderate_many(
        comment_ids=[comment.pk], moderator=moderator, action=Action.REMOVE_HATE
    )
    assert [e.label for e in moderator_examples()] == ["hate"]
    services.undo(decisions={removal.pk: prior}, moderator=moderator)
    assert moderator_examples() == []
