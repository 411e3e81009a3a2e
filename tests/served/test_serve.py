"""`make serve` as an operator runs it: scripts/serve starts nginx, two gunicorn instances and
the task worker on a scratch PostgreSQL database and a private Redis, and the tests use the
stack through nginx, or through one instance at a time as nginx would (X-Forwarded-For)."""

import os
import re
import secrets
import signal
import subprocess
import sys
import time

import pytest

from bench import stack as served
from bench.stack import ROOT as BASE_DIR
from bench.stack import Browser, alive, descendants, nginx_binary, start_serve, stop_serve
from deploy import serve
from tests.conftest import SEED_URL

pytestmark = pytest.mark.served
NGINX = nginx_binary()
COMMENT = "The SCO summit shows how far China and Russia have come since the nineties."


@pytest.fixture(scope="module")
def services():
    """A scratch database (scripts/serve creates it; dropped after), Redis and SMTP: the
    same machinery as make load (bench/stack.py)."""
    if NGINX is None:
        pytest.skip("nginx is not installed (make test and make serve install it from Debian)")
    if not served.postgres_answers():
        pytest.skip(f"PostgreSQL does not answer at {served.POSTGRES} (README: Running it)")
    with served.services("dispatch_serve_test") as running_services:
        yield running_services


@pytest.fixture(scope="module")
def stack(services, tmp_path_factory):
    running = start_serve(
        services,
        tmp_path_factory.mktemp("serve"),
        WORKERS="1",
        COMMENT_MIN_SECONDS="0",
        COMMENT_RATE_LIMIT_ADDRESS="3",
    )
    try:
        yield running
    finally:
        stop_serve(running)


def post_comment(browser: Browser, fields: dict, *, port=None, forwarded=False, headers=None):
    """Send the seed article's comment form as its script does (JSON answers), through
    `port` (nginx's unless given) with the X-Forwarded-For nginx would add if `forwarded`."""
    via = {"port": port, "forwarded": forwarded}
    page = browser.get(SEED_URL, **via)
    assert page.status == 200, page.body[:500]
    form = {"timestamp": re.search(r'name="timestamp" value="([^"]+)"', page.body).group(1)}
    action = re.search(r'action="(/comments/post/\d+/)"', page.body).group(1)
    headers = {"Accept": "application/json", **(headers or {})}
    return browser.request("POST", action, {**form, **fields}, headers=headers, **via).status


def test_pages_and_static_files_answer_through_nginx(stack):
    reader = Browser(stack.port, "127.0.0.2")
    for path in ("/", SEED_URL, "/feeds/rss/", "/healthz"):
        assert reader.get(path).status == 200, path
    html = reader.get("/").body
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html).group(1)
    answer = reader.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/css"
    assert answer.headers["Content-Encoding"] == "gzip"  # collectstatic's .gz, as it is
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["X-Upstream"] is None  # nginx answered, no app instance
    answer = reader.get("/static/css/site.css")
    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "public, max-age=60"  # the name may change
    assert reader.get("/static/css/nothing-here.css").status == 404


def test_requests_reach_every_instance(stack):
    assert len(stack.app_ports) == 2
    wanted = {f"127.0.0.1:{port}" for port in stack.app_ports}
    seen = set()
    deadline = time.monotonic() + 10  # an instance restarted by another test rejoins in 5 s
    while seen != wanted and time.monotonic() < deadline:
        answer = Browser(stack.port, "127.0.0.2").get("/healthz")
        assert answer.status == 200
        seen.add(answer.headers["X-Upstream"])
    assert seen == wanted


