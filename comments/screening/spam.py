"""Spam: links, contact details and commercial vocabulary, alone or combined."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .base import Code, Decision, Finding, Submission, merge_spans
from .normalize import analyse
from .terms import build_lexicon

TLDS = (
    "com|net|org|info|biz|ru|su|cn|io|co|uk|de|fr|me|us|tv|xyz|top|online|site|shop|store|club"
    "|example|app|dev|ly|gl|to|cc|ws|pw|in|eu|pro|vip|win|bid|loan|link|live|life|today|work"
    "|click|icu|buzz|fun|space|website|tech|cloud|asia|mobi|name|kz|ua|by|tk|ml|ga|cf|gq|ir"
)
# Anchored by a look-behind so a long run of letters is scanned once, not from every position.
_URL_RE = re.compile(r"(?<![\w/.@-])(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_DOMAIN_RE = re.compile(
    rf"(?<![\w.@/-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{TLDS})\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}")
_PHONE_RE = re.compile(r"(?<![\w+])\+?\d(?:[ .()-]{0,2}\d){8,14}(?!\w)")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_HANDLE_RE = re.compile(r"(?<![\w.])@[a-z_][\w.]{2,30}", re.IGNORECASE)
_MONEY_RE = re.compile(r"[$€£]\s?\d[\d,.]*(?:\s?(?:k|/day|/week|/month|a day|a week))?")
_EARN_RE = re.compile(
    r"\b(?:earn|earned|earning|make|made|making)\s+(?:up to\s+)?[$€£]\s?\d", re.IGNORECASE
)
_PERCENT_RE = re.compile(
    r"\d{1,3}\s?%\s+(?:\w+\s+)?(?:off|discount|bonus|return|returns|profit|profits|free)\b",
    re.IGNORECASE,
)


# A domain ends in ".tld": find those first, then only look for whole domains around them.
_TLD_RE = re.compile(rf"\.(?:{TLDS})\b", re.IGNORECASE)
_DOMAIN_REACH = 260  # the longest name a domain match may start before its ".tld"
_PHONE_HINT_RE = re.compile(r"\d[ .()-]{0,2}\d[ .()-]{0,2}\d")


def _emails(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _EMAIL_RE.finditer(text)] if "@" in text else []


def _domains(text: str) -> list[tuple[int, int]]:
    found: dict[tuple[int, int], None] = {}
    scanned = 0
    for hint in _TLD_RE.finditer(text):
        if hint.end() <= scanned:
            continue
        start = max(scanned, hint.start() - _DOMAIN_REACH)
        stop = text.find(" ", hint.end())
        stop = len(text) if stop < 0 else stop
        for m in _DOMAIN_RE.finditer(text, start, stop):
            found[m.span()] = None
        scanned = stop
    return list(found)


def find_links(text: str) -> list[tuple[int, int]]:
    lowered = text.lower()
    spans = []
    if "://" in text or "www." in lowered:
        spans = [m.span() for m in _URL_RE.finditer(text)]
    spans += [span for span in _domains(text) if not _inside(span, spans)]
    emails = _emails(text) if spans else []
    return [s for s in spans if not _inside(s, emails)]


def find_contacts(text: str) -> list[tuple[int, int]]:
    spans = _emails(text)
    phones = _PHONE_RE.finditer(text) if _PHONE_HINT_RE.search(text) else ()
    for m in phones:
        groups = re.findall(r"\d+", m.group())
        if all(_YEAR_RE.fullmatch(g) for g in groups):
            continue  # "1969 1991 2001" is a list of years
        spans.append(m.span())
    return spans


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in spans)


class SpamCheck:
    """Links, contact details and commercial vocabulary.

    Two or more links hold; links or contact details together with commercial vocabulary
    remove; contact details alone hold; commercial vocabulary alone holds or removes by weight.

    OPTIONS: max_links (links allowed before holding; default 1), hold_weight / remove_weight
    (commercial weight that holds / removes on its own; 3 / 5), extra_commercial (strong
    phrases), allow.
    """

    def __init__(
        self,
        *,
        max_links: int = 1,
        hold_weight: int = 3,
        remove_weight: int = 5,
        extra_commercial: Sequence[str] = (),
        allow: Sequence[str] = (),
    ) -> None:
        if max_links < 0 or hold_weight < 1 or remove_weight < hold_weight:
            raise ValueError("need max_links >= 0 and 1 <= hold_weight <= remove_weight")
        self.max_links = max_links
        self.hold_weight = hold_weight
        self.remove_weight = remove_weight
        self.strong = build_lexicon("commercial_strong", None, extra_commercial, allow)
        self.weak = build_lexicon("commercial_weak", None, (), allow)
        self.contact_phrases = build_lexicon("contact_phrases", None, (), allow)

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        text = submission.text
        a = analyse(text)
        links = find_links(text)
        contacts = find_contacts(text)
        contact_words = self.contact_phrases.find(a)
        handles = (
            [m.span() for m in _HANDLE_RE.finditer(text)] if contact_words and "@" in text else []
        )
        contacts += [m.span for m in contact_words] + handles

        weight = 0
        spans: list[tuple[int, int]] = []
        terms: list[str] = []
        strong_positions: set[int] = set()
        for m in sorted(self.strong.find(a), key=lambda m: m.first - m.last):
            if strong_positions & set(range(m.first, m.last + 1)):
                continue  # "working from home" also contains "from home"
            strong_positions.update(range(m.first, m.last + 1))
            weight += 2
            spans.append(m.span)
            terms.append(m.term)
        for m in self.weak.find(a):
            if m.first not in strong_positions:
                strong_positions.add(m.first)
                weight += 1
                spans.append(m.span)
                terms.append(m.term)
        money = "$" in text or "€" in text or "£" in text
        patterns = ((_EARN_RE, 2, money), (_PERCENT_RE, 2, "%" in text), (_MONEY_RE, 1, money))
        for pattern, value, possible in patterns:
            for m in pattern.finditer(text) if possible else ():
                if not _inside(m.span(), spans):
                    weight += value
                    spans.append(m.span())
                    terms.append(m.group().strip())

        detail = ", ".join(dict.fromkeys(terms))
        if links:
            n = len(links)
            if weight >= 2:
                decision, score = Decision.REMOVE, 0.95
            elif n > self.max_links or weight:
                decision, score = Decision.HOLD, 0.7
            else:
                decision, score = Decision.PUBLISH, 0.2
            note = f"{n} link{'s' if n > 1 else ''}" + (f" with {detail}" if weight else "")
            yield Finding(decision, Code.SPAM_LINKS, score, merge_spans(links + spans), note)
        if contacts:
            decision = Decision.REMOVE if weight else Decision.HOLD
            note = "contact details" + (f" with {detail}" if weight else "")
            yield Finding(
                decision,
                Code.SPAM_CONTACT,
                0.9 if weight else 0.7,
                merge_spans(contacts + spans),
                note,
            )
        if not links and not contacts and weight >= self.hold_weight:
            decision = Decision.REMOVE if weight >= self.remove_weight else Decision.HOLD
            score = min(1.0, weight / (self.remove_weight + 2))
            yield Finding(decision, Code.SPAM_COMMERCIAL, score, merge_spans(spans), detail)
        if submission.user_name and (
            find_links(submission.user_name) or find_contacts(submission.user_name)
        ):
            yield Finding(Decision.HOLD, Code.SPAM_LINKS, 0.6, (), "link or contact in user name")
