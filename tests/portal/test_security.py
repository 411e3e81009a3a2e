"""Security by default: headers on every page, and a deploy check that passes."""

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from portal.sanitizer import clean_article_html, sanitize_article_html
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
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
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


def test_an_unconfigured_checkout_is_not_in_debug_mode():
    # A proxy that forwards Host: 127.0.0.1:8000 must never get tracebacks: without
    # DEBUG=true there is no debug mode, so the missing key stops the process.
    result = _manage("check", ALLOWED_HOSTS="", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_on_only_when_asked_for():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        ALLOWED_HOSTS="",
        SECRET_KEY="",
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


def test_hsts_covers_subdomains_only_when_asked_for(client):
    header = client.get("/healthz", secure=True).headers["Strict-Transport-Security"]
    assert header == "max-age=31536000"


@pytest.mark.parametrize(
    "pasted",
    [
        "<script>alert(1)</script>",
        "<style>body { display: none }</style>",
        "<template><p>alert(1)</p></template>",
        "<iframe>alert(1)</iframe>",
        "<object><p>alert(1)</p></object>",
        "<noscript><p>alert(1)</p></noscript>",
        "<svg><text>alert(1)</text></svg>",
        "<textarea>alert(1)</textarea>",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<script><script>alert(1)</script>",
    ],
)
def test_article_html_drops_what_active_elements_contain(pasted):
    cleaned = clean_article_html(f"<p>Before</p>{pasted}<p>After</p>")
    assert cleaned == "<p>Before</p><p>After</p>"


def test_article_html_keeps_the_text_of_harmless_unknown_elements():
    assert clean_article_html("<p><span>kept</span> <font>too</font></p>") == "<p>kept too</p>"
    assert clean_article_html("<div>One.</div><div>Two.</div>") == "One.\nTwo."


def test_article_html_escapes_text_and_keeps_allowed_markup():
    html = '<p>AT&amp;T &lt;b&gt; <a href="https://x.example/" title="t">link</a></p>'
    assert clean_article_html(html) == html


def test_sanitizing_says_what_it_removed():
    result = sanitize_article_html(
        '<p onclick="x()" style="color:red">Hi</p><script>alert(1)</script>'
        '<a href="javascript:x()">a</a><span>s</span><p>ok</p>'
    )
    assert result.html == "<p>Hi</p><a>a</a>s<p>ok</p>"
    assert result.removed == [
        "the onclick attribute of <p>",
        "the style attribute of <p>",
        "<script> and its contents",
        "the href attribute of <a>",
        "<span> tags (their text is kept)",
    ]
    assert sanitize_article_html(result.html).removed == []


PASSWORD = "a long and correct password"
ATTACKER, MODERATOR_DESK = "203.0.113.5", "198.51.100.7"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def admin_login(client: Client, password: str, address: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": password},
        REMOTE_ADDR=address,
    )


def test_wrong_admin_passwords_lock_the_account_out_from_that_address(editor, settings):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert admin_login(attacker, "guess", ATTACKER).status_code == 200
    assert admin_login(attacker, "guess", ATTACKER).status_code == 429
    locked = admin_login(attacker, PASSWORD, ATTACKER)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in attacker.session

    # The same account from another address is not locked: an attacker cannot lock a
    # moderator out of the admin from everywhere.
    assert admin_login(Client(), PASSWORD, MODERATOR_DESK).status_code == 302

    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1)
    with time_machine.travel(later):
        assert admin_login(attacker, PASSWORD, ATTACKER).status_code == 302


def test_a_few_typos_do_not_lock_anyone_out(editor, settings):
    desk = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(desk, "typo", MODERATOR_DESK)
    assert admin_login(desk, PASSWORD, MODERATOR_DESK).status_code == 302


def test_behind_the_proxy_login_lockouts_follow_the_reader_not_the_proxy(editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "127.0.0.1"

    def through_proxy(client, password, reader):
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": "editor", "password": password},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=reader,
        )

    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        through_proxy(attacker, "guess", ATTACKER)
    assert through_proxy(attacker, PASSWORD, ATTACKER).status_code == 429
    # Every login arrives from the proxy's address; the editor's own is what counts.
    assert through_proxy(Client(), PASSWORD, MODERATOR_DESK).status_code == 302
