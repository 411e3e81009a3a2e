"""`make bench`: serve Dispatch with gunicorn (and nginx in front, when it is installed); measure
pages with wrk, as ratios to a baseline measured in the same run, and their size on the wire.

Two kinds of ratio: a fresh render (gunicorn answered, nothing in front of it) over the bare
Django view (/robots.txt); and a page kept in nginx's shared cache (proxy_cache HIT) over nginx
serving the same HTML bytes as a static file."""

import argparse
import gzip
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

try:
    import brotli
except ImportError:  # only needed to report uncompressed sizes and to parse br HTML
    brotli = None

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is sys.path[0], not the checkout
    sys.path.insert(0, str(ROOT))

from bench import stack  # noqa: E402

HOST = "127.0.0.1"
ACCEPT_ENCODING = "br, gzip"
KB = 1000  # "50 KB on the wire" is read strictly: 50,000 bytes.
REQUEST_TIMEOUT = 10.0
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
DRAIN_REQUESTS = 3


@dataclass(frozen=True)
class Scenario:
    """One URL measured with wrk; pages also get their transfer size measured."""

    name: str
    path: str
    page: bool = False
    min_ratio: float | None = None  # target: req/s as a share of the baseline's
    max_bytes: int | None = None  # target: HTML + CSS + JS, compressed
    # Extra request headers wrk sends; ETAG_PLACEHOLDER is replaced by the path's current
    # ETag before measuring (see with_current_etags), so wrk measures 304 answers, and
    # SESSION_PLACEHOLDER by a signed-in editor's session key.
    headers: tuple[str, ...] = ()
    # The scenario whose req/s in the same round this one's is a share of; None: it is one.
    baseline: str | None = "minimal"
    # Who answers: "app", gunicorn directly (every request a fresh render); "nginx", nginx
    # in front of it, with its shared cache.
    via: str = "app"


ETAG_PLACEHOLDER = "{etag}"
SESSION_PLACEHOLDER = "{session}"


# The bare view: robots.txt runs no query and no cache call (/healthz now runs two queries
# and a cache round trip), through the same middleware as every page.
BASELINE = Scenario("minimal", "/robots.txt", baseline=None)
ARTICLE = "/2012/06/03/china-russia-ties-at-all-time-high/"
# Published comments under the article while it is measured (seed_comments), and under a
# copy of it, the busy article.
BENCH_COMMENTS = 50
BUSY_COMMENTS = 10_000
BUSY_SLUG = "china-russia-ties-at-all-time-high-busy"
BUSY_ARTICLE = f"/2012/06/03/{BUSY_SLUG}/"
FRESH_AIM = 0.1  # a fresh render, as a share of the bare view (issue 10)
SHARED_AIM = 0.5  # nginx's cached copy, as a share of nginx serving the bytes from a file
# Without nginx every request is a fresh render (with the fragment cache warm): what a
# shared cache's miss costs. "article-session" carries a signed-in editor's session cookie:
# nginx never serves such a request a copy, so every one of them costs this.
SCENARIOS: tuple[Scenario, ...] = (
    BASELINE,
    Scenario("home", "/", page=True, min_ratio=FRESH_AIM),
    Scenario("article", ARTICLE, page=True, min_ratio=FRESH_AIM, max_bytes=50 * KB),
    Scenario("article-10k", BUSY_ARTICLE, min_ratio=FRESH_AIM),
    Scenario(
        "article-session",
        ARTICLE,
        min_ratio=FRESH_AIM,
        headers=(f"Cookie: sessionid={SESSION_PLACEHOLDER}",),
    ),
    Scenario("feed", "/feeds/rss/", min_ratio=FRESH_AIM),
    Scenario("feed-304", "/feeds/rss/", headers=(f"If-None-Match: {ETAG_PLACEHOLDER}",)),
)
# Through nginx: each page as its shared cache answers it (a HIT: the copy is fresh for
# SHARED_CACHE_SECONDS, longer than the run) against the same bytes as a static file
# (written by write_static_copies under nginx's /static/).
STATIC_COPIES = "bench"  # the folder under /static/
SHARED_PAGES = (
    ("home", "/", "home.html"),
    ("article", ARTICLE, "article.html"),
    ("article-10k", BUSY_ARTICLE, "article-10k.html"),
    ("feed", "/feeds/rss/", "feed.xml"),
)
NGINX_SCENARIOS: tuple[Scenario, ...] = tuple(
    scenario
    for name, path, file in SHARED_PAGES
    for scenario in (
        Scenario(f"static-{name}", f"/static/{STATIC_COPIES}/{file}", baseline=None, via="nginx"),
        Scenario(
            f"shared-{name}",
            path,
            baseline=f"static-{name}",
            min_ratio=SHARED_AIM,
            via="nginx",
        ),
    )
)


