"""Realistic comments in bulk for measuring (manage.py generate_comments): commenters,
replies, held and removed comments, reports, and the state comments.services would have
given each, written with COPY on PostgreSQL (bulk_create elsewhere), without running the
screening per comment."""

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article
from articles.page_scopes import article_page_scope
from comments import services, tallies
from comments.models import Comment, Commenter, Flag
from portal import content_versions
from portal.sanitizer import render_comment_text

_OPENINGS = [
    "I think",
    "Honestly,",
    "From what I have read,",
    "As someone who lived in Moscow,",
    "Let us be fair:",
    "It seems to me that",
    "Good article.",
    "Interesting point:",
]
_CLAIMS = [
    "the SCO matters more than most readers here assume",
    "trade between Beijing and Moscow will keep growing",
    "energy deals are the real story behind this interview",
    "the visit was more symbolic than practical",
    "Central Asia is where these ties will be tested",
    "the interview leaves out the disputes over the border",
    "both sides want stability more than anything else",
    "the numbers quoted on trade look optimistic",
]
_CLOSINGS = [
    "",
    " Time will tell.",
    " See https://example.org/report for the figures.",
    "\n\nThanks for covering this.",
    " Curious what others think.",
]
_HELD_REASONS = [
    ("insult", 0.62, "a possible insult"),
    ("off_topic", 0.55, "may be off-topic"),
    ("spam_links", 0.7, "links to other sites"),
    ("flood", 1.0, "many comments in a short time"),
]
_REMOVED_REASONS = [
    ("abusive", 0.93, "abusive language"),
    ("spam", 0.97, "advertising"),
    ("banned_term", 1.0, "a banned term"),
]


@dataclass(frozen=True)
class Shares:
    held: float = 0.02
    removed: float = 0.01
    replies: float = 0.2
    reports: float = 0.01


@dataclass(frozen=True)
class Text:
    text: str
    html: str
    digest: str


def _texts(rng: random.Random) -> list[Text]:
    """A few hundred distinct comments, each rendered and hashed once."""
    texts = {
        f"{opening} {claim}.{closing}"
        for opening in _OPENINGS
        for claim in _CLAIMS
        for closing in _CLOSINGS
    }
    return [Text(t, render_comment_text(t), services.content_hash(t)) for t in sorted(texts)]


def _reason(code: str, decision: str, score: float, detail: str) -> dict:
    return {"decision": decision, "code": code, "score": score, "spans": [], "detail": detail}


_COLUMNS = [
    "id",
    "article_id",
    "commenter_id",
    "parent_id",
    "user_name",
    "text",
    "html",
    "status",
    "screening",
    "screening_reasons",
    "screening_score",
    "screening_model",
    "reason_codes",
    "report_count",
    "report_weight",
    "client_key",
    "content_hash",
    "created",
    "status_changed",
    "review_since",
]


def _next_ids(table: str, n: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def generate(
    *,
    articles: list[Article],
    count: int,
    shares: Shares = Shares(),
    batch: int = 20_000,
    seed: int = 10,
    progress: Callable[[int], None] = lambda done: None,
) -> int:
    """Write `count` comments spread evenly over `articles`, the newest a minute ago and a
    minute apart before that, and return how many were written. Their tallies are counted
    again at the end, and the articles' cached pages made stale."""
    rng = random.Random(seed)
    texts = _texts(rng)
    postgres = connection.vendor == "postgresql"
    run = f"{random.getrandbits(32):08x}"  # so that a second run adds commenters
    pool = max(10, min(count // 20, 50_000))
    names = [f"Reader {n:05d}" for n in range(pool)]
    commenters = Commenter.objects.bulk_create(
        Commenter(name=name, fingerprint=f"generated-{run}-{n:05d}") for n, name in enumerate(names)
    )
    client_keys = [f"{rng.getrandbits(128):032x}" for _ in range(pool)]
    model_version = "generated"
    now = timezone.now()
    start = now - timedelta(minutes=count + 1)
    heads: dict[int, list[int]] = {article.pk: [] for article in articles}
    done = 0
    while done < count:
        size = min(batch, count - done)
        ids = _next_ids(Comment._meta.db_table, size) if postgres else [None] * size
        rows, flags = [], []
        for n in range(size):
            article = articles[(done + n) % len(articles)]
            created = start + timedelta(minutes=done + n)
            who = rng.randrange(pool)
            text = texts[rng.randrange(len(texts))]
            roll = rng.random()
            status, screened, reasons, score = "published", "publish", [], rng.random() * 0.3
            if roll < shares.held:
                status, screened = "held", "hold"
                code, score, detail = rng.choice(_HELD_REASONS)
                reasons = [_reason(code, "hold", score, detail)]
            elif roll < shares.held + shares.removed:
                status, screened = "removed", "remove"
                code, score, detail = rng.choice(_REMOVED_REASONS)
                reasons = [_reason(code, "remove", score, detail)]
            own_heads = heads[article.pk]
            parent = None
            if own_heads and rng.random() < shares.replies:
                # Replies answer one of the latest published comments, one level deep.
                parent = own_heads[-1 - rng.randrange(min(len(own_heads), 200))]
            reports = 0
            if status == "published" and rng.random() < shares.reports:
                reports = rng.randint(1, 3)  # weight 1 each: under COMMENT_REPORTS_TO_HOLD
            row = {
                "id": ids[n],
                "article_id": article.pk,
                "commenter_id": commenters[who].pk,
                "parent_id": parent,
                "user_name": names[who],
                "text": text.text,
                "html": text.html,
                "status": status,
                "screening": screened,
                "screening_reasons": json.dumps(reasons),
                "screening_score": score,
                "screening_model": model_version,
                "reason_codes": json.dumps(services.reason_codes(reasons)),
                "report_count": reports,
                "report_weight": reports,
                "client_key": client_keys[who],
                "content_hash": text.digest,
                "created": created,
                "status_changed": None,
                "review_since": services.queue_since(
                    status=status, report_count=reports, since=None, now=created
                ),
            }
            rows.append(row)
            if reports:
                flags.append((n, reports, created))
        with transaction.atomic():
            if postgres:
                _copy(
                    Comment._meta.db_table,
                    _COLUMNS,
                    [tuple(row[c] for c in _COLUMNS) for row in rows],
                )
            else:
                made = Comment.objects.bulk_create(
                    Comment(
                        **{
                            **{k: v for k, v in row.items() if k != "id"},
                            "screening_reasons": json.loads(row["screening_reasons"]),
                            "reason_codes": json.loads(row["reason_codes"]),
                        }
                    )
                    for row in rows
                )
                ids = [comment.pk for comment in made]
            Flag.objects.bulk_create(
                Flag(
                    comment_id=ids[n],
                    client_key=f"generated-report-{ids[n]}-{k}",
                    reason=rng.choice(Flag.Reason.values),
                    created=created + timedelta(seconds=30 * (k + 1)),
                    filed=created + timedelta(seconds=30 * (k + 1)),
                )
                for n, reports, created in flags
                for k in range(reports)
            )
        for n, row in enumerate(rows):
            if row["parent_id"] is None and row["status"] == "published":
                heads[row["article_id"]].append(ids[n])
        for article_id in heads:
            del heads[article_id][:-200]
        done += size
        progress(done)
    for article in articles:
        tallies.recount(article.pk)
        content_versions.bump(article_page_scope(article.slug))
    return done
