"""manage.py send_newsletter: compose an issue of the articles published since the last one
and queue it for the worker; or resume the issue still being sent."""

from django.core.management.base import BaseCommand

from newsletter import sending


class Command(BaseCommand):
    help = (
        "Compose an issue of the articles published since the last issue and queue it for "
        "sending (manage.py db_worker sends it); resume an interrupted issue instead if "
        "there is one. Says so when there is nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--resend-unknown",
            action="store_true",
            help="Also re-send deliveries cut off during the handoff to the mail server "
            "(they may have arrived: a reader could get two copies).",
        )

    def handle(self, *, resend_unknown: bool, **options):
        outcome = sending.send_newsletter(resend_unknown=resend_unknown)
        style = self.style.SUCCESS if outcome.issue else self.style.NOTICE
        self.stdout.write(style(outcome.message))
