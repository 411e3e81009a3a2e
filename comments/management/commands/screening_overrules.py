"""manage.py screening_overrules: how often moderators overruled the screening, per label."""

from django.core.management.base import BaseCommand

from comments.overrules import overrules


class Command(BaseCommand):
    help = (
        "Per label the screening gave (ok, abusive, hate, spam, off_topic), over the comments "
        "of the last DAYS days: how many were screened, how many a moderator decided on, and "
        "how often the moderator overruled the machine."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="how far back (default 30)")

    def handle(self, *args, **options):
        self.stdout.write(
            f"{'label':<10} {'screened':>8} {'reviewed':>8} {'overruled':>9} {'rate':>6}"
        )
        for row in overrules(days=options["days"]):
            rate = "-" if row.rate is None else f"{row.rate:.0%}"
            self.stdout.write(
                f"{row.label:<10} {row.screened:>8} {row.reviewed:>8} {row.overruled:>9} {rate:>6}"
            )
