"""Dispatch's production stack as one process tree: nginx in front of APP_INSTANCES gunicorn
instances and one task worker, on PostgreSQL and Redis. scripts/serve (make serve) runs it;
README "Running it in production" describes what it does and the variables it reads.

Only the standard library and psycopg here: the app itself runs in the children.
"""

import contextlib
import http.client
import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = BASE_DIR / "deploy" / "nginx.conf"
GUNICORN_CONFIG = BASE_DIR / "deploy" / "gunicorn.conf.py"
STATIC_ROOT = BASE_DIR / "staticfiles"  # portal/settings.py STATIC_ROOT

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dispatch"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# The machine's own mail server, as on any Unix host; set EMAIL_URL for another.
DEFAULT_EMAIL_URL = "smtp://127.0.0.1:25"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
WILDCARD_ADDRESSES = {"0.0.0.0", "::", "[::]"}

# A child that dies is started again, unless it died this often within this many seconds:
# then something is wrong that restarting will not fix, and the whole stack stops.
RESTART_LIMIT = 3
RESTART_WINDOW = 60.0
# How long each process may take to finish what it is doing when asked to stop.
STOP_TIMEOUT = 40.0


class ServeError(Exception):
    """A problem the operator must fix before the stack can run; the message says what."""


@dataclass(frozen=True)
class Config:
    port: int
    listen_address: str
    app_instances: int
    workers: int
    first_app_port: int
    database_url: str
    redis_url: str
    site_url: str
    run_dir: Path
    tls_certificate: str
    tls_certificate_key: str

    @property
    def tls(self) -> bool:
        return bool(self.tls_certificate)

    @property
    def local_address(self) -> str:
        """Where this machine reaches nginx (a wildcard listen address is reached on
        loopback)."""
        if self.listen_address in WILDCARD_ADDRESSES:
            return "127.0.0.1"
        return self.listen_address.strip("[]")


def _int(environ: dict, name: str, default: int, *, least: int, most: int = 65535) -> int:
    value = environ.get(name, "") or str(default)
    try:
        number = int(value)
    except ValueError:
        raise ServeError(f"{name} must be a whole number, not {value!r}") from None
    if not least <= number <= most:
        raise ServeError(f"{name} must be between {least} and {most}, not {number}")
    return number


def read_config(environ: dict) -> Config:
    port = _int(environ, "PORT", 8080, least=1)
    listen_address = environ.get("LISTEN_ADDRESS", "") or "127.0.0.1"
    certificate = environ.get("TLS_CERTIFICATE", "")
    key = environ.get("TLS_CERTIFICATE_KEY", "")
    if bool(certificate) != bool(key):
        raise ServeError("TLS_CERTIFICATE and TLS_CERTIFICATE_KEY go together: set both or none")
    for name, path in (("TLS_CERTIFICATE", certificate), ("TLS_CERTIFICATE_KEY", key)):
        if path and not Path(path).is_file():
            raise ServeError(f"{name} is {path!r}, which is not a file")
    database_url = environ.get("DATABASE_URL", "") or DEFAULT_DATABASE_URL
    if urlsplit(database_url).scheme not in {"postgres", "postgresql"}:
        raise ServeError(
            "make serve runs on PostgreSQL: DATABASE_URL must be postgres://..., not "
            f"{urlsplit(database_url).scheme or database_url!r} (make run is the SQLite "
            "development server)"
        )
    redis_url = environ.get("REDIS_URL", "") or DEFAULT_REDIS_URL
    config = Config(
        port=port,
        listen_address=listen_address,
        app_instances=_int(environ, "APP_INSTANCES", 2, least=1, most=64),
        workers=_int(environ, "WORKERS", 2, least=1, most=64),
        first_app_port=_int(environ, "APP_PORT", min(port + 1, 65535), least=1),
        database_url=database_url,
        redis_url=redis_url,
        site_url="",
        run_dir=BASE_DIR / (environ.get("SERVE_DIR", "") or "var/serve"),
        tls_certificate=str(Path(certificate).resolve()) if certificate else "",
        tls_certificate_key=str(Path(key).resolve()) if key else "",
    )
    site_url = (environ.get("SITE_URL", "") or _default_site_url(config)).rstrip("/")
    return Config(**{**config.__dict__, "site_url": site_url})


def _default_site_url(config: Config) -> str:
    scheme = "https" if config.tls else "http"
    host = config.local_address
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if config.tls else 80
    return f"{scheme}://{host}" + ("" if config.port == default_port else f":{config.port}")