@dataclass(frozen=True)
class Options:
    duration: int
    rounds: int
    warmup: int
    threads: int
    connections: int
    workers: int
    only: tuple[str, ...] = ()  # the measurements to run (their keys); all when empty


@dataclass
class Bench:
    """What every measurement gets: the options, the running server and earlier results."""

    options: Options
    urls: dict[str, str]  # Scenario.via -> where it is reached
    scenarios: Sequence[Scenario]
    env: dict[str, str]  # the server's environment, for manage.py commands on its database
    workdir: Path  # temporary, removed at the end
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """gunicorn's own address."""
        return self.urls["app"]

    def url(self, scenario: Scenario) -> str:
        return self.urls[scenario.via] + scenario.path


@dataclass(frozen=True)
class Check:
    name: str
    value: str
    target: str
    met: bool


@dataclass
class Section:
    """A measurement's outcome: report lines for people, data for the JSON file."""

    key: str
    title: str
    lines: list[str]
    data: dict[str, Any]
    checks: list[Check] = field(default_factory=list)
    failed: bool = False  # the figures cannot be trusted (e.g. error responses)


Measurement = Callable[[Bench], Section]


# --- Output helpers ---------------------------------------------------------------------


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def table(rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    """Plain-text columns; the first row is the header, columns in `right` right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def kilobytes(size: int) -> str:
    return f"{size / KB:.1f} KB"


# --- wrk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkRun:
    requests_per_second: float
    requests: int
    latency_ms: dict[str, float]  # percentile ("50%") -> milliseconds
    non_2xx_3xx: int
    socket_errors: dict[str, int]  # connect, read, write, timeout

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_PERCENTILE = re.compile(r"^\s+(\d+(?:\.\d+)?%)\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse_wrk(output: str) -> WrkRun:
    rps = _RPS.search(output)
    requests = _REQUESTS.search(output)
    if not rps or not requests:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    latency = {
        percentile: float(value) * _TIME_UNITS_MS[unit]
        for percentile, value, unit in _PERCENTILE.findall(output)
    }
    non_2xx = _NON_2XX.search(output)
    socket_errors = _SOCKET_ERRORS.search(output)
    counts = [int(n) for n in socket_errors.groups()] if socket_errors else [0, 0, 0, 0]
    return WrkRun(
        requests_per_second=float(rps.group(1)),
        requests=int(requests.group(1)),
        latency_ms=latency,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"), counts, strict=True)),
    )


def run_wrk(url: str, options: Options, duration: int, headers: Sequence[str] = ()) -> WrkRun:
    command = [
        "wrk",
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{duration}s",
        "--latency",
        # As browsers do, so compressing responses (if the app ever does) is part of the cost.
        "--header",
        f"Accept-Encoding: {ACCEPT_ENCODING}",
        *(argument for header in headers for argument in ("--header", header)),
        url,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return parse_wrk(result.stdout)


# --- HTTP with urllib (no redirects followed, nothing decompressed) ---------------------------


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(
    url: str, accept_encoding: str = ACCEPT_ENCODING, headers: dict[str, str] | None = None
) -> Fetched:
    if urlsplit(url).hostname != HOST:
        raise ValueError(f"the benchmark only talks to {HOST}, not {url}")
    request = urllib.request.Request(
        url, headers={"Accept-Encoding": accept_encoding, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return Fetched(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, dict(error.headers.items()), error.read())


def decompress(body: bytes, encoding: str) -> bytes | None:
    if encoding in ("", "identity"):
        return body
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br" and brotli is not None:
        return brotli.decompress(body)
    return None


def drain(base_url: str) -> None:
    """Let sync workers finish what the last wrk run left queued before the next one."""
    for _ in range(DRAIN_REQUESTS):
        with suppress(OSError):
            fetch(f"{base_url}{BASELINE.path}")
    time.sleep(0.5)


# --- Throughput ---------------------------------------------------------------------------


def warm_up(bench: Bench) -> None:
    for scenario in bench.scenarios:
        progress(f"warm-up {scenario.name} ({bench.options.warmup} s)")
        run_wrk(bench.url(scenario), bench.options, bench.options.warmup, scenario.headers)
        drain(bench.base_url)


def run_rounds(bench: Bench) -> dict[str, list[WrkRun]]:
    """Alternate the scenarios round by round, so noise on a shared machine hits them all."""
    runs: dict[str, list[WrkRun]] = {scenario.name: [] for scenario in bench.scenarios}
    for round_number in range(1, bench.options.rounds + 1):
        for scenario in bench.scenarios:
            drain(bench.base_url)
            run = run_wrk(
                bench.url(scenario), bench.options, bench.options.duration, scenario.headers
            )
            runs[scenario.name].append(run)
            progress(
                f"round {round_number}/{bench.options.rounds} {scenario.name}: "
                f"{run.requests_per_second:,.0f} req/s, {run.errors} errors"
            )
    return runs


def ratios(runs: dict[str, list[WrkRun]], scenario: Scenario) -> list[float]:
    """The scenario's req/s over its baseline's, round by round."""
    baseline = runs[scenario.baseline]
    return [
        run.requests_per_second / base.requests_per_second
        for run, base in zip(runs[scenario.name], baseline, strict=True)
    ]


def summarize_runs(scenario: Scenario, runs: dict[str, list[WrkRun]]) -> dict[str, Any]:
    mine = runs[scenario.name]
    rps = [run.requests_per_second for run in mine]
    summary: dict[str, Any] = {
        "path": scenario.path,
        "requests_per_second": {
            "median": statistics.median(rps),
            "min": min(rps),
            "max": max(rps),
        },
        "latency_ms": {
            percentile: statistics.median(run.latency_ms.get(percentile, 0.0) for run in mine)
            for percentile in ("50%", "75%", "90%", "99%")
        },
        "requests": sum(run.requests for run in mine),
        "non_2xx_3xx": sum(run.non_2xx_3xx for run in mine),
        "socket_errors": sum(sum(run.socket_errors.values()) for run in mine),
        "runs": [asdict(run) for run in mine],
    }
    if scenario.baseline is not None:
        per_round = ratios(runs, scenario)
        summary["ratio_to_baseline"] = {
            "per_round": per_round,
            "median": statistics.median(per_round),
        }
    return summary


def throughput_lines(bench: Bench, summaries: dict[str, dict[str, Any]]) -> list[str]:
    rows = [["scenario", "req/s", "min-max", "p50 ms", "p99 ms", "4xx/5xx", "sock err", "ratio"]]
    for scenario in bench.scenarios:
        s = summaries[scenario.name]
        rps = s["requests_per_second"]
        ratio = s.get("ratio_to_baseline")
        ratio_text = "1 (baseline)"
        if ratio:
            rounds = " ".join(f"{r:.2f}" for r in ratio["per_round"])
            ratio_text = f"{ratio['median']:.2f}  (rounds: {rounds})"
        rows.append(
            [
                scenario.name,
                f"{rps['median']:,.0f}",
                f"{rps['min']:,.0f}-{rps['max']:,.0f}",
                f"{s['latency_ms']['50%']:.1f}",
                f"{s['latency_ms']['99%']:.1f}",
                str(s["non_2xx_3xx"]),
                str(s["socket_errors"]),
                ratio_text,
            ]
        )
    width = max(len(scenario.name) for scenario in bench.scenarios)
    paths = [
        f"  {scenario.name:<{width}}  {scenario.via:<5}  {scenario.path}"
        + (f"  ({', '.join(scenario.headers)})" if scenario.headers else "")
        for scenario in bench.scenarios
    ]
    return [*table(rows, right=range(1, 7)), "", "Paths (app: gunicorn; nginx: in front):", *paths]


def ratio_checks(bench: Bench, summaries: dict[str, dict[str, Any]]) -> list[Check]:
    checks = []
    for scenario in bench.scenarios:
        if scenario.min_ratio is None:
            continue
        ratio = summaries[scenario.name]["ratio_to_baseline"]["median"]
        checks.append(
            Check(
                f"{scenario.name} req/s vs {scenario.baseline}",
                f"{ratio:.2f}",
                f">= {scenario.min_ratio:.2f}",
                ratio >= scenario.min_ratio,
            )
        )
    return checks


def measure_throughput(bench: Bench) -> Section:
    warm_up(bench)
    runs = run_rounds(bench)
    summaries = {s.name: summarize_runs(s, runs) for s in bench.scenarios}
    options = bench.options
    cache = "a private redis-server" if bench.env.get("REDIS_URL") else "each process's memory"
    title = (
        f"Throughput: wrk -t{options.threads} -c{options.connections} -d{options.duration}s "
        f"(Accept-Encoding: {ACCEPT_ENCODING}), {options.rounds} alternating rounds, medians; "
        f"gunicorn {options.workers} sync workers; cache and sessions: {cache}"
    )
    failed = any(s["non_2xx_3xx"] for s in summaries.values())
    lines = throughput_lines(bench, summaries)
    if not any(scenario.via == "nginx" for scenario in bench.scenarios):
        lines += ["", f"nginx scenarios SKIPPED: {bench.results.get('nginx_skipped')}."]
    if any(s["socket_errors"] for s in summaries.values()):
        lines.append("Socket errors: wrk lost connections; see the JSON file for which kind.")
    return Section(
        key="throughput",
        title=title,
        lines=lines,
        data={"scenarios": summaries},
        checks=ratio_checks(bench, summaries),
        failed=failed,
    )


# --- Transfer size --------------------------------------------------------------------------


class AssetFinder(HTMLParser):
    """Collects the stylesheets and scripts a page makes the browser fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[tuple[str, str, str]] = []  # (kind, url, note)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        if tag == "link" and "stylesheet" in rel and values.get("href"):
            media = values.get("media", "")
            self.assets.append(("css", values["href"], f"media={media}" if media else ""))
        elif tag == "script" and values.get("src"):
            flags = [flag for flag in ("defer", "async") if flag in values]
            self.assets.append(("js", values["src"], " ".join(flags)))


@dataclass(frozen=True)
class Resource:
    kind: str
    url: str
    status: int
    encoding: str
    wire_bytes: int
    raw_bytes: int | None
    note: str = ""


def fetch_resource(kind: str, url: str, note: str = "") -> tuple[Resource, Fetched]:
    fetched = fetch(url)
    encoding = fetched.headers.get("Content-Encoding", "identity")
    raw = decompress(fetched.body, encoding)
    resource = Resource(
        kind=kind,
        url=urlsplit(url).path,
        status=fetched.status,
        encoding=encoding,
        wire_bytes=len(fetched.body),
        raw_bytes=len(raw) if raw is not None else None,
        note=note,
    )
    return resource, fetched


def page_html(fetched: Fetched, url: str) -> str:
    raw = decompress(fetched.body, fetched.headers.get("Content-Encoding", "identity"))
    if raw is None:  # compressed in a way we cannot read: ask again for plain text
        raw = fetch(url, accept_encoding="identity").body
    return raw.decode("utf-8", errors="replace")


def page_resources(base_url: str, scenario: Scenario) -> list[Resource]:
    url = base_url + scenario.path
    html, fetched = fetch_resource("html", url)
    finder = AssetFinder()
    finder.feed(page_html(fetched, url))
    resources = [html]
    for kind, href, note in finder.assets:
        asset_url = urljoin(url, href)
        if urlsplit(asset_url).netloc != urlsplit(base_url).netloc:
            resources.append(Resource(kind, asset_url, 0, "-", 0, None, "other origin, skipped"))
            continue
        resources.append(fetch_resource(kind, asset_url, note)[0])
    return resources


def resource_lines(resources: Sequence[Resource]) -> list[str]:
    rows = [["type", "url", "status", "encoding", "wire bytes", "raw bytes", "note"]]
    for r in resources:
        raw = f"{r.raw_bytes:,}" if r.raw_bytes is not None else "?"
        rows.append([r.kind, r.url, str(r.status), r.encoding, f"{r.wire_bytes:,}", raw, r.note])
    total = sum(r.wire_bytes for r in resources)
    raw_total = sum(r.raw_bytes or 0 for r in resources)
    rows.append(["total", "", "", "", f"{total:,}", f"{raw_total:,}", kilobytes(total)])
    return table(rows, right=(2, 4, 5))


def measure_transfer(bench: Bench) -> Section:
    lines: list[str] = []
    data: dict[str, Any] = {}
    checks: list[Check] = []
    failed = False
    for scenario in (s for s in bench.scenarios if s.page):
        progress(f"transfer size {scenario.name}")
        resources = page_resources(bench.base_url, scenario)
        total = sum(r.wire_bytes for r in resources)
        failed = failed or any(r.status and r.status != 200 for r in resources)
        data[scenario.name] = {
            "path": scenario.path,
            "total_wire_bytes": total,
            "resources": [asdict(r) for r in resources],
        }
        lines += [f"{scenario.name} ({scenario.path}):", *resource_lines(resources), ""]
        if scenario.max_bytes is not None:
            met = total < scenario.max_bytes
            checks.append(
                Check(
                    f"{scenario.name} HTML+CSS+JS on the wire",
                    kilobytes(total),
                    f"< {kilobytes(scenario.max_bytes)}",
                    met,
                )
            )
    return Section(
        key="transfer",
        title=f"Transfer size: Accept-Encoding: {ACCEPT_ENCODING}; body bytes, 1 KB = {KB} B",
        lines=lines[:-1],
        data=data,
        checks=checks,
        failed=failed,
    )


def run_django(env: dict[str, str], code: str, *, timeout: float) -> dict[str, Any]:
    """Run `code` with Django set up on the benchmark's database; it prints one JSON line."""
    script = f"import json, django; django.setup(); {code}"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip()[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


# The footprint first, in a fresh process, so the load time and memory are the model's alone.
SCREENING_CODE = (
    "from comments.screening.benchmark import model_footprint, run; "
    "print(json.dumps(model_footprint() | run(2000)))"
)
SCREENING_P99_TARGET_MS = 10.0
MODEL_LOAD_TARGET_MS = 1000.0
MODEL_MEMORY_TARGET_MB = 150.0


def measure_screening(bench: Bench) -> Section:
    """Time the comment screening pipeline in its own process, one comment at a time."""
    progress("screening 2,000 comments")
    try:
        data = run_django(bench.env, SCREENING_CODE, timeout=300)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return Section(
            key="screening",
            title="Comment screening",
            lines=[f"failed: {exc}"],
            data={},
            failed=True,
        )
    # The model and the sentence encoder it reads comments with load together.
    load_ms = data["load_ms"] + data["encoder_load_ms"]
    memory_mb = data["model_mb"] + data["encoder_mb"]
    lines = table(
        [
            ("comments", "p50 ms", "p99 ms", "max ms", "model + encoder load ms", "MB"),
            (
                f"{data['n']:,}",
                f"{data['p50_ms']:.2f}",
                f"{data['p99_ms']:.2f}",
                f"{data['max_ms']:.2f}",
                f"{data['load_ms']:.0f} + {data['encoder_load_ms']:.0f}",
                f"{data['model_mb']:.0f} + {data['encoder_mb']:.0f}",
            ),
        ],
        right=(0, 1, 2, 3, 4, 5),
    )
    checks = [
        Check(
            "screening one comment, p99",
            f"{data['p99_ms']:.2f} ms",
            f"< {SCREENING_P99_TARGET_MS:g} ms",
            data["p99_ms"] < SCREENING_P99_TARGET_MS,
        ),
        Check(
            "loading the screening model and its encoder",
            f"{load_ms:.0f} ms",
            f"< {MODEL_LOAD_TARGET_MS:g} ms",
            load_ms < MODEL_LOAD_TARGET_MS,
        ),
        Check(
            "memory the model and its encoder add",
            f"{memory_mb:.0f} MB",
            f"< {MODEL_MEMORY_TARGET_MB:g} MB",
            memory_mb < MODEL_MEMORY_TARGET_MB,
        ),
    ]
    return Section(
        key="screening",
        title="Comment screening (comments.screening.benchmark: a mix of short, long and "
        "adversarial comments, up to 3,000 characters)",
        lines=lines,
        data=data,
        checks=checks,
    )


NEWSLETTER_SUBSCRIBERS = 10_000
NEWSLETTER_TIMEOUT = 900.0


def measure_newsletter(bench: Bench) -> Section:
    """Send one issue to 10,000 confirmed subscribers the way production does: queued in
    the database (django-tasks-db), sent by `manage.py db_worker` to a local SMTP sink
    (aiosmtpd) that counts what it receives."""
    import threading

    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self) -> None:
            self.count = 0
            self.lock = threading.Lock()

        async def handle_DATA(self, server, session, envelope):
            with self.lock:
                self.count += 1
            return "250 OK"

    def django(code: str) -> dict[str, Any]:
        try:
            return run_django(env, code, timeout=NEWSLETTER_TIMEOUT)
        except RuntimeError as exc:
            raise RuntimeError(f"newsletter bench step failed:\n{exc}") from exc

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname=HOST, port=port)
    controller.start()
    env = {
        **bench.env,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "EMAIL_URL": f"smtp://{HOST}:{port}",
        "SITE_URL": "https://news.example.org",
    }
    try:
        progress(f"newsletter: {NEWSLETTER_SUBSCRIBERS:,} subscribers, composing the issue")
        queued = django(
            "from newsletter.benchmark import prepare; "
            f"print(json.dumps(prepare({NEWSLETTER_SUBSCRIBERS})))"
        )
        progress(f"newsletter: db_worker --batch sends {queued['batches']} batches")
        started = time.perf_counter()
        worker = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--verbosity",
                "0",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=NEWSLETTER_TIMEOUT,
            check=False,
        )
        elapsed = time.perf_counter() - started
        counts = django(
            f"from newsletter.benchmark import counts; print(json.dumps(counts({queued['issue']})))"
        )
    finally:
        controller.stop()
    received = sink.count
    rate = received / elapsed if elapsed else 0.0
    failed = worker.returncode != 0 or counts.get("sent") != NEWSLETTER_SUBSCRIBERS
    failed = failed or received != NEWSLETTER_SUBSCRIBERS
    lines = table(
        [
            ("subscribers", "batches", "queue s", "send s", "messages/s", "received", "issue"),
            (
                f"{NEWSLETTER_SUBSCRIBERS:,}",
                str(queued["batches"]),
                f"{queued['queue_seconds']:.2f}",
                f"{elapsed:.1f}",
                f"{rate:,.0f}",
                f"{received:,}",
                str(counts.get("status")),
            ),
        ],
        right=(0, 1, 2, 3, 4, 5),
    )
    if failed:
        lines.append(f"deliveries: {counts}; worker exit {worker.returncode}")
        lines.append(worker.stderr.strip()[-500:])
    return Section(
        key="newsletter",
        title="Newsletter: one issue to 10,000 subscribers through django-tasks-db's "
        "db_worker (one worker, SQLite) to a local aiosmtpd sink",
        lines=lines,
        data={
            "subscribers": NEWSLETTER_SUBSCRIBERS,
            "batches": queued["batches"],
            "queue_seconds": queued["queue_seconds"],
            "send_seconds": elapsed,
            "messages_per_second": rate,
            "received": received,
            "deliveries": counts,
        },
        failed=failed,
    )


