"""Background tasks (Django's tasks framework; `manage.py db_worker` runs them). Each is a
thin wrapper over newsletter.sending, which the command and the admin call too."""

from dataclasses import asdict

from django.tasks import task

from newsletter import sending, subscriptions


@task()
def subscribe(email: str) -> bool:
    """The subscribe form's work, queued by subscriptions.request_subscription(): what it
    does depends on whether the address is known, so it must not run in the request."""
    return subscriptions.subscribe(email=email).confirmation_sent


@task()
def send_confirmation(subscriber_id: int) -> bool:
    return sending.send_confirmation(subscriber_id)


@task()
def send_issue_batch(issue_id: int) -> dict:
    """Send one batch of an issue; enqueued once per batch by sending.start_issue()."""
    return asdict(sending.send_batch(issue_id))


@task()
def watch_issue(issue_id: int) -> dict:
    """Take back what a worker killed mid-batch left; queued by sending.schedule_watch()
    while an issue is being sent."""
    return sending.watch_issue(issue_id)
