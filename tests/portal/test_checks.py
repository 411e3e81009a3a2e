"""`manage.py check --deploy` refuses what would misbehave with several web workers, and
warns about a proxy whose readers would all share one address."""

import secrets

import pytest
from django.core.checks import Tags, run_checks
from django.test import override_settings

from tests.portal.test_security import _manage

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/13",
    }
}


def ids(*, deploy: bool) -> set[str]:
    # Only the tags of the portal's checks: model checks would query the database.
    checks = run_checks(include_deployment_checks=deploy, tags=[Tags.caches, Tags.security])
    return {message.id for message in checks}


@pytest.mark.parametrize(
    ("caches", "debug", "refused"),
    [(LOCMEM, False, True), (DUMMY, False, True), (REDIS, False, False), (LOCMEM, True, False)],
)
def test_a_per_process_cache_is_refused_in_a_deployment(caches, debug, refused):
    with override_settings(CACHES=caches, DEBUG=debug):
        assert ("portal.E001" in ids(deploy=True)) is refused
        assert "portal.E001" not in ids(deploy=False)  # tests and make bench run as before


def test_deploy_check_without_redis_fails_and_says_what_to_set():
    result = _manage(
        "check",
        "--deploy",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example.org",
        REDIS_URL="",
    )
    assert result.returncode != 0
    assert "portal.E001" in result.stderr and "Set REDIS_URL" in result.stderr


@pytest.mark.parametrize(("trusted", "warned"), [(0, True), (1, False)])
def test_a_tls_proxy_without_a_trusted_proxy_count_is_warned_about(trusted, warned):
    with override_settings(
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), TRUSTED_PROXY_COUNT=trusted
    ):
        assert ("portal.W001" in ids(deploy=False)) is warned