def secret_key(environ: dict, path: Path) -> tuple[str, str | None]:
    """SECRET_KEY from the environment, else the one kept in `path` (generated there once,
    readable by its owner only). Returns the key and a note for the operator, if any."""
    if environ.get("SECRET_KEY"):
        return environ["SECRET_KEY"], None
    note = f"SECRET_KEY is not set: using the one in {path}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        note = f"SECRET_KEY is not set: generated one into {path} (mode 600), kept for next time"
    key = path.read_text().strip()
    if not key:
        raise ServeError(f"{path} is empty: delete it to have a key generated, or set SECRET_KEY")
    return key, note


def app_environment(config: Config, environ: dict, key: str) -> dict[str, str]:
    """The environment of every app process (migrate, check, gunicorn, worker): the
    operator's own, with what this stack decides. Other settings (EMAIL_URL, limits, HSTS
    options...) pass through as they are."""
    site = urlsplit(config.site_url)
    hosts = [site.hostname or config.local_address]
    if hosts[0] in LOCAL_HOSTS:
        hosts = ["127.0.0.1", "localhost", "[::1]"]
    env = {**environ}
    env.setdefault("ALLOWED_HOSTS", ",".join(hosts))
    env.setdefault("EMAIL_URL", DEFAULT_EMAIL_URL)
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": key,
            "DATABASE_URL": config.database_url,
            "REDIS_URL": config.redis_url,
            "SITE_URL": config.site_url,
            # nginx appends the one address it was reached from to X-Forwarded-For.
            "TRUSTED_PROXY_COUNT": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if config.tls:
        # nginx terminates TLS and says so in X-Forwarded-Proto.
        env["BEHIND_TLS_PROXY"] = "true"
        env.setdefault("SECURE_SSL_REDIRECT", "true")
    else:
        # Plain http: a redirect to https would lead nowhere, since nginx serves none.
        env["SECURE_SSL_REDIRECT"] = "false"
    return env


