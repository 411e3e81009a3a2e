"""Subscribing, confirming and unsubscribing: the state machine, the signed links and the
pages readers see, including every refusal."""

import datetime
import re

import pytest
import time_machine
from django.core import mail, signing
from django.db import connection
from django.tasks import task_backends
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from newsletter import subscriptions
from newsletter.models import StatusChange, Subscriber
from newsletter.subscriptions import TRANSITIONS, BadLink, IllegalTransition, LinkProblem

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
URL = "/newsletter/"
SENT_URL = "/newsletter/check-your-inbox/"


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the tasks that send mail) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def link_in(message, kind: str) -> str:
    return re.search(rf"https://news\.example\.org(/newsletter/{kind}/[^/\s]+/)", message.body)[1]


def subscribe(client, commits, email="li.na@example.com", **extra):
    with commits():
        return client.post(URL, {"email": email, "website": "", **extra})


# --- The state machine ----------------------------------------------------------------------


@pytest.mark.parametrize("from_status", Status.values)
@pytest.mark.parametrize("to_status", Status.values)
def test_only_the_moves_in_the_table_are_allowed(make_subscriber, from_status, to_status):
    subscriber = make_subscriber(status=from_status)
    if (from_status, to_status) in TRANSITIONS:
        change = subscriptions.transition(subscriber, to_status, via=StatusChange.Via.ADMIN)
        subscriber.refresh_from_db()
        assert subscriber.status == to_status
        assert (change.from_status, change.to_status) == (from_status, to_status)
    else:
        with pytest.raises(IllegalTransition):
            subscriptions.transition(subscriber, to_status, via=StatusChange.Via.ADMIN)
        subscriber.refresh_from_db()
        assert subscriber.status == from_status
        assert not StatusChange.objects.exists()


# --- Subscribing ----------------------------------------------------------------------------


def test_subscribe_page_has_a_labelled_form(client):
    html = client.get(URL).content.decode()
    assert "Your e-mail address" in html
    for name in ("email", "website"):
        assert f'name="{name}"' in html
    assert "csrfmiddlewaretoken" not in html  # checked by origin (portal/csrf.py)


def test_subscribing_sends_one_confirmation_with_a_signed_link(client, commits):
    response = subscribe(client, commits, email="  Li.Na@Example.COM ")
    assert response.status_code == 303 and response["Location"] == SENT_URL
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == ("li.na@example.com", Status.PENDING)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li.na@example.com"]
    assert message.subject == "Confirm your subscription to Dispatch"
    assert message.alternatives[0].mimetype == "text/html"
    path = link_in(message, "confirm")
    assert path in message.alternatives[0].content
    assert "Check your inbox" in client.get(SENT_URL).content.decode()


def test_only_a_confirmed_address_is_subscribed_and_the_button_confirms(client, commits):
    subscribe(client, commits)
    path = link_in(mail.outbox[0], "confirm")
    page = client.get(path)
    assert page.status_code == 200 and "Yes, subscribe me" in page.content.decode()
    assert Subscriber.objects.get().status == Status.PENDING  # a GET (a link scanner) is not enough
    response = client.post(path)
    assert response.status_code == 200 and "You are subscribed" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Status.CONFIRMED and subscriber.confirmed_at is not None
    assert [c.via for c in subscriber.changes.order_by("id")] == ["form", "confirm-link"]


def test_pending_gets_a_new_link_at_most_once_an_hour(client, commits):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        subscribe(client, commits)
        subscribe(client, commits)
    with time_machine.travel(start + datetime.timedelta(minutes=59), tick=False):
        subscribe(client, commits)
    assert len(mail.outbox) == 1
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        subscribe(client, commits)
        subscribe(client, commits)
    assert len(mail.outbox) == 2
    assert Subscriber.objects.count() == 1


def test_subscribing_again_after_unsubscribing_starts_over(client, commits, make_subscriber):
    subscriber = make_subscriber("li.na@example.com")
    subscriptions.unsubscribe(subscriber=subscriber, via=StatusChange.Via.ONE_CLICK)
    subscribe(client, commits)
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING
    assert len(mail.outbox) == 1
    client.post(link_in(mail.outbox[0], "confirm"))
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED


