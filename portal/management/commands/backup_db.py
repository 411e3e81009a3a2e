"""manage.py backup_db FILE: a consistent backup of the database while the site runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from portal import backups


class Command(BaseCommand):
    help = (
        "Back up the database to FILE: SQLite through its online backup API, PostgreSQL "
        "with pg_dump --format=custom. restore_db reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="where to write the backup")
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
        parser.add_argument("--database", default="default", help="the database alias")

    def handle(self, *args, file: Path, force: bool, database: str, **options):
        settings_dict = connections[database].settings_dict
        try:
            backups.backup(settings_dict, file, overwrite=force)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        size = file.stat().st_size
        self.stdout.write(
            f"Backed up {backups.describe(settings_dict)} to {file} ({size:,} bytes)."
        )
