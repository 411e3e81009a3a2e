"""manage.py screen_comments: run the screening over a JSONL file, saving nothing."""

import json

from django.core.management.base import BaseCommand, CommandError

from comments.screening import screen
from comments.screening.evaluation import BadLine, read_jsonl, submission_for

SEED_SLUG = "china-russia-ties-at-all-time-high"


def article_context(slug: str):
    """The screening context of the article with `slug` (CommandError if there is none)."""
    from articles.models import Article
    from comments.screening_adapter import context_for

    try:
        article = Article.objects.prefetch_related("topics").get(slug=slug)
    except Article.DoesNotExist:
        raise CommandError(f"No article with slug {slug!r}.") from None
    return context_for(article)


class Command(BaseCommand):
    help = (
        "Screen the comments in a JSONL file (fields id, username, text; others ignored) as if "
        "posted on an article, and print one JSON line per comment: id, decision and reasons. "
        "Nothing is saved. A line that is not a JSON object with a text is reported on stderr "
        "with its line number and skipped; the command then exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSONL file, one comment per line")
        parser.add_argument(
            "--article", default=SEED_SLUG, help=f"slug of the article (default {SEED_SLUG})"
        )

    def handle(self, *args, **options):
        context = article_context(options["article"])
        bad = 0
        try:
            rows = list(read_jsonl(options["file"]))
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        for _, row in rows:
            if isinstance(row, BadLine):
                bad += 1
                self.stderr.write(f"{options['file']}: {row}")
                continue
            screening = screen(submission_for(row, context))
            line = {"id": row.get("id"), "decision": screening.decision.value}
            line["reasons"] = screening.reasons
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        if bad:
            raise CommandError(f"{bad} bad line{'s' if bad > 1 else ''} skipped.", returncode=1)