# Later measurements (feeds...) are functions Bench -> Section appended here; new URLs to
# load-test are new entries in SCENARIOS.
MEASUREMENTS: tuple[Measurement, ...] = (
    measure_throughput,
    measure_transfer,
    measure_screening,
    measure_newsletter,
)


# --- The server -------------------------------------------------------------------------------


def free_port() -> int:
    # Another process could take the port before gunicorn binds it; startup would then fail.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def executable(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"error: {name} not found (make bench installs what it needs)")
    return found


# nginx keeps a page this long (s-maxage): longer than the run, so that every request of
# a shared-* scenario is a HIT. COMMENT_FORM_MAX_AGE must stay ten times the copy's life.
SHARED_CACHE_SECONDS = 600


def server_environment(workdir: Path, redis_url: str) -> dict[str, str]:
    """The app as deployed (DEBUG off, Redis for the cache and sessions, as every process of
    a deployment shares them), on a scratch SQLite database."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost",
        SECURE_SSL_REDIRECT="false",
        SHARED_CACHE_SECONDS=str(SHARED_CACHE_SECONDS),
        COMMENT_FORM_MAX_AGE=str(12 * (SHARED_CACHE_SECONDS + 60)),
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def migrate(env: dict[str, str]) -> None:
    progress("migrating a fresh SQLite database")
    command = [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{result.stdout}{result.stderr}")


def gunicorn_command(port: int, workers: int) -> list[str]:
    # No access log: writing a line per request would be part of what we measure.
    return [
        executable("gunicorn"),
        "portal.wsgi:application",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--no-control-socket",
        "--bind",
        f"{HOST}:{port}",
    ]


def log_tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_until_healthy(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log_tail(log)}")
        try:
            if fetch(base_url + BASELINE.path).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_TIMEOUT:.0f} s:\n{log_tail(log)}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def serve(env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            gunicorn_command(port, workers),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://{HOST}:{port}"
        progress(f"gunicorn pid {process.pid} on {base_url}")
        wait_until_healthy(base_url, process, log)
        yield base_url
    finally:
        stop(process)


def header_dict(headers: Sequence[str]) -> dict[str, str]:
    return dict(header.split(": ", 1) for header in headers)


def check_scenarios(bench: Bench) -> None:
    """Refuse to measure an error page: every scenario must answer 200 before we start,
    and nginx's shared-* scenarios must be answered from its cache."""
    for scenario in bench.scenarios:
        answer = fetch(bench.url(scenario), headers=header_dict(scenario.headers))
        expected = 304 if any(h.startswith("If-None-Match:") for h in scenario.headers) else 200
        if answer.status != expected:
            raise RuntimeError(f"{scenario.name} ({scenario.path}) answered {answer.status}")
        cache_status = answer.headers.get("X-Cache-Status")
        if scenario.via == "nginx" and scenario.baseline and cache_status != "HIT":
            raise RuntimeError(f"{scenario.name}: nginx's cache said {cache_status}, not HIT")


