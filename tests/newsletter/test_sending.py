"""Composing and sending issues: what an issue carries, batches, and sends interrupted and
resumed with every subscriber receiving exactly one copy."""

import contextlib
import datetime
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, connections
from django.utils import timezone

from newsletter import digest, sending
from newsletter.models import Delivery, Issue, Subscriber

pytestmark = pytest.mark.django_db

State = Delivery.State


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def news(make_article):
    """One new article, and an older issue that covered everything before it."""
    Issue.objects.create(
        subject="Earlier",
        covers_until=timezone.now() - datetime.timedelta(minutes=30),
        status=Issue.Status.SENT,
        sent_at=timezone.now(),
    )
    return make_article(headline="Fresh news", published_at=timezone.now())


def run_command(*args) -> str:
    out = StringIO()
    call_command("send_newsletter", *args, stdout=out)
    return out.getvalue()


def copies(handler_or_outbox) -> Counter:
    if isinstance(handler_or_outbox, list):
        return Counter(message.to[0] for message in handler_or_outbox)
    return Counter(item.to for item in handler_or_outbox.received)


# --- Composing --------------------------------------------------------------------------------


def test_nothing_new_says_so_and_composes_nothing(news, commits):
    news.delete()
    with commits():
        output = run_command()
    assert output.startswith("Nothing to send: no new articles since issue ")
    assert Issue.objects.count() == 1


def test_an_issue_carries_what_was_published_since_the_last_one(make_article, news):
    make_article(headline="Draft", status="draft", published_at=None)
    make_article(headline="Scheduled", published_at=timezone.now() + datetime.timedelta(hours=2))
    make_article(headline="Old", published_at=timezone.now() - datetime.timedelta(hours=2))
    issue = digest.compose_issue()
    assert [a.headline for a in issue.articles.all()] == ["Fresh news"]
    assert issue.subject.startswith("Dispatch digest, ") and issue.subject.endswith("Fresh news")
    with pytest.raises(IntegrityError):  # while it is being sent, no other issue starts
        digest.compose_issue()
    assert sending.finish_if_done(issue)  # nobody to send it to
    assert digest.compose_issue() is None  # nothing since this one


def test_everyone_confirmed_gets_one_copy_in_batches(news, make_subscriber, commits, settings):
    settings.NEWSLETTER_BATCH_SIZE = 3
    confirmed = [make_subscriber() for _ in range(10)]
    make_subscriber(status=Subscriber.Status.PENDING)
    make_subscriber(status=Subscriber.Status.UNSUBSCRIBED)
    with commits():
        outcome = sending.send_newsletter()
    assert (outcome.pending, outcome.queued_batches) == (10, 4)
    assert copies(mail.outbox) == Counter({s.email: 1 for s in confirmed})
    issue = outcome.issue
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert sending.delivery_counts(issue)[State.SENT] == 10
    assert "Nothing to send" in run_command()


def test_a_reader_who_unsubscribes_mid_send_is_skipped(news, make_subscriber, settings):
    settings.NEWSLETTER_BATCH_SIZE = 2
    readers = [make_subscriber() for _ in range(4)]
    issue = digest.compose_issue()
    sending.start_issue(issue)  # batches wait (on_commit never runs in this test)
    sending.send_batch(issue.pk)
    readers[3].status = Subscriber.Status.UNSUBSCRIBED
    readers[3].save()
    sending.send_batch(issue.pk)
    assert copies(mail.outbox) == Counter({r.email: 1 for r in readers[:3]})
    assert readers[3].deliveries.get().state == State.SKIPPED
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_refused_recipient_fails_alone(news, make_subscriber, smtp_server, monkeypatch):
    readers = [make_subscriber() for _ in range(3)]
    original = smtp_server.handle_DATA

    async def refuse_second(server, session, envelope):
        if envelope.rcpt_tos == [readers[1].email]:
            return "550 No such mailbox"
        return await original(server, session, envelope)

    monkeypatch.setattr(smtp_server, "handle_DATA", refuse_second)
    issue = digest.compose_issue()
    sending.start_issue(issue)
    result = sending.send_batch(issue.pk)
    assert (result.sent, result.failed) == (2, 1)
    assert readers[1].deliveries.get().state == State.FAILED
    assert "550" in readers[1].deliveries.get().error


