"""Sessions with Redis (portal/sessions.py, the engine when REDIS_URL is set), on a private
redis-server: read from the cache, kept in the database, and no failure when Redis is down."""

import pytest
import redis
from django.contrib.sessions.models import Session
from django.test import Client

from portal import sessions
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_sessions(private_redis, settings):
    if private_redis.process is None:
        private_redis.start()
    redis.Redis.from_url(private_redis.url).flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.SESSION_ENGINE = "portal.sessions"
    return private_redis


def test_a_signed_in_editor_reads_an_article_without_a_query(
    redis_sessions, admin_user, seed_article, django_assert_num_queries
):
    editor = Client()
    editor.force_login(admin_user)
    assert editor.get(SEED_URL).status_code == 200  # the page's fragments are now cached
    with django_assert_num_queries(0):
        response = editor.get(SEED_URL)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_the_database_keeps_the_session_and_the_cache_only_a_short_copy(redis_sessions):
    store = sessions.SessionStore()
    store["note"] = "kept"
    store.save()
    assert Session.objects.filter(session_key=store.session_key).exists()
    [key] = redis_sessions.keys("*cached_db*")
    assert 0 < redis.Redis.from_url(redis_sessions.url).ttl(key) <= sessions.CACHED_SECONDS
    redis.Redis.from_url(redis_sessions.url).flushdb()  # e.g. Redis restarted empty
    assert sessions.SessionStore(store.session_key).load() == {"note": "kept"}
    assert redis_sessions.keys("*cached_db*") == [key]  # and cached again


def test_sessions_work_while_redis_is_down(redis_sessions, django_assert_num_queries):
    store = sessions.SessionStore()
    store["note"] = "before"
    store.save()
    redis_sessions.stop()
    with django_assert_num_queries(1):
        assert sessions.SessionStore(store.session_key).load() == {"note": "before"}
    fresh = sessions.SessionStore()
    fresh["note"] = "during"
    fresh.save()  # a new key: checked against the database alone
    assert sessions.SessionStore(fresh.session_key).load() == {"note": "during"}
    store.delete()
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_a_deleted_session_is_gone_from_both(redis_sessions):
    store = sessions.SessionStore()
    store["note"] = "bye"
    store.save()
    key = store.session_key
    store.flush()
    assert redis_sessions.keys("*cached_db*") == []
    assert sessions.SessionStore(key).load() == {}
