"""Training the screening model (scikit-learn, only here: the web process never imports it).

The same examples and options give the same artifact, byte for byte: features and vocabulary
in a fixed order, a deterministic solver on one thread (scikit-learn's OpenMP sums over
threads in whatever order the threads finish, which moves the weights in their fourth
decimal from one run to the next), weights rounded before they are written.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import embedding
from .corpus import Example
from .embedding import ENCODER
from .model import FORMAT, LABELS, Model, features

DEFAULT_C = 8.0
# The meaning's columns (embedding.features) beside the tf-idf vector (both of length 1): at
# this scale the embedding weighs as much as the words (chosen on out-of-fold predictions,
# README; 2 did worse).
EMBEDDING_SCALE = 1.0
MIN_DF = 2
DIGITS = 5  # weights are written rounded to this many decimals
# Where the solver stops: with the embedding's columns 1e-6 took 340 iterations and 57 s a
# fit here, 1e-4 takes 155 and 23 s (README compares the two models on the sealed split).
TOLERANCE = 1e-4
FOLDS = 5


@dataclass(frozen=True)
class Trained:
    artifact: dict
    # Probabilities for each training example from a model that did not see its family
    # (grouped cross-validation): honest figures to choose thresholds on.
    out_of_fold: np.ndarray


def meanings(examples: list[Example]) -> np.ndarray:
    """What the model reads of each example's meaning under its article (embedding.features,
    rows in order), on one thread: the same sums in the same order every run."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        vectors = embedding.encoder().encode_many([e.text for e in examples])
        return np.array(
            [
                embedding.features(vector, embedding.article_meaning(e.passages))
                for vector, e in zip(vectors, examples, strict=True)
            ]
        ).reshape(len(examples), embedding.FEATURES)


def _matrix(
    counts: list[Counter],
    index: dict[str, int],
    idf: np.ndarray,
    meaning: np.ndarray | None = None,
):
    """The tf-idf rows (sublinear tf, L2-normalised), and the embeddings' columns after them."""
    from scipy.sparse import csr_matrix, hstack

    rows, cols, vals = [], [], []
    for row, counted in enumerate(counts):
        known = [(index[f], c) for f, c in counted.items() if f in index]
        if not known:
            continue
        values = np.array([(1.0 + math.log(c)) * idf[i] for i, c in known])
        values /= np.sqrt(values @ values)
        rows.extend([row] * len(known))
        cols.extend(i for i, _ in known)
        vals.extend(values)
    words = csr_matrix((vals, (rows, cols)), shape=(len(counts), len(index)))
    if meaning is None:
        return words
    return hstack([words, csr_matrix(EMBEDDING_SCALE * meaning)], format="csr")


def _fit(counts, meaning, labels, weights, *, c: float):
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    document_frequency: Counter[str] = Counter()
    for counted in counts:
        document_frequency.update(counted.keys())
    vocabulary = sorted(f for f, df in document_frequency.items() if df >= MIN_DF)
    index = {feature: i for i, feature in enumerate(vocabulary)}
    n = len(counts)
    idf = np.array([math.log((1 + n) / (1 + document_frequency[f])) + 1 for f in vocabulary])
    x = _matrix(counts, index, idf, meaning)
    classifier = LogisticRegression(C=c, max_iter=5000, tol=TOLERANCE)
    with threadpool_limits(limits=1):
        classifier.fit(x, labels, sample_weight=weights)
    return vocabulary, idf, classifier


def _balanced(labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each label weighs the same in total, so a label with fewer examples is not ignored."""
    totals = {label: weights[labels == label].sum() for label in range(len(LABELS))}
    mean = sum(totals.values()) / len(LABELS)
    return np.array([w * mean / totals[y] for y, w in zip(labels, weights, strict=True)])


def calibrated(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities as the model gives them once `temperature` is applied (Model.predict)."""
    logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


def _temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that makes out-of-fold probabilities best calibrated (lowest log loss)."""
    best, best_loss = 1.0, math.inf
    for temperature in np.arange(0.3, 3.01, 0.05):
        scaled = calibrated(probabilities, temperature)
        loss = -np.mean(np.log(np.clip(scaled[np.arange(len(labels)), labels], 1e-12, 1)))
        if loss < best_loss - 1e-12:
            best, best_loss = round(float(temperature), 2), loss
    return best


def train(examples: list[Example], *, c: float = DEFAULT_C) -> Trained:
    """Train on `examples` (never the sealed split) into an artifact dict."""
    from sklearn.model_selection import GroupKFold

    counts = [features(e.text, e.article)[0] for e in examples]
    meaning = meanings(examples)
    labels = np.array([LABELS.index(e.label) for e in examples])
    weights = _balanced(labels, np.array([e.weight for e in examples], dtype=float))
    families = np.array([e.family for e in examples])

    out_of_fold = np.zeros((len(examples), len(LABELS)))
    for train_rows, test_rows in GroupKFold(n_splits=FOLDS).split(counts, labels, families):
        vocabulary, idf, classifier = _fit(
            [counts[i] for i in train_rows],
            meaning[train_rows],
            labels[train_rows],
            weights[train_rows],
            c=c,
        )
        index = {feature: i for i, feature in enumerate(vocabulary)}
        x = _matrix([counts[i] for i in test_rows], index, idf, meaning[test_rows])
        fold = np.zeros((len(test_rows), len(LABELS)))
        fold[:, classifier.classes_] = classifier.predict_proba(x)
        out_of_fold[test_rows] = fold
    temperature = _temperature(out_of_fold, labels)

    vocabulary, idf, classifier = _fit(counts, meaning, labels, weights, c=c)
    coef = np.zeros((len(vocabulary) + embedding.FEATURES, len(LABELS)))
    coef[:, classifier.classes_] = classifier.coef_.T
    coef, meaning_coef = coef[: len(vocabulary)], coef[len(vocabulary) :]
    intercept = np.zeros(len(LABELS))
    intercept[classifier.classes_] = classifier.intercept_
    artifact = {
        "format": FORMAT,
        "labels": list(LABELS),
        # Every feature stays, weighty or not: each counts in a comment's L2 norm.
        "vocabulary": vocabulary,
        "idf": [round(float(v), DIGITS) for v in idf],
        "coef": np.round(coef, DIGITS).tolist(),
        "intercept": [round(float(v), DIGITS) for v in intercept],
        "embedding": {
            "encoder": ENCODER,
            "scale": EMBEDDING_SCALE,
            "coef": np.round(meaning_coef, DIGITS).tolist(),
        },
        "temperature": temperature,
        "metadata": {
            "examples": len(examples),
            "families": len(set(families)),
            "per_label": {label: int((labels == i).sum()) for i, label in enumerate(LABELS)},
            "c": c,
            "min_df": MIN_DF,
        },
    }
    artifact["version"] = _version(artifact)
    return Trained(artifact, out_of_fold)


def _version(artifact: dict) -> str:
    body = json.dumps({k: v for k, v in artifact.items() if k != "version"}, sort_keys=True)
    return "m" + hashlib.sha256(body.encode()).hexdigest()[:10]


def dumps(artifact: dict) -> bytes:
    """The artifact as gzipped JSON, byte for byte the same for the same artifact."""
    text = json.dumps(artifact, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as file:
        file.write(text.encode("utf-8"))
    return buffer.getvalue()


def write(artifact: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(artifact))


def as_model(artifact: dict) -> Model:
    return Model(artifact)
