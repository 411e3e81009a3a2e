"""Text normalisation: look-alikes, leetspeak, masks and split letters, keeping original spans."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

# Letters from other scripts that readers see as Latin ones (the usual evasions).
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ո": "n", "ս": "u", "ց": "g", "ɡ": "g", "ɑ": "a",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "μ": "u", "ς": "s", "σ": "o",
    # Latin letters without a decomposition
    "ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŀ": "l", "ƒ": "f",
    "æ": "ae", "œ": "oe", "þ": "th",
}  # fmt: skip

# Digits and symbols standing for letters. Ambiguous ones list every reading.
LEET: dict[str, str] = {
    "0": "o", "1": "il", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "il", "+": "t", "€": "e",
}  # fmt: skip
_LEET_CHARS = frozenset(LEET)
_MASK = "*"

# Words a mask like "f***" or "sh*t" most likely hides, most likely first.
MASKABLE: tuple[str, ...] = (
    "fuck", "shit", "bullshit", "cunt", "bitch", "asshole", "arsehole", "bastard", "damn",
    "crap", "hell", "ass", "arse", "dick", "piss", "prick", "twat", "wanker", "whore", "slut",
    "idiot", "moron", "retard", "nigger", "motherfucker", "dipshit", "dumbass", "shithead",
)  # fmt: skip

_MASKABLE_SET = frozenset(MASKABLE)
_TOKEN_RE = re.compile(r"[\w@$!|+*'’€]+")
_ORDINAL_RE = re.compile(r"\d+(?:st|nd|rd|th|s|k|m|bn|km|kg|am|pm|x|g)")
_RUN_RE = re.compile(r"([^\W\d_])\1{2,}")
# A digit or symbol read as a letter has a letter after it ("1d10t", "sh!t"); "G20" is a name.
_LEET_INSIDE_RE = re.compile(r"[0-9@$!|+€][^\W\d_]")
# What may separate the letters of a word spelled out to dodge a filter: "f u c k", "i.d.i.o.t".
_SPLIT_GAP_RE = re.compile(r"[ .\-_*/·•]{1,3}")
_SENTENCE_GAP_RE = re.compile(r"[.!?;:\n…]")
_QUOTE_RE = re.compile(r"""(?<!\w)['‘"“«]([^'’"”»\n]{1,160})['’"”»](?!\w)""")
_MAX_VARIANTS = 16
_MAX_WORD = 32
_NO_UNDERSCORE = re.compile(r"[^_]+")
_NOT_ALNUM_RE = re.compile(r"[\W_]+")


# Words that spelled-out letters are joined into ("f u c k"): the banned and suspect terms,
# and common insults and profanity, so the model reads them as words too.
_WATCHED_LISTS = (
    "banned", "suspect", "insult_nouns", "insult_weak_nouns", "insult_adjectives", "profanity",
    "profanity_mild", "dehumanising",
)  # fmt: skip
_extra_watched: set[str] = set()


@lru_cache(maxsize=1)
def _shipped_watched() -> frozenset[str]:
    from . import lexicons

    found = set(MASKABLE)
    for name in _WATCHED_LISTS:
        for term in lexicons.terms(name):
            found.update(plain_words(term.rstrip("=")))
    return frozenset(found)


@lru_cache(maxsize=1)
def watched_words() -> frozenset[str]:
    """Words that spelled-out letters ("f u c k") are joined into when they form one."""
    return _shipped_watched() | frozenset(_extra_watched)


@lru_cache(maxsize=1)
def _longest_watched() -> int:
    return max(map(len, watched_words()), default=0)


def watch(words: Iterable[str]) -> None:
    """Add words from a configured lexicon to the watched set."""
    new = set(words) - watched_words()
    if new:
        _extra_watched.update(new)
        watched_words.cache_clear()
        _longest_watched.cache_clear()
        analyse.cache_clear()


@lru_cache(maxsize=8192)
def fold_char(char: str) -> str:
    """Lower-case Latin form of one character ("" for invisible format characters)."""
    if char.isascii():
        return char.lower()
    if unicodedata.category(char) == "Cf":  # zero-width joiners, soft hyphens...
        return ""
    decomposed = unicodedata.normalize("NFKD", char)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return "".join(CONFUSABLES.get(c, c) for c in stripped)


_ASCII_RUN_RE = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]")


def fold(text: str) -> tuple[str, list[int] | None]:
    """Folded text and, for each folded character, its index in `text` (None: identical)."""
    if text.isascii():
        return text.lower(), None
    table: dict[str, str] = {}
    one_for_one = True
    for char in set(text):
        folded = char.lower() if char.isascii() else fold_char(char)
        table[char] = folded
        one_for_one = one_for_one and len(folded) == 1
    if one_for_one:  # every character folds to one: offsets are unchanged
        return "".join(map(table.__getitem__, text)), None
    out: list[str] = []
    index: list[int] = []
    for m in _ASCII_RUN_RE.finditer(text):
        piece = m.group()
        if piece.isascii():
            out.append(piece.lower())
            index.extend(range(m.start(), m.end()))
        else:
            folded = table[piece]
            if folded:
                out.append(folded)
                index.extend([m.start()] * len(folded))
    return "".join(out), index


def plain_words(text: str) -> list[str]:
    """A lexicon entry's words, folded the way comment tokens are."""
    folded, _ = fold(text)
    return [w for w in re.split(r"[^\w*]+", folded.replace("'", "").replace("’", "")) if w]