def test_a_confirmed_address_gets_nothing_and_stays_confirmed(client, commits, make_subscriber):
    make_subscriber("li.na@example.com")
    subscribe(client, commits)
    assert mail.outbox == []
    assert Subscriber.objects.get().status == Status.CONFIRMED


@pytest.mark.parametrize("status", [None, *Status.values])
def test_the_answer_never_says_whether_the_address_is_on_the_list(
    client, commits, make_subscriber, status
):
    if status:
        make_subscriber("li.na@example.com", status=status)
    response = subscribe(client, commits)
    assert (response.status_code, response["Location"]) == (303, SENT_URL)
    assert response.content == b""


def test_the_form_does_the_same_work_whatever_the_address_is(client, make_subscriber, settings):
    """Response time must not tell whether an address is known: the view validates and
    queues the same task with the same write, and the worker does the rest."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    make_subscriber("known@example.com")
    make_subscriber("waiting@example.com", status=Status.PENDING)
    make_subscriber("gone@example.com", status=Status.UNSUBSCRIBED)
    work = {}
    addresses = ["new@example.com", "known@example.com", "waiting@example.com", "gone@example.com"]
    for address in addresses:
        task_backends["default"].clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.post(URL, {"email": address.upper(), "website": ""})
        assert response.status_code == 303
        queued = task_backends["default"].results
        assert [(r.task.name, r.args) for r in queued] == [("subscribe", [address])]
        work[address] = [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries]
    assert len(set(map(tuple, work.values()))) == 1, work
    assert not Subscriber.objects.filter(email="new@example.com").exists()  # not yet


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": ""}, "This field is required."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"email": "li.na@@example.com"}, "Enter a valid email address."),
        ({"email": "a" * 250 + "@example.com"}, "Ensure this value has at most 254 characters"),
        ({"email": "li.na@example.com\r\nBcc: victim@example.com"}, "Line breaks are not allowed"),
        ({"email": "li.na@example.com\n"}, "Line breaks are not allowed"),
        ({"email": "li.na@example.com", "website": "x\r\ny"}, "Line breaks are not allowed"),
        ({"email": "li.na@example.com", "website": "http://spam"}, "must be left empty"),
        ({"email": "li\x00na@example.com"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_is_refused_with_a_readable_page(client, commits, data, message):
    with commits():
        response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "<h1" in html
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "typed",
    [
        '"li\x01na"@example.com',  # a quoted local part lets control characters through
        '"li\\\tna"@example.com',
        '"li\x1bna"@example.com',
        '"li\x7fna"@example.com',
        "li\u200bna@example.com",
        "a\r\nb@example.org",
        "\x00",
    ],
)
def test_control_characters_in_the_address_are_refused_and_the_address_kept(client, commits, typed):
    with commits():
        response = client.post(URL, {"email": typed, "website": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r"(Control characters|Line breaks|Null characters) are not allowed", html)
    assert f'value="{escape(typed)}"' in html
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_a_huge_body_is_a_400_not_a_500(client):
    response = client.post(URL, {"email": "x" * 3_000_000})
    assert response.status_code == 400


def test_subscribing_is_rate_limited_per_client(client, commits, settings):
    settings.NEWSLETTER_RATE_LIMIT = (2, 3600)
    for n in range(2):
        assert subscribe(client, commits, email=f"r{n}@example.com").status_code == 303
    response = subscribe(client, commits, email="r9@example.com")
    assert response.status_code == 429
    assert "try again later" in response.content.decode()
    assert Subscriber.objects.count() == 2


def test_the_footer_form_works_on_the_shared_home_page_and_not_from_another_site(commits):
    reader = Client(enforce_csrf_checks=True)
    home = reader.get("/")
    html = home.content.decode()
    assert home.headers["Cache-Control"].startswith("public")
    assert 'action="/newsletter/"' in html and "csrfmiddlewaretoken" not in html
    with commits():
        refused = reader.post(
            URL, {"email": "li.na@example.com"}, headers={"Origin": "https://evil.example"}
        )
        response = reader.post(
            URL, {"email": "li.na@example.com"}, headers={"Sec-Fetch-Site": "same-origin"}
        )
    assert refused.status_code == 403
    assert response.status_code == 303
    assert len(mail.outbox) == 1


# --- Links ------------------------------------------------------------------------------------


@pytest.fixture
def pending(client, commits):
    subscribe(client, commits)
    return Subscriber.objects.get(), link_in(mail.outbox[0], "confirm")


def tampered(path: str) -> str:
    token = path.rstrip("/").rsplit("/", 1)[1]
    value, _, rest = token.partition(":")
    swapped = value[:-1] + ("A" if value[-1] != "A" else "B")
    return f"/newsletter/confirm/{swapped}:{rest}/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused(client, pending, method):
    _, path = pending
    response = getattr(client, method)(tampered(path))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert Subscriber.objects.get().status == Status.PENDING


@pytest.mark.parametrize(
    "token", ["garbage", "a:b:c", "x" * 5000, "%00", "%C3%A9t%C3%A9", "eyJrIjoxfQ:1:2"]
)
@pytest.mark.parametrize("kind", ["confirm", "unsubscribe"])
def test_garbage_tokens_get_a_clear_400(client, token, kind):
    for method in (client.get, client.post):
        response = method(f"/newsletter/{kind}/{token}/")
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()


def test_an_expired_link_is_refused(client, pending, settings):
    _, path = pending
    later = timezone.now() + datetime.timedelta(seconds=settings.NEWSLETTER_CONFIRM_MAX_AGE + 5)
    with time_machine.travel(later):
        response = client.post(path)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert Subscriber.objects.get().status == Status.PENDING


def test_a_link_works_once(client, pending):
    _, path = pending
    assert client.post(path).status_code == 200
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 400
        assert "already been used" in response.content.decode()
    assert StatusChange.objects.filter(to_status=Status.CONFIRMED).count() == 1


def test_a_link_signed_for_another_purpose_is_refused(client, pending):
    subscriber, _ = pending
    unsubscribe_token = subscriptions.unsubscribe_token(subscriber)
    assert client.post(f"/newsletter/confirm/{unsubscribe_token}/").status_code == 400
    forged = signing.dumps({"k": subscriber.key, "n": subscriber.nonce}, salt="other")
    assert client.post(f"/newsletter/confirm/{forged}/").status_code == 400


def test_an_old_link_stops_working_after_unsubscribing(client, pending):
    subscriber, path = pending
    subscriptions.unsubscribe(subscriber=subscriber, via=StatusChange.Via.ADMIN)
    assert client.post(path).status_code == 400
    with pytest.raises(BadLink) as refused:
        subscriptions.subscriber_to_confirm(path.split("/")[-2])
    assert refused.value.problem == LinkProblem.USED


# --- Unsubscribing ------------------------------------------------------------------------------


def test_the_unsubscribe_page_has_a_button_and_get_changes_nothing(client, make_subscriber):
    subscriber = make_subscriber()
    path = subscriptions.unsubscribe_url(subscriber).removeprefix("https://news.example.org")
    html = client.get(path).content.decode()
    assert 'method="post"' in html and ">Unsubscribe</button>" in html
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED
    response = client.post(path, {"List-Unsubscribe": "One-Click", "from-page": "1"})
    assert "You are unsubscribed" in response.content.decode()
    assert subscriber.changes.get().via == StatusChange.Via.UNSUBSCRIBE_PAGE


def test_one_click_unsubscribe_is_a_plain_post_and_idempotent(make_subscriber):
    subscriber = make_subscriber()
    path = subscriptions.unsubscribe_url(subscriber).removeprefix("https://news.example.org")
    provider = Client(enforce_csrf_checks=True)  # no cookies, no token
    for _ in range(2):
        response = provider.post(
            path,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        subscriber.refresh_from_db()
        assert subscriber.status == Status.UNSUBSCRIBED
    assert subscriber.changes.get().via == StatusChange.Via.ONE_CLICK
    assert "You are unsubscribed" in provider.get(path).content.decode()


def test_a_pending_address_can_unsubscribe_too(make_subscriber, client):
    subscriber = make_subscriber(status=Status.PENDING)
    client.post(subscriptions.unsubscribe_url(subscriber).removeprefix("https://news.example.org"))
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED
