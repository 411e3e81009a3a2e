"""Forms on pages a shared cache keeps, in Chromium: no CSRF token in the page, yet the
comment form, the text size and reporting all work from the site's own page (the browser's
Sec-Fetch-Site and Origin vouch for them); each copy of the form gets its own nonce."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment, Flag

pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("screening_without_the_model")
@pytest.mark.parametrize("width", [1280, 390])
def test_two_tabs_of_one_page_post_two_comments_without_a_token(
    context, page, page_errors, article, settings, width
):
    settings.COMMENT_MIN_SECONDS = 0
    other = context.new_page()
    nonces = []
    for tab in (page, other):
        tab.set_viewport_size({"width": width, "height": 900})
        tab.goto(article.get_absolute_url())
        assert tab.locator('[name="csrfmiddlewaretoken"]').count() == 0
        nonce = tab.locator('[name="reader_nonce"]').input_value()
        assert re.fullmatch(r"[0-9a-f-]{32,36}", nonce)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    texts = [
        "Night buses to the suburbs are long overdue; the council should hire drivers.",
        "The council could also run the night buses on weekends for the suburbs.",
    ]
    for tab, text in zip((page, other), texts, strict=True):
        tab.get_by_label("User Name").fill("Commuter Kim")
        tab.get_by_label("Your Comment").fill(text)
        tab.get_by_role("button", name="Post comment").click()
        expect(tab.locator("[data-comment-status]")).to_have_text(
            "Thank you. Your comment is published."
        )
    assert sorted(Comment.objects.values_list("text", flat=True)) == sorted(texts)
    other.close()
    assert page_errors.all() == []


def test_text_size_and_a_report_without_javascript_need_no_token(no_js_context, article):
    comment = Comment.objects.create(
        article=article,
        user_name="Reader",
        text="Buy cheap watches at my shop",
        html="<p>Buy cheap watches at my shop</p>",
        status=Comment.Status.PUBLISHED,
    )
    page = no_js_context.new_page()
    page.goto(article.get_absolute_url())
    page.get_by_role("button", name="Larger text").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bfs-l\b"))
    page.locator(f"#c{comment.pk} [data-report-link]").click()
    page.get_by_label("Spam or advertising").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(f"#c{comment.pk} .comment-notice")).to_contain_text("Thank you")
    assert Flag.objects.filter(comment=comment).exists()
    page.close()
