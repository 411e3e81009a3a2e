"""Backing up and restoring the database: SQLite through its online backup API, PostgreSQL
through pg_dump's custom format and pg_restore (the commands backup_db and restore_db).

A backup is written to a temporary file beside the target and renamed into place once
complete, so a failed run never leaves a truncated file under the name a restore would use.
A restore checks the file is a backup of the right kind before it touches the database, and
replaces the data in one step: SQLite's backup API writes every page under the database's
lock (other processes see the old or the new data, never half), and pg_restore runs in a
single transaction (an error rolls everything back).
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
ENGINES = {"django.db.backends.sqlite3": "sqlite", "django.db.backends.postgresql": "postgresql"}
# What the restore message counts, in the database and in an SQLite backup.
COUNTED = {"articles": "articles_article", "comments": "comments_comment"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


def kind_of(database: Mapping[str, Any]) -> str:
    engine = database["ENGINE"]
    if engine not in ENGINES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")
    return ENGINES[engine]


def describe(database: Mapping[str, Any]) -> str:
    if kind_of(database) == "sqlite":
        return f"the SQLite database {database['NAME']}"
    host = database.get("HOST") or "localhost"
    port = database.get("PORT") or 5432
    return f"the PostgreSQL database {database['NAME']!r} on {host}:{port}"


def kind_of_file(path: Path) -> str:
    """What a backup file holds, from its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"There is no file {path}.") from None
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither an SQLite database nor a pg_dump custom-format archive.")


def backup(database: Mapping[str, Any], target: Path, *, overwrite: bool = False) -> None:
    """Write a backup of `database` to `target`."""
    kind = kind_of(database)
    target = Path(target)
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists; pass --force to replace it.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no folder {target.parent}.")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(descriptor)
    try:
        if kind == "sqlite":
            _backup_sqlite(Path(database["NAME"]), Path(temporary))
        else:
            _run_pg("pg_dump", database, "--format=custom", f"--file={temporary}")
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def describe_backup(path: Path) -> str:
    """What a backup file holds, in a few words (for the restore's confirmation)."""
    kind = kind_of_file(path)
    if kind == "sqlite":
        counts = _count_sqlite(path)
        return f"{path} (an SQLite backup with {counts_text(counts)})"
    listing = _run_pg("pg_restore", None, "--list", str(path)).stdout
    made, name = "at an unknown time", "?"
    for line in listing.splitlines():
        line = line.lstrip("; ")
        if line.startswith("Archive created at "):
            made = "at " + line.removeprefix("Archive created at ")
        elif line.startswith("dbname:"):
            name = line.removeprefix("dbname:").strip()
    return f"{path} (a pg_dump of {name!r} made {made})"


def check_fits(database: Mapping[str, Any], source: Path) -> None:
    """Raise BackupError unless `source` is a backup `database` can be restored from."""
    kind, file_kind = kind_of(database), kind_of_file(Path(source))
    if kind != file_kind:
        raise BackupError(
            f"{source} is a backup of {_engine_name(file_kind)} database; the database here "
            f"is {_engine_name(kind)} one. Nothing was restored."
        )


def restore(database: Mapping[str, Any], source: Path) -> None:
    """Replace every table of `database` with the contents of the backup `source`."""
    check_fits(database, source)
    kind = kind_of(database)
    if kind == "sqlite":
        _restore_sqlite(Path(source), Path(database["NAME"]))
    else:
        _run_pg(
            "pg_restore",
            database,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            # Objects belong to the user the site connects as, whoever made the dump.
            "--no-owner",
            "--no-acl",
            str(source),
        )


def counts_text(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {name if n != 1 else name[:-1]}" for name, n in counts.items())


def _engine_name(kind: str) -> str:
    return {"sqlite": "an SQLite", "postgresql": "a PostgreSQL"}[kind]


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    # The online backup API copies a consistent snapshot while the site keeps writing. The
    # copy is one self-contained file (no -wal beside it), so it can be moved and opened
    # read-only.
    with _sqlite(f"file:{source}?mode=rw") as live, _sqlite(str(target)) as copy:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")


def _restore_sqlite(source: Path, target: Path) -> None:
    with _sqlite(f"file:{source}?mode=ro") as backup_db:
        if backup_db.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError(f"{source} is a damaged SQLite database; nothing was restored.")
        tables = {row[0] for row in backup_db.execute("SELECT name FROM sqlite_master")}
        if "django_migrations" not in tables:
            raise BackupError(f"{source} is not a Dispatch database; nothing was restored.")
        with _sqlite(f"file:{target}?mode=rwc") as live:
            mode = live.execute("PRAGMA journal_mode").fetchone()[0]
            backup_db.backup(live)
            # The copy's pages carry the backup's journal mode; keep the site's (WAL).
            live.execute(f"PRAGMA journal_mode={mode}")


class _sqlite:
    """An sqlite3 connection closed on exit (sqlite3's own context manager only commits)."""

    def __init__(self, name: str) -> None:
        uri = name.startswith("file:")
        try:
            self.connection = sqlite3.connect(name, uri=uri, timeout=20)
        except sqlite3.Error as error:
            raise BackupError(f"Cannot open {name.removeprefix('file:')}: {error}.") from None

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc_info) -> None:
        self.connection.close()


def _count_sqlite(path: Path) -> dict[str, int]:
    counts = {}
    with _sqlite(f"file:{path}?mode=ro") as db:
        for name, table in COUNTED.items():
            try:
                counts[name] = db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            except sqlite3.DatabaseError as error:
                raise BackupError(f"{path} is not a Dispatch database ({error}).") from None
    return counts


def _run_pg(
    program: str, database: Mapping[str, Any] | None, *args: str
) -> subprocess.CompletedProcess:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed (Debian: apt-get install postgresql-client)."
        )
    command, env = [executable, "--no-password"], dict(os.environ)
    if database is not None:
        # The password goes in the environment, where other users cannot read it (unlike
        # the command line in `ps`).
        for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if database.get(key):
                command.append(f"{option}={database[key]}")
        command.append(f"--dbname={database['NAME']}")
        if database.get("PASSWORD"):
            env["PGPASSWORD"] = str(database["PASSWORD"])
        if sslmode := database.get("OPTIONS", {}).get("sslmode"):
            env["PGSSLMODE"] = sslmode
    result = subprocess.run([*command, *args], capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")
    return result
