"""What a fresh article page needs of its comments, kept in the cache between changes: the
rendered HTML of each page of published comments (per order, per page), the comment
counts, and the empty comment form (with markers for each reader's token and name). Keys
hold the content versions (portal.content_versions) of the articles and of the article's
page, which comments.services bumps when a comment is published, removed, edited or replied
to, so a change shows at once on every instance. When the cache fails, pages are rendered
from the database (portal.shared_cache)."""

import contextlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.html import escape

from articles.models import Article
from articles.page_scopes import article_page_scope
from comments import pages
from portal import content_versions, placeholders, shared_cache

# A safety net: entries of an old version are never read again, and expire.
TIMEOUT = 24 * 3600


def _version(request: HttpRequest | None, article: Article) -> str | None:
    """The versions `article`'s comment fragments depend on (read once per request, with
    the article's, portal.content_versions); None while the cache is unreachable."""
    try:
        current = shared_cache.call(
            content_versions.versions,
            "articles",
            article_page_scope(article.slug),
            request=request,
        )
    except shared_cache.Unavailable:
        return None
    return "-".join(current.values())


def _counts_key(article: Article, version: str) -> str:
    return f"fragments:counts:{article.pk}:{version}"


def _list_key(article: Article, version: str, newest: bool, page: str, replies: bool) -> str:
    order = "newest" if newest else "oldest"
    return f"fragments:comments:{article.pk}:{version}:{order}:{page}:{int(replies)}"


def _form_key(article: Article, version: str, variant: str) -> str:
    return f"fragments:form:{article.pk}:{version}:{variant}"


def form_variant(request: HttpRequest | None, *, closed: bool) -> str:
    """What an empty comment form's HTML depends on besides the article: whether comments
    are closed, and the comment page it sends the reader back to."""
    return f"{int(closed)}{pages.listing_query(request.GET) if request is not None else ''}"


def prefetch(request: HttpRequest | None, article: Article, *, closed: bool) -> None:
    """Read the fragments a page of `article` will most likely ask for (the counts, the
    comment page its cursor or ?cpage= names, the empty form) in one round trip; _get()
    finds them in the request. A guess that misses (an out-of-range ?cpage=) costs one more
    read."""
    version = _version(request, article)
    if request is None or version is None:
        return
    newest = pages.newest_first(request.GET)
    cursor = pages.requested_cursor(request.GET)
    if cursor is not None:
        page = str(cursor)
    else:
        try:
            page = str(max(1, int(request.GET.get(pages.PAGE_PARAMETER, 1))))
        except ValueError:
            page = "1"
    keys = [
        _counts_key(article, version),
        _list_key(article, version, newest, page, not closed),
        _form_key(article, version, form_variant(request, closed=closed)),
    ]
    try:
        found = shared_cache.call(cache.get_many, keys)
    except shared_cache.Unavailable:
        return
    request.__dict__.setdefault("_fragments", {}).update({key: found.get(key) for key in keys})


def _get(key: str, request: HttpRequest | None = None):
    prefetched = request.__dict__.get("_fragments", {}) if request is not None else {}
    if key in prefetched:
        return prefetched[key]
    try:
        return shared_cache.call(cache.get, key)
    except shared_cache.Unavailable:
        return None


def _set(key: str, value) -> None:
    with contextlib.suppress(shared_cache.Unavailable):
        shared_cache.call(cache.set, key, value, TIMEOUT)


def comment_counts(request: HttpRequest | None, article: Article, paginator) -> None:
    """Give `paginator` (a comments.display.CommentPaginator) its counts from the cache, or
    count once and keep them for the next fresh render."""
    version = _version(request, article)
    key = _counts_key(article, version) if version is not None else ""
    if version is not None:
        found = _get(key, request)
        if found is not None:
            paginator.__dict__["_counts"] = found
            return
    counts = paginator._counts
    if version is not None:
        _set(key, counts)


def comment_list(
    request: HttpRequest | None,
    article: Article,
    *,
    newest: bool,
    page: str,
    replies_open: bool,
    render: Callable[[], str],
) -> str:
    """The HTML of one page of `article`'s comments (`page` names it: its number, or its
    cursor, comments.display.requested_page_key): from the cache, or `render()`ed and kept.
    Only for HTML that is the same for every reader (no reader's notice in it)."""
    version = _version(request, article)
    if version is None:
        return render()
    key = _list_key(article, version, newest, page, replies_open)
    html = _get(key, request)
    if html is None:
        html = render()
        _set(key, html)
    return html


def comment_form(
    request: HttpRequest | None,
    article: Article,
    *,
    variant: str,
    render: Callable[[str, str], str],
    name: str,
    token: Callable[[], str],
) -> str:
    """The HTML of `article`'s empty comment form (`variant` names what else it depends
    on: closed, the comment page it sends back to), rendered once by `render(name, token)`
    with random markers, then filled with this reader's remembered `name` and a `token()`
    made now. Rendering the form costs more than the rest of a fresh page."""
    version = _version(request, article)
    if version is None:
        return render(name, token())
    key = _form_key(article, version, variant)
    entry = _get(key, request)
    if entry is None:
        markers = {"name": placeholders.new_marker(), "token": placeholders.new_marker()}
        entry = {"html": render(markers["name"], markers["token"]), "markers": markers}
        _set(key, entry)
    markers = entry["markers"]
    return placeholders.fill(
        entry["html"], {markers["name"]: escape(name), markers["token"]: token()}
    )
