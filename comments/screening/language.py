"""Comments mostly in another language or script: held for a moderator who can read them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from . import lexicons
from .base import Code, Decision, Finding, Submission
from .normalize import Analysis, analyse
from .words import stopwords

# Elided articles and pronouns of French and Italian: "l'Asie", "d'accord", "qu'on", "c'est".
_ASCII_ALNUM_RE = re.compile(r"[A-Za-z0-9]")
_ACCENTED_RE = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")
_ELISION_RE = re.compile(r"(?:[ldjnsmct]|qu)['’][^\W\d_]{2}", re.IGNORECASE)


def _is_latin(char: str) -> bool:
    code = ord(char)
    return code < 0x250 or 0x1E00 <= code <= 0x1EFF or 0xFF21 <= code <= 0xFF5A


def _accented(word: str) -> bool:
    """A word of Latin letters with accents ("très"), not one disguised with look-alikes from
    other scripts ("іdіоt") or written in full-width letters."""
    accented = False
    for char in word:
        if char.isascii():
            continue
        code = ord(char)
        if not (0xC0 <= code < 0x250 or 0x1E00 <= code <= 0x1EFF) or not char.isalpha():
            return False
        accented = True
    return accented


@lru_cache(maxsize=1)
def _word_languages() -> dict[str, tuple[str, ...]]:
    """Each foreign function word (not an English stop word) -> the languages using it."""
    english = stopwords()
    found: dict[str, list[str]] = {}
    for code, vocabulary in lexicons.languages().items():
        for word in vocabulary - english:
            found.setdefault(word, []).append(code)
    return {word: tuple(codes) for word, codes in found.items()}


class LanguageCheck:
    """Holds (never removes) a comment mostly written in another script, or in a Latin-script
    language recognised by its function words, accented words and elisions ("l'Asie").

    A quoted phrase or a capitalised name with accents ("Erdoğan") does not count as foreign.
    OPTIONS: min_letters (ignore shorter comments; default 8), max_foreign_script (share of
    letters in other scripts; 0.5), min_words (Latin comments shorter than this are only held
    when every word is foreign; 3), min_foreign_ratio (share of foreign evidence; 0.3).
    """

    def __init__(
        self,
        *,
        min_letters: int = 8,
        max_foreign_script: float = 0.5,
        min_words: int = 3,
        min_foreign_ratio: float = 0.3,
    ) -> None:
        self.min_letters = min_letters
        self.max_foreign_script = max_foreign_script
        self.min_words = min_words
        self.min_foreign_ratio = min_foreign_ratio

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        text = submission.text
        a = analyse(text)
        ascii_text = text.isascii()
        latin = foreign = 0
        if ascii_text:
            latin = len(text)
        elif len(text) - len(text.encode("ascii", "ignore")) <= len(_ASCII_ALNUM_RE.findall(text)):
            # Fewer non-ASCII characters than ASCII letters and digits: another script cannot
            # be most of the letters, so do not count them token by token.
            latin = len(text)
        for token in a.tokens if not latin else ():
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
                Code.LANGUAGE,
                round(foreign / total, 2),
                (),
                "mostly in another script",
            )
            return
        yield from self._latin(a, ascii_text)

    def _latin(self, a: Analysis, ascii_text: bool) -> Iterable[Finding]:
        english = stopwords()
        languages = _word_languages()
        tokens = a.tokens
        counts = Counter(token[3] for token in tokens)
        n = en = other = 0
        votes: Counter[str] = Counter()
        for word, count in counts.items():
            if not word.isalpha() or not word.isascii():
                continue
            n += count
            if word in english:
                en += count
            elif word in languages:
                other += count
                for code in languages[word]:
                    votes[code] += count
        if n < 2:
            return
        if True in a.quoted:  # "c'est la vie" in quotes is a quotation, not the comment
            for p, token in enumerate(tokens):
                if a.quoted[p] and token[3] in languages and token[3] not in english:
                    other -= 1
        text = a.text
        if not ascii_text or "'" in text:
            # Accents English words do not have ("très", "będą", "ngày") and elisions
            # ("l'Asie"), in words that are neither English nor known function words.
            possible = len(_ACCENTED_RE.findall(text)) + text.count("'") + text.count("’")
            if other + possible > en:
                for p, token in enumerate(tokens):
                    word = token[3]
                    if word in english or word in languages or a.quoted[p]:
                        continue
                    if not word.isalpha() or not word.isascii():
                        continue
                    piece = text[token[0] : token[1]]
                    if piece.isascii():
                        if _ELISION_RE.match(piece):
                            other += 1
                    elif not piece[:1].isupper() and _accented(piece):
                        other += 1
        if other < 2 or other <= en:
            return
        if n < self.min_words and other < n:
            return
        ratio = other / n
        if ratio >= self.min_foreign_ratio:
            best = max(sorted(votes), key=votes.__getitem__) if votes else "?"
            yield Finding(Decision.HOLD, Code.LANGUAGE, round(ratio, 2), (), f"looks like '{best}'")
