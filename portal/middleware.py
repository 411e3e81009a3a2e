"""Answers /healthz before the middleware that could refuse a load balancer's probe."""

from django.http import HttpRequest, HttpResponse

from portal import views

HEALTHZ_PATH = "/healthz"


class HealthCheckMiddleware:
    """Load balancers probe each instance by its own address over plain HTTP, with a Host
    header that is not in ALLOWED_HOSTS, and without cookies. Placed right after
    SecurityMiddleware (whose https redirect skips /healthz through SECURE_REDIRECT_EXEMPT),
    this answers before CommonMiddleware validates the host, and before the session, CSRF and
    authentication middleware run; the answer still gets the security headers. The view
    never reads the host, so an unknown one cannot reach anything that builds a URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTHZ_PATH:
            return views.healthz(request)
        return self.get_response(request)