def with_placeholders(
    base_url: str, scenarios: Sequence[Scenario], session_key: str
) -> list[Scenario]:
    """Fill in SESSION_PLACEHOLDER, and ETAG_PLACEHOLDER with the path's current ETag,
    checking that the server then answers 304: a scenario meant to measure 304s must not
    measure full responses."""
    resolved = []
    for scenario in scenarios:
        headers = tuple(h.replace(SESSION_PLACEHOLDER, session_key) for h in scenario.headers)
        if any(ETAG_PLACEHOLDER in header for header in headers):
            etag = fetch(base_url + scenario.path).headers.get("ETag")
            if not etag:
                raise RuntimeError(f"{scenario.name} ({scenario.path}) sends no ETag")
            headers = tuple(h.replace(ETAG_PLACEHOLDER, etag) for h in headers)
            status = fetch(base_url + scenario.path, headers=header_dict(headers)).status
            if status != 304:
                raise RuntimeError(f"{scenario.name} answered {status}, not 304, to {headers}")
        resolved.append(replace(scenario, headers=headers))
    return resolved


@contextmanager
def nginx_in_front(app_url: str, workdir: Path) -> Iterator[str | None]:
    """nginx as make serve configures it (deploy/nginx.conf, through bench/stack.py) in
    front of the gunicorn under measurement, its /static/ being a folder of our own for the
    pages' static copies; yields its address, or None when nginx is not installed."""
    if stack.nginx_binary() is None:
        yield None
        return
    port = free_port()
    static_root = workdir / "nginx-static"
    (static_root / STATIC_COPIES).mkdir(parents=True)
    app_port = int(urlsplit(app_url).port)
    process = stack.start_nginx(workdir / "nginx", port, [app_port], static_root=static_root)
    try:
        progress(f"nginx pid {process.pid} on http://{HOST}:{port} in front of gunicorn")
        yield f"http://{HOST}:{port}"
    finally:
        stop(process)


