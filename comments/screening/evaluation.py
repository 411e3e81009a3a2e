"""Measuring screening against labelled comments: per-label counts and the quality targets."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import embedding
from .base import Check, Decision, Screening, Submission
from .context import ArticleContext
from .pipeline import screen

LABELS = ("ok", "abusive", "hate", "spam", "off_topic")


@dataclass(frozen=True)
class Target:
    description: str
    max_published: float | None = None  # share of the label that may be published
    max_held: float | None = None
    max_removed: float | None = None

    def passes(self, stats: LabelStats) -> bool:
        limits = (
            (self.max_published, stats.published),
            (self.max_held, stats.held),
            (self.max_removed, stats.removed),
        )
        return all(limit is None or count <= limit * stats.count for limit, count in limits)


TARGETS: dict[str, Target] = {
    "ok": Target("none removed, <= 1 in 20 held", max_held=0.05, max_removed=0.0),
    "abusive": Target("<= 1 in 50 published", max_published=0.02),
    "hate": Target("<= 1 in 50 published", max_published=0.02),
    "spam": Target("<= 1 in 10 published", max_published=0.10),
    "off_topic": Target("<= 1 in 10 published, none removed", max_published=0.10, max_removed=0),
}


class BadLine(ValueError):
    def __init__(self, number: int, message: str) -> None:
        super().__init__(f"line {number}: {message}")
        self.number = number


def read_jsonl(path: Path | str) -> Iterator[tuple[int, dict | BadLine]]:
    """(line number, row) for each non-blank line; a row that is not a JSON object with a
    string "text" comes back as a BadLine instead."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, BadLine(number, f"not valid JSON ({exc.msg})")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                yield number, BadLine(number, 'expected a JSON object with a string "text"')
                continue
            yield number, row


def submission_for(row: dict, article: ArticleContext | None) -> Submission:
    return Submission(text=row["text"], user_name=str(row.get("username") or ""), article=article)


@dataclass
class LabelStats:
    label: str
    count: int = 0
    published: int = 0
    held: int = 0
    removed: int = 0

    def add(self, decision: Decision) -> None:
        self.count += 1
        if decision is Decision.PUBLISH:
            self.published += 1
        elif decision is Decision.HOLD:
            self.held += 1
        else:
            self.removed += 1

    @property
    def target(self) -> Target | None:
        return TARGETS.get(self.label)

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.target.passes(self)


@dataclass
class Evaluation:
    stats: dict[str, LabelStats] = field(default_factory=dict)
    misclassified: list[tuple[dict, Screening]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(s.passed is not False for s in self.stats.values())

    def cost(self) -> float:
        """One number to compare two models on the same comments (lower is better): a
        legitimate comment removed weighs most, then harm published, then work for
        moderators (a legitimate comment held)."""
        total = 0.0
        for s in self.stats.values():
            if s.label == "ok":
                total += 10 * s.removed + s.held
            elif s.label in ("abusive", "hate"):
                total += 5 * s.published
            elif s.label == "spam":
                total += 2 * s.published
            elif s.label == "off_topic":
                total += 2 * s.published + 3 * s.removed
        return total

    def table(self) -> str:
        head = f"{'label':<10} {'count':>5} {'published':>9} {'held':>5} {'removed':>7}  target"
        lines = [head, "-" * len(head)]
        order = [label for label in LABELS if label in self.stats]
        order += sorted(set(self.stats) - set(LABELS))
        for label in order:
            s = self.stats[label]
            verdict = {None: "-", True: "pass", False: "FAIL"}[s.passed]
            target = s.target.description if s.target else ""
            lines.append(
                f"{label:<10} {s.count:>5} {s.published:>9} {s.held:>5} {s.removed:>7}"
                f"  {verdict} ({target})"
            )
        return "\n".join(lines)

    def misclassified_report(self) -> str:
        lines = []
        for row, screening in self.misclassified:
            codes = ", ".join(f"{f.code}:{f.decision.value}" for f in screening.findings) or "-"
            lines.append(
                f"{row.get('id', '?')} [{row['label']} -> {screening.decision.value}] ({codes}) "
                f"{row['text'][:100]!r}"
            )
        return "\n".join(lines)


def is_misclassified(label: str, decision: Decision) -> bool:
    if label == "ok":
        return decision is not Decision.PUBLISH
    if label == "off_topic" and decision is Decision.REMOVE:
        return True
    return label in TARGETS and decision is Decision.PUBLISH


def evaluate(
    rows: Iterable[dict],
    article: ArticleContext | None,
    checks: Sequence[Check] | None = None,
    *,
    articles: Mapping[str, ArticleContext] | None = None,
) -> Evaluation:
    """Screen labelled rows (each with "text" and "label") and tally decisions per label.
    A row naming an "article" in `articles` is screened under that article, else `article`."""
    result = Evaluation()
    articles = articles or {}
    rows = list(rows)
    for start in range(0, len(rows), 1024):
        # The comments' meanings in batches first (much faster than one by one): screening
        # then finds them remembered.
        embedding.embed_many([str(row.get("text", "")) for row in rows[start : start + 1024]])
        for row in rows[start : start + 1024]:
            _screen_row(result, row, article, checks, articles)
    return result


def _screen_row(
    result: Evaluation,
    row: dict,
    article: ArticleContext | None,
    checks: Sequence[Check] | None,
    articles: Mapping[str, ArticleContext],
) -> None:
    label = str(row.get("label", "unlabelled"))
    context = articles.get(row.get("article"), article)
    screening = screen(submission_for(row, context), checks)
    result.stats.setdefault(label, LabelStats(label)).add(screening.decision)
    if is_misclassified(label, screening.decision):
        result.misclassified.append((row, screening))
