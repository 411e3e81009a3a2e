"""Insults, threats and profanity: removed when aimed at a person, held or noted otherwise."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .base import Code, Decision, Finding, Submission, merge_spans
from .normalize import Analysis, analyse
from .terms import build_lexicon
from .words import stopwords

SECOND_PERSON = frozenset(
    {"you", "u", "ya", "ye", "your", "ur", "youre", "yourself", "yourselves", "yall"}
)
COPULA = frozenset({"is", "are", "was", "were", "be", "been", "being", "am", "r", "re", "sounds"})
# Words that may sit between "is"/"what"/"you" and the insult: "is a total lying idiot".
FILLER = frozenset(
    {
        "a", "an", "the", "such", "total", "complete", "absolute", "utter", "real", "bloody",
        "fucking", "freaking", "lying", "little", "big", "just", "all", "bunch", "of", "pack",
        "piece", "more", "than", "nothing", "but", "right", "proper", "typical", "old", "biggest",
        "sad", "fat", "ugly", "damn", "dirty", "excuse", "for", "like", "lot", "sorry",
        "shameless", "paid", "ignorant", "brainwashed", "stupid", "dumb", "pathetic", "worthless",
        "useless", "arrogant", "clueless", "miserable", "this", "that", "these", "those",
    }
)  # fmt: skip
# Words after which an insult is aimed at someone: "what an idiot", "only a moron would".
TRIGGERS = frozenset(
    {"what", "such", "only", "by", "hey", "oi", "listen", "dear", "these", "those"}
)
SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "you", "u", "who", "everyone", "anyone"})

_THREAT_RE = re.compile(
    r"\bhope (?:(?!not |never |doesnt |dont |wont |doesn |don |won )\w+ ){0,6}?"
    r"(?:dies|die|chokes|choke|rots|rot|burns|burn|drops dead|suffers|suffer"
    r"|gets? (?:shot|killed|hit|raped|hanged|murdered|cancer|run over|beaten))\b"
    r"|\b(?:should|must|deserves? to|ought to|needs? to) be (?:shot|hanged|hung|killed|executed"
    r"|strung up|lynched|beaten|murdered|gassed|burned|burnt|tortured)\b"
    r"|\b(?:kill|shoot|stab|strangle|murder|beat up) (?:you|u|him|her)\b"
)

# A threat needs one of these words: no need to run the pattern over a text without them.
_THREAT_WORDS = frozenset(
    {
        "hope", "shot", "hanged", "hung", "killed", "executed", "strung", "lynched", "beaten",
        "murdered", "gassed", "burned", "burnt", "tortured", "kill", "shoot", "stab",
        "strangle", "murder", "beat",
    }
)  # fmt: skip


class InsultCheck:
    """Directed insults and threats remove; a strong insult or profanity alone holds.

    OPTIONS: extra_insults (nouns), extra_profanity, extra_phrases (directed phrases), allow,
    hold_profanity (hold strong profanity that is not aimed at anyone; default True).
    """

    def __init__(
        self,
        *,
        extra_insults: Sequence[str] = (),
        extra_profanity: Sequence[str] = (),
        extra_phrases: Sequence[str] = (),
        allow: Sequence[str] = (),
        hold_profanity: bool = True,
    ) -> None:
        self.nouns = build_lexicon("insult_nouns", None, extra_insults, allow)
        self.weak_nouns = build_lexicon("insult_weak_nouns", None, (), allow)
        self.adjectives = build_lexicon("insult_adjectives", None, (), allow)
        self.people = build_lexicon("person_nouns", None, (), ())
        self.profanity = build_lexicon("profanity", None, extra_profanity, allow)
        self.mild = build_lexicon("profanity_mild", None, (), allow)
        self.directed = build_lexicon("directed_phrases", None, extra_phrases, allow)
        self.rude = build_lexicon("rude_phrases", None, (), allow)
        self.hold_profanity = hold_profanity

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        a = analyse(submission.text)
        if not a.tokens:
            return
        phrases = self.directed.find(a)
        covered = {p for m in phrases for p in range(m.first, m.last + 1)}
        reported = [m for m in phrases if _reported(a, m.first)]
        if reported:
            # "Critics were told to shut up": someone else's words, aimed at no reader.
            phrases = [m for m in phrases if m not in reported]
            yield Finding(
                Decision.PUBLISH,
                Code.INSULT,
                0.2,
                merge_spans(m.span for m in reported),
                ", ".join(sorted({m.term for m in reported})) + " (reported speech)",
            )
        if phrases:
            quoted = all(a.quoted[m.first] for m in phrases)
            yield Finding(
                Decision.HOLD if quoted else Decision.REMOVE,
                Code.INSULT,
                0.6 if quoted else 0.95,
                merge_spans(m.span for m in phrases),
                ", ".join(sorted({m.term for m in phrases})),
            )
        threats = (
            [m.span() for m in _THREAT_RE.finditer(a.canon)] if a.has_any(_THREAT_WORDS) else []
        )
        if threats:
            yield Finding(
                Decision.REMOVE,
                Code.THREAT,
                0.9,
                merge_spans(a.canon_span(*span) for span in threats),
                "wishes or calls for harm to a person",
            )

        aimed: list[int] = []
        alone: list[int] = []
        nouns = self.nouns.positions(a)
        weak = self.weak_nouns.positions(a)
        adjectives = self.adjectives.positions(a)
        insults = nouns | weak | adjectives
        people = self.people.positions(a)
        for p in sorted(insults - covered):
            kind = "noun" if p in nouns else "weak" if p in weak else "adjective"
            if self._aimed(a, p, kind, insults, people):
                aimed.append(p)
            elif kind == "noun":
                alone.append(p)
        if aimed:
            quoted = all(a.quoted[p] for p in aimed)
            yield Finding(
                Decision.HOLD if quoted else Decision.REMOVE,
                Code.INSULT,
                0.6 if quoted else 0.9,
                merge_spans(a.span(p) for p in aimed),
                ", ".join(sorted({a.tokens[p].canon for p in aimed})),
            )
        elif alone:
            yield Finding(
                Decision.HOLD,
                Code.INSULT,
                0.5,
                merge_spans(a.span(p) for p in alone),
                ", ".join(sorted({a.tokens[p].canon for p in alone})) + " (not clearly aimed)",
            )

        strong = [m for m in self.profanity.find(a) if m.first not in covered]
        if strong and self.hold_profanity:
            yield Finding(
                Decision.HOLD,
                Code.PROFANITY,
                0.6,
                merge_spans(m.span for m in strong),
                ", ".join(sorted({m.term for m in strong})),
            )
        rude = [m for m in self.rude.find(a) if m.first not in covered]
        if rude:
            # "Grow up." alone is a brush-off: a moderator looks. "Grow up, this is diplomacy,
            # not a football match" is rude but argues: published, the rudeness noted.
            argues = _argues_beyond(a, {p for m in rude for p in range(m.first, m.last + 1)})
            yield Finding(
                Decision.PUBLISH if argues else Decision.HOLD,
                Code.INSULT,
                0.3 if argues else 0.5,
                merge_spans(m.span for m in rude),
                ", ".join(sorted({m.term for m in rude})) + (" (in an argument)" if argues else ""),
            )
        mild = [m for m in self.mild.find(a) if m.first not in covered]
        if mild:
            yield Finding(
                Decision.PUBLISH,
                Code.PROFANITY,
                0.2,
                merge_spans(m.span for m in mild),
                ", ".join(sorted({m.term for m in mild})),
            )

    def _aimed(
        self, a: Analysis, p: int, kind: str, insults: frozenset[int], people: frozenset[int]
    ) -> bool:
        """Whether the insult at token `p` is aimed at a person (the reader, the author...)."""
        tokens = a.tokens
        sentence = a.sentence[p]
        canon = a.canons

        def in_sentence(q: int) -> bool:
            return 0 <= q < len(tokens) and a.sentence[q] == sentence

        # "you idiot", "you are all brainwashed", "your stupid website"
        if any(in_sentence(q) and canon[q] in SECOND_PERSON for q in range(p - 3, p)):
            return True
        following = p + 1 if in_sentence(p + 1) and a.clause[p + 1] == a.clause[p] else None
        # "stupid author", "idiot journalist", "asshole commenters"
        if following is not None and following in people:
            return True
        # A noun followed by another noun is a modifier: "clown show", "troll farm".
        modifier = (
            kind != "noun" and following is not None and canon[following] not in _NOT_MODIFIED
        )
        # Walk back over fillers: "is a total idiot", "what an imbecile", "only a retard would".
        q = p - 1
        steps = 0
        while in_sentence(q) and steps < 5 and (canon[q] in FILLER or q in insults):
            q -= 1
            steps += 1
        if in_sentence(q):
            word = canon[q]
            if word in TRIGGERS and not modifier:
                return True
            if word in COPULA and not modifier:
                if kind != "adjective":
                    return True
                subject = q - 1
                if in_sentence(subject):
                    text = a.text[tokens[subject].start : tokens[subject].end]
                    if canon[subject] in SUBJECT_PRONOUNS or subject in people:
                        return True
                    if text[:1].isupper() and canon[subject] not in _NOT_MODIFIED:
                        return True  # "Lavrov is stupid"
        # A clause that is nothing but insults: "Idiots.", "Worthless scum.", ", troll."
        clause = _clause_positions(a, p)
        if kind != "adjective" or len(clause) > 1:
            rest = [canon[q] for q in clause if q not in insults]
            if all(w in FILLER or w in SECOND_PERSON or w in _VOCATIVE for w in rest):
                return True
        return False


# "were told to shut up", "ordered the crowd to go away": a command reported, not given.
_REPORTING = frozenset(
    {
        "told", "tell", "tells", "telling", "ordered", "order", "orders", "ordering", "asked",
        "asking", "urged", "urging", "warned", "instructed", "forced", "made",
    }
)  # fmt: skip
_PASSIVE = frozenset({"was", "were", "been", "being", "be", "is", "are", "get", "got", "gets"})


def _reported(a: Analysis, first: int) -> bool:
    """Whether the phrase starting at token `first` is the object of a reporting verb:
    "were told to shut up", "ordered protesters to go away" (but not "I told you to shut up")."""
    tokens = a.tokens
    if first < 2 or tokens[first - 1].canon != "to" or a.sentence[first - 2] != a.sentence[first]:
        return False
    for verb in range(first - 2, max(-1, first - 6), -1):
        if a.sentence[verb] != a.sentence[first]:
            return False
        if tokens[verb].canon in _REPORTING:
            between = {t.canon for t in tokens[verb + 1 : first - 1]}
            if between & SECOND_PERSON or between & {"me", "us"}:
                return False
            if between:
                return True  # "told critics to shut up"
            return verb > 0 and tokens[verb - 1].canon in _PASSIVE  # "were told to shut up"
    return False


_VOCATIVE = frozenset({"all", "of", "you", "here", "everyone", "again", "hey", "oi", "go", "away"})
# Words after an insult that do not make it a modifier of a following noun.
_NOT_MODIFIED = frozenset(
    {
        "and", "or", "but", "who", "that", "which", "for", "if", "like", "of", "from", "with",
        "to", "in", "on", "at", "as", "than", "would", "will", "could", "should", "can", "is",
        "are", "was", "were", "here", "there", "again", "too", "lol", "this", "the", "a", "an",
        "it", "i", "you", "commenting", "posting", "writing", "believing", "thinking", "all",
        "he", "she", "they", "we", "his", "her", "their", "not", "so", "just", "now", "then",
    }
)  # fmt: skip


# Content words besides a rude phrase from which a comment argues rather than brushes off.
MIN_ARGUMENT_WORDS = 3


def _argues_beyond(a: Analysis, phrase: set[int]) -> bool:
    """Whether the comment says something besides the rude phrase at `phrase`: at least
    MIN_ARGUMENT_WORDS content words that are not fillers, address or insults."""
    stop = stopwords()
    words = {
        t.canon
        for p, t in enumerate(a.tokens)
        if p not in phrase
        and len(t.canon) > 2
        and t.canon.isalpha()
        and t.canon not in stop
        and t.canon not in FILLER
        and t.canon not in _VOCATIVE
    }
    return len(words) >= MIN_ARGUMENT_WORDS


def _clause_positions(a: Analysis, p: int) -> list[int]:
    first = last = p
    while first > 0 and a.clause[first - 1] == a.clause[p]:
        first -= 1
    while last + 1 < len(a.tokens) and a.clause[last + 1] == a.clause[p]:
        last += 1
    return list(range(first, last + 1))
