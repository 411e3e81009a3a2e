"""The learned classifier as a screening check, with the decision policy from settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from .base import Code, Decision, Finding, Submission, merge_spans
from .model import ARTIFACT, LABELS, Model, current_model

CODES = {"abusive": Code.ABUSIVE, "hate": Code.HATE, "spam": Code.SPAM, "off_topic": Code.OFF_TOPIC}

# Probabilities (calibrated) at which a label holds or removes a comment. Removing is only
# for what the model is sure of, in a comment long enough to be sure of; off-topic is never
# removed by the machine. Chosen on out-of-fold predictions of the training split (grouped by
# family): removal only above every legitimate comment's probability there; min_ok trades
# legitimate comments held against harm published (README, "Screening").
DEFAULT_REMOVE = {"abusive": 0.9995, "hate": 0.9995, "spam": 0.9995}
DEFAULT_HOLD = {"abusive": 0.3, "hate": 0.2, "spam": 0.3, "off_topic": 0.3}
DEFAULT_MIN_OK = 0.7
DEFAULT_MIN_WORDS_TO_REMOVE = 6


class ModelCheck:
    """The trained model (model.py): each label's probability against the thresholds, and a
    comment the model is unsure of (probability of ok below min_ok) is held, never published.
    A comment shorter than min_words_to_remove is at most held: a few words are too little
    evidence for the machine to remove what a reader wrote.

    OPTIONS: remove and hold (label -> probability; labels abusive, hate, spam, off_topic),
    min_ok, min_words_to_remove, artifact (a path, default the shipped model).
    """

    def __init__(
        self,
        *,
        remove: Mapping[str, float] | None = None,
        hold: Mapping[str, float] | None = None,
        min_ok: float = DEFAULT_MIN_OK,
        min_words_to_remove: int = DEFAULT_MIN_WORDS_TO_REMOVE,
        artifact: str | Path | None = None,
    ) -> None:
        self.remove = dict(DEFAULT_REMOVE if remove is None else remove)
        self.hold = dict(DEFAULT_HOLD if hold is None else hold)
        unknown = (set(self.remove) | set(self.hold)) - set(CODES)
        if unknown:
            raise ValueError(f"unknown labels {sorted(unknown)}; use {sorted(CODES)}")
        if not 0 <= min_ok <= 1:
            raise ValueError("min_ok is a probability")
        self.min_ok = min_ok
        self.min_words_to_remove = min_words_to_remove
        self._artifact = Path(artifact) if artifact else None

    @property
    def model(self) -> Model:
        if self._artifact is None or self._artifact == ARTIFACT:
            return current_model()
        return _load(self._artifact)

    @property
    def model_version(self) -> str:
        return self.model.version

    def verdicts(
        self, probabilities: Mapping[str, float], words: int | None = None
    ) -> dict[str, Decision]:
        """What the policy makes of each label's probability for a comment of `words` words
        (unknown: long enough): the labels that hold or remove (and "unsure" when the model
        is not confident the comment is fine)."""
        found = {}
        may_remove = words is None or words >= self.min_words_to_remove
        for label in LABELS[1:]:
            p = probabilities[label]
            if may_remove and p >= self.remove.get(label, 2.0):
                found[label] = Decision.REMOVE
            elif p >= self.hold.get(label, 2.0):
                found[label] = Decision.HOLD
        if not found and probabilities["ok"] < self.min_ok:
            found["unsure"] = Decision.HOLD
        return found

    def decision(self, probabilities: Mapping[str, float], words: int | None = None) -> Decision:
        return max(self.verdicts(probabilities, words).values(), default=Decision.PUBLISH)

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        text = submission.text
        article = submission.article
        prediction = self.model.predict(
            text,
            article=article.words if article else frozenset(),
            passages=article.passages if article else (),
        )
        probabilities = prediction.probabilities
        verdicts = self.verdicts(probabilities, prediction.words)
        for label in LABELS[1:]:
            if label not in verdicts:
                continue
            decision, p = verdicts[label], probabilities[label]
            weighty = prediction.weighty(label)
            words = ", ".join(dict.fromkeys(text[start:end] for start, end, _ in weighty))
            spans = merge_spans((start, end) for start, end, _ in weighty)
            detail = f"{label} {p:.2f}" + (f": {words}" if words else "")
            yield Finding(decision, CODES[label], round(p, 3), spans, detail)
        if "unsure" in verdicts:
            likeliest = max(LABELS[1:], key=probabilities.__getitem__)
            detail = (
                f"unsure: ok {probabilities['ok']:.2f}, {likeliest} {probabilities[likeliest]:.2f}"
            )
            yield Finding(Decision.HOLD, Code.UNSURE, round(1 - probabilities["ok"], 3), (), detail)


_models: dict[Path, Model] = {}


def _load(path: Path) -> Model:
    if path not in _models:
        _models[path] = Model.load(path)
    return _models[path]
