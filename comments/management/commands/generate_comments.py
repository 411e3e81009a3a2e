"""manage.py generate_comments: realistic comments in bulk, to measure pages at scale."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from comments import generation


def share(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Write COUNT realistic comments (commenters, replies, held, removed and reported "
        "ones) under an article, fast (COPY on PostgreSQL), for measuring. Refuses to run "
        "with DEBUG off unless --yes is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--article", required=True, help="the slug of a published article")
        parser.add_argument(
            "--articles",
            type=int,
            default=1,
            help="spread the comments over this many articles: ARTICLE and the newest others",
        )
        parser.add_argument("--held-share", type=share, default=0.02)
        parser.add_argument("--removed-share", type=share, default=0.01)
        parser.add_argument("--reply-share", type=share, default=0.2)
        parser.add_argument("--reports-share", type=share, default=0.01)
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=10)
        parser.add_argument("--yes", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["yes"]:
            raise CommandError(
                "This writes made-up comments into the database, and DEBUG is off (a "
                "production setting?). Run it on a scratch database, with --yes."
            )
        if options["count"] < 0 or options["articles"] < 1 or options["batch"] < 1:
            raise CommandError("--count must be 0 or more, --articles and --batch 1 or more.")
        article = Article.objects.published().filter(slug=options["article"]).first()
        if article is None:
            raise CommandError(f"No published article {options['article']!r}.")
        others = list(Article.objects.published().exclude(pk=article.pk)[: options["articles"] - 1])
        if len(others) < options["articles"] - 1:
            raise CommandError(f"Only {len(others) + 1} published article(s) to spread over.")
        began = time.monotonic()

        def progress(done: int) -> None:
            if options["verbosity"] > 1 or done == options["count"]:
                self.stdout.write(f"{done:,} comments in {time.monotonic() - began:.0f} s")

        generation.generate(
            articles=[article, *others],
            count=options["count"],
            shares=generation.Shares(
                held=options["held_share"],
                removed=options["removed_share"],
                replies=options["reply_share"],
                reports=options["reports_share"],
            ),
            batch=options["batch"],
            seed=options["seed"],
            progress=progress,
        )
