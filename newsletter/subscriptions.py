"""Subscribing, confirming and unsubscribing: the subscriber's state machine and its
signed links. Views, the admin and tasks all change a subscriber through here."""

import enum
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from newsletter.models import StatusChange, Subscriber, new_key

Status = Subscriber.Status
Via = StatusChange.Via

# Every allowed move. Anything else raises IllegalTransition. Confirmed subscribers are
# never sent back to pending; unsubscribing is possible from anywhere but itself (and is
# idempotent at the service level); after unsubscribing, subscribing starts over.
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (Status.PENDING, Status.CONFIRMED),
        (Status.PENDING, Status.UNSUBSCRIBED),
        (Status.CONFIRMED, Status.UNSUBSCRIBED),
        (Status.UNSUBSCRIBED, Status.PENDING),
    }
)

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
MAX_TOKEN_LENGTH = 200  # real tokens are about 90 characters


class IllegalTransition(Exception):
    def __init__(self, from_status: str, to_status: str):
        super().__init__(f"A subscriber cannot go from {from_status} to {to_status}")
        self.from_status, self.to_status = from_status, to_status


class LinkProblem(enum.Enum):
    """Why a link from an e-mail is refused; each has its own page."""

    INVALID = "invalid"  # not one of ours: garbage, truncated or tampered with
    EXPIRED = "expired"
    USED = "used"  # already confirmed, or replaced by a newer subscription


class BadLink(Exception):
    def __init__(self, problem: LinkProblem):
        super().__init__(problem.value)
        self.problem = problem


def transition(
    subscriber: Subscriber,
    to: str,
    *,
    via: str,
    actor: AbstractBaseUser | None = None,
) -> StatusChange:
    """Move a subscriber (locked by the caller, inside a transaction) to another status and
    record it. Raises IllegalTransition for a move not in TRANSITIONS."""
    if (subscriber.status, to) not in TRANSITIONS:
        raise IllegalTransition(subscriber.status, to)
    now = timezone.now()
    change = StatusChange.objects.create(
        subscriber=subscriber,
        from_status=subscriber.status,
        to_status=to,
        via=via,
        actor=actor if actor is not None and actor.is_authenticated else None,
        created=now,
    )
    subscriber.status = to
    subscriber.status_changed = now
    subscriber.nonce = new_key()  # outstanding confirmation links stop working
    if to == Status.CONFIRMED:
        subscriber.confirmed_at = now
    elif to == Status.UNSUBSCRIBED:
        subscriber.unsubscribed_at = now
    subscriber.save(
        update_fields=["status", "status_changed", "nonce", "confirmed_at", "unsubscribed_at"]
    )
    return change


# --- Links -------------------------------------------------------------------------------


