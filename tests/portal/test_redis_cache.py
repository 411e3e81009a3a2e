"""portal/redis_cache.py: Django's Redis cache with one redis-py client per pool, on a private
redis-server; it keeps working across a Redis restart."""

import pytest
import redis
from django.core.cache import caches

from portal.redis_cache import RedisCache
from tests.served.servers import RedisServer


@pytest.fixture
def cache(settings):
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield server, caches["default"]
    server.stop()


def test_one_client_serves_every_call(cache):
    _, backend = cache
    assert isinstance(backend, RedisCache)
    backend.set("greeting", "hello")
    assert backend.get_many(["greeting", "missing"]) == {"greeting": "hello"}
    assert backend._cache.get_client(write=True) is backend._cache.get_client()


def test_the_client_reconnects_after_a_redis_restart(cache):
    server, backend = cache
    backend.set("before", 1)
    server.stop()
    with pytest.raises(redis.ConnectionError):
        backend.get("before")
    server.start()  # the same port, empty
    assert backend.get("before") is None
    backend.set("after", 2)
    assert backend.get("after") == 2