def write_static_copies(nginx_url: str, static_root: Path) -> None:
    """Each shared page as nginx's cache keeps it (the app's bytes, uncompressed: nginx
    compresses both alike on the way out), written where nginx serves files; the page is
    then in the cache, so the shared-* scenarios measure HITs."""
    for name, path, file in SHARED_PAGES:
        answer = fetch(nginx_url + path, accept_encoding="identity")
        again = fetch(nginx_url + path, accept_encoding="identity")
        if answer.status != 200 or again.body != answer.body:
            raise RuntimeError(f"{name} through nginx: {answer.status}, or the bytes changed")
        (static_root / STATIC_COPIES / file).write_bytes(answer.body)


def server_log_summary(log: Path) -> dict[str, Any]:
    text = log.read_text(errors="replace") if log.exists() else ""
    problems = [line for line in text.splitlines() if "Traceback" in line or "[ERROR]" in line]
    return {"problem_lines": len(problems), "first_problems": problems[:10]}


# --- Preparation, metadata, report --------------------------------------------------------------


def check_prerequisites() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("error: wrk not found (Debian: apt-get install wrk; make bench does it)")
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        raise SystemExit("error: no staticfiles/staticfiles.json: run collectstatic first")


def command_output(command: Sequence[str], *, all_lines: bool = False) -> str | None:
    try:
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return None
    text = (result.stdout or result.stderr).strip()
    if result.returncode not in (0, 1):  # wrk -v exits with 1
        return None
    if all_lines:
        return text
    return text.splitlines()[0] if text else None


