"""Banned and trusted commenters in a real browser, at desktop and phone widths, with and
without JavaScript: a banned reader is told why, under a new name too; a trusted one is not
held as a flood."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from comments import services
from comments.models import Comment, Commenter

pytestmark = pytest.mark.browser

FIRST = "Night buses to the suburbs are long overdue; the council should hire the drivers soon."
LATER = [
    "Twenty minutes between buses at night is a fair service for the suburbs.",
    "The transport committee should publish the timetable before the spring.",
    "Drivers for the night lines will need decent pay, or the plan will stall.",
    "Residents asked for years; good that the council finally listened to them.",
    "I hope the new lines stop near the hospital for the night shift workers.",
]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _form_mechanics(settings, screening_without_the_model):
    settings.COMMENT_MIN_SECONDS = 0


@pytest.fixture(params=["desktop", "phone"])
def width(request):
    return WIDTHS[request.param]


def reader_page(browser, live_server, viewport, *, javascript: bool):
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, java_script_enabled=javascript
    )
    return context, context.new_page()


def moderator():
    return get_user_model().objects.create_user("mod.browser", password="pw", is_staff=True)


def send(page, name: str, text: str, *, javascript: bool):
    page.get_by_label("User Name").fill(name)
    page.get_by_label("Your Comment").fill(text)
    button = page.get_by_role("button", name="Post comment")
    if javascript:
        button.click()
    else:
        with page.expect_navigation():
            button.click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_banned_commenter_is_told_why_under_a_new_name_too(
    browser, live_server, article, width, javascript
):
    context, page = reader_page(browser, live_server, width, javascript=javascript)
    try:
        page.goto(article.get_absolute_url())
        send(page, "Night Owl", FIRST, javascript=javascript)
        expect(page.locator(".comment").filter(has_text="Night Owl")).to_be_visible()
        services.ban_commenter(commenter=Commenter.objects.get(), moderator=moderator())

        page.goto(article.get_absolute_url())
        send(page, "Day Lark", LATER[0], javascript=javascript)
        form = page.locator("#comment-form")
        expect(form).to_contain_text("a moderator has stopped comments from this browser")
        expect(page.get_by_label("Your Comment")).to_have_value(LATER[0])
        expect(form.locator(".alert")).to_be_in_viewport()
        assert not Comment.objects.filter(user_name="Day Lark").exists()
        page.goto(article.get_absolute_url())
        expect(page.locator("#comments")).not_to_contain_text("Day Lark")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_trusted_commenter_is_not_held_as_a_flood(
    browser, live_server, article, width, javascript
):
    context, page = reader_page(browser, live_server, width, javascript=javascript)
    try:
        page.goto(article.get_absolute_url())
        send(page, "Regular Reader", FIRST, javascript=javascript)
        expect(page.locator(".comment").filter(has_text="long overdue")).to_be_visible()
        services.trust_commenter(commenter=Commenter.objects.get(), moderator=moderator())
        for text in LATER:
            page.goto(article.get_absolute_url())
            send(page, "Regular Reader", text, javascript=javascript)
            # Published, and said so next to the comment, with JavaScript or after the redirect.
            item = page.locator(".comment").filter(has_text=text)
            expect(item).to_contain_text("Thank you. Your comment is published.")
        page.goto(article.get_absolute_url())
        for text in [FIRST, *LATER]:
            expect(page.locator(".comment").filter(has_text=text)).to_be_visible()
        assert not Comment.objects.exclude(status=Comment.Status.PUBLISHED).exists()
    finally:
        context.close()
