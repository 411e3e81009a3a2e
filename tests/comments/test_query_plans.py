"""The key queries of the pages that must not slow down with a million comments are index
range scans in the order they are shown: no table scan, no sort, no count of the table.

On SQLite the plan is read with EXPLAIN QUERY PLAN; on PostgreSQL (DATABASE_URL) with
EXPLAIN and sequential scans, bitmap scans and sorts priced out, since a test table is small
enough for the planner to read it whole or sort it: the assertion is that an index serves
the query in its order."""

import re

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from comments import tallies, workspace
from comments.models import Comment

pytestmark = pytest.mark.django_db


def plan(queryset_or_sql) -> str:
    if isinstance(queryset_or_sql, tuple):
        sql, params = queryset_or_sql
    else:
        sql, params = queryset_or_sql.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " | ".join(str(row[-1]) for row in cursor.fetchall())
        if connection.vendor == "postgresql":
            # A test table is tiny and its statistics whatever the earlier tests left, so
            # the planner may read it whole, or through any index and sort the few rows.
            # Those plans priced out, a Sort left in the plan means no index gives the
            # query's order (at a million rows the planner picks the index by itself:
            # bench/million.py shows the plans).
            for setting in ("seqscan", "bitmapscan", "sort", "incremental_sort"):
                cursor.execute(f"SET LOCAL enable_{setting} = off")
            cursor.execute("EXPLAIN " + sql, params)
            return " | ".join(row[0] for row in cursor.fetchall())
    pytest.skip(f"no plan reader for {connection.vendor}")


def assert_ranged(found: str, index: str) -> None:
    assert index in found, found
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in found and "SCAN comments_comment " not in found, found
    else:
        assert "Sort" not in found and "Seq Scan on comments_comment" not in found, found


@pytest.fixture
def some_comments(make_comment, seed_article):
    head = make_comment()
    make_comment(parent=head)
    make_comment(status=Comment.Status.HELD)
    return seed_article


def top_level_ids(article, *, reverse: bool):
    ordered = article.comments.published().top_level().order_by("created", "id")
    if reverse:
        ordered = ordered.reverse()
    return ordered.values("pk")[: settings.COMMENTS_PER_PAGE]


@pytest.mark.parametrize("reverse", [False, True])
def test_a_page_of_comments_reads_the_top_level_index_from_either_end(some_comments, reverse):
    assert_ranged(plan(top_level_ids(some_comments, reverse=reverse)), "comment_top_level_idx")


def test_the_held_tab_is_a_range_of_the_held_queue_index(some_comments):
    held = workspace.TABS["held"].comments().values("pk")[: workspace.PER_PAGE + 1]
    assert_ranged(plan(held), "comment_held_queue_idx")


def test_the_counts_read_the_tally_and_count_nothing(some_comments):
    tallies.recount(some_comments.pk)
    with CaptureQueriesContext(connection) as captured:
        assert tallies.counts(some_comments.pk) == tallies.Counts(2, 1)
    assert len(captured) == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + captured[0]["sql"])
            found = " | ".join(row[0] for row in cursor.fetchall())
        # The counting subqueries are there for an article without a tally; with one,
        # PostgreSQL never runs them.
        assert found.count("(never executed)") >= 2, found


@pytest.mark.parametrize(
    ("field", "index"),
    [("user_name", "comment_name_history_idx"), ("client_key", "comment_client_history_idx")],
)
def test_a_cards_history_is_the_start_of_an_index_range(some_comments, field, index):
    """What a card reads of the commenter's history: the newest few, in the index's order,
    however long the history is (comments.workspace._history)."""
    history = Comment.objects.filter(**{field: "Reader"}).order_by("-created", "-id")
    assert_ranged(plan(history.values("pk")[4:5]), index)


def test_the_reported_tab_is_a_range_of_the_reported_queue_index(some_comments):
    reported = workspace.TABS["reported"].comments().values("pk")[: workspace.PER_PAGE + 1]
    assert_ranged(plan(reported), "comment_reported_queue_idx")


def cursor_page_ids(article, *, before: bool, newest: bool):
    """The ids the article page reads for a page asked for by a cursor (then it reads them
    with their replies, as for a numbered page)."""
    from comments import display, pages

    heads = article.comments.published().top_level()
    head = heads.last() if before != newest else heads.first()  # a page with comments in it
    paginator = display.CommentPaginator(
        article.comments.published().top_level().order_by(*pages.ordering(newest=newest)),
        settings.COMMENTS_PER_PAGE,
        article_id=article.pk,
        article_url=article.get_absolute_url,
        newest=newest,
    )
    return paginator.cursor_ids(pages.Cursor(head.pk, before=before))


@pytest.mark.parametrize("newest", [False, True])
@pytest.mark.parametrize("before", [False, True])
def test_a_page_by_cursor_is_a_range_of_the_top_level_index_from_the_cursor(
    some_comments, make_comment, before, newest
):
    make_comment()
    found = plan(cursor_page_ids(some_comments, before=before, newest=newest))
    assert_ranged(found, "comment_top_level_idx")
    if connection.vendor == "sqlite":
        # Entered at the cursor's time, not read from the start of the article's comments.
        assert re.search(
            r"comment_top_level_idx \(article_id=\? AND status=\? AND created[<>]", found
        ), found
    else:
        assert re.search(r"Index Cond: .*created [<>]= \$", found), found


def test_the_comments_feed_reads_the_newest_comments_and_its_last_change_from_indexes(
    some_comments,
):
    from newsletter import feed_assembly

    day = some_comments.publication_date
    with CaptureQueriesContext(connection) as captured:
        feed_assembly.select_comments(
            year=f"{day.year:04d}",
            month=f"{day.month:02d}",
            day=f"{day.day:02d}",
            slug=some_comments.slug,
        )
    article, comments, changed = captured  # nothing counted, nothing per comment
    assert "comments_comment" in comments["sql"] and "status_changed" in changed["sql"]
    assert_ranged(plan((changed["sql"], ())), "comment_article_changed_idx")
    found = plan((comments["sql"], ()))
    assert "Seq Scan on comments_comment" not in found and "SCAN comments_comment " not in found


@pytest.mark.parametrize(
    ("model", "index"),
    [("moderationqueue", "comment_article_queue_idx"), ("comment", "comments_comment_article_id")],
)
def test_the_admins_article_filter_probes_an_index_per_article(
    some_comments, admin_user, rf, model, index
):
    from django.contrib import admin

    from comments.admin import ArticleFilter
    from comments.models import ModerationQueue

    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[ModerationQueue if model == "moderationqueue" else Comment]
    with CaptureQueriesContext(connection) as captured:
        ArticleFilter(request, {}, Comment, model_admin)  # reads its lookups
    (query,) = [q for q in captured if "comments_comment" in q["sql"]]
    found = plan((query["sql"], ()))
    assert index in found, found
    assert "Seq Scan on comments_comment" not in found and "SCAN comments_comment " not in found
