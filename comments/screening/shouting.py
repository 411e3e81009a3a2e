"""Shouting: a comment written mostly in capitals."""

from __future__ import annotations

import string
from collections.abc import Iterable

from .base import Code, Decision, Finding, Submission

_UPPER = tuple(string.ascii_uppercase)
_LOWER = tuple(string.ascii_lowercase)


class ShoutingCheck:
    """Holds a comment with at least `min_letters` cased letters of which `max_upper` or more
    are capitals (acronyms such as "SCO" in a normal sentence stay far below that)."""

    def __init__(self, *, min_letters: int = 20, max_upper: float = 0.7) -> None:
        self.min_letters = min_letters
        self.max_upper = max_upper

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        text = submission.text
        if text.isascii():
            upper = sum(map(text.count, _UPPER))
            cased = upper + sum(map(text.count, _LOWER))
        else:
            upper = sum(map(str.isupper, text))
            cased = upper + sum(map(str.islower, text))
        if cased >= self.min_letters and upper / cased >= self.max_upper:
            yield Finding(
                Decision.HOLD,
                Code.SHOUTING,
                round(upper / cased, 2),
                ((0, len(submission.text)),),
                f"{upper / cased:.0%} capitals",
            )
