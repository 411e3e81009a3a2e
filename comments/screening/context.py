"""What screening knows about the article a comment is on: its vocabulary, built once."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from . import lexicons
from .normalize import analyse
from .words import content_words, stem

_TAG_RE = re.compile(r"<[^>]{0,2000}>")

# How much a matching word says that a comment is about the article.
ARTICLE_WEIGHT = 1.0
COMMON_ARTICLE_WEIGHT = 0.4  # an everyday word that happens to be in the article ("goal")
NEWS_WEIGHT = 0.6  # a general news/politics word ("propaganda", "government")
OPINION_WEIGHT = 0.5  # a word of argument or judgement ("nonsense", "spin", "ashamed")


def strip_tags(text: str) -> str:
    return html.unescape(_TAG_RE.sub(" ", text))


@lru_cache(maxsize=1)
def _news_vocabulary() -> Mapping[str, float]:
    found = {stem(w): OPINION_WEIGHT for w in lexicons.words("opinion_vocabulary") if w.isalpha()}
    for word in lexicons.words("news_vocabulary"):
        if word.isalpha():
            found[stem(word)] = NEWS_WEIGHT
    return MappingProxyType(found)


@lru_cache(maxsize=1)
def _common_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in lexicons.words("common_words"))


def _people_of(country: str) -> str:
    """The people a "-stan" country is named after: "uzbekistan" -> "uzbek" ("" if none)."""
    for suffix in ("istan", "stan"):
        if country.endswith(suffix) and len(country) - len(suffix) >= 4:
            return country[: -len(suffix)]
    return ""


@dataclass(frozen=True, eq=False)
class ArticleContext:
    headline: str
    topics: tuple[str, ...]
    # stem -> weight of the evidence that a comment using it is about this article
    vocabulary: Mapping[str, float] = field(repr=False)

    @classmethod
    def build(cls, *, headline: str, text: str, topics: Iterable[str]) -> ArticleContext:
        topics = tuple(topics)
        common = _common_stems()
        vocabulary: dict[str, float] = dict(_news_vocabulary())
        for part in (headline, strip_tags(text), " ".join(topics)):
            for _, word in content_words(analyse(part)):
                key = stem(word)
                weight = COMMON_ARTICLE_WEIGHT if key in common else ARTICLE_WEIGHT
                vocabulary[key] = max(vocabulary.get(key, 0.0), weight)
                people = _people_of(word)
                if people:  # "Uzbekistan" in the article: "Uzbeks" in a comment
                    vocabulary[stem(people)] = ARTICLE_WEIGHT
        return cls(headline=headline, topics=topics, vocabulary=MappingProxyType(vocabulary))

    def weight(self, word: str) -> float:
        return self.vocabulary.get(stem(word), 0.0)
