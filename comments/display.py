"""What the comments template tags show of an article's comments: one page of published
ones (oldest or newest first) with their count in words, and the form. A fixed number of
queries whatever the number of comments; the reader's remembered name."""

from django import forms
from django.conf import settings
from django.core import signing
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from articles.models import Article
from comments import pages
from comments.forms import CommentForm, clean_user_name
from portal import pagecache

NAME_COOKIE = "comment_name"
NAME_COOKIE_SALT = "comments.name-cookie"


class CommentPaginator(Paginator):
    """Always asks for one page of comments, even past the end or when there are none, so
    the article page makes the same queries whatever the number of comments."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


def comment_page(request: HttpRequest | None, article: Article) -> Page:
    """The page of `article`'s published comments this request asks for (?cpage=, in the
    ?order= it asks for). Built once per request, so the count and the list tags share one
    count query."""
    shown = getattr(request, "_comment_pages", None)
    if shown is None:
        shown = {}
        if request is not None:
            request._comment_pages = shown
    if article.pk not in shown:
        newest = request is not None and pages.newest_first(request.GET)
        published = (
            article.comments.published()
            .only("id", "user_name", "html", "created", "article_id")
            .order_by(*pages.ordering(newest=newest))
        )
        paginator = CommentPaginator(published, settings.COMMENTS_PER_PAGE)
        number = request.GET.get(pages.PAGE_PARAMETER) if request is not None else None
        page = paginator.get_page(number)
        page.paginator.count  # noqa: B018 -- count now, once, for both tags
        shown[article.pk] = page
    return shown[article.pk]


def count_label(count: int) -> str:
    """How many comments, in words: "No comments yet", "1 comment", "24 comments"."""
    if count == 0:
        return "No comments yet"
    return ngettext("%(count)s comment", "%(count)s comments", count) % {"count": f"{count:,}"}


def is_closed(article: Article) -> bool:
    return article.comment_mode == Article.CommentMode.CLOSED


def is_premoderated(article: Article) -> bool:
    return article.comment_mode == Article.CommentMode.PREMODERATED


def new_form(request: HttpRequest | None, article: Article) -> CommentForm:
    """An empty form for `article`. On a page rendered for the page cache, each visitor's
    own name and form timestamp are filled in per request (see ready() in comments/apps.py)."""
    name = timestamp = None
    if request is not None:
        name = pagecache.placeholder(request, "comment-name")
        timestamp = pagecache.placeholder(request, "comment-timestamp", article.pk)
    initial = {"user_name": remembered_name(request) if name is None else name}
    if timestamp is not None:
        initial["timestamp"] = timestamp
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
