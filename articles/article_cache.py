"""Published articles as a fresh page render needs them (with their source and topics),
kept in the cache under the articles' content version (portal.content_versions), which any
change to an article, topic or source replaces (articles/signals.py): two queries and their
ORM work saved on each fresh render, the body already sanitized when it was saved."""

import contextlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest

from articles.models import Article
from articles.page_scopes import article_page_scope
from portal import content_versions, shared_cache

# A safety net, and the longest an article scheduled to go offline could stay (none is:
# an article stays published once it is).
TIMEOUT = 300


def published_article(
    request: HttpRequest, address: str, slug: str, find: Callable[[], Article | None]
) -> Article | None:
    """The article at `address` (its URL's date and `slug`), from the cache or `find()`;
    None when there is none (not kept: a scheduled article appears at its time). The
    article page's own scope is read in the same round trip, for the rest of the page (its
    comments) to find in the request."""
    try:
        version = shared_cache.call(
            content_versions.versions, "articles", article_page_scope(slug), request=request
        )["articles"]
        key = f"articles:page:{version}:{address}"
        found = shared_cache.call(cache.get, key)
    except shared_cache.Unavailable:
        return find()
    if found is not None:
        return found
    article = find()
    if article is not None:
        with contextlib.suppress(shared_cache.Unavailable):
            shared_cache.call(cache.set, key, article, TIMEOUT)
    return article
