"""System checks for settings that would silently misbehave in a deployment."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# Backends whose data lives in one process (or nowhere): with several gunicorn workers each
# invalidates only its own cached pages and counts only its own rate-limit attempts.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Run by `manage.py check --deploy` (gunicorn runs no checks at start)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The cache is {backend.rsplit('.', 1)[-1]}, kept in each process: with several "
            "web workers a removed comment stays visible on the others and rate limits "
            "count per worker.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) so every process shares one cache.",
            id="portal.E001",
        )
    ]


@register(Tags.security)
def check_trusted_proxy(app_configs, **kwargs):
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and settings.TRUSTED_PROXY_COUNT == 0:
        return [
            Warning(
                "BEHIND_TLS_PROXY is on but TRUSTED_PROXY_COUNT is 0: every request comes from "
                "the proxy's address, so all readers share one rate limit.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies that append to "
                "X-Forwarded-For (1 for one nginx).",
                id="portal.W001",
            )
        ]
    return []


@register()
def check_form_age_outlives_the_shared_cache(app_configs, **kwargs):
    """A page a shared cache keeps hands out a form token made when it was rendered, up to
    SHARED_CACHE_SECONDS + SHARED_CACHE_STALE_SECONDS earlier: a token must live much
    longer than that, or readers of an old copy would be told their form expired."""
    cached_for = settings.SHARED_CACHE_SECONDS + settings.SHARED_CACHE_STALE_SECONDS
    if 10 * cached_for <= settings.COMMENT_FORM_MAX_AGE:
        return []
    return [
        Error(
            f"COMMENT_FORM_MAX_AGE ({settings.COMMENT_FORM_MAX_AGE} s) is less than ten times "
            f"the time a shared cache keeps a page ({cached_for} s): readers of a cached page "
            "would have little time to write before their form expires.",
            hint="Raise COMMENT_FORM_MAX_AGE or lower SHARED_CACHE_SECONDS and "
            "SHARED_CACHE_STALE_SECONDS.",
            id="portal.E002",
        )
    ]