def confirm_token(subscriber: Subscriber) -> str:
    # The nonce ties the link to this pending subscription: once confirmed (or unsubscribed,
    # or started over) the nonce changes and the link is refused as used.
    return signing.dumps({"k": subscriber.key, "n": subscriber.nonce}, salt=CONFIRM_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    # No expiry: the link in an old issue must keep working (RFC 8058 asks that it does).
    return signing.dumps(subscriber.key, salt=UNSUBSCRIBE_SALT, compress=False)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def confirm_url(subscriber: Subscriber) -> str:
    return absolute(reverse("newsletter:confirm", kwargs={"token": confirm_token(subscriber)}))


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = unsubscribe_token(subscriber)
    return absolute(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def _load(token: str, *, salt: str, max_age: int | None = None):
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise BadLink(LinkProblem.INVALID)
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink(LinkProblem.EXPIRED) from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise BadLink(LinkProblem.INVALID) from None


def subscriber_to_confirm(token: str) -> Subscriber:
    """The pending subscriber a confirmation link is for, or BadLink saying why not."""
    payload = _load(token, salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE)
    if not isinstance(payload, dict) or not {"k", "n"} <= payload.keys():
        raise BadLink(LinkProblem.INVALID)
    subscriber = Subscriber.objects.filter(key=str(payload["k"])).first()
    if subscriber is None:
        raise BadLink(LinkProblem.INVALID)
    if subscriber.status != Status.PENDING or subscriber.nonce != payload["n"]:
        raise BadLink(LinkProblem.USED)
    return subscriber


def subscriber_for_unsubscribe(token: str) -> Subscriber:
    key = _load(token, salt=UNSUBSCRIBE_SALT)
    subscriber = Subscriber.objects.filter(key=str(key)).first() if isinstance(key, str) else None
    if subscriber is None:
        raise BadLink(LinkProblem.INVALID)
    return subscriber


# --- Services ----------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    # Lower case whole: providers treat the local part case-insensitively in practice, and
    # one person should not be two subscribers.
    return email.strip().lower()


@dataclass(frozen=True)
class Subscribed:
    subscriber: Subscriber
    confirmation_sent: bool  # for logs and tests; never shown to the visitor


def request_subscription(*, email: str) -> None:
    """What the subscribe form does with every valid address alike: queue subscribe() for
    the worker, so neither the answer nor its timing says whether the address is known."""
    from newsletter.tasks import subscribe as subscribe_task

    subscribe_task.enqueue(normalize_email(email))


def subscribe(*, email: str) -> Subscribed:
    """Start (or restart) a subscription and send a confirmation link when one is due.

    New or unsubscribed addresses get a link at once; a pending address gets a new one at
    most once per NEWSLETTER_RESEND_SECONDS; a confirmed address gets nothing. The caller
    shows the same answer in every case."""
    email = normalize_email(email)
    now = timezone.now()
    with transaction.atomic():
        subscriber = _locked_or_created(email)
        send = False
        if subscriber.status == Status.UNSUBSCRIBED:
            transition(subscriber, Status.PENDING, via=Via.FORM)
            send = True
        elif subscriber.status == Status.PENDING:
            last = subscriber.confirmation_sent_at
            resend_after = timedelta(seconds=settings.NEWSLETTER_RESEND_SECONDS)
            send = last is None or now - last >= resend_after
        if send:
            subscriber.confirmation_sent_at = now
            subscriber.save(update_fields=["confirmation_sent_at"])
            transaction.on_commit(lambda: _enqueue_confirmation(subscriber.pk))
    return Subscribed(subscriber, confirmation_sent=send)


def _locked_or_created(email: str) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is not None:
        return subscriber
    try:
        with transaction.atomic():
            subscriber = Subscriber.objects.create(email=email)
            StatusChange.objects.create(
                subscriber=subscriber, to_status=Status.PENDING, via=Via.FORM
            )
            return subscriber
    except IntegrityError:  # someone subscribed the same address a moment ago
        return Subscriber.objects.select_for_update().get(email=email)


def _enqueue_confirmation(subscriber_id: int) -> None:
    from newsletter.tasks import send_confirmation

    send_confirmation.enqueue(subscriber_id)


def confirm(*, token: str) -> Subscriber:
    """Confirm the subscription a link was sent for; BadLink when it is not valid."""
    with transaction.atomic():
        subscriber = subscriber_to_confirm(token)
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        subscriber_to_confirm(token)  # again, under the lock: two clicks confirm once
        transition(subscriber, Status.CONFIRMED, via=Via.CONFIRM_LINK)
    return subscriber


def unsubscribe(
    *,
    subscriber: Subscriber,
    via: str,
    actor: AbstractBaseUser | None = None,
) -> bool:
    """Unsubscribe at once. Idempotent: False when the subscriber already was."""
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if locked.status == Status.UNSUBSCRIBED:
            return False
        transition(locked, Status.UNSUBSCRIBED, via=via, actor=actor)
    subscriber.status, subscriber.unsubscribed_at = locked.status, locked.unsubscribed_at
    return True
