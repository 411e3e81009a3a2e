"""Render once, fill in per reader: a text is rendered with markers where each reader's own
values go (a cached comment form's token and name, a subscriber's unsubscribe link), then filled
in for each one. A marker is random and made for one rendering, so no text an editor or a
reader wrote can contain it."""

import secrets
from collections.abc import Mapping


def new_marker() -> str:
    return f"ph{secrets.token_hex(16)}"


def fill[T: (str, bytes)](text: T, values: Mapping[str, str]) -> T:
    """`text` with each marker replaced by its value."""
    for marker, value in values.items():
        if isinstance(text, bytes):
            text = text.replace(marker.encode(), value.encode())
        else:
            text = text.replace(marker, value)
    return text