def test_a_comment_published_through_one_instance_shows_at_once_on_the_other(stack):
    first, second = stack.app_ports
    reader = Browser(stack.port, "127.0.0.3")
    # Its comment list is now in the fragment cache, shared by both instances.
    assert COMMENT not in reader.get(SEED_URL, port=second, forwarded=True).body
    fields = {"user_name": "Instance Reader", "text": COMMENT}
    assert post_comment(reader, fields, port=first, forwarded=True) == 201
    other = Browser(stack.port, "127.0.0.4")
    assert COMMENT in other.get(SEED_URL, port=second, forwarded=True).body
    # Through nginx's shared cache: within its freshness window (s-maxage), and a request.
    deadline = time.monotonic() + 10 + 3
    while COMMENT not in Browser(stack.port, "127.0.0.4").get(SEED_URL).body:
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_a_rate_limit_counted_on_one_instance_holds_on_the_other(stack):
    # COMMENT_RATE_LIMIT_ADDRESS=3: every attempt from one address counts, valid or not.
    first, second = stack.app_ports
    reader, neighbour = Browser(stack.port, "127.0.0.5"), Browser(stack.port, "127.0.0.6")
    sent = [post_comment(reader, {}, port=first, forwarded=True) for _ in range(3)]
    assert sent == [400, 400, 400]
    assert post_comment(reader, {}, port=second, forwarded=True) == 429
    assert post_comment(neighbour, {}, port=second, forwarded=True) == 400
    # Through nginx, which names the address it saw: the same two readers.
    assert post_comment(reader, {}) == 429
    assert post_comment(neighbour, {}) == 400
    # What a reader writes into X-Forwarded-For itself changes nothing.
    assert post_comment(reader, {}, headers={"X-Forwarded-For": "198.51.100.7"}) == 429


def test_the_task_worker_sends_the_confirmation_of_a_subscription(stack, services):
    reader = Browser(stack.port, "127.0.0.7")
    # The form has no CSRF token (it is on pages a shared cache keeps): checked by origin.
    answer = reader.request(
        "POST",
        "/newsletter/",
        {"email": "reader@example.org"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert answer.status == 303
    deadline = time.monotonic() + 20
    while not services.mailbox.received and time.monotonic() < deadline:
        time.sleep(0.2)
    [(recipients, message)] = services.mailbox.received
    assert recipients == ["reader@example.org"]
    # Links are built on SITE_URL, which follows the port nginx listens on.
    assert f"http://127.0.0.1:{stack.port}/newsletter/confirm/" in message


def test_a_killed_instance_is_routed_around_then_started_again(stack):
    reader = Browser(stack.port, "127.0.0.8")
    first, second = stack.app_ports
    os.killpg(stack.pids["app-1"], signal.SIGKILL)  # its master and workers, at once
    upstreams = set()
    for path in ("/newsletter/", "/send-your-stories/") * 4:  # pages nginx never keeps
        answer = reader.get(path)
        assert answer.status == 200
        upstreams.add(answer.headers["X-Upstream"].split(", ")[-1])
    assert upstreams == {f"127.0.0.1:{second}"}
    deadline = time.monotonic() + 30
    while "app-1 (pid" not in stack.text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert re.search(r"app-1 \(pid \d+\) exited with code -9; started it again", stack.text())
    # Until it listens again, asking it directly gets no answer (status 0).
    while reader.get("/healthz", port=first, forwarded=True).status != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_sigterm_stops_every_process_and_exits_0(services, tmp_path):
    running = start_serve(services, tmp_path, WORKERS="1")
    assert set(running.pids) == {"nginx", "app-1", "app-2", "worker"}
    processes = descendants(running.process.pid)
    # nginx's and gunicorn's own workers too.
    assert set(running.pids.values()) < processes
    assert all(alive(pid) for pid in processes)
    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(timeout=60) == 0
    assert [pid for pid in processes if alive(pid)] == []
    assert running.text().rstrip().endswith("Stopped.")


def test_check_deploy_is_clean_in_the_environment_serve_builds_behind_tls(tmp_path):
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=news.example.org", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    operator = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PORT": "443",
        "LISTEN_ADDRESS": "0.0.0.0",
        "TLS_CERTIFICATE": str(certificate),
        "TLS_CERTIFICATE_KEY": str(key),
        "SITE_URL": "https://news.example.org",
        "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
        "SERVE_DIR": str(tmp_path / "serve"),
    }
    config = serve.read_config(operator)
    env = serve.app_environment(config, operator, operator["SECRET_KEY"])
    assert env["ALLOWED_HOSTS"] == "news.example.org"
    assert env["BEHIND_TLS_PROXY"] == "true"
    assert env["TRUSTED_PROXY_COUNT"] == "1"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    if NGINX is None:
        return
    # nginx accepts the TLS configuration rendered for it.
    serve.write_nginx_config(config, [8001, 8002])
    result = subprocess.run(
        [NGINX, "-t", "-p", str(config.run_dir), "-c", str(config.run_dir / "nginx.conf"),
         "-e", str(config.run_dir / "logs" / "error.log")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
