"""Retraining the shipped screening model takes a minute or two of one core, so it starts in
a process of its own as soon as the test that checks it is collected, and that test runs
last: by then the artifact is usually ready, built beside the rest of the suite."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

MARKER = "retrains"
BASE_DIR = Path(__file__).resolve().parent.parent


class Retraining:
    """`manage.py train_screening` into a temporary file, in a new process as on a fresh
    clone (other tests extend the word lists in this one)."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="dispatch-retrain-")
        self.output = Path(self.folder.name) / "model.json.gz"
        self.log = Path(self.folder.name) / "train.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "train_screening",
                    "--output",
                    str(self.output),
                    "--force",
                ],
                cwd=BASE_DIR,
                env={**os.environ, "DEBUG": "true"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def result(self, timeout: float = 900) -> bytes:
        code = self.process.wait(timeout=timeout)
        if code:
            raise AssertionError(f"train_screening exited with {code}:\n{self.log.read_text()}")
        return self.output.read_bytes()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.folder.cleanup()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"{MARKER}: retrains the screening model in a process started at collection"
    )


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected: start only when it runs
def pytest_collection_modifyitems(session, config, items):
    chosen = [item for item in items if item.get_closest_marker(MARKER)]
    if not chosen:
        return
    items[:] = [item for item in items if not item.get_closest_marker(MARKER)] + chosen
    config.stash[_KEY] = Retraining()


def pytest_unconfigure(config):
    retraining = config.stash.get(_KEY, None)
    if retraining is not None:
        retraining.stop()


_KEY = pytest.StashKey[Retraining]()


@pytest.fixture
def retrained_artifact(request) -> bytes:
    """The bytes train_screening writes from the committed corpus."""
    retraining = request.config.stash.get(_KEY, None)
    if retraining is None:  # the hook did not run (e.g. the test was called by node id)
        retraining = request.config.stash[_KEY] = Retraining()
    return retraining.result()
