"""What the article page shows of its comments: one page of published ones, the count,
and the form. A fixed number of queries whatever the number of comments."""

import math

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest

from articles.models import Article
from comments.forms import CommentForm, clean_user_name
from comments.models import Comment

NAME_COOKIE = "comment_name"
PAGE_PARAMETER = "cpage"


def remembered_name(request: HttpRequest) -> str:
    try:
        return clean_user_name(request.COOKIES.get(NAME_COOKIE, ""))
    except forms.ValidationError:
        return ""


def comments_context(
    request: HttpRequest, article: Article, *, form: CommentForm | None = None
) -> dict:
    published = article.comments.published().only(
        "id", "user_name", "html", "created", "article_id"
    )
    paginator = Paginator(published, settings.COMMENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get(PAGE_PARAMETER))
    if form is None and article.comment_mode != Article.CommentMode.CLOSED:
        form = CommentForm(article=article, initial={"user_name": remembered_name(request)})
    return {
        "comment_page": page,
        "comment_count": paginator.count,
        "comment_form": form,
        "comments_closed": article.comment_mode == Article.CommentMode.CLOSED,
        "comments_premoderated": article.comment_mode == Article.CommentMode.PREMODERATED,
    }


def page_of(comment: Comment) -> int:
    """The page of the article's published comments (oldest first) that shows `comment`."""
    position = (
        Comment.objects.published()
        .filter(article_id=comment.article_id, created__lte=comment.created)
        .exclude(created=comment.created, id__gt=comment.id)
        .count()
    )
    return max(1, math.ceil(position / settings.COMMENTS_PER_PAGE))
