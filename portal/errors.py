"""Site-wide error answers that Django leaves bare: the 405 for a wrong HTTP method, the 403
for a form refused by its CSRF check, and a 503 instead of the 500 page when the database
connection is lost."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.views import defaults

# Seconds a reader (or a client's retry logic) is asked to wait after a 503.
RETRY_AFTER = 5
DATABASE_UNAVAILABLE = (
    "The site lost its connection to the database for a moment, so what you asked for may "
    "not have been done. Please try again in a few seconds (a comment is never posted twice)."
)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500. A request whose database connection was cut (the database restarted or
    failed over, an operator terminated the backend) gets 503 with Retry-After: the next
    request reconnects (CONN_HEALTH_CHECKS). nginx passes the 503 on rather than retrying it
    (a 503 marks no instance as failed: deploy/nginx.conf). Anything else is the friendly 500 page.
    Rendered without a request context: nothing here may need the database."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request, template_name)
    if request.headers.get("Accept") == "application/json":
        response = JsonResponse(
            {"status": "unavailable", "message": DATABASE_UNAVAILABLE}, status=503
        )
    else:
        html = loader.get_template("503.html").render({"message": DATABASE_UNAVAILABLE})
        response = HttpResponse(html, status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


class MethodNotAllowedPageMiddleware:
    """Gives the empty 405 of `require_http_methods` (and the like) a readable body: an
    HTML page like the other error pages, or JSON for a client that asks for JSON. The
    status and the Allow header stay as the view set them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or response.content:
            return response
        allowed = [m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()]
        message = f"This address does not take a {request.method} request."
        if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
            readable = JsonResponse({"error": message, "allowed_methods": allowed}, status=405)
        else:
            context = {"message": message, "allowed": allowed}
            readable = render(request, "405.html", context, status=405)
        readable.headers["Allow"] = response.headers["Allow"]
        return readable


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from another site (refused by its origin,
    portal.csrf), or one whose token has expired (the admin's forms)."""
    from modern_csrf.middleware import REASON_BAD_SEC_FETCH_SITE

    cross_site = reason == REASON_BAD_SEC_FETCH_SITE or reason.startswith("Origin checking")
    if cross_site:
        message = (
            "This form was sent from another website, so it was not accepted: only forms on "
            "this site's own pages can send comments, reports and settings here."
        )
    else:
        message = (
            "For your security we could not accept this form. Go back, reload the page and "
            "send it again; your browser may still hold what you typed."
        )
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": "forbidden", "message": message}, status=403)
    context = {"message": message, "cross_site": cross_site}
    return render(request, "403_csrf.html", context, status=403)
