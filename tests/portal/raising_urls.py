"""The site's URLs plus /boom/, a view that raises (tests/portal/raising_settings.py)."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("boom for the log test")


urlpatterns = [path("boom/", boom), path("", include("portal.urls"))]