def inflections(form: str) -> set[str]:
    """Base forms `form` may be an inflection of (plural, -ed, -ing, -er, -in)."""
    stems: set[str] = set()
    n = len(form)
    if n > 4 and form.endswith("ies"):
        stems.add(form[:-3] + "y")
    if n > 4 and form.endswith("es") and form[-3] in "sxzh":
        stems.add(form[:-2])
    if n > 3 and form.endswith("s") and not form.endswith("ss"):
        stems.add(form[:-1])
    for suffix in ("ing", "ed", "er", "in", "ers", "ings"):
        if form.endswith(suffix) and n - len(suffix) >= 3:
            stem = form[: -len(suffix)]
            if suffix in ("ed", "er", "ing", "ers", "ings"):
                stems.add(stem + "e")  # hated -> hate, hating -> hate
            if len(stem) < 4:
                continue  # "niger" is not "nig" + "er"
            stems.add(stem)
            if stem[-1] == stem[-2]:  # stabbed -> stab, shitting -> shit
                stems.add(stem[:-1])
    return {s for s in stems if len(s) >= 3}


def _leet_variants(token: str) -> list[str]:
    variants = [""]
    for char in token:
        readings = LEET.get(char, char) if char != _MASK else _MASK
        if len(readings) == 1 or len(variants) * len(readings) > _MAX_VARIANTS:
            readings = readings[0]
        variants = [v + r for v in variants for r in readings]
    return variants


def _squeezed(form: str) -> list[str]:
    """ "fuuuuck" -> fuck, fuuck; "assss" -> as, ass (English words double a letter at most)."""
    if not _RUN_RE.search(form):
        return []
    return [_RUN_RE.sub(r"\1", form), _RUN_RE.sub(r"\1\1", form)]


@lru_cache(maxsize=1024)
def _unmask(form: str) -> tuple[str, ...]:
    """The words a masked form like "f***" or "bullsh*t" may stand for (with a suffix kept)."""
    letters = form.replace(_MASK, "")
    if not letters or letters == form:
        return ()
    found: list[str] = []
    candidates = [(form, "")]
    for suffix in ("ing", "ed", "er", "ers", "s", "in"):
        if form.endswith(suffix) and len(form) > len(suffix) + 1:
            candidates.append((form[: -len(suffix)], suffix))
    for pattern_text, suffix in candidates:
        for word in MASKABLE:
            if len(word) == len(pattern_text) and all(
                p == w or (p == _MASK and "a" <= w <= "z")
                for p, w in zip(pattern_text, word, strict=True)
            ):
                found.append(word + suffix)
                break
    return tuple(found)


