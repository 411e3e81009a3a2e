"""`make load`: mixed traffic through the production stack (nginx, two app instances, the task
worker, PostgreSQL, Redis) for LOAD_SECONDS, then the same traffic under four faults: Redis
killed and restarted, the database's connections terminated, an app instance killed, the task
worker killed mid-send of a newsletter issue. Everything stays on 127.0.0.1.

Reads: wrk, one process per kind of page, each connection pausing LOAD_READ_DELAY_MS between
requests (a bounded rate: the machine is shared). Writes: simulated readers in threads, each
from a loopback address of its own (nginx names it in X-Forwarded-For, so rate limits see
different readers and none is raised), who GET the article, parse its comment form like a
browser and post a comment as the page's script does (JSON), and report comments.

The report: requests and statuses by kind, p50/p99, comments accepted against the database,
the resident memory of every process at the start and end, and per fault what readers saw and
what was kept. Exit status 1 when an invariant fails. Figures go to var/load/<time>.json.
"""

import argparse
import contextlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is sys.path[0], not the checkout
    sys.path.insert(0, str(ROOT))

from bench import stack  # noqa: E402
from bench.stack import Answer, Browser  # noqa: E402

SEED_URL = "/2012/06/03/china-russia-ties-at-all-time-high/"
READS = {
    "home": ["/"],
    "article": [SEED_URL, f"{SEED_URL}?cpage=2", f"{SEED_URL}?order=newest"],
    "feed": ["/feeds/rss/"],
}
# The stack's settings for the run. COMMENT_MIN_SECONDS=0: the simulated readers post as soon
# as they have the form. Rate limits stay as in production, except the per-address one,
# lowered so that the Redis fault can show it held across processes with a few requests.
ADDRESS_LIMIT = 10
STACK_SETTINGS = {
    "WORKERS": "2",
    "COMMENT_MIN_SECONDS": "0",
    "COMMENT_RATE_LIMIT_ADDRESS": str(ADDRESS_LIMIT),
    "COMMENTS_PER_PAGE": "20",
    "NEWSLETTER_BATCH_SIZE": "100",
    # A killed worker's claims are taken back this long after it took them.
    "NEWSLETTER_CLAIM_SECONDS": "8",
    "LOG_LEVEL": "WARNING",
}
SENTENCES = [
    "Lavrov says the SCO keeps Beijing and Moscow close on regional security",
    "The interview explains how trade between China and Russia grew over the decade",
    "I would like to read more about the energy agreements mentioned by the minister",
    "Good to see both countries talking about Afghanistan and the wider region",
    "The summit in Beijing should show whether these promises turn into projects",
    "An interesting read on how the two governments describe their partnership",
    "Thanks for publishing the full interview rather than a short summary",
    "The part about the United Nations Security Council deserves more attention",
]
TERMINATIONS, TERMINATION_INTERVAL = 12, 0.3
FAULTS = ("redis", "database", "instance", "worker")
NAMES = ["Anna", "Boris", "Chen", "Dmitri", "Elena", "Fang", "Grigory", "Hui", "Irina", "Jun"]


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Options:
    seconds: int
    fault_seconds: int
    read_connections: int
    read_delay_ms: int
    writers: int
    writes_per_second: float
    subscribers: int
    faults: tuple[str, ...]


# --- Pages as a browser reads them ---------------------------------------------------------


def hidden(html: str, name: str) -> str | None:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else None


def title(body: str) -> str:
    found = re.search(r"<title>([^<]*)</title>", body)
    if found:
        return found.group(1).strip()
    return body.strip().splitlines()[0][:80] if body.strip() else ""


# --- Writers ----------------------------------------------------------------------------------


@dataclass
class Record:
    at: float  # time.time()
    phase: str
    kind: str
    status: int
    ms: float
    note: str = ""


