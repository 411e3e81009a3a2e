"""The moderation workspace in Chromium: a queue cleared with the keyboard alone, a phone's
width, undo, a machine removal reversed, the same actions without JavaScript, axe-core."""

import datetime
import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from comments import services
from comments.models import Comment, Commenter, ModerationDecision
from tests.browser import test_commenters as reader
from tests.browser.test_article_page import axe_report

pytestmark = pytest.mark.browser
WORKSPACE = "/admin/comments/moderationqueue/workspace/"
Action = ModerationDecision.Action
SCREENSHOTS = os.environ.get("WORKSPACE_SCREENSHOTS", "")
# What the Moderators group holds (migration 0002); transactional tests flush that group.
MODERATOR_PERMISSIONS = [
    "view_comment",
    "moderate_comment",
    "view_moderationqueue",
    "view_moderationdecision",
    "view_flag",
]
SPAM = {"decision": "hold", "code": "spam_links", "score": 0.91, "spans": [], "detail": "2 links"}
ABUSE = {"decision": "hold", "code": "insult", "score": 0.84, "spans": [[0, 5]], "detail": ""}


@pytest.fixture
def moderator(transactional_db):
    user = get_user_model().objects.create_user("desk.mod", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=MODERATOR_PERMISSIONS))
    return user


def log_in(context, user, live_server):
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def held(article, text: str, *, minutes_ago: int, reasons=(), **fields) -> Comment:
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Comment.objects.create(
        article=article,
        user_name=fields.pop("user_name", f"Reader {minutes_ago}"),
        text=text,
        status=fields.pop("status", Comment.Status.HELD),
        screening_reasons=list(reasons),
        reason_codes=services.reason_codes(reasons),
        content_hash=f"h{minutes_ago}",
        created=created,
        review_since=created,
        **fields,
    )


def mixed_queue(article) -> dict[int, str]:
    """30 held comments, oldest first: what a moderator would do with each."""
    expected = {}
    for n in range(30):
        if n % 3 == 0:
            comment = held(
                article, f"Cheap flights {n} at example dot com", minutes_ago=90 - n, reasons=[SPAM]
            )
            expected[comment.pk] = "spam"
        elif n % 5 == 1:
            comment = held(
                article, f"Idiot council, idiot voters ({n})", minutes_ago=90 - n, reasons=[ABUSE]
            )
            expected[comment.pk] = "abusive"
        else:
            comment = held(article, f"Good news for night shifts ({n}).", minutes_ago=90 - n)
            expected[comment.pk] = "approve"
    return expected


def shot(page, name: str, *, full_page: bool = False):
    """A screenshot to look at, when WORKSPACE_SCREENSHOTS names a folder."""
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=full_page)


def assert_accessible(page):
    options = {"rules": {"target-size": {"enabled": True}}}
    violations = Axe().run(page, options=options).response["violations"]
    assert not violations, f"axe-core found on {page.url}:\n{axe_report(violations)}"


def test_a_moderator_clears_30_mixed_comments_with_the_keyboard_alone(
    page, page_errors, live_server, context, moderator, article
):
    expected = mixed_queue(article)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(context, moderator, live_server)
    page.goto(WORKSPACE)
    expect(page.locator(".ws-tabs [aria-current=page]")).to_contain_text("Held 30")
    shot(page, "workspace-1280")

    first = page.locator(".ws-card.ws-current")
    expect(first).to_be_focused()
    # x asks first: Escape leaves the comment as it was.
    page.keyboard.press("x")
    expect(page.locator("#ws-confirm")).to_be_visible()
    shot(page, "workspace-confirm-1280")
    page.keyboard.press("Escape")
    expect(page.locator("#ws-confirm")).to_be_hidden()
    # Keys do nothing while typing in a field.
    page.locator(".ws-current input[name=note]").focus()
    page.keyboard.type("a note")
    expect(page.locator(".ws-current input[name=note]")).to_have_value("a note")
    page.locator(".ws-current input[name=note]").fill("")
    page.keyboard.press("Escape")
    page.locator(".ws-card.ws-current").focus()
    assert not ModerationDecision.objects.exists()

    keys = {"abusive": "1", "spam": "3"}
    for _ in range(30):
        card = page.locator(".ws-card.ws-current")
        pk = int(card.get_attribute("id").removeprefix("card-"))
        wanted = expected[pk]
        if wanted == "approve":
            with page.expect_navigation():
                page.keyboard.press("a")
        else:
            page.keyboard.press("x" if pk % 2 else "r")
            expect(page.locator("#ws-confirm")).to_be_visible()
            page.keyboard.press(keys[wanted])
            with page.expect_navigation():
                page.keyboard.press("Enter")
    expect(page.locator(".ws-empty")).to_have_text(
        "No comment is held: nothing waits for a moderator."
    )
    actions = dict(ModerationDecision.objects.values_list("comment_id", "action"))
    wanted_actions = {
        "approve": Action.APPROVE,
        "spam": Action.REMOVE_SPAM,
        "abusive": Action.REMOVE_ABUSIVE,
    }
    assert actions == {pk: wanted_actions[what] for pk, what in expected.items()}
    assert Comment.objects.count() == 30
    assert page_errors.all() == []


