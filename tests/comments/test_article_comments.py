"""The comments on the article page: count, order, pagination, and a fixed query count."""

import datetime

import pytest
from django.utils import timezone

from comments.models import Comment
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


def bulk_comments(article, count, *, status=Comment.Status.PUBLISHED):
    start = timezone.now() - datetime.timedelta(days=1)
    Comment.objects.bulk_create(
        Comment(
            article=article,
            user_name=f"Reader {i}",
            text=f"Comment number {i}",
            html=f"<p>Comment number {i}</p>",
            status=status,
            content_hash=str(i),
            created=start + datetime.timedelta(seconds=i),
        )
        for i in range(count)
    )


def test_no_comments_says_so(client):
    html = client.get(SEED_URL).content.decode()
    assert "No comments." in html
    count_link = '<a class="comment-count-link" href="#comments"><span data-comment-count>'
    assert count_link + "0</span> Comment(s)</a>" in html
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
    assert count_link + "2</span> Comment(s)</a>" in html
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


@pytest.mark.parametrize("count", [0, 50, 10_000])
def test_article_page_query_count_does_not_depend_on_comments(
    client, seed_article, django_assert_num_queries, count
):
    bulk_comments(seed_article, count)
    # article+source, topics, comment count, one page of comments
    with django_assert_num_queries(4):
        response = client.get(SEED_URL + "?cpage=2")
    assert response.status_code == 200
    assert f">{count}</span> Comment(s)" in response.content.decode()


def test_long_words_wrap_and_cannot_break_the_layout(client, make_comment):
    make_comment(text="A" * 2000)
    html = client.get(SEED_URL).content.decode()
    assert '<div class="comment-text"><p>' + "A" * 2000 in html
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/site.css")).read()  # noqa: SIM115
    assert ".comment-text { overflow-wrap: anywhere;" in css
