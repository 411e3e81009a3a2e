"""What a reader is told after sending a comment, in Chromium at 1280 and 390 px, with and
without JavaScript: a nudge, a refusal, a hold, a publication and errors, each at the form
(or next to the comment) where the reader is looking, with the text kept when it was not
published; without JavaScript a refresh sends nothing again."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment

pytestmark = pytest.mark.browser

ON_TOPIC = "Night buses to the suburbs are long overdue; the council should hire the drivers soon."
ABUSE = "You are all idiots and morons, shut up."


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


def send(page, name: str, text: str | None = None):
    page.get_by_label("User Name").fill(name)
    if text is not None:
        page.get_by_label("Your Comment").fill(text)
    page.get_by_role("button", name="Post comment").click()


def test_a_confident_removal_is_a_nudge_first_then_a_refusal(reader, page_errors, article):
    reader.goto(article.get_absolute_url())
    send(reader, "Troll", ABUSE)
    notice = reader.locator("#comment-form [data-comment-notice]")
    expect(notice).to_contain_text(
        "This comment may break our rules: it reads as a personal attack or abuse. Edit it, "
        "or send it again as it is and it will be recorded for a moderator."
    )
    expect(notice).to_be_in_viewport()
    expect(reader.get_by_label("Your Comment")).to_have_value(ABUSE)
    assert Comment.objects.count() == 0

    reader.get_by_role("button", name="Post comment").click()
    expect(notice).to_contain_text("Your comment was not published: it reads as a personal")
    expect(notice).to_contain_text("It has been recorded, and a moderator may restore it.")
    expect(notice).to_be_in_viewport()
    expect(reader.get_by_label("Your Comment")).to_have_value(ABUSE)
    assert Comment.objects.get().status == Comment.Status.REMOVED
    reader.reload()
    expect(reader.locator("#comment-form [data-comment-notice]")).to_have_count(0)
    expect(reader.locator("#comments")).not_to_contain_text("idiots")
    assert Comment.objects.count() == 1  # the refresh sent nothing
    assert page_errors.all() == []


@pytest.mark.usefixtures("screening_without_the_model")
def test_a_held_comment_says_a_moderator_will_read_it(reader, article):
    Article.objects.filter(pk=article.pk).update(comment_mode="premoderated")
    reader.goto(article.get_absolute_url())
    send(reader, "Careful Reader", ON_TOPIC)
    held = "Thank you. A moderator will read your comment before it appears."
    if reader.javascript:
        expect(reader.locator("[data-comment-status]")).to_have_text(held)
        expect(reader.locator("[data-comment-status]")).to_be_in_viewport()
    else:
        reader.wait_for_url(re.compile(r"#comment-outcome$"))
        expect(reader.locator("#comment-form [data-comment-notice]")).to_have_text(held)
        expect(reader.locator("#comment-form [data-comment-notice]")).to_be_in_viewport()
        reader.reload()
        expect(reader.locator("#comment-form [data-comment-notice]")).to_have_count(0)
    expect(reader.get_by_label("Your Comment")).to_have_value("")
    assert Comment.objects.get().status == Comment.Status.HELD


@pytest.mark.usefixtures("screening_without_the_model")
def test_a_published_comment_is_shown_in_place_with_the_notice(reader, article):
    reader.goto(article.get_absolute_url())
    send(reader, "Commuter Kim", ON_TOPIC)
    mine = reader.locator(".comment").filter(has_text="Commuter Kim")
    expect(mine).to_contain_text("long overdue")
    expect(mine).to_be_in_viewport()
    published = "Thank you. Your comment is published."
    expect(mine.locator(".comment-notice")).to_have_text(published)
    if reader.javascript:
        expect(reader.locator("[data-comment-status]")).to_have_text(published)
    reader.reload()
    expect(mine.locator(".comment-notice")).to_have_count(0)
    assert Comment.objects.count() == 1


@pytest.mark.usefixtures("screening_without_the_model")
def test_errors_show_at_the_form_with_the_text_kept(reader, article):
    reader.goto(article.get_absolute_url())
    send(reader, "A", ON_TOPIC)
    error = reader.locator("#comment-form").get_by_text("at least 2 characters")
    expect(error).to_be_visible()
    expect(error).to_be_in_viewport()
    expect(reader.get_by_label("Your Comment")).to_have_value(ON_TOPIC)
    expect(reader.get_by_label("User Name")).to_have_value("A")
    send(reader, "Second Try")
    expect(reader.locator(".comment").filter(has_text="Second Try")).to_contain_text("overdue")


def test_the_nudge_and_the_refusal_are_accessible(page, article):
    from tests.browser.test_accessibility import assert_accessible

    page.goto(article.get_absolute_url())
    send(page, "Troll", ABUSE)
    expect(page.locator("#comment-form [data-comment-notice]")).to_contain_text("may break")
    assert_accessible(page)
    # The same page reached without the script: a plain POST, then the redirect.
    with page.expect_navigation():
        page.evaluate(
            "HTMLFormElement.prototype.submit.call(document.getElementById('comment-form'))"
        )
    expect(page.locator("#comment-form [data-comment-notice]")).to_contain_text("not published")
    assert_accessible(page)


@pytest.mark.usefixtures("screening_without_the_model")
def test_a_held_comment_sent_from_the_form_link_shows_its_notice(reader, article):
    # A reader who came by the "add your comment" link is already at #comment-form; the
    # answer must not land on that same address, or Chromium keeps the old scroll position.
    Article.objects.filter(pk=article.pk).update(comment_mode="premoderated")
    reader.goto(article.get_absolute_url() + "#comment-form")
    send(reader, "Careful Reader", ON_TOPIC)
    held = "Thank you. A moderator will read your comment before it appears."
    notice = reader.locator(
        "[data-comment-status]" if reader.javascript else "#comment-form [data-comment-notice]"
    )
    expect(notice).to_have_text(held)
    expect(notice).to_be_in_viewport()
