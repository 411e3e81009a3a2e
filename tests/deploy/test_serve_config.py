"""scripts/serve's rules, without starting anything: the configuration it reads, the key it
keeps, the environment it gives the app, and when it gives up restarting a process."""

import io
import os
import signal
import socket
import stat

import pytest

from deploy import serve

OPERATOR = {"SECRET_KEY": "x" * 50}


def test_defaults_are_this_machines_services_on_port_8080():
    config = serve.read_config({})
    assert config.port == 8080
    assert config.app_instances == 2
    assert config.first_app_port == 8081
    assert config.database_url == "postgres://postgres@127.0.0.1:5432/dispatch"
    assert config.redis_url == "redis://127.0.0.1:6379/0"
    assert config.site_url == "http://127.0.0.1:8080"
    assert config.run_dir == serve.BASE_DIR / "var" / "serve"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"PORT": "eighty"}, "PORT must be a whole number, not 'eighty'"),
        ({"APP_INSTANCES": "0"}, "APP_INSTANCES must be between 1 and 64, not 0"),
        ({"DATABASE_URL": "sqlite:///var/db.sqlite3"}, "make serve runs on PostgreSQL"),
        ({"TLS_CERTIFICATE": "/etc/hostname"}, "TLS_CERTIFICATE and TLS_CERTIFICATE_KEY go"),
    ],
)
def test_a_wrong_variable_is_named(variables, message):
    with pytest.raises(serve.ServeError, match=message):
        serve.read_config(variables)


def test_the_app_gets_production_settings_for_plain_http_on_loopback():
    config = serve.read_config({"PORT": "9000", "TIP_RATE_LIMIT": "3", "DEBUG": "true"})
    env = serve.app_environment(config, {"TIP_RATE_LIMIT": "3", "DEBUG": "true"}, "key")
    assert env["DEBUG"] == "false"  # whatever the shell had
    assert env["SITE_URL"] == "http://127.0.0.1:9000"
    assert env["ALLOWED_HOSTS"] == "127.0.0.1,localhost,[::1]"
    assert env["TRUSTED_PROXY_COUNT"] == "1"
    assert env["SECURE_SSL_REDIRECT"] == "false"  # nginx serves no https to redirect to
    assert env["EMAIL_URL"] == "smtp://127.0.0.1:25"
    assert env["TIP_RATE_LIMIT"] == "3"  # the operator's other settings pass through


def test_a_secret_key_is_generated_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "var" / "secret_key"
    key, note = serve.secret_key({}, path)
    assert "generated" in note and str(path) in note
    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert serve.secret_key({}, path) == (key, f"SECRET_KEY is not set: using the one in {path}")
    assert serve.secret_key(OPERATOR, path) == (OPERATOR["SECRET_KEY"], None)


def test_app_ports_are_consecutive_and_free():
    first = serve.free_ports(20000, 2)
    assert first[1] == first[0] + 1
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", first[1]))
        taken.listen()
        assert first[1] not in serve.free_ports(first[0], 2)


def test_a_process_that_keeps_dying_stops_the_stack(tmp_path):
    config = serve.read_config({"SERVE_DIR": str(tmp_path)})
    out = io.StringIO()
    stack = serve.Stack(config, dict(os.environ), out=out)
    child = serve.Child(
        name="worker",
        argv=["sh", "-c", "echo out of luck; exit 3"],
        description="",
        stop_signal=signal.SIGTERM,
        env=dict(os.environ),
        log=tmp_path / "worker.log",
    )
    stack.children.append(child)
    child.start()
    for _ in range(serve.RESTART_LIMIT - 1):
        child.process.wait()
        stack.check_children()
    assert out.getvalue().count("exited with code 3; started it again") == 2
    child.process.wait()
    with pytest.raises(serve.ServeError, match="worker .* exited with code 3, 3 times") as error:
        stack.check_children()
    assert "out of luck" in str(error.value)  # the end of its log says why


def test_a_taken_port_is_named_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = serve.read_config({"PORT": str(port), "SERVE_DIR": str(tmp_path)})
        stack = serve.Stack(config, dict(os.environ), out=io.StringIO())
        with pytest.raises(
            serve.ServeError, match=f"something already listens on 127.0.0.1:{port}"
        ):
            stack.start()
    assert stack.children == []