def test_at_390_px_every_card_shows_its_reasons_and_buttons_without_scrolling_sideways(
    page, page_errors, live_server, context, moderator, article
):
    held(article, "Cheap flights at example dot com " * 8, minutes_ago=9, reasons=[SPAM])
    held(
        article,
        "Averyveryveryveryveryveryverylongwordwithoutanyspacesthatmustwrapsomehow " * 2,
        minutes_ago=8,
        reasons=[ABUSE, SPAM],
        user_name="A commenter with a rather long chosen name",
        report_count=3,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(context, moderator, live_server)
    page.goto(WORKSPACE)
    shot(page, "workspace-390", full_page=True)
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for card in page.locator(".ws-card").all():
        for part in [
            card.locator(".ws-reasons"),
            card.get_by_role("button", name="Approve"),
            card.get_by_role("button", name="Hold"),
            card.get_by_role("button", name="Remove"),
            card.get_by_label("Remove as"),
        ]:
            part.scroll_into_view_if_needed()
            expect(part).to_be_visible()
            box = part.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    page.keyboard.press("x")
    expect(page.locator("#ws-confirm")).to_be_visible()
    shot(page, "workspace-confirm-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page_errors.all() == []


def test_undo_restores_the_previous_state(
    page, page_errors, live_server, context, moderator, article
):
    comment = held(
        article,
        "A reported but fair comment.",
        minutes_ago=5,
        report_count=2,
        status=Comment.Status.PUBLISHED,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(context, moderator, live_server)
    page.goto(WORKSPACE + "?tab=reported")
    with page.expect_navigation():
        page.keyboard.press("a")
    comment.refresh_from_db()
    assert (comment.status, comment.report_count, comment.review_since) == ("published", 0, None)
    undo = page.locator(".ws-undo")
    expect(undo).to_contain_text("Approve: the comment by Reader 5.")
    shot(page, "workspace-undo-1280")
    with page.expect_navigation():
        page.keyboard.press("u")
    expect(page.locator(".messagelist")).to_contain_text("Undone: 1 comment(s) back as they were.")
    expect(page.locator(f"#card-{comment.pk}")).to_be_visible()
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == ("published", 2)
    assert comment.review_since is not None
    assert list(comment.decisions.values_list("action", flat=True)) == [Action.UNDO, Action.APPROVE]
    assert page_errors.all() == []


def test_a_machine_removal_is_found_in_its_tab_and_restored(
    page, page_errors, live_server, context, moderator, article
):
    text = "The minister's plan is a costly failure and he should resign."
    start = text.index("failure")
    comment = held(
        article,
        text,
        minutes_ago=3,
        status=Comment.Status.REMOVED,
        screening=Comment.Screened.REMOVE,
        reasons=[
            {"decision": "remove", "code": "abusive", "score": 0.97, "spans": [[start, start + 7]]}
        ],
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(context, moderator, live_server)
    page.goto("/admin/")
    page.get_by_role("link", name="1 removed by the machine").click()
    card = page.locator(f"#card-{comment.pk}")
    expect(card).to_contain_text("costly failure")
    expect(card.locator("mark")).to_have_text("failure")
    with page.expect_navigation():
        card.get_by_role("button", name="Approve").click()
    expect(page.locator(".ws-empty")).to_contain_text("looked at by a moderator")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    page.goto(article.get_absolute_url())
    expect(page.locator(".comment").filter(has_text="costly failure")).to_be_visible()
    assert page_errors.all() == []


@pytest.mark.parametrize("width", [1280, 390])
def test_without_javascript_every_action_is_a_form(
    no_js_context, live_server, moderator, article, width
):
    spam = held(article, "Cheap flights at example dot com", minutes_ago=9, reasons=[SPAM])
    first = held(article, "Fine comment one.", minutes_ago=8)
    second = held(article, "Fine comment two.", minutes_ago=7)
    log_in(no_js_context, moderator, live_server)
    page = no_js_context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(WORKSPACE)
    card = page.locator(f"#card-{spam.pk}")
    card.get_by_label("Remove as").select_option("spam")
    card.get_by_label("Note").fill("Travel spam ring")
    card.get_by_role("button", name="Remove").click()
    expect(page.locator(".ws-undo")).to_contain_text("Remove as spam: the comment by Reader 9.")
    assert page.url.endswith(WORKSPACE)
    spam.refresh_from_db()
    assert spam.status == Comment.Status.REMOVED
    assert spam.decisions.get().reason == "Travel spam ring"

    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".messagelist")).to_contain_text("Undone")
    spam.refresh_from_db()
    assert spam.status == Comment.Status.HELD

    page.get_by_label("Select the comment by Reader 8").check()
    page.get_by_label("Select the comment by Reader 7").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.locator(".ws-undo")).to_contain_text("Approve: 2 comment(s).")
    assert {c.status for c in Comment.objects.filter(pk__in=[first.pk, second.pk])} == {"published"}
    # Remove without a category: the page asks again and keeps the note.
    page.locator(f"#card-{spam.pk}").get_by_label("Note").fill("keep me")
    page.locator(f"#card-{spam.pk}").get_by_role("button", name="Remove").click()
    expect(page.locator(".errorlist")).to_contain_text("Choose why the comment is removed.")
    expect(page.get_by_label("Note")).to_have_value("keep me")
    page.get_by_label("Remove as").select_option("abusive")
    page.get_by_role("button", name="Remove").click()
    spam.refresh_from_db()
    assert spam.status == Comment.Status.REMOVED
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_the_workspace_has_no_accessibility_violations(
    page, live_server, context, moderator, article, width
):
    held(article, "Cheap flights at example dot com", minutes_ago=9, reasons=[SPAM], report_count=1)
    held(article, "Idiot council", minutes_ago=8, reasons=[ABUSE])
    page.set_viewport_size({"width": width, "height": 900})
    log_in(context, moderator, live_server)
    page.goto(WORKSPACE)
    assert_accessible(page)
    page.keyboard.press("x")
    expect(page.locator("#ws-confirm")).to_be_visible()
    assert_accessible(page)
    page.goto("/admin/")
    assert_accessible(page)


def test_the_old_queue_asks_before_a_key_removes(page, live_server, context, moderator, article):
    comment = held(article, "Borderline remark about the buses.", minutes_ago=4)
    log_in(context, moderator, live_server)
    page.goto("/admin/comments/moderationqueue/")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.keyboard.press("x")
    page.wait_for_timeout(300)
    assert asked == ["Abusive: remove this comment?"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        page.keyboard.press("x")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED


@pytest.fixture
def commenter_moderator(moderator):
    """A moderator who may also ban and trust commenters, as the Moderators group may."""
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_commenter"))
    return moderator


def test_a_moderator_bans_a_commenter_from_a_card_and_their_next_comment_is_refused(
    page,
    page_errors,
    live_server,
    context,
    commenter_moderator,
    article,
    settings,
    screening_without_the_model,
):
    settings.COMMENT_MIN_SECONDS = 0
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(article.get_absolute_url())
    reader.send(page, "Night Owl", reader.FIRST, javascript=True)
    expect(page.locator(".comment").filter(has_text="Night Owl")).to_be_visible()
    comment = Comment.objects.get()

    log_in(context, commenter_moderator, live_server)
    page.goto(f"{WORKSPACE}?tab=all")
    card = page.locator(f"#card-{comment.pk}")
    expect(card.locator(".ws-standing")).to_have_text("Commenter: Regular")
    assert_accessible(page)
    shot(page, "workspace-commenter-1280")
    card.get_by_label("Reason").fill("Abuse under three names")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    card.get_by_role("button", name="Ban").click()
    page.wait_for_timeout(300)
    assert asked == ["Ban “Night Owl”? Their new comments will not be published."]
    assert not ModerationDecision.objects.exists()
    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        card.get_by_role("button", name="Ban").click()
    expect(page.locator(".messagelist")).to_contain_text("Banned the commenter “Night Owl”.")
    assert page.url.endswith(f"{WORKSPACE}?tab=all#card-{comment.pk}") or page.url.endswith(
        f"{WORKSPACE}?tab=all"
    )
    card = page.locator(f"#card-{comment.pk}")
    expect(card.locator(".ws-standing")).to_have_text("Commenter: Banned")
    expect(card.get_by_role("button", name="Unban")).to_be_visible()
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.comment, decision.reason) == (
        Action.BAN,
        comment,
        "Abuse under three names",
    )
    assert Commenter.objects.get().standing == Commenter.Standing.BANNED
    assert_accessible(page)

    assert page_errors.all() == []

    # The same browser, so the same commenter cookie: the next comment is refused (the
    # refusal answers 403, which the console reports).
    page.goto(article.get_absolute_url())
    reader.send(page, "Night Owl", reader.LATER[0], javascript=True)
    expect(page.locator("#comment-form")).to_contain_text(
        "a moderator has stopped comments from this browser"
    )
    assert Comment.objects.count() == 1

    # On a phone the standing, the reason and the buttons fit without scrolling sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{WORKSPACE}?tab=all")
    shot(page, "workspace-commenter-390", full_page=True)
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    card = page.locator(f"#card-{comment.pk}")
    for part in [
        card.locator(".ws-standing"),
        card.get_by_label("Reason"),
        card.get_by_role("button", name="Unban"),
        card.get_by_role("button", name="Trust"),
    ]:
        part.scroll_into_view_if_needed()
        expect(part).to_be_visible()
        box = part.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert_accessible(page)
    assert [error for error in page_errors.all() if "403 (Forbidden)" not in error] == []
