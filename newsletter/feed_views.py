"""Feed views: thin wrappers that pick the articles or comments, render the feed and let
newsletter.feed_cache answer from the cache, with validators and 304s; browsers get an
HTML page of the same feed."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles.models import Topic
from articles.page_scopes import article_page_scope
from newsletter import feed_assembly as assembly
from newsletter import feeds
from newsletter.feed_cache import Built, cached_feed
from portal.http_cache import shared

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"


def _article_scopes(**kwargs) -> list[str]:
    return ["articles"]


def _select_articles(slug: str | None = None):
    return assembly.select_articles(slug)


def _comment_scopes(*, slug: str, **kwargs) -> list[str]:
    return ["articles", article_page_scope(slug)]


def _page(feed_class, select):
    """The HTML page of a feed, for a browser (kept by a shared cache like the feed)."""

    def page(request, **kwargs):
        context = feeds.page_context(feed_class(request), select(**kwargs))
        return render(request, "newsletter/feed_page.html", context)

    return page


def _articles(feed_class, media_type):
    def build(request, slug: str | None = None) -> Built:
        selection = assembly.select_articles(slug)
        body = feeds.render_feed(feed_class(request), selection)
        return Built(body, media_type, selection.last_modified)

    page = _page(feed_class, _select_articles)
    return cached_feed(_article_scopes, media_type=media_type, page=page)(build)


def _comments(feed_class, media_type):
    def build(request, **kwargs) -> Built:
        selection = assembly.select_comments(**kwargs)
        body = feeds.render_feed(feed_class(request), selection)
        return Built(body, media_type, selection.last_modified)

    page = _page(feed_class, assembly.select_comments)
    return cached_feed(_comment_scopes, media_type=media_type, page=page)(build)


@cached_feed(
    _article_scopes,
    media_type=feeds.JSON_FEED_TYPE,
    page=_page(feeds.ArticlesFeed, _select_articles),
)
def json_feed(request, slug: str | None = None) -> Built:
    selection = assembly.select_articles(slug)
    return Built(feeds.json_feed(request, selection), feeds.JSON_FEED_TYPE, selection.last_modified)


rss = _articles(feeds.ArticlesFeed, RSS_TYPE)
atom = _articles(feeds.ArticlesAtomFeed, ATOM_TYPE)
comments_rss = _comments(feeds.CommentsFeed, RSS_TYPE)
comments_atom = _comments(feeds.CommentsAtomFeed, ATOM_TYPE)


@require_safe
@shared
def index(request):
    """/feeds/: what feeds there are, what they hold and how to use them."""
    context = {"topics": list(Topic.objects.all())}
    return render(request, "newsletter/feeds.html", context)
