"""What the comments template tags show of an article's comments: one page of published
ones (oldest or newest first) with their count in words, and the form. A fixed number of
queries whatever the number of comments; the reader's remembered name."""

import functools
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.core import signing
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import ngettext

from articles.models import Article
from comments import pages, tallies
from comments.forms import CommentForm, clean_user_name
from comments.models import Comment

NAME_COOKIE = "comment_name"
NAME_COOKIE_SALT = "comments.name-cookie"


SHOWN_FIELDS = ("id", "user_name", "html", "created", "article_id", "parent_id")


class CommentPaginator(Paginator):
    """Pages of top-level comments, each with its published replies. Always asks for one
    page, even past the end or when there are none, so the article page makes the same
    queries whatever the number of comments and replies: the counts (the article's tally,
    comments.tallies), then one page.

    A page in the later half is read from the other end of the index (in the reverse
    order, skipping the pages after it), so the last pages cost what the first ones do and
    no page skips more than half of the article's comments."""

    def __init__(
        self, top_level, per_page, *, article_id: int, article_url: Callable[[], str], newest: bool
    ):
        super().__init__(top_level, per_page)
        self.article_id = article_id
        self.article_url = article_url
        self.newest = newest

    def _check_object_list_is_ordered(self):
        # Always ordered (pages.ordering); and the check would build the lazy querysets
        # comment_paginator hands in, which a page served from the fragment cache never
        # needs.
        pass

    @cached_property
    def _counts(self) -> tallies.Counts:
        return tallies.counts(self.article_id)

    @cached_property
    def count(self) -> int:
        """Top-level comments: what the pages are made of."""
        return self._counts.top_level

    @cached_property
    def total(self) -> int:
        """Every comment shown under the article, replies included: "24 comments"."""
        return self._counts.shown

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        next_from = None
        if bottom > self.count - top:
            # Nearer the end: as many rows from the end, in the reverse order.
            reverse = self.object_list.reverse().values("pk")
            heads = _with_replies(
                reverse[max(self.count - top, 0) : self.count - bottom], newest=self.newest
            )
        else:
            # One more: the first of the next page, which its link starts from.
            shown = self.object_list.values("pk")[bottom : bottom + self.per_page + 1]
            heads = _with_replies(shown, newest=self.newest)
            if len(heads) > self.per_page:
                next_from = heads.pop().pk
        return CommentPage(
            heads,
            self,
            number=number,
            has_previous=number > 1,
            has_next=number < self.num_pages,
            next_from=next_from,
        )

    def cursor_ids(self, cursor: pages.Cursor) -> QuerySet:
        """The ids of the top-level comments of the page from the cursor's comment on, or
        just before it, nearest to the cursor first: a range of the top-level index entered
        at that comment's time, PER_PAGE + 1 of them (to know whether there are more)."""
        created = Subquery(self._cursor_place(cursor))
        # Which way along (created, id) the page lies from the cursor's comment.
        if cursor.before == self.newest:
            beyond = Q(created__gt=created) | (
                Q(id__gt=cursor.comment_id) if cursor.before else Q(id__gte=cursor.comment_id)
            )
            ordered = self.object_list.filter(Q(created__gte=created), beyond)
            ordered = ordered.order_by("created", "id")
        else:
            beyond = Q(created__lt=created) | (
                Q(id__lt=cursor.comment_id) if cursor.before else Q(id__lte=cursor.comment_id)
            )
            ordered = self.object_list.filter(Q(created__lte=created), beyond)
            ordered = ordered.order_by("-created", "-id")
        return ordered.values("pk")[: self.per_page + 1]

    def _cursor_place(self, cursor: pages.Cursor) -> QuerySet:
        # No ordering: one row by its primary key.
        return (
            Comment.objects.filter(
                pk=cursor.comment_id, article_id=self.article_id, parent__isnull=True
            )
            .order_by()
            .values("created")
        )

    def cursor_page(self, cursor: pages.Cursor):
        """The page from the cursor's comment on, or just before it, in the reading order
        (cursor_ids), however deep it is. A cursor that is not a top-level comment of the
        article, or a range with nothing in it, gives a numbered page instead: the first,
        or the last when the cursor's comment has nothing after it."""
        heads = _with_replies(self.cursor_ids(cursor), newest=self.newest)
        if not heads:
            known = self._cursor_place(cursor).exists()
            return self.page(self.num_pages if known and not cursor.before else 1)
        more = len(heads) > self.per_page
        if cursor.before:
            if more:
                heads.pop(0)  # the one furthest back: there are earlier pages
            return CommentPage(
                heads,
                self,
                cursor=cursor,
                has_previous=more,
                has_next=True,
                next_from=cursor.comment_id,
            )
        next_from = heads.pop().pk if more else None
        return CommentPage(
            heads, self, cursor=cursor, has_previous=True, has_next=more, next_from=next_from
        )


