"""The configured checks: settings.COMMENT_SCREENING_CHECKS, like AUTH_PASSWORD_VALIDATORS."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from .base import Check

SETTING = "COMMENT_SCREENING_CHECKS"

DEFAULT_CHECKS: list[dict] = [
    {"NAME": "comments.screening.signals.SignalsCheck"},
    {"NAME": "comments.screening.terms.TermCheck"},
    {"NAME": "comments.screening.spam.SpamCheck", "OPTIONS": {"max_links": 1}},
    {"NAME": "comments.screening.language.LanguageCheck"},
    {"NAME": "comments.screening.shouting.ShoutingCheck", "OPTIONS": {"min_letters": 20}},
    {"NAME": "comments.screening.classifier.ModelCheck"},
]


def build_checks(config: list[dict]) -> list[Check]:
    """Instantiate each {"NAME": dotted path, "OPTIONS": {...}} entry."""
    checks: list[Check] = []
    for position, entry in enumerate(config):
        if not isinstance(entry, dict) or "NAME" not in entry:
            raise ImproperlyConfigured(
                f"{SETTING}[{position}] must be a dict with a 'NAME' key, got {entry!r}."
            )
        name = entry["NAME"]
        options = entry.get("OPTIONS", {})
        unknown = set(entry) - {"NAME", "OPTIONS"}
        if unknown:
            raise ImproperlyConfigured(f"{SETTING}[{position}] has unknown keys {sorted(unknown)}.")
        try:
            factory = import_string(name)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"{SETTING}[{position}]: cannot import screening check {name!r} ({exc})."
            ) from exc
        if not isinstance(options, dict):
            raise ImproperlyConfigured(f"{SETTING}[{position}] ({name}): OPTIONS must be a dict.")
        try:
            check = factory(**options)
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"{SETTING}[{position}] ({name}): bad OPTIONS {options!r}: {exc}"
            ) from exc
        if not callable(check):
            raise ImproperlyConfigured(f"{SETTING}[{position}] ({name}) is not callable.")
        checks.append(check)
    return checks


@functools.cache
def get_checks() -> list[Check]:
    """The configured checks, built once (settings changes in tests clear the cache)."""
    return build_checks(getattr(settings, SETTING, DEFAULT_CHECKS))


@receiver(setting_changed)
def _reset_checks(*, setting: str, **kwargs) -> None:
    if setting == SETTING:
        get_checks.cache_clear()