class Token(NamedTuple):
    start: int  # offsets in the original text
    end: int
    raw: str  # folded surface form, symbols kept ("1d10t", "f***")
    word: str  # letters and digits only, possessive dropped ("putin's" -> "putin")
    canon: str  # the most likely reading ("1d10t" -> "idiot", "f***" -> "fuck")
    forms: frozenset[str]  # every reading: leet variants, squeezed runs, unmasked
    keys: frozenset[str]  # forms plus the base forms they may inflect
    joined: bool = False  # letters spelled out with gaps, joined into one word


@dataclass(frozen=True)
class Analysis:
    """A comment cut into normalised tokens, with an index from every reading to its tokens."""

    text: str
    tokens: tuple[Token, ...]
    index: dict[str, tuple[int, ...]]  # key (form or inflection base) -> token positions
    exact: dict[str, tuple[int, ...]]  # form -> token positions
    sentence: tuple[int, ...]  # sentence number of each token
    clause: tuple[int, ...]  # clause number (commas also split) of each token
    quoted: tuple[bool, ...]  # token sits inside quotation marks
    canon: str  # " ".join of canon forms, "." between sentences and "," between clauses
    canon_starts: tuple[int, ...]  # offset of each token's canon form in `canon`

    @cached_property
    def canons(self) -> tuple[str, ...]:
        """The canon form of each token."""
        return tuple(token.canon for token in self.tokens)

    def has_any(self, words: Iterable[str]) -> bool:
        """Whether any of `words` is a reading of some token (a cheap test before a regex)."""
        exact = self.exact
        return any(word in exact for word in words)

    def sentence_bounds(self, sentence: int) -> tuple[int, int]:
        """First and last token positions of sentence number `sentence`."""
        import bisect

        return (
            bisect.bisect_left(self.sentence, sentence),
            bisect.bisect_right(self.sentence, sentence) - 1,
        )

    def span(self, first: int, last: int | None = None) -> tuple[int, int]:
        last = first if last is None else last
        return (self.tokens[first].start, self.tokens[last].end)

    def token_at(self, canon_offset: int) -> int:
        """Position of the token whose canon form covers `canon_offset` (or precedes it)."""
        import bisect

        return max(0, bisect.bisect_right(self.canon_starts, canon_offset) - 1)

    def canon_span(self, start: int, end: int) -> tuple[int, int]:
        """Original-text span of the tokens covering canon[start:end]."""
        return self.span(self.token_at(start), self.token_at(max(start, end - 1)))


@lru_cache(maxsize=32768)
def _trim(raw: str) -> str:
    """The word in a token match: without quotes, "!" at the end, "$" before a number..."""
    raw = raw.strip("'’")
    raw = raw.rstrip("!|+@") if not raw.rstrip("!|+@").endswith(_MASK) else raw
    if raw[:1] in "$@" and not any(c.isalpha() for c in raw[1:]):
        raw = raw[1:]  # "$5000", "@2012"
    return raw.lstrip("!|+*'’")


def _make_token(raw: str, start: int, end: int, joined: bool = False) -> Token | None:
    reading = _read(raw)
    if reading is None:
        return None
    return Token(start, end, *reading, joined)


