"""Comments in a real browser: posting with and without JavaScript, screening, and a
moderator approving a held comment in the admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment, ModerationDecision

pytestmark = pytest.mark.browser

ON_TOPIC = "Night buses to the suburbs are long overdue; the council should hire the drivers soon."


@pytest.fixture(autouse=True)
def _no_minimum_typing_time(settings):
    settings.COMMENT_MIN_SECONDS = 0


@pytest.fixture(autouse=True)
def _form_mechanics(request):
    # Every test here but the one about screening is about the form, not the model's verdict.
    if "screening" not in request.keywords:
        request.getfixturevalue("screening_without_the_model")


def fill_comment(page, name: str, text: str):
    page.get_by_label("User Name").fill(name)
    page.get_by_label("Your Comment").fill(text)


def test_reader_posts_a_comment_and_sees_it_without_a_page_load(page, page_errors, article):
    page.goto(article.get_absolute_url())
    expect(page.locator("#comments")).to_contain_text("No comments yet")
    page.evaluate("window.__samePage = true")
    fill_comment(page, "Commuter Kim", ON_TOPIC)
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("[data-comment-status]")).to_have_text(
        "Thank you. Your comment is published."
    )
    item = page.locator(".comment").filter(has_text="Commuter Kim")
    expect(item).to_contain_text("long overdue")
    assert page.evaluate("window.__samePage") is True
    expect(page.locator(".comment-count-link")).to_have_text("1 comment")
    expect(page.get_by_label("Your Comment")).to_have_value("")
    # The name is remembered for the next comment, and the comment is really stored.
    page.reload()
    expect(page.get_by_label("User Name")).to_have_value("Commuter Kim")
    expect(page.locator(".comment")).to_contain_text(["long overdue"])
    assert page_errors.all() == []


@pytest.mark.screening
def test_abusive_comment_is_nudged_then_refused_with_the_text_kept(page, page_errors, article):
    page.goto(article.get_absolute_url())
    abuse = "You are all idiots and morons, shut up."
    fill_comment(page, "Troll", abuse)
    page.get_by_role("button", name="Post comment").click()
    notice = page.locator("#comment-form [data-comment-notice]")
    expect(notice).to_contain_text("This comment may break our rules: it reads as a personal")
    expect(notice).to_be_focused()
    expect(page.get_by_label("Your Comment")).to_have_value(abuse)
    assert Comment.objects.count() == 0
    # Sent again as it is: recorded for a moderator, and the reader is told so.
    page.get_by_role("button", name="Post comment").click()
    expect(notice).to_contain_text("Your comment was not published: it reads as a personal")
    expect(page.locator("[data-comment-status]")).to_contain_text("a moderator may restore it")
    expect(page.get_by_label("Your Comment")).to_have_value(abuse)
    assert Comment.objects.get().status == Comment.Status.REMOVED
    page.reload()
    expect(page.locator("#comments")).not_to_contain_text("idiots")
    assert page_errors.all() == []


def test_without_javascript_the_form_posts_and_redirects(no_js_context, article):
    page = no_js_context.new_page()
    page.goto(article.get_absolute_url())
    fill_comment(page, "Plain Reader", ON_TOPIC)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"#c\d+$"))
    mine = page.locator(".comment").filter(has_text="Plain Reader")
    expect(mine.locator(".comment-notice")).to_have_text("Thank you. Your comment is published.")
    expect(mine).to_contain_text("long overdue")


def test_form_errors_keep_the_text_with_javascript(page, article):
    page.goto(article.get_absolute_url())
    fill_comment(page, "A", ON_TOPIC)
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-form")).to_contain_text("at least 2 characters")
    expect(page.get_by_label("Your Comment")).to_have_value(ON_TOPIC)
    page.get_by_label("User Name").fill("Second Try")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment").filter(has_text="Second Try")).to_be_visible()


def test_form_errors_without_javascript_show_the_form_with_the_text(no_js_context, article):
    page = no_js_context.new_page()
    page.goto(article.get_absolute_url())
    fill_comment(page, "A", ON_TOPIC)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"#comment-outcome$"))
    expect(page.locator("#comment-form")).to_contain_text("at least 2 characters")
    expect(page.locator("#comment-form .invalid-feedback")).to_be_in_viewport()
    expect(page.get_by_label("Your Comment")).to_have_value(ON_TOPIC)
    page.get_by_label("User Name").fill("Second Try")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"#c\d+$"))
    expect(page.locator(".comment").filter(has_text="Second Try")).to_be_visible()


def test_the_page_of_a_form_with_errors_is_accessible(page, article):
    from tests.browser.test_accessibility import assert_accessible

    page.goto(article.get_absolute_url())
    fill_comment(page, "A", ON_TOPIC)
    # form.submit() skips the script's handler: the plain POST a browser without JS makes.
    with page.expect_navigation():
        page.evaluate(
            "HTMLFormElement.prototype.submit.call(document.getElementById('comment-form'))"
        )
    expect(page.locator("#comment-form")).to_contain_text("at least 2 characters")
    assert_accessible(page)


def test_moderator_approves_a_held_comment_and_it_appears(page, context, article):
    Article.objects.filter(pk=article.pk).update(comment_mode="premoderated")
    page.goto(article.get_absolute_url())
    fill_comment(page, "Careful Reader", ON_TOPIC)
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("[data-comment-status]")).to_have_text(
        "Thank you. A moderator will read your comment before it appears."
    )
    page.reload()
    expect(page.locator("#comments")).not_to_contain_text("long overdue")

    get_user_model().objects.create_superuser("editor1", "e@example.com", "a-long-passphrase")
    moderator = context.new_page()
    moderator.goto("/admin/login/?next=/admin/comments/moderationqueue/")
    moderator.get_by_label("Username").fill("editor1")
    moderator.get_by_label("Password").fill("a-long-passphrase")
    moderator.get_by_role("button", name="Log in").click()
    row = moderator.locator("#result_list tbody tr").filter(has_text="long overdue")
    expect(row).to_be_visible()
    expect(row).to_have_class(re.compile("queue-current"))
    moderator.keyboard.press("a")  # the queue's shortcut for Approve
    expect(moderator.locator(".messagelist")).to_contain_text("Approve: comment by Careful Reader")

    page.reload()
    expect(page.locator(".comment").filter(has_text="Careful Reader")).to_contain_text(
        "long overdue"
    )
    decision = ModerationDecision.objects.get()
    assert decision.moderator.username == "editor1" and decision.action == "approve"
