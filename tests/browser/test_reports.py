"""Reporting a comment in a real browser, at 1280 and 390 px, with and without JavaScript:
a reason, the confirmation next to the comment, and Undo."""

import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from comments.models import Comment, Flag
from tests.browser.test_article_page import axe_report

pytestmark = pytest.mark.browser

SIZES = {1280: {"width": 1280, "height": 900}, 390: {"width": 390, "height": 844}}
THANKS = "Thank you. A moderator will look at this comment."
WITHDRAWN = "Your report was withdrawn."
SCREENSHOTS = os.environ.get("REPORT_SCREENSHOTS")


def shot(page, name: str):
    """A screenshot to look at, when REPORT_SCREENSHOTS names a folder."""
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def assert_accessible(page):
    options = {"rules": {"target-size": {"enabled": True}}}
    violations = Axe().run(page, options=options).response["violations"]
    assert not violations, f"axe-core found on {page.url}:\n{axe_report(violations)}"


def assert_no_sideways_scroll(page, width: int):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def comments(article):
    Comment.objects.create(
        article=article,
        user_name="Early Reader",
        text="Good news for night workers.",
        status=Comment.Status.PUBLISHED,
        content_hash="a",
    )
    return Comment.objects.create(
        article=article,
        user_name="Shouty Seller",
        text="Cheap watches, best prices, visit my shop today.",
        status=Comment.Status.PUBLISHED,
        content_hash="b",
    )


@pytest.mark.parametrize("width", SIZES)
def test_with_javascript_a_reader_reports_with_a_reason_and_undoes_it(
    page, page_errors, comments, width
):
    comment = comments
    page.set_viewport_size(SIZES[width])
    page.goto(comment.article.get_absolute_url())
    page.evaluate("window.__samePage = true")
    item = page.locator(f"#c{comment.pk}")
    trigger = item.get_by_role("button", name="Report the comment by Shouty Seller")
    expect(trigger).to_have_attribute("aria-expanded", "false")

    # Opened and closed again: Cancel, then Escape, each give the focus back.
    trigger.click()
    panel = item.get_by_role("form", name="Report the comment by Shouty Seller")
    expect(panel).to_be_visible()
    expect(trigger).to_have_attribute("aria-expanded", "true")
    expect(panel.get_by_label("Abusive or harassing")).to_be_focused()
    panel.get_by_role("button", name="Cancel").click()
    expect(panel).to_have_count(0)
    expect(trigger).to_be_focused()
    trigger.click()
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(trigger).to_have_attribute("aria-expanded", "false")

    # Without a reason: told so in the panel, and the note stays.
    trigger.click()
    panel.get_by_label("Anything a moderator should know?").fill("Posted the same advert twice")
    panel.get_by_role("button", name="Send report").click()
    expect(panel).to_contain_text("Please choose why you are reporting this comment.")
    expect(panel.get_by_label("Abusive or harassing")).to_be_focused()
    expect(panel.get_by_label("Anything a moderator should know?")).to_have_value(
        "Posted the same advert twice"
    )
    assert not Flag.objects.exists()

    panel.get_by_label("Spam or advertising").check()
    panel.get_by_role("button", name="Send report").click()
    notice = item.locator("[data-report-notice]")
    expect(notice).to_contain_text(THANKS)
    expect(panel).to_have_count(0)
    expect(notice).to_be_focused()
    assert_no_sideways_scroll(page, width)
    shot(page, f"reports-js-confirmed-{width}")
    flag = Flag.objects.get()
    assert (flag.comment_id, flag.reason, flag.note) == (
        comment.pk,
        "spam",
        "Posted the same advert twice",
    )

    notice.get_by_role("button", name="Undo your report").click()
    expect(notice).to_have_text(WITHDRAWN)
    expect(trigger).to_be_visible()
    flag.refresh_from_db()
    assert flag.withdrawn is not None
    comment.refresh_from_db()
    assert comment.report_count == 0
    assert page.evaluate("window.__samePage") is True
    assert page_errors.all() == []


@pytest.mark.parametrize("width", SIZES)
def test_without_javascript_the_report_page_files_it_and_the_article_confirms_it(
    no_js_context, comments, width
):
    comment = comments
    page = no_js_context.new_page()
    page.set_viewport_size(SIZES[width])
    page.goto(comment.article.get_absolute_url())
    page.locator(f"#c{comment.pk}").get_by_role(
        "link", name="Report the comment by Shouty Seller"
    ).click()
    page.wait_for_url(f"**/comments/{comment.pk}/report/")
    expect(page.get_by_role("heading", name="Report a comment")).to_be_visible()
    expect(page.locator("blockquote")).to_contain_text("Cheap watches")
    assert_no_sideways_scroll(page, width)

    page.get_by_label("Anything a moderator should know?").fill("An advert, not a comment")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Please choose why you are reporting this comment."
    )
    expect(page.get_by_label("Anything a moderator should know?")).to_have_value(
        "An advert, not a comment"
    )
    shot(page, f"reports-page-error-{width}")

    page.get_by_label("Spam or advertising").check()
    page.get_by_role("button", name="Send report").click()
    page.wait_for_url(re.compile(rf"#c{comment.pk}$"))
    item = page.locator(f"#c{comment.pk}")
    expect(item.get_by_role("status")).to_contain_text(THANKS)
    expect(page.locator(".comment-notice")).to_have_count(1)  # next to it, nowhere else
    assert_no_sideways_scroll(page, width)
    shot(page, f"reports-nojs-confirmed-{width}")
    assert Flag.objects.get().reason == "spam"

    item.get_by_role("button", name="Undo your report").click()
    page.wait_for_url(re.compile(rf"#c{comment.pk}$"))
    expect(page.locator(f"#c{comment.pk}").get_by_role("status")).to_have_text(WITHDRAWN)
    assert Flag.objects.get().withdrawn is not None


def test_the_report_page_with_and_without_errors_is_accessible(page, comments):
    # axe-core runs as a script: the page itself has none that changes it.
    page.goto(f"/comments/{comments.pk}/report/")
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", SIZES)
def test_the_article_with_the_panel_open_and_after_reporting_is_accessible(page, comments, width):
    page.set_viewport_size(SIZES[width])
    page.goto(comments.article.get_absolute_url())
    item = page.locator(f"#c{comments.pk}")
    item.get_by_role("button", name="Report the comment by Shouty Seller").click()
    item.get_by_role("form").wait_for()
    shot(page, f"reports-panel-open-{width}")
    assert_accessible(page)
    item.get_by_role("button", name="Send report").click()
    expect(item.get_by_role("form")).to_contain_text("Please choose")
    assert_accessible(page)
    item.get_by_label("Off-topic").check()
    item.get_by_role("button", name="Send report").click()
    expect(item.locator("[data-report-notice]")).to_contain_text(THANKS)
    assert_accessible(page)
