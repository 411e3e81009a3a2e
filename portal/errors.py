"""Site-wide error answers that Django leaves bare: the 405 for a wrong HTTP method, and
the 403 for a form refused by its CSRF check."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render


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
