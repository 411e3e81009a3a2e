"""manage.py eval_moderation: screening quality per label, on the corpus's sealed split, the
moderators' dev set and the fresh set (or on a labelled JSONL file)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comments.management.commands.screen_comments import SEED_SLUG, article_context
from comments.screening import corpus
from comments.screening.evaluation import BadLine, evaluate, read_jsonl

# Kept apart from comments/screening/, so nothing of it can end up in what the model reads.
DATA = Path(__file__).resolve().parents[2] / "evaluation"
ROOT = DATA.parents[1]
# The moderators' labelled development set, kept in the project so a fresh clone can run it.
DEFAULT_FILE = DATA / "dev-comments.jsonl"
# Comments written after the model was tuned, by someone who never saw the corpus.
FRESH_FILES = sorted(DATA.glob("fresh-*.jsonl"))
# The articles some of those were written under (<slug>.json, like the corpus's).
ARTICLES = DATA / "articles"


class Command(BaseCommand):
    help = (
        "Screen labelled comments (JSONL with text and label: ok, abusive, hate, spam, "
        "off_topic) and print, per label, how many were published, held and removed against "
        "the targets, then the misclassified comments. Without FILE: the corpus's sealed split, "
        "the dev set and the fresh sets. Exits with status 1 if a target fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            help="labelled JSONL (default: the sealed split, the dev set and the fresh sets)",
        )
        parser.add_argument("--article", default=SEED_SLUG, help="slug of the article")
        parser.add_argument(
            "--quiet", action="store_true", help="tables only, no list of misclassified comments"
        )

    def handle(self, *args, **options):
        context = article_context(options["article"])
        # Rows written under another article (corpus or evaluation data) are screened under it.
        articles = {slug: c for slug, c in corpus.article_contexts(ARTICLES).items() if slug}
        if options["file"]:
            sets = [(options["file"], self.read(Path(options["file"])))]
        else:
            sealed = corpus.split(corpus.read())[1]
            sets = [
                ("corpus, sealed split", corpus.rows(sealed)),
                (str(DEFAULT_FILE.relative_to(ROOT)), self.read(DEFAULT_FILE)),
                *((str(p.relative_to(ROOT)), self.read(p)) for p in FRESH_FILES),
            ]
        passed = True
        for name, rows in sets:
            result = evaluate(rows, context, articles=articles)
            passed &= result.passed
            self.stdout.write(f"\n{name} ({len(rows)} comments) on {options['article']}\n")
            self.stdout.write(result.table())
            if options["quiet"]:
                continue
            if result.misclassified:
                self.stdout.write(f"\nMisclassified ({len(result.misclassified)}):")
                self.stdout.write(result.misclassified_report())
            else:
                self.stdout.write("\nNo misclassified comments.")
        if not passed:
            raise CommandError("Some screening targets failed.", returncode=1)

    def read(self, path: Path) -> list[dict]:
        if not path.is_file():
            raise CommandError(f"No labelled comments at {path}: pass the file to evaluate.")
        rows = []
        for _, row in read_jsonl(path):
            if isinstance(row, BadLine):
                raise CommandError(f"{path}: {row}")
            if "label" not in row:
                raise CommandError(f"{path}: comment {row.get('id', '?')} has no label.")
            rows.append(row)
        return rows
