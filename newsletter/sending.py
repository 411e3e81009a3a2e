"""Sending: confirmation messages, and issues to every confirmed subscriber in batches,
each delivery recorded so that an interrupted send resumes without duplicates.

How a delivery moves, and why nobody gets two copies:

    PENDING --claim--> PENDING (claimed_by, claimed_at) --mark--> SENDING --accepted--> SENT
                                                                        \\--refused--> FAILED
                                                                        \\--4xx------> PENDING
                                                                        \\--cut off--> UNKNOWN

1. start_issue() creates one PENDING row per (issue, confirmed subscriber) under a unique
   constraint, then enqueues ceil(rows / NEWSLETTER_BATCH_SIZE) send_issue_batch tasks.
2. A task claims up to a batch of PENDING rows with a conditional UPDATE (only rows still
   PENDING and unclaimed, or whose claim is older than NEWSLETTER_CLAIM_SECONDS), so two
   workers never hold the same row; PostgreSQL also skips rows another worker has locked.
3. Per message: UPDATE ... SET state=SENDING WHERE state=PENDING AND claimed_by=me, commit,
   hand the message to the SMTP server, then SET state=SENT. The only moment whose outcome
   a crash can leave unknown is the handoff itself, and the row then stays SENDING.
4. If the server says no, we know it did not take the message: 5xx is FAILED, 4xx goes back
   to PENDING. A broken connection stops the batch: the message in flight becomes UNKNOWN,
   the rest of the batch is released, and the task fails (recorded by the worker).
5. A worker killed outright (SIGKILL, the machine lost) runs no cleanup: its rows stay
   claimed and one may stay SENDING. While an issue is SENDING, watch_issue() runs every
   NEWSLETTER_CLAIM_SECONDS on whichever worker is alive: it releases claims gone stale and
   queues batches for them, and settles stale SENDING rows as UNKNOWN, so the issue
   finishes without an editor once a worker runs again.
6. Resuming is calling send_newsletter() again (the command, the admin button): rows still
   PENDING are sent, claims of dead workers are taken over once stale, and SENDING rows
   older than the claim timeout become UNKNOWN. UNKNOWN rows are never re-sent on their
   own: a killed worker may or may not have delivered them, and sending again could be a
   duplicate. An editor may re-send them on purpose (send_newsletter --resend-unknown);
   each delivery has a fixed Message-ID, so mailbox providers that collapse duplicates
   (Gmail does) drop a second copy.

At most one message per worker can end UNKNOWN per crash; everything else is exact.
"""

import email.policy
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from newsletter import digest, subscriptions
from newsletter.models import Delivery, Issue, Subscriber

logger = logging.getLogger(__name__)

State = Delivery.State
OPEN_STATES = (State.PENDING, State.SENDING)


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def list_id() -> str:
    name = digest.one_line(f"{settings.SITE_NAME} newsletter", 100).replace("<", "")
    return f"{name.replace('>', '')} <newsletter.{site_host()}>"


# --- Messages ------------------------------------------------------------------------------


class NewsletterMessage(EmailMultiAlternatives):
    """Python's e-mail package folds a header word longer than 78 characters by turning it
    into an RFC 2047 encoded word, and mail providers do not decode List-Unsubscribe. Our
    links are longer than that, so lines may run to RFC 5322's hard limit of 998."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    context = {
        "confirm_url": subscriptions.confirm_url(subscriber),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "valid_days": max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
    }
    message = NewsletterMessage(
        subject=digest.one_line(f"Confirm your subscription to {settings.SITE_NAME}"),
        body=render_to_string("newsletter/email/confirm.txt", context),
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    html = render_to_string("newsletter/email/confirm.html", context)
    message.attach_alternative(html, "text/html")
    return message


def issue_message(issue: Issue, bodies: digest.Bodies, subscriber: Subscriber):
    unsubscribe_url = subscriptions.unsubscribe_url(subscriber)
    mine = bodies.for_subscriber(unsubscribe_url)
    message = NewsletterMessage(
        subject=digest.one_line(issue.subject),
        body=mine.text,
        to=[subscriber.email],
        headers={
            "List-Id": list_id(),
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Archive": f"<{settings.SITE_URL}{issue.get_absolute_url()}>",
            "Precedence": "bulk",
            # Fixed per delivery: a deliberate re-send is recognisable as the same message.
            "Message-ID": f"<issue-{issue.pk}.{subscriber.key}@{site_host()}>",
        },
    )
    message.attach_alternative(mine.html, "text/html")
    return message


def send_test_issue(preview: digest.Preview, *, to: str) -> None:
    """The next issue as subscribers will get it, to one editor's own address, before it
    goes to everyone. Its unsubscribe link leads to the archive: the editor is no
    subscriber. Raises what the mail server raises."""
    bodies = digest.render_issue(preview.issue, preview.articles)
    archive = settings.SITE_URL + reverse("newsletter:archive")
    mine = bodies.for_subscriber(archive)
    message = NewsletterMessage(
        subject=digest.one_line(f"[Test] {preview.issue.subject}"),
        body=mine.text,
        to=[to],
        headers={"List-Id": list_id(), "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(mine.html, "text/html")
    mailers.default.send_messages([message])


def send_confirmation(subscriber_id: int) -> bool:
    """The task's body: mail a confirmation link, if the subscriber still waits for one."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status != Subscriber.Status.PENDING:
        return False
    mailers.default.send_messages([confirmation_message(subscriber)])
    return True


