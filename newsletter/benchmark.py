"""For `make bench`: fill a (throwaway) database with confirmed subscribers and start an
issue, then count what the worker delivered. bench/run.py calls these in subprocesses."""

import time

from django.db import transaction
from django.utils import timezone

from articles.models import Article
from newsletter import sending
from newsletter.models import Delivery, Subscriber


def prepare(subscribers: int) -> dict:
    """Create `subscribers` confirmed subscribers and a new article, then compose the issue
    and queue its batches (the same call as manage.py send_newsletter). Returns timings."""
    now = timezone.now()
    with transaction.atomic():
        Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"bench{n}@example.com",
                    status=Subscriber.Status.CONFIRMED,
                    confirmed_at=now,
                )
                for n in range(subscribers)
            ],
            batch_size=1000,
        )
        Article.objects.create(
            headline="Benchmark digest article",
            slug=f"benchmark-digest-{int(now.timestamp())}",
            summary="An article for the newsletter benchmark.",
            body="<p>Benchmark.</p>",
            status=Article.Status.PUBLISHED,
            published_at=now,
        )
    started = time.perf_counter()
    outcome = sending.send_newsletter()
    return {
        "issue": outcome.issue.pk,
        "batches": outcome.queued_batches,
        "queue_seconds": time.perf_counter() - started,
    }


def counts(issue_id: int) -> dict:
    issue = sending.Issue.objects.get(pk=issue_id)
    return {
        "status": issue.status,
        **{state: n for state, n in sending.delivery_counts(issue).items() if n},
        "total": Delivery.objects.filter(issue=issue).count(),
    }
