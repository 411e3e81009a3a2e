"""Comment screening: pure checks over a comment's text, its article and request signals."""

from .base import Check, Code, Decision, Finding, Screening, Signals, Submission
from .config import DEFAULT_CHECKS, get_checks
from .context import ArticleContext
from .pipeline import screen

__all__ = [
    "DEFAULT_CHECKS",
    "ArticleContext",
    "Check",
    "Code",
    "Decision",
    "Finding",
    "Screening",
    "Signals",
    "Submission",
    "get_checks",
    "screen",
]
