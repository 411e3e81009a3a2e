"""What screening knows about the article a comment is on, as plain facts."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

_TAG_RE = re.compile(r"<[^>]{0,2000}>")


def strip_tags(text: str) -> str:
    return html.unescape(_TAG_RE.sub(" ", text))


@dataclass(frozen=True)
class ArticleContext:
    headline: str
    topics: tuple[str, ...]
    text: str  # the body as plain text
    words: frozenset[str] = frozenset()  # as the model reads them (model.article_words)

    @classmethod
    def build(cls, *, headline: str, text: str, topics: Iterable[str]) -> ArticleContext:
        from .model import article_words

        topics = tuple(topics)
        plain = strip_tags(text)
        words = article_words(headline, plain, " ".join(topics))
        return cls(headline=headline, topics=topics, text=plain, words=words)
