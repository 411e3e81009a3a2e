"""The services every path goes through: moderation decisions and reader reports."""

import pytest
from django.contrib.auth import get_user_model

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
    assert services.report(comment=comment, client_key="a") is True
    assert services.report(comment=comment, client_key="a") is False
    comment.refresh_from_db()
    assert (comment.report_count, comment.status) == (1, Comment.Status.PUBLISHED)
    assert services.report(comment=comment, client_key="b") is True
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