def git_changed_files() -> int | None:
    """Uncommitted changes make a commit id alone an incomplete description of the code."""
    status = command_output(["git", "status", "--porcelain"], all_lines=True)
    return None if status is None else len(status.splitlines())


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine_info(options: Options) -> dict[str, Any]:
    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": asdict(options),
        "python": platform.python_version(),
        "django": package_version("django"),
        "gunicorn": package_version("gunicorn"),
        "whitenoise": package_version("whitenoise"),
        "wrk": command_output(["wrk", "-v"]),
        "git_commit": command_output(["git", "rev-parse", "--short", "HEAD"]),
        "git_changed_files": git_changed_files(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
    }


def header_lines(info: dict[str, Any]) -> list[str]:
    load = ", ".join(f"{n:.2f}" for n in info["load_average_before"])
    return [
        f"Dispatch benchmark, {info['started']}",
        f"Django {info['django']}, gunicorn {info['gunicorn']}, Python {info['python']}, "
        f"{info['cpus']} CPUs, load average {load}",
        "wrk shares the CPUs with the server and the machine is shared: compare the ratios",
        "measured in one run, not absolute req/s across runs.",
    ]


def print_section(section: Section) -> None:
    print(f"\n{section.title}")
    print("\n".join(f"  {line}" if line else "" for line in section.lines), flush=True)


