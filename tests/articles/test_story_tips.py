"""Send your stories: the tip form stores what readers send and refuses bad input clearly."""

import pytest
from django.test import override_settings

from articles.models import StoryTip

pytestmark = pytest.mark.django_db

URL = "/send-your-stories/"
VALID = {"name": "Li Na", "email": "li.na@example.com", "story": "The river bridge is closed."}


def test_form_is_shown_with_its_fields(client):
    html = client.get(URL).content.decode()
    assert "<h1" in html and "Send your stories</h1>" in html
    for field in ("name", "email", "story", "csrfmiddlewaretoken"):
        assert f'name="{field}"' in html


def test_a_valid_tip_is_stored_and_thanked(client):
    response = client.post(URL, VALID, follow=True)
    assert response.redirect_chain == [(URL, 303)]
    assert "Your story has reached our editors" in response.content.decode()
    tip = StoryTip.objects.get()
    assert (tip.name, tip.email, tip.story) == (VALID["name"], VALID["email"], VALID["story"])
    assert tip.read is False


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("story", "   ", "This field is required."),
        ("email", "not-an-address", "Enter a valid email address."),
        ("name", "x" * 101, "Ensure this value has at most 100 characters"),
        ("story", "y" * 5001, "Ensure this value has at most 5000 characters"),
        ("story", "hello\x00world", "Null characters are not allowed."),
        ("name", "Li\x00Na", "Null characters are not allowed."),
    ],
)
def test_bad_input_rerenders_the_form_with_the_error_and_the_text(client, field, value, message):
    data = {**VALID, field: value}
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    kept = "The river bridge is closed." if field != "story" else VALID["name"]
    assert kept in html
    assert StoryTip.objects.count() == 0


def test_honeypot_filled_is_refused(client):
    response = client.post(URL, {**VALID, "website": "http://spam.example"})
    assert response.status_code == 400
    assert "This field must be left empty." in response.content.decode()
    assert StoryTip.objects.count() == 0


def test_honeypot_is_hidden_from_people(client):
    html = client.get(URL).content.decode()
    assert '<div id="div_id_website" class="mb-3 honeypot">' in html
    field = html.split('name="website"', 1)[1].split(">", 1)[0]
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field


@override_settings(TIP_RATE_LIMIT=(2, 3600))
def test_rate_limit_per_client_answers_429_and_keeps_the_text(client):
    for _ in range(2):
        assert client.post(URL, VALID).status_code == 303
    response = client.post(URL, {**VALID, "story": "A third story, kept on the page."})
    assert response.status_code == 429
    html = response.content.decode()
    assert "try again later" in html
    assert "A third story, kept on the page." in html
    assert StoryTip.objects.count() == 2
    # Another client is not affected.
    other = client.post(URL, VALID, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 303
