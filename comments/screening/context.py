"""What screening knows about the article a comment is on, as plain facts."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

_TAG_RE = re.compile(r"<[^>]{0,2000}>")
# Where one passage of an article's HTML ends and the next begins.
_BLOCK_END_RE = re.compile(r"</(?:p|h[1-6]|li|blockquote|div|figcaption)\s*>|<br\s*/?>", re.I)


def strip_tags(text: str) -> str:
    return html.unescape(_TAG_RE.sub(" ", text))


@dataclass(frozen=True)
class ArticleContext:
    headline: str
    topics: tuple[str, ...]
    text: str  # the body as plain text
    words: frozenset[str] = frozenset()  # as the model reads them (model.article_words)
    # The headline and each paragraph as plain text: what embedding.article_meaning reads.
    passages: tuple[str, ...] = ()

    @classmethod
    def build(cls, *, headline: str, text: str, topics: Iterable[str]) -> ArticleContext:
        from .model import article_words

        topics = tuple(topics)
        plain = strip_tags(text)
        words = article_words(headline, plain, " ".join(topics))
        return cls(
            headline=headline,
            topics=topics,
            text=plain,
            words=words,
            passages=passages(headline, text),
        )


def passages(headline: str, html_text: str) -> tuple[str, ...]:
    """The headline and the body's paragraphs as plain text, without empty ones."""
    pieces = (" ".join(strip_tags(piece).split()) for piece in _BLOCK_END_RE.split(html_text))
    return tuple(piece for piece in (headline.strip(), *pieces) if piece)