def print_checks(sections: Sequence[Section]) -> None:
    checks = [check for section in sections for check in section.checks]
    if not checks:
        return
    rows = [["target", "reached", "aim", "result"]]
    rows += [[c.name, c.value, c.target, "met" if c.met else "NOT met"] for c in checks]
    print("\nTargets")
    print("\n".join(f"  {line}" for line in table(rows)))


def write_json(report: dict[str, Any]) -> Path:
    directory = ROOT / "var" / "bench"
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return number


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__)
    env = os.environ.get
    parser.add_argument(
        "--duration",
        type=positive_int,
        default=positive_int(env("BENCH_DURATION", "5")),
        help="seconds per wrk run (env BENCH_DURATION, default 5)",
    )
    parser.add_argument(
        "--rounds",
        type=positive_int,
        default=positive_int(env("BENCH_ROUNDS", "3")),
        help="alternating rounds over all scenarios (env BENCH_ROUNDS, default 3)",
    )
    parser.add_argument("--warmup", type=positive_int, default=2, help="seconds per scenario")
    parser.add_argument("--threads", type=positive_int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=positive_int, default=32, help="wrk connections")
    parser.add_argument("--workers", type=positive_int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--only",
        nargs="+",
        default=(),
        choices=[measure.__name__.removeprefix("measure_") for measure in MEASUREMENTS],
        help="run only these measurements",
    )
    args = parser.parse_args(argv)
    return Options(**vars(args) | {"only": tuple(args.only)})


