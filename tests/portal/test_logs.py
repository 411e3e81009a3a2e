"""Structured logs: Django's request and error logs and gunicorn's access log as one JSON
object per line in production, plain text in development."""

import http.client
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from portal.logs import JsonFormatter
from tests.served.servers import free_port, log_tail, stop, wait_for_port

BASE_DIR = Path(__file__).resolve().parents[2]


def json_lines(text: str) -> list[dict]:
    """The lines that are JSON objects (Python's own warnings are printed as plain text)."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """gunicorn with deploy/gunicorn.conf.py, DEBUG off, on a free port: the production
    set-up, with the settings of tests/portal/raising_settings.py (a view that raises)."""
    workdir = tmp_path_factory.mktemp("logs")
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "LOG_FORMAT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    } | {
        "DJANGO_SETTINGS_MODULE": "tests.portal.raising_settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
    }
    out, err = workdir / "stdout.log", workdir / "stderr.log"
    with out.open("w") as stdout, err.open("w") as stderr:
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                "deploy/gunicorn.conf.py",
                "portal.wsgi:application",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            wait_for_port(port, gunicorn, timeout=30)
            for path, headers in [
                ("/robots.txt", {"User-Agent": "probe/1.0", "X-Forwarded-For": "203.0.113.9"}),
                ("/boom/?page=2", {}),
            ]:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
                connection.request("GET", path, headers=headers)
                connection.getresponse().read()
                connection.close()
        except Exception:
            print(log_tail(err))
            raise
        finally:
            stop(gunicorn)  # writes out what it holds
    return out.read_text(), err.read_text()


def test_gunicorn_access_lines_are_json_with_status_and_duration(served):
    stdout, _ = served
    lines = stdout.splitlines()
    assert lines and all(line.startswith("{") for line in lines), stdout
    access = {line["path"]: line for line in json_lines(stdout)}
    robots = access["/robots.txt"]
    assert robots["logger"] == "gunicorn.access"
    assert robots["method"] == "GET"
    assert robots["status"] == 200
    assert isinstance(robots["duration_ms"], float) and robots["duration_ms"] > 0
    assert robots["bytes"] > 0
    assert robots["user_agent"] == "probe/1.0"
    assert robots["forwarded_for"] == "203.0.113.9"
    assert robots["time"].endswith("+00:00")
    assert access["/boom/"]["status"] == 500
    assert access["/boom/"]["query"] == "page=2"


def test_a_request_that_raises_logs_one_json_line_with_its_traceback(served):
    _, stderr = served
    [error] = [line for line in json_lines(stderr) if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["message"] == "Internal Server Error: /boom/"
    assert (error["method"], error["path"], error["status"]) == ("GET", "/boom/", 500)
    assert error["exception_type"] == "RuntimeError"
    assert error["exception"].startswith("Traceback (most recent call last):")
    assert "RuntimeError: boom for the log test" in error["exception"]
    # gunicorn's own messages are JSON too.
    assert any(line["logger"] == "gunicorn.error" for line in json_lines(stderr))


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "LOG_FORMAT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expect_json"),
    [
        ({"DEBUG": "false"}, True),
        ({"DEBUG": "true"}, False),
        ({"DEBUG": "true", "LOG_FORMAT": "json"}, True),
        ({"DEBUG": "false", "LOG_FORMAT": "text"}, False),
    ],
)
def test_the_project_loggers_write_json_in_production_and_text_in_development(env, expect_json):
    code = "import logging; logging.getLogger('comments').warning('held %s', 3)"
    result = _manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stderr.splitlines() if "held 3" in line]
    if expect_json:
        entry = json.loads(line)
        assert (entry["level"], entry["logger"], entry["message"]) == (
            "WARNING",
            "comments",
            "held 3",
        )
    else:
        assert line.endswith("WARNING comments: held 3")


def test_a_log_format_that_is_neither_is_refused():
    result = _manage("check", DEBUG="true", LOG_FORMAT="yaml")
    assert result.returncode != 0
    assert 'LOG_FORMAT must be "json" or "text"' in result.stderr


def test_the_formatter_keeps_newlines_and_non_ascii_inside_one_line():
    try:
        raise ValueError("Zoë\nsecond line")
    except ValueError:
        record = logging.LogRecord(
            "portal", logging.ERROR, __file__, 1, "failed for %s", ("王伟",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed for 王伟"
    assert "ValueError: Zoë\nsecond line" in entry["exception"]
