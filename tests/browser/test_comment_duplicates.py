"""Sending the same comment twice with the script: the server keeps one, and the page shows
one and counts one."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screening_without_the_model")]

TEXT = "Night buses to the suburbs are long overdue; the council should hire the drivers soon."


@pytest.fixture(autouse=True)
def _no_minimum_typing_time(settings):
    settings.COMMENT_MIN_SECONDS = 0


@pytest.fixture(params=[1280, 390], ids=["1280", "390"])
def reader(request, context, page):
    page.set_viewport_size({"width": request.param, "height": 800})
    return page


def fill(page, text=TEXT):
    page.get_by_label("User Name").fill("Commuter Kim")
    page.get_by_label("Your Comment").fill(text)


def expect_one_comment(page):
    expect(page.locator("[data-comment-status]")).to_have_text(
        "Thank you. Your comment is published."
    )
    expect(page.locator(".comment")).to_have_count(1)
    expect(page.locator(".comment-count-link [data-comment-count]")).to_have_text("1 comment")
    ids = page.evaluate("[...document.querySelectorAll('.comment')].map(li => li.id)")
    assert len(ids) == len(set(ids)) == 1
    assert Comment.objects.count() == 1


def test_two_fast_submits_show_one_comment(reader, page_errors, article):
    reader.goto(article.get_absolute_url())
    fill(reader)
    # Both requests leave before either answer arrives; the test's server (one SQLite
    # connection shared with the test) takes them one after the other, as the database's
    # unique keys make a real one do (tests/comments/test_concurrency.py).
    answers = []

    def one_at_a_time(route):
        response = route.fetch()
        answers.append(response.status)
        route.fulfill(response=response)

    reader.route("**/comments/post/**", one_at_a_time)
    reader.evaluate(
        "() => { const f = document.getElementById('comment-form');"
        " f.requestSubmit(); f.requestSubmit(); }"
    )
    expect_one_comment(reader)
    reader.wait_for_timeout(300)  # let the second answer land too
    reader.unroute_all(behavior="wait")
    # One answer stored the comment (201); the other, whichever the browser got back
    # second, carries that same comment (200). Their order is the network's, not ours.
    assert sorted(answers) == [200, 201]
    expect_one_comment(reader)
    assert page_errors.all() == []


def test_a_double_click_shows_one_comment(reader, page_errors, article):
    reader.goto(article.get_absolute_url())
    fill(reader)
    reader.get_by_role("button", name="Post comment").dblclick()
    expect_one_comment(reader)
    assert page_errors.all() == []


def test_the_same_text_sent_again_shows_one_comment(reader, page_errors, article):
    reader.goto(article.get_absolute_url())
    fill(reader)
    reader.get_by_role("button", name="Post comment").click()
    expect_one_comment(reader)
    fill(reader)  # the same words again, with the form's new token
    with reader.expect_response(lambda r: "/comments/post/" in r.url) as answer:
        reader.get_by_role("button", name="Post comment").click()
    assert answer.value.status == 200  # the server answers with the comment it has
    expect_one_comment(reader)
    assert page_errors.all() == []