def free_ports(first: int, count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` consecutive ports from `first` on that nobody listens on."""
    port = first
    while port + count - 1 <= 65535:
        taken = next((p for p in range(port, port + count) if not _port_is_free(host, p)), None)
        if taken is None:
            return list(range(port, port + count))
        port = taken + 1
    raise ServeError(f"no {count} consecutive free ports from {first} up")


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def render_nginx_config(
    config: Config, app_ports: list[int], *, static_root: Path = STATIC_ROOT
) -> str:
    """deploy/nginx.conf with its @NAME@ blanks filled for this run."""
    listen = f"{config.listen_address}:{config.port}"
    tls = ""
    if config.tls:
        listen += " ssl"
        tls = (
            f"        ssl_certificate {config.tls_certificate};\n"
            f"        ssl_certificate_key {config.tls_certificate_key};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;\n"
            "        ssl_session_cache shared:dispatch_tls:10m;\n"
        )
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in app_ports
    )
    user = ""
    if os.geteuid() == 0:
        # Started by root, nginx's workers would run as "nobody", who may not read the
        # checkout: they run as the checkout's owner instead.
        owner = pwd.getpwuid(BASE_DIR.stat().st_uid)
        user = f"user {owner.pw_name} {_group_name(owner.pw_gid)};"
    values = {
        "USER": user,
        "RUN_DIR": str(config.run_dir),
        "UPSTREAM_SERVERS": servers,
        "LISTEN": listen,
        "TLS": tls,
        "STATIC_ROOT": str(static_root),
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def write_nginx_config(config: Config, app_ports: list[int], **options) -> Path:
    """The rendered configuration in the run directory, with the folders it names."""
    for folder in ("logs", "tmp", "cache"):
        (config.run_dir / folder).mkdir(parents=True, exist_ok=True)
    path = config.run_dir / "nginx.conf"
    path.write_text(render_nginx_config(config, app_ports, **options))
    return path


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def ensure_database(url: str) -> bool:
    """Create the database DATABASE_URL names when it does not exist yet; True if created."""
    import psycopg
    from psycopg import sql

    with contextlib.suppress(psycopg.OperationalError), psycopg.connect(url, connect_timeout=5):
        return False
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists:
                return False
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    except psycopg.Error as error:
        raise ServeError(
            f"cannot reach or create the database {name!r} ({_without_password(url)}): "
            f"{str(error).strip()}"
        ) from None


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _find_nginx() -> str:
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()),
        None,
    )
    if found is None:
        raise ServeError(
            "nginx is not installed: make serve installs it when run as root "
            "(Debian: apt-get install nginx-light)"
        )
    return found


def _die_with_parent() -> None:
    # Runs in each child before exec: if this script is killed outright (SIGKILL), its
    # children get SIGTERM instead of living on unsupervised.
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    """One process of the stack, started again when it dies (see RESTART_LIMIT)."""

    name: str
    argv: list[str]
    description: str
    stop_signal: signal.Signals
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    deaths: deque = field(default_factory=deque)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: Ctrl+C reaches this script only, which then stops each
                # child the way it stops gracefully, in order.
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    def exited(self) -> int | None:
        return self.process.poll() if self.process else None

    def send(self, signum: signal.Signals) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)

    def wait(self, deadline: float) -> bool:
        """Wait until the deadline; kill it then. True if it stopped by itself."""
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            return True
        except subprocess.TimeoutExpired:
            # The whole session: its own workers too (nginx's outlive a killed master).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            return False

    def log_tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join("    " + line for line in text.splitlines()[-lines:])


class Stack:
    def __init__(self, config: Config, env: dict[str, str], *, out=sys.stdout):
        self.config, self.env, self.out = config, env, out
        self.python = sys.executable
        self.stop_requested = False
        self.children: list[Child] = []

    def say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def request_stop(self, signum, frame) -> None:
        self.stop_requested = True

    # Preparing: database, schema, static files, deployment checks.

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.python, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
        )

    def prepare(self) -> None:
        if ensure_database(self.config.database_url):
            self.say(f"Created the database {urlsplit(self.config.database_url).path[1:]!r}")
        for step, args in (
            ("migrate", ["migrate", "--noinput"]),
            ("collectstatic", ["collectstatic", "--noinput", "--verbosity", "0"]),
        ):
            result = self.manage(*args)
            if result.returncode != 0:
                raise ServeError(f"manage.py {step} failed:\n{result.stdout}{result.stderr}")
        # gunicorn runs no system checks: this is where a deployment mistake stops the start.
        result = self.manage("check", "--deploy")
        report = (result.stderr + result.stdout).strip()
        if result.returncode != 0:
            raise ServeError(f"manage.py check --deploy refused this configuration:\n{report}")
        if "WARNINGS" in report:
            self.say(f"manage.py check --deploy warns:\n{report}")
            if not self.config.tls:
                self.say(
                    "(Plain http without TLS_CERTIFICATE: fine on this machine; put TLS in "
                    "front and a public SITE_URL before readers come.)"
                )

    # Running.

    def build_children(self, nginx: str, app_ports: list[int]) -> None:
        run_dir, logs = self.config.run_dir, self.config.run_dir / "logs"
        gunicorn = str(Path(self.python).with_name("gunicorn"))
        if not Path(gunicorn).exists():
            raise ServeError(f"gunicorn is not installed beside {self.python}")
        self.children.append(
            Child(
                name="nginx",
                argv=[nginx, "-p", str(run_dir), "-c", str(run_dir / "nginx.conf")]
                + ["-e", str(logs / "error.log")],
                description=f"{self.config.listen_address}:{self.config.port}, "
                f"config {run_dir / 'nginx.conf'}",
                stop_signal=signal.SIGQUIT,  # finish the requests in hand, then exit
                env=self.env,
                log=logs / "error.log",  # where -e sends what nginx says before its config
            )
        )
        for number, port in enumerate(app_ports, start=1):
            argv = [gunicorn, "portal.wsgi:application"]
            if GUNICORN_CONFIG.exists():
                argv += ["--config", str(GUNICORN_CONFIG)]
            argv += [
                "--bind", f"127.0.0.1:{port}",
                "--workers", str(self.config.workers),
                "--name", f"dispatch-app-{number}",
                "--forwarded-allow-ips", "127.0.0.1",
                "--no-control-socket",
            ]  # fmt: skip
            self.children.append(
                Child(
                    name=f"app-{number}",
                    argv=argv,
                    description=f"127.0.0.1:{port}, gunicorn with {self.config.workers} workers",
                    stop_signal=signal.SIGTERM,  # finish the requests in hand, then exit
                    env=self.env,
                    log=logs / f"app-{number}.log",
                )
            )
        self.children.append(
            Child(
                name="worker",
                argv=[self.python, "manage.py", "db_worker", "--no-reload", "--verbosity", "1"],
                description="manage.py db_worker (e-mail)",
                stop_signal=signal.SIGTERM,  # finish the task in hand, then exit
                env=self.env,
                log=logs / "worker.log",
            )
        )

    def start(self) -> None:
        config = self.config
        if not _port_is_free(config.listen_address.strip("[]"), config.port):
            raise ServeError(
                f"something already listens on {config.listen_address}:{config.port}: "
                "stop it, or choose another PORT"
            )
        nginx = _find_nginx()
        app_ports = free_ports(config.first_app_port, config.app_instances)
        write_nginx_config(config, app_ports)
        self.build_children(nginx, app_ports)
        # nginx last, once the instances listen: it would otherwise find them all refusing
        # and answer its first requests with 502.
        for child in self.children[1:]:
            child.start()
        self.wait_for_instances(app_ports)
        if not self.stop_requested:
            self.children[0].start()

    def wait_for_instances(self, ports: list[int], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        waiting = set(ports)
        while waiting and not self.stop_requested:
            self.check_children()
            for port in list(waiting):
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", port), 0.2),
                ):
                    waiting.discard(port)
            if waiting and time.monotonic() > deadline:
                raise ServeError(
                    f"app instances on ports {sorted(waiting)} did not listen within "
                    f"{timeout:.0f} s; logs in {self.config.run_dir / 'logs'}"
                )
            time.sleep(0.1)

    def answers(self) -> bool:
        """True once /healthz answers 200 through nginx, as a reader's request would."""
        config = self.config
        if config.tls:
            context = ssl._create_unverified_context()  # our own certificate, on loopback
            connection = http.client.HTTPSConnection(
                config.local_address, config.port, timeout=5, context=context
            )
        else:
            connection = http.client.HTTPConnection(config.local_address, config.port, timeout=5)
        try:
            connection.request(
                "GET", "/healthz", headers={"Host": urlsplit(config.site_url).netloc}
            )
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def check_children(self) -> None:
        """Start again a child that died; give up (ServeError) if it keeps dying."""
        now = time.monotonic()
        for child in self.children:
            code = child.exited()
            if code is None:
                continue
            child.deaths.append(now)
            while child.deaths and now - child.deaths[0] > RESTART_WINDOW:
                child.deaths.popleft()
            message = f"{child.name} (pid {child.pid}) exited with code {code}"
            if len(child.deaths) >= RESTART_LIMIT:
                raise ServeError(
                    f"{message}, {len(child.deaths)} times in {RESTART_WINDOW:.0f} s: "
                    f"stopping everything. The end of {child.log}:\n{child.log_tail()}"
                )
            child.start()
            self.say(f"{message}; started it again (pid {child.pid})")

    def wait_until_ready(self, timeout: float = 90.0) -> bool:
        deadline = time.monotonic() + timeout
        while not self.stop_requested:
            self.check_children()
            if self.answers():
                return True
            if time.monotonic() > deadline:
                raise ServeError(
                    f"the site did not answer through nginx within {timeout:.0f} s; "
                    f"logs in {self.config.run_dir / 'logs'}"
                )
            time.sleep(0.2)
        return False

    def describe(self) -> None:
        self.say(f"Dispatch is serving on {self.config.site_url}/")
        for child in self.children:
            self.say(f"  {child.name:<8} pid {child.pid:<8} {child.description}")
        self.say(f"Logs in {self.config.run_dir / 'logs'}. Ctrl+C or SIGTERM stops everything.")

    def supervise(self) -> None:
        while not self.stop_requested:
            self.check_children()
            time.sleep(0.2)

    def stop(self) -> None:
        """nginx first (it finishes the requests in hand, which need the apps), then the apps
        and the worker together, each finishing its own work; killed only past STOP_TIMEOUT."""
        running = [c for c in self.children if c.process is not None and c.exited() is None]
        if not running:
            return
        self.say("Stopping: " + ", ".join(f"{c.name} (pid {c.pid})" for c in running))
        groups = [
            [c for c in running if c.name == "nginx"],
            [c for c in running if c.name != "nginx"],
        ]
        for group in groups:
            for child in group:
                child.send(child.stop_signal)
            deadline = time.monotonic() + STOP_TIMEOUT
            for child in group:
                if not child.wait(deadline):
                    self.say(f"{child.name} (pid {child.pid}) did not stop in time: killed")
        self.say("Stopped.")


def main(environ: dict | None = None) -> int:
    environ = dict(os.environ if environ is None else environ)
    stack = None
    try:
        config = read_config(environ)
        key, note = secret_key(environ, BASE_DIR / "var" / "secret_key")
        stack = Stack(config, app_environment(config, environ, key))
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, stack.request_stop)
        if note:
            stack.say(note)
        stack.prepare()
        if stack.stop_requested:
            return 0
        stack.start()
        if stack.wait_until_ready():
            stack.describe()
            stack.supervise()
    except ServeError as error:
        if stack is None or not stack.stop_requested:  # else Ctrl+C interrupted a step
            print(f"serve: {error}", file=sys.stderr, flush=True)
        if stack is not None:
            stack.stop()
        return 1
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
