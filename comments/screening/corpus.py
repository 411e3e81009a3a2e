"""The training corpus: comments written for teaching the screening, in families (one idea
written many ways), and its split by family into training and a sealed evaluation part.

A family's wording is never on both sides of the split: the sealed part shows how the model
does on ideas it never saw, which is what readers' new comments are. It is not looked at
while tuning; `make eval-moderation` reports it once per change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .model import LABELS

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
SEALED_SHARE = 0.2  # of the families


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    family: str
    lang: str = "en"
    weight: float = 1.0
    article: frozenset[str] = frozenset()  # the words of the article it was written under


def article_context():
    """The article the corpus was written for (corpus/article.json), None without one."""
    from .context import ArticleContext

    path = CORPUS_DIR / "article.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return ArticleContext.build(headline=data["headline"], text=data["body"], topics=data["topics"])


class CorpusError(ValueError):
    pass


def is_sealed(family: str) -> bool:
    """Whether a family belongs to the sealed evaluation part: decided by a hash of its id
    alone, so adding families never moves an old one across the split."""
    digest = hashlib.sha256(family.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < SEALED_SHARE


def read(paths: Iterable[Path] | None = None) -> list[Example]:
    """Every example of the corpus files (all *.jsonl in CORPUS_DIR by default), in a fixed
    order."""
    files = sorted(CORPUS_DIR.glob("*.jsonl")) if paths is None else list(paths)
    context = article_context()
    article = context.words if context else frozenset()
    examples = []
    for path in files:
        examples.extend(_read_file(path, article))
    return examples


def _read_file(path: Path, article: frozenset[str]) -> Iterator[Example]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                example = Example(
                    text=row["text"],
                    label=row["label"],
                    family=row["family"],
                    lang=row.get("lang", "en"),
                    article=article,
                )
            except (ValueError, KeyError, TypeError) as error:
                raise CorpusError(f"{path.name}:{number}: {error}") from error
            if example.label not in LABELS:
                raise CorpusError(f"{path.name}:{number}: unknown label {example.label!r}")
            yield example


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training, sealed) by family."""
    training = [e for e in examples if not is_sealed(e.family)]
    sealed = [e for e in examples if is_sealed(e.family)]
    return training, sealed