@dataclass
class Ledger:
    """Everything the writers sent and what they were told, shared by the threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    records: list[Record] = field(default_factory=list)
    sent: dict[str, dict] = field(default_factory=dict)  # comment text -> what came back
    published: list[int] = field(default_factory=list)
    phase: str = "seed"

    def add(self, kind: str, answer: Answer, note: str = "") -> None:
        if answer.status >= 500 or answer.status == 0:
            note = note or title(answer.body)
        with self.lock:
            self.records.append(
                Record(time.time(), self.phase, kind, answer.status, answer.ms, note)
            )


class Writers:
    """Threads of simulated readers: each new reader posts one to three comments and may
    report a published one, then a new reader (new address, cookies and name) comes."""

    def __init__(self, port: int, ledger: Ledger, *, threads: int, per_second: float):
        self.port, self.ledger = port, ledger
        self.threads, self.per_second = threads, per_second
        self.stopping = threading.Event()
        self.addresses = (f"127.{a}.{b}.{c}" for a in range(1, 250) for b in range(256)
                          for c in range(1, 255))  # fmt: skip
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()
        self.running: list[threading.Thread] = []

    def new_browser(self) -> Browser:
        with self.lock:
            address, number = next(self.addresses), next(self.numbers)
        return Browser(self.port, address, f"{random.choice(NAMES)} {number}")

    def comment(self, browser: Browser, serial: int, *, reply_to: str = "") -> None:
        ledger = self.ledger
        page = browser.request("GET", SEED_URL)
        ledger.add("comment-page", page)
        if page.status != 200:
            return
        fields = {"timestamp": hidden(page.body, "timestamp")}
        action = re.search(r'action="(/comments/post/\d+/)"', page.body)
        if None in fields.values() or action is None:
            ledger.add("comment-page", Answer(-1, "no comment form", {}, 0), "no comment form")
            return
        text = f"{random.choice(SENTENCES)}. Comment {serial} from {browser.name}."
        answer = browser.request(
            "POST",
            action.group(1),
            {
                **fields,
                # The page's script gives each copy of the form a nonce of its own.
                "reader_nonce": str(uuid.uuid4()),
                "user_name": browser.name,
                "text": text,
                "reply_to": reply_to,
            },
            headers={"Accept": "application/json"},
        )
        outcome = {"status": answer.status, "phase": ledger.phase}
        if answer.headers.get("Content-Type", "").startswith("application/json"):
            with contextlib.suppress(ValueError):
                data = json.loads(answer.body)
                outcome["outcome"] = data.get("status")
                found = re.search(r"#c(\d+)", data.get("url", ""))
                if found:
                    outcome["id"] = int(found.group(1))
        ledger.add("comment-post", answer, outcome.get("outcome", ""))
        with ledger.lock:
            ledger.sent[text] = outcome
            if outcome.get("outcome") == "published" and "id" in outcome:
                ledger.published.append(outcome["id"])

    def report(self, browser: Browser) -> None:
        ledger = self.ledger
        with ledger.lock:
            if not ledger.published:
                return
            target = random.choice(ledger.published[-200:])
        path = f"/comments/{target}/report/"
        page = browser.request("GET", path)
        ledger.add("report-page", page)
        if page.status != 200:
            return
        answer = browser.request(
            "POST",
            path,
            {"reason": "off_topic", "note": ""},
            headers={"Accept": "application/json"},
        )
        ledger.add("report-post", answer)

    def run_one(self, interval: float) -> None:
        browser, left = self.new_browser(), random.randint(1, 3)
        next_at = time.monotonic()
        while not self.stopping.is_set():
            if random.random() < 0.2:
                self.report(browser)
            else:
                self.comment(browser, next(self.numbers))
                left -= 1
            if left <= 0:
                browser, left = self.new_browser(), random.randint(1, 3)
            next_at += interval
            self.stopping.wait(max(0.0, next_at - time.monotonic()))

    def start(self) -> None:
        interval = self.threads / self.per_second
        for _ in range(self.threads):
            thread = threading.Thread(target=self.run_one, args=(interval,), daemon=True)
            thread.start()
            self.running.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.running:
            thread.join(timeout=60)


# --- Reads with wrk ---------------------------------------------------------------------------

WRK_SCRIPT = """
-- Paths in turn (after "--": the pause in ms, then the paths); statuses counted per thread.
local paths, n, pause = {}, 0, 0
statuses = {}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  pause = tonumber(args[1])
  for i = 2, #args do paths[#paths + 1] = args[i] end
  wrk.headers["Accept-Encoding"] = "gzip"
