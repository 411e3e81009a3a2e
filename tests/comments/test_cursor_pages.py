"""Comment pages by cursor (?from=, ?before=): the links a reader follows through an
article's comments in either order, what each page shows, its bounds, and bad cursors."""

import datetime
import re

import pytest
from django.utils import timezone

from comments import services
from comments.models import Comment
from tests.comments.test_article_comments import bulk_comments
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db

PER_PAGE = 2
COUNT = 21  # 11 pages: 1-3 and 9-11 by number, 4-8 by cursor only


@pytest.fixture
def comments(seed_article, settings):
    settings.COMMENTS_PER_PAGE = PER_PAGE
    bulk_comments(seed_article, COUNT)
    return list(seed_article.comments.order_by("created", "id"))


def shown(html: str) -> list[str]:
    """The texts of the top-level comments the page shows, in its order."""
    return re.findall(r"<p>(Comment number \d+)</p>", html)


def nav(html: str) -> str:
    return re.search(r'<nav aria-label="Comment pages">.*?</nav>', html, re.S).group(0)


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a class="page-link" href="([^"]+)" rel="{rel}">', nav(html))
    return found.group(1).replace("&amp;", "&") if found else None


def get(client, href: str) -> str:
    url = href if href.startswith("/") else SEED_URL + href
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def numbers(texts) -> list[int]:
    return [int(text.rsplit(" ", 1)[1]) for text in texts]


@pytest.mark.parametrize("newest", [False, True])
def test_next_links_walk_every_comment_once_in_order_and_back(client, comments, newest):
    order = list(range(COUNT))[::-1] if newest else list(range(COUNT))
    html = get(client, "?order=newest" if newest else "")
    seen, hrefs = [], []
    while True:
        seen += numbers(shown(html))
        href = link(html, "next")
        if href is None:
            break
        hrefs.append(href)
        html = get(client, href)
    assert seen == order
    # The middle pages are reached by cursor, never by a number deep in the comments.
    # (a page reached by cursor does not know its number: its next link is a cursor too).
    assert [h.split("=", 1)[0] for h in hrefs] == ["?cpage"] * 2 + ["?from"] * 8
    # And back, by the earlier links, from the last page to the first.
    back = []
    while True:
        back = numbers(shown(html)) + back
        href = link(html, "prev")
        if href is None:
            break
        html = get(client, href)
    assert back == order


@pytest.mark.parametrize("newest", [False, True])
def test_a_page_from_a_comment_starts_with_it(client, comments, newest):
    head = comments[10]
    query = f"?from={head.pk}" + ("&order=newest" if newest else "")
    html = get(client, query)
    assert numbers(shown(html)) == ([10, 9] if newest else [10, 11])
    before = get(client, f"?before={head.pk}" + ("&order=newest" if newest else ""))
    assert numbers(shown(before)) == ([12, 11] if newest else [8, 9])
    # The before page's next link is the page from the comment again.
    assert link(before, "next") == query + "#comments"


def test_a_cursor_page_is_marked_current_between_the_numbered_pages(client, comments):
    html = get(client, f"?from={comments[10].pk}")
    found = nav(html)
    assert 'aria-current="page">From ' in found
    assert found.count('aria-current="page"') == 1
    for page in (1, 2, 3, 9, 10, 11):
        assert f'aria-label="Page {page}">{page}</a>' in found
    assert "Page 4" not in found and "Page 8" not in found
    assert f'href="{SEED_URL}#comments" aria-label="Page 1"' in found
    # A numbered page says which it is.
    first = nav(get(client, ""))
    assert 'aria-current="page" aria-label="Page 1">1</span>' in first


def test_a_page_before_the_first_comments_is_a_short_first_page(client, comments):
    html = get(client, f"?before={comments[1].pk}")
    assert numbers(shown(html)) == [0]
    assert link(html, "prev") is None
    assert link(html, "next") == f"?from={comments[1].pk}#comments"


def test_the_last_page_by_cursor_has_no_next_link(client, comments):
    html = get(client, f"?from={comments[-2].pk}")
    assert numbers(shown(html)) == [19, 20]
    assert link(html, "next") is None


