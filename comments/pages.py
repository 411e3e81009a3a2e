"""Where a published comment appears under its article: pages of COMMENTS_PER_PAGE top-level
comments, oldest first or, with ?order=newest, newest first, each with its replies under it.
The article page, the redirect after posting and the comments feed all link by these.

A page is asked for by number (?cpage=3) or by a cursor on the reading order: ?from=<id>,
the page that starts with that top-level comment, or ?before=<id>, the page that ends just
before it. Numbers are linked for the first and last NUMBERED pages only (read from the
nearer end of the index); every other page is reached by a cursor, an index range however
deep the page, so no link makes the database skip comments. A comment's own link is the
page from its top-level comment on: nothing is counted to find it."""

import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import QueryDict

from comments import tallies
from comments.models import Comment

PAGE_PARAMETER = "cpage"
ORDER_PARAMETER = "order"
NEWEST = "newest"  # the one value of ?order=; anything else is the default, oldest first
FROM_PARAMETER = "from"
BEFORE_PARAMETER = "before"
NUMBERED = 3  # the first and the last pages linked by their number
_MAX_ID_DIGITS = 18  # a larger number is no comment's id (and would overflow a bigint)


@dataclass(frozen=True)
class Cursor:
    """A page by its place in the reading order: from top-level comment `comment_id` on,
    or (`before`) the comments just before it."""

    comment_id: int
    before: bool = False

    @property
    def parameter(self) -> str:
        return BEFORE_PARAMETER if self.before else FROM_PARAMETER

    def __str__(self) -> str:
        return f"{self.parameter}{self.comment_id}"


def requested_cursor(params: QueryDict) -> Cursor | None:
    """The cursor ?from= or ?before= asks for; None when there is none, or when it is not
    an id (the page asked for by number, or the first page, is shown instead)."""
    for name, before in ((FROM_PARAMETER, False), (BEFORE_PARAMETER, True)):
        value = params.get(name)
        if value is not None:
            if value.isascii() and value.isdigit() and len(value) <= _MAX_ID_DIGITS:
                return Cursor(int(value), before=before)
            return None
    return None


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

    Counted from the newest end, which is where the comment asked about (one just posted)
    is: oldest first, the position is the article's tally of top-level comments less those
    after it. Reads every comment newer than it: for any other comment, link by
    comment_link()."""
    head = _head(comment)
    top_level = Comment.objects.published().top_level().filter(article_id=comment.article_id)
    from_newest = top_level.filter(_up_to(head.created, head.pk, newest=True)).count()
    if newest:
        return from_newest
    return max(tallies.counts(comment.article_id).top_level - from_newest + 1, 1)


def page_query(
    *, page: int = 1, cursor: Cursor | None = None, newest: bool = False, anchor: str = ""
) -> str:
    """The query string (and anchor) of a comment page: "?cpage=2&order=newest#comments",
    "?from=123#c130", or "" for the first page oldest first."""
    query = QueryDict(mutable=True)
    if cursor is not None:
        query[cursor.parameter] = str(cursor.comment_id)
    elif page > 1:
        query[PAGE_PARAMETER] = str(page)
    if newest:
        query[ORDER_PARAMETER] = NEWEST
    return f"{'?' + query.urlencode() if query else ''}{anchor}"


def comment_url(article_url: str, comment_id: int, page: int, *, newest: bool = False) -> str:
    """The address of a comment on its numbered page under the article."""
    return article_url + page_query(page=page, newest=newest, anchor=f"#c{comment_id}")


def comment_link(comment, article_url: str, *, newest: bool = False) -> str:
    """The address of a comment on the page that starts with it, or with the comment it
    replies to: one index lookup for the reader, nothing counted to make it."""
    head = comment.parent_id or comment.pk
    return article_url + page_query(cursor=Cursor(head), newest=newest, anchor=f"#c{comment.pk}")


def listing_query(params: QueryDict) -> str:
    """The query string ("?cpage=2&order=newest", "?from=123", or "") of the comment page
    `params` ask for, without anything else: where a reader who sent the form from that
    page goes back."""
    try:
        page = int(params.get(PAGE_PARAMETER, ""))
    except ValueError:
        page = 1
    return page_query(page=page, cursor=requested_cursor(params), newest=newest_first(params))


@dataclass(frozen=True)
class PageLink:
    """One item of the comment pages' navigation: a link, the current page (no url), or a
    gap (neither url nor current)."""

    label: str
    url: str = ""
    current: bool = False
    rel: str = ""
    aria_label: str = ""


def navigation(
    *,
    article_url: str,
    number: int | None,
    num_pages: int,
    newest: bool,
    first_id: int | None,
    next_from: int | None,
    has_previous: bool,
    has_next: bool,
    current_label: str = "",
) -> list[PageLink]:
    """The links of a comment page: earlier/newer by a cursor (by number among the first
    and last NUMBERED pages), the first and last NUMBERED pages by number, and the current
    page; `number` is None on a page asked for by a cursor."""
    numbered = {*range(1, min(NUMBERED, num_pages) + 1)}
    numbered |= {*range(max(num_pages - NUMBERED + 1, 1), num_pages + 1)}

    def link(page: int | None, cursor: Cursor | None) -> str:
        query = page_query(page=page or 1, cursor=cursor, newest=newest)
        # The first page oldest first has no query: its link is the article's address.
        return f"{query or article_url}#comments"

    items = []
    if has_previous:
        if number is not None and number - 1 in numbered:
            url = link(number - 1, None)
        else:
            url = link(None, Cursor(first_id, before=True))
        label = "Newer comments" if newest else "Earlier comments"
        items.append(PageLink(label, url=url, rel="prev"))
    # Page numbers, None for a gap. A page asked for by a cursor has no number (it would
    # take counting the comments before it) and is shown after the first pages.
    sequence: list[int | str | None] = []
    for page in sorted(numbered | ({number} if number is not None else set())):
        if sequence and page != sequence[-1] + 1:
            sequence.append(None)
        sequence.append(page)
    if number is None:
        at = sequence.index(min(NUMBERED, num_pages)) + 1
        if at < len(sequence) and sequence[at] is None:
            sequence[at] = "current"
        else:
            sequence.insert(at, "current")
    for page in sequence:
        if page is None:
            items.append(PageLink("…"))
        elif page == "current":
            items.append(PageLink(current_label, current=True))
        elif page == number:
            items.append(PageLink(str(page), current=True, aria_label=f"Page {page}"))
        else:
            items.append(PageLink(str(page), url=link(page, None), aria_label=f"Page {page}"))
    if has_next:
        if number is not None and (number + 1 in numbered or next_from is None):
            url = link(number + 1, None)
        else:
            url = link(None, Cursor(next_from))
        label = "Older comments" if newest else "Later comments"
        items.append(PageLink(label, url=url, rel="next"))
    return items