class CommentPage(Page):
    """One page of top-level comments with their replies, asked for by number or by a
    cursor (then `number` is None), and the links of its navigation (pages.navigation)."""

    def __init__(
        self,
        object_list,
        paginator: CommentPaginator,
        *,
        number: int | None = None,
        cursor: pages.Cursor | None = None,
        has_previous: bool,
        has_next: bool,
        next_from: int | None,
    ):
        super().__init__(object_list, number, paginator)
        self.cursor = cursor
        self._has_previous = has_previous
        self._has_next = has_next
        self.next_from = next_from

    def has_previous(self) -> bool:
        return self._has_previous

    def has_next(self) -> bool:
        return self._has_next

    def links(self) -> list[pages.PageLink]:
        first = self.object_list[0] if self.object_list else None
        return pages.navigation(
            article_url=self.paginator.article_url(),
            number=self.number,
            num_pages=max(self.paginator.num_pages, 1),
            newest=self.paginator.newest,
            first_id=first.pk if first is not None else None,
            next_from=self.next_from,
            has_previous=self.has_previous() and first is not None,
            has_next=self.has_next(),
            current_label=f"From {first.created_text}" if first is not None else "",
        )


def _with_replies(shown: QuerySet, *, newest: bool) -> list[Comment]:
    """The top-level comments `shown` (a sliced queryset of their ids), oldest or newest
    first, each with its published replies, oldest first, in `.shown_replies`: one query."""
    # Two index lookups in one query: an OR of the two would read the whole table.
    published = Comment.objects.published().only(*SHOWN_FIELDS).order_by()
    rows = list(
        published.filter(pk__in=shown)
        .union(published.filter(parent__in=shown), all=True)
        .order_by("created", "id")
    )
    for row in rows:
        prepare(row)
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


_ID = 987_654_321_987  # stands for a comment's id in a reversed URL


@functools.cache
def _url_pattern(name: str) -> str:
    return reverse(name, args=[_ID]).replace(str(_ID), "{}")


def prepare(comment: Comment) -> Comment:
    """What templates/comments/_comment.html shows of a comment, worked out once in Python:
    reversing two URLs and formatting two dates per comment in the template cost more than
    the rest of the comment."""
    created = timezone.localtime(comment.created)
    comment.created_iso = created.isoformat()  # the `date:"c"` filter's value
    comment.created_text = (
        f"{MONTHS_3[created.month].title()} {created.day}, {created.year}, {created:%H:%M}"
    )
    comment.report_url = _url_pattern("comments:report").format(comment.pk)
    comment.reply_url = _url_pattern("comments:reply").format(comment.pk)
    return comment


def comment_paginator(request: HttpRequest | None, article: Article) -> CommentPaginator:
    """The paginator of `article`'s published top-level comments in the ?order= this
    request asks for, once per request. Its counts come from fragments.comment_counts when
    that cache holds them, so a page whose HTML is cached makes no comment query at all."""
    from comments import fragments

    made = getattr(request, "_comment_paginators", None)
    if made is None:
        made = {}
        if request is not None:
            request._comment_paginators = made
    if article.pk not in made:
        newest = request is not None and pages.newest_first(request.GET)
        # Built only when used: building querysets costs more than a cached page's HTML.
        top_level = SimpleLazyObject(
            lambda: (
                article.comments.published().top_level().order_by(*pages.ordering(newest=newest))
            )
        )
        paginator = CommentPaginator(
            top_level,
            settings.COMMENTS_PER_PAGE,
            article_id=article.pk,
            article_url=article.get_absolute_url,  # only a page's links need it
            newest=newest,
        )
        # The first comment fragment this page reads: read the others with it.
        fragments.prefetch(request, article, closed=is_closed(article))
        fragments.comment_counts(request, article, paginator)
        made[article.pk] = paginator
    return made[article.pk]


def requested_page_number(request: HttpRequest | None, paginator: Paginator) -> int:
    """The page number get_page() shows for this request's ?cpage=: 1 for a value that is
    not a number, the last page for one out of range."""
    number = request.GET.get(pages.PAGE_PARAMETER) if request is not None else None
    try:
        return paginator.validate_number(number)
    except PageNotAnInteger:
        return 1
    except EmptyPage:
        return paginator.num_pages


def requested_page_key(request: HttpRequest | None, paginator: Paginator) -> str:
    """What names the page this request asks for among an article's comment pages (in
    one order): its cursor ("from123", "before123") or its number ("3")."""
    cursor = pages.requested_cursor(request.GET) if request is not None else None
    if cursor is not None:
        return str(cursor)
    return str(requested_page_number(request, paginator))


def comment_page(request: HttpRequest | None, article: Article) -> CommentPage:
    """The page of `article`'s published top-level comments this request asks for
    (?from=, ?before= or ?cpage=, in the ?order= it asks for), with their replies. Built
    once per request."""
    shown = getattr(request, "_comment_pages", None)
    if shown is None:
        shown = {}
        if request is not None:
            request._comment_pages = shown
    if article.pk not in shown:
        paginator = comment_paginator(request, article)
        cursor = pages.requested_cursor(request.GET) if request is not None else None
        if cursor is not None:
            shown[article.pk] = paginator.cursor_page(cursor)
        else:
            shown[article.pk] = paginator.page(requested_page_number(request, paginator))
    return shown[article.pk]


def comment_count(article: Article) -> int:
    """How many comments readers see under `article`, replies included."""
    return tallies.counts(article.pk).shown


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
    request: HttpRequest | None,
    article: Article,
    *,
    reply_to: int | None = None,
    name: str | None = None,
    token: str | None = None,
) -> CommentForm:
    """An empty form for `article` (a reply to comment `reply_to`, when given), with the
    reader's remembered name (the name cookie is part of a shared cache's key:
    portal.http_cache) and a token made now, which a shared cache's copy hands to every
    reader of that copy (the form's idempotency key tells their sends apart)."""
    initial = {"user_name": remembered_name(request) if name is None else name}
    if token is not None:
        initial["timestamp"] = token
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
