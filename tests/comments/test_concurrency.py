"""Two hundred posts at once, each racing its own retry: every comment is stored, none twice."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from articles.models import Article
from comments.models import Comment
from tests.comments.conftest import timestamp_for

READERS = 100  # each sends the same comment twice at the same moment: 200 posts


@pytest.mark.django_db(transaction=True)
def test_two_hundred_concurrent_comments_are_all_stored_once(make_article):
    article = make_article(headline="SCO summit in Beijing", body="<p>The SCO summit on trade.</p>")
    article = Article.objects.get(pk=article.pk)
    # Even readers double-click: one form token, sent twice. Odd readers send the same name
    # and text from two forms (two tabs, two addresses).
    tokens = {}
    for n in range(READERS):
        first = timestamp_for(article)
        tokens[n] = (first, first) if n % 2 == 0 else (first, timestamp_for(article))
    barriers = {n: threading.Barrier(2, timeout=30) for n in range(READERS)}

    def post(job: tuple[int, int]) -> int:
        n, attempt = job
        try:
            address = f"10.{n // 250}.{n % 250}.{1 + (attempt if n % 2 else 0)}"
            client = Client(REMOTE_ADDR=address)
            data = {
                "user_name": f"Reader {n}",
                "text": f"My view number {n} on the SCO summit and trade.",
                "website": "",
                "timestamp": tokens[n][attempt],
            }
            barriers[n].wait()
            return client.post(f"/comments/post/{article.pk}/", data).status_code
        finally:
            connections.close_all()

    jobs = [(n, attempt) for n in range(READERS) for attempt in (0, 1)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(post, jobs))

    assert statuses == [303] * len(jobs)
    stored = Comment.objects.filter(article=article)
    names = sorted(int(name.split()[1]) for name in stored.values_list("user_name", flat=True))
    assert names == list(range(READERS))  # every reader once: none lost, none twice
