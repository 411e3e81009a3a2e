"""`make bench-million`: the pages that must not slow down, at 1,000 and at 1,000,000 comments.

On a scratch PostgreSQL database (created here, dropped at the end) it generates 1,000
comments under the seed article, times each page (median of --runs requests, every one
rendered fresh: the cache is cleared before each, the admin is a logged-in superuser) and
counts its queries; grows the table to --million comments and measures again; prints a
table with the ratio (target <= 2) and the query counts (which must be equal); then EXPLAIN
(ANALYZE) of the key queries at the large size.

With --reuse the large database (--database) is kept between runs and generated only when
it does not hold --million comments yet; the small size is then measured on a database of
its own (<database>_small, made afresh and dropped), migrations run on both, and the two
are measured in alternating rounds, so that both meet the same load from other work.

    POSTGRES=postgres://postgres@127.0.0.1:5432 python bench/million.py [--million 1000000]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "china-russia-ties-at-all-time-high"
TARGET = 2.0


def setup_django(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-million-not-a-secret-key-3c9e"),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "REDIS_URL": "",
        }
    )
    os.environ.pop("REDIS_URL")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def exists(server: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def use_database(name: str) -> None:
    """Point the default connection at another database of the same server."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def comment_count() -> int:
    from comments.models import Comment

    return Comment.objects.count()


def scratch(server: str, name: str, *, create: bool) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')


