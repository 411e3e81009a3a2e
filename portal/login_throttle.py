"""Admin login throttling (django-axes): who an attempt comes from, and the lockout page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str | None:
    """The address axes counts failed logins against (AXES_CLIENT_IP_CALLABLE).

    TODO(lead): this must call the portal's one client-address rule (portal.ratelimit's
    client_address(request), which honours the trusted proxies) once it lands; until then,
    behind a proxy every attempt counts against the proxy's address."""
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page a locked-out login gets (AXES_LOCKOUT_CALLABLE), saying for how long."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)),
    }
    return render(request, "registration/locked_out.html", context, status=429)
