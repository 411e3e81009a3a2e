"""Dispatch behind nginx: gunicorn (2 workers, DEBUG off, Redis) behind nginx configured
from deploy/nginx.conf as make serve renders it (test_serve.py runs make serve itself).
Readers come from different loopback addresses."""

import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.stack import Browser, nginx_binary, start_nginx
from tests.conftest import SEED_URL
from tests.served.servers import (
    RedisServer,
    free_port,
    log_tail,
    stop,
    wait_for_http,
    wait_for_port,
)

pytestmark = pytest.mark.served
BASE_DIR = Path(__file__).resolve().parents[2]
NGINX = nginx_binary()
SHARED_CACHE_SECONDS = 2
ADMIN_PASSWORD = "served-stack-admin-" + secrets.token_hex(4)
TEXTS = [
    "Lavrov says the SCO keeps Beijing and Moscow close on regional security.",
    "Putin and Beijing agree the SCO should widen its work on trade and security.",
    "The SCO summit shows how far China and Russia have come since the nineties.",
]


class Stack:
    def __init__(self, *, nginx_port: int, redis: RedisServer, database: Path, logs: Path):
        self.nginx_port, self.redis, self.database, self.logs = nginx_port, redis, database, logs

    def rows(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.database, timeout=20) as db:
            return db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if NGINX is None:
        pytest.skip("nginx is not installed (make test installs it from Debian)")
    workdir = tmp_path_factory.mktemp("stack")
    redis = RedisServer()
    redis.start()
    app_port, nginx_port = free_port(), free_port()
    database = workdir / "db.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    } | {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": redis.url,
        "TRUSTED_PROXY_COUNT": "1",
        "TIP_RATE_LIMIT": "3",
        "COMMENT_MIN_SECONDS": "0",
        # The shared cache's freshness window, short so the tests can wait it out.
        "SHARED_CACHE_SECONDS": str(SHARED_CACHE_SECONDS),
        "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
    }
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["createsuperuser", "--noinput", "--username", "editor", "--email", "e@example.org"],
    ):
        subprocess.run(manage + command, cwd=BASE_DIR, env=env, check=True, capture_output=True)
    gunicorn_log = workdir / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "deploy/gunicorn.conf.py",
            "portal.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{app_port}",
            "--no-control-socket",
            "--forwarded-allow-ips",
            "127.0.0.1",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=(log_file := gunicorn_log.open("w")),
        stderr=subprocess.STDOUT,
    )
    prefix = workdir / "nginx"
    nginx = None
    try:
        wait_for_port(app_port, gunicorn, timeout=30)
        nginx = start_nginx(prefix, nginx_port, [app_port])
        wait_for_http(f"http://127.0.0.1:{nginx_port}/healthz")
        yield Stack(nginx_port=nginx_port, redis=redis, database=database, logs=workdir)
    except Exception:
        print(log_tail(gunicorn_log), log_tail(prefix / "logs" / "error.log"), sep="\n")
        raise
    finally:
        if nginx is not None:
            stop(nginx)
        stop(gunicorn)
        log_file.close()
        redis.stop()


def reader(stack: Stack, address: str) -> Browser:
    """One browser-like reader at its own loopback address, keeping its cookies."""
    return Browser(stack.nginx_port, address, timeout=15)


def post_form(browser: Browser, page: str, action: str, fields: dict, headers=None):
    """GET the page (for its CSRF cookie and token, like a browser), then POST."""
    answer = browser.get(page)
    assert answer.status == 200, answer.body[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body).group(1)
    return browser.request(
        "POST", action, {"csrfmiddlewaretoken": token, **fields}, headers=headers
    )


def post_comment(browser: Browser, name: str, text: str):
    answer = browser.get(SEED_URL)
    assert answer.status == 200, answer.body[:500]
    # No CSRF token on the page (a shared cache's copy): the browser's Origin and
    # Sec-Fetch-Site say the form is the site's own.
    timestamp = re.search(r'name="timestamp" value="([^"]+)"', answer.body).group(1)
    action = re.search(r'action="(/comments/post/\d+/)"', answer.body).group(1)
    return browser.request(
        "POST", action, {"timestamp": timestamp, "user_name": name, "text": text}
    )


def tip(browser: Browser, headers=None) -> int:
    return post_form(
        browser, "/send-your-stories/", "/send-your-stories/", {"story": ""}, headers=headers
    ).status


def test_readers_at_different_addresses_have_their_own_rate_limits(stack):
    first, second = reader(stack, "127.0.0.2"), reader(stack, "127.0.0.3")
    assert [tip(first) for _ in range(4)] == [400, 400, 400, 429]
    assert tip(second) == 400  # behind the same nginx, yet not refused
    # A forged X-Forwarded-For is kept in front of what nginx appends: still the same reader.
    assert tip(first, headers={"X-Forwarded-For": "198.51.100.77"}) == 429


def test_made_up_query_strings_do_not_grow_the_cache(stack):
    browser = reader(stack, "127.0.0.4")
    # An address nginx has not kept, so the app renders it (and fills its fragment cache).
    assert browser.get(f"{SEED_URL}?utm_source=first").status == 200
    before = len(stack.redis.keys("*fragments:*"))
    for n in range(100):
        assert browser.get(f"{SEED_URL}?utm_source={n}&cpage=1").status == 200
    assert len(stack.redis.keys("*fragments:*")) == before