end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n - 1) % #paths + 1])
end
function delay() return pause end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local parts = {}
  local total = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      total[code] = (total[code] or 0) + count
    end
  end
  for code, count in pairs(total) do parts[#parts + 1] = string.format('"%d": %d', code, count) end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\\n")
  io.write(string.format("LATENCY %d %d\\n", latency:percentile(50), latency:percentile(99)))
end
"""


class Reads:
    """One wrk per kind of page for `seconds`."""

    def __init__(self, port: int, options: Options, script: Path, seconds: int):
        self.processes = {}
        for kind, paths in READS.items():
            self.processes[kind] = subprocess.Popen(
                ["wrk", "-t1", f"-c{options.read_connections}", f"-d{seconds}s",
                 "--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{port}",
                 "--", str(options.read_delay_ms), *paths],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip

    def results(self) -> dict[str, dict]:
        found = {}
        for kind, process in self.processes.items():
            output, _ = process.communicate()
            statuses = re.search(r"^STATUSES (\{.*\})$", output, re.M)
            latency = re.search(r"^LATENCY (\d+) (\d+)$", output, re.M)
            errors = re.search(
                r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
            )
            if not statuses or not latency:
                raise RuntimeError(f"cannot read wrk's output for {kind}:\n{output}")
            counts = {int(k): v for k, v in json.loads(statuses.group(1)).items()}
            found[kind] = {
                "requests": sum(counts.values()),
                "statuses": counts,
                "p50_ms": int(latency.group(1)) / 1000,
                "p99_ms": int(latency.group(2)) / 1000,
                "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
            }
        return found


# --- The nginx access log: every request, with its second and status --------------------------

_LOG_LINE = re.compile(r'^\S+ \[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) ')


def access_log(running: stack.Running) -> list[tuple[float, str, str, int]]:
    """(epoch second, method, path, status) for every line of nginx's access log."""
    lines = []
    path = running.logs() / "access.log"
    for line in path.read_text(errors="replace").splitlines():
        found = _LOG_LINE.match(line)
        if found:
            when = datetime.strptime(found.group(1), "%d/%b/%Y:%H:%M:%S %z").timestamp()
            lines.append((when, found.group(2), found.group(3), int(found.group(4))))
    return lines


def log_window(log, start: float, end: float) -> list[tuple[float, str, str, int]]:
    # nginx logs whole seconds: a request at 12.9 s is logged at 12.
    return [line for line in log if int(start) <= line[0] <= end]


# --- Memory -----------------------------------------------------------------------------------


def memory(running: stack.Running) -> dict[str, int]:
    """Resident memory (KiB) of every process of the stack, by name."""
    return {
        name: kb
        for name, pid in stack.stack_processes(running).items()
        if (kb := stack.rss_kb(pid)) is not None
    }


# --- The run ----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def writes_summary(records: list[Record]) -> dict[str, dict]:
    by_kind = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    return {
        kind: {
            "requests": len(found),
            "statuses": dict(Counter(r.status for r in found)),
            "p50_ms": round(percentile([r.ms for r in found], 0.5), 1),
            "p99_ms": round(percentile([r.ms for r in found], 0.99), 1),
        }
        for kind, found in sorted(by_kind.items())
    }


def database_comments(running: stack.Running) -> dict[str, list[tuple[int, str]]]:
    import psycopg

    rows = defaultdict(list)
    with psycopg.connect(running.env["DATABASE_URL"]) as connection:
        for pk, text, status in connection.execute("SELECT id, text, status FROM comments_comment"):
            rows[text].append((pk, status))
    return rows


def comments_check(ledger: Ledger, running: stack.Running) -> dict:
    """Every comment the client was told was taken (201) is stored exactly once, under the
    id it was given; nothing it was refused is stored; what got no answer may be either."""
    stored = database_comments(running)
    with ledger.lock:
        sent = dict(ledger.sent)
    accepted = {text: o for text, o in sent.items() if o["status"] == 201}
    refused = {text: o for text, o in sent.items() if 0 < o["status"] < 500 and o["status"] != 201}
    unanswered = {text: o for text, o in sent.items() if o["status"] == 0 or o["status"] >= 500}
    not_once = [t for t in accepted if len(stored.get(t, [])) != 1]
    wrong_id = [
        t
        for t, o in accepted.items()
        if "id" in o and [pk for pk, _ in stored.get(t, [])] != [o["id"]]
    ]
    refused_stored = [t for t in refused if stored.get(t)]
    return {
        "sent": len(sent),
        "accepted": len(accepted),
        "outcomes": dict(Counter(o.get("outcome", str(o["status"])) for o in accepted.values())),
        "stored_once": len(accepted) - len(not_once),
        "not_stored_once": not_once[:5],
        "wrong_id": wrong_id[:5],
        "refused": dict(Counter(o["status"] for o in refused.values())),
        "refused_but_stored": refused_stored[:5],
        "unanswered": len(unanswered),
        "unanswered_stored": sum(1 for t in unanswered if stored.get(t)),
        "ok": not not_once and not wrong_id and not refused_stored,
    }


def seed(running: stack.Running, ledger: Ledger, writers: Writers, count: int) -> None:
    """Comments to read (a second page of them) before the traffic starts."""
    for serial in range(count):
        writers.comment(writers.new_browser(), serial)
    ledger.records.clear()


class Run:
    def __init__(self, options: Options, workdir: Path, services: stack.Services):
        self.options, self.workdir, self.services = options, workdir, services
        self.script = workdir / "reads.lua"
        self.script.write_text(WRK_SCRIPT)
        self.report: dict = {"options": options.__dict__, "settings": STACK_SETTINGS}
        self.failures: list[str] = []

    def fail(self, message: str) -> None:
        self.failures.append(message)
        progress(f"FAILED: {message}")

    def phase(self, name: str, seconds: int, action=None) -> dict:
        """Traffic for `seconds` (reads and the writers, already running); `action` (the
        fault) runs meanwhile and returns what it found, with its window of expected
        errors."""
        self.ledger.phase = name
        started = time.time()
        reads = Reads(self.running.port, self.options, self.script, seconds)
        found = action() if action else {}
        results = reads.results()
        ended = time.time()
        with self.ledger.lock:
            records = [r for r in self.ledger.records if r.phase == name]
        log = log_window(access_log(self.running), started, ended)
        window = found.pop("window", None)
        outside = [
            line for line in log
            if line[3] >= 500 and not (window and window[0] - 1 <= line[0] <= window[1] + 1)
        ]  # fmt: skip
        inside = [line for line in log if line[3] >= 500 and line not in outside]
        summary = {
            "seconds": round(ended - started, 1),
            "reads": results,
            "writes": writes_summary(records),
            "all_requests": dict(Counter(line[3] for line in log)),
            "5xx_outside_window": len(outside),
            "5xx_in_window": dict(Counter(f"{m} {p.split('?')[0]} {s}" for _, m, p, s in inside)),
            "error_pages": dict(
                Counter(f"{r.status} {r.note}" for r in records if r.status >= 500 or r.status == 0)
            ),
            **found,
        }
        if window:
            summary["window_seconds"] = round(window[1] - window[0], 1)
        if outside:
            self.fail(f"{name}: {len(outside)} 5xx answers outside the fault's window")
        return summary

    # The faults. Each returns what it found and the window (start, end) in which errors
    # are expected: from the fault to the recovery.

    def healthy(self, port: int) -> bool:
        answer = Browser(port, "127.0.0.1", "probe").request("GET", "/healthz")
        return answer.status == 200

    def wait_healthy(self, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.healthy(port) for port in self.running.app_ports):
                return time.time()
            time.sleep(0.2)
        return None

    def flood(self, address: str, attempts: int) -> Counter:
        """One reader sending empty comment forms: each is refused (400) until the
        per-address limit answers 429."""
        browser = Browser(self.running.port, address, "Flood")
        page = browser.request("GET", SEED_URL)
        fields = {"timestamp": hidden(page.body, "timestamp")}
        action = re.search(r'action="(/comments/post/\d+/)"', page.body).group(1)
        statuses = Counter()
        for _ in range(attempts):
            answer = browser.request("POST", action, fields, headers={"Accept": "application/json"})
            statuses[answer.status] += 1
        return statuses

    def redis_fault(self) -> dict:
        third = self.options.fault_seconds / 3
        time.sleep(min(3, third))
        redis = self.services.redis
        killed = time.time()
        redis.kill()
        progress("redis: killed (SIGKILL)")
        time.sleep(1)
        processes = 2 * int(STACK_SETTINGS["WORKERS"])
        during = self.flood("127.254.0.1", ADDRESS_LIMIT * processes)
        # Each process counts alone, each attempt twice: at most limit/2 per process pass.
        most = (ADDRESS_LIMIT // 2) * processes
        fail_safe = during[429] > 0 and during[400] <= most
        if not fail_safe:
            self.fail(f"redis: rate limits did not hold per process while it was down: {during}")
        time.sleep(max(0.0, killed + third - time.time()))
        redis.start()
        restarted = time.time()
        progress("redis: started again on the same port")
        recovered = self.wait_healthy(30)
        logs = {
            port: (self.running.logs() / f"app-{n}.log").read_text(errors="replace")
            for n, port in enumerate(self.running.app_ports, start=1)
        }
        failed_lines = sum(text.count("The shared cache failed") for text in logs.values())
        again_lines = sum(text.count("The shared cache answers again") for text in logs.values())
        after = self.flood("127.254.0.2", ADDRESS_LIMIT + 3)
        shared = after == Counter({400: ADDRESS_LIMIT, 429: 3})
        if recovered is None:
            self.fail("redis: the stack did not report the cache healthy again")
        if not shared:
            self.fail(f"redis: counters not shared again after the restart: {after}")
        if again_lines == 0:
            self.fail("redis: no process logged that the shared cache answers again")
        return {
            "down_seconds": round(restarted - killed, 1),
            "recovered_after_restart_seconds": round(recovered - restarted, 1)
            if recovered
            else None,
            "flood_while_down": dict(during),
            "flood_limit_per_process": ADDRESS_LIMIT // 2,
            "rate_limits_fail_safe": fail_safe,
            "log_lines_failed": failed_lines,
            "log_lines_answers_again": again_lines,
            "flood_after_restart": dict(after),
            "counters_shared_again": shared,
            "window": (killed, (recovered or time.time())),
        }

    def database_fault(self) -> dict:
        import psycopg

        time.sleep(min(3, self.options.fault_seconds / 3))
        terminated = []
        started = time.time()
        # Every connection of the app's (web processes and the task worker), again and again
        # for a few seconds, so that some are cut in the middle of a request.
        with psycopg.connect(self.running.env["DATABASE_URL"], autocommit=True) as connection:
            for _ in range(TERMINATIONS):
                rows = connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
                terminated.append(len(rows))
                time.sleep(TERMINATION_INTERVAL)
        last = time.time() - TERMINATION_INTERVAL
        progress(
            f"database: terminated {sum(terminated)} connections in {TERMINATIONS} rounds, "
            f"{TERMINATION_INTERVAL} s apart"
        )
        recovered = self.wait_healthy(30)
        if recovered is None:
            self.fail("database: the stack did not answer healthy again")
        worker_deaths = len(re.findall(r"^worker \(pid \d+\) exited", self.running.text(), re.M))
        return {
            "terminated": sum(terminated),
            "rounds": TERMINATIONS,
            "task_worker_restarts": worker_deaths,
            "recovered_after_seconds": round(recovered - last, 1) if recovered else None,
            "window": (started, (recovered or time.time())),
        }

    def instance_fault(self) -> dict:
        time.sleep(min(3, self.options.fault_seconds / 3))
        pid = self.running.current_pid("app-1")
        killed = time.time()
        os.killpg(pid, signal.SIGKILL)  # its master and workers at once
        progress(f"app-1: killed (pid {pid}, SIGKILL)")
        port = self.running.app_ports[0]
        restarted = self.running.wait_for_output(
            r"app-1 \(pid \d+\) exited with code -9; started it again", timeout=30
        )
        deadline, back = time.monotonic() + 60, None
        while restarted and time.monotonic() < deadline:
            if self.healthy(port):
                back = time.time()
                break
            time.sleep(0.2)
        if back is None:
            self.fail("app-1 was not started again, or did not answer")
        return {
            "killed_pid": pid,
            "started_again": restarted,
            "answering_again_after_seconds": round(back - killed, 1) if back else None,
            # Requests in flight on the killed instance, and those sent to it before nginx
            # marks it failed, are the only ones allowed to fail.
            "window": (killed, killed + 2),
        }

    def worker_fault(self) -> dict:
        import psycopg

        mailbox = self.services.mailbox
        mailbox.delay = 0.02
        count = self.options.subscribers
        issue = int(
            stack.manage(
                self.running,
                "from django.utils import timezone\n"
                "from articles.models import Article\n"
                "from newsletter import sending\n"
                "from newsletter.models import Subscriber\n"
                "now = timezone.now()\n"
                "Subscriber.objects.bulk_create([Subscriber(email=f'load{n}@example.org', "
                f"status='confirmed', confirmed_at=now) for n in range({count})])\n"
                "Article.objects.create(headline='Load test digest', slug='load-test-digest', "
                "summary='For the newsletter.', body='<p>Load.</p>', status='published', "
                "published_at=now)\n"
                "print(sending.send_newsletter().issue.pk)\n",
            ).split()[-1]
        )
        before = mailbox.count()
        deadline = time.monotonic() + 60
        while mailbox.count() - before < count // 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        pid = self.running.current_pid("worker")
        killed = time.time()
        os.killpg(pid, signal.SIGKILL)
        at_kill = mailbox.count() - before
        progress(f"worker: killed (pid {pid}) after {at_kill} of {count} messages")
        restarted = self.running.wait_for_output(
            r"worker \(pid \d+\) exited with code -9; started it again", timeout=30
        )
        url = self.running.env["DATABASE_URL"]
        status, deadline = "sending", time.monotonic() + 120
        while time.monotonic() < deadline:
            with psycopg.connect(url) as connection:
                status = connection.execute(
                    "SELECT status FROM newsletter_issue WHERE id = %s", [issue]
                ).fetchone()[0]
            if status == "sent":
                break
            time.sleep(0.5)
        finished = time.time()
        with psycopg.connect(url) as connection:
            states = dict(
                connection.execute(
                    "SELECT state, count(*) FROM newsletter_delivery WHERE issue_id = %s "
                    "GROUP BY state",
                    [issue],
                ).fetchall()
            )
            unknown = {
                email
                for (email,) in connection.execute(
                    "SELECT s.email FROM newsletter_delivery d JOIN newsletter_subscriber s "
                    "ON s.id = d.subscriber_id WHERE d.issue_id = %s AND d.state = 'unknown'",
                    [issue],
                )
            }
        mailbox.delay = 0.0
        received = {
            rcpt: n for rcpt, n in mailbox.by_recipient().items() if rcpt.startswith("load")
        }
        everyone = {f"load{n}@example.org" for n in range(count)}
        duplicates = sorted(r for r, n in received.items() if n > 1)
        missing = sorted(everyone - set(received))
        lost = [r for r in missing if r not in unknown]
        if status != "sent":
            self.fail(f"worker: the issue did not finish after the restart ({states})")
        if duplicates:
            self.fail(f"worker: {len(duplicates)} subscribers got two copies")
        if lost:
            self.fail(f"worker: {len(lost)} subscribers got nothing and are not UNKNOWN")
        return {
            "subscribers": count,
            "received_before_kill": at_kill,
            "worker_started_again": restarted,
            "issue_status": status,
            "issue_finished_after_kill_seconds": round(finished - killed, 1),
            "deliveries": states,
            "subscribers_with_one_copy": sum(1 for n in received.values() if n == 1),
            "duplicates": len(duplicates),
            "missing": len(missing),
            "missing_not_unknown": len(lost),
            # The message being handed over when the worker died: recorded UNKNOWN, not
            # re-sent behind the editor's back; the sink says whether it had arrived.
            "unknown_arrived": sum(1 for r in unknown if r in received),
            "unknown": len(unknown),
            "window": None,
        }

    def execute(self) -> None:
        options = self.options
        progress("starting the stack (scripts/serve: nginx, 2 app instances, the worker)")
        self.running = stack.start_serve(self.services, self.workdir, **STACK_SETTINGS)
        self.ledger = Ledger()
        writers = Writers(
            self.running.port,
            self.ledger,
            threads=options.writers,
            per_second=options.writes_per_second,
        )
        try:
            progress("seeding 30 comments, then warming up for 5 s")
            seed(self.running, self.ledger, writers, 30)
            writers.start()
            self.phase("warm-up", 5)
            memory_start = memory(self.running)
            progress(f"mixed traffic for {options.seconds} s")
            self.report["load"] = self.phase("load", options.seconds)
            self.report["memory_kib"] = {"start": memory_start, "end": memory(self.running)}
            if options.faults:
                for name in options.faults:
                    action = getattr(self, f"{name}_fault")
                    progress(f"fault: {name}, {options.fault_seconds} s of traffic")
                    self.report[f"fault_{name}"] = self.phase(
                        f"fault-{name}", options.fault_seconds, action
                    )
                self.report["memory_kib"]["after_faults"] = memory(self.running)
        finally:
            writers.stop()
            if hasattr(self, "running"):
                self.report["comments"] = comments_check(self.ledger, self.running)
                self.report["serve_output"] = self.running.text().splitlines()[-12:]
                stack.stop_serve(self.running)
        load = self.report["load"]
        if any(s >= 500 for kind in load["reads"].values() for s in kind["statuses"]):
            self.fail("load: 5xx answers to reads")
        if any(s >= 500 or s == 0 for kind in load["writes"].values() for s in kind["statuses"]):
            self.fail("load: 5xx (or no answer) to writes")
        if not self.report["comments"]["ok"]:
            self.fail(f"comments: accepted and stored differ: {self.report['comments']}")
        self.check_memory()

    def check_memory(self) -> None:
        """Growth beyond noise: a process that ends the traffic more than 20 MiB and 25 %
        above where it started it."""
        start, end = self.report["memory_kib"]["start"], self.report["memory_kib"]["end"]
        grown = {
            name: (start[name], end[name])
            for name in start.keys() & end.keys()
            if end[name] - start[name] > 20 * 1024 and end[name] > start[name] * 1.25
        }
        self.report["memory_grown"] = grown
        if grown:
            self.fail(f"memory grew beyond noise: {grown}")


# --- Printing ---------------------------------------------------------------------------------


def table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]


def statuses(counts: dict) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))


