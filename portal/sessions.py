"""Sessions kept in the database and read through the shared cache (Redis), the session
engine when REDIS_URL is set: a page for a signed-in editor or for a reader whose notice
waits costs one cache read instead of a query.

The database stays the record. A cache that fails or was emptied (Redis restarted) loses no
session: while it does not answer, sessions are read from and written to the database alone
(portal.shared_cache logs it once). A copy is kept in the cache for CACHED_SECONDS at most,
not for the session's whole life: if a logout's delete could not reach the cache while the
cache kept its data, the old copy stops counting within minutes, not weeks.
"""

import contextlib

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from portal import shared_cache

CACHED_SECONDS = 300


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict:
        try:
            data = shared_cache.call(self._cache.get, self.cache_key)
        except shared_cache.Unavailable:
            return DatabaseStore.load(self)
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        self._keep(data, self.get_expiry_age(expiry=stored.expire_date))
        return data

    def exists(self, session_key: str) -> bool:
        try:
            if session_key and shared_cache.call(
                self._cache.has_key, self.cache_key_prefix + session_key
            ):
                return True
        except shared_cache.Unavailable:
            pass
        return DatabaseStore.exists(self, session_key)

    def save(self, must_create: bool = False) -> None:
        DatabaseStore.save(self, must_create)
        self._keep(self._session, self.get_expiry_age())

    def delete(self, session_key: str | None = None) -> None:
        DatabaseStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # If the cache does not answer, a copy it may still hold lapses within CACHED_SECONDS.
        with contextlib.suppress(shared_cache.Unavailable):
            shared_cache.call(self._cache.delete, self.cache_key_prefix + session_key)

    def _keep(self, data: dict, expiry_age: int) -> None:
        with contextlib.suppress(shared_cache.Unavailable):
            shared_cache.call(
                self._cache.set, self.cache_key, data, min(expiry_age, CACHED_SECONDS)
            )
