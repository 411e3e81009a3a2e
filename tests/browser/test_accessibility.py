"""axe-core on every kind of reader page, including forms showing their errors."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from comments.models import Comment
from tests.browser.test_article_page import axe_report

pytestmark = pytest.mark.browser


def assert_accessible(page):
    violations = Axe().run(page).response["violations"]
    assert not violations, f"axe-core found on {page.url}:\n{axe_report(violations)}"


@pytest.mark.parametrize(
    "path",
    ["/send-your-stories/", "/newsletter/", "/newsletter/archive/", "/feeds/", "/no-such-page/"],
)
def test_reader_pages_have_no_accessibility_violations(page, article, path):
    page.goto(path)
    assert_accessible(page)


def test_topic_page(page, article):
    page.goto(article.topics.get().get_absolute_url())
    assert_accessible(page)


def test_article_with_comments_a_reply_and_a_form_with_errors(page, article, settings):
    settings.COMMENT_MIN_SECONDS = 0
    early = Comment.objects.create(
        article=article,
        user_name="Early Reader",
        text="Good news for night workers.",
        status=Comment.Status.PUBLISHED,
        content_hash="x",
    )
    Comment.objects.create(
        article=article,
        parent=early,
        user_name="Night Nurse",
        text="It is: my shift ends at two.",
        status=Comment.Status.PUBLISHED,
        content_hash="y",
    )
    page.goto(article.get_absolute_url())
    assert page.get_by_role("list", name="Replies to Early Reader").is_visible()
    page.get_by_label("User Name").fill("A")
    page.get_by_label("Your Comment").fill("Night buses to the suburbs are welcome news.")
    page.get_by_role("button", name="Post comment").click()
    page.locator("#comment-form .invalid-feedback, #comment-form .is-invalid").first.wait_for()
    assert_accessible(page)


def test_story_tip_form_with_errors(page, article):
    page.goto("/send-your-stories/")
    # Let the server answer, as it does for a browser without form validation.
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.get_by_role("button", name="Send your story").click()
    assert page.locator(".invalid-feedback").first.is_visible()
    assert_accessible(page)