# --- Issues --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What send_newsletter() did, in words for the command and the admin."""

    issue: Issue | None
    composed: bool = False
    queued_batches: int = 0
    pending: int = 0
    unknown: int = 0
    message: str = ""
    stale_preview: bool = False  # the editor confirmed other articles than it would carry


def send_newsletter(
    *, actor=None, resend_unknown: bool = False, previewed: list[int] | None = None
) -> Outcome:
    """Resume the issue being sent if there is one; otherwise compose an issue of what was
    published since the last one and start sending it. The command, the admin and tests
    all call this. `previewed`: the articles the editor confirmed (the admin); when the
    next issue would carry others, nothing is composed."""
    issue = Issue.objects.filter(status=Issue.Status.SENDING).order_by("created", "id").first()
    if issue is not None:
        return resume_issue(issue, resend_unknown=resend_unknown)
    if previewed is not None:
        preview = digest.preview_next_issue()
        if preview is None or preview.article_ids != previewed:
            return Outcome(
                None,
                message="The next issue has changed since the preview (an article was "
                "published, edited or withdrawn): nothing was sent. Check the new preview.",
                stale_preview=True,
            )
    if resend_unknown:
        issue = Issue.objects.filter(deliveries__state=State.UNKNOWN).order_by("-id").first()
        if issue is not None:
            try:
                return resume_issue(issue, resend_unknown=True)
            except IntegrityError:  # back to SENDING while another issue started
                return _already_sending()
    try:
        issue = digest.compose_issue(actor=actor)
    except IntegrityError:  # another caller started one since we looked (one_issue_sending)
        return _already_sending()
    if issue is None:
        previous = digest.last_issue()
        since = ""
        if previous is not None:
            when = timezone.localtime(previous.covers_until)
            since = f" since issue {previous.pk} ({when:%Y-%m-%d %H:%M %Z})"
        return Outcome(None, message=f"Nothing to send: no new articles{since}.")
    return start_issue(issue)


def _already_sending() -> Outcome:
    issue = Issue.objects.filter(status=Issue.Status.SENDING).first()
    if issue is None:  # it finished in the meantime
        return Outcome(None, message="Another issue was being sent; try again.")
    return Outcome(None, message=f"Issue {issue.pk} ({issue.subject}) is already being sent.")


def start_issue(issue: Issue) -> Outcome:
    """Create a PENDING delivery for every confirmed subscriber, then queue the batches."""
    confirmed = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).order_by("id")
    with transaction.atomic():
        ids = list(confirmed.values_list("id", flat=True))
        for start in range(0, len(ids), 1000):
            Delivery.objects.bulk_create(
                [Delivery(issue=issue, subscriber_id=pk) for pk in ids[start : start + 1000]],
                ignore_conflicts=True,
            )
        batches = enqueue_batches(issue)
        if not ids:
            finish_if_done(issue)
        else:
            schedule_watch(issue)
    outcome = Outcome(issue, composed=True, queued_batches=batches, pending=len(ids))
    outcome.message = (
        f"Issue {issue.pk} ({issue.subject}): {len(ids)} subscribers, {batches} batches queued."
    )
    return outcome


def resume_issue(issue: Issue, *, resend_unknown: bool = False) -> Outcome:
    with transaction.atomic():
        settle_stale(issue)
        if resend_unknown:
            Delivery.objects.filter(issue=issue, state=State.UNKNOWN).update(
                state=State.PENDING, claimed_by="", claimed_at=None
            )
            Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING, sent_at=None)
            issue.refresh_from_db()
        batches = enqueue_batches(issue)
        if not finish_if_done(issue):
            schedule_watch(issue)
    counts = delivery_counts(issue)
    outcome = Outcome(
        issue,
        queued_batches=batches,
        pending=counts[State.PENDING],
        unknown=counts[State.UNKNOWN],
    )
    outcome.message = (
        f"Resuming issue {issue.pk} ({issue.subject}): {counts[State.SENT]} sent, "
        f"{counts[State.PENDING]} to send, {batches} batches queued."
    )
    if counts[State.UNKNOWN]:
        outcome.message += (
            f" {counts[State.UNKNOWN]} deliveries were cut off mid-handoff and may have "
            "arrived; they are not re-sent unless you ask (--resend-unknown)."
        )
    return outcome


