"""A whole-page cache for reader pages whose only per-visitor parts are tokens.

Django's cache_page cannot keep pages that carry a CSRF token. Here a page is rendered
once with placeholders where the visitor's own values go (CSRF token, signed form
timestamp, remembered name); each request fills them in. Content changes bump a version
number (per scope, e.g. "articles" or one article's comments) that is part of the key, so
a change shows at once; the timeout is only a safety net.
"""

import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = "pagecache-csrf-9d1c3e7a"
_CSRF_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
TIMEOUT = 300

# name -> function(request, meta) giving the text that replaces the placeholder
Fillers = dict[str, Callable[[HttpRequest, dict], str]]


def _version_key(scope: str) -> str:
    return f"pagecache:version:{scope}"


def bump(*scopes: str) -> None:
    """Make every cached page of these scopes stale, once the transaction commits."""

    def bump_now():
        for scope in scopes:
            key = _version_key(scope)
            if not cache.add(key, 1, timeout=None):
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, timeout=None)

    transaction.on_commit(bump_now)


def versions(*scopes: str) -> dict[str, int]:
    """The current version number of each scope (0 before its first change)."""
    found = cache.get_many([_version_key(scope) for scope in scopes])
    return {scope: found.get(_version_key(scope), 0) for scope in scopes}


def is_cacheable(request: HttpRequest) -> bool:
    """Only anonymous readers' plain GETs: a signed-in editor or a pending message (a
    one-time notice) gets a freshly rendered page."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def serve(
    request: HttpRequest,
    *,
    scopes: Iterable[str],
    vary: Iterable[str],
    render: Callable[[bool], tuple[HttpResponse, dict]],
    fillers: Fillers | None = None,
) -> HttpResponse:
    """Answer from the cache when possible.

    `render(placeholders)` returns the response and metadata the fillers need; with
    placeholders=True the page must carry the fillers' placeholders instead of the
    visitor's own values. Every {% csrf_token %} gets CSRF_PLACEHOLDER by itself (see
    csrf_placeholder below)."""
    fillers = fillers or {}
    if not is_cacheable(request):
        response, _ = render(False)
        return response
    current = versions(*scopes)
    parts = [
        request.get_host(),
        request.get_full_path(),
        *(str(version) for version in current.values()),
        *vary,
    ]
    key = "pagecache:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    entry = cache.get(key)
    if entry is None:
        request.pagecache_rendering = True
        try:
            response, meta = render(True)
        finally:
            request.pagecache_rendering = False
        if response.status_code != 200 or response.streaming:
            return _fill_response(request, response, meta, fillers)
        entry = {
            "content": response.content,
            "content_type": response["Content-Type"],
            "meta": meta,
        }
        cache.set(key, entry, TIMEOUT)
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    return _fill_response(request, response, entry["meta"], fillers)


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered for the cache, every {% csrf_token %}
    gets the placeholder, never the first visitor's token."""
    if getattr(request, "pagecache_rendering", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _fill_response(request, response, meta, fillers: Fillers) -> HttpResponse:
    content = response.content
    if _CSRF_PLACEHOLDER_BYTES in content:
        content = content.replace(_CSRF_PLACEHOLDER_BYTES, get_token(request).encode())
    for placeholder, fill in fillers.items():
        marker = placeholder.encode()
        if marker in content:
            content = content.replace(marker, fill(request, meta).encode())
    response.content = content
    return response
