"""The screening vocabulary: decisions, findings, the submission and the screening result."""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .context import ArticleContext


@functools.total_ordering
class Decision(enum.Enum):
    """What happens to a comment; ordered PUBLISH < HOLD < REMOVE (the strictest wins)."""

    PUBLISH = "publish"
    HOLD = "hold"
    REMOVE = "remove"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self.rank < other.rank


_RANK = {Decision.PUBLISH: 0, Decision.HOLD: 1, Decision.REMOVE: 2}


class Code(enum.StrEnum):
    """Why a check found what it found: every finding carries one, and moderators filter the
    queue by them (comments.admin)."""

    BANNED_TERM = "banned_term"
    SUSPECT_TERM = "suspect_term"
    HATE = "hate"
    ABUSIVE = "abusive"
    THREAT = "threat"
    INSULT = "insult"
    PROFANITY = "profanity"
    SPAM_LINKS = "spam_links"
    SPAM_CONTACT = "spam_contact"
    SPAM_COMMERCIAL = "spam_commercial"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    LANGUAGE = "language"
    SHOUTING = "shouting"
    FLOOD = "flood"
    DUPLICATE = "duplicate"
    UNSURE = "unsure"
    CHECK_ERROR = "check_error"

    @property
    def label(self) -> str:
        return _CODE_LABELS[self]


_CODE_LABELS = {
    Code.BANNED_TERM: "Banned term",
    Code.SUSPECT_TERM: "Suspect term",
    Code.HATE: "Hate speech",
    Code.ABUSIVE: "Abusive",
    Code.THREAT: "Threat",
    Code.INSULT: "Insult",
    Code.PROFANITY: "Profanity",
    Code.SPAM_LINKS: "Links",
    Code.SPAM_CONTACT: "Contact details",
    Code.SPAM_COMMERCIAL: "Commercial",
    Code.SPAM: "Spam",
    Code.OFF_TOPIC: "Off-topic",
    Code.LANGUAGE: "Other language",
    Code.SHOUTING: "Shouting",
    Code.FLOOD: "Flood",
    Code.DUPLICATE: "Duplicate",
    Code.UNSURE: "The model is unsure",
    Code.CHECK_ERROR: "A check failed",
}


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one aspect of a comment."""

    decision: Decision
    code: Code
    score: float
    # Character offsets in the original comment text of the words that triggered the finding.
    spans: tuple[tuple[int, int], ...] = ()
    detail: str = ""

    def as_dict(self) -> dict:
        return {
            "decision": self.decision.value,
            "code": str(self.code),
            "score": round(float(self.score), 3),
            "spans": [list(span) for span in self.spans],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Signals:
    """Facts about the submission the caller gathered (rate counters, duplicates). Bots that
    fill the honeypot or send too fast are refused by the form before screening."""

    recent_by_client: int = 0
    recent_by_name: int = 0
    duplicate_elsewhere: bool = False


@dataclass(frozen=True)
class Submission:
    text: str
    user_name: str = ""
    article: ArticleContext | None = None
    signals: Signals = field(default_factory=Signals)


@dataclass(frozen=True)
class Screening:
    decision: Decision
    findings: tuple[Finding, ...]
    model_version: str = ""  # the learned model's, when one screened the comment

    @property
    def reasons(self) -> list[dict]:
        return [finding.as_dict() for finding in self.findings]

    @property
    def score(self) -> float:
        scores = [f.score for f in self.findings if f.decision == self.decision]
        return max(scores, default=0.0)


class Check(Protocol):
    def __call__(self, submission: Submission) -> Iterable[Finding]: ...


def merge_spans(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted, de-duplicated spans with overlapping ones merged."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)
