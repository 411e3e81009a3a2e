"""The digest: which articles the next issue carries, its subject, and its text and HTML
bodies (absolute links, rendered once per issue)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article
from newsletter.models import Issue
from portal import placeholders

SUBJECT_MAX = 200


def one_line(text: str, limit: int = SUBJECT_MAX) -> str:
    """Text made safe for a header: whitespace (CR and LF included) folded to single spaces,
    control characters dropped, cut to `limit` characters."""
    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def last_issue(*, other_than: Issue | None = None) -> Issue | None:
    issues = Issue.objects.order_by("-covers_until", "-id")
    if other_than is not None:
        issues = issues.exclude(pk=other_than.pk)
    return issues.first()


def articles_for_next_issue(*, issue: Issue | None = None) -> QuerySet[Article]:
    """Published articles the last issue (before `issue`, when given) did not cover, newest
    first, at most NEWSLETTER_MAX_ARTICLES."""
    articles = Article.objects.published()
    previous = last_issue(other_than=issue)
    if previous is not None:
        articles = articles.filter(published_at__gt=previous.covers_until)
    articles = articles.select_related("source").order_by("-published_at", "-id")
    return articles[: settings.NEWSLETTER_MAX_ARTICLES]


def subject_for(articles: list[Article], *, now: datetime) -> str:
    day = timezone.localtime(now).date()
    lead = articles[0].headline
    more = f" and {len(articles) - 1} more" if len(articles) > 1 else ""
    return one_line(f"{settings.SITE_NAME} digest, {day:%-d %B %Y}: {lead}{more}")


class _NothingNew(Exception):
    pass


def compose_issue(*, actor=None, now: datetime | None = None) -> Issue | None:
    """A new issue, SENDING, of what was published since the last one; None when there is
    nothing. Raises IntegrityError while another issue is being sent (one_issue_sending)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # The row first: it takes the one "sending" place (a concurrent caller waits on
            # it, then fails), and what it carries is chosen after every earlier issue.
            issue = Issue.objects.create(
                subject="",
                covers_until=now,
                created=now,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
            articles = list(articles_for_next_issue(issue=issue))
            if not articles:
                raise _NothingNew
            issue.subject = subject_for(articles, now=now)
            # The newest article carried, not the clock: an article that becomes published
            # while this runs is after it, so the next issue carries it.
            issue.covers_until = max(article.published_at for article in articles)
            issue.save(update_fields=["subject", "covers_until"])
            issue.articles.set(articles)
    except _NothingNew:
        return None
    return issue


def issue_articles(issue: Issue) -> list[Article]:
    return list(issue.articles.published().select_related("source").order_by("-published_at"))


@dataclass(frozen=True)
class Bodies:
    """An issue rendered once; `unsubscribe` marks where each subscriber's own link goes."""

    text: str
    html: str
    unsubscribe: str

    def for_subscriber(self, unsubscribe_url: str) -> "Bodies":
        return Bodies(
            text=placeholders.fill(self.text, {self.unsubscribe: unsubscribe_url}),
            html=placeholders.fill(self.html, {self.unsubscribe: escape(unsubscribe_url)}),
            unsubscribe="",  # nothing left to fill in
        )


@dataclass(frozen=True)
class Preview:
    """The next issue as it would be composed now, not saved: for the editor to check."""

    issue: Issue  # unsaved
    articles: list[Article]

    @property
    def article_ids(self) -> list[int]:
        return [article.pk for article in self.articles]


def preview_next_issue(*, now: datetime | None = None) -> Preview | None:
    """What compose_issue() would make now; None when there is nothing new."""
    now = now or timezone.now()
    articles = list(articles_for_next_issue())
    if not articles:
        return None
    issue = Issue(subject=subject_for(articles, now=now), covers_until=now, created=now)
    return Preview(issue, articles)


def render_issue(issue: Issue, articles: list[Article] | None = None) -> Bodies:
    """The issue's text and HTML, with a marker for each reader's unsubscribe link.
    `articles` for an issue not saved yet (a preview)."""
    articles = issue_articles(issue) if articles is None else articles
    items = [
        {"article": article, "url": settings.SITE_URL + article.get_absolute_url()}
        for article in articles
    ]
    archive = issue.get_absolute_url() if issue.pk else reverse("newsletter:archive")
    context = {
        "issue": issue,
        "items": items,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "archive_url": settings.SITE_URL + archive,
        "unsubscribe_url": (marker := placeholders.new_marker()),
    }
    return Bodies(
        text=render_to_string("newsletter/email/issue.txt", context),
        html=render_to_string("newsletter/email/issue.html", context),
        unsubscribe=marker,
    )
