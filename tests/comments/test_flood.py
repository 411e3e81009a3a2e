"""Flood limits that fit shared addresses: many readers behind one office or carrier address
comment freely; one browser, or one name, sending many comments is held, then refused.

Without JavaScript every send answers 303: a refusal is what the page after the redirect
says at the form, with the text kept there."""

import time

import pytest
import time_machine
from django.test import Client, override_settings

from comments.models import Comment
from tests.comments.conftest import form_in, post_comment, shown_after, timestamp_for

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.7"
AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"  # one office, one browser build
TOO_MANY = "several comments in a short time"


@pytest.fixture(autouse=True)
def _only_the_exact_rules(settings):
    # These tests are about counting: the model's view of each sentence is not the point.
    settings.COMMENT_SCREENING_CHECKS = [
        check
        for check in settings.COMMENT_SCREENING_CHECKS
        if not check["NAME"].endswith(".ModelCheck")
    ]


@pytest.fixture(autouse=True)
def _one_window():
    # Rate limits count in fixed windows: start at one's beginning so all posts share it.
    window = 600
    start = (int(time.time() // window) + 1) * window + 1
    with time_machine.travel(start, tick=True):
        yield


def office_reader() -> Client:
    return Client(REMOTE_ADDR=OFFICE, HTTP_USER_AGENT=AGENT)


def text(n: int) -> str:
    return f"Point {n} on the interview: trade with China matters for the Russian east."


def form_after(client: Client, article, *, user_name: str, text: str) -> str:
    """The comment form a reader without JavaScript sees after sending a comment."""
    return form_in(
        shown_after(client, post_comment(client, article, user_name=user_name, text=text))
    )


def refused(forms: list[str]) -> list[bool]:
    """Which sends were refused as too many."""
    return [TOO_MANY in form for form in forms]


def test_seven_readers_behind_one_address_each_comment_twice_without_a_flood_hold(seed_article):
    readers = [office_reader() for _ in range(7)]
    n = 0
    for _round in range(2):
        for i, reader in enumerate(readers):
            n += 1
            response = post_comment(reader, seed_article, user_name=f"Colleague {i}", text=text(n))
            assert response.status_code == 303, response.content.decode()[:300]
    comments = Comment.objects.all()
    assert comments.count() == 14
    assert {c.status for c in comments} == {Comment.Status.PUBLISHED}
    assert not any("flood" in c.reason_codes for c in comments)
    assert len({c.commenter_id for c in comments}) == 7
    assert len({c.client_key for c in comments}) == 1


def test_one_reader_sending_seven_comments_is_held_then_refused(seed_article):
    reader = office_reader()
    forms = [
        form_after(reader, seed_article, user_name="Eager Reader", text=text(n)) for n in range(7)
    ]
    assert refused(forms) == [False] * 6 + [True]
    statuses = list(Comment.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["published"] * 4 + ["held"] * 2
    held = Comment.objects.filter(status=Comment.Status.HELD)
    assert all("flood" in c.reason_codes for c in held)
    assert all("A moderator will read your comment" in form for form in forms[4:6])
    assert text(6) in forms[-1]  # the text is kept for sending later


def test_a_new_name_from_the_same_browser_is_still_the_same_browser(seed_article):
    reader = office_reader()
    forms = [
        form_after(reader, seed_article, user_name=f"Name {n}", text=text(n)) for n in range(7)
    ]
    assert refused(forms) == [False] * 6 + [True]
    assert Comment.objects.count() == 6
    assert Comment.objects.filter(status=Comment.Status.HELD).count() == 2


def test_one_name_from_many_browsers_is_limited_too(seed_article):
    forms = [
        form_after(
            Client(REMOTE_ADDR=f"198.51.100.{n}"), seed_article, user_name="Roving", text=text(n)
        )
        for n in range(7)
    ]
    assert refused(forms) == [False] * 6 + [True]
    assert Comment.objects.count() == 6
    assert "flood" in Comment.objects.latest("pk").reason_codes


@override_settings(COMMENT_RATE_LIMIT_ADDRESS=(3, 600))
def test_the_address_limit_still_stops_many_new_browsers_from_one_address(seed_article):
    forms = [
        form_after(office_reader(), seed_article, user_name=f"Bot {n}", text=text(n))
        for n in range(4)
    ]
    assert refused(forms) == [False, False, False, True]
    assert text(3) in forms[-1]
    assert Comment.objects.count() == 3


@override_settings(COMMENT_RATE_LIMIT_FINGERPRINT=(2, 600), COMMENT_RATE_LIMIT_NAME=(50, 600))
def test_the_limits_are_settings(seed_article):
    reader = office_reader()
    forms = [
        form_after(reader, seed_article, user_name="Eager Reader", text=text(n)) for n in range(3)
    ]
    assert refused(forms) == [False, False, True]
    assert Comment.objects.count() == 2


@override_settings(COMMENT_RATE_LIMIT_FINGERPRINT=(2, 600), COMMENT_RATE_LIMIT_NAME=(50, 600))
def test_the_pages_script_is_told_429_with_the_message_and_the_text(seed_article):
    reader = office_reader()
    for n in range(2):
        post_comment(reader, seed_article, user_name=f"Name {n}", text=text(n))
    response = reader.post(
        f"/comments/post/{seed_article.pk}/",
        {"user_name": "Name 2", "text": text(2), "timestamp": timestamp_for(seed_article)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 429
    data = response.json()
    assert data["status"] == "invalid"
    assert TOO_MANY in data["form"]
    assert text(2) in data["form"]
    assert Comment.objects.count() == 2
