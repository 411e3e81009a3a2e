"""The whole journey against a real SMTP server (aiosmtpd, started here): subscribe from
the footer, confirm from the e-mail, receive an issue, unsubscribe with one click exactly
as a mail provider does, and receive nothing more."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from newsletter.models import Delivery, Issue, Subscriber

pytestmark = pytest.mark.django_db

SITE = "https://news.example.org"


def local(url: str) -> str:
    assert url.startswith(SITE + "/"), url
    return url.removeprefix(SITE)


def test_subscribe_confirm_send_and_one_click_unsubscribe(
    smtp_server, make_article, django_capture_on_commit_callbacks, settings
):
    settings.DEFAULT_FROM_EMAIL = "Dispatch <news@news.example.org>"
    other_reader = Subscriber.objects.create(
        email="other@example.com", status=Subscriber.Status.CONFIRMED
    )
    reader = Client(enforce_csrf_checks=True)
    home = reader.get("/").content.decode()
    assert 'action="/newsletter/"' in home and "csrfmiddlewaretoken" not in home
    with django_capture_on_commit_callbacks(execute=True):
        # The footer's form, from the site's own page: the browser says same-origin.
        response = reader.post(
            "/newsletter/",
            {"email": "li.na@example.com"},
            headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        )
    assert response.status_code == 303

    # The confirmation, as the SMTP server received it.
    [received] = smtp_server.received
    assert received.recipients == ["li.na@example.com"]
    assert received.sender == "news@news.example.org"
    confirmation = received.message
    assert confirmation["Subject"] == "Confirm your subscription to Dispatch"
    assert confirmation.get_content_type() == "multipart/alternative"
    assert "List-Unsubscribe" not in confirmation
    text = confirmation.get_body(("plain",)).get_content()
    confirm_url = re.search(r"https://\S+/newsletter/confirm/\S+/", text)[0]
    assert confirm_url in confirmation.get_body(("html",)).get_content()

    page = reader.get(local(confirm_url)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert reader.post(local(confirm_url), {"csrfmiddlewaretoken": token}).status_code == 200
    subscriber = Subscriber.objects.get(email="li.na@example.com")
    assert subscriber.status == Subscriber.Status.CONFIRMED

    # An issue of the new articles.
    first = make_article(headline="Bridge reopens", summary="Traffic flows again.")
    second = make_article(headline="Rain <expected> & wind", summary="Bring an umbrella.")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_newsletter", stdout=(out := _Output()))
    assert "2 subscribers" in out.text
    issue = Issue.objects.get()
    assert issue.status == Issue.Status.SENT and issue.sent_at is not None
    [digest] = smtp_server.to("li.na@example.com")[1:]
    assert len(smtp_server.to("other@example.com")) == 1
    message = digest.message
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert message["Subject"].startswith("Dispatch digest, ")
    assert message["List-Id"] == "Dispatch newsletter <newsletter.news.example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = re.fullmatch(r"<(https://[^>]+)>", message["List-Unsubscribe"])[1]
    # On the wire as written: mail providers do not decode RFC 2047 in this header.
    raw_headers = digest.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert f"\r\nList-Unsubscribe: <{unsubscribe_url}>\r\n" in raw_headers
    assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw_headers
    assert message["Message-ID"] == f"<issue-{issue.pk}.{subscriber.key}@news.example.org>"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for article in (first, second):
        assert SITE + article.get_absolute_url() in plain
        assert SITE + article.get_absolute_url() in html
    assert "Rain <expected> & wind" in plain
    assert "Rain &lt;expected&gt; &amp; wind" in html
    assert unsubscribe_url in plain and unsubscribe_url in html
    other = smtp_server.to("other@example.com")[0].message
    assert other["List-Unsubscribe"] != message["List-Unsubscribe"]
    assert Delivery.objects.filter(state=Delivery.State.SENT).count() == 2

    # One-click, as Gmail does it: a POST without cookies, CSRF token or login.
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        local(unsubscribe_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED

    # The next issue goes to the other reader only.
    make_article(headline="Market day", published_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_newsletter", stdout=_Output())
    assert len(smtp_server.to("li.na@example.com")) == 2
    assert len(smtp_server.to("other@example.com")) == 2
    assert other_reader.deliveries.count() == 2


def test_no_header_injection_through_any_field(
    smtp_server, make_article, make_subscriber, settings, django_capture_on_commit_callbacks
):
    settings.SITE_NAME = "Dispatch\r\nBcc: site@evil.example"
    make_article(headline="Hello\r\nBcc: evil@example.com\r\n\r\n<b>body</b>")
    good = make_subscriber("good@example.com")
    # A row written around the form's checks (an import, a bug) must not inject either.
    bad = Subscriber.objects.create(
        email="bad@example.com\r\nBcc: evil@example.com", status=Subscriber.Status.CONFIRMED
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_newsletter", stdout=_Output())
    assert [r.recipients for r in smtp_server.received] == [["good@example.com"]]
    message = smtp_server.received[0].message
    assert "Bcc" not in message
    raw_headers = smtp_server.received[0].raw.split(b"\r\n\r\n", 1)[0].decode()
    assert not re.search(r"^bcc:", raw_headers, re.IGNORECASE | re.MULTILINE)
    assert "evil" not in message["List-Id"].split("<")[1]
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert "Hello Bcc: evil@example.com <b>body</b>" in message["Subject"]
    assert bad.deliveries.get().state == Delivery.State.FAILED
    assert good.deliveries.get().state == Delivery.State.SENT


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass
