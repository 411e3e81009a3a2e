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
from portal import content_versions, placeholders, shared_cache

# A safety net: entries of an old version are never read again, and expire.
TIMEOUT = 24 * 3600


def _version(request: HttpRequest | None, article: Article) -> str | None:
    """The versions `article`'s comment fragments depend on, once per request; None while
    the cache is unreachable."""
    memo = request.__dict__.setdefault("_fragment_versions", {}) if request is not None else {}
    if article.pk not in memo:
        try:
            current = shared_cache.call(
                content_versions.versions, "articles", article_page_scope(article.slug)
            )
        except shared_cache.Unavailable:
            memo[article.pk] = None
        else:
            memo[article.pk] = "-".join(current.values())
    return memo[article.pk]


def _get(key: str):
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
    key = f"fragments:counts:{article.pk}:{version}"
    if version is not None:
        found = _get(key)
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
    order = "newest" if newest else "oldest"
    key = f"fragments:comments:{article.pk}:{version}:{order}:{page}:{int(replies_open)}"
    html = _get(key)
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
    key = f"fragments:form:{article.pk}:{version}:{variant}"
    entry = _get(key)
    if entry is None:
        markers = {"name": placeholders.new_marker(), "token": placeholders.new_marker()}
        entry = {"html": render(markers["name"], markers["token"]), "markers": markers}
        _set(key, entry)
    markers = entry["markers"]
    return placeholders.fill(
        entry["html"], {markers["name"]: escape(name), markers["token"]: token()}
    )
