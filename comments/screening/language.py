"""Comments in a language the model was not trained on: held for a moderator who reads it.

The language is identified by py3langid, whose model ships inside its package (plain arrays,
loaded without pickle); nothing is downloaded.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from .base import Code, Decision, Finding, Submission

COVERED = ("en", "ru", "zh")
# The languages the identifier chooses among: those readers of an international news site
# write most, so that a short English comment is not mistaken for a rare language.
CANDIDATES = (
    "en", "ru", "zh", "uk", "de", "fr", "es", "it", "pt", "nl", "pl", "tr", "ar", "fa", "hi",
    "ja", "ko", "vi", "id", "sv", "cs", "kk", "uz", "mn",
)  # fmt: skip


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def identify(text: str) -> tuple[str, float]:
    """The most likely language of `text` (an ISO 639-1 code) and its probability."""
    language, probability = _identifier().classify(text)
    return language, float(probability)


class LanguageCheck:
    """Holds (never removes) a comment confidently written in a language the screening model
    does not cover: the model's verdict on it would be a guess.

    OPTIONS: covered (languages the model was trained on; default en, ru, zh), min_letters
    (shorter comments are not judged: too little to tell; 12), min_probability (0.9).
    """

    def __init__(
        self,
        *,
        covered: Sequence[str] = COVERED,
        min_letters: int = 12,
        min_probability: float = 0.9,
    ) -> None:
        self.covered = frozenset(covered)
        self.min_letters = min_letters
        self.min_probability = min_probability

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        text = submission.text
        if sum(ch.isalpha() for ch in text) < self.min_letters:
            return
        language, probability = identify(text)
        if language not in self.covered and probability >= self.min_probability:
            yield Finding(
                Decision.HOLD,
                Code.LANGUAGE,
                round(probability, 3),
                (),
                f"written in {language} ({probability:.2f}), which the screening does not cover",
            )
