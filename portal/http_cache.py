"""What a shared HTTP cache (nginx, a CDN) may keep: Cache-Control and Vary for every
response, decided in one place.

Reader pages (home, article, topic pages, feeds) are marked with @shared: for an anonymous
reader's GET they say `public, max-age=0, s-maxage=SHARED_CACHE_SECONDS,
stale-while-revalidate=SHARED_CACHE_STALE_SECONDS`, so a shared cache keeps them a few
seconds and refreshes them in the background while browsers always ask again. Their HTML
holds nobody's bytes: no CSRF token (their forms are checked by origin, portal.csrf), a
form token made at render time and shared by every reader of a copy, and only the cookies in
KEY_COOKIES, which the cache must put in its key (deploy/nginx.conf does).

Every other response, and any response to a request that carries a session or messages
cookie (a signed-in editor, a reader with a one-time notice waiting), is `private`: a shared
cache never keeps it. Nothing is public unless a view says so.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

# The cookies the HTML of a reader page depends on (the text size: articles.fontsize; the
# remembered name: comments.display): a shared cache keys its copies by exactly these, and
# ignores the others. tests/portal/test_http_cache.py holds these names to the apps'.
KEY_COOKIES = ("fontsize", "comment_name")
# Messages are kept in a cookie (MESSAGE_STORAGE); their name is Django's default.
MESSAGES_COOKIE = "messages"


def bypass_cookies() -> tuple[str, ...]:
    """Cookies whose presence means the page is this visitor's own: never shared."""
    return (settings.SESSION_COOKIE_NAME, MESSAGES_COOKIE)


def is_anonymous_read(request: HttpRequest) -> bool:
    """A GET or HEAD with neither a session nor a messages cookie (an empty one is none:
    what a deleted cookie leaves in some clients, and what nginx's $cookie_ sees as none)."""
    return request.method in ("GET", "HEAD") and not any(
        request.COOKIES.get(name) for name in bypass_cookies()
    )


def shared[V: Callable[..., HttpResponse]](view: V) -> V:
    """Mark a reader view's responses as ones a shared cache may keep (see the module)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.shared_cacheable = True
        return response

    return wrapper  # type: ignore[return-value]


def public_cache_control() -> str:
    return (
        f"public, max-age=0, s-maxage={settings.SHARED_CACHE_SECONDS}, "
        f"stale-while-revalidate={settings.SHARED_CACHE_STALE_SECONDS}"
    )


class CacheHeadersMiddleware:
    """Sets Cache-Control (and Vary) on every response from the views: public for an
    anonymous read of a @shared view answered 200 without setting a cookie, private
    otherwise. Placed above the session and CSRF middleware, so it sees the cookies they
    set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        marked = getattr(response, "shared_cacheable", False)
        if (
            marked
            and is_anonymous_read(request)
            and response.status_code in (200, 304)
            and not response.cookies
        ):
            # Replaces whatever the view said (e.g. a feed's validators stay, its
            # no-cache goes).
            response.headers["Cache-Control"] = public_cache_control()
            patch_vary_headers(response, ["Cookie"])
        elif marked or "Cache-Control" not in response.headers or not is_anonymous_read(request):
            _make_private(response)
            if marked:
                patch_vary_headers(response, ["Cookie"])
        return response


def _make_private(response: HttpResponse) -> None:
    if "Cache-Control" in response.headers:
        directives = response.headers["Cache-Control"].lower()
        if "private" in directives or "no-store" in directives:
            return  # the view's own (e.g. the admin's never_cache) is already private
        del response.headers["Cache-Control"]
    patch_cache_control(response, private=True, no_cache=True)
