"""The comments on the article page: count, order, pagination, and a fixed query count."""

import datetime

import pytest
from django.utils import timezone

from comments.models import Comment
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


def bulk_comments(article, count, *, status=Comment.Status.PUBLISHED, replies=0):
    """`count` comments, the last `replies` of them replies spread over the others."""
    start = timezone.now() - datetime.timedelta(days=1)
    tops = Comment.objects.bulk_create(
        Comment(
            article=article,
            user_name=f"Reader {i}",
            text=f"Comment number {i}",
            html=f"<p>Comment number {i}</p>",
            status=status,
            content_hash=str(i),
            created=start + datetime.timedelta(seconds=i),
        )
        for i in range(count - replies)
    )
    Comment.objects.bulk_create(
        Comment(
            article=article,
            parent=tops[i % len(tops)],
            user_name=f"Replier {i}",
            text=f"Reply number {i}",
            html=f"<p>Reply number {i}</p>",
            status=status,
            content_hash=f"r{i}",
            created=start + datetime.timedelta(hours=3, seconds=i),
        )
        for i in range(replies)
    )


def test_no_comments_says_so(client):
    html = client.get(SEED_URL).content.decode()
    assert '<h2 class="h4" id="comments-heading"><span data-comment-count>No comments yet<' in html
    count_link = '<a class="comment-count-link" href="#comments"><span data-comment-count>'
    assert count_link + "No comments yet</span></a>" in html
    assert "Comment(s)" not in html
    assert "Go to Forum" in html and 'href="#comments"' in html
    assert "Racist, abusive and off-topic comments may be removed by the moderator." in html
    assert 'for="id_user_name"' in html and "User Name" in html
    assert "Your Comment" in html


def test_published_comments_oldest_first_with_name_and_time(client, make_comment):
    now = timezone.now()
    make_comment(user_name="Second", text="later", created=now)
    make_comment(user_name="First", text="earlier", created=now - datetime.timedelta(hours=1))
    make_comment(user_name="Hidden", text="held one", status=Comment.Status.HELD)
    make_comment(user_name="Gone", text="removed one", status=Comment.Status.REMOVED)
    html = client.get(SEED_URL).content.decode()
    assert html.index(">First</strong>") < html.index(">Second</strong>")
    assert "Hidden" not in html and "Gone" not in html
    count_link = '<a class="comment-count-link" href="#comments"><span data-comment-count>'
    assert count_link + "2 comments</span></a>" in html
    assert "<time datetime=" in html.split(">First</strong>", 1)[1][:300]


def test_comments_are_paginated(client, seed_article, settings):
    settings.COMMENTS_PER_PAGE = 10
    bulk_comments(seed_article, 25)
    first = client.get(SEED_URL).content.decode()
    assert "Comment number 0<" in first and "Comment number 10<" not in first
    assert "Page 1 of 3" in first
    last = client.get(SEED_URL + "?cpage=3").content.decode()
    assert "Comment number 24<" in last and "Comment number 19<" not in last
    assert client.get(SEED_URL + "?cpage=zzz").status_code == 200


@pytest.mark.parametrize("order", ["", "&order=newest"])
@pytest.mark.parametrize(
    ("count", "replies", "words"),
    [
        (0, 0, "No comments yet"),
        (1, 0, "1 comment"),
        (50, 20, "50 comments"),
        (10_000, 0, "10,000 comments"),
        (10_000, 6_000, "10,000 comments"),
    ],
)
def test_article_page_query_count_does_not_depend_on_comments(
    client, seed_article, django_assert_num_queries, count, replies, words, order
):
    bulk_comments(seed_article, count, replies=replies)
    # article+source, topics, comment count (replies too), one page of comments with replies
    with django_assert_num_queries(4):
        response = client.get(SEED_URL + "?cpage=2" + order)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<span data-comment-count>{words}</span>" in html
    assert html.count(f"<span data-comment-count>{words}</span>") == 3
    # A fresh render of the same page again (another reader, a shared cache's miss): the
    # article, the counts and the comments' HTML all come from the cache.
    with django_assert_num_queries(0):
        again = client.get(SEED_URL + "?cpage=2" + order)
    assert again.content.decode() == html.replace(*_tokens(html, again.content.decode()))


def _tokens(first: str, second: str) -> tuple[str, str]:
    """The form token of each page (made at render time: the one part that differs)."""
    from tests.comments.conftest import hidden_value

    return hidden_value(first, "timestamp"), hidden_value(second, "timestamp")


def test_long_words_wrap_and_cannot_break_the_layout(client, make_comment):
    make_comment(text="A" * 2000)
    html = client.get(SEED_URL).content.decode()
    assert '<div class="comment-text"><p>' + "A" * 2000 in html
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/site.css")).read()  # noqa: SIM115
    assert ".comment-text { overflow-wrap: anywhere;" in css


def test_newest_first_on_request_and_pages_keep_the_order(client, seed_article, settings):
    settings.COMMENTS_PER_PAGE = 10
    bulk_comments(seed_article, 25)
    oldest = client.get(SEED_URL).content.decode()
    assert oldest.index("Comment number 0<") < oldest.index("Comment number 9<")
    assert 'href="?order=newest#comments">Newest first' in oldest
    assert 'aria-current="true">Oldest first' in oldest
    newest = client.get(SEED_URL + "?order=newest").content.decode()
    assert newest.index("Comment number 24<") < newest.index("Comment number 15<")
    assert "Comment number 14<" not in newest
    assert 'aria-current="true">Newest first' in newest
    assert 'href="?cpage=2&amp;order=newest#comments" rel="next">Older comments' in newest
    last = client.get(SEED_URL + "?cpage=3&order=newest").content.decode()
    assert "Comment number 4<" in last and "Comment number 0<" in last
    assert "Comment number 5<" not in last
    # Any other order is the default.
    assert "Comment number 0<" in client.get(SEED_URL + "?order=bogus").content.decode()


def test_each_order_is_rendered_apart_whatever_else_the_query_holds(client, seed_article):
    bulk_comments(seed_article, 3)
    client.get(SEED_URL)  # fills the fragment cache of the first order
    oldest = client.get(SEED_URL + "?utm_source=x").content.decode()
    newest = client.get(SEED_URL + "?order=newest&utm_source=x").content.decode()
    bogus = client.get(SEED_URL + "?order=sideways").content.decode()
    assert oldest.index("Comment number 0<") < oldest.index("Comment number 2<")
    assert newest.index("Comment number 2<") < newest.index("Comment number 0<")
    assert bogus.index("Comment number 0<") < bogus.index("Comment number 2<")


def test_the_rules_come_before_the_form(client):
    html = client.get(SEED_URL).content.decode()
    rules = html.index("Racist, abusive and off-topic comments may be removed")
    assert rules < html.index('id="comment-form"')


def test_times_are_exact_utc_for_readers_without_javascript(client, make_comment):
    import datetime as dt

    make_comment(created=dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.UTC))
    html = client.get(SEED_URL).content.decode()
    assert (
        '<time datetime="2026-03-04T05:06:00+00:00" data-relative>Mar 4, 2026, 05:06 UTC</time>'
        in html
    )
