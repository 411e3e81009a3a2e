"""What the feeds carry (which articles and comments, credited how, under which ids) and
the helpers every feed format shares; no HTTP here."""

import datetime
import html as html_module
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator

from articles.models import Article, Topic
from comments.models import Comment

FEED_LENGTH = 20  # articles in a site or topic feed
COMMENTS_FEED_LENGTH = 50  # newest comments and replies in an article's comments feed
SUMMARY_WORDS = 60  # when an article has no summary, the start of its text stands in

# One start tag with its attributes; quoted values may hold ">" (bleach's output quotes
# every value with double quotes).
_START_TAG = re.compile(r"<[a-zA-Z][^\s/>]*(?:\s+[^\s\"'=/>]+(?:\s*=\s*\"[^\"]*\")?)*\s*/?>")
_URL_ATTRIBUTE = re.compile(r"(\s(?:href|src)\s*=\s*\")([^\"]*)(\")", re.IGNORECASE)


@dataclass(frozen=True)
class ArticleSelection:
    """The articles of a site or topic feed, newest first."""

    topic: Topic | None
    articles: list[Article]
    last_modified: datetime.datetime


@dataclass(frozen=True)
class CommentSelection:
    """One published article and the newest comments readers see under it (replies
    included), newest first."""

    article: Article
    comments: list[Comment]
    last_modified: datetime.datetime


def select_articles(topic_slug: str | None = None) -> ArticleSelection:
    """The latest published articles, of one topic when given (404 for an unknown topic)."""
    topic = get_object_or_404(Topic, slug=topic_slug) if topic_slug is not None else None
    everything = topic.articles.all() if topic else Article.objects.all()
    published = (
        everything.published()
        .select_related("source")
        .prefetch_related("topics")
        .order_by("-published_at", "-id")
    )
    articles = list(published[:FEED_LENGTH])
    # Every save (unpublishing included) moves `modified`, so the newest one over all
    # articles, drafts too, also notices an article leaving the feed.
    newest_edit = everything.aggregate(newest=Max("modified"))["newest"]
    return ArticleSelection(
        topic=topic,
        articles=articles,
        last_modified=_newest(newest_edit, *(article.published_at for article in articles)),
    )


def select_comments(*, year: str, month: str, day: str, slug: str) -> CommentSelection:
    """A published article (404 otherwise) and the newest comments readers see under it:
    replies too, each with the comment it answers."""
    article = get_object_or_404(
        Article.objects.published().dated(year, month, day).select_related("source"), slug=slug
    )
    comments = list(
        article.comments.visible()
        .select_related("parent")
        .only(
            "id",
            "user_name",
            "html",
            "created",
            "status_changed",
            "article_id",
            "parent__id",
            "parent__user_name",
            "parent__created",
        )
        .order_by("-created", "-id")[:COMMENTS_FEED_LENGTH]
    )
    # The newest comment readers see is the feed's first; a comment leaving the feed (held,
    # removed, or coming back) moves its status_changed: the newest of those is one step
    # down an index, however many comments the article has.
    status_changed = (
        article.comments.filter(status_changed__isnull=False)
        .order_by("-status_changed")
        .values_list("status_changed", flat=True)
        .first()
    )
    return CommentSelection(
        article=article,
        comments=comments,
        last_modified=_newest(
            article.modified, comments[0].created if comments else None, status_changed
        ),
    )


def _newest(*moments: datetime.datetime | None) -> datetime.datetime:
    known = [moment for moment in moments if moment is not None]
    # Never in the future: a scheduled article is not in the feed yet.
    return min(max(known), timezone.now()) if known else timezone.now()


def absolute_html(html: str, base_url: str) -> str:
    """Make every relative href and src in sanitized HTML absolute, against `base_url`
    (the page the HTML appears on): feed readers and mail clients have no base."""

    def fix_attribute(match: re.Match) -> str:
        return (
            match.group(1)
            + escape(urljoin(base_url, html_module.unescape(match.group(2))))
            + match.group(3)
        )

    def fix_tag(match: re.Match) -> str:
        return _URL_ATTRIBUTE.sub(fix_attribute, match.group(0))

    return _START_TAG.sub(fix_tag, html)


def html_to_text(html: str) -> str:
    """Sanitized HTML as plain text: without its tags it is still escaped (&amp;), and
    plain text is not."""
    return html_module.unescape(strip_tags(html))


def summary_text(article: Article) -> str:
    """The article's summary as plain text; the start of its text when it has none."""
    if article.summary.strip():
        return article.summary.strip()
    return Truncator(html_to_text(article.body)).words(SUMMARY_WORDS)


def summary_html(article: Article) -> str:
    """The summary as HTML (what RSS descriptions and Atom summaries hold): only what HTML
    needs escaped is, so quotes and apostrophes stay as they are."""
    text = summary_text(article)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def content_html(article: Article, base_url: str) -> str:
    """The full text as the article page shows it (dateline first), with absolute URLs."""
    dateline = f"<p><strong>{escape(article.dateline)}</strong> —</p>" if article.dateline else ""
    return absolute_html(dateline + article.body, base_url)


def credit(article: Article) -> str:
    """Who the article is by: the byline, else the agency, else the carrier, else us."""
    source_name = article.source.name if article.source else ""
    return article.byline or source_name or article.publisher or settings.SITE_NAME


def _tag_authority(host: str) -> str:
    # A tag URI names a domain without a port (RFC 4151).
    return host.rsplit(":", 1)[0] if not host.endswith("]") else host


def article_guid(article: Article, host: str) -> str:
    """A tag URI that survives edits, slug changes and new publication dates: the day in it
    is when the article was created here, when the site certainly owned the host."""
    day = timezone.localtime(article.created).date().isoformat()
    return f"tag:{_tag_authority(host)},{day}:/articles/{article.pk}"


def comment_guid(comment: Comment, host: str) -> str:
    day = timezone.localtime(comment.created).date().isoformat()
    return f"tag:{_tag_authority(host)},{day}:/comments/{comment.pk}"


def article_updated(article: Article) -> datetime.datetime:
    """When the story last changed for readers: its revision time, else publication."""
    return article.updated_at or article.published_at
