"""Home and topic pages list published articles, newest first."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Topic

pytestmark = pytest.mark.django_db


def test_home_lists_latest_published_articles_newest_first(client, make_article):
    now = timezone.now()
    older = make_article(headline="Older story", published_at=now - datetime.timedelta(days=2))
    newer = make_article(headline="Newer story", published_at=now - datetime.timedelta(hours=1))
    html = client.get("/").content.decode()
    assert html.index(newer.headline) < html.index(older.headline)
    assert html.index(older.headline) < html.index("China-Russia ties at all-time high")
    assert f'href="{newer.get_absolute_url()}"' in html


def test_home_is_paginated(client, make_article):
    for _ in range(25):
        make_article()
    first = client.get("/").content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/?page=2").content.decode()
    assert "China-Russia ties at all-time high" in second
    assert client.get("/?page=abc").status_code == 200  # falls back to page 1


def test_home_and_topic_pages_page_by_the_one_setting(client, settings, make_article, make_topic):
    settings.ARTICLES_PER_PAGE = 2
    topic = make_topic()
    for _ in range(4):
        make_article(topics=[topic])
    assert "Page 1 of 3" in client.get("/").content.decode()  # with the seed article
    assert "Page 1 of 2" in client.get(topic.get_absolute_url()).content.decode()


def test_topic_page_lists_its_articles_only(client, make_article, make_topic):
    topic = make_topic("Energy")
    mine = make_article(headline="Pipeline deal signed", topics=[topic])
    other = make_article(headline="Unrelated story")
    response = client.get(topic.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Energy</h1>" in html
    assert mine.headline in html and other.headline not in html


def test_seed_topics_have_pages_with_their_feeds(client):
    response = client.get(Topic.objects.get(slug="sco").get_absolute_url())
    html = response.content.decode()
    assert "China-Russia ties at all-time high" in html
    assert (
        'type="application/rss+xml" title="Dispatch: SCO (RSS)" href="/topics/sco/feeds/rss/"'
        in html
    )


def test_unknown_topic_is_404(client):
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_home_query_count_does_not_grow_with_articles(
    client, make_article, django_assert_num_queries
):
    for _ in range(15):
        make_article()
    with django_assert_num_queries(2):  # count for the paginator, then the page of articles
        client.get("/")
