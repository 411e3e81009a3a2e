"""Security by default: headers on every page, and a deploy check that passes."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_URL

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/", SEED_URL, "/send-your-stories/", "/no-such-page/"])
def test_every_page_has_a_strict_csp_and_protective_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", SEED_URL, "/send-your-stories/"])
def test_pages_have_no_inline_script_or_style(client, path):
    html = client.get(path).content.decode()
    assert " style=" not in html and "<style" not in html
    for chunk in html.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert 'src="' in tag or 'type="application/ld+json"' in tag
    assert "https://cdn" not in html and "//fonts." not in html


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_check_is_clean_with_production_variables():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example.org",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_PRELOAD="true",
        EMAIL_URL="smtp+tls://mailer:secret@mail.example.org:587",
        SITE_URL="https://news.example.org",
        REDIS_URL="redis://127.0.0.1:6379/13",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_fails_loudly_when_debug_is_off():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_deployment_without_secret_key_fails_loudly():
    # ALLOWED_HOSTS says this is a deployment: DEBUG is off, so the key is required.
    result = _manage("check", ALLOWED_HOSTS="news.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_an_unconfigured_checkout_runs_in_development_mode():
    environment = {"ALLOWED_HOSTS": "", "SECRET_KEY": ""}
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", **environment
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")
