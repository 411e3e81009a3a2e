"""A comment form's token sends one comment; the page's script gets the next one's."""

import pytest
import time_machine

from comments.forms import sign_timestamp
from comments.models import Comment
from tests.comments.conftest import shown_after

pytestmark = pytest.mark.django_db
JSON = {"Accept": "application/json"}


def post_url(article) -> str:
    return f"/comments/post/{article.pk}/"


def token_in(html: str) -> str:
    return html.split('name="timestamp" value="', 1)[1].split('"', 1)[0]


def test_a_used_form_sends_no_second_comment_and_keeps_the_new_text(
    client, seed_article, comment_data, settings
):
    data = comment_data()
    assert client.post(post_url(seed_article), data).status_code == 303
    second = {**data, "text": "And Russian energy exports to China keep rising too."}
    response = client.post(post_url(seed_article), second)
    html = shown_after(client, response)
    assert "This form has already sent a comment." in html
    assert "Russian energy exports to China keep rising too." in html
    assert Comment.objects.count() == 1
    fresh = token_in(html)
    assert fresh != data["timestamp"]
    settings.COMMENT_MIN_SECONDS = 0  # the reader sends it again at once
    assert client.post(post_url(seed_article), {**second, "timestamp": fresh}).status_code == 303
    assert Comment.objects.count() == 2


def test_the_same_form_sent_twice_answers_with_the_first_comment(
    client, seed_article, comment_data
):
    data = comment_data()
    first = client.post(post_url(seed_article), data, headers=JSON)
    again = client.post(post_url(seed_article), data, headers=JSON)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["url"] == again.json()["url"]
    assert Comment.objects.count() == 1


def test_the_script_gets_a_fresh_token_and_sends_a_second_comment(
    client, seed_article, comment_data, settings
):
    settings.COMMENT_MIN_SECONDS = 0  # the reader writes the second comment at once
    data = comment_data()
    first = client.post(post_url(seed_article), data, headers=JSON)
    assert first.status_code == 201
    token = first.json()["timestamp"]
    assert token != data["timestamp"]
    second = client.post(
        post_url(seed_article),
        {**data, "text": "Energy trade matters as much as the SCO summit.", "timestamp": token},
        headers=JSON,
    )
    assert second.status_code == 201
    assert Comment.objects.count() == 2


def test_a_token_from_before_single_use_forms_is_refused_with_a_fresh_one(
    client, seed_article, comment_data
):
    import time

    from django.core import signing

    from comments.forms import TIMESTAMP_SALT

    old = signing.dumps({"a": seed_article.pk, "t": time.time() - 60}, salt=TIMESTAMP_SALT)
    response = client.post(post_url(seed_article), comment_data(timestamp=old))
    html = shown_after(client, response)
    assert "could not be checked" in html
    assert token_in(html) != old
    assert Comment.objects.count() == 0


def test_a_form_sent_the_moment_it_was_opened_is_not_refused(client, seed_article, settings):
    # With no minimum typing time, a form posted within milliseconds of being handed out is
    # accepted: its time never lies in the future (it was rounded to the nearest 10 ms).
    settings.COMMENT_MIN_SECONDS = 0
    opened = 1_700_000_000.996  # rounds up to ...1.00, four milliseconds ahead
    with time_machine.travel(opened, tick=False):
        token = sign_timestamp(seed_article.pk)
        response = client.post(
            f"/comments/post/{seed_article.pk}/",
            {
                "user_name": "Quick Reader",
                "text": "Lavrov and Putin keep the SCO at the centre of ties with Beijing.",
                "timestamp": token,
            },
        )
    assert response.status_code == 303
