"""Banned terms and slurs (removed) and suspect terms (held), matched after normalisation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from . import lexicons
from .base import Code, Decision, Finding, Submission, merge_spans
from .normalize import Lexicon, Match, analyse


def build_lexicon(
    name: str, replace: Sequence[str] | None, extra: Sequence[str], allow: Sequence[str]
) -> Lexicon:
    """A shipped word list, replaced or extended from settings, minus allowed terms."""
    entries = list(lexicons.terms(name) if replace is None else replace) + list(extra)
    allowed = {a.casefold().rstrip("=") for a in allow}
    return Lexicon(e for e in entries if e.casefold().rstrip("=") not in allowed)


def _finding(decision: Decision, code: str, score: float, matches: list[Match]) -> Finding:
    terms = sorted({m.term for m in matches})
    return Finding(decision, code, score, merge_spans(m.span for m in matches), ", ".join(terms))


class TermCheck:
    """Word lists: a banned term removes the comment, a suspect term holds it.

    OPTIONS: banned / suspect (replace the shipped lists), extra_banned / extra_suspect (add to
    them), allow (drop entries), check_user_name (also look at the name; default True).
    """

    def __init__(
        self,
        *,
        banned: Sequence[str] | None = None,
        suspect: Sequence[str] | None = None,
        extra_banned: Sequence[str] = (),
        extra_suspect: Sequence[str] = (),
        allow: Sequence[str] = (),
        check_user_name: bool = True,
    ) -> None:
        self.banned = build_lexicon("banned", banned, extra_banned, allow)
        self.suspect = build_lexicon("suspect", suspect, extra_suspect, allow)
        self.check_user_name = check_user_name

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        analysis = analyse(submission.text)
        banned = self.banned.find(analysis)
        if banned:
            # Quoting a slur to object to it still needs a human: hold rather than remove.
            quoted = all(analysis.quoted[m.first] for m in banned)
            decision = Decision.HOLD if quoted else Decision.REMOVE
            yield _finding(decision, Code.BANNED_TERM, 0.6 if quoted else 1.0, banned)
        suspect = self.suspect.find(analysis)
        if suspect:
            yield _finding(Decision.HOLD, Code.SUSPECT_TERM, 0.6, suspect)
        if self.check_user_name and submission.user_name:
            in_name = self.banned.find(analyse(submission.user_name))
            if in_name:
                terms = ", ".join(sorted({m.term for m in in_name}))
                yield Finding(Decision.REMOVE, Code.BANNED_TERM, 1.0, (), f"in user name: {terms}")
