"""Off-topic comments: too little in common with the article, or no substance at all."""

from __future__ import annotations

from collections.abc import Iterable

from . import lexicons
from .base import Decision, Finding, Submission, merge_spans
from .normalize import analyse
from .words import content_words, is_laughter, stem


class TopicCheck:
    """Holds a comment whose words share too little with the article (never removes).

    Each content word adds its weight in the article's vocabulary (1 for a word of the article,
    less for everyday or general news words). OPTIONS: min_relevance (total weight a comment
    needs; default 1.0), min_density (weight per content word for long comments; 0.08),
    long_comment (content words from which density counts; 15).
    """

    def __init__(
        self, *, min_relevance: float = 1.0, min_density: float = 0.08, long_comment: int = 15
    ) -> None:
        self.min_relevance = min_relevance
        self.min_density = min_density
        self.long_comment = long_comment

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        article = submission.article
        if article is None:
            return
        a = analyse(submission.text)
        latin = sum(1 for t in a.tokens if t.word.isascii())
        if a.tokens and latin < len(a.tokens) / 2:
            return  # another script: the language check decides
        filler = lexicons.words("filler")
        words = content_words(a)
        substance = [
            (p, w) for p, w in words if w not in filler and not is_laughter(w) and len(w) > 2
        ]
        if not substance:
            spans = merge_spans(a.span(p) for p, _ in words) or ((0, len(submission.text)),)
            yield Finding(Decision.HOLD, "off_topic", 0.8, spans, "no substance")
            return
        relevance = 0.0
        seen: set[str] = set()
        matched: list[int] = []
        for p, word in substance:
            key = stem(word)
            if key in seen:
                continue
            seen.add(key)
            weight = article.vocabulary.get(key, 0.0)
            if weight:
                relevance += weight
                matched.append(p)
        density = relevance / len(seen)
        if relevance >= self.min_relevance and (
            len(seen) < self.long_comment or density >= self.min_density
        ):
            return
        score = max(0.3, 1.0 - relevance / (self.min_relevance * 2))
        yield Finding(
            Decision.HOLD,
            "off_topic",
            round(score, 2),
            (),
            f"relevance {relevance:.1f} over {len(seen)} words",
        )
