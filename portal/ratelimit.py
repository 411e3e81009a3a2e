"""Fixed-window rate limits kept in Django's cache (Redis in production, so all web
processes share one count), keyed on the client's address as our own proxies saw it."""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from portal import shared_cache

# While the shared cache is unreachable each process counts on its own, so a client spread
# over several workers could get the limit once per worker: each attempt counts double then.
FALLBACK_WEIGHT = 2
_fallback = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def client_address(request: HttpRequest) -> str:
    """The client's address. With TRUSTED_PROXY_COUNT proxies in front, each appended the
    address it was reached from to X-Forwarded-For; the entry the outermost one wrote is the
    client. Entries further left were written by the client itself and are not trusted."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    chain.append(remote)
    # Fewer entries than proxies: the request skipped some; the leftmost is the best we have.
    return chain[max(len(chain) - 1 - trusted, 0)]


def client_key(request: HttpRequest) -> str:
    """A stable key for the client that does not reveal its address (a keyed hash: an
    unkeyed one is reversed by hashing all 2^32 IPv4 addresses). One IPv6 reader usually
    holds a whole /64, so that is one client."""
    address = client_address(request) or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        identity = address
    else:
        if ip.version == 6 and ip.ipv4_mapped:
            identity = str(ip.ipv4_mapped)
        elif ip.version == 6:
            identity = str(ipaddress.ip_network(f"{ip}/64", strict=False))
        else:
            identity = str(ip)
    return salted_hmac("portal.ratelimit.client_key", identity, algorithm="sha256").hexdigest()[:32]


def _count_in(store: BaseCache, cache_key: str, window: int) -> int:
    if store.add(cache_key, 1, timeout=window + 1):
        return 1
    try:
        return store.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        store.add(cache_key, 1, timeout=window + 1)
        return 1


def count(scope: str, key: str, *, window: int) -> int:
    """Count one attempt and return how many there have been in this window, this one
    included."""
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    try:
        return shared_cache.call(_count_in, cache, cache_key, window)
    except shared_cache.Unavailable:
        return _count_in(_fallback, cache_key, window) * FALLBACK_WEIGHT


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while the caller is within `limit` attempts per `window`
    seconds."""
    return count(scope, key, window=window) <= limit