def phase_lines(summary: dict) -> list[str]:
    rows = [["kind", "requests", "statuses", "p50 ms", "p99 ms"]]
    for kind, found in {**summary["reads"], **summary["writes"]}.items():
        rows.append(
            [kind, found["requests"], statuses(found["statuses"]), found["p50_ms"], found["p99_ms"]]
        )
    lines = table(rows)
    lines.append(f"all requests at nginx: {statuses(summary['all_requests'])}")
    lines.append(
        f"5xx outside the fault's window: {summary['5xx_outside_window']}; in it: "
        f"{summary['5xx_in_window'] or 'none'}"
    )
    if summary["error_pages"]:
        lines.append(f"error pages the writers saw: {summary['error_pages']}")
    skip = {"seconds", "reads", "writes", "all_requests", "5xx_outside_window", "5xx_in_window",
            "error_pages"}  # fmt: skip
    for key, value in summary.items():
        if key not in skip:
            lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines


def print_report(report: dict) -> None:
    sections = [("load", f"Mixed traffic, {report['load']['seconds']} s")]
    sections += [
        (key, f"Fault: {key.removeprefix('fault_')}") for key in report if key.startswith("fault_")
    ]
    for key, heading in sections:
        print(f"\n{heading}")
        print("\n".join(f"  {line}" for line in phase_lines(report[key])))
    comments = report["comments"]
    print("\nComments (the whole run)")
    for key, value in comments.items():
        print(f"  {key.replace('_', ' ')}: {value}")
    print("\nResident memory, MiB (start of traffic -> end of traffic -> after the faults)")
    memory = report["memory_kib"]
    rows = [["process", "start", "end", "after faults"]]
    for name in sorted(memory["start"]):
        after = memory.get("after_faults", {}).get(name)
        rows.append(
            [
                name,
                f"{memory['start'][name] / 1024:.1f}",
                f"{memory['end'].get(name, 0) / 1024:.1f}",
                f"{after / 1024:.1f}" if after else "-",
            ]
        )
    print("\n".join(f"  {line}" for line in table(rows)))


