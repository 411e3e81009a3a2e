"""Two hundred readers post at once: every comment is stored, none twice."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from articles.models import Article
from comments.models import Comment
from tests.comments.conftest import timestamp_for

COUNT = 200


@pytest.mark.django_db(transaction=True)
def test_two_hundred_concurrent_comments_are_all_stored_once(make_article):
    article = make_article(headline="SCO summit in Beijing", body="<p>The SCO summit on trade.</p>")
    article = Article.objects.get(pk=article.pk)
    token = timestamp_for(article)

    def post(n: int) -> int:
        try:
            client = Client(REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1")
            response = client.post(
                f"/comments/post/{article.pk}/",
                {
                    "user_name": f"Reader {n}",
                    "text": f"My view number {n} on the SCO summit and trade.",
                    "website": "",
                    "timestamp": token,
                },
            )
            return response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(post, range(COUNT)))

    assert statuses == [303] * COUNT
    stored = Comment.objects.filter(article=article)
    assert stored.count() == COUNT
    assert stored.values("user_name").distinct().count() == COUNT
    assert sorted(int(name.split()[1]) for name in stored.values_list("user_name", flat=True)) == (
        list(range(COUNT))
    )