@lru_cache(maxsize=32768)
def _read(raw: str) -> tuple[str, str, str, frozenset[str], frozenset[str]] | None:
    """(raw, word, canon, forms, keys) of one token's surface form, or None for no word."""
    raw = _trim(raw)
    if not raw or not any(c.isalnum() for c in raw):
        return None
    flat = raw.replace("'", "").replace("’", "")
    base = raw
    for apostrophe in ("'s", "’s"):
        if base.endswith(apostrophe):
            base = base[:-2]
    word = _NOT_ALNUM_RE.sub("", base.replace("'", "").replace("’", ""))
    forms: list[str] = [word] if word else []
    if flat != word and base == raw:
        forms.append(_NOT_ALNUM_RE.sub("", flat))
    if len(flat) > _MAX_WORD:  # no word is this long: do not try readings of a letter soup
        return raw, word, word, frozenset({word}), frozenset({word})
    leet = _LEET_INSIDE_RE.search(flat) is not None and not _ORDINAL_RE.fullmatch(flat)
    if leet or (_MASK in flat and any(c.isalpha() for c in flat)):
        variants = _leet_variants(base.replace("'", "").replace("’", ""))
        forms.extend(v for v in variants if _MASK not in v)
        for variant in variants:
            if _MASK in variant:
                forms.extend(_unmask(variant))
    for form in list(forms):
        forms.extend(_squeezed(form))
    forms = [f for f in dict.fromkeys(forms) if f]
    if not forms:
        return None
    # The canonical reading: the first all-letter leet or unmasked reading, else the word.
    canon = next((f for f in forms[1:] if f.isalpha()), word) if len(forms) > 1 else forms[0]
    squeezed = _squeezed(canon)
    if squeezed:
        canon = squeezed[1] if squeezed[1] in _KNOWN_DOUBLES else squeezed[0]
    form_set = frozenset(forms)
    keys = set(form_set)
    for form in form_set:
        keys |= inflections(form)
    return raw, word, canon, form_set, frozenset(keys)


# Squeezing "fuuuuck" keeps one letter, except where English doubles it.
_KNOWN_DOUBLES = frozenset({"ass", "hell", "kill", "too", "good", "all", "see", "off", "stupidd"})


def _join_split_letters(tokens: list[Token], text: str) -> list[Token]:
    """Replace runs of 3+ single characters ("f u c k", "i.d.i.o.t") with one joined token."""
    n = len(tokens)
    raws = [token[2] for token in tokens]
    # link[j]: tokens j and j + 1 are single characters with a gap that may split a word.
    link = [False] * n
    kind = [""] * n
    for j in range(n - 1):
        if len(raws[j]) == 1 and len(raws[j + 1]) == 1:
            gap = text[tokens[j][1] : tokens[j + 1][0]]
            if _SPLIT_GAP_RE.fullmatch(gap):
                link[j] = True
                kind[j] = _gap_kind(gap)
    out: list[Token] = []
    watched = watched_words()
    # No run longer than the longest watched word (and "a"/"i" before it) can join: stopping
    # there keeps a long run of single letters from being rescanned from each of its letters.
    longest = _longest_watched() + 2
    i = 0
    while i < n:
        if len(raws[i]) != 1:
            out.append(tokens[i])
            i += 1
            continue
        j = i
        while j + 1 < n and j - i < longest and link[j]:
            j += 1
        first, last = i, j  # the run is tokens[first : last + 1]
        # Cut where the kind of gap changes: "a m.o.r.o.n" is "a" and "moron".
        kinds = kind[first:last]
        cut = next((k for k in range(1, len(kinds)) if kinds[k] != kinds[k - 1]), None)
        if cut is not None and cut == 1 and last - first >= 3:
            out.append(tokens[first])
            first += 1
            i += 1
        elif cut is not None:
            last = first + cut
        size = last - first + 1
        if size >= 4 and raws[first] in ("a", "i"):
            rest = _make_token(
                "".join(raws[first + 1 : last + 1]),
                tokens[first + 1][0],
                tokens[last][1],
                True,
            )
            if rest is not None and rest.keys & _MASKABLE_SET:  # "a f u c k" is "a" and "fuck"
                out.extend([tokens[first], rest])
                i += size
                continue
        if size >= 3 and sum(r.isalpha() for r in raws[first : last + 1]) >= 2:
            joined = _make_token(
                "".join(raws[first : last + 1]), tokens[first][0], tokens[last][1], True
            )
            # Only join into a word some list watches for: "u r a" stays "you are a".
            if joined is not None and not joined.keys.isdisjoint(watched):
                out.append(joined)
                i += size
                continue
        out.append(tokens[i])
        i += 1
    return out


