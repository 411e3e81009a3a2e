"""manage.py clear_client_keys: forget old client keys on comments and reports."""

from django.core.management.base import BaseCommand

from comments.services import clear_client_keys


class Command(BaseCommand):
    help = (
        "Blank the client keys (hashed addresses) of comments and reader reports older than "
        "COMMENT_CLIENT_KEY_DAYS days. Reports are kept and still count. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="keep keys this many days (default: setting)"
        )

    def handle(self, *args, days=None, **options):
        comments, reports = clear_client_keys(days=days)
        self.stdout.write(
            f"Cleared the client keys of {comments} comment(s) and {reports} report(s)."
        )
