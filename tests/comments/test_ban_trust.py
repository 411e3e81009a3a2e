"""Moderators ban and trust commenters: a ban holds across names from one browser and
across cleared cookies under one name at one address; trust skips the flood and
pre-moderation holds but not the screening; every change is a recorded decision."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, override_settings

from articles.models import Article
from comments import services
from comments.commenters import BROWSER_COOKIE
from comments.models import Comment, Commenter, ModerationDecision
from comments.outcomes import HELD
from tests.comments.conftest import (
    form_in,
    post_comment,
    post_past_the_nudge,
    shown_after,
    timestamp_for,
)

pytestmark = pytest.mark.django_db

Action = ModerationDecision.Action
OFFICE = "203.0.113.7"
ON_TOPIC = [
    "Lavrov and Putin keep the SCO at the centre of ties with Beijing.",
    "Trade between the two countries grew again, as the interview says.",
    "The energy deals matter more than the speeches, in my view.",
    "Both sides want stability in Central Asia; the SCO is their forum for it.",
    "The interview shows how much the relationship has changed since the nineties.",
    "Joint projects in the Far East could matter most for ordinary people.",
    "Putin and Hu Jintao agree on most of the big questions, it seems.",
    "Good to read an interview on China and Russia with actual figures in it.",
]
ABUSIVE = "Lavrov is a lying idiot, and anyone who believes this is a brain-dead moron."
BANNED_MESSAGE = "a moderator has stopped comments from this browser or under this name"


def reader(address: str = OFFICE) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT="Mozilla/5.0 (Office PC)")


def send(client: Client, article, *, user_name: str, text: str, **options):
    """post_comment, with the test client's options (headers, follow)."""
    data = {"user_name": user_name, "text": text, "timestamp": timestamp_for(article)}
    return client.post(f"/comments/post/{article.pk}/", data, **options)


def commenter_of(client: Client, article, name: str) -> Commenter:
    """The commenter `client` is once it posted under `name`."""
    assert post_comment(client, article, user_name=name, text=ON_TOPIC[0]).status_code == 303
    return Comment.objects.filter(user_name=name).latest("pk").commenter


# The service: every change of standing is a decision.


def test_ban_and_unban_are_recorded_decisions_and_nothing_is_deleted(seed_article, moderator):
    commenter = commenter_of(reader(), seed_article, "Wang Lei")
    comment = commenter.comments.get()
    decision = services.ban_commenter(
        commenter=commenter, moderator=moderator, reason="threats in three threads", comment=comment
    )
    commenter.refresh_from_db()
    assert commenter.standing == Commenter.Standing.BANNED
    assert (decision.commenter, decision.comment, decision.action) == (
        commenter,
        comment,
        Action.BAN,
    )
    assert (decision.from_standing, decision.to_standing) == ("regular", "banned")
    assert (decision.moderator, decision.moderator_name) == (moderator, "mod.one")
    assert decision.reason == "threats in three threads"
    # A second ban changes nothing and records nothing.
    assert services.ban_commenter(commenter=commenter, moderator=moderator) is None
    lifted = services.unban_commenter(commenter=commenter, moderator=moderator, reason="appeal")
    assert (lifted.from_standing, lifted.to_standing) == ("banned", "regular")
    assert list(
        ModerationDecision.objects.filter(commenter=commenter).values_list("action", flat=True)
    ) == [Action.UNBAN, Action.BAN]
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert commenter.standing == Commenter.Standing.REGULAR


def test_trust_and_untrust_are_recorded_and_a_ban_ends_trust(seed_article, moderator):
    commenter = commenter_of(reader(), seed_article, "Wang Lei")
    trusted = services.trust_commenter(commenter=commenter, moderator=moderator, reason="regular")
    assert (trusted.action, trusted.to_standing, trusted.comment) == (Action.TRUST, "trusted", None)
    assert services.unban_commenter(commenter=commenter, moderator=moderator) is None
    banned = services.ban_commenter(commenter=commenter, moderator=moderator)
    assert (banned.from_standing, banned.to_standing) == ("trusted", "banned")
    assert services.untrust_commenter(commenter=commenter, moderator=moderator) is None
    services.trust_commenter(commenter=commenter, moderator=moderator)
    untrusted = services.untrust_commenter(commenter=commenter, moderator=moderator)
    assert (untrusted.from_standing, untrusted.to_standing) == ("trusted", "regular")
    assert ModerationDecision.objects.filter(commenter=commenter).count() == 4


# A ban, refused.