def parse_options(argv=None) -> Options:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(env("LOAD_SECONDS", "300")))
    parser.add_argument("--fault-seconds", type=int, default=int(env("LOAD_FAULT_SECONDS", "25")))
    parser.add_argument("--read-connections", type=int, default=4, help="per kind of page")
    parser.add_argument("--read-delay-ms", type=int, default=int(env("LOAD_READ_DELAY_MS", "10")))
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument(
        "--writes-per-second", type=float, default=float(env("LOAD_WRITES_PER_SECOND", "4"))
    )
    parser.add_argument("--subscribers", type=int, default=300)
    parser.add_argument(
        "--faults",
        default=env("LOAD_FAULTS", ",".join(FAULTS)),
        help=f"which faults, in order, comma-separated, or none (default {','.join(FAULTS)})",
    )
    args = parser.parse_args(argv)
    args.faults = tuple(name for name in args.faults.split(",") if name and name != "none")
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))}")
    return Options(**vars(args))


def main(argv=None) -> int:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    options = parse_options(argv)
    if not stack.postgres_answers():
        print(f"error: PostgreSQL does not answer at {stack.POSTGRES}", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="dispatch-load-"))
    started = datetime.now(UTC)
    with stack.services() as services:
        run = Run(options, workdir, services)
        try:
            run.execute()
        except (stack.StackError, RuntimeError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    if not run.failures:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"The stack's logs: {workdir / 'serve' / 'logs'}", file=sys.stderr)
    run.report["started"] = started.isoformat()
    run.report["failures"] = run.failures
    print_report(run.report)
    directory = ROOT / "var" / "load"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(run.report, indent=2, default=str) + "\n")
    print(f"\nFigures: {path.relative_to(ROOT)}")
    if run.failures:
        print("\nFailed:\n" + "\n".join(f"  {failure}" for failure in run.failures))
        return 1
    print("\nEvery invariant held.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
