"""Where a published comment appears under its article: pages of COMMENTS_PER_PAGE top-level
comments, oldest first or, with ?order=newest, newest first, each with its replies under it.
The article page, the redirect after posting and the comments feed all link by these."""

import math

from django.conf import settings
from django.db.models import Count, Q
from django.http import QueryDict

from comments import tallies
from comments.models import Comment

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


def _up_to(created, pk: int, *, newest: bool) -> Q:
    """Comments that come before the one created at `created` with `pk`, or are it."""
    if newest:
        return Q(created__gt=created) | Q(created=created, id__gte=pk)
    return Q(created__lt=created) | Q(created=created, id__lte=pk)


def _head(comment):
    """The top-level comment a comment is shown under: itself, or a reply's parent."""
    return comment.parent if comment.parent_id else comment


def position_of(comment, *, newest: bool = False) -> int:
    """The 1-based position, among its article's published top-level comments (oldest
    first, or newest first), of the comment or, for a reply, of the comment it replies to:
    pages count top-level comments, and replies are shown under theirs.

    Counted from the newest end, which is where the comments asked about (one just
    posted, the feed's) are: oldest first, the position is the article's tally of
    top-level comments less those after it."""
    head = _head(comment)
    top_level = Comment.objects.published().top_level().filter(article_id=comment.article_id)
    from_newest = top_level.filter(_up_to(head.created, head.pk, newest=True)).count()
    if newest:
        return from_newest
    return max(tallies.counts(comment.article_id).top_level - from_newest + 1, 1)


def pages_of(comments: list, article_id: int) -> dict[int, int]:
    """The page (oldest first) of each comment of one article, in two queries whatever
    their number (replies need their parent loaded): counted from the newest end, as
    position_of() does."""
    heads = {_head(comment) for comment in comments}
    if not heads:
        return {}
    top_level = Comment.objects.published().top_level().filter(article_id=article_id)
    # Only the range from the oldest of them on is read, not the article's every comment.
    oldest = min(heads, key=lambda head: (head.created, head.pk))
    top_level = top_level.filter(_up_to(oldest.created, oldest.pk, newest=True))
    found = top_level.aggregate(
        **{
            f"h{head.pk}": Count("id", filter=_up_to(head.created, head.pk, newest=True))
            for head in heads
        }
    )
    total = tallies.counts(article_id).top_level
    return {
        comment.pk: page_number(max(total - (found[f"h{_head(comment).pk}"] or 1) + 1, 1))
        for comment in comments
    }


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
