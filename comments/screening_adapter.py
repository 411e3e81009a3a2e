"""The bridge from the database to the screening package: an Article as the plain facts
(ArticleContext) screening reads, so comments/screening stays free of models."""

from functools import lru_cache

from articles.models import Article
from comments.screening import ArticleContext


def context_for(article: Article) -> ArticleContext:
    """The ArticleContext of `article` (headline, HTML body and topic names), built once per
    version of the article's text."""
    topics = tuple(sorted(topic.name for topic in article.topics.all()))
    return _build(article.headline, article.body, topics)


@lru_cache(maxsize=128)
def _build(headline: str, body: str, topics: tuple[str, ...]) -> ArticleContext:
    return ArticleContext.build(headline=headline, text=body, topics=topics)
