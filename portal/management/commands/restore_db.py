"""manage.py restore_db FILE --yes: replace the database with a backup_db backup."""

from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from portal import backups


class Command(BaseCommand):
    help = (
        "Replace every table of the database with the backup in FILE (made by backup_db). "
        "Without --yes it only says what it would replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a backup made by backup_db")
        parser.add_argument(
            "--yes",
            "--force",
            action="store_true",
            dest="yes",
            help="replace the database's data (without it nothing is changed)",
        )
        parser.add_argument("--database", default="default", help="the database alias")

    def handle(self, *args, file: Path, yes: bool, database: str, **options):
        connection = connections[database]
        settings_dict = connection.settings_dict
        try:
            backups.check_fits(settings_dict, file)
            plan = (
                f"{backups.describe(settings_dict)} ({self._current(database)}) with "
                f"{backups.describe_backup(file)}"
            )
            if not yes:
                raise CommandError(
                    f"This would replace everything in {plan}. Nothing was changed; run "
                    "again with --yes to restore."
                )
            # Our own connection must not hold the database while it is replaced.
            connection.close()
            backups.restore(settings_dict, file)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {plan}.\n"
            "Run `manage.py migrate` if the backup is older than this code. Pages cached "
            "before the restore may be shown for up to 5 minutes."
        )

    def _current(self, database: str) -> str:
        counts = {}
        for name, label in (("articles", "articles.Article"), ("comments", "comments.Comment")):
            try:
                counts[name] = apps.get_model(label).objects.using(database).count()
            except DatabaseError:
                return "its tables not yet created"
        return "now " + backups.counts_text(counts)
