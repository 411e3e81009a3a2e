"""Marks the words the screening matched inside a comment's text, for moderators."""

from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from comments.screening.base import merge_spans


def spans_from_reasons(reasons: Iterable[dict]) -> list[tuple[int, int]]:
    spans = []
    for reason in reasons or ():
        for span in reason.get("spans") or ():
            try:
                start, end = int(span[0]), int(span[1])
            except (TypeError, ValueError, IndexError):
                continue
            if 0 <= start < end:
                spans.append((start, end))
    return list(merge_spans(spans))


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> SafeString:
    """The text, escaped, with each span wrapped in <mark>."""
    parts, position = [], 0
    for start, end in merge_spans(spans):
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every piece of the reader's text is escaped above
