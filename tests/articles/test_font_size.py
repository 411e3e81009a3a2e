"""The text-size preference: a plain POST that works without JavaScript, and its JSON twin."""

from pathlib import Path

import pytest

from articles import fontsize
from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db


def test_choosing_a_size_sets_a_cookie_and_redirects_back_with_303(client):
    response = client.post("/preferences/font-size/", {"size": "xl", "next": SEED_URL})
    assert response.status_code == 303
    assert response.headers["Location"] == SEED_URL
    cookie = response.cookies[fontsize.COOKIE_NAME]
    assert cookie.value == "xl"
    assert cookie["max-age"] == fontsize.COOKIE_MAX_AGE
    assert cookie["samesite"] == "Lax" and cookie["httponly"]


def test_server_renders_the_chosen_size_on_first_paint(client):
    client.post("/preferences/font-size/", {"size": "xl", "next": SEED_URL})
    html = client.get(SEED_URL).content.decode()
    assert '<html lang="en" class="fs-xl">' in html
    assert "133%</output>" in html
    # A− now steps down to l and is the smaller choice; A+ steps up to xxl and is pressed.
    assert 'value="l" class="btn btn-outline-secondary btn-sm" data-step="smaller"' in html
    assert 'value="xxl" class="btn btn-outline-secondary btn-sm" data-step="larger"' in html
    larger = html.split('data-step="larger"', 1)[1].split(">", 1)[0]
    assert 'aria-pressed="true"' in larger


def test_default_size_when_no_or_unknown_cookie(client):
    assert '<html lang="en" class="fs-m">' in client.get(SEED_URL).content.decode()
    client.cookies[fontsize.COOKIE_NAME] = "<script>"
    assert '<html lang="en" class="fs-m">' in client.get(SEED_URL).content.decode()


def test_extremes_disable_the_button_that_cannot_go_further(client):
    client.cookies[fontsize.COOKIE_NAME] = fontsize.STEPS[-1].name
    html = client.get(SEED_URL).content.decode()
    larger = html.split('data-step="larger"', 1)[1].split("</button>", 1)[0]
    assert "disabled" in larger
    client.cookies[fontsize.COOKIE_NAME] = fontsize.STEPS[0].name
    html = client.get(SEED_URL).content.decode()
    smaller = html.split('data-step="smaller"', 1)[1].split("</button>", 1)[0]
    assert "disabled" in smaller


def test_steps_are_at_least_four_in_rem_and_each_has_a_css_rule():
    from django.contrib.staticfiles import finders

    assert len(fontsize.STEPS) >= 4
    rems = [step.rem for step in fontsize.STEPS]
    assert rems == sorted(rems) and len(set(rems)) == len(rems)
    css = Path(finders.find("css/site.css")).read_text()
    for step in fontsize.STEPS:
        assert f"html.fs-{step.name} {{ --article-font-size: {step.rem:g}rem; }}" in css


@pytest.mark.parametrize(
    "data",
    [{"size": "huge"}, {"size": ""}, {}, {"size": "m\x00"}, {"size": "x" * 5000}],
    ids=["unknown", "empty", "missing", "nul", "oversized"],
)
def test_invalid_size_is_refused_with_400_and_a_readable_page(client, data):
    response = client.post("/preferences/font-size/", data)
    assert response.status_code == 400
    assert "not a text size we offer" in response.content.decode()
    assert fontsize.COOKIE_NAME not in response.cookies


def test_get_is_not_allowed_and_says_so_on_a_readable_page(client):
    response = client.get("/preferences/font-size/?size=xl")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "This address does not take a GET request" in html and "<h1" in html
    assert "Content-Security-Policy" in response.headers


def test_head_and_json_clients_get_a_405_they_can_read(client):
    head = client.head("/preferences/font-size/")
    assert head.status_code == 405 and head.headers["Allow"] == "POST"
    response = client.get("/preferences/font-size/", headers={"Accept": "application/json"})
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert response.json() == {
        "error": "This address does not take a GET request.",
        "allowed_methods": ["POST"],
    }


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x", ""])
def test_next_cannot_send_the_reader_elsewhere(client, target):
    response = client.post("/preferences/font-size/", {"size": "l", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_json_request_gets_json_and_the_same_cookie(client):
    response = client.post(
        "/preferences/font-size/", {"size": "s"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"size": "s", "percent": 89}
    assert response.cookies[fontsize.COOKIE_NAME].value == "s"


def test_the_form_is_refused_from_another_site_and_accepted_from_this_one(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/preferences/font-size/", {"size": "l"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403
    assert "sent from another website" in response.content.decode()
    assert fontsize.COOKIE_NAME not in response.cookies
    response = strict.post(
        "/preferences/font-size/", {"size": "l"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 303
