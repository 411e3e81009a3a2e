"""The bridge from the database: an Article's screening context (the only module that reads it)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .context import ArticleContext

if TYPE_CHECKING:
    from articles.models import Article


def context_for(article: Article) -> ArticleContext:
    """The ArticleContext of `article` (headline, HTML body and topic names), built once per
    version of the article's text."""
    topics = tuple(sorted(topic.name for topic in article.topics.all()))
    return _build(article.headline, article.body, topics)


@lru_cache(maxsize=128)
def _build(headline: str, body: str, topics: tuple[str, ...]) -> ArticleContext:
    return ArticleContext.build(headline=headline, text=body, topics=topics)