def enqueue_batches(issue: Issue) -> int:
    """Queue enough batch tasks for the deliveries still PENDING (when the transaction
    commits). Extra tasks are harmless: one that finds nothing to claim just returns."""
    pending = Delivery.objects.filter(issue=issue, state=State.PENDING).count()
    return _enqueue(issue, pending)


def _enqueue(issue: Issue, deliveries: int) -> int:
    batches = -(-deliveries // max(1, settings.NEWSLETTER_BATCH_SIZE))

    def enqueue():
        from newsletter.tasks import send_issue_batch

        for _ in range(batches):
            send_issue_batch.enqueue(issue.pk)

    if batches:
        transaction.on_commit(enqueue)
    return batches


def schedule_watch(issue: Issue) -> bool:
    """Queue watch_issue() to run once claims taken now would be stale (when the
    transaction commits). Backends that cannot defer a task (the immediate one runs each
    at once, in the caller's process) have no worker to lose: nothing to watch."""
    from newsletter.tasks import watch_issue

    if not watch_issue.get_backend().supports_defer:
        return False
    seconds = settings.NEWSLETTER_CLAIM_SECONDS + 1
    issue_id = issue.pk

    def enqueue():
        run_after = timezone.now() + timedelta(seconds=seconds)
        watch_issue.using(run_after=run_after).enqueue(issue_id)

    transaction.on_commit(enqueue)
    return True


def watch_issue(issue_id: int) -> dict:
    """Take back what workers that died mid-batch left of a SENDING issue: PENDING rows
    whose claim is stale are released and batches queued for them; SENDING rows gone stale
    become UNKNOWN (never re-sent on their own). Runs again while the issue is SENDING; the
    next run is queued first, so a worker killed during this one does not end the watch."""
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).first()
    if issue is None:
        return {"sending": False}
    with transaction.atomic():
        schedule_watch(issue)
    cutoff = timezone.now() - timedelta(seconds=settings.NEWSLETTER_CLAIM_SECONDS)
    with transaction.atomic():
        unknown = settle_stale(issue)
        released = (
            Delivery.objects.filter(issue=issue, state=State.PENDING, claimed_at__lt=cutoff)
            .exclude(claimed_by="")
            .update(claimed_by="", claimed_at=None)
        )
        batches = _enqueue(issue, released)
        finished = finish_if_done(issue)
    if released or unknown:
        logger.warning(
            "Issue %s: took back %s deliveries from a stopped worker (%s batches queued); "
            "%s cut off mid-handoff are UNKNOWN.",
            issue.pk,
            released,
            batches,
            unknown,
        )
    return {"sending": not finished, "released": released, "unknown": unknown}


def settle_stale(issue: Issue) -> int:
    """SENDING rows older than the claim timeout belong to a worker that died during the
    handoff: their fate is unknown."""
    cutoff = timezone.now() - timedelta(seconds=settings.NEWSLETTER_CLAIM_SECONDS)
    return Delivery.objects.filter(
        issue=issue, state=State.SENDING, attempted_at__lt=cutoff
    ).update(state=State.UNKNOWN, error="Interrupted during the handoff to the mail server")


def delivery_counts(issue: Issue) -> dict[str, int]:
    found = dict(
        Delivery.objects.filter(issue=issue)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {state: found.get(state, 0) for state in State.values}


def finish_if_done(issue: Issue) -> bool:
    """Mark the issue sent once no delivery is open (PENDING or SENDING)."""
    if Delivery.objects.filter(issue=issue, state__in=OPEN_STATES).exists():
        return False
    now = timezone.now()
    done = Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).update(
        status=Issue.Status.SENT, sent_at=now
    )
    if done:
        issue.status, issue.sent_at = Issue.Status.SENT, now
    return bool(done)


# --- One batch -----------------------------------------------------------------------------


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retry: int = 0
    unknown: int = 0
    errors: list[str] = field(default_factory=list)


class SendingInterrupted(Exception):
    """The mail server went away mid-batch; the rest of the batch waits for a resume."""


