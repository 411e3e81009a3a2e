"""/healthz: the database, the shared cache (a real redis-server, stopped or frozen) and the
task queue, as a load balancer and a monitor see them."""

import datetime
import logging
import signal
import time

import pytest
import time_machine
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from newsletter import tasks
from tests.served.servers import RedisServer

pytestmark = pytest.mark.django_db


def test_all_up_answers_200_with_each_check_and_its_time(client, django_assert_num_queries):
    # One query for the database's SELECT 1, one for the task queue: none per waiting task.
    with django_assert_num_queries(2):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert set(body["checks"]) == {"database", "cache", "tasks"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["ms"], float | int) and check["ms"] >= 0
    assert body["checks"]["tasks"]["waiting"] == 0
    assert body["checks"]["tasks"]["oldest_waiting_seconds"] is None


def test_never_cached_and_no_session_or_cookie(client):
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert "Cookie" not in response.headers.get("Vary", "")


def test_a_load_balancer_probe_by_address_over_http_is_answered(settings):
    settings.SECURE_SSL_REDIRECT = True
    probe = Client(headers={"Host": "10.0.3.7"})
    response = probe.get("/healthz")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"  # still the security headers
    # Everything else keeps the host check and the https redirect.
    assert probe.get("/").status_code == 400
    assert Client().get("/").status_code == 301


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_are_told_405_not_refused_for_csrf(method):
    response = getattr(Client(enforce_csrf_checks=True), method)("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "takes GET or HEAD" in response.json()["error"]


def test_a_database_that_fails_is_named_with_503(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server db.internal:5432")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)
    with caplog.at_level(logging.WARNING, logger="portal.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["database", "tasks"]  # the task queue is in the database
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert body["checks"]["cache"]["status"] == "ok"
    # The reason is in the log for the operator, not in the public answer.
    assert "db.internal" not in response.content.decode()
    assert "db.internal" in caplog.text


@pytest.fixture
def redis_server(settings):
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            # As portal/settings.py sets them for REDIS_URL.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    yield server
    if server.process is not None:
        server.process.send_signal(signal.SIGCONT)
    server.stop()


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_a_redis_that_is_down_is_named_quickly(redis_server, outage):
    assert Client().get("/healthz").status_code == 200
    if outage == "stopped":
        redis_server.stop()
    else:
        # Accepts connections but never answers: only the socket timeout ends the wait.
        redis_server.process.send_signal(signal.SIGSTOP)
    started = time.monotonic()
    response = Client().get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["cache"]
    assert body["checks"]["cache"]["error"] in {"ConnectionError", "TimeoutError"}
    assert elapsed < 1.5


def test_a_task_waiting_longer_than_the_limit_means_the_queue_is_down(settings):
    settings.HEALTHZ_TASK_MAX_AGE = 600
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(seconds=30), tick=False):
        tasks.send_confirmation.enqueue(subscriber_id=1)
    fresh = Client().get("/healthz")
    assert fresh.status_code == 200
    assert fresh.json()["checks"]["tasks"]["waiting"] == 1
    assert 29 <= fresh.json()["checks"]["tasks"]["oldest_waiting_seconds"] <= 60

    with time_machine.travel(now + datetime.timedelta(seconds=600), tick=False):
        stale = Client().get("/healthz")
    assert stale.status_code == 503
    body = stale.json()
    assert body["down"] == ["tasks"]
    assert body["checks"]["tasks"]["waiting"] == 1
    assert body["checks"]["tasks"]["oldest_waiting_seconds"] == pytest.approx(630, abs=1)
    assert "worker" in body["checks"]["tasks"]["error"]


def test_deferred_and_finished_tasks_are_not_waiting(settings):
    settings.HEALTHZ_TASK_MAX_AGE = 600
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=1), tick=False):
        # Enqueued a day ago, to run five minutes ago: it has waited five minutes.
        tasks.send_confirmation.using(run_after=now - datetime.timedelta(minutes=5)).enqueue(
            subscriber_id=1
        )
        # Enqueued a day ago, to run tomorrow: not waiting yet.
        tasks.send_confirmation.using(run_after=now + datetime.timedelta(days=1)).enqueue(
            subscriber_id=2
        )
        done = tasks.send_confirmation.enqueue(subscriber_id=3)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=done.id).update(status="SUCCESSFUL")
    response = Client().get("/healthz")
    assert response.status_code == 200
    checks = response.json()["checks"]["tasks"]
    assert checks["waiting"] == 1
    assert checks["oldest_waiting_seconds"] == pytest.approx(300, abs=5)
