"""Fixed-window rate limits kept in Django's cache (Redis in production, so all web
processes share one count)."""

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    """A stable, non-reversible key for the client. REMOTE_ADDR is the only address we
    trust: a proxy in front must set it (e.g. gunicorn --forwarded-allow-ips)."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def count(scope: str, key: str, *, window: int) -> int:
    """Count one attempt and return how many there have been in this window, this one
    included."""
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window + 1)
        return 1


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while the caller is within `limit` attempts per `window`
    seconds."""
    return count(scope, key, window=window) <= limit
