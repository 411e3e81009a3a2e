"""Fixtures shared by the portal's tests."""

import pytest

from tests.served.servers import RedisServer


@pytest.fixture(scope="module")
def private_redis():
    """A private redis-server for the module's tests (a test may stop it to see an outage;
    the next one starts it again)."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()
