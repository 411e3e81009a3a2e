"""Real servers for the tests that need them: a private redis-server, gunicorn, nginx. Each
listens on a free loopback port and is stopped by the test that started it. The machinery
lives in bench/stack.py, which `make load` uses too."""

from bench.stack import (  # noqa: F401 (the tests import these from here)
    RedisServer,
    free_port,
    log_tail,
    stop,
    wait_for_http,
    wait_for_port,
)
