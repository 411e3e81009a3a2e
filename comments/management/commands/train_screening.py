"""manage.py train_screening: train the screening model from the corpus (and, on request, the
moderators' recorded decisions), compare it with the current one on the sealed split, and
replace the shipped artifact only when it is not worse."""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from comments.screening import config, corpus, training
from comments.screening.classifier import ModelCheck
from comments.screening.evaluation import Evaluation, LabelStats, evaluate
from comments.screening.model import ARTIFACT, LABELS, tokens
from comments.training_data import moderator_examples


class Command(BaseCommand):
    help = (
        "Train the comment-screening model from comments/screening/corpus/ (reproducibly: the "
        "same inputs give the same artifact), report it against the current model on the "
        "sealed split, and write it if it is not worse (or with --force)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=ARTIFACT, help="artifact to write")
        parser.add_argument(
            "--with-decisions",
            action="store_true",
            help="also learn from moderators' recorded decisions (approve = ok, removals = "
            "their label)",
        )
        parser.add_argument(
            "--decision-weight",
            type=float,
            default=3.0,
            help="weight of one moderator decision against one corpus example (default 3)",
        )
        parser.add_argument("--c", type=float, default=training.DEFAULT_C, help="inverse L2")
        parser.add_argument(
            "--force", action="store_true", help="write even if the sealed split gets worse"
        )
        parser.add_argument(
            "--cv-only",
            action="store_true",
            help="only report the configured thresholds on out-of-fold predictions of the "
            "training split (grouped by family): what to tune on; the sealed split is not read",
        )

    def handle(self, *args, **options):
        try:
            examples = corpus.read()
        except corpus.CorpusError as error:
            raise CommandError(f"The corpus cannot be read: {error}") from error
        train, sealed = corpus.split(examples)
        if not train or not sealed:
            raise CommandError("The corpus has too few families to train and evaluate.")
        extra = (
            moderator_examples(weight=options["decision_weight"])
            if options["with_decisions"]
            else []
        )
        self.stdout.write(
            f"Training on {len(train)} corpus comments ({len({e.family for e in train})} "
            f"families) and {len(extra)} moderator decisions; sealed: {len(sealed)} comments "
            f"({len({e.family for e in sealed})} families)."
        )
        trained = training.train(train + extra, c=options["c"])
        if options["cv_only"]:
            self.stdout.write("\nOut-of-fold, training split only (model check alone):")
            probabilities = training.calibrated(
                trained.out_of_fold, trained.artifact["temperature"]
            )
            self.stdout.write(_cv_table(train + extra, probabilities))
            return
        rows = corpus.rows(sealed)
        with tempfile.TemporaryDirectory() as folder:
            candidate = Path(folder) / "candidate.json.gz"
            training.write(trained.artifact, candidate)
            # As the sealed comments are screened in production: under their article.
            articles = corpus.article_contexts()
            new = evaluate(rows, articles.get(""), _checks(candidate), articles=articles)
            current = (
                evaluate(rows, articles.get(""), _checks(options["output"]), articles=articles)
                if options["output"].exists()
                else None
            )
        self.stdout.write(f"\nNew model {trained.artifact['version']} on the sealed split:")
        self.stdout.write(new.table())
        if current is not None:
            self.stdout.write(f"\nCurrent model at {options['output']} on the sealed split:")
            self.stdout.write(current.table())
            self.stdout.write(
                f"\nCost (lower is better): new {new.cost()}, current {current.cost()}"
            )
            if new.cost() > current.cost() and not options["force"]:
                raise CommandError(
                    "The new model does worse on the sealed split; nothing was written "
                    "(--force writes it anyway)."
                )
        training.write(trained.artifact, options["output"])
        self.stdout.write(f"\nWrote {options['output']} ({trained.artifact['version']}).")


def _cv_table(examples, probabilities) -> str:
    """The configured policy's decisions on (calibrated) out-of-fold probabilities, per
    label."""
    [policy] = [c for c in config.get_checks() if isinstance(c, ModelCheck)] or [ModelCheck()]
    result = Evaluation()
    for example, row in zip(examples, probabilities, strict=True):
        words = len(tokens(example.text))
        decision = policy.decision(dict(zip(LABELS, row, strict=True)), words)
        result.stats.setdefault(example.label, LabelStats(example.label)).add(decision)
    return result.table()


def _checks(artifact: Path):
    """The configured checks, with the model check reading `artifact`."""
    checks = []
    for check in config.get_checks():
        if isinstance(check, ModelCheck):
            check = ModelCheck(
                remove=check.remove,
                hold=check.hold,
                min_ok=check.min_ok,
                min_words_to_remove=check.min_words_to_remove,
                artifact=artifact,
            )
        checks.append(check)
    return checks
