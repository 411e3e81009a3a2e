"""What the comments template tags show of an article's comments: one page of published
ones (oldest or newest first) with their count in words, and the form. A fixed number of
queries whatever the number of comments; the reader's remembered name."""

from django import forms
from django.conf import settings
from django.core import signing
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.translation import ngettext

from articles.models import Article
from comments import pages
from comments.forms import CommentForm, clean_user_name
from comments.models import Comment

NAME_COOKIE = "comment_name"
NAME_COOKIE_SALT = "comments.name-cookie"


SHOWN_FIELDS = ("id", "user_name", "html", "created", "article_id", "parent_id")


class CommentPaginator(Paginator):
    """Pages of top-level comments, each with its published replies. Always asks for one
    page, even past the end or when there are none, so the article page makes the same
    queries whatever the number of comments and replies: one count, one page."""

    def __init__(self, top_level, per_page, *, visible, newest: bool):
        super().__init__(top_level, per_page)
        self.visible = visible  # every comment a reader sees, replies too: for the total
        self.newest = newest

    @cached_property
    def _counts(self) -> dict:
        return self.visible.aggregate(
            total=Count("id"), top_level=Count("id", filter=Q(parent__isnull=True))
        )

    @cached_property
    def count(self) -> int:
        """Top-level comments: what the pages are made of."""
        return self._counts["top_level"]

    @cached_property
    def total(self) -> int:
        """Every comment shown under the article, replies included: "24 comments"."""
        return self._counts["total"]

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        shown = self.object_list.values("pk")[bottom : bottom + self.per_page]
        return self._get_page(_with_replies(shown, newest=self.newest), number, self)


def _with_replies(shown: QuerySet, *, newest: bool) -> list[Comment]:
    """The top-level comments `shown` (a sliced queryset of their ids), oldest or newest
    first, each with its published replies, oldest first, in `.shown_replies`: one query."""
    rows = list(
        Comment.objects.published()
        .filter(Q(pk__in=shown) | Q(parent__in=shown))
        .only(*SHOWN_FIELDS)
        .order_by("created", "id")
    )
    heads = [row for row in rows if row.parent_id is None]
    by_id = {head.pk: head for head in heads}
    for head in heads:
        head.shown_replies = []
    for row in rows:
        if row.parent_id is not None:
            row.parent = by_id[row.parent_id]
            by_id[row.parent_id].shown_replies.append(row)
    if newest:
        heads.reverse()
    return heads


def comment_page(request: HttpRequest | None, article: Article) -> Page:
    """The page of `article`'s published top-level comments this request asks for
    (?cpage=, in the ?order= it asks for), with their replies. Built once per request, so
    the count and the list tags share one count query."""
    shown = getattr(request, "_comment_pages", None)
    if shown is None:
        shown = {}
        if request is not None:
            request._comment_pages = shown
    if article.pk not in shown:
        newest = request is not None and pages.newest_first(request.GET)
        top_level = (
            article.comments.published().top_level().order_by(*pages.ordering(newest=newest))
        )
        paginator = CommentPaginator(
            top_level,
            settings.COMMENTS_PER_PAGE,
            visible=article.comments.visible(),
            newest=newest,
        )
        number = request.GET.get(pages.PAGE_PARAMETER) if request is not None else None
        page = paginator.get_page(number)
        shown[article.pk] = page
    return shown[article.pk]


def comment_count(article: Article) -> int:
    """How many comments readers see under `article`, replies included."""
    return article.comments.visible().count()


def count_label(count: int) -> str:
    """How many comments, in words: "No comments yet", "1 comment", "24 comments"."""
    if count == 0:
        return "No comments yet"
    return ngettext("%(count)s comment", "%(count)s comments", count) % {"count": f"{count:,}"}


def is_closed(article: Article) -> bool:
    return article.comment_mode == Article.CommentMode.CLOSED


def is_premoderated(article: Article) -> bool:
    return article.comment_mode == Article.CommentMode.PREMODERATED


def new_form(
    request: HttpRequest | None, article: Article, *, reply_to: int | None = None
) -> CommentForm:
    """An empty form for `article` (a reply to comment `reply_to`, when given), with the
    reader's remembered name (the name cookie is part of a shared cache's key:
    portal.http_cache) and a token made now, which a shared cache's copy hands to every
    reader of that copy (the form's idempotency key tells their sends apart)."""
    initial = {"user_name": remembered_name(request)}
    if reply_to is not None:
        initial["reply_to"] = reply_to
    return CommentForm(article=article, initial=initial)


def remember_name(response: HttpResponse, name: str, *, secure: bool) -> None:
    """Keep the reader's name for their next comment. A header carries only Latin-1, and
    names are any script: the cookie holds the name JSON-encoded, base64'd and signed."""
    response.set_cookie(
        NAME_COOKIE,
        signing.dumps(name, salt=NAME_COOKIE_SALT),
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=secure,
    )


def remembered_name(request: HttpRequest | None) -> str:
    """The name remember_name() kept, or "" (no cookie, or one this site did not sign)."""
    if request is None or NAME_COOKIE not in request.COOKIES:
        return ""
    try:
        return clean_user_name(signing.loads(request.COOKIES[NAME_COOKIE], salt=NAME_COOKIE_SALT))
    except (signing.BadSignature, forms.ValidationError, TypeError, AttributeError):
        return ""