def pages(article, top_level: int, held: int) -> list[tuple[str, str, str]]:
    """(name, path, who) of each page measured; who is "reader" or "admin"."""
    from django.conf import settings
    from django.urls import reverse

    from comments import pages as comment_pages
    from comments.workspace import PER_PAGE
    from newsletter.feeds import comments_feed_url

    url = article.get_absolute_url()
    per = settings.COMMENTS_PER_PAGE
    last = max(1, -(-top_level // per))
    middle = max(1, last // 2)
    workspace = reverse("admin:comments_workspace")
    held_last = max(1, -(-held // PER_PAGE))

    def middle_page(newest: bool) -> str:
        """The middle page as its links reach it: from its first comment (?from=)."""
        top = article.comments.published().top_level()
        ordered = top.order_by(*comment_pages.ordering(newest=newest)).values_list("pk", flat=True)
        first = ordered[(middle - 1) * per]
        order = "&order=newest" if newest else ""
        return f"{url}?from={first}{order}"

    return [
        ("article, first page", url, "reader"),
        ("article, middle page", middle_page(newest=False), "reader"),
        ("article, last page", f"{url}?cpage={last}", "reader"),
        ("article newest, first page", f"{url}?order=newest", "reader"),
        ("article newest, middle page", middle_page(newest=True), "reader"),
        ("article newest, last page", f"{url}?order=newest&cpage={last}", "reader"),
        ("comments feed (RSS)", comments_feed_url(article), "reader"),
        ("workspace, Held, page 1", f"{workspace}?tab=held", "admin"),
        ("workspace, Held, last page", f"{workspace}?tab=held&page={held_last}", "admin"),
        ("admin comment changelist", reverse("admin:comments_comment_changelist"), "admin"),
        ("admin moderation queue", reverse("admin:comments_moderationqueue_changelist"), "admin"),
    ]


def prepare() -> dict:
    """The clients (a reader, a logged-in superuser: the session lives in this database)
    and the pages measured on the current database, each requested once to warm the
    process, the connection and the buffers."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from articles.models import Article
    from comments import tallies
    from comments.models import Comment

    article = Article.objects.get(slug=SLUG)
    clients = {"reader": Client(), "admin": Client()}
    user = get_user_model().objects.filter(username="bench").first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "pw")
    clients["admin"].force_login(user)
    held = Comment.objects.filter(status=Comment.Status.HELD).needs_review().count()
    measured = pages(article, tallies.counts(article.pk).top_level, held)
    for name, path, who in measured:
        request(clients[who], name, path)
    return {"clients": clients, "pages": measured}


def request(client, name: str, path: str) -> tuple[float, int]:
    """One fresh render (the cache cleared: no page cache, no feed cache): ms, queries."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_ACCEPT": "application/rss+xml"} if "feed" in name else {}
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        response = client.get(path, **headers)
        elapsed = time.perf_counter() - began
    if response.status_code != 200:
        raise SystemExit(f"{name}: {path} answered {response.status_code}")
    return elapsed * 1000, len(captured)


def measure(runs: int) -> dict[str, tuple[float, int, str]]:
    """name -> (median ms, queries, path) for each page."""
    site = prepare()
    found = {}
    for name, path, who in site["pages"]:
        timed = [request(site["clients"][who], name, path) for _ in range(runs)]
        found[name] = (statistics.median(t for t, _ in timed), timed[-1][1], path)
    return found


def measure_alternating(runs: int, databases: list[str]) -> list[dict]:
    """As measure() for each database, in rounds that go through every page on each
    database in turn (which goes first alternates): both sizes meet the same load from
    whatever else runs on the machine, so their ratio is fair when absolute times move."""
    sites = {}
    for database in databases:
        use_database(database)
        sites[database] = prepare()
    times = {database: {} for database in databases}
    queries = {database: {} for database in databases}
    for n in range(runs):
        for database in databases if n % 2 == 0 else databases[::-1]:
            use_database(database)
            site = sites[database]
            first, path, who = site["pages"][0]
            request(site["clients"][who], first, path)  # opens the connection again
            for name, path, who in site["pages"]:
                ms, count = request(site["clients"][who], name, path)
                times[database].setdefault(name, []).append(ms)
                queries[database][name] = count
    return [
        {
            name: (statistics.median(times[database][name]), queries[database][name], path)
            for name, path, _ in sites[database]["pages"]
        }
        for database in databases
    ]


def generate(count: int) -> float:
    from django.core.management import call_command
    from django.db import connection

    began = time.perf_counter()
    call_command(
        "generate_comments", count=count, article=SLUG, yes=True, batch=50_000, verbosity=0
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


KEY_QUERIES = {
    "article page: the tally": lambda article: _counts_sql(article),
    "article page: a middle page of ids, by cursor": lambda article: _cursor_sql(article),
    "article page: a middle page of ids, by number (old links)": lambda article: _page_sql(
        article, middle=True
    ),
    "article page: the last page of ids": lambda article: _page_sql(article, middle=False),
    "moderation queue: held, oldest first": lambda article: _queue_sql(),
    "comment changelist: newest first": lambda article: _changelist_sql(),
}


def _counts_sql(article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments import tallies

    with CaptureQueriesContext(connection) as captured:
        tallies.counts(article.pk)  # the query the article page makes for its counts
    return captured[0]["sql"], None


def _page_sql(article, *, middle: bool):
    from django.conf import settings

    from comments import tallies

    top = tallies.counts(article.pk).top_level
    per = settings.COMMENTS_PER_PAGE
    ordered = article.comments.published().top_level().order_by("created", "id")
    if middle:
        start = (top // per // 2) * per
        return ordered.values("pk")[start : start + per].query.sql_with_params()
    return ordered.reverse().values("pk")[:per].query.sql_with_params()


def _cursor_sql(article):
    from django.conf import settings

    from comments import display, pages, tallies

    top = tallies.counts(article.pk).top_level
    ordered = article.comments.published().top_level().order_by(*pages.ordering(newest=False))
    middle = ordered.values_list("pk", flat=True)[top // 2]
    paginator = display.CommentPaginator(
        ordered,
        settings.COMMENTS_PER_PAGE,
        article_id=article.pk,
        article_url=article.get_absolute_url,
        newest=False,
    )
    return paginator.cursor_ids(pages.Cursor(middle)).query.sql_with_params()


def _queue_sql():
    from comments import workspace

    return workspace.TABS["held"].comments().values("pk")[:31].query.sql_with_params()


def _changelist_sql():
    from comments.models import Comment

    return Comment.objects.order_by("-created", "-id")[:50].query.sql_with_params()


def explain() -> list[str]:
    from django.db import connection

    from articles.models import Article

    article = Article.objects.get(slug=SLUG)
    out = []
    with connection.cursor() as cursor:
        for name, build in KEY_QUERIES.items():
            sql, params = build(article)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF) " + sql, params)
            out.append(f"-- {name}")
            out.extend("   " + row[0] for row in cursor.fetchall())
    return out


def table(small: dict, large: dict, small_n: int, large_n: int) -> list[str]:
    lines = [
        f"| page | {small_n:,} comments (ms) | {large_n:,} comments (ms) | ratio | queries |",
        "|---|---:|---:|---:|---|",
    ]
    for name, (ms_small, q_small, _) in small.items():
        ms_large, q_large, _ = large[name]
        ratio = ms_large / ms_small
        queries = str(q_small) if q_small == q_large else f"{q_small} → {q_large} (differs)"
        flag = "" if ratio <= TARGET else " (over 2)"
        lines.append(
            f"| {name} | {ms_small:.1f} | {ms_large:.1f} | {ratio:.2f}{flag} | {queries} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9, help="requests per page (median)")
    parser.add_argument("--database", default="dispatch_million")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the large database between runs, generating it only when it is missing",
    )
    args = parser.parse_args()
    server = os.environ.get("POSTGRES", "postgres://postgres@127.0.0.1:5432")
    small_db = f"{args.database}_small" if args.reuse else args.database
    scratch(server, small_db, create=True)
    reused = args.reuse and exists(server, args.database)
    if args.reuse and not reused:
        scratch(server, args.database, create=True)
    setup_django(f"{server}/{small_db}")
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        print(f"Generating {args.small:,} comments…", flush=True)
        generate(args.small)
        small = None if args.reuse else measure(args.runs)
        if args.reuse:
            use_database(args.database)
            call_command("migrate", verbosity=0)
            have = comment_count()
            if have and have != args.million:
                raise SystemExit(f"{args.database} holds {have:,} comments, not {args.million:,}")
            if not have:
                print(f"Generating {args.million:,} comments in {args.database}…", flush=True)
                took = generate(args.million)
                print(f"  generated and analysed in {took:.0f} s", flush=True)
            else:
                print(f"Reusing {args.database}: {have:,} comments", flush=True)
            small, large = measure_alternating(args.runs, [small_db, args.database])
            use_database(args.database)  # the plans are read at the large size
        else:
            print(f"Growing to {args.million:,} comments…", flush=True)
            took = generate(args.million - args.small)
            print(f"  generated and analysed in {took:.0f} s", flush=True)
            large = measure(args.runs)
        print()
        print("\n".join(table(small, large, args.small, args.million)))
        print()
        print("\n".join(explain()))
        over = [name for name in small if large[name][0] / small[name][0] > TARGET]
        differs = [name for name in small if large[name][1] != small[name][1]]
    finally:
        connections.close_all()
        if args.reuse:
            scratch(server, small_db, create=False)
        elif not args.keep:
            scratch(server, args.database, create=False)
    if over or differs:
        print(f"\nOver the target: {over or 'none'}; query counts differ: {differs or 'none'}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
