"""Off-topic comments: too little in common with the article, or no substance at all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from . import lexicons
from .base import Code, Decision, Finding, Submission, merge_spans
from .context import COMMON_ARTICLE_WEIGHT, ArticleContext
from .normalize import Analysis, analyse
from .words import content_words, is_laughter, stem, stopwords

# A name right after one of these is where something happens ("a plumber in Shanghai"): it
# says little about what the comment is about, so it weighs no more than an everyday word.
LOCATIVE = frozenset({"in", "at", "near", "around", "from"})
# Reactions longer than this many words are judged on their relevance like any comment.
MAX_REACTION_TOKENS = 16


@lru_cache(maxsize=1)
def _reaction_vocabulary() -> tuple[frozenset[str], frozenset[tuple[str, str]], frozenset[str]]:
    anchors = lexicons.words("reaction_anchors")
    phrases = frozenset(
        tuple(line.split()) for line in lexicons.terms("reaction_phrases") if len(line.split()) == 2
    )
    allowed = lexicons.words("reaction_words") | lexicons.words("filler") | stopwords()
    return anchors, phrases, allowed


@lru_cache(maxsize=1)
def _neutral_words() -> frozenset[str]:
    """Words that say nothing of what a comment is about, for or against the article."""
    return lexicons.words("reaction_words") | lexicons.words("filler")


# Words by which a comment answers another reader or the article it is under.
ENGAGING = frozenset(
    {
        "you", "your", "youre", "yours", "yourself", "u", "ur", "commenter", "commenters",
        "poster", "author", "writer", "article", "piece", "headline", "interviewer",
    }
)  # fmt: skip


def engages(a: Analysis) -> bool:
    """Whether `a` answers someone: "you", "the author", "this article", a reader's "@name",
    or quotes words between quotation marks (the article's, another reader's)."""
    if any(t.canon in ENGAGING for t in a.tokens):
        return True
    return "@" in a.text or any(a.quoted)


def _is_name(a: Analysis, p: int) -> bool:
    """A capitalised word that does not just start a sentence ("I agree with Paul")."""
    token = a.tokens[p]
    first = a.text[token.start : token.start + 1]
    if not first.isupper() or len(token.word) < 2:
        return False
    starts_sentence = p == 0 or a.sentence[p - 1] != a.sentence[p]
    return not starts_sentence or (p + 1 < len(a.tokens) and a.clause[p + 1] != a.clause[p])


def is_reaction(a: Analysis, article: ArticleContext) -> bool:
    """Whether `a` is a short reaction: praise, agreement, thanks or disagreement with the
    article or another reader, made only of reaction words, names and the article's words."""
    tokens = a.tokens
    if not tokens or len(tokens) > MAX_REACTION_TOKENS:
        return False
    anchors, phrases, allowed = _reaction_vocabulary()
    canon = [t.canon for t in tokens]
    anchored = False
    for p, word in enumerate(canon):
        if word in anchors or (
            p + 1 < len(canon)
            and (word, canon[p + 1]) in phrases
            and a.sentence[p] == a.sentence[p + 1]
        ):
            anchored = True
            continue
        if p and (canon[p - 1], word) in phrases:
            continue
        if word in allowed or word.isdigit() or _is_name(a, p):
            continue
        if not word.isalpha() or article.vocabulary.get(stem(word), 0.0) == 0.0:
            return False
    return anchored


class TopicCheck:
    """Holds a comment whose words share too little with the article (never removes).

    Each content word adds its weight in the article's vocabulary (1 for a word of the article,
    less for everyday or general news words, and for a name only saying where: "in Shanghai").
    A short reaction ("Great article!", "Agreed.", "Well said") is on topic. OPTIONS:
    min_relevance (total weight a comment needs; default 1.0), min_density (weight per content
    word for long comments; 0.08), long_comment (content words from which density counts; 15).
    """

    def __init__(
        self, *, min_relevance: float = 1.0, min_density: float = 0.08, long_comment: int = 15
    ) -> None:
        self.min_relevance = min_relevance
        self.min_density = min_density
        self.long_comment = long_comment

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        article = submission.article
        if article is None:
            return
        a = analyse(submission.text)
        if not a.text.isascii():
            latin = sum(1 for t in a.tokens if t.word.isascii())
            if a.tokens and latin < len(a.tokens) / 2:
                return  # another script: the language check decides
        if is_reaction(a, article):
            return
        filler = lexicons.words("filler")
        words = content_words(a)
        substance = [
            (p, w) for p, w in words if w not in filler and not is_laughter(w) and len(w) > 2
        ]
        if not substance:
            spans = merge_spans(a.span(p) for p, _ in words) or ((0, len(submission.text)),)
            yield Finding(Decision.HOLD, Code.OFF_TOPIC, 0.8, spans, "no substance")
            return
        relevance = 0.0
        seen: set[str] = set()
        vocabulary = article.vocabulary
        for p, word in substance:
            key = stem(word)
            if key in seen:
                continue
            seen.add(key)
            weight = vocabulary.get(key, 0.0)
            if weight > COMMON_ARTICLE_WEIGHT and _only_a_place(a, p):
                weight = COMMON_ARTICLE_WEIGHT
            relevance += weight
        density = relevance / len(seen)
        if relevance >= self.min_relevance and (
            len(seen) < self.long_comment or density >= self.min_density
        ):
            return
        if self._takes_part(a, substance, relevance, vocabulary):
            return
        score = max(0.3, 1.0 - relevance / (self.min_relevance * 2))
        yield Finding(
            Decision.HOLD,
            Code.OFF_TOPIC,
            round(score, 2),
            (),
            f"relevance {relevance:.1f} over {len(seen)} words",
        )

    def _takes_part(
        self,
        a: Analysis,
        substance: list[tuple[int, str]],
        relevance: float,
        vocabulary: Mapping[str, float],
    ) -> bool:
        """Whether a short comment with some relevance takes part in the discussion rather
        than talking about something else: none of its words points elsewhere ("Sorry, but
        that makes no sense."), or it answers a reader or the article and most of its words
        are known ("Lol, 'no ideological differences'. Sure.")."""
        if relevance < self.min_relevance / 2 or len(substance) >= self.long_comment:
            return False
        neutral = _neutral_words()
        known = unknown = 0
        for _, word in substance:
            if word in neutral:
                continue
            if vocabulary.get(stem(word), 0.0) > 0.0:
                known += 1
            else:
                unknown += 1
        return not unknown or (unknown <= known and engages(a))


def _only_a_place(a: Analysis, p: int) -> bool:
    """A capitalised name right after "in", "at", "from"...: where, not what."""
    if p == 0 or a.tokens[p - 1].canon not in LOCATIVE or a.clause[p - 1] != a.clause[p]:
        return False
    return a.text[a.tokens[p].start : a.tokens[p].start + 1].isupper()
