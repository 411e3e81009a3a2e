"""A form token sends one comment: the page's script takes the next one from the answer."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("screening_without_the_model")
def test_reader_posts_two_comments_without_reloading(page, page_errors, article, settings):
    settings.COMMENT_MIN_SECONDS = 0
    page.goto(article.get_absolute_url())
    page.evaluate("window.__samePage = true")
    page.get_by_label("User Name").fill("Commuter Kim")
    texts = [
        "Night buses to the suburbs are long overdue; the council should hire drivers.",
        "The council could also run the night buses on weekends for the suburbs.",
    ]
    for text in texts:
        page.get_by_label("Your Comment").fill(text)
        page.get_by_role("button", name="Post comment").click()
        expect(page.locator("[data-comment-status]")).to_have_text(
            "Thank you. Your comment is published."
        )
        expect(page.get_by_label("Your Comment")).to_have_value("")
    assert page.evaluate("window.__samePage") is True
    assert sorted(Comment.objects.values_list("text", flat=True)) == sorted(texts)
    assert page_errors.all() == []
