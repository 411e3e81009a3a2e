"""A Redis outage, for real (a private redis-server stopped mid-test): pages, commenting and
moderation keep working, and /healthz says the cache is down until it is back."""

import pytest
from django.db import DatabaseError
from django.test import Client

from comments.models import Comment, ModerationDecision
from portal import ratelimit
from tests.comments.conftest import post_comment
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_redis(private_redis, settings):
    if private_redis.process is None:
        private_redis.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    ratelimit._fallback.clear()
    yield private_redis
    ratelimit._fallback.clear()


def test_pages_comments_and_moderation_survive_a_redis_outage(
    shared_redis, seed_article, admin_client, django_capture_on_commit_callbacks
):
    assert Client().get(SEED_URL).status_code == 200
    assert shared_redis.keys("*fragments:comments:*")  # the comment list went into Redis
    assert Client().get("/healthz").status_code == 200

    shared_redis.stop()
    assert Client().get(SEED_URL).status_code == 200
    assert Client().get("/").status_code == 200
    for feed in ("/feeds/rss/", "/feeds/atom/", f"{SEED_URL}comments/feed/"):
        assert Client().get(feed).status_code == 200
    assert Client(headers={"Accept": "text/html"}).get("/feeds/rss/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        posted = post_comment(
            Client(),
            seed_article,
            user_name="Outage Reader",
            text="Lavrov and Putin keep the SCO at the centre of ties with Beijing.",
        )
    assert posted.status_code == 303
    comment = Comment.objects.get(user_name="Outage Reader")
    with django_capture_on_commit_callbacks(execute=True):
        moderated = admin_client.post(
            f"/admin/comments/comment/{comment.pk}/moderate/", {"moderate": "remove_spam"}
        )
    assert moderated.status_code == 302
    assert ModerationDecision.objects.get(comment=comment).action == "remove_spam"
    health = Client().get("/healthz")
    assert health.status_code == 503
    assert health.json()["down"] == ["cache"]

    shared_redis.start()
    assert Client().get("/healthz").status_code == 200
    assert "Outage Reader" not in Client().get(SEED_URL).content.decode()


def test_healthz_names_a_database_that_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    # The task queue lives in the database too.
    assert response.json()["down"] == ["database", "tasks"]
