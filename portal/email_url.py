"""EMAIL_URL, one variable for where e-mail goes, turned into a Django MAILERS entry.

    console:                          print messages on standard output (the default)
    file:/var/spool/dispatch          one file per connection in that directory
    smtp://host:port                  plain SMTP (port 25 by default)
    smtp+tls://user:pass@host:587     SMTP with STARTTLS (also smtp://...?tls=true)
    smtps://user:pass@host:465        SMTP over TLS from the first byte
    locmem: / dummy:                  kept in memory / thrown away (tests)

User names and passwords are percent-decoded, so `@` or `:` in them can be written %40, %3A.
Query options: timeout=<seconds>, tls=true, ssl=true.
"""

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
SMTP_SCHEMES = {"smtp", "smtp+tls", "smtps", "submission"}
_TRUE = {"1", "true", "yes", "on"}


def parse(url: str) -> dict[str, Any]:
    """The MAILERS entry ({"BACKEND": ..., "OPTIONS": {...}}) that EMAIL_URL describes."""
    url = url.strip()
    scheme, _, rest = url.partition(":")
    scheme = scheme.lower()
    if scheme in {"console", "locmem", "dummy"}:
        return {"BACKEND": BACKENDS[scheme]}
    if scheme == "file":
        path = urlsplit(url).path if rest.startswith("//") else rest
        path = unquote(path)
        if not path:
            raise ImproperlyConfigured("EMAIL_URL file: needs a directory, e.g. file:/tmp/mail")
        return {"BACKEND": BACKENDS["file"], "OPTIONS": {"file_path": path}}
    if scheme in SMTP_SCHEMES:
        return {"BACKEND": BACKENDS["smtp"], "OPTIONS": _smtp_options(url, scheme)}
    raise ImproperlyConfigured(
        f"EMAIL_URL must start with console:, file:, smtp://, smtp+tls:// or smtps://, "
        f"not {url.split(':', 1)[0]!r}"
    )


def _smtp_options(url: str, scheme: str) -> dict[str, Any]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"EMAIL_URL has a bad port: {exc}") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL smtp:// needs a host, e.g. smtp://127.0.0.1:1025")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = scheme == "smtps" or query.get("ssl", "").lower() in _TRUE
    use_tls = scheme in {"smtp+tls", "submission"} or query.get("tls", "").lower() in _TRUE
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL: choose TLS (STARTTLS) or SSL, not both")
    options: dict[str, Any] = {
        "host": parts.hostname,
        "port": port or (465 if use_ssl else 587 if use_tls else 25),
        "use_tls": use_tls,
        "use_ssl": use_ssl,
        "timeout": float(query.get("timeout", 30)),
    }
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return options
