"""A whole-page cache for reader pages whose only per-visitor parts are small values.

Django's cache_page cannot keep pages that carry a CSRF token. Here a page is rendered
once with placeholders where each visitor's own values go (the CSRF token, and whatever an
app asks for through placeholder(), e.g. the comment form's signed timestamp); each request
fills them in. A placeholder is a random marker made for that one cache entry, so no text a
reader wrote can contain it. Content changes bump a version number (per scope, e.g.
"articles" or one article's comments) that is part of the key, so a change shows at once;
the timeout is only a safety net.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

TIMEOUT = 300

# name -> function(request, *args) giving the text (already escaped for where it goes) that
# replaces that name's placeholders for one visitor.
_fillers: dict[str, Callable[..., str]] = {}


def register_filler(name: str, fill: Callable[..., str]) -> None:
    """Declare how placeholders called `name` are filled for each visitor."""
    _fillers[name] = fill


def placeholder(request: HttpRequest, name: str, *args) -> str | None:
    """While the page is rendered for the cache: a marker that each visitor's response gets
    replaced by `fill(request, *args)` of the filler registered as `name`. Otherwise None,
    and the caller renders the visitor's own value."""
    markers = getattr(request, "_pagecache_markers", None)
    if markers is None:
        return None
    if name not in _fillers:
        raise LookupError(f"No page-cache filler is registered as {name!r}")
    marker = f"pc{secrets.token_hex(16)}"
    markers[marker] = (name, args)
    return marker


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
    render: Callable[[], HttpResponse],
) -> HttpResponse:
    """Answer from the cache when possible, else with `render()`; while a page is rendered
    for the cache, placeholder() hands out markers instead of visitors' values."""
    if not is_cacheable(request):
        return render()
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
        request._pagecache_markers = markers = {}
        try:
            response = render()
        finally:
            del request._pagecache_markers
        if response.status_code != 200 or response.streaming:
            return _fill(request, response, markers)
        entry = {
            "content": response.content,
            "content_type": response["Content-Type"],
            "markers": markers,
        }
        cache.set(key, entry, TIMEOUT)
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    return _fill(request, response, entry["markers"])


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered for the cache, every {% csrf_token %}
    gets a placeholder, never the first visitor's token."""
    marker = placeholder(request, "csrf")
    return {} if marker is None else {"csrf_token": marker}


register_filler("csrf", get_token)


def _fill(request: HttpRequest, response: HttpResponse, markers: dict) -> HttpResponse:
    content = response.content
    for marker, (name, args) in markers.items():
        content = content.replace(marker.encode(), _fillers[name](request, *args).encode())
    response.content = content
    return response
