"""Fixtures for the comments tests: a form that is old enough to send, and comments."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.display import NAME_COOKIE_SALT
from comments.forms import sign_timestamp
from comments.models import Comment


def name_cookie(name: str) -> str:
    """The comment_name cookie's value as the site sets it for `name`."""
    return signing.dumps(name, salt=NAME_COOKIE_SALT)


def timestamp_for(article: Article, *, age: float = 60.0) -> str:
    """A fresh form token as if the form had been opened `age` seconds ago."""
    return sign_timestamp(article.pk, opened=time.time() - age)


@pytest.fixture
def comment_data(seed_article):
    def make(**overrides) -> dict:
        data = {
            "user_name": "Wang Lei",
            "text": "Lavrov and Putin keep the SCO at the centre of ties with Beijing.",
            "website": "",
            "timestamp": timestamp_for(seed_article),
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def make_comment(seed_article):
    def make(**fields) -> Comment:
        defaults = {
            "article": seed_article,
            "user_name": "Reader",
            "text": "A published comment about the SCO.",
            "status": Comment.Status.PUBLISHED,
            "content_hash": "x",
        }
        defaults.update(fields)
        # The state comments.services derives when it stores a comment.
        defaults.setdefault("created", timezone.now())
        defaults.setdefault(
            "review_since",
            services.queue_since(
                status=defaults["status"],
                report_count=defaults.get("report_count", 0),
                since=None,
                now=defaults["created"],
            ),
        )
        defaults.setdefault(
            "reason_codes", services.reason_codes(defaults.get("screening_reasons", []))
        )
        return Comment.objects.create(**defaults)

    return make


@pytest.fixture
def moderator(db):
    """A staff account in the Moderators group (made by a migration), nothing more."""
    user = get_user_model().objects.create_user("mod.one", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def post_comment(client, article, *, user_name: str, text: str, **extra):
    """A reader sends the comment form of `article` (opened a minute ago) with `client`."""
    data = {"user_name": user_name, "text": text, "timestamp": timestamp_for(article), **extra}
    return client.post(f"/comments/post/{article.pk}/", data)


def shown_after(client, response) -> str:
    """What a reader without JavaScript sees after sending the form: every send answers 303
    (a refresh sends nothing again), and the article page shows the outcome."""
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"]).content.decode()


def form_in(html: str) -> str:
    """The comment form's HTML on a page."""
    return html.split('id="comment-form"', 1)[1].split("</form>", 1)[0]


def hidden_value(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def post_past_the_nudge(client, article, *, user_name: str, text: str):
    """A reader without JavaScript sends a text the screening would remove: the first send
    stores nothing and shows the nudge at the form; they send it again as it is from that
    form. The second send's answer."""
    first = post_comment(client, article, user_name=user_name, text=text)
    form = form_in(shown_after(client, first))
    assert "This comment may break our rules" in form, "the first send was not nudged"
    data = {
        "user_name": user_name,
        "text": text,
        "timestamp": hidden_value(form, "timestamp"),
        "nudge": hidden_value(form, "nudge"),
    }
    return client.post(f"/comments/post/{article.pk}/", data)
