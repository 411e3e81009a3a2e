"""Flood signals gathered by the caller: recent comments and the same text elsewhere."""

from __future__ import annotations

from collections.abc import Iterable

from .base import Code, Decision, Finding, Submission


class SignalsCheck:
    """Too many recent comments or the same text posted elsewhere holds. (The honeypot and
    the minimum typing time, COMMENT_MIN_SECONDS, are the comment form's to refuse.)

    OPTIONS: max_recent_by_client (default 5), max_recent_by_name (5).
    """

    def __init__(self, *, max_recent_by_client: int = 5, max_recent_by_name: int = 5) -> None:
        self.max_recent_by_client = max_recent_by_client
        self.max_recent_by_name = max_recent_by_name

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        s = submission.signals
        if s.recent_by_client > self.max_recent_by_client:
            detail = f"{s.recent_by_client} recent comments from client"
            yield Finding(Decision.HOLD, Code.FLOOD, 0.7, (), detail)
        if s.recent_by_name > self.max_recent_by_name:
            yield Finding(
                Decision.HOLD, Code.FLOOD, 0.7, (), f"{s.recent_by_name} recent comments under name"
            )
        if s.duplicate_elsewhere:
            yield Finding(Decision.HOLD, Code.DUPLICATE, 0.8, (), "same text posted elsewhere")
