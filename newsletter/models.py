"""The e-mail newsletter: subscribers, the issues sent to them and each delivery's state.

Statuses change only through newsletter/subscriptions.py (subscribers) and
newsletter/sending.py (issues and deliveries)."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from articles.models import Article


def new_key() -> str:
    return secrets.token_urlsafe(16)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=254, unique=True, help_text="Stored in lower case.")
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    # Names the subscriber in links (unsubscribe, Message-ID) without showing the address.
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    # Changes whenever the status does, so a confirmation link works once, and only for the
    # subscription it was sent for.
    nonce = models.CharField(max_length=32, default=new_key, editable=False)
    created = models.DateTimeField(default=timezone.now)
    status_changed = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "id"], name="subscriber_status_idx")]

    def __str__(self):
        return self.email


class StatusChange(models.Model):
    """A subscriber's status change: from what, to what, how and (in the admin) by whom.
    The record of consent; never edited."""

    class Via(models.TextChoices):
        FORM = "form", "Subscribe form"
        CONFIRM_LINK = "confirm-link", "Confirmation link"
        UNSUBSCRIBE_PAGE = "unsubscribe-page", "Unsubscribe page"
        ONE_CLICK = "one-click", "One-click unsubscribe (RFC 8058)"
        ADMIN = "admin", "Admin"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=12, choices=Subscriber.Status, blank=True)
    to_status = models.CharField(max_length=12, choices=Subscriber.Status)
    via = models.CharField(max_length=20, choices=Via)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member, for changes made in the admin.",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.from_status or 'new'} -> {self.to_status} ({self.via})"


class Issue(models.Model):
    """One digest: the articles it carries, to the subscribers confirmed when it started."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=200)
    articles = models.ManyToManyField(Article, related_name="newsletter_issues")
    status = models.CharField(max_length=10, choices=Status, default=Status.SENDING)
    # The next issue carries what was published after this moment.
    covers_until = models.DateTimeField()
    created = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last delivery was settled."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when composed by the send_newsletter command.",
    )

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["status", "-created"], name="issue_status_created_idx")]
        constraints = [
            # Two callers that both found nothing in progress (a double click, the command
            # and the admin at once) cannot both start an issue: the second one's INSERT
            # fails, and sending.send_newsletter() tells it which issue is being sent.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="sending"),
                name="one_issue_sending",
                violation_error_message="Another issue is already being sent.",
            )
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("newsletter:issue", kwargs={"pk": self.pk})


class Delivery(models.Model):
    """One issue to one subscriber. Created PENDING for everyone when the issue starts;
    a worker takes a batch (claimed_by, claimed_at), marks each SENDING just before the
    SMTP handoff and SENT once the server accepted it."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending (handed to the mail server)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (refused by the mail server)"
        SKIPPED = "skipped", "Skipped (unsubscribed before sending)"
        UNKNOWN = "unknown", "Unknown (interrupted during the handoff)"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["issue", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="one_delivery_per_issue")
        ]
        indexes = [models.Index(fields=["issue", "state", "id"], name="delivery_issue_state_idx")]

    def __str__(self):
        return f"{self.issue_id} to {self.subscriber_id}: {self.state}"
