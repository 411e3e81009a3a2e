"""Calls to the shared cache (Redis) that let a request go on when the cache fails.

The cache only speeds things up and shares counters; while it is unreachable, pages are
rendered without it and rate limits are counted in each process (portal.ratelimit). One
line is logged when it fails and one when it answers again, not one per call: an outage
under load would otherwise write thousands of tracebacks.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_failing = False


class Unavailable(Exception):
    """The shared cache did not answer (or refused the operation)."""


def call[T](operation: Callable[..., T], *args, **kwargs) -> T:
    """Run one cache operation; raise Unavailable if it fails for any reason."""
    global _failing
    try:
        result = operation(*args, **kwargs)
    except Exception as error:
        if not _failing:
            _failing = True
            logger.error(
                "The shared cache failed (%s): serving pages without it and counting rate "
                "limits per process until it answers again.",
                error,
                exc_info=True,
            )
        raise Unavailable(str(error)) from error
    if _failing:
        _failing = False
        logger.warning("The shared cache answers again.")
    return result
