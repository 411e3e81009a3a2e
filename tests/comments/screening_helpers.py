"""Shared helpers for the screening tests: the seed article's context and labelled rows."""

import json
from functools import cache
from pathlib import Path

from comments.screening import ArticleContext, Submission

DATA = Path(__file__).parent / "data"


@cache
def seed_context() -> ArticleContext:
    seed = json.loads((DATA / "seed_article.json").read_text(encoding="utf-8"))
    return ArticleContext.build(headline=seed["headline"], text=seed["body"], topics=seed["topics"])


def labelled_rows() -> list[dict]:
    with open(DATA / "labelled.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def on_seed(text: str, **fields) -> Submission:
    return Submission(text=text, article=seed_context(), **fields)


def marked(text: str, spans) -> list[str]:
    """The pieces of `text` that spans point at."""
    return [text[start:end] for start, end in spans]
