"""The feeds themselves: RSS 2.0 and Atom 1.0 with the full text, for the site, a topic
and an article's comments (Django's syndication framework), JSON Feed 1.1, and what the
HTML page a browser gets instead of a feed shows."""

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import feedgenerator

from articles.models import Article
from comments.models import Comment
from comments.pages import comment_link
from newsletter import feed_assembly as assembly
from newsletter.feed_assembly import ArticleSelection, CommentSelection

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
WFW_NS = "http://wellformedweb.org/CommentAPI/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_TYPE = "application/feed+json"


# --- Generators: Django's, plus the full text ------------------------------------------------


class FullTextRss(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full text in content:encoded and the comments feed in
    wfw:commentRss (the description keeps the summary)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS, "xmlns:wfw": WFW_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        if item.get("comments_feed"):
            handler.addQuickElement("wfw:commentRss", item["comments_feed"])


class FullTextAtom(feedgenerator.Atom1Feed):
    """Atom 1.0 with the full text in <content type="html"> beside the <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


# --- Articles ------------------------------------------------------------------------------


class ArticlesFeed(Feed):
    """The latest published articles of the site, or of one topic. Built per request
    with the request, since every URL in it is absolute on the host asked for."""

    feed_type = FullTextRss

    def __init__(self, request: HttpRequest):
        self.request = request

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def title(self, obj: ArticleSelection) -> str:
        if obj.topic:
            return f"{settings.SITE_NAME}: {obj.topic.name}"
        return f"{settings.SITE_NAME}: latest news"

    def link(self, obj: ArticleSelection) -> str:
        return obj.topic.get_absolute_url() if obj.topic else reverse("home")

    def description(self, obj: ArticleSelection) -> str:
        if obj.topic:
            return obj.topic.description or f"The latest articles on {obj.topic.name}."
        return f"The latest articles on {settings.SITE_NAME}, in full."

    def author_name(self, obj: ArticleSelection) -> str:
        return settings.SITE_NAME

    def items(self, obj: ArticleSelection) -> list[Article]:
        return obj.articles

    def item_title(self, article: Article) -> str:
        # Plain text, escaped once by the XML writer (Django's default escapes it twice).
        return article.headline

    def item_description(self, article: Article) -> str:
        return assembly.summary_html(article)

    def item_text(self, article: Article) -> str:
        return assembly.summary_text(article)

    def item_link(self, article: Article) -> str:
        return self.absolute(article.get_absolute_url())

    def item_guid(self, article: Article) -> str:
        return assembly.article_guid(article, self.request.get_host())

    item_guid_is_permalink = False

    def item_pubdate(self, article: Article):
        return article.published_at

    def item_updateddate(self, article: Article):
        return assembly.article_updated(article)

    def item_author_name(self, article: Article) -> str:
        return assembly.credit(article)

    def item_categories(self, article: Article) -> list[str]:
        return [topic.name for topic in article.topics.all()]

    def item_comments(self, article: Article) -> str:
        return self.absolute(article.get_absolute_url()) + "#comments"

    def item_extra_kwargs(self, article: Article) -> dict[str, Any]:
        return {
            "content_html": assembly.content_html(article, self.item_link(article)),
            "comments_feed": self.absolute(comments_feed_url(article)),
        }


class ArticlesAtomFeed(ArticlesFeed):
    feed_type = FullTextAtom
    subtitle = ArticlesFeed.description


# --- Comments ------------------------------------------------------------------------------


class CommentsFeed(Feed):
    """An article's newest comments and replies as readers see them: never held or removed
    ones, nor replies to those."""

    feed_type = FullTextRss

    def __init__(self, request: HttpRequest):
        self.request = request

    def article_url(self, obj: CommentSelection) -> str:
        return self.request.build_absolute_uri(obj.article.get_absolute_url())

    def title(self, obj: CommentSelection) -> str:
        return f"Comments on “{obj.article.headline}”"

    def link(self, obj: CommentSelection) -> str:
        return self.article_url(obj) + "#comments"

    def description(self, obj: CommentSelection) -> str:
        return f"Readers’ comments on “{obj.article.headline}” ({settings.SITE_NAME})."

    def author_name(self, obj: CommentSelection) -> str:
        return settings.SITE_NAME

    def items(self, obj: CommentSelection) -> list[Comment]:
        self._selection = obj
        return obj.comments

    def item_title(self, comment: Comment) -> str:
        if comment.parent_id:
            return f"Reply by {comment.user_name} to {comment.parent.user_name}"
        return f"Comment by {comment.user_name}"

    def item_description(self, comment: Comment) -> str:
        return assembly.absolute_html(comment.html, self.article_url(self._selection))

    def item_text(self, comment: Comment) -> str:
        return assembly.html_to_text(comment.html)

    def item_link(self, comment: Comment) -> str:
        # The page that starts with the comment, or with the one it replies to.
        return comment_link(comment, self.article_url(self._selection))

    def item_guid(self, comment: Comment) -> str:
        return assembly.comment_guid(comment, self.request.get_host())

    item_guid_is_permalink = False

    def item_pubdate(self, comment: Comment):
        return comment.created

    def item_updateddate(self, comment: Comment):
        return comment.created

    def item_author_name(self, comment: Comment) -> str:
        return comment.user_name


class CommentsAtomFeed(CommentsFeed):
    feed_type = FullTextAtom
    subtitle = CommentsFeed.description


def comments_feed_url(article: Article, kind: str = "rss") -> str:
    """The path of an article's comments feed ("rss" or "atom")."""
    day = article.publication_date
    return reverse(
        f"newsletter:comments-{kind}",
        kwargs={
            "year": f"{day.year:04d}",
            "month": f"{day.month:02d}",
            "day": f"{day.day:02d}",
            "slug": article.slug,
        },
    )


def render_feed(feed: Feed, obj) -> bytes:
    generator = feed.get_feed(obj, feed.request)
    return generator.writeString("utf-8").encode("utf-8")


# --- The page a browser gets instead -----------------------------------------------------------


@dataclass(frozen=True)
class PageItem:
    title: str
    url: str
    published: datetime.datetime
    byline: str
    text: str  # plain text: the template escapes it


def page_context(feed: ArticlesFeed | CommentsFeed, obj) -> dict[str, Any]:
    """What the HTML page of a feed shows: the same title, items and links as the feed."""
    request = feed.request
    items = feed.items(obj)
    return {
        "feed_title": feed.title(obj),
        "feed_description": feed.description(obj),
        "feed_url": request.build_absolute_uri(request.path),
        "site_link": feed.link(obj),
        "items": [
            PageItem(
                title=feed.item_title(item),
                url=feed.item_link(item),
                published=feed.item_pubdate(item),
                byline=feed.item_author_name(item),
                text=feed.item_text(item),
            )
            for item in items
        ],
    }


# --- JSON Feed 1.1 -----------------------------------------------------------------------------


def json_feed(request: HttpRequest, selection: ArticleSelection) -> bytes:
    """The same articles as a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""
    rss = ArticlesFeed(request)
    home = request.build_absolute_uri(rss.link(selection))
    document = {
        "version": JSON_FEED_VERSION,
        "title": rss.title(selection),
        "home_page_url": home,
        "feed_url": request.build_absolute_uri(request.path),
        "description": rss.description(selection),
        "language": settings.LANGUAGE_CODE,
        "authors": [{"name": settings.SITE_NAME, "url": request.build_absolute_uri("/")}],
        "items": [_json_item(rss, article) for article in selection.articles],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _json_item(rss: ArticlesFeed, article: Article) -> dict[str, Any]:
    url = rss.item_link(article)
    author: dict[str, str] = {"name": assembly.credit(article)}
    if not article.byline and article.source and article.source.url:
        author["url"] = article.source.url
    item = {
        "id": rss.item_guid(article),
        "url": url,
        "title": article.headline,
        "content_html": assembly.content_html(article, url),
        "summary": assembly.summary_text(article),
        "date_published": feedgenerator.rfc3339_date(article.published_at),
        "date_modified": feedgenerator.rfc3339_date(assembly.article_updated(article)),
        "authors": [author],
        "tags": rss.item_categories(article),
    }
    return item
