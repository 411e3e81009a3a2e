"""Feeds served from the cache between changes, with ETag and Last-Modified validators;
a browser that opens a feed gets an HTML page of it instead (see cached_feed).

A feed is built once per change: the cache key holds the content versions of
the scopes it depends on (see portal.content_versions), so an edit or a new comment makes a new
key at once. The validators are kept apart from the body, so a 304 answer costs two small
cache reads and no query. The timeout is a safety net that also lets a scheduled article
appear.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import condition, require_safe

from portal import content_versions, shared_cache
from portal.http_cache import shared

TIMEOUT = 300


@dataclass(frozen=True)
class Built:
    """A feed as bytes, its media type and when what it shows last changed."""

    body: bytes
    media_type: str
    last_modified: datetime


@dataclass(frozen=True)
class Snapshot:
    key: str | None  # None while the cache is unreachable
    etag: str  # of the bytes, so it also changes when the cache entry expires into news
    last_modified: datetime
    media_type: str
    body: bytes | None = None  # only when built during this request


def _cached(operation: Callable, *args):
    """A cache call whose failure (the shared cache unreachable) reads as a miss: feeds are
    then built for each request, as pages are (portal.shared_cache)."""
    try:
        return shared_cache.call(operation, *args)
    except shared_cache.Unavailable:
        return None


def _cache_key(request: HttpRequest, scopes: Sequence[str]) -> str | None:
    current = _cached(content_versions.versions, *scopes)
    if current is None:
        return None
    parts = [
        request.scheme,
        request.get_host(),
        request.path,  # no query string: the same feed whatever a reader appends
        *(f"{scope}={version}" for scope, version in current.items()),
    ]
    return "feeds:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _build_and_store(key: str | None, build: Callable[[], Built]) -> Snapshot:
    built = build()
    etag = hashlib.sha256(built.body).hexdigest()[:32]
    meta = {"etag": etag, "last_modified": built.last_modified, "media_type": built.media_type}
    if key is not None:
        _cached(cache.set_many, {key + ":meta": meta, key + ":body": (etag, built.body)}, TIMEOUT)
    return Snapshot(key, etag, built.last_modified, built.media_type, built.body)


def _snapshot(request: HttpRequest, scopes, build, kwargs) -> Snapshot:
    # The validators and the view itself all need it: work it out once per request.
    snapshot = getattr(request, "_feed_snapshot", None)
    if snapshot is None:
        key = _cache_key(request, list(scopes(**kwargs)))
        meta = None if key is None else _cached(cache.get, key + ":meta")
        if meta is None:
            snapshot = _build_and_store(key, lambda: build(request, **kwargs))
        else:
            snapshot = Snapshot(key, meta["etag"], meta["last_modified"], meta["media_type"])
        request._feed_snapshot = snapshot
    return snapshot


def for_browser(request: HttpRequest, media_type: str) -> bool:
    """A browser navigating to the feed prefers HTML to the feed's type; a feed reader
    (or `Accept: */*`, or no Accept header) gets the feed type."""
    if "text/html" not in request.headers.get("Accept", ""):
        return False  # the common case for feed readers, without parsing the header
    return request.get_preferred_type([media_type, "text/html"]) == "text/html"


def cached_feed(
    scopes: Callable[..., Iterable[str]],
    *,
    media_type: str,
    page: Callable[..., HttpResponse],
):
    """Decorate `build(request, **url_kwargs) -> Built` into a GET/HEAD view that answers
    feed readers from the cache, sends ETag and Last-Modified, and answers 304 when they
    match; browsers get `page(request, **url_kwargs)`, an HTML page of the same feed.
    `scopes(**url_kwargs)` names the content-version scopes whose changes change the feed."""

    def decorator(build: Callable[..., Built]):
        def current(request, **kwargs) -> Snapshot:
            return _snapshot(request, scopes, build, kwargs)

        def etag(request, **kwargs) -> str:
            return f'"{current(request, **kwargs).etag}"'

        def last_modified(request, **kwargs) -> datetime:
            return current(request, **kwargs).last_modified

        @condition(etag_func=etag, last_modified_func=last_modified)
        def respond(request, **kwargs) -> HttpResponse:
            snapshot = current(request, **kwargs)
            body = snapshot.body
            if body is None:
                stored = _cached(cache.get, snapshot.key + ":body")
                if stored is not None and stored[0] == snapshot.etag:
                    body = stored[1]
                else:  # evicted, or rebuilt meanwhile: build again, validators included
                    snapshot = _build_and_store(snapshot.key, lambda: build(request, **kwargs))
                    request._feed_snapshot = snapshot
                    body = snapshot.body
            response = HttpResponse(body, content_type=f"{snapshot.media_type}; charset=utf-8")
            response.headers["ETag"] = f'"{snapshot.etag}"'
            response.headers["Last-Modified"] = http_date(snapshot.last_modified.timestamp())
            return response

        @require_safe
        @shared
        @wraps(build)
        def view(request, **kwargs) -> HttpResponse:
            if for_browser(request, media_type):
                response = page(request, **kwargs)
            else:
                response = respond(request, **kwargs)
            # Every poll revalidates (max-age=0: portal.http_cache; a 304 is cheap). What
            # comes back, the feed or a page, depends on Accept: a shared cache must keep
            # the two apart.
            patch_vary_headers(response, ["Accept"])
            return response

        return view

    return decorator
