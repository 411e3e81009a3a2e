"""Word-level helpers for relevance: stop words, a light stemmer, content words of a text."""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicons
from .normalize import Analysis

_SUFFIXES = (
    "ational", "ization", "isation", "ations", "ation", "ments", "ment", "ness", "ities", "ity",
    "ings", "ing", "ians", "ian", "ives", "ive", "ers", "er", "ies", "ied", "ed", "es", "ly", "al",
    "s",
)  # fmt: skip
_LAUGH_RE = re.compile(r"(?:[aeiou]?h[aeiou]){2,}h?|(?:lo)+l|l+m+a+o+|ro+fl|x+d+")


def stopwords() -> frozenset[str]:
    return lexicons.words("stopwords")


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A crude stem good enough to match "cooperation" with "cooperate" and "Russians" with
    "Russia": strip one common suffix, then keep at most six letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:6]


def is_laughter(word: str) -> bool:
    return _LAUGH_RE.fullmatch(word) is not None


def content_words(analysis: Analysis) -> list[tuple[int, str]]:
    """(token position, word) of the Latin-letter words that carry meaning."""
    stop = stopwords()
    found = []
    for position, token in enumerate(analysis.tokens):
        word = token[4] if token[4].isalpha() else token[3]  # canon, else the word
        if word in stop or len(word) < 2 or not word.isalpha() or not word.isascii():
            continue
        found.append((position, word))
    return found
