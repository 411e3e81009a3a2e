"""The production stack as `make serve` runs it (scripts/serve: nginx, app instances, the task
worker), on a scratch PostgreSQL database, a private redis-server and a local SMTP sink: what
`make load` (bench/load.py), `make bench` (bench/run.py) and the served-stack tests
(tests/served/) start and stop; nginx alone in front of given app ports; and Browser, the
reader with cookies they all send requests as.

Only the standard library, psycopg and aiosmtpd: the app runs in the stack's processes."""

import asyncio
import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("LOAD_POSTGRES_URL", "") or "postgres://postgres@127.0.0.1:5432/"


class StackError(RuntimeError):
    """The stack or one of its services could not start; the message says why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, *, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackError(f"{process.args[0]} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise StackError(f"{process.args[0]} did not listen on {port} within {timeout} s")


def wait_for_http(url: str, *, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback only)
            return
        time.sleep(0.1)
    raise StackError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- A reader's browser ------------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused, reset, timed out); body says why
    body: str
    headers: http.client.HTTPMessage  # empty when there was no answer
    ms: float


class Browser:
    """One reader's browser at a loopback address of its own (nginx names it in
    X-Forwarded-For, so rate limits see one reader per address), keeping its cookies as a
    browser does: set ones are sent back, emptied (deleted) ones are gone.

    A form is sent with the Origin and Sec-Fetch-Site a browser adds to a form from the
    page (the reader forms are checked by origin, portal/csrf.py); headers given to
    request() win. `port` is nginx's or one app instance's; request(port=..., forwarded=True)
    asks an instance directly with the X-Forwarded-For nginx would add for this reader."""

    def __init__(self, port: int, address: str = "127.0.0.1", name: str = "", *, timeout=30.0):
        self.port, self.address, self.name, self.timeout = port, address, name, timeout
        self.cookies = SimpleCookie()

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        *,
        headers: dict | None = None,
        port: int | None = None,
        forwarded: bool = False,
    ) -> Answer:
        port = port or self.port
        headers = dict(headers or {})
        if forwarded:
            headers["X-Forwarded-For"] = self.address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.coded_value}" for k, m in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers.setdefault("Origin", f"http://127.0.0.1:{port}")
            headers.setdefault("Sec-Fetch-Site", "same-origin")
        started = time.perf_counter()
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=self.timeout, source_address=(self.address, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException) as error:
            ms = (time.perf_counter() - started) * 1000
            return Answer(0, f"{type(error).__name__}: {error}", http.client.HTTPMessage(), ms)
        finally:
            connection.close()
        ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        for name in [name for name, morsel in self.cookies.items() if not morsel.value]:
            del self.cookies[name]
        return Answer(response.status, text, response.headers, ms)

    def get(self, path: str, **options) -> Answer:
        return self.request("GET", path, **options)


# --- Services -----------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of our own, which may be stopped, killed and started again on the same
    port (the app's REDIS_URL does not change)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def kill(self) -> None:
        """SIGKILL: no shutdown, connections cut as a crash cuts them."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def keys(self, pattern: str = "*") -> list[str]:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "--raw", "KEYS", pattern],
            capture_output=True,
            text=True,
            check=True,
        )
        return [line for line in result.stdout.splitlines() if line]


class Mailbox:
    """An SMTP server's handler: every message received, by recipient. `delay` seconds per
    message slow the sending down, so that a worker can be caught in the middle of an issue."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.received: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def by_recipient(self) -> Counter:
        with self.lock:
            return Counter(rcpt for rcpts, _ in self.received for rcpt in rcpts)


def postgres_answers(url: str = POSTGRES + "postgres") -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@dataclass
class Services:
    """A scratch database (scripts/serve creates it), a private Redis and an SMTP sink."""

    database_url: str
    redis: RedisServer
    mailbox: Mailbox
    smtp_port: int


@contextlib.contextmanager
def services(prefix: str = "dispatch_load"):
    import psycopg
    from aiosmtpd.controller import Controller

    name = f"{prefix}_{secrets.token_hex(4)}"
    redis, mailbox, smtp_port = RedisServer(), Mailbox(), free_port()
    redis.start()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        yield Services(POSTGRES + name, redis, mailbox, smtp_port)
    finally:
        smtp.stop()
        redis.stop()
        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Running:
    """scripts/serve running, as its output describes it."""

    process: subprocess.Popen
    output: Path
    port: int
    pids: dict[str, int]
    app_ports: list[int]
    env: dict[str, str] = field(default_factory=dict)
    serve_dir: Path = Path()

    def text(self) -> str:
        return self.output.read_text()

    def wait_for_output(self, pattern: str, *, timeout: float = 30.0, count: int = 1) -> bool:
        """True once `pattern` (a regular expression) shows `count` times in the output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(re.findall(pattern, self.text())) >= count:
                return True
            time.sleep(0.2)
        return False

    def current_pid(self, name: str) -> int:
        """A child's pid now: the last "started it again (pid N)" for it, else the first."""
        restarted = re.findall(
            rf"^{re.escape(name)} \(pid \d+\) exited with code -?\d+; started it again "
            r"\(pid (\d+)\)",
            self.text(),
            re.M,
        )
        return int(restarted[-1]) if restarted else self.pids[name]

    def logs(self) -> Path:
        return self.serve_dir / "logs"