def test_a_banned_commenter_is_refused_with_a_clear_message_and_keeps_the_text(
    seed_article, moderator
):
    browser = reader()
    services.ban_commenter(
        commenter=commenter_of(browser, seed_article, "Wang Lei"), moderator=moderator
    )
    response = post_comment(browser, seed_article, user_name="Wang Lei", text=ON_TOPIC[1])
    form = form_in(shown_after(browser, response))
    assert BANNED_MESSAGE in form
    assert ON_TOPIC[1] in form  # kept in the form
    assert Comment.objects.count() == 1


def test_a_banned_commenter_is_refused_under_a_new_name_from_the_same_browser(
    seed_article, moderator
):
    browser = reader()
    services.ban_commenter(
        commenter=commenter_of(browser, seed_article, "Wang Lei"), moderator=moderator
    )
    response = post_comment(browser, seed_article, user_name="Quite Someone Else", text=ON_TOPIC[1])
    assert BANNED_MESSAGE in form_in(shown_after(browser, response))
    assert not Comment.objects.filter(user_name="Quite Someone Else").exists()


def test_a_ban_holds_under_the_same_name_after_the_cookie_is_cleared(seed_article, moderator):
    browser = reader()
    services.ban_commenter(
        commenter=commenter_of(browser, seed_article, "Wang Lei"), moderator=moderator
    )
    browser.cookies.pop(BROWSER_COOKIE)
    response = post_comment(browser, seed_article, user_name="wang lei", text=ON_TOPIC[1])
    assert BANNED_MESSAGE in form_in(shown_after(browser, response))
    assert not Comment.objects.filter(text=ON_TOPIC[1]).exists()
    # Elsewhere, the same name is someone else.
    elsewhere = reader("198.51.100.20")
    answer = post_comment(elsewhere, seed_article, user_name="Wang Lei", text=ON_TOPIC[2])
    assert BANNED_MESSAGE not in shown_after(elsewhere, answer)
    assert Comment.objects.get(text=ON_TOPIC[2]).status == Comment.Status.PUBLISHED


def test_a_ban_does_not_touch_other_readers_behind_the_same_address(seed_article, moderator):
    services.ban_commenter(
        commenter=commenter_of(reader(), seed_article, "Wang Lei"), moderator=moderator
    )
    colleague = post_comment(reader(), seed_article, user_name="Irina K.", text=ON_TOPIC[1])
    assert colleague.status_code == 303
    assert Comment.objects.get(user_name="Irina K.").status == Comment.Status.PUBLISHED


