"""Content versions: a random value per scope (e.g. "articles", or one article's page and
its comments) that changes whenever what the scope shows changes. Caches of rendered
fragments and feeds put the versions they depend on in their keys, so a change shows at once
and nothing has to be found and deleted; the entries left behind expire.

A version is never a value seen before: a counter would restart when its key is evicted,
and entries stored under the restarted number would come back.
"""

import contextlib
import secrets
from collections.abc import Sequence

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from portal import shared_cache


def _version_key(scope: str) -> str:
    return f"versions:{scope}"


def _new_version() -> str:
    return secrets.token_hex(8)


def bump(*scopes: str) -> None:
    """Give these scopes new versions once the transaction commits. Never raises into the
    request: the change is saved; at worst (the cache unreachable) cached fragments stay
    until they expire."""

    def bump_now():
        with contextlib.suppress(shared_cache.Unavailable):
            shared_cache.call(
                cache.set_many, {_version_key(scope): _new_version() for scope in scopes}, None
            )

    transaction.on_commit(bump_now, robust=True)


def versions(*scopes: str, request: HttpRequest | None = None) -> dict[str, str]:
    """The current version of each scope; a scope without one (never changed, or its key
    evicted) gets a new one. With a `request` (a reader's GET: nothing it does changes a
    version), read once per request: the parts of one page ask for the same scopes. Raises
    what the cache raises (callers go through portal.shared_cache)."""
    if request is None:
        return _read(scopes)
    memo = request.__dict__.setdefault("_content_versions", {})
    unread = [scope for scope in scopes if scope not in memo]
    if unread:
        memo.update(_read(unread))
    return {scope: memo[scope] for scope in scopes}


def _read(scopes: Sequence[str]) -> dict[str, str]:
    keys = {scope: _version_key(scope) for scope in scopes}
    found = cache.get_many(list(keys.values()))
    missing = [key for key in keys.values() if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _new_version(), timeout=None)
        found.update(cache.get_many(missing))
    return {scope: found.get(key) or _new_version() for scope, key in keys.items()}
