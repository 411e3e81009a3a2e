"""Where a published comment appears under its article: pages of COMMENTS_PER_PAGE, oldest
first or, with ?order=newest, newest first. The article page, the redirect after posting and
the comments feed all link by these."""

import math

from django.conf import settings
from django.http import QueryDict

PAGE_PARAMETER = "cpage"
ORDER_PARAMETER = "order"
NEWEST = "newest"  # the one value of ?order=; anything else is the default, oldest first


def newest_first(params: QueryDict) -> bool:
    return params.get(ORDER_PARAMETER) == NEWEST


def ordering(*, newest: bool) -> list[str]:
    """How a list of comments is ordered: as the model's Meta, or reversed."""
    return ["-created", "-id"] if newest else ["created", "id"]


def page_number(position: int) -> int:
    """The page that shows the published comment at this 1-based position, oldest first."""
    return max(1, math.ceil(position / settings.COMMENTS_PER_PAGE))


def position_of(comment, *, newest: bool = False) -> int:
    """The comment's 1-based position among its article's published comments, oldest
    first (or newest first)."""
    published = type(comment).objects.published().filter(article_id=comment.article_id)
    if newest:
        before = published.filter(created__gte=comment.created).exclude(
            created=comment.created, id__lt=comment.id
        )
    else:
        before = published.filter(created__lte=comment.created).exclude(
            created=comment.created, id__gt=comment.id
        )
    return before.count()


def comment_url(article_url: str, comment_id: int, page: int, *, newest: bool = False) -> str:
    """The address of a comment on its page under the article."""
    query = QueryDict(mutable=True)
    if page > 1:
        query[PAGE_PARAMETER] = str(page)
    if newest:
        query[ORDER_PARAMETER] = NEWEST
    return f"{article_url}{'?' + query.urlencode() if query else ''}#c{comment_id}"


def listing_query(params: QueryDict) -> str:
    """The query string ("?cpage=2&order=newest", or "") of the comment page `params` ask
    for, without anything else: where a reader who sent the form from that page goes back."""
    query = QueryDict(mutable=True)
    try:
        page = int(params.get(PAGE_PARAMETER, ""))
    except ValueError:
        page = 1
    if page > 1:
        query[PAGE_PARAMETER] = str(page)
    if newest_first(params):
        query[ORDER_PARAMETER] = NEWEST
    return f"?{query.urlencode()}" if query else ""
