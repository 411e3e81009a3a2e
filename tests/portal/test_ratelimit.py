"""Rate limits know one reader from another behind a proxy, cannot be escaped by a forged
header, keep no reversible address, and keep working (stricter) while Redis is down."""

import hashlib

import pytest
from django.test import RequestFactory, override_settings

from portal import ratelimit

pytestmark = pytest.mark.django_db
PROXY = "127.0.0.1"


@pytest.fixture(autouse=True)
def _fresh_fallback_counts():
    ratelimit._fallback.clear()
    yield
    ratelimit._fallback.clear()


def request_from(remote: str, forwarded: str | None = None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    ("trusted", "forwarded", "address"),
    [
        (0, "203.0.113.7", PROXY),  # no proxy configured: the header is anyone's to write
        (1, None, PROXY),  # reached the app without the proxy
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client prepended a forged entry
        (1, " 6.6.6.6 ,203.0.113.7 ", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # CDN, then nginx
        (2, "203.0.113.7", "203.0.113.7"),  # fewer hops than proxies: the leftmost we have
    ],
)
def test_client_address_trusts_only_what_the_configured_proxies_wrote(trusted, forwarded, address):
    with override_settings(TRUSTED_PROXY_COUNT=trusted):
        assert ratelimit.client_address(request_from(PROXY, forwarded)) == address


def post_tip(client, forwarded: str):
    return client.post("/send-your-stories/", {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


@override_settings(TRUSTED_PROXY_COUNT=1, TIP_RATE_LIMIT=(2, 3600))
def test_readers_behind_one_proxy_have_their_own_limits(client):
    assert [post_tip(client, "198.51.100.1").status_code for _ in range(3)] == [400, 400, 429]
    assert post_tip(client, "198.51.100.2").status_code == 400  # another reader: not refused
    # Forging an entry in front of the proxy's does not make a new reader.
    assert post_tip(client, "192.0.2.99, 198.51.100.1").status_code == 429


def key_for(address: str) -> str:
    return ratelimit.client_key(request_from(address))


def test_client_key_is_keyed_with_the_secret_not_a_plain_hash_of_the_address(settings):
    address = "203.0.113.7"
    key = key_for(address)
    assert key not in hashlib.sha256(address.encode()).hexdigest()
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert key_for(address) != key


def test_one_ipv6_reader_is_one_64_network():
    assert key_for("2001:db8:1:2::1") == key_for("2001:db8:1:2:ffff:aaaa:1:2")
    assert key_for("2001:db8:1:3::1") != key_for("2001:db8:1:2::1")
    assert key_for("::ffff:203.0.113.7") == key_for("203.0.113.7")
    assert key_for("203.0.113.7") != key_for("203.0.113.8")


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@override_settings(CACHES=UNREACHABLE_REDIS, TIP_RATE_LIMIT=(4, 3600))
def test_limits_hold_per_process_and_stricter_while_the_cache_is_down(client):
    statuses = [client.post("/send-your-stories/", {}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]  # half the limit: each process counts on its own
