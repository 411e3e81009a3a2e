"""Bot and flood signals gathered by the caller: honeypot, speed, rate and duplicates."""

from __future__ import annotations

from collections.abc import Iterable

from .base import Decision, Finding, Submission


class SignalsCheck:
    """A filled honeypot removes; too fast, too many recent comments or the same text posted
    elsewhere holds.

    OPTIONS: min_seconds (default 3), max_recent_by_client (5), max_recent_by_name (5).
    """

    def __init__(
        self,
        *,
        min_seconds: float = 3.0,
        max_recent_by_client: int = 5,
        max_recent_by_name: int = 5,
    ) -> None:
        self.min_seconds = min_seconds
        self.max_recent_by_client = max_recent_by_client
        self.max_recent_by_name = max_recent_by_name

    def __call__(self, submission: Submission) -> Iterable[Finding]:
        s = submission.signals
        if s.honeypot_filled:
            yield Finding(Decision.REMOVE, "honeypot", 1.0, (), "hidden field filled in")
        if s.seconds_to_submit is not None and s.seconds_to_submit < self.min_seconds:
            yield Finding(
                Decision.HOLD,
                "too_fast",
                0.7,
                (),
                f"sent {s.seconds_to_submit:.1f} s after loading",
            )
        if s.recent_by_client > self.max_recent_by_client:
            yield Finding(
                Decision.HOLD, "flood", 0.7, (), f"{s.recent_by_client} recent comments from client"
            )
        if s.recent_by_name > self.max_recent_by_name:
            yield Finding(
                Decision.HOLD, "flood", 0.7, (), f"{s.recent_by_name} recent comments under name"
            )
        if s.duplicate_elsewhere:
            yield Finding(Decision.HOLD, "duplicate", 0.8, (), "same text posted elsewhere")
