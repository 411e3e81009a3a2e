"""Replying to a comment in Chromium at 1280 and 390 px, with and without JavaScript: the
reply appears under its comment with an honest outcome; with the script the one form opens
under the comment and Cancel puts it back; the pages stay accessible."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from comments import services
from comments.models import Comment
from tests.browser.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screening_without_the_model")]

REPLY = "The night lines will help nurses get home after their shifts, as Kim says."


@pytest.fixture(autouse=True)
def _no_minimum_typing_time(settings):
    settings.COMMENT_MIN_SECONDS = 0


@pytest.fixture(
    params=[(1280, True), (390, True), (1280, False), (390, False)],
    ids=["1280-js", "390-js", "1280-nojs", "390-nojs"],
)
def reader(request, browser, live_server, page_errors):
    width, javascript = request.param
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 800},
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.uncaught.append(str(error)))
    page.javascript = javascript
    yield page
    context.close()


@pytest.fixture
def thread(article):
    """A comment by Commuter Kim with one reply, and a later comment."""
    now = timezone.now()

    def add(name, text, minutes_ago, parent=None):
        return Comment.objects.create(
            article=article,
            parent=parent,
            user_name=name,
            text=text,
            status=Comment.Status.PUBLISHED,
            content_hash=name,
            created=now - datetime.timedelta(minutes=minutes_ago),
        )

    top = add("Commuter Kim", "Finally a bus after midnight.", 30)
    add("Driver Lee", "We still need drivers for the new lines.", 20, parent=top)
    add("Late Reader", "What about Sundays?", 10)
    return top


def open_reply(page, name):
    page.get_by_role("link", name=f"Reply to {name}").first.click()


def send(page, name, text):
    page.get_by_label("User Name").fill(name)
    page.get_by_label("Your Comment").fill(text)
    page.get_by_role("button", name="Post reply").click()


def test_a_reader_replies_and_sees_the_reply_under_the_comment(reader, page_errors, thread):
    reader.goto(thread.article.get_absolute_url())
    open_reply(reader, "Commuter Kim")
    if reader.javascript:
        box = reader.locator(f"#c{thread.pk} .comment-reply-box")
        expect(box).to_contain_text("Replying to Commuter Kim")
        expect(box).to_have_accessible_name("Replying to Commuter Kim")
        expect(reader.get_by_label("Your Comment")).to_be_focused()
        expect(box.get_by_label("Your Comment")).to_be_visible()
    else:
        expect(reader).to_have_url(re.compile(rf"/comments/{thread.pk}/reply/$"))
        expect(reader.get_by_role("heading", level=1)).to_have_text("Reply to Commuter Kim")
        expect(reader.locator(".comment-answered")).to_contain_text("Finally a bus")
    send(reader, "Night Nurse", REPLY)
    replies = reader.get_by_role("list", name="Replies to Commuter Kim")
    mine = replies.locator(".comment").filter(has_text="Night Nurse")
    expect(mine).to_contain_text(REPLY)
    expect(mine).to_contain_text("in reply to Commuter Kim")
    expect(mine.locator(".comment-notice")).to_have_text("Thank you. Your comment is published.")
    expect(mine).to_be_in_viewport()
    # Oldest first under the comment: after the reply already there.
    expect(replies.locator(".comment-author")).to_have_text(["Driver Lee", "Night Nurse"])
    expect(reader.locator(".comment-count-link")).to_have_text("4 comments")
    if reader.javascript:
        expect(mine).to_be_focused()
        # The form is back in its place, empty, and writes comments again.
        expect(reader.locator(".comment-reply-box")).to_have_count(0)
        expect(reader.locator("#comments > .comment-form-area #comment-form")).to_have_count(1)
        expect(reader.locator('[name="reply_to"]')).to_have_value("")
    reply = Comment.objects.get(text=REPLY)
    assert reply.parent == thread and reply.status == Comment.Status.PUBLISHED
    reader.reload()
    expect(replies.locator(".comment-author")).to_have_text(["Driver Lee", "Night Nurse"])
    expect(mine.locator(".comment-notice")).to_have_count(0)
    assert page_errors.all() == []


def test_a_reply_to_a_reply_says_where_it_goes_and_goes_there(reader, thread):
    reader.goto(thread.article.get_absolute_url())
    open_reply(reader, "Driver Lee")
    if reader.javascript:
        expect(reader.locator(".comment-reply-box")).to_contain_text("Replying to Driver Lee")
    else:
        expect(reader.locator("#replying-to")).to_contain_text(
            "Replies go one level deep: yours will appear under Commuter Kim’s comment"
        )
    send(reader, "Night Nurse", REPLY)
    replies = reader.get_by_role("list", name="Replies to Commuter Kim")
    expect(replies.locator(".comment-author")).to_have_text(["Driver Lee", "Night Nurse"])
    assert Comment.objects.get(text=REPLY).parent == thread


def test_a_held_reply_says_a_moderator_will_read_it(reader, thread):
    Article.objects.filter(pk=thread.article_id).update(comment_mode="premoderated")
    reader.goto(thread.article.get_absolute_url())
    open_reply(reader, "Commuter Kim")
    send(reader, "Careful Reader", REPLY)
    held = "Thank you. A moderator will read your comment before it appears."
    if reader.javascript:
        # As for a comment: said below the button the reader pressed, under the comment.
        status = reader.locator(f"#c{thread.pk} [data-comment-status]")
        expect(status).to_have_text(held)
        expect(status).to_be_in_viewport()
    else:
        reader.wait_for_url(re.compile(r"#comment-outcome$"))
        notice = reader.locator("#comment-form [data-comment-notice]")
        expect(notice).to_have_text(held)
        expect(notice).to_be_in_viewport()
    expect(reader.get_by_label("Your Comment")).to_have_value("")
    expect(reader.locator("#comments")).not_to_contain_text(REPLY)
    assert Comment.objects.get(text=REPLY).status == Comment.Status.HELD


def test_a_reply_to_a_comment_removed_meanwhile_keeps_the_text(reader, page_errors, thread):
    reader.goto(thread.article.get_absolute_url())
    open_reply(reader, "Commuter Kim")
    services.remove(comment=thread, moderator=None)
    send(reader, "Night Nurse", REPLY)
    notice = reader.locator("#comment-form").get_by_text("no longer shown")
    expect(notice).to_be_visible()
    expect(notice).to_be_in_viewport()
    expect(reader.get_by_label("Your Comment")).to_have_value(REPLY)
    # Back in the article's own form, where it can be posted as a comment.
    expect(reader.locator("#comments > .comment-form-area #comment-form")).to_have_count(1)
    expect(reader.locator('[name="reply_to"]')).to_have_value("")
    assert not Comment.objects.filter(text=REPLY).exists()
    reader.get_by_role("button", name="Post comment").click()
    expect(reader.locator(".comment").filter(has_text="Night Nurse")).to_contain_text(REPLY)
    assert Comment.objects.get(text=REPLY).parent is None
    assert page_errors.all() == []


@pytest.mark.parametrize("width", [1280, 390])
def test_cancel_and_escape_put_the_form_back_and_focus_on_the_link(page, thread, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(thread.article.get_absolute_url())
    link = page.get_by_role("link", name="Reply to Commuter Kim")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your Comment")).to_be_focused()
    expect(link).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Post reply")).to_be_visible()
    page.get_by_label("Your Comment").fill("Half a thought")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".comment-reply-box")).to_have_count(0)
    expect(page.get_by_role("button", name="Post comment")).to_be_visible()
    expect(link).to_be_focused()
    expect(link).not_to_have_attribute("aria-expanded", "true")
    expect(page.locator('[name="reply_to"]')).to_have_value("")
    # The form is back below the rules, where it was.
    rules = page.locator(".comment-rules").bounding_box()
    assert page.get_by_label("User Name").bounding_box()["y"] > rules["y"]
    page.get_by_role("link", name="Reply to Late Reader").click()
    expect(page.locator("#c" + str(thread.pk + 2) + " .comment-reply-box")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".comment-reply-box")).to_have_count(0)
    expect(page.get_by_role("link", name="Reply to Late Reader")).to_be_focused()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_article_page_with_replies_and_the_reply_page_are_accessible(
    page, thread, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(thread.article.get_absolute_url())
    assert_accessible(page)
    page.screenshot(path=f"/tmp/replies-article-{width}.png", full_page=True)
    page.get_by_role("link", name="Reply to Commuter Kim").click()
    expect(page.locator(".comment-reply-box")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=f"/tmp/replies-open-{width}.png", full_page=True)
    page.goto(f"/comments/{thread.pk}/reply/")
    assert_accessible(page)
    page.screenshot(path=f"/tmp/replies-page-{width}.png", full_page=True)
    # With an error on it, too.
    page.get_by_label("User Name").fill("A")
    page.get_by_label("Your Comment").fill(REPLY)
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#comment-form .invalid-feedback").first).to_be_visible()
    expect(page.get_by_role("button", name="Post reply")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/comments/{thread.pk}/reply/#comment-outcome$"))
    expect(page.get_by_label("Your Comment")).to_have_value(REPLY)
    assert_accessible(page)


def test_the_reply_page_counts_the_characters_left(page, page_errors, thread, settings):
    page.goto(f"/comments/{thread.pk}/reply/")
    counter = page.locator(".comment-counter")
    expect(counter).to_have_text(f"{settings.COMMENT_MAX_LENGTH:,} characters left")
    page.get_by_label("Your Comment").fill("Twelve chars")
    expect(counter).to_have_text(f"{settings.COMMENT_MAX_LENGTH - 12:,} characters left")
    expect(page.get_by_role("button", name="Post reply")).to_be_visible()
    assert page_errors.all() == []
