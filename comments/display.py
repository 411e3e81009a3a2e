"""What the article page shows of its comments: one page of published ones, the count,
and the form. A fixed number of queries whatever the number of comments."""

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.html import escape

from articles.models import Article
from comments.forms import CommentForm, clean_user_name, sign_timestamp
from comments.pages import PAGE_PARAMETER

NAME_COOKIE = "comment_name"
NAME_PLACEHOLDER = "pagecache-comment-name-5b2e"
TIMESTAMP_PLACEHOLDER = "pagecache-comment-timestamp-8c4f"

# What portal.pagecache fills into a cached article page for each visitor.
COMMENT_FORM_FILLERS = {
    NAME_PLACEHOLDER: lambda request, meta: escape(remembered_name(request)),
    TIMESTAMP_PLACEHOLDER: lambda request, meta: sign_timestamp(meta["article"]),
}


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


def remembered_name(request: HttpRequest) -> str:
    if NAME_COOKIE not in request.COOKIES:
        return ""
    try:
        return clean_user_name(request.COOKIES[NAME_COOKIE])
    except forms.ValidationError:
        return ""


def comments_context(
    request: HttpRequest,
    article: Article,
    *,
    form: CommentForm | None = None,
    placeholders: bool = False,
) -> dict:
    published = article.comments.published().only(
        "id", "user_name", "html", "created", "article_id"
    )
    paginator = CommentPaginator(published, settings.COMMENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get(PAGE_PARAMETER))
    if form is None and article.comment_mode != Article.CommentMode.CLOSED:
        if placeholders:
            initial = {"user_name": NAME_PLACEHOLDER, "timestamp": TIMESTAMP_PLACEHOLDER}
        else:
            initial = {"user_name": remembered_name(request)}
        form = CommentForm(article=article, initial=initial)
    return {
        "comment_page": page,
        "comment_count": paginator.count,
        "comment_form": form,
        "comments_closed": article.comment_mode == Article.CommentMode.CLOSED,
        "comments_premoderated": article.comment_mode == Article.CommentMode.PREMODERATED,
    }
