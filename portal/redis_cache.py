"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's client builds a new redis.Redis for every cache call, and redis-py fills a table of
some two hundred response callbacks each time: on a fresh page render (six cache reads) that
cost more than the round trips to Redis. A redis.Redis takes a connection from its pool for
each command, so one client per pool serves every call (and a cache object is already one
per thread: django.core.cache.caches)."""

from functools import cached_property

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    @cached_property
    def _cache(self) -> RedisCacheClient:
        return RedisCacheClient(self._servers, **self._options)
