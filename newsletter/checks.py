"""Deployment checks of the newsletter's settings."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


@checks.register(checks.Tags.mail, deploy=True)
def check_site_url(app_configs=None, **kwargs):
    """E-mails carry links built on SITE_URL; a local address would be useless to readers."""
    parts = urlsplit(settings.SITE_URL)
    problems = []
    if parts.hostname in LOCAL_HOSTS:
        problems.append(
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL!r}: newsletter links would point at this machine.",
                hint="Set SITE_URL to the site's public address, e.g. https://news.example.org",
                id="newsletter.W001",
            )
        )
    elif parts.scheme != "https":
        problems.append(
            checks.Warning(
                "SITE_URL is not https: confirmation and unsubscribe links go in clear text.",
                id="newsletter.W002",
            )
        )
    return problems
