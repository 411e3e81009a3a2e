"""Fresh renders of the article page, measured in-process: the median time of many renders
of the seed article with N published comments (fragments warm: what a shared cache's miss
costs; and cold: the first render after a change), as a share of a bare view's throughput
(/robots.txt: no query, the same middleware) measured in the same run.

    DEBUG=true .venv/bin/python bench/fresh_render.py [--comments 50 10000] [--renders 200]

Runs on a scratch SQLite database in a temporary folder; prints one line per case and a JSON
summary."""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_seconds(call, renders: int) -> float:
    for _ in range(5):
        call()  # warm up
    times = []
    for _ in range(renders):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, nargs="+", default=[50, 10_000])
    parser.add_argument("--renders", type=int, default=200)
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="dispatch-fresh-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from articles.models import Article
    from comments.models import Comment

    call_command("migrate", verbosity=0)
    article = Article.objects.get(slug="china-russia-ties-at-all-time-high")
    url = article.get_absolute_url()
    client = Client(HTTP_HOST="127.0.0.1")

    def bare():
        assert client.get("/robots.txt").status_code == 200

    def page():
        assert client.get(url).status_code == 200

    def cold_page():
        cache.clear()
        page()

    results = []
    have = 0
    for count in sorted(options.comments):
        now = timezone.now()
        Comment.objects.bulk_create(
            Comment(
                article=article,
                user_name=f"Reader {n}",
                text=f"Comment number {n} on the SCO and regional security.",
                html=f"<p>Comment number {n} on the SCO and regional security.</p>",
                status=Comment.Status.PUBLISHED,
                created=now - timezone.timedelta(seconds=count - n),
                content_hash=f"bench-{n}",
            )
            for n in range(have, count)
        )
        have = count
        cache.clear()  # the comments were added behind the services' back
        bare_s = median_seconds(bare, options.renders)
        warm_s = median_seconds(page, options.renders)
        cold_s = median_seconds(cold_page, max(20, options.renders // 4))
        bare_again = median_seconds(bare, options.renders)
        baseline = min(bare_s, bare_again)
        result = {
            "comments": count,
            "bare_ms": round(baseline * 1000, 3),
            "fresh_ms": round(warm_s * 1000, 3),
            "cold_ms": round(cold_s * 1000, 3),
            "fresh_ratio": round(baseline / warm_s, 3),
            "cold_ratio": round(baseline / cold_s, 3),
        }
        results.append(result)
        print(
            f"{count:>6} comments: bare view {result['bare_ms']:.2f} ms; article fresh "
            f"{result['fresh_ms']:.2f} ms (ratio {result['fresh_ratio']:.2f}), first render "
            f"after a change {result['cold_ms']:.2f} ms (ratio {result['cold_ratio']:.2f})"
        )
    print(json.dumps({"fresh_render": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
