"""How many comments readers see under an article, kept instead of counted (CommentTally).

Every change to what readers see goes through kept(): it locks the threads the change
touches, counts what readers see of them before and after, and moves the article's tally by
the difference, in the change's transaction. A thread is a top-level comment and its replies,
so the counts are small whatever the article's size. An article without a tally row (one
whose comments nobody has changed through the services yet) is counted by its readers, in the
same one query, until a change stores the count."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from articles.models import Article
from comments.models import Comment, CommentTally


@dataclass(frozen=True)
class Counts:
    shown: int  # every comment a reader sees, replies included: "24 comments"
    top_level: int  # what pages of comments are made of


def _count_subquery(article_id: int, *, top_level: bool) -> Subquery:
    visible = Comment.objects.filter(article_id=article_id).visible()
    if top_level:
        visible = visible.top_level()
    counted = visible.order_by().values("article_id").annotate(n=Count("id")).values("n")
    return Subquery(counted, output_field=IntegerField())


def counts(article_id: int) -> Counts:
    """The article's counts in one query: its tally, or (no tally yet) a count. The count
    subqueries run only when the tally is missing (COALESCE stops at the first value)."""
    tally = CommentTally.objects.filter(article_id=OuterRef("pk"))
    row = (
        Article.objects.filter(pk=article_id)
        .annotate(
            shown=Coalesce(
                Subquery(tally.values("shown")),
                _count_subquery(article_id, top_level=False),
                0,
            ),
            top=Coalesce(
                Subquery(tally.values("top_level")),
                _count_subquery(article_id, top_level=True),
                0,
            ),
        )
        .values_list("shown", "top")
        .first()
    )
    return Counts(*row) if row is not None else Counts(0, 0)


def _counted(queryset) -> Counts:
    found = queryset.visible().aggregate(
        shown=Count("id"), top_level=Count("id", filter=Q(parent__isnull=True))
    )
    return Counts(found["shown"], found["top_level"])


def recount(article_id: int) -> Counts:
    """Count the article's comments and store the tally: for an article whose tally is not
    kept yet, or after comments were written without the services (generate_comments)."""
    found = _counted(Comment.objects.filter(article_id=article_id))
    CommentTally.objects.update_or_create(
        article_id=article_id, defaults={"shown": found.shown, "top_level": found.top_level}
    )
    return found


def _in_threads(heads: set[int]) -> Counts:
    return _counted(Comment.objects.filter(Q(pk__in=heads) | Q(parent_id__in=heads)))


def add(article_id: int, *, shown: int, top_level: int) -> None:
    """Move the article's tally; the first change on an article stores its count."""
    if not (shown or top_level):
        return
    moved = CommentTally.objects.filter(article_id=article_id).update(
        shown=F("shown") + shown, top_level=F("top_level") + top_level
    )
    if not moved:
        recount(article_id)  # counts the change too: it is already written


def threads_of(comment_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(article id, top-level comment id) of each comment's thread, in one query."""
    return [
        (article_id, parent_id or pk)
        for pk, article_id, parent_id in Comment.objects.filter(
            pk__in=list(comment_ids)
        ).values_list("pk", "article_id", "parent_id")
    ]


def thread_of(comment: Comment) -> tuple[int, int]:
    return comment.article_id, comment.parent_id or comment.pk


@contextmanager
def kept(threads: Iterable[tuple[int, int]]) -> Iterator[None]:
    """Around a change (inside its transaction) to comments of these threads ((article id,
    top-level comment id) pairs, threads_of()): the articles' tallies move by what the
    change showed or hid. The threads' top-level comments are locked first, so two changes
    in one thread are counted one after the other."""
    by_article: dict[int, set[int]] = {}
    for article_id, head in threads:
        by_article.setdefault(article_id, set()).add(head)
    heads = sorted(set().union(*by_article.values())) if by_article else []
    if heads:
        locked = Comment.objects.select_for_update().filter(pk__in=heads).order_by("pk")
        list(locked.values_list("pk"))
    before = {article_id: _in_threads(h) for article_id, h in by_article.items()}
    yield
    for article_id, h in by_article.items():
        after = _in_threads(h)
        add(
            article_id,
            shown=after.shown - before[article_id].shown,
            top_level=after.top_level - before[article_id].top_level,
        )
