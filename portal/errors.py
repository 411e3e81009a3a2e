"""Site-wide error answers that Django leaves bare: the 405 for a wrong HTTP method."""

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
