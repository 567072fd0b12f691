"""The wait for gunicorn's first healthy answer (tests/service_process.py), which
the tests and the bench start the service through: a slow answer is a reason to
ask again with more patience, never a crash; only the deadline or the process
exiting ends the wait."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import pgcluster
from tests.conftest import free_port
from tests.service_process import Service, wait_until_healthy


@contextmanager
def slow_service(delay: float, slow_answers: int) -> Iterator[Service]:
    """A local HTTP server whose first `slow_answers` health answers take `delay` s."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.slow_health_server", str(port), str(delay),
         str(slow_answers)],
        cwd=pgcluster.ROOT,
    )  # fmt: skip
    try:
        yield Service(process, f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_first_answer_slower_than_the_request_timeout_is_asked_again():
    with slow_service(delay=2.5, slow_answers=1) as service:
        start = time.monotonic()
        wait_until_healthy(service, timeout=20)
        assert time.monotonic() - start < 10


def test_answers_all_slower_than_the_first_request_timeout_are_waited_for():
    with slow_service(delay=1.5, slow_answers=1000) as service:
        wait_until_healthy(service, timeout=20)


def test_the_wait_ends_at_its_deadline_when_no_answer_comes_in_time():
    with slow_service(delay=60, slow_answers=1000) as service:
        start = time.monotonic()
        with pytest.raises(RuntimeError, match="did not become healthy"):
            wait_until_healthy(service, timeout=3)
        assert time.monotonic() - start < 5


def test_the_wait_ends_at_once_when_the_service_exits():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=10)
    with pytest.raises(RuntimeError, match="gunicorn exited"):
        wait_until_healthy(Service(process, f"http://127.0.0.1:{free_port()}"), timeout=20)