def _gap_kind(gap: str) -> str:
    return gap.replace(" ", "")[:1] or " "


_new_token = tuple.__new__
_CLAUSE_GAP_RE = re.compile(r"[,()—]| - ")


# raw token -> (offset of the word in it, its length, the rest of its Token) or None: the
# same words come back in every comment, so each is read once (bounded, then started again).
_PIECES: dict[str, tuple[int, int, tuple] | None] = {}
_MAX_PIECES = 50_000


def _piece(raw: str) -> tuple[int, int, tuple] | None:
    reading = _read(raw)
    if reading is None:
        info = None
    else:
        trimmed = reading[0]
        info = (raw.index(trimmed) if trimmed != raw else 0, len(trimmed), (*reading, False))
    if len(_PIECES) >= _MAX_PIECES:
        _PIECES.clear()
    _PIECES[raw] = info
    return info


def _tokenise(text: str) -> list[Token]:
    folded, index_map = fold(text)
    tokens: list[Token] = []
    append = tokens.append
    pieces_get = _PIECES.get
    missing = _PIECES  # "raw in missing" tells a cached None from an unknown word
    for match in _TOKEN_RE.finditer(folded):
        raw = match.group()
        if "_" in raw:
            pieces = [(m.group(), match.start() + m.start()) for m in _NO_UNDERSCORE.finditer(raw)]
        else:
            info = pieces_get(raw)
            if info is None:
                if raw in missing:
                    continue
                info = _piece(raw)
                if info is None:
                    continue
            start = match.start() + info[0]
            end = start + info[1]
            if index_map is not None:
                start, end = index_map[start], index_map[end - 1] + 1
            append(_new_token(Token, (start, end, *info[2])))
            continue
        for piece, offset in pieces:
            info = _piece(piece)
            if info is None:
                continue
            start = offset + info[0]
            end = start + info[1]
            if index_map is not None:
                start, end = index_map[start], index_map[end - 1] + 1
            append(_new_token(Token, (start, end, *info[2])))
    return tokens


def _has_split_letters(tokens: list[Token]) -> bool:
    """Whether two one-character tokens follow each other (the only case joining handles)."""
    previous = False
    for token in tokens:
        single = len(token[2]) == 1
        if single and previous:
            return True
        previous = single
    return False


@lru_cache(maxsize=512)
def analyse(text: str) -> Analysis:
    """Tokenise and normalise `text` once; every check reads the same (cached) analysis."""
    tokens = _tokenise(text)
    if _has_split_letters(tokens):
        tokens = _join_split_letters(tokens, text)

    # Index every distinct reading once: long comments repeat most of their words.
    by_reading: dict[tuple[frozenset[str], frozenset[str]], list[int]] = {}
    for position, token in enumerate(tokens):
        key = (token[5], token[6])
        found = by_reading.get(key)
        if found is None:
            by_reading[key] = [position]
        else:
            found.append(position)
    index: dict[str, list[int]] = {}
    exact: dict[str, list[int]] = {}
    merged: set[str] = set()
    for (forms, keys), positions in by_reading.items():
        for table, words, prefix in ((index, keys, "k"), (exact, forms, "e")):
            for word in words:
                found = table.get(word)
                if found is None:
                    table[word] = positions
                else:
                    table[word] = found + positions
                    merged.add(prefix + word)

    quoted_ranges = [m.span(1) for m in _QUOTE_RE.finditer(text)]
    sentence: list[int] = []
    clause: list[int] = []
    canon_parts: list[str] = []
    canon_starts: list[int] = []
    offset = 0
    s = c = 0
    previous_end = -1
    sentence_gap = _SENTENCE_GAP_RE.search
    clause_gap = _CLAUSE_GAP_RE.search
    gaps: dict[str, int] = {}  # gap -> 2 (between sentences), 1 (clauses) or 0
    for token in tokens:
        start = token[0]
        if previous_end >= 0:
            if start == previous_end + 1 and text[previous_end] == " ":
                canon_parts.append(" ")
                offset += 1
            else:
                gap = text[previous_end:start]
                kind = gaps.get(gap)
                if kind is None:
                    kind = 2 if sentence_gap(gap) else 1 if clause_gap(gap) else 0
                    gaps[gap] = kind
                if kind == 2:
                    s += 1
                    c += 1
                    canon_parts.append(" . ")
                    offset += 3
                elif kind == 1:
                    c += 1
                    canon_parts.append(" , ")
                    offset += 3
                else:
                    canon_parts.append(" ")
                    offset += 1
        canon_starts.append(offset)
        canon = token[4]
        canon_parts.append(canon)
        offset += len(canon)
        sentence.append(s)
        clause.append(c)
        previous_end = token[1]
    if quoted_ranges:
        quoted = tuple(
            any(a <= token[0] and token[1] <= b for a, b in quoted_ranges) for token in tokens
        )
    else:
        quoted = (False,) * len(tokens)
    return Analysis(
        text=text,
        tokens=tuple(tokens),
        index={k: tuple(sorted(v) if "k" + k in merged else v) for k, v in index.items()},
        exact={k: tuple(sorted(v) if "e" + k in merged else v) for k, v in exact.items()},
        sentence=tuple(sentence),
        clause=tuple(clause),
        quoted=quoted,
        canon="".join(canon_parts),
        canon_starts=tuple(canon_starts),
    )


