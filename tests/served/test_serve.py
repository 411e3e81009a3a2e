"""`make serve` as an operator runs it: scripts/serve starts nginx, two gunicorn instances and
the task worker on a scratch PostgreSQL database and a private Redis, and the tests use the
stack through nginx, or through one instance at a time as nginx would (X-Forwarded-For)."""

import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie

import pytest

from bench import stack as served
from bench.stack import ROOT as BASE_DIR
from bench.stack import alive, descendants, start_serve, stop_serve
from deploy import serve
from tests.conftest import SEED_URL
from tests.served.test_stack import NGINX

pytestmark = pytest.mark.served
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


class Reader:
    """One reader with its cookies, at a loopback address of its own. `via` is nginx's port,
    or one app instance's port: then the request carries the X-Forwarded-For nginx would
    add for this reader, as nginx's own requests do."""

    def __init__(self, address: str):
        self.address, self.cookies = address, SimpleCookie()

    def request(self, via: int, method: str, path: str, form=None, *, direct=False, headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", via, timeout=20, source_address=(self.address, 0)
        )
        headers = dict(headers or {})
        if direct:
            headers["X-Forwarded-For"] = self.address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.coded_value}" for k, m in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        connection.close()
        return response, text

    def get(self, via: int, path: str, **options):
        return self.request(via, "GET", path, **options)

    def post_comment(self, via: int, fields: dict, *, direct=False, headers=None):
        """Send the seed article's comment form as its script does (JSON answers)."""
        response, html = self.get(via, SEED_URL, direct=direct)
        assert response.status == 200, html[:500]
        form = {"timestamp": re.search(r'name="timestamp" value="([^"]+)"', html).group(1)}
        action = re.search(r'action="(/comments/post/\d+/)"', html).group(1)
        response, _ = self.request(
            via,
            "POST",
            action,
            {**form, **fields},
            direct=direct,
            headers={"Accept": "application/json", **(headers or {})},
        )
        return response.status


def test_pages_and_static_files_answer_through_nginx(stack):
    reader = Reader("127.0.0.2")
    for path in ("/", SEED_URL, "/feeds/rss/", "/healthz"):
        response, _ = reader.get(stack.port, path)
        assert response.status == 200, path
    _, html = reader.get(stack.port, "/")
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html).group(1)
    response, css = reader.get(stack.port, stylesheet, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/css"
    assert response.headers["Content-Encoding"] == "gzip"  # collectstatic's .gz, as it is
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Upstream"] is None  # nginx answered, no app instance
    response, _ = reader.get(stack.port, "/static/css/site.css")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"  # the name may change
    assert reader.get(stack.port, "/static/css/nothing-here.css")[0].status == 404


def test_requests_reach_every_instance(stack):
    assert len(stack.app_ports) == 2
    wanted = {f"127.0.0.1:{port}" for port in stack.app_ports}
    seen = set()
    deadline = time.monotonic() + 10  # an instance restarted by another test rejoins in 5 s
    while seen != wanted and time.monotonic() < deadline:
        response, _ = Reader("127.0.0.2").get(stack.port, "/healthz")
        assert response.status == 200
        seen.add(response.headers["X-Upstream"])
    assert seen == wanted


def test_a_comment_published_through_one_instance_shows_at_once_on_the_other(stack):
    first, second = stack.app_ports
    reader = Reader("127.0.0.3")
    # Its comment list is now in the fragment cache, shared by both instances.
    assert COMMENT not in reader.get(second, SEED_URL, direct=True)[1]
    assert (
        reader.post_comment(first, {"user_name": "Instance Reader", "text": COMMENT}, direct=True)
        == 201
    )
    assert COMMENT in Reader("127.0.0.4").get(second, SEED_URL, direct=True)[1]
    # Through nginx's shared cache: within its freshness window (s-maxage), and a request.
    deadline = time.monotonic() + 10 + 3
    while COMMENT not in Reader("127.0.0.4").get(stack.port, SEED_URL)[1]:
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_a_rate_limit_counted_on_one_instance_holds_on_the_other(stack):
    # COMMENT_RATE_LIMIT_ADDRESS=3: every attempt from one address counts, valid or not.
    first, second = stack.app_ports
    reader, neighbour = Reader("127.0.0.5"), Reader("127.0.0.6")
    assert [reader.post_comment(first, {}, direct=True) for _ in range(3)] == [400, 400, 400]
    assert reader.post_comment(second, {}, direct=True) == 429
    assert neighbour.post_comment(second, {}, direct=True) == 400
    # Through nginx, which names the address it saw: the same two readers.
    assert reader.post_comment(stack.port, {}) == 429
    assert neighbour.post_comment(stack.port, {}) == 400
    # What a reader writes into X-Forwarded-For itself changes nothing.
    assert reader.post_comment(stack.port, {}, headers={"X-Forwarded-For": "198.51.100.7"}) == 429


def test_the_task_worker_sends_the_confirmation_of_a_subscription(stack, services):
    reader = Reader("127.0.0.7")
    # The form has no CSRF token (it is on pages a shared cache keeps): checked by origin.
    response, _ = reader.request(
        stack.port,
        "POST",
        "/newsletter/",
        {"email": "reader@example.org"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status == 303
    deadline = time.monotonic() + 20
    while not services.mailbox.received and time.monotonic() < deadline:
        time.sleep(0.2)
    [(recipients, message)] = services.mailbox.received
    assert recipients == ["reader@example.org"]
    # Links are built on SITE_URL, which follows the port nginx listens on.
    assert f"http://127.0.0.1:{stack.port}/newsletter/confirm/" in message


def test_a_killed_instance_is_routed_around_then_started_again(stack):
    reader = Reader("127.0.0.8")
    first, second = stack.app_ports
    os.killpg(stack.pids["app-1"], signal.SIGKILL)  # its master and workers, at once
    upstreams = set()
    for path in ("/newsletter/", "/send-your-stories/") * 4:  # pages nginx never keeps
        response, _ = reader.get(stack.port, path)
        assert response.status == 200
        upstreams.add(response.headers["X-Upstream"].split(", ")[-1])
    assert upstreams == {f"127.0.0.1:{second}"}
    deadline = time.monotonic() + 30
    while "app-1 (pid" not in stack.text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert re.search(r"app-1 \(pid \d+\) exited with code -9; started it again", stack.text())
    while time.monotonic() < deadline:
        try:
            if reader.get(first, "/healthz", direct=True)[0].status == 200:
                break
        except OSError:
            time.sleep(0.2)
    assert reader.get(first, "/healthz", direct=True)[0].status == 200


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
