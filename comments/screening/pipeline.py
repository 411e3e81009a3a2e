"""Running the checks over a submission: the strictest decision wins, every finding is kept."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .base import Check, Code, Decision, Finding, Screening, Submission

logger = logging.getLogger(__name__)


def screen(submission: Submission, checks: Sequence[Check] | None = None) -> Screening:
    """Screen one submission with `checks` (by default the configured ones)."""
    if checks is None:
        from .config import get_checks

        checks = get_checks()
    findings: list[Finding] = []
    for check in checks:
        try:
            findings.extend(check(submission))
        except Exception:
            # A broken check must not publish what it would have caught, nor lose the comment:
            # hold it for a moderator and log the bug.
            logger.exception("Comment screening check %r failed", check)
            name = type(check).__name__
            findings.append(Finding(Decision.HOLD, Code.CHECK_ERROR, 0.0, (), f"{name} failed"))
    findings.sort(key=lambda f: (f.decision.rank, f.score), reverse=True)
    decision = max((f.decision for f in findings), default=Decision.PUBLISH)
    return Screening(decision=decision, findings=tuple(findings), model_version=_versions(checks))


def _versions(checks: Sequence[Check]) -> str:
    """The versions of the learned models among the checks (a check that failed to load its
    model has already held the comment above)."""
    versions = []
    for check in checks:
        try:
            versions.append(getattr(check, "model_version", ""))
        except Exception:
            logger.exception("Screening check %r has no readable model version", check)
    return ",".join(filter(None, versions))
