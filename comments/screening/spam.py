"""Spam's exact part: links (also written out in words) and contact details."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .base import Code, Decision, Finding, Submission, merge_spans

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
# A link written out so that it is not a link: "example dot com", "w w w . site . net".
_SPELLED_RE = re.compile(
    rf"(?<!\w)(?:w\s*w\s*w\s*(?:\.|dot)\s*)?[\w-]{{2,63}}\s*"
    rf"(?:\(dot\)|\[dot\]|\bdot\b|\s\.\s|точка|点)\s*(?:{TLDS}|ру|рф|ком)\b",
    re.IGNORECASE,
)
_SPELLED_HINTS = (" dot", " . ", "(dot)", "[dot]", "точка", "点")


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
    """Links as written (https://…, www.…, name.tld) and written out in words."""
    lowered = text.lower()
    spans = []
    if "://" in text or "www." in lowered:
        spans = [m.span() for m in _URL_RE.finditer(text)]
    spans += [span for span in _domains(text) if not _inside(span, spans)]
    if any(hint in lowered for hint in _SPELLED_HINTS):
        spans += [m.span() for m in _SPELLED_RE.finditer(text) if not _inside(m.span(), spans)]
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
    """Exact rules: links (also written out in words) and contact details. What a comment
    says around them (advertising or not) is the model's to judge.

    A link is allowed (a reader may cite a source); more than max_links hold, and so do
    contact details or a link in the user name.

    OPTIONS: max_links (links allowed before holding; default 1).
    """

    def __init__(self, *, max_links: int = 1) -> None:
        if max_links < 0:
            raise ValueError("need max_links >= 0")
        self.max_links = max_links

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        text = submission.text
        links = find_links(text)
        contacts = find_contacts(text)
        if len(links) > self.max_links:
            note = f"{len(links)} links"
            yield Finding(Decision.HOLD, Code.SPAM_LINKS, 0.7, merge_spans(links), note)
        if contacts:
            yield Finding(
                Decision.HOLD, Code.SPAM_CONTACT, 0.7, merge_spans(contacts), "contact details"
            )
        if submission.user_name and (
            find_links(submission.user_name) or find_contacts(submission.user_name)
        ):
            yield Finding(Decision.HOLD, Code.SPAM_LINKS, 0.6, (), "link or contact in user name")
