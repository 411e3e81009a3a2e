"""EMAIL_URL: one variable says where e-mail goes."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.email_url import parse

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console:", {"BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("console://", {"BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "file:/tmp/mail",
            {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": "/tmp/mail"},
            },
        ),
        (
            "file:///var/mail%20box",
            {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": "/var/mail box"},
            },
        ),
        (
            "smtp://127.0.0.1:1025",
            {
                "BACKEND": SMTP,
                "OPTIONS": {
                    "host": "127.0.0.1",
                    "port": 1025,
                    "use_tls": False,
                    "use_ssl": False,
                    "timeout": 30.0,
                },
            },
        ),
        (
            "smtp+tls://me%40example.org:p%3Ass@mail.example.org?timeout=5",
            {
                "BACKEND": SMTP,
                "OPTIONS": {
                    "host": "mail.example.org",
                    "port": 587,
                    "use_tls": True,
                    "use_ssl": False,
                    "timeout": 5.0,
                    "username": "me@example.org",
                    "password": "p:ss",
                },
            },
        ),
    ],
)
def test_urls_become_mailers(url, expected):
    assert parse(url) == expected


def test_smtps_uses_ssl_on_465():
    options = parse("smtps://u:p@mail.example.org")["OPTIONS"]
    assert (options["port"], options["use_ssl"], options["use_tls"]) == (465, True, False)


@pytest.mark.parametrize(
    "url", ["", "mailgun://x", "smtp://", "smtp://host:notaport", "file:", "smtps://h?tls=1"]
)
def test_bad_urls_fail_loudly(url):
    with pytest.raises(ImproperlyConfigured):
        parse(url)