def wait_for_health(browser: Browser, status: int, *, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        answer = browser.get("/healthz")
        if answer.status == status or time.monotonic() > deadline:
            assert answer.status == status, answer.body
            return answer.body
        time.sleep(0.1)


def test_a_redis_outage_degrades_but_nothing_fails(stack):
    browser, editor = reader(stack, "127.0.0.5"), reader(stack, "127.0.0.6")
    answer = post_form(
        editor,
        "/admin/login/?next=/admin/",
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": ADMIN_PASSWORD},
    )
    assert answer.status == 302
    stack.redis.stop()
    try:
        assert browser.get(SEED_URL).status == 200
        assert browser.get("/").status == 200
        assert post_comment(browser, "Outage Reader", TEXTS[0]).status == 303
        [(pk, state)] = stack.rows(
            "SELECT id, status FROM comments_comment WHERE user_name = ?", "Outage Reader"
        )
        assert state == "published"
        answer = post_form(
            editor,
            "/admin/comments/comment/",
            f"/admin/comments/comment/{pk}/moderate/",
            {"moderate": "remove_spam"},
        )
        assert answer.status == 302
        assert stack.rows("SELECT action FROM comments_moderationdecision") == [("remove_spam",)]
        assert json.loads(wait_for_health(browser, 503))["down"] == ["cache"]
    finally:
        stack.redis.start()
    wait_for_health(browser, 200)
    # The removal shows at once.
    assert TEXTS[0] not in reader(stack, "127.0.0.8").get(SEED_URL).body


@pytest.mark.parametrize("name", ["王伟", "Иван Петров", "Zoë ✓"])
def test_names_in_any_script_are_posted_and_remembered(stack, name):
    browser = reader(stack, f"127.0.1.{len(name)}")  # one address per reader
    text = TEXTS[1 + len(name) % 2]
    answer = post_comment(browser, name, f"{text} ({name})")
    assert answer.status == 303, (
        answer.status,
        re.findall(r"(?:invalid-feedback|alert)[^>]*>([^<]*)", answer.body),
    )
    # Every send answers 303 (errors too, shown at the form): the comment must be stored.
    assert stack.rows("SELECT id FROM comments_comment WHERE user_name = ?", name)
    html = browser.get(SEED_URL).body
    assert re.search(r'name="user_name"[^>]*value="([^"]*)"', html).group(1) == name


# --- The shared cache ------------------------------------------------------------------------


def cache_status(browser: Browser, path: str, headers=None) -> str | None:
    answer = browser.get(path, headers=headers)
    assert answer.status == 200
    return answer.headers["X-Cache-Status"]


def test_a_second_anonymous_request_is_answered_by_nginx(stack):
    path = "/topics/sco/?served-cache-test"
    assert cache_status(reader(stack, "127.0.2.1"), path) in {"MISS", "EXPIRED"}
    answer = reader(stack, "127.0.2.2").get(path)
    assert answer.status == 200 and answer.headers["X-Cache-Status"] == "HIT"
    assert answer.headers["X-Upstream"] is None  # no app instance was asked
    assert answer.headers["Cache-Control"].startswith("public, max-age=0, s-maxage=2")
    assert not answer.headers.get_all("Set-Cookie")


def test_a_new_comment_reaches_readers_within_the_freshness_window(stack):
    url = SEED_URL + "?window-test"
    reader(stack, "127.0.2.3").get(url)  # a copy without the comment is in the cache
    assert cache_status(reader(stack, "127.0.2.3"), url) == "HIT"
    writer = reader(stack, "127.0.2.4")
    text = "Within the window: the SCO summit agenda on Afghanistan and trade with Moscow."
    assert post_comment(writer, "Window Reader", text).status == 303
    posted = time.monotonic()
    # The writer, with the session that carries the notice, sees it at once.
    answer = writer.get(url)
    assert text in answer.body
    assert answer.headers["X-Cache-Status"] == "BYPASS"
    # Other readers: within s-maxage, then one request that refreshes the copy.
    seen = None
    while time.monotonic() - posted < SHARED_CACHE_SECONDS + 3:
        if text in reader(stack, "127.0.2.5").get(url).body:
            seen = time.monotonic() - posted
            break
        time.sleep(0.25)
    assert seen is not None and seen <= SHARED_CACHE_SECONDS + 1.5, seen


def test_a_request_with_a_session_cookie_is_never_cached(stack):
    browser = reader(stack, "127.0.2.6")
    browser.cookies["sessionid"] = "anything"
    path = "/?session-test"
    for _ in range(3):
        answer = browser.get(path)
        assert answer.status == 200 and answer.headers["X-Cache-Status"] == "BYPASS"
        assert answer.headers["Cache-Control"] == "private, no-cache"
    # Nor did its answer go into the cache for others.
    assert cache_status(reader(stack, "127.0.2.7"), path) == "MISS"


def test_the_text_size_cookie_gets_its_own_page_without_javascript(stack):
    path = "/?font-test"
    plain = reader(stack, "127.0.2.8")
    assert '<html lang="en" class="fs-m">' in plain.get(path).body
    answer = plain.get(path)
    assert '<html lang="en" class="fs-m">' in answer.body
    assert answer.headers["X-Cache-Status"] == "HIT"
    browser = reader(stack, "127.0.2.9")
    answer = browser.request(
        "POST",
        "/preferences/font-size/",
        {"size": "xl", "next": path},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert answer.status == 303 and browser.cookies["fontsize"].value == "xl"
    assert '<html lang="en" class="fs-xl">' in browser.get(path).body
    answer = browser.get(path)
    assert '<html lang="en" class="fs-xl">' in answer.body
    assert answer.headers["X-Cache-Status"] == "HIT"  # the xl copy, kept apart
    assert '<html lang="en" class="fs-m">' in reader(stack, "127.0.2.10").get(path).body


def test_a_cross_site_post_is_refused_through_nginx(stack):
    answer = reader(stack, "127.0.2.11").request(
        "POST",
        "/preferences/font-size/",
        {"size": "xl"},
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )
    assert answer.status == 403 and "sent from another website" in answer.body
