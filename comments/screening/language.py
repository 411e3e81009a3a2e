"""Comments mostly in another language or script: held for a moderator who can read them."""

from __future__ import annotations

from collections.abc import Iterable

from . import lexicons
from .base import Decision, Finding, Submission
from .normalize import analyse
from .words import stopwords


def _is_latin(char: str) -> bool:
    code = ord(char)
    return code < 0x250 or 0x1E00 <= code <= 0x1EFF or 0xFF21 <= code <= 0xFF5A


class LanguageCheck:
    """Holds (never removes) a comment mostly written in another script, or in a Latin-script
    language recognised by its function words.

    OPTIONS: min_letters (ignore shorter comments; default 8), max_foreign_script (share of
    letters in other scripts; 0.5), min_words (Latin comments shorter than this are not
    judged; 4), min_foreign_ratio (share of another language's function words; 0.3).
    """

    def __init__(
        self,
        *,
        min_letters: int = 8,
        max_foreign_script: float = 0.5,
        min_words: int = 4,
        min_foreign_ratio: float = 0.3,
    ) -> None:
        self.min_letters = min_letters
        self.max_foreign_script = max_foreign_script
        self.min_words = min_words
        self.min_foreign_ratio = min_foreign_ratio

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        text = submission.text
        a = analyse(text)
        latin = foreign = 0
        if text.isascii():
            latin = len(text)
        for token in a.tokens if not text.isascii() else ():
            piece = text[token.start : token.end]
            if piece.isascii():
                latin += len(piece)
                continue
            letters = [c for c in piece if c.isalpha()]
            # A word mixing Latin letters with look-alikes ("іdіоt") is Latin in disguise.
            if any(_is_latin(c) for c in letters):
                latin += len(letters)
            else:
                foreign += len(letters)
        total = latin + foreign
        if total >= self.min_letters and foreign / total > self.max_foreign_script:
            yield Finding(
                Decision.HOLD,
                "language",
                round(foreign / total, 2),
                (),
                "mostly in another script",
            )
            return
        words = [t.word for t in a.tokens if t.word.isalpha() and t.word.isascii()]
        if len(words) < self.min_words:
            return
        english = sum(w in stopwords() for w in words) / len(words)
        best, ratio = "", 0.0
        for code, vocabulary in lexicons.languages().items():
            share = sum(w in vocabulary for w in words) / len(words)
            if share > ratio:
                best, ratio = code, share
        if ratio >= self.min_foreign_ratio and ratio > english:
            yield Finding(Decision.HOLD, "language", round(ratio, 2), (), f"looks like '{best}'")
