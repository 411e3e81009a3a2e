"""A request whose database connection is cut (PostgreSQL restarted, pg_terminate_backend)
gets a 503 page that says to try again, not the 500 page; other errors keep the 500 page.
The load test (tests/served/test_load.py) cuts real connections under traffic."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, override_settings
from django.urls import include, path

from portal import urls as site_urls


def _lost(request):
    raise OperationalError("terminating connection due to administrator command")


def _closed(request):
    raise InterfaceError("connection already closed")


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("lost/", _lost),
    path("closed/", _closed),
    path("boom/", _boom),
    path("", include(site_urls)),
]
handler500 = site_urls.handler500  # the site's own, as the real URLconf declares it


@pytest.fixture
def reader():
    with override_settings(ROOT_URLCONF=__name__):
        yield Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/lost/", "/closed/"])
def test_a_lost_database_connection_answers_503_with_retry_after(reader, path):
    response = reader.get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    html = response.content.decode()
    assert "<title>Try again in a moment</title>" in html
    assert "may not have been done" in html
    assert "terminating connection" not in html  # nothing of the error itself


def test_the_page_script_gets_json(reader):
    response = reader.post("/lost/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "try again in a few seconds" in response.json()["message"]


def test_other_errors_keep_the_500_page(reader):
    response = reader.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
