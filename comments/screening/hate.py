"""Hate speech: a group of people named together with dehumanising, sweeping, violent or
conspiratorial language."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .base import Decision, Finding, Submission, merge_spans
from .normalize import Analysis, analyse
from .terms import build_lexicon

COPULA = frozenset({"are", "is", "were", "was", "r", "be", "being", "am"})
LIKE = frozenset({"like", "as"})
# What may stand between "X are" and the insult: "are all just filthy ...".
BETWEEN = frozenset(
    {
        "a", "an", "the", "all", "just", "nothing", "but", "such", "total", "complete", "bunch",
        "pack", "herd", "horde", "hordes", "of", "more", "than", "no", "better", "real", "bloody",
        "little", "fat", "yellow", "always", "born", "basically", "simply", "only", "still",
        "mostly", "really", "very", "so", "too", "typical", "natural", "breed", "race",
        "like", "and", "or", "every", "single", "one", "them", "disgusting", "dirty",
        "filthy", "drunk", "stupid", "lazy", "dumb", "ignorant", "damn", "fucking", "lying",
    }
)  # fmt: skip
_PRONOUN_RE = re.compile(r"\b(?:them|they|their|theyre)\b")

# Violent or exclusionary predicates ("should be wiped out", "send them back", "know their place").
_VIOLENT_RE = re.compile(
    r"\b(?:should|must|ought to|need to|needs to|deserve to|deserves to|have to|has to|to|will)"
    r" (?:all )?be (?:\w+ ){0,2}?(?:killed|wiped out|exterminated|eradicated|eliminated|gassed"
    r"|deported|expelled|sent back|locked up|kicked out|thrown out|driven out|banned|shot|hanged"
    r"|hung|purged|removed|nuked|bombed|burned|burnt|sterilised|sterilized|enslaved|lynched)\b"
    r"|\b(?:kill|exterminate|eradicate|wipe out|gas|nuke|deport|expel|ban|hang|shoot|purge)"
    r" (?:all|every|each|them|the|these|those)\b"
    r"|\bwipe (?:them|\w+) out\b|\bsend (?:them|\w+|all the \w+|the \w+|all \w+) back\b"
    r"|\bgo back (?:to|where)\b|\bback where they (?:came|come) from\b"
    r"|\b(?:lock|kick|throw|drive|keep) (?:them|\w+|all the \w+|the \w+) (?:up|out)\b"
    r"|\bknow (?:their|its|his|her) place\b|\b(?:don t|dont|do not|doesnt) belong\b"
    r"|\bget rid of\b|\bget out of (?:our|my|this) (?:country|land)\b|\bdeserve to die\b"
    r"|\bshould (?:all )?die\b|\bshould be (?:treated|dealt with) like\b"
)
# Sweeping generalisations.
_SWEEPING_RE = re.compile(
    r"\b(?:never|dont|don t|do not|cant|can t|cannot|can not|wouldnt) trust\b"
    r"|\bcan ?t be trusted\b|\bcannot be trusted\b|\btypical\b"
    r"|\b(?:always|all) (?:lie|lies|lying|steal|steals|stealing|cheat|cheats|cheating)\b"
    r"|\bevery single one\b|\bwhat do you expect from\b|\bthat race\b|\bthe whole \w+ race\b"
)
# Conspiracy tropes about a group.
_CONSPIRACY_RE = re.compile(
    r"\b(?:control|controls|controlled|controlling|run|runs|running|own|owns|rule|rules"
    r"|secretly run|are behind|is behind|pull the strings of|manipulate|manipulates)"
    r" (?:the |both |all |our |all the |every |everything|most )?(?:\w+ )?"
    r"(?:government|governments|media|banks|banking|world|money|press|hollywood|finance"
    r"|politicians|congress|kremlin|economy|everything|elections|countries|west)\b"
)


class HateCheck:
    """A group term with a dehumanising, sweeping, violent or conspiratorial predicate removes
    the comment; the same words only quoted hold it.

    OPTIONS: extra_groups, extra_dehumanising, extra_traits, allow.
    """

    def __init__(
        self,
        *,
        extra_groups: Sequence[str] = (),
        extra_dehumanising: Sequence[str] = (),
        extra_traits: Sequence[str] = (),
        allow: Sequence[str] = (),
    ) -> None:
        self.groups = build_lexicon("groups", None, extra_groups, allow)
        self.dehumanising = build_lexicon("dehumanising", None, extra_dehumanising, allow)
        self.traits = build_lexicon("negative_traits", None, extra_traits, allow)
        self.institutions = build_lexicon("institutions", None, (), ())

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        a = analyse(submission.text)
        groups = self._group_mentions(a)
        if not groups:
            return
        hits: list[tuple[int, int, str]] = []  # (first token, last token, kind)
        dehumanising = self.dehumanising.positions(a)
        traits = self.traits.positions(a)
        for p in groups:
            hits.extend(_attributes(a, p, dehumanising, traits))
        for pattern, kind in (
            (_VIOLENT_RE, "violent"),
            (_SWEEPING_RE, "sweeping"),
            (_CONSPIRACY_RE, "conspiracy"),
        ):
            for m in pattern.finditer(a.canon):
                first, last = a.token_at(m.start()), a.token_at(m.end() - 1)
                sentence = a.sentence[first]
                same = any(a.sentence[g] == sentence for g in groups)
                # "never trust them" after "Chinese people are ..." in an earlier sentence
                after = any(a.sentence[g] < sentence for g in groups) and _PRONOUN_RE.search(
                    a.canon, m.start(), m.end() + 20
                )
                if same or after:
                    hits.append((first, last, kind))
        if not hits:
            return
        # The offending words are the predicate's, at the end of each hit.
        quoted = all(a.quoted[last] for _, last, _ in hits)
        spans = [a.span(first, last) for first, last, _ in hits]
        spans += [a.span(g) for g in groups if any(a.sentence[g] == a.sentence[h[0]] for h in hits)]
        kinds = sorted({kind for _, _, kind in hits})
        names = sorted({a.tokens[g].canon for g in groups})
        yield Finding(
            Decision.HOLD if quoted else Decision.REMOVE,
            "hate",
            0.6 if quoted else 0.9,
            merge_spans(spans),
            f"{', '.join(kinds)} language about {', '.join(names)}",
        )

    def _group_mentions(self, a: Analysis) -> list[int]:
        found = []
        institutions = self.institutions.positions(a)
        for p in sorted(self.groups.positions(a)):
            following = p + 1
            if (
                following < len(a.tokens)
                and a.clause[following] == a.clause[p]
                and following in institutions
            ):
                continue  # "the Russian government", "Chinese officials": not a people
            found.append(p)
        return found


def _attributes(
    a: Analysis, p: int, dehumanising: frozenset[int], traits: frozenset[int]
) -> list[tuple[int, int, str]]:
    """Dehumanising words or negative traits attached to the group mention at `p`."""
    tokens = a.tokens
    n = len(tokens)
    sentence = a.sentence[p]

    def ok(q: int) -> bool:
        return 0 <= q < n and a.sentence[q] == sentence

    def dehum(q: int) -> bool:
        return q in dehumanising

    def trait(q: int) -> bool:
        return q in traits

    hits = []
    # Right next to it: "subhuman Uzbeks", "Chinese rats", "Russian pigs".
    for q in (p - 1, p + 1):
        if ok(q) and dehum(q):
            hits.append((min(p, q), max(p, q), "dehumanising"))
    # "X (people) (in Central Asia) are [all/just/...] Y", "X multiplying like Y"
    q = p + 1
    while ok(q) and q <= p + 4 and tokens[q].canon not in COPULA | LIKE:
        q += 1
    if ok(q) and tokens[q].canon in COPULA | LIKE | {"breed", "multiply"}:
        r = q + 1
        while ok(r) and r <= q + 5:
            if dehum(r):
                hits.append((q, r, "dehumanising"))
                break
            if trait(r) and tokens[q].canon in COPULA:
                hits.append((q, r, "sweeping"))
                break
            if tokens[r].canon not in BETWEEN and not trait(r) and not dehum(r):
                break
            r += 1
    # "all X are Y": a trait later in the sentence after "all X"
    if ok(p - 1) and tokens[p - 1].canon == "all":
        for r in range(p + 1, min(n, p + 7)):
            if ok(r) and (trait(r) or dehum(r)):
                hits.append((p - 1, r, "sweeping"))
                break
    # "multiplying like rats", "breed like insects" anywhere after the mention
    for r in range(p + 1, min(n, p + 10)):
        if ok(r) and dehum(r) and ok(r - 1) and tokens[r - 1].canon in LIKE:
            hits.append((r - 1, r, "dehumanising"))
            break
    return hits
