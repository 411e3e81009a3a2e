"""The health checks behind /healthz: the database, the shared cache and the task queue.

Each check returns a CheckResult; `run_checks()` runs them all (one failing never stops the
others) and times each. A check is "down" when its service does not answer, and the task
queue also when the oldest task waiting to run has waited longer than
HEALTHZ_TASK_MAX_AGE seconds: the worker has stopped, or cannot keep up. What went wrong is
logged; the public answer names only the check and the kind of error.
"""

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, F, Min, Q, When
from django.tasks import task_backends
from django.utils import timezone

from portal import shared_cache

logger = logging.getLogger(__name__)


class CheckFailed(Exception):
    """A service answered, but not as it should; `details` still go in the answer."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message, self.details = message, details or {}


@dataclass
class CheckResult:
    name: str
    ok: bool
    ms: float
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"status": "ok" if self.ok else "down", "ms": self.ms}
        if self.error:
            answer["error"] = self.error
        return answer | self.details


@dataclass
class HealthReport:
    checks: list[CheckResult]

    @property
    def healthy(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.healthy else "down",
            "down": [check.name for check in self.checks if not check.ok],
            "checks": {check.name: check.as_dict() for check in self.checks},
        }


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise CheckFailed("SELECT 1 did not answer 1")
    return {}


def check_cache() -> dict[str, Any]:
    """Write a value and read it back. shared_cache.call logs the outage once, not on every
    probe; the cache's own socket timeouts (settings.CACHES) bound how long a hung Redis
    keeps the answer waiting."""
    # A key of its own for each probe, so that two processes probing at once never read
    # each other's value; it expires soon after.
    value = secrets.token_hex(8)
    key = f"healthz:probe:{value}"
    try:
        shared_cache.call(cache.set, key, value, 10)
        read = shared_cache.call(cache.get, key)
    except shared_cache.Unavailable as unavailable:
        raise unavailable.__cause__ or unavailable from None
    if read != value:
        raise CheckFailed("the cache did not keep the value written to it")
    return {}


def check_tasks() -> dict[str, Any]:
    """How many tasks wait to run on the default backend's queues, and for how long the
    oldest has waited (since it was enqueued, or since its run_after for a deferred task)."""
    backend = task_backends["default"]
    if type(backend).__module__.split(".")[0] != "django_tasks_db":
        # Immediate or dummy backends (tests, development) have no queue to look at.
        return {"backend": type(backend).__name__}
    from django_tasks_db.models import DBTaskResult, get_date_max

    waiting = DBTaskResult.objects.ready().filter(backend_name=backend.alias)
    if backend.queues:
        waiting = waiting.filter(queue_name__in=backend.queues)
    ready_since = Case(
        When(
            Q(run_after__lt=get_date_max(), run_after__gt=F("enqueued_at")),
            then=F("run_after"),
        ),
        default=F("enqueued_at"),
    )
    found = waiting.order_by().aggregate(count=Count("pk"), oldest=Min(ready_since))
    age = None
    if found["oldest"] is not None:
        age = max(0.0, round((timezone.now() - found["oldest"]).total_seconds(), 1))
    details = {"waiting": found["count"], "oldest_waiting_seconds": age}
    limit = settings.HEALTHZ_TASK_MAX_AGE
    if age is not None and age > limit:
        raise CheckFailed(
            f"the oldest waiting task has waited {age:.0f} s (limit {limit} s): "
            "is a task worker running?",
            details,
        )
    return details


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "cache": check_cache,
    "tasks": check_tasks,
}


def run_check(name: str, check: Callable[[], dict[str, Any]]) -> CheckResult:
    started = time.perf_counter()
    try:
        details = check()
    except CheckFailed as failure:
        error, details = failure.message, failure.details
        logger.warning("Health check %s failed: %s", name, error)
    except Exception as exc:  # any failure of the service means down, whatever its kind
        error, details = type(exc).__name__, {}
        logger.warning("Health check %s failed: %s: %s", name, error, exc)
    else:
        return CheckResult(name, True, _ms_since(started), details=details)
    return CheckResult(name, False, _ms_since(started), error, details)


def run_checks() -> HealthReport:
    return HealthReport([run_check(name, check) for name, check in CHECKS.items()])


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
