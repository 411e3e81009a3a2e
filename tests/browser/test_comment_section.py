"""The comment section in Chromium at 1280 and 390 px: the count in words, the rules above
the form, the live character counter, relative local times and the order of comments."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment
from tests.browser.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("screening_without_the_model")]

ON_TOPIC = "Night buses to the suburbs are long overdue; the council should hire the drivers soon."


@pytest.fixture(autouse=True)
def _no_minimum_typing_time(settings):
    settings.COMMENT_MIN_SECONDS = 0


@pytest.fixture(params=[1280, 390], ids=["1280", "390"])
def width(request):
    return request.param


@pytest.fixture
def reader(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    return page


def add_comment(article, name, *, minutes_ago):
    return Comment.objects.create(
        article=article,
        user_name=name,
        text=f"{name} on the night buses.",
        html=f"<p>{name} on the night buses.</p>",
        status=Comment.Status.PUBLISHED,
        content_hash=name,
        created=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_the_count_reads_in_words_and_follows_a_new_comment(reader, page_errors, article):
    reader.goto(article.get_absolute_url())
    expect(reader.locator("#comments-heading")).to_have_text("No comments yet")
    expect(reader.locator(".comment-count-link")).to_have_text("No comments yet")
    reader.get_by_label("User Name").fill("Commuter Kim")
    reader.get_by_label("Your Comment").fill(ON_TOPIC)
    reader.get_by_role("button", name="Post comment").click()
    expect(reader.locator("#comments-heading")).to_have_text("1 comment")
    expect(reader.locator(".comment-count-link")).to_have_text("1 comment")
    expect(reader.locator(".go-to-forum")).to_contain_text("1 comment")
    assert page_errors.all() == []


def test_the_rules_are_above_the_form(reader, article):
    reader.goto(article.get_absolute_url())
    rules = reader.locator(".comment-rules").bounding_box()
    name = reader.get_by_label("User Name").bounding_box()
    assert rules["y"] + rules["height"] <= name["y"]


def test_a_live_character_counter_announced_when_the_reader_pauses(reader, article, settings):
    reader.goto(article.get_absolute_url())
    counter = reader.locator(".comment-counter")
    expect(counter).to_have_text(f"{settings.COMMENT_MAX_LENGTH:,} characters left")
    spoken = reader.locator("#comment-form [aria-live='polite']")
    reader.evaluate(
        """() => {
          window.__announced = [];
          const region = document.querySelector("#comment-form [aria-live='polite']");
          new MutationObserver(() => window.__announced.push(region.textContent))
            .observe(region, {childList: true, characterData: true, subtree: true});
        }"""
    )
    field = reader.get_by_label("Your Comment")
    field.press_sequentially("Night buses!")
    expect(counter).to_have_text(f"{settings.COMMENT_MAX_LENGTH - 12:,} characters left")
    expect(spoken).to_have_text(f"{settings.COMMENT_MAX_LENGTH - 12:,} characters left")
    # Said once when the reader paused, not on every keystroke.
    assert reader.evaluate("window.__announced") == [
        f"{settings.COMMENT_MAX_LENGTH - 12:,} characters left"
    ]
    assert counter.get_attribute("aria-hidden") == "true"


def test_times_are_relative_with_the_exact_local_time_on_hover(
    browser, live_server, article, width
):
    add_comment(article, "Early Bird", minutes_ago=5)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 800},
        timezone_id="Asia/Shanghai",
        locale="en-US",
    )
    page = context.new_page()
    page.goto(article.get_absolute_url())
    time = page.locator(".comment time")
    expect(time).to_have_text("5 minutes ago")
    created = Comment.objects.get().created.astimezone(
        datetime.timezone(datetime.timedelta(hours=8))
    )
    title = time.get_attribute("title")
    assert f"{created:%B} {created.day}, {created:%Y}" in title
    assert f"{created.hour % 12 or 12}:{created:%M}" in title  # Shanghai's time, not UTC
    context.close()


def test_times_without_javascript_are_exact_utc(no_js_context, article):
    comment = add_comment(article, "Early Bird", minutes_ago=5)
    page = no_js_context.new_page()
    page.goto(article.get_absolute_url())
    expect(page.locator(".comment time")).to_have_text(
        f"{comment.created:%b} {comment.created.day}, {comment.created:%Y, %H:%M} UTC"
    )


def test_newest_first_and_back(reader, page_errors, article):
    for minutes, name in [(30, "First"), (20, "Second"), (10, "Third")]:
        add_comment(article, name, minutes_ago=minutes)
    reader.goto(article.get_absolute_url())
    authors = reader.locator(".comment-author")
    expect(authors).to_have_text(["First", "Second", "Third"])
    reader.get_by_role("link", name="Newest first").click()
    expect(authors).to_have_text(["Third", "Second", "First"])
    expect(reader.get_by_role("link", name="Newest first")).to_have_attribute(
        "aria-current", "true"
    )
    # A new comment goes on top when reading newest first.
    reader.get_by_label("User Name").fill("Commuter Kim")
    reader.get_by_label("Your Comment").fill(ON_TOPIC)
    reader.get_by_role("button", name="Post comment").click()
    expect(authors).to_have_text(["Commuter Kim", "Third", "Second", "First"])
    reader.get_by_role("link", name="Oldest first").click()
    expect(authors).to_have_text(["First", "Second", "Third", "Commuter Kim"])
    assert_accessible(reader)
    assert page_errors.all() == []


def test_the_section_is_accessible(reader, article):
    add_comment(article, "First", minutes_ago=30)
    add_comment(article, "Second", minutes_ago=3)
    reader.goto(article.get_absolute_url() + "?order=newest")
    reader.get_by_label("Your Comment").fill("Night buses")
    expect(reader.locator(".comment-counter")).to_be_visible()
    assert_accessible(reader)


def test_deep_pages_are_reached_by_links_from_a_comment_and_back(reader, article, settings):
    """Past the first three pages the links carry a cursor (?from=, ?before=): a reader
    goes through every page and back with the same links, and each page is accessible."""
    settings.COMMENTS_PER_PAGE = 2
    start = timezone.now() - datetime.timedelta(hours=2)
    Comment.objects.bulk_create(
        Comment(
            article=article,
            user_name=f"Reader {n}",
            text=f"Comment number {n} on the night buses.",
            html=f"<p>Comment number {n} on the night buses.</p>",
            status=Comment.Status.PUBLISHED,
            content_hash=str(n),
            created=start + datetime.timedelta(minutes=n),
        )
        for n in range(16)  # 8 pages: 4 and 5 only by cursor
    )
    reader.goto(article.get_absolute_url())
    pages = reader.get_by_role("navigation", name="Comment pages")
    for _ in range(4):
        pages.get_by_role("link", name="Later comments").click()
    assert "?from=" in reader.url
    expect(reader.get_by_text("Comment number 8 on the night buses.")).to_be_visible()
    expect(pages.locator('[aria-current="page"]')).to_contain_text("From ")
    expect(pages.get_by_role("link", name="Page 8")).to_be_visible()
    assert_accessible(reader)
    pages.get_by_role("link", name="Earlier comments").click()
    assert "?before=" in reader.url
    expect(reader.get_by_text("Comment number 6 on the night buses.")).to_be_visible()
    expect(reader.get_by_text("Comment number 8 on the night buses.")).to_have_count(0)
