"""What the article page shows of its comments: one page of published ones, the count,
and the form. A fixed number of queries whatever the number of comments."""

from django import forms
from django.conf import settings
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from articles.models import Article
from comments.forms import CommentForm, clean_user_name
from comments.pages import PAGE_PARAMETER
from portal import pagecache

NAME_COOKIE = "comment_name"
NAME_COOKIE_SALT = "comments.name-cookie"


def comments_scope(slug: str) -> str:
    """The page-cache scope of one article's comments (see portal.pagecache)."""
    return f"comments:{slug}"


class CommentPaginator(Paginator):
    """Always asks for one page of comments, even past the end or when there are none, so
    the article page makes the same queries whatever the number of comments."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


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


def remembered_name(request: HttpRequest) -> str:
    """The name remember_name() kept, or "" (no cookie, or one this site did not sign)."""
    if NAME_COOKIE not in request.COOKIES:
        return ""
    try:
        return clean_user_name(signing.loads(request.COOKIES[NAME_COOKIE], salt=NAME_COOKIE_SALT))
    except (signing.BadSignature, forms.ValidationError, TypeError, AttributeError):
        return ""


def comments_context(
    request: HttpRequest,
    article: Article,
    *,
    form: CommentForm | None = None,
) -> dict:
    published = article.comments.published().only(
        "id", "user_name", "html", "created", "article_id"
    )
    paginator = CommentPaginator(published, settings.COMMENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get(PAGE_PARAMETER))
    if form is None and article.comment_mode != Article.CommentMode.CLOSED:
        # On a page rendered for the page cache, each visitor's own name and form timestamp
        # are filled in per request (see ready() in comments/apps.py).
        name = pagecache.placeholder(request, "comment-name")
        timestamp = pagecache.placeholder(request, "comment-timestamp", article.pk)
        initial = {"user_name": remembered_name(request) if name is None else name}
        if timestamp is not None:
            initial["timestamp"] = timestamp
        form = CommentForm(article=article, initial=initial)
    return {
        "comment_page": page,
        "comment_count": paginator.count,
        "comment_form": form,
        "comments_closed": article.comment_mode == Article.CommentMode.CLOSED,
        "comments_premoderated": article.comment_mode == Article.CommentMode.PREMODERATED,
    }