def claim(issue_id: int, worker: str, size: int) -> list[Delivery]:
    """Take up to `size` PENDING deliveries no live worker holds."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NEWSLETTER_CLAIM_SECONDS)
    free = Q(claimed_by="") | Q(claimed_at__lt=stale)
    with transaction.atomic():
        candidates = Delivery.objects.filter(Q(issue_id=issue_id, state=State.PENDING) & free)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.order_by("id").values_list("id", flat=True)[:size])
        if not ids:
            return []
        # Conditional: a row another worker took meanwhile is left alone.
        Delivery.objects.filter(Q(id__in=ids, state=State.PENDING) & free).update(
            claimed_by=worker, claimed_at=now
        )
    return list(
        Delivery.objects.filter(issue_id=issue_id, claimed_by=worker, state=State.PENDING)
        .select_related("subscriber")
        .order_by("id")
    )


def _mark(delivery: Delivery, worker: str, from_state: str, to_state: str, **fields) -> bool:
    updated = Delivery.objects.filter(pk=delivery.pk, state=from_state, claimed_by=worker).update(
        state=to_state, **fields
    )
    return bool(updated)


def _release(worker: str, issue_id: int) -> None:
    Delivery.objects.filter(issue_id=issue_id, claimed_by=worker, state=State.PENDING).update(
        claimed_by="", claimed_at=None
    )


def _server_said_no(error: Exception) -> int | None:
    """The SMTP reply code when the server answered with a refusal (so it certainly did
    not take the message); None when the connection broke and we cannot know."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return max(codes) if codes else 550
    if isinstance(error, smtplib.SMTPResponseException):  # sender refused, data refused...
        return error.smtp_code
    return None


def send_batch(issue_id: int, *, size: int | None = None, worker: str | None = None):
    """Send one batch of an issue over one SMTP connection. The task's body."""
    size = size or settings.NEWSLETTER_BATCH_SIZE
    worker = worker or get_random_string(24)
    result = BatchResult()
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return result
    deliveries = claim(issue_id, worker, size)
    result.claimed = len(deliveries)
    if not deliveries:
        finish_if_done(issue)
        return result
    try:
        bodies = digest.render_issue(issue)
        with mailers.default as mailer:
            batch = _Batch(issue, bodies, worker, mailer, result)
            try:
                for delivery in deliveries:
                    batch.send(delivery)
            finally:
                batch.record_accepted()
    finally:
        # Whatever was claimed and not attempted goes back for the next task.
        _release(worker, issue_id)
        finish_if_done(issue)
    return result


class _Batch:
    """Sends deliveries one by one. Recording message n as SENT and n+1 as SENDING share
    one commit: the states move exactly as if each had its own, at half the writes."""

    def __init__(self, issue, bodies, worker, mailer, result: BatchResult):
        self.issue, self.bodies, self.worker = issue, bodies, worker
        self.mailer, self.result = mailer, result
        self.accepted: tuple[Delivery, datetime] | None = None  # taken, not yet recorded

    def _record(self) -> None:
        if self.accepted is not None:
            delivery, when = self.accepted
            self.accepted = None
            _mark(delivery, self.worker, State.SENDING, State.SENT, sent_at=when)
            self.result.sent += 1

    def record_accepted(self) -> None:
        with transaction.atomic():
            self._record()

    def send(self, delivery: Delivery) -> None:
        worker, result = self.worker, self.result
        subscriber = delivery.subscriber
        now = timezone.now()
        if subscriber.status != Subscriber.Status.CONFIRMED:
            # Unsubscribed (or else) since the issue started: honoured at once.
            with transaction.atomic():
                self._record()
                _mark(delivery, worker, State.PENDING, State.SKIPPED, attempted_at=now)
            result.skipped += 1
            return
        message = issue_message(self.issue, self.bodies, subscriber)
        with transaction.atomic():
            self._record()
            if not _mark(delivery, worker, State.PENDING, State.SENDING, attempted_at=now):
                return  # another worker took it over after our claim went stale
        try:
            self.mailer.send_messages([message])
        except Exception as error:
            self._refused(delivery, error)
            return
        except BaseException:
            # The worker is being stopped mid-handoff (Ctrl+C twice, SIGTERM): fate unknown.
            _mark(delivery, worker, State.SENDING, State.UNKNOWN, error="Worker stopped")
            raise
        self.accepted = (delivery, timezone.now())

    def _refused(self, delivery: Delivery, error: Exception) -> None:
        worker, result = self.worker, self.result
        text = f"{type(error).__name__}: {error}"[:500]
        code = _server_said_no(error)
        if isinstance(error, ValueError):
            # Raised while building the message or checking an address (a line break, a
            # malformed address), before anything reaches the server.
            code = 554
        if code is not None and code >= 500:
            _mark(delivery, worker, State.SENDING, State.FAILED, error=text)
            result.failed += 1
            result.errors.append(text)
            return
        if code is not None:  # 4xx: not taken; the next run tries again
            _mark(delivery, worker, State.SENDING, State.PENDING, error=text)
            result.retry += 1
            if isinstance(error, smtplib.SMTPRecipientsRefused):
                return  # this mailbox only; carry on with the others
            raise SendingInterrupted(text) from error
        _mark(delivery, worker, State.SENDING, State.UNKNOWN, error=text)
        result.unknown += 1
        raise SendingInterrupted(text) from error
