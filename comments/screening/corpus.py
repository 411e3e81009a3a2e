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
    article_slug: str = ""  # "" for the seed article (article.json)
    passages: tuple[str, ...] = ()  # the article's headline and paragraphs (ArticleContext)


def _context(path: Path):
    from .context import ArticleContext

    data = json.loads(path.read_text(encoding="utf-8"))
    return ArticleContext.build(headline=data["headline"], text=data["body"], topics=data["topics"])


def article_context():
    """The seed article most of the corpus was written for (corpus/article.json), None
    without one."""
    path = CORPUS_DIR / "article.json"
    return _context(path) if path.is_file() else None


def article_contexts(*folders: Path) -> dict:
    """Every article of the corpus (and of the `folders` given) by slug ("" for the seed
    article)."""
    # The corpus's other articles (each with its own comment section) are in articles/.
    folders = (CORPUS_DIR / "articles", *folders)
    paths = [path for folder in folders for path in sorted(folder.glob("*.json"))]
    contexts = {path.stem: _context(path) for path in paths}
    seed = article_context()
    if seed is not None:
        contexts[""] = seed
    return contexts


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
    articles = {"": None} | article_contexts()
    examples = []
    for path in files:
        examples.extend(_read_file(path, articles))
    return examples


def _read_file(path: Path, articles: dict) -> Iterator[Example]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                slug = row.get("article", "")
                context = articles.get(slug)
                example = Example(
                    text=row["text"],
                    label=row["label"],
                    family=row["family"],
                    lang=row.get("lang", "en"),
                    article=context.words if context else frozenset(),
                    article_slug=slug,
                    passages=context.passages if context else (),
                )
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise CorpusError(f"{path.name}:{number}: {error}") from error
            if slug not in articles:
                raise CorpusError(f"{path.name}:{number}: no article {slug!r} in the corpus")
            if example.label not in LABELS:
                raise CorpusError(f"{path.name}:{number}: unknown label {example.label!r}")
            yield example


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training, sealed) by family."""
    training = [e for e in examples if not is_sealed(e.family)]
    sealed = [e for e in examples if is_sealed(e.family)]
    return training, sealed


def rows(examples: Iterable[Example]) -> list[dict]:
    """Examples as labelled rows for evaluation (evaluation.evaluate), with their article."""
    return [
        {"id": e.family, "text": e.text, "label": e.label}
        | ({"article": e.article_slug} if e.article_slug else {})
        for e in examples
    ]