# --- Interrupted and resumed -------------------------------------------------------------------


def test_mail_server_down_after_half_then_resumed(
    news, make_subscriber, smtp_server, commits, settings
):
    """The SMTP server stops accepting after half the readers (421); the batch stops, the
    task fails; running send_newsletter again finishes the issue. One copy each."""
    settings.NEWSLETTER_BATCH_SIZE = 4
    readers = [make_subscriber() for _ in range(10)]
    smtp_server.refuse_after = 5
    with commits():
        output = run_command()
    assert "10 subscribers, 3 batches queued" in output
    assert len(smtp_server.received) == 5
    issue = Issue.objects.get(status=Issue.Status.SENDING)
    counts = sending.delivery_counts(issue)
    assert (counts[State.SENT], counts[State.PENDING], counts[State.UNKNOWN]) == (5, 5, 0)
    assert not Delivery.objects.exclude(claimed_by="").filter(state=State.PENDING).exists()

    smtp_server.refuse_after = None
    with commits():
        output = run_command()
    assert output.startswith(f"Resuming issue {issue.pk}")
    assert copies(smtp_server) == Counter({r.email: 1 for r in readers})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    with commits():
        assert "Nothing to send" in run_command()
    assert len(smtp_server.received) == 10


def test_a_worker_killed_mid_batch(news, make_subscriber, commits, settings):
    """A worker dies (kill -9) holding a batch, one message in the handoff. Its claim goes
    stale and another run sends the rest; the one cut off mid-handoff is not re-sent
    unless an editor asks, so nobody can get a duplicate behind our back."""
    settings.NEWSLETTER_BATCH_SIZE = 6
    readers = [make_subscriber() for _ in range(10)]
    issue = digest.compose_issue()
    sending.start_issue(issue)
    dead = sending.claim(issue.pk, "dead-worker", 6)
    in_flight = dead[0]
    assert sending._mark(
        in_flight, "dead-worker", State.PENDING, State.SENDING, attempted_at=timezone.now()
    )

    # Straight away, a second run must not touch what the dead worker holds.
    with commits():
        run_command()
    assert len(mail.outbox) == 4
    assert Delivery.objects.filter(claimed_by="dead-worker", state=State.PENDING).count() == 5

    later = timezone.now() + datetime.timedelta(seconds=settings.NEWSLETTER_CLAIM_SECONDS + 1)
    with time_machine.travel(later), commits():
        output = run_command()
    assert "1 deliveries were cut off" in output
    in_flight.refresh_from_db()
    assert in_flight.state == State.UNKNOWN
    assert copies(mail.outbox) == Counter(
        {r.email: 1 for r in readers if r != in_flight.subscriber}
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT

    # An editor decides to re-send the one whose fate is unknown.
    with commits():
        run_command("--resend-unknown")
    assert copies(mail.outbox) == Counter({r.email: 1 for r in readers})
    in_flight.refresh_from_db()
    assert in_flight.state == State.SENT


def test_a_sending_issue_is_watched_by_a_deferred_task(news, make_subscriber, settings, commits):
    """With a queue that keeps tasks for a worker (the database in production), starting an
    issue also queues watch_issue for when claims taken now would be stale."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    make_subscriber()
    issue = digest.compose_issue()
    started = timezone.now()
    with commits():
        sending.start_issue(issue)
    queued = {result.task.name: result for result in default_task_backend.results}
    assert set(queued) == {"send_issue_batch", "watch_issue"}
    watch = queued["watch_issue"]
    assert watch.args == [issue.pk]
    wait = (watch.task.run_after - started).total_seconds()
    assert settings.NEWSLETTER_CLAIM_SECONDS < wait < settings.NEWSLETTER_CLAIM_SECONDS + 5


def test_the_watch_takes_back_a_killed_workers_batch_without_an_editor(
    news, make_subscriber, commits, settings
):
    """A worker killed outright (SIGKILL) runs no cleanup: its claimed rows would wait for
    an editor. The watch releases them once stale and queues a batch; the one cut off
    mid-handoff becomes UNKNOWN and is not re-sent, so nobody gets two copies."""
    settings.NEWSLETTER_BATCH_SIZE = 6
    readers = [make_subscriber() for _ in range(10)]
    issue = digest.compose_issue()
    sending.start_issue(issue)
    dead = sending.claim(issue.pk, "dead-worker", 6)
    in_flight = dead[0]
    assert sending._mark(
        in_flight, "dead-worker", State.PENDING, State.SENDING, attempted_at=timezone.now()
    )
    with commits():  # the other batch, queued by start_issue, runs
        sending.send_batch(issue.pk)
    assert len(mail.outbox) == 4

    with commits():  # too early: a live worker may still hold these
        assert sending.watch_issue(issue.pk) == {"sending": True, "released": 0, "unknown": 0}
    assert len(mail.outbox) == 4

    later = timezone.now() + datetime.timedelta(seconds=settings.NEWSLETTER_CLAIM_SECONDS + 1)
    with time_machine.travel(later), commits():
        assert sending.watch_issue(issue.pk) == {"sending": True, "released": 5, "unknown": 1}
    in_flight.refresh_from_db()
    assert in_flight.state == State.UNKNOWN
    assert copies(mail.outbox) == Counter(
        {r.email: 1 for r in readers if r != in_flight.subscriber}
    )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert sending.watch_issue(issue.pk) == {"sending": False}


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_delivery(news, make_subscriber, settings):
    """Two workers claim at the same moment, each on its own connection: both have chosen
    their rows before either marks them. On PostgreSQL locked rows are skipped, so the two
    share the work without overlap; without the lock both pick the same rows. (SQLite
    runs the two claims one after the other: each takes the database for its write.)"""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    for _ in range(7):
        make_subscriber()
    issue = digest.compose_issue()
    sending.start_issue(issue)  # the batches are queued, not run
    both_chose = threading.Barrier(2, timeout=1)

    def wait_after_choosing(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().startswith("SELECT") and "LIMIT" in sql and "claimed_by" in sql:
            # On SQLite the other worker waits for our transaction instead: go on alone.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_chose.wait()
        return result

    def claim(worker: str) -> set[int]:
        try:
            with connection.execute_wrapper(wait_after_choosing):
                return {delivery.pk for delivery in sending.claim(issue.pk, worker, 4)}
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(claim, ["a", "b"])

    assert not first & second
    assert sorted([len(first), len(second)]) == [3, 4]
    assert sending.claim(issue.pk, "c", 4) == []


@pytest.mark.django_db(transaction=True)
def test_two_editors_sending_at_once_make_one_issue(news, make_subscriber, settings, monkeypatch):
    """A double click, or the command and the admin at once: both callers find no issue
    in progress before either has composed one. Only one issue may result."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    make_subscriber()
    both_looked = threading.Barrier(2, timeout=10)
    compose = digest.compose_issue

    def compose_after_both_looked(**kwargs):
        both_looked.wait()  # each has seen that no issue is being sent
        return compose(**kwargs)

    monkeypatch.setattr(digest, "compose_issue", compose_after_both_looked)

    def send() -> sending.Outcome:
        try:
            return sending.send_newsletter()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda _: send(), range(2)))

    composed = Issue.objects.exclude(subject="Earlier")
    assert composed.count() == 1
    issue = composed.get()
    assert issue.deliveries.count() == 1
    started, refused = sorted(outcomes, key=lambda outcome: outcome.issue is None)
    assert started.issue == issue and started.composed
    assert refused.issue is None
    assert refused.message == f"Issue {issue.pk} ({issue.subject}) is already being sent."


def test_a_second_run_while_sending_resumes_instead_of_composing(news, make_subscriber, commits):
    make_subscriber()
    issue = digest.compose_issue()
    sending.start_issue(issue)
    with commits():
        outcome = sending.send_newsletter()
    assert outcome.issue == issue and not outcome.composed
    assert Issue.objects.count() == 2 and len(mail.outbox) == 1


def test_an_issue_without_subscribers_is_sent_at_once(news, commits):
    with commits():
        outcome = sending.send_newsletter()
    outcome.issue.refresh_from_db()
    assert outcome.issue.status == Issue.Status.SENT