def test_the_refusal_reaches_the_pages_script_as_the_form_with_the_message(seed_article, moderator):
    browser = reader()
    services.ban_commenter(
        commenter=commenter_of(browser, seed_article, "Wang Lei"), moderator=moderator
    )
    response = send(
        browser,
        seed_article,
        user_name="Wang Lei",
        text=ON_TOPIC[1],
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 403
    data = response.json()
    assert data["status"] == "invalid"
    assert BANNED_MESSAGE in data["form"]
    assert ON_TOPIC[1] in data["form"]


# A ban, held silently.


@override_settings(COMMENT_BAN_MODE="hold")
def test_in_hold_mode_a_banned_commenters_comments_are_held_silently(seed_article, moderator):
    browser = reader()
    services.ban_commenter(
        commenter=commenter_of(browser, seed_article, "Wang Lei"), moderator=moderator
    )
    for name, text in [("Wang Lei", ON_TOPIC[1]), ("New Name", ON_TOPIC[2])]:
        page = shown_after(browser, send(browser, seed_article, user_name=name, text=text))
        assert HELD in form_in(page)  # what any held comment's writer is told
        assert BANNED_MESSAGE not in page
        assert text not in page
        held = Comment.objects.get(user_name=name, text=text)
        assert held.status == Comment.Status.HELD
        assert held.review_since is not None  # in the moderators' queue
        assert "banned_commenter" in held.reason_codes


# Trust.


def test_a_trusted_commenter_skips_the_flood_hold_and_limits(seed_article, moderator):
    browser = reader()
    services.trust_commenter(
        commenter=commenter_of(browser, seed_article, "Wang Lei"), moderator=moderator
    )
    for text in ON_TOPIC[1:]:
        assert (
            post_comment(browser, seed_article, user_name="Wang Lei", text=text).status_code == 303
        )
    comments = Comment.objects.filter(user_name="Wang Lei")
    assert comments.count() == len(ON_TOPIC)
    assert set(comments.values_list("status", flat=True)) == {Comment.Status.PUBLISHED}
    assert not any("flood" in c.reason_codes for c in comments)


def test_the_same_pace_from_a_commenter_nobody_trusts_is_held_as_a_flood(seed_article):
    browser = reader()
    for text in ON_TOPIC[:5]:
        post_comment(browser, seed_article, user_name="Wang Lei", text=text)
    last = Comment.objects.latest("pk")
    assert last.status == Comment.Status.HELD
    assert "flood" in last.reason_codes


def test_a_trusted_commenter_skips_pre_moderation(seed_article, moderator):
    browser = reader()
    services.trust_commenter(
        commenter=commenter_of(browser, seed_article, "Wang Lei"), moderator=moderator
    )
    Article.objects.filter(pk=seed_article.pk).update(comment_mode=Article.CommentMode.PREMODERATED)
    post_comment(browser, seed_article, user_name="Wang Lei", text=ON_TOPIC[1])
    assert Comment.objects.get(text=ON_TOPIC[1]).status == Comment.Status.PUBLISHED
    # Trust is for that name from that browser: another name from it waits as anyone's does.
    post_comment(browser, seed_article, user_name="Another Name", text=ON_TOPIC[2])
    assert Comment.objects.get(text=ON_TOPIC[2]).status == Comment.Status.HELD


def test_a_trusted_commenters_abuse_is_still_screened(seed_article, moderator):
    browser = reader()
    services.trust_commenter(
        commenter=commenter_of(browser, seed_article, "Wang Lei"), moderator=moderator
    )
    # Nudged at the first send like anyone's, refused when sent again as it is.
    refused = post_past_the_nudge(browser, seed_article, user_name="Wang Lei", text=ABUSIVE)
    assert "Your comment was not published" in form_in(shown_after(browser, refused))
    abusive = Comment.objects.get(text=ABUSIVE)
    assert abusive.status != Comment.Status.PUBLISHED
    assert abusive.screening != Comment.Screened.PUBLISH


# The admin actions.


def test_moderator_bans_from_the_admin_with_a_reason(client, seed_article, moderator):
    commenter = commenter_of(reader(), seed_article, "Wang Lei")
    client.force_login(moderator)
    url = "/admin/comments/commenter/"
    ask = client.post(url, {"action": "ban", "_selected_action": [commenter.pk]})
    assert ask.status_code == 200
    assert "Reason" in ask.content.decode()
    commenter.refresh_from_db()
    assert commenter.standing == Commenter.Standing.REGULAR  # nothing yet
    done = client.post(
        url,
        {
            "action": "ban",
            "_selected_action": [commenter.pk],
            "apply": "yes",
            "reason": "spam under many names",
        },
        follow=True,
    )
    assert "Ban the commenter: 1 commenter(s)." in done.content.decode()
    commenter.refresh_from_db()
    assert commenter.standing == Commenter.Standing.BANNED
    decision = ModerationDecision.objects.get(commenter=commenter)
    assert (decision.action, decision.reason, decision.moderator) == (
        Action.BAN,
        "spam under many names",
        moderator,
    )


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("unban", "banned", "regular"),
        ("trust", "regular", "trusted"),
        ("untrust", "trusted", "regular"),
    ],
)
def test_every_admin_action_writes_a_decision(admin_client, seed_article, action, before, after):
    commenter = commenter_of(reader(), seed_article, "Wang Lei")
    Commenter.objects.filter(pk=commenter.pk).update(standing=before)
    admin_client.post(
        "/admin/comments/commenter/",
        {"action": action, "_selected_action": [commenter.pk], "apply": "yes"},
    )
    commenter.refresh_from_db()
    assert commenter.standing == after
    decision = ModerationDecision.objects.get(commenter=commenter)
    assert (decision.action, decision.from_standing, decision.to_standing) == (
        action,
        before,
        after,
    )


def test_staff_without_the_permission_cannot_ban(seed_article):
    commenter = commenter_of(reader(), seed_article, "Wang Lei")
    viewer = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    moderators = Group.objects.get(name="Moderators")
    viewer.user_permissions.set(moderators.permissions.exclude(codename="moderate_commenter"))
    client = Client()
    client.force_login(viewer)
    listing = client.get("/admin/comments/commenter/")
    assert listing.status_code == 200
    assert 'value="ban"' not in listing.content.decode()
    client.post(
        "/admin/comments/commenter/",
        {"action": "ban", "_selected_action": [commenter.pk], "apply": "yes"},
    )
    commenter.refresh_from_db()
    assert commenter.standing == Commenter.Standing.REGULAR
    assert not ModerationDecision.objects.exists()


def test_a_ban_from_a_comment_is_not_read_as_a_verdict_on_that_comment(seed_article, moderator):
    from comments.overrules import overrules
    from comments.training_data import moderator_examples

    post_past_the_nudge(reader(), seed_article, user_name="Wang Lei", text=ABUSIVE)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.REMOVED
    services.approve(comment=comment, moderator=moderator)
    services.ban_commenter(commenter=comment.commenter, moderator=moderator, comment=comment)
    # The approval stays the moderator's word on the text, for the model and its figures.
    assert [(e.text, e.label) for e in moderator_examples()] == [(ABUSIVE, "ok")]
    assert sum(row.overruled for row in overrules(days=1)) == 1