# The seed article with BENCH_COMMENTS published comments, a copy of it (the busy article)
# with BUSY_COMMENTS, and a signed-in editor's session (staff read the pages nginx does not
# keep for them). Written behind the services' back, before the server starts, so no cache
# holds anything older.
SEED_CODE = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from articles.models import Article
from comments.models import Comment
article = Article.objects.get(slug="china-russia-ties-at-all-time-high")
topics = list(article.topics.all())
busy = Article.objects.get(pk=article.pk)
busy.pk, busy.slug = None, "BUSY_SLUG"
busy.save()
busy.topics.set(topics)
now = timezone.now()
for target, count in ((article, BENCH_COMMENTS), (busy, BUSY_COMMENTS)):
    Comment.objects.bulk_create(
        Comment(
            article=target,
            user_name=f"Reader {n}",
            text=f"Comment {n}: the SCO summit and what it means for trade with Moscow.",
            html=f"<p>Comment {n}: the SCO summit and what it means for trade with Moscow.</p>",
            status=Comment.Status.PUBLISHED,
            created=now - timezone.timedelta(minutes=count - n),
            content_hash=f"bench-{target.pk}-{n}",
        )
        for n in range(count)
    )
editor = get_user_model().objects.create_superuser("editor", "editor@example.org", None)
session = SessionStore()
session[SESSION_KEY] = str(editor.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = editor.get_session_auth_hash()
session.create()
print(json.dumps({"comments": Comment.objects.count(), "session": session.session_key}))
"""


def seed(env: dict[str, str]) -> str:
    """Seed the database (SEED_CODE); returns the editor's session key."""
    progress(
        f"publishing {BENCH_COMMENTS} comments under the article, {BUSY_COMMENTS:,} under "
        "a copy of it; an editor's session"
    )
    code = (
        SEED_CODE.replace("BUSY_SLUG", BUSY_SLUG)
        .replace("BENCH_COMMENTS", str(BENCH_COMMENTS))
        .replace("BUSY_COMMENTS", str(BUSY_COMMENTS))
    )
    return run_django(env, code, timeout=300)["session"]


@contextmanager
def private_redis() -> Iterator[str]:
    """A redis-server of our own for the cache and sessions, as a deployment has; "" (the
    per-process memory cache) when redis-server is not installed."""
    if shutil.which("redis-server") is None:
        progress("redis-server is not installed: the cache is each process's memory")
        yield ""
        return
    redis = stack.RedisServer()
    redis.start()
    try:
        yield redis.url
    finally:
        redis.stop()


def run(options: Options, workdir: Path) -> tuple[dict[str, Any], list[Section]]:
    info = machine_info(options)
    print("\n".join(header_lines(info)), flush=True)
    log = workdir / "gunicorn.log"
    sections: list[Section] = []
    with private_redis() as redis_url:
        info["cache"] = "redis" if redis_url else "locmem"
        env = server_environment(workdir, redis_url)
        migrate(env)
        session_key = seed(env)
        with (
            serve(env, options.workers, log) as base_url,
            nginx_in_front(base_url, workdir) as nginx_url,
        ):
            scenarios = with_placeholders(base_url, SCENARIOS, session_key)
            urls = {"app": base_url}
            results: dict[str, Any] = {}
            if nginx_url:
                write_static_copies(nginx_url, workdir / "nginx-static")
                scenarios += NGINX_SCENARIOS
                urls["nginx"] = nginx_url
            else:
                results["nginx_skipped"] = "nginx is not installed (make nginx installs it)"
                print(f"\nSkipping the nginx scenarios: {results['nginx_skipped']}.")
            bench = Bench(options, urls, scenarios, env=env, workdir=workdir, results=results)
            check_scenarios(bench)
            for measure in MEASUREMENTS:
                if options.only and measure.__name__.removeprefix("measure_") not in options.only:
                    continue
                section = measure(bench)
                print_section(section)
                bench.results[section.key] = section.data
                sections.append(section)
    info["load_average_after"] = os.getloadavg()
    report = {
        "meta": info,
        **bench.results,
        "checks": [asdict(check) for section in sections for check in section.checks],
        "server_log": server_log_summary(log),
    }
    return report, sections


def exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    # A CI timeout or `kill` sends SIGTERM: unwind so gunicorn is stopped and files removed.
    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGHUP, exit_on_signal)
    options = parse_options(argv)
    check_prerequisites()
    workdir = Path(tempfile.mkdtemp(prefix="dispatch-bench-"))
    try:
        report, sections = run(options, workdir)
    except RuntimeError as error:  # gunicorn stopped and the temporary files go all the same
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_checks(sections)
    problems = report["server_log"]["problem_lines"]
    if problems:
        print(f"\nThe server logged {problems} error lines, e.g.:")
        print("\n".join(f"  {line}" for line in report["server_log"]["first_problems"]))
    path = write_json(report)
    print(f"\nFigures: {path.relative_to(ROOT)}")
    failed = problems or any(section.failed for section in sections)
    if failed:
        print("Some responses were errors: these figures do not measure the pages.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
