"""Where a published comment appears under its article: pages of COMMENTS_PER_PAGE, oldest
first. The article page, the redirect after posting and the comments feed all link by these."""

import math

from django.conf import settings
from django.http import QueryDict

PAGE_PARAMETER = "cpage"


def page_number(position: int) -> int:
    """The page that shows the published comment at this 1-based position, oldest first."""
    return max(1, math.ceil(position / settings.COMMENTS_PER_PAGE))


def position_of(comment) -> int:
    """The comment's 1-based position among its article's published comments."""
    return (
        type(comment)
        .objects.published()
        .filter(article_id=comment.article_id, created__lte=comment.created)
        .exclude(created=comment.created, id__gt=comment.id)
        .count()
    )


def comment_url(article_url: str, comment_id: int, page: int) -> str:
    """The address of a comment on its page under the article."""
    query = f"?{PAGE_PARAMETER}={page}" if page > 1 else ""
    return f"{article_url}{query}#c{comment_id}"


def listing_query(params: QueryDict) -> str:
    """The query string ("?cpage=2", or "") of the comment page `params` ask for, without
    anything else: where a reader who sent the form from that page is sent back."""
    query = QueryDict(mutable=True)
    try:
        page = int(params.get(PAGE_PARAMETER, ""))
    except ValueError:
        page = 1
    if page > 1:
        query[PAGE_PARAMETER] = str(page)
    return f"?{query.urlencode()}" if query else ""