def serve_environment(services: Services, workdir: Path, port: int, **variables: str) -> dict:
    """Only what an operator would set: none of the caller's own settings pass through."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHON": sys.executable,
        "PORT": str(port),
        "SERVE_DIR": str(workdir / "serve"),
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis.url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_URL": f"smtp://127.0.0.1:{services.smtp_port}",
        **variables,
    }


def start_serve(services: Services, workdir: Path, **variables: str) -> Running:
    """scripts/serve on free ports; returns once it says it is serving."""
    port = free_port()
    env = serve_environment(services, workdir, port, **variables)
    output = workdir / "serve.out"
    with output.open("w") as out:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while "Dispatch is serving on" not in output.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=60)
            logs = workdir / "serve" / "logs"
            tails = [log_tail(path) for path in sorted(logs.glob("*.log"))] if logs.exists() else []
            message = "\n".join([output.read_text(), *tails])
            raise StackError(f"scripts/serve did not start:\n{message}")
        time.sleep(0.2)
    text = output.read_text()
    pids = {name: int(pid) for name, pid in re.findall(r"^  (\S+)\s+pid (\d+)", text, re.M)}
    app_ports = [
        int(p) for p in re.findall(r"^  app-\d+\s+pid \d+\s+127\.0\.0\.1:(\d+)", text, re.M)
    ]
    return Running(process, output, port, pids, app_ports, env, workdir / "serve")


def stop_serve(running: Running) -> None:
    if running.process.poll() is None:
        running.process.send_signal(signal.SIGTERM)
        running.process.wait(timeout=90)


def manage(running: Running, code: str, *, timeout: float = 120) -> str:
    """Run Python in a Django shell with the stack's own settings (its database, mail
    server, site URL); returns what it printed."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**running.env, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise StackError(f"manage.py shell failed:\n{result.stdout}{result.stderr}")
    return result.stdout


# nginx alone, configured as make serve configures it, in front of app ports of the caller's.


def nginx_binary() -> str | None:
    """Debian's nginx (make nginx installs it), or None."""
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()),
        None,
    )


def start_nginx(
    run_dir: Path, port: int, app_ports: list[int], *, static_root: Path | None = None
) -> subprocess.Popen:
    """nginx on deploy/nginx.conf as scripts/serve renders it (its shared cache, balancing,
    /static/ from `static_root`, STATIC_ROOT by default) in front of `app_ports`; its pid,
    logs, cache and temporary files under `run_dir`. Returns once it listens; stop() it."""
    from deploy import serve

    nginx = nginx_binary()
    if nginx is None:
        raise StackError("nginx is not installed (make nginx installs it from Debian)")
    config = serve.Config(
        port=port,
        listen_address="127.0.0.1",
        app_instances=len(app_ports),
        workers=0,  # not in nginx's configuration
        first_app_port=app_ports[0],
        database_url="",
        redis_url="",
        site_url=f"http://127.0.0.1:{port}",
        run_dir=run_dir,
        tls_certificate="",
        tls_certificate_key="",
    )
    options = {"static_root": static_root} if static_root is not None else {}
    serve.write_nginx_config(config, app_ports, **options)
    process = subprocess.Popen(
        [nginx, "-p", str(run_dir), "-c", str(run_dir / "nginx.conf")]
        + ["-e", str(run_dir / "logs" / "error.log")]
    )
    try:
        wait_for_port(port, process)
    except StackError as error:
        stop(process)
        tail = log_tail(run_dir / "logs" / "error.log")
        raise StackError(f"nginx did not start:\n{tail}") from error
    return process


# Processes: who descends from whom, and how much memory each holds.


def process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command name) for every process now."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # exited meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        table[int(stat.parent.name)] = (int(text.rsplit(")", 1)[1].split()[1]), name)
    return table


def descendants(pid: int) -> set[int]:
    table = process_table()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, (parent, _) in table.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def rss_kb(pid: int) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def stack_processes(running: Running) -> dict[str, int]:
    """A name for every process of the stack: nginx and its workers, each app instance's
    gunicorn master and workers, the task worker."""
    table = process_table()
    named = {}
    for child in sorted(running.pids):
        pid = running.current_pid(child)
        if pid not in table:
            continue
        named[child if child != "worker" else "db_worker"] = pid
        kids = sorted(p for p, (parent, _) in table.items() if parent == pid)
        for number, kid in enumerate(kids, start=1):
            kind = "worker" if child.startswith("app") else "w"
            named[f"{child}/{kind}{number}"] = kid
    return named