@pytest.mark.parametrize(
    "query",
    [
        "?from=abc",
        "?from=-3",
        "?from=1e3",
        "?before=",
        "?from=99999999",
        "?from=²",
        "?from=" + "9" * 40,
    ],
)
def test_a_bad_cursor_shows_the_first_page(client, comments, query):
    assert numbers(shown(get(client, query))) == [0, 1]


def test_a_cursor_that_is_not_a_top_level_comment_of_the_article_shows_the_first_page(
    client, comments, make_comment, make_article
):
    reply = make_comment(parent=comments[12])
    other = make_comment(article=make_article(), created=comments[12].created)
    for cursor in (reply, other):
        assert numbers(shown(get(client, f"?from={cursor.pk}"))) == [0, 1]


def test_a_cursor_on_a_comment_no_longer_shown_keeps_its_place(client, comments):
    gone = comments[10]
    Comment.objects.filter(pk=gone.pk).update(status=Comment.Status.REMOVED)
    assert numbers(shown(get(client, f"?from={gone.pk}"))) == [11, 12]
    assert numbers(shown(get(client, f"?before={gone.pk}"))) == [8, 9]


def test_nothing_after_the_cursor_shows_the_last_page(client, comments, make_comment):
    held = make_comment(status=Comment.Status.HELD, created=timezone.now())
    assert numbers(shown(get(client, f"?from={held.pk}"))) == [20]
    assert numbers(shown(get(client, f"?before={comments[0].pk}"))) == [0, 1]


def test_comments_created_at_the_same_moment_are_ordered_by_id(client, seed_article, settings):
    settings.COMMENTS_PER_PAGE = PER_PAGE
    moment = timezone.now() - datetime.timedelta(hours=1)
    same = [
        Comment.objects.create(
            article=seed_article,
            user_name="Same",
            text=f"Comment number {n}",
            status=Comment.Status.PUBLISHED,
            created=moment,
        )
        for n in range(5)
    ]
    assert numbers(shown(get(client, f"?from={same[2].pk}"))) == [2, 3]
    assert numbers(shown(get(client, f"?before={same[2].pk}"))) == [0, 1]
    assert numbers(shown(get(client, f"?from={same[2].pk}&order=newest"))) == [2, 1]


@pytest.mark.parametrize("order", ["", "&order=newest"])
def test_a_cursor_page_makes_the_queries_of_a_numbered_one_and_is_cached(
    client, comments, django_assert_num_queries, order
):
    url = f"{SEED_URL}?from={comments[10].pk}{order}"
    # article+source, topics, the counts, one page of comments with their replies
    with django_assert_num_queries(4):
        html = client.get(url).content.decode()
    with django_assert_num_queries(0):
        again = client.get(url).content.decode()
    assert shown(again) == shown(html)
    # Another cursor is another page, not the cached one.
    assert shown(get(client, f"?from={comments[14].pk}{order}")) != shown(html)


def test_a_removal_shows_at_once_on_a_cached_cursor_page(
    client, comments, moderator, django_capture_on_commit_callbacks
):
    url = f"?from={comments[18].pk}"
    assert numbers(shown(get(client, url))) == [18, 19]
    with django_capture_on_commit_callbacks(execute=True):
        services.remove(comment=comments[19], moderator=moderator, reason="spam")
    html = get(client, url)
    assert numbers(shown(html)) == [18, 20]
    assert link(html, "next") is None


def test_the_form_sends_the_reader_back_to_the_cursor_page(client, comments):
    html = get(client, f"?from={comments[10].pk}&order=newest&utm_source=x")
    action = re.search(r'action="([^"]+)" id="comment-form"', html)
    assert action.group(1).endswith(f"?from={comments[10].pk}&amp;order=newest")


def test_a_comments_own_link_opens_the_page_that_starts_with_it(client, comments, make_comment):
    reply = make_comment(parent=comments[10], created=timezone.now())
    for comment, first in ((comments[10], 10), (reply, 10)):
        html = get(client, comment.get_absolute_url().removeprefix(SEED_URL).split("#")[0])
        assert numbers(shown(html))[0] == first
        assert f'id="c{comment.pk}"' in html
