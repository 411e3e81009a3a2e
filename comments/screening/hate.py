"""Hate speech: a group of people named together with dehumanising, sweeping, violent or
conspiratorial language."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .base import Code, Decision, Finding, Submission, merge_spans
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
    r"|\bwiped? (?:\w+ )?off the (?:map|face of the earth)\b"
)
# Calls to annihilate: hateful whoever the people are ("Serbs should be exterminated").
_ELIMINATE_RE = re.compile(
    r"\b(?:should|must|ought to|need to|needs to|deserve to|deserves to|have to|has to|to|will"
    r"|can|could) (?:all |just |simply )?(?:be|get) (?:\w+ )?(?:exterminated|gassed|wiped out"
    r"|eradicated|annihilated|culled|wiped off the (?:map|face of the earth)|ethnically cleansed)\b"
    r"|\b(?:exterminate|gas|annihilate|cull|eradicate) (?:all |every |each )?(?:of )?"
    r"(?:them|these|those|the|all)\b|\bwipe (?:them|\w+) (?:all )?(?:out|off the map)\b"
)
# Who "they" may be: words standing for a group of people in a dehumanising sentence.
REFERENTS = frozenset({"they", "them", "theyre", "people", "folk", "folks", "humans"})
DEMONSTRATIVES = frozenset({"these", "those", "such"})
# "Calling Russians animals is disgusting": the slur is the object of a speech verb...
_SPEECH = frozenset(
    {
        "call", "calls", "calling", "called", "compare", "compares", "comparing", "compared",
        "label", "labels", "labelling", "labeling", "labelled", "labeled", "describe",
        "describes", "describing", "described", "brand", "branding", "branded", "dub",
        "dubbing", "dubbed", "refer", "referring", "referred",
    }
)  # fmt: skip
# ...that the sentence condemns (a negation before the word undoes it).
_CONDEMN_RE = re.compile(
    r"(?<!not )(?<!isn t )(?<!isnt )(?<!nothing )\b(?:disgusting|racist|racism|wrong|unacceptable"
    r"|shameful|shame|vile|bigoted|bigotry|disgraceful|disgrace|hateful|offensive|xenophobic"
    r"|dehumanising|dehumanizing|appalling|abhorrent|sickening|gross|despicable|ugly|stupid"
    r"|ignorant|inexcusable|not ok|not okay|not acceptable|no place|out of line|uncalled for"
    r"|has to stop|must stop|needs to stop)\b"
    r"|^(?:stop|don t|dont|do not|never|please stop|quit) (?:\w+ ){0,2}(?:calling|comparing|call"
    r"|compare|labelling|labeling|describing)\b"
)
_DEMONYM_ENDINGS = ("ians", "ans", "anis", "ese", "is", "ks", "khs", "ites", "ers")
# People-like nouns that "should be exterminated" makes a target ("immigrants", "migrants").
_PEOPLE_NOUNS = frozenset(
    {
        "people", "folk", "folks", "humans", "immigrants", "migrants", "foreigners", "refugees",
        "natives", "locals", "tribes", "minorities", "men", "women", "children", "kids",
        "protesters", "supporters", "voters", "believers", "settlers", "workers", "peasants",
    }
)  # fmt: skip
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


# Each pattern needs one of its words in the comment: cheap tests before scanning the text.
_VIOLENT_WORDS = frozenset(
    {
        "killed", "wiped", "exterminated", "eradicated", "eliminated", "gassed", "deported",
        "expelled", "sent", "locked", "kicked", "thrown", "driven", "banned", "shot", "hanged",
        "hung", "purged", "removed", "nuked", "bombed", "burned", "burnt", "sterilised",
        "sterilized", "enslaved", "lynched", "kill", "exterminate", "eradicate", "wipe", "gas",
        "nuke", "deport", "expel", "ban", "hang", "shoot", "purge", "send", "back", "lock",
        "kick", "throw", "drive", "keep", "place", "belong", "rid", "country", "land", "die",
        "treated", "dealt", "map", "earth",
    }
)  # fmt: skip
_SWEEPING_WORDS = frozenset(
    {
        "trust", "trusted", "typical", "lie", "lies", "lying", "steal", "steals", "stealing",
        "cheat", "cheats", "cheating", "single", "expect", "race",
    }
)  # fmt: skip
_CONSPIRACY_WORDS = frozenset(
    {
        "control", "controls", "controlled", "controlling", "run", "runs", "running", "own",
        "owns", "rule", "rules", "behind", "pull", "manipulate", "manipulates",
    }
)  # fmt: skip
_ELIMINATE_WORDS = frozenset(
    {
        "exterminated", "gassed", "wiped", "eradicated", "annihilated", "culled", "cleansed",
        "exterminate", "gas", "annihilate", "cull", "eradicate", "wipe",
    }
)  # fmt: skip
_PATTERNS = (
    (_VIOLENT_RE, "violent", _VIOLENT_WORDS),
    (_SWEEPING_RE, "sweeping", _SWEEPING_WORDS),
    (_CONSPIRACY_RE, "conspiracy", _CONSPIRACY_WORDS),
)


def _matches(a: Analysis, pattern: re.Pattern[str], words: frozenset[str]) -> list[tuple[int, int]]:
    """(first, last) token positions of each match of `pattern` in the canon text."""
    if not a.has_any(words):
        return []
    return [(a.token_at(m.start()), a.token_at(m.end() - 1)) for m in pattern.finditer(a.canon)]


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
        if not a.tokens:
            return
        groups = self._group_mentions(a)
        dehumanising = self.dehumanising.positions(a)
        hits: list[tuple[int, int, str]] = []  # (first token, last token, kind)
        if dehumanising or not groups:
            hits.extend(_without_group_name(a, groups, dehumanising))
        if not groups and not hits:
            return
        traits = self.traits.positions(a)
        for p in groups:
            hits.extend(_attributes(a, p, dehumanising, traits))
        for pattern, kind, words in _PATTERNS:
            for first, last in _matches(a, pattern, words):
                sentence = a.sentence[first]
                same = any(a.sentence[g] == sentence for g in groups)
                # "never trust them" after "Chinese people are ..." in an earlier sentence
                after = any(a.sentence[g] < sentence for g in groups) and _PRONOUN_RE.search(
                    a.canon, a.canon_starts[first], a.canon_starts[last] + len(a.canons[last]) + 20
                )
                if same or after:
                    hits.append((first, last, kind))
        if not hits:
            return
        # Reported or condemned speech: "Calling Russians animals is disgusting" publishes,
        # "He called Russians animals" is held for a moderator.
        reported = False
        for sentence in sorted({a.sentence[first] for first, _, _ in hits}):
            frame = _speech_frame(a, sentence, groups, hits)
            if frame == "condemned":
                hits = [h for h in hits if a.sentence[h[0]] != sentence]
            elif frame == "reported":
                reported = True
        if not hits:
            return
        # The offending words are the predicate's, at the end of each hit.
        quoted = reported or all(a.quoted[last] for _, last, _ in hits)
        spans = [a.span(first, last) for first, last, _ in hits]
        spans += [a.span(g) for g in groups if any(a.sentence[g] == a.sentence[h[0]] for h in hits)]
        kinds = sorted({kind for _, _, kind in hits})
        names = sorted({a.tokens[g].canon for g in groups}) or ["people"]
        if all(kind in ("dehumanised", "eliminationist") for kind in kinds):
            # "They are animals" with no call to harm, or "Rats should be exterminated": a
            # moderator knows who "they" are.
            quoted = True
        yield Finding(
            Decision.HOLD if quoted else Decision.REMOVE,
            Code.HATE,
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


def _speech_frame(
    a: Analysis, sentence: int, groups: list[int], hits: list[tuple[int, int, str]]
) -> str | None:
    """ "condemned" when the sentence names the hateful words as something said and condemns
    saying them, "reported" when it only reports them, None otherwise."""
    first, last = a.sentence_bounds(sentence)
    targets = [g for g in groups if a.sentence[g] == sentence]
    targets += [h[0] for h in hits if a.sentence[h[0]] == sentence]
    start = min(targets)
    if not any(a.tokens[q].canon in _SPEECH for q in range(max(first, start - 4), start + 1)):
        return None
    canon = " ".join(t.canon for t in a.tokens[first : last + 1])
    return "condemned" if _CONDEMN_RE.search(canon) else "reported"


def _without_group_name(
    a: Analysis, groups: list[int], dehumanising: frozenset[int]
) -> list[tuple[int, int, str]]:
    """Hate that names no group from the list: "These people are cockroaches and should be
    exterminated", "They are rats... they should all be gassed", "Serbs should be gassed"."""
    tokens = a.tokens
    hits: list[tuple[int, int, str]] = []
    # Dehumanising words said of people: "these people are vermin", "they are rats", "those
    # animals".
    said_of_people: list[tuple[int, int]] = []
    for p, token in enumerate(tokens if dehumanising else ()):
        if token.canon in REFERENTS:
            for first, last, kind in _attributes(a, p, dehumanising, frozenset()):
                if kind == "dehumanising" and last > p:
                    said_of_people.append((first, last))
        elif (
            token.canon in DEMONSTRATIVES
            and p + 1 in dehumanising
            and a.sentence[p + 1] == a.sentence[p]
        ):
            said_of_people.append((p, p + 1))
    eliminate = _matches(a, _ELIMINATE_RE, _ELIMINATE_WORDS)
    if not said_of_people and (groups or not eliminate):
        return hits
    violent = eliminate + _matches(a, _VIOLENT_RE, _VIOLENT_WORDS)
    if said_of_people:
        if violent:
            hits.extend((first, last, "dehumanising") for first, last in said_of_people)
            hits.extend((first, last, "violent") for first, last in violent)
        else:
            hits.extend((first, last, "dehumanised") for first, last in said_of_people)
    if groups:
        return hits
    # "Serbs should be exterminated", "immigrants must be gassed": a call to annihilate people.
    for first, last in eliminate:
        sentence = a.sentence[first]
        for q in range(first - 1, max(-1, first - 6), -1):
            if a.sentence[q] != sentence:
                break
            word = tokens[q].canon
            if word in _PEOPLE_NOUNS or word in REFERENTS:
                hits.append((q, last, "violent"))
                break
            if word.endswith("s") and len(word) > 3 and word.isalpha():
                # A capitalised plural inside a sentence is a people ("the Serbs"); at its
                # start it may be anything ("Mosquitoes should be exterminated"): hold.
                capital = a.text[tokens[q].start : tokens[q].start + 1].isupper()
                inside = q > 0 and a.sentence[q - 1] == sentence
                if capital and (inside or word.endswith(_DEMONYM_ENDINGS)):
                    hits.append((q, last, "violent"))
                elif q == first - 1:
                    hits.append((q, last, "eliminationist"))
                break
    return hits
