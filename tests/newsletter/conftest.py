"""Newsletter fixtures: subscribers, tasks run at once, and a real SMTP server (aiosmtpd)
on a free local port that keeps what it receives."""

import email
import email.policy
import itertools
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from newsletter.models import Subscriber

_numbers = itertools.count(1)

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # The database worker in production; here each task runs as soon as it is enqueued.
    settings.TASKS = IMMEDIATE_TASKS
    settings.SITE_URL = "https://news.example.org"


@pytest.fixture
def make_subscriber(db):
    def make(email: str | None = None, status=Subscriber.Status.CONFIRMED, **fields):
        email = email or f"reader{next(_numbers)}@example.com"
        now = timezone.now()
        if status == Subscriber.Status.CONFIRMED:
            fields.setdefault("confirmed_at", now)
        return Subscriber.objects.create(email=email, status=status, **fields)

    return make


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def to(self) -> str:
        return self.recipients[0]


@dataclass
class Handler:
    """Keeps every message; `refuse_after` makes it answer 421 (service not available)
    once it has accepted that many, as a server going down for maintenance does."""

    received: list[Received] = field(default_factory=list)
    refuse_after: int | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_after is not None and len(self.received) >= self.refuse_after:
            return "421 Service not available, closing transmission channel"
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [item for item in self.received if address in item.recipients]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 and the site's mailer pointed at it."""
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    try:
        yield handler
    finally:
        controller.stop()
