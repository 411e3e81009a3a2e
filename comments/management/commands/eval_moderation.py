"""manage.py eval_moderation: screening quality per label on a labelled JSONL file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comments.management.commands.screen_comments import SEED_SLUG, article_context
from comments.screening.evaluation import BadLine, evaluate, read_jsonl

# The moderators' labelled development set, kept in the project so a fresh clone can run it.
DEFAULT_FILE = Path(__file__).resolve().parents[2] / "screening" / "data" / "dev-comments.jsonl"


class Command(BaseCommand):
    help = (
        "Screen labelled comments (JSONL with text and label: ok, abusive, hate, spam, "
        "off_topic) and print, per label, how many were published, held and removed against "
        "the targets, then the misclassified comments. Exits with status 1 if a target fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            help="labelled JSONL (default comments/screening/data/dev-comments.jsonl)",
        )
        parser.add_argument("--article", default=SEED_SLUG, help="slug of the article")

    def handle(self, *args, **options):
        path = Path(options["file"]) if options["file"] else DEFAULT_FILE
        if not path.is_file():
            raise CommandError(f"No labelled comments at {path}: pass the file to evaluate.")
        context = article_context(options["article"])
        rows = []
        for _, row in read_jsonl(path):
            if isinstance(row, BadLine):
                raise CommandError(f"{path}: {row}")
            if "label" not in row:
                raise CommandError(f"{path}: comment {row.get('id', '?')} has no label.")
            rows.append(row)
        result = evaluate(rows, context)
        self.stdout.write(f"{path} ({len(rows)} comments) on {options['article']}\n")
        self.stdout.write(result.table())
        if result.misclassified:
            self.stdout.write(f"\nMisclassified ({len(result.misclassified)}):")
            self.stdout.write(result.misclassified_report())
        else:
            self.stdout.write("\nNo misclassified comments.")
        if not result.passed:
            raise CommandError("Some screening targets failed.", returncode=1)