@dataclass(frozen=True)
class Match:
    term: str  # the lexicon entry, as written
    first: int  # token positions
    last: int
    span: tuple[int, int]


class Lexicon:
    """Whole-word (and phrase) matching of normalised terms, with simple inflections.

    A term written with a trailing "=" matches exactly, without inflections ("ass=").
    """

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms: dict[tuple[str, ...], tuple[str, bool]] = {}
        self._singles: dict[str, list[tuple[str, bool]]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
        for term in terms:
            exact = term.endswith("=")
            words = tuple(plain_words(term.rstrip("=")))
            if not words:
                continue
            self.terms[words] = (term.rstrip("="), exact)
            watch(words)
            if len(words) == 1:
                self._singles.setdefault(words[0], []).append((term.rstrip("="), exact))
            else:
                self._phrases.setdefault(words[0], []).append((words, term.rstrip("="), exact))

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, word: str) -> bool:
        return (word,) in self.terms

    def positions(self, analysis: Analysis) -> frozenset[int]:
        """Positions of the tokens that are (inflections of) single-word terms."""
        found: set[int] = set()
        for key in self._singles.keys() & analysis.index.keys():
            if all(exact for _, exact in self._singles[key]):
                found.update(analysis.exact.get(key, ()))
            else:
                found.update(analysis.index[key])
        return frozenset(found)

    def token_matches(self, token: Token) -> bool:
        """Whether one token is (an inflection of) a single-word term."""
        for key, entries in ((k, self._singles.get(k)) for k in token.keys):
            if entries and any(not exact or key in token.forms for _, exact in entries):
                return True
        return False

    def find(self, analysis: Analysis) -> list[Match]:
        matches: list[Match] = []
        keys = analysis.index.keys()
        for key in self._singles.keys() & keys:
            for term, exact in self._singles[key]:
                positions = analysis.exact.get(key, ()) if exact else analysis.index[key]
                matches.extend(Match(term, p, p, analysis.span(p)) for p in positions)
        tokens = analysis.tokens
        for key in self._phrases.keys() & keys:
            for words, term, exact in self._phrases[key]:
                source = analysis.exact if exact else analysis.index
                for p in source.get(key, ()):
                    last = p + len(words) - 1
                    if last >= len(tokens) or analysis.sentence[last] != analysis.sentence[p]:
                        continue
                    pool = "forms" if exact else "keys"
                    if all(
                        w in getattr(tokens[p + k], pool) for k, w in enumerate(words[1:], start=1)
                    ):
                        matches.append(Match(term, p, last, analysis.span(p, last)))
        matches.sort(key=lambda m: (m.first, -m.last))
        return matches
