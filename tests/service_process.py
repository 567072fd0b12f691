"""The webhooks service as it runs in production: gunicorn in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

import pgcluster
from tests import stripe_fake as sf
from tests.conftest import free_port


@dataclass
class Service:
    process: subprocess.Popen
    base: str

    def workers(self) -> list[int]:
        """The pids of gunicorn's workers (children of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()]


@contextmanager
def gunicorn(
    database_url: str, *, workers: int = 3, threads: int = 2, **env: str
) -> Iterator[Service]:
    """Serve webhooks:create_app() with gunicorn (gthread workers) until the block ends."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "STRIPE_SECRET_KEY": sf.SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": sf.WEBHOOK_SECRET,
        "DB_POOL_MAX_SIZE": "8",
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--worker-class", "gthread", "--log-level", "warning",
         "webhooks:create_app()"],
        env=environment, cwd=pgcluster.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    service = Service(proc, f"http://127.0.0.1:{port}")
    try:
        wait_until_healthy(service, timeout=30)
        yield service
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def wait_until_healthy(service: Service, timeout: float) -> None:
    """Poll /healthz until it answers 200. A refused connection (no worker yet) or
    a read time-out (a worker booting, a loaded machine) is a reason to ask again,
    each time-out doubling the next request's patience: only the deadline, or
    gunicorn exiting, is fatal."""
    deadline = time.monotonic() + timeout
    patience = 1.0
    while (left := deadline - time.monotonic()) > 0:
        if service.process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            answer = requests.get(f"{service.base}/healthz", timeout=min(patience, left))
            if answer.status_code == 200:
                return
        except requests.Timeout:  # connect or read: a slow answer, ask again
            patience *= 2
        except requests.ConnectionError:  # nothing listening yet
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy within {timeout:.0f} s")
