"""backup_db and restore_db, run as an operator runs them (manage.py in a process of its
own) on a scratch database of each engine: a file SQLite database in a temporary folder, and
a PostgreSQL database created and dropped here."""

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
POSTGRES = "postgres://postgres@127.0.0.1:5432"
SEED_HEADLINE = "China-Russia ties at all-time high"

# Three comments on the seed article, made as the comment tests' factory makes them.
ADD_COMMENTS = """
from articles.models import Article
from comments.models import Comment
article = Article.objects.get()
for n, name in enumerate(["Ann", "Boris", "Wei"]):
    Comment.objects.create(
        article=article, user_name=name, text=f"Comment {n} by {name}", html="",
        status=Comment.Status.PUBLISHED, content_hash=f"h{n}",
    )
"""
# An accident after the backup: comments gone, the headline overwritten, one new comment.
DAMAGE = """
from articles.models import Article
from comments.models import Comment
Comment.objects.all().delete()
Article.objects.update(headline="Overwritten by mistake")
Comment.objects.create(
    article=Article.objects.get(), user_name="Later", text="After the backup", html="",
    status=Comment.Status.PUBLISHED, content_hash="later",
)
"""


@dataclass
class Scratch:
    url: str
    rows: Callable[[str], list[tuple]]
    suffix: str

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        } | {"DEBUG": "false", "DATABASE_URL": self.url, "SECRET_KEY": "backup-test-key"}
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def run(self, *args: str) -> str:
        result = self.manage(*args)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def state(self) -> tuple[list[tuple], list[tuple]]:
        return (
            self.rows("SELECT headline FROM articles_article"),
            self.rows("SELECT user_name, text FROM comments_comment ORDER BY user_name"),
        )


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One migrated SQLite database that each test copies (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    Scratch(f"sqlite:///{path}", lambda sql: [], ".sqlite3").run("migrate", "--noinput", "-v0")
    return path


@pytest.fixture
def sqlite_scratch(tmp_path, migrated_sqlite):
    path = tmp_path / "live.sqlite3"
    shutil.copyfile(migrated_sqlite, path)

    def rows(sql: str) -> list[tuple]:
        with sqlite3.connect(path) as db:
            return db.execute(sql).fetchall()

    return Scratch(f"sqlite:///{path}", rows, ".sqlite3")


@pytest.fixture
def postgresql_scratch():
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed (apt-get install postgresql-client)")
    psycopg = pytest.importorskip("psycopg")
    name = f"dispatch_backup_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL is not running on 127.0.0.1:5432 ({error})")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:

            def rows(sql: str) -> list[tuple]:
                with psycopg.connect(f"{POSTGRES}/{name}") as db:
                    return db.execute(sql).fetchall()

            yield Scratch(f"{POSTGRES}/{name}", rows, ".dump")
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch(request):
    return request.getfixturevalue(f"{request.param}_scratch")


def test_a_restore_brings_back_what_the_backup_held(scratch, tmp_path):
    scratch.run("migrate", "--noinput", "-v0")
    scratch.run("shell", "-c", ADD_COMMENTS)
    before = scratch.state()
    assert before == (
        [(SEED_HEADLINE,)],
        [("Ann", "Comment 0 by Ann"), ("Boris", "Comment 1 by Boris"), ("Wei", "Comment 2 by Wei")],
    )
    backup = tmp_path / f"dispatch{scratch.suffix}"
    assert "Backed up" in scratch.run("backup_db", str(backup))

    scratch.run("shell", "-c", DAMAGE)
    damaged = scratch.state()
    assert damaged == ([("Overwritten by mistake",)], [("Later", "After the backup")])

    # Without --yes: says what it would replace, and changes nothing.
    refused = scratch.manage("restore_db", str(backup))
    assert refused.returncode != 0
    assert "This would replace everything in the " in refused.stderr
    assert "now 1 article, 1 comment" in refused.stderr
    assert str(backup) in refused.stderr
    assert "--yes" in refused.stderr
    assert scratch.state() == damaged

    assert "Restored" in scratch.run("restore_db", str(backup), "--yes")
    assert scratch.state() == before
    # The restored database is one the site can carry on with.
    assert "No migrations to apply" in scratch.run("migrate", "--noinput")


def test_a_backup_never_replaces_a_file_unless_asked(sqlite_scratch, tmp_path):
    backup = tmp_path / "kept.sqlite3"
    backup.write_bytes(b"an older backup")
    result = sqlite_scratch.manage("backup_db", str(backup))
    assert result.returncode != 0
    assert "exists; pass --force" in result.stderr
    assert backup.read_bytes() == b"an older backup"
    sqlite_scratch.run("backup_db", str(backup), "--force")
    assert backup.read_bytes().startswith(b"SQLite format 3\x00")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "There is no file"),
        (b"not a backup at all", "neither an SQLite database nor a pg_dump"),
        (b"PGDMP\x01\x0e\x00", "is a backup of a PostgreSQL database"),
    ],
)
def test_a_file_that_is_not_a_fitting_backup_is_refused_and_nothing_changes(
    sqlite_scratch, tmp_path, content, message
):
    sqlite_scratch.run("shell", "-c", ADD_COMMENTS)
    before = sqlite_scratch.state()
    source = tmp_path / "suspect.bin"
    if content is not None:
        source.write_bytes(content)
    result = sqlite_scratch.manage("restore_db", str(source), "--yes")
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sqlite_scratch.state() == before
