"""A whole-page cache for reader pages whose only per-visitor parts are small values.

Django's cache_page cannot keep pages that carry a CSRF token. Here a page is rendered
once with placeholders where each visitor's own values go (the CSRF token, and whatever an
app asks for through placeholder(), e.g. the comment form's signed timestamp); each request
fills them in. A placeholder is a random marker made for that one cache entry, so no text a
reader wrote can contain it. Content changes give a scope (e.g. "articles" or one article's
comments) a new random version that is part of the key, so a change shows at once; the
timeout is only a safety net. The key holds the scheme, host, path and only the query
parameters the page declares, so a flood of made-up query strings shares one copy.
"""

import contextlib
import hashlib
import secrets
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token

from portal import placeholders, shared_cache

TIMEOUT = 300
# The highest page number (of articles, of comments) kept in the cache; later pages are
# rendered for each visitor.
MAX_PAGE = 100

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
    marker = placeholders.new_marker()
    markers[marker] = (name, args)
    return marker


def _version_key(scope: str) -> str:
    return f"pagecache:version:{scope}"


def _new_version() -> str:
    # Never a value seen before: a counter restarts when its key is evicted, and pages
    # stored under the restarted number would come back.
    return secrets.token_hex(8)


def bump(*scopes: str) -> None:
    """Make every cached page of these scopes stale, once the transaction commits. Never
    raises into the request: the change is saved; at worst (the cache unreachable) cached
    copies stay until TIMEOUT."""

    def bump_now():
        with contextlib.suppress(shared_cache.Unavailable):
            shared_cache.call(
                cache.set_many, {_version_key(scope): _new_version() for scope in scopes}, None
            )

    transaction.on_commit(bump_now, robust=True)


def versions(*scopes: str) -> dict[str, str]:
    """The current version of each scope; a scope without one (never changed, or its key
    evicted) gets a new one."""
    keys = {scope: _version_key(scope) for scope in scopes}
    found = cache.get_many(list(keys.values()))
    missing = [key for key in keys.values() if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _new_version(), timeout=None)
        found.update(cache.get_many(missing))
    return {scope: found.get(key) or _new_version() for scope, key in keys.items()}


def is_cacheable(request: HttpRequest) -> bool:
    """Only anonymous readers' plain GETs: a signed-in editor or a pending message (a
    one-time notice) gets a freshly rendered page."""
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
    )


def page_query(
    request: HttpRequest, names: Iterable[str], choices: Mapping[str, Iterable[str]] | None = None
) -> QueryDict | None:
    """The page-number parameters `names` as the page reads them (Paginator.get_page shows
    page 1 for a value that is not a number), and the parameters of `choices` when they hold
    one of their values (any other value is the page's default, so it is left out), without
    anything else of the query string; None when a number is one the cache should not keep
    (below 1, or past MAX_PAGE: both show the last page, so each new number would be a new
    copy)."""
    canonical = QueryDict(mutable=True)
    for name, values in sorted((choices or {}).items()):
        if request.GET.get(name) in values:
            canonical[name] = request.GET[name]
    for name in sorted(names):
        try:
            number = int(request.GET.get(name, ""))
        except ValueError:
            continue
        if not 1 <= number <= MAX_PAGE:
            return None
        if number > 1:
            canonical[name] = str(number)
    return canonical


def serve(
    request: HttpRequest,
    *,
    scopes: Iterable[str],
    vary: Iterable[str],
    render: Callable[[], HttpResponse],
    query: Iterable[str] = (),
    choices: Mapping[str, Iterable[str]] | None = None,
) -> HttpResponse:
    """Answer from the cache when possible, else with `render()`; while a page is rendered
    for the cache, placeholder() hands out markers instead of visitors' values.

    `query` names the page-number parameters the page reads, `choices` the parameters with a
    few known values (e.g. {"order": ["newest"]}); the rest of the query string (tracking
    tags and the like) is neither part of the key nor seen by `render()`. When the cache
    fails, the page is rendered for this visitor alone."""
    canonical = page_query(request, query, choices) if is_cacheable(request) else None
    if canonical is None:
        return render()
    try:
        current = shared_cache.call(versions, *scopes)
        parts = [
            request.scheme,
            request.get_host(),
            request.path,
            canonical.urlencode(),
            *(f"{scope}={version}" for scope, version in current.items()),
            *vary,
        ]
        key = "pagecache:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        entry = shared_cache.call(cache.get, key)
    except shared_cache.Unavailable:
        return render()
    if entry is None:
        response, markers = _render_for_cache(request, canonical, render)
        if response.status_code != 200 or response.streaming:
            return _fill(request, response, markers)
        entry = {
            "content": response.content,
            "content_type": response["Content-Type"],
            "markers": markers,
        }
        with contextlib.suppress(shared_cache.Unavailable):
            shared_cache.call(cache.set, key, entry, TIMEOUT)
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    return _fill(request, response, entry["markers"])


def _render_for_cache(request: HttpRequest, canonical: QueryDict, render):
    """Render with only the query the key holds, so that nothing else a visitor appended
    (e.g. in a canonical link or a form's `next`) is kept for everyone."""
    saved_get, saved_query = request.GET, request.META.get("QUERY_STRING", "")
    request.GET, request.META["QUERY_STRING"] = canonical, canonical.urlencode()
    request._pagecache_markers = markers = {}
    try:
        response = render()
    finally:
        del request._pagecache_markers
        request.GET, request.META["QUERY_STRING"] = saved_get, saved_query
    return response, markers


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a page is rendered for the cache, every {% csrf_token %}
    gets a placeholder, never the first visitor's token."""
    marker = placeholder(request, "csrf")
    return {} if marker is None else {"csrf_token": marker}


register_filler("csrf", get_token)


def _fill(request: HttpRequest, response: HttpResponse, markers: dict) -> HttpResponse:
    values = {marker: _fillers[name](request, *args) for marker, (name, args) in markers.items()}
    response.content = placeholders.fill(response.content, values)
    return response
