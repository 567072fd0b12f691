"""Shared benchmark plumbing: a throwaway cluster with the schema, timing, reports."""

from __future__ import annotations

import json
import secrets
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

import pgcluster
from tests.bench.progress import say, step
from tests.service_process import Service, gunicorn

REPORT = pgcluster.ROOT / "bench-report.md"


@dataclass
class Stack:
    cluster: pgcluster.Cluster
    url: str
    authenticator_url: str


@contextmanager
def stack(*, durable: bool = False) -> Iterator[Stack]:
    """A throwaway cluster with the project's schema (platform, migrations; no seed).
    durable: fsync and synchronous commits on, as in production."""
    with pgcluster.scratch_cluster("africagnotte-bench-", throwaway=not durable) as cluster:
        auth_pw = secrets.token_hex(16)
        pgcluster.build_database(cluster, auth_pw, seed=False)
        yield Stack(cluster, cluster.url(), cluster.url(user="authenticator", password=auth_pw))


@contextmanager
def gunicorn_started(database_url: str, **env: str) -> Iterator[Service]:
    """tests.service_process.gunicorn, its start shown as a step."""
    with ExitStack() as started:
        with step("starting gunicorn"):
            service = started.enter_context(gunicorn(database_url, **env))
        yield service


def in_threads(target: Callable[[Any], object], inputs: list) -> float:
    """Run target(input) for every input at once, one thread each; seconds taken."""
    threads = [threading.Thread(target=target, args=(i,)) for i in inputs]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def books(url: str) -> tuple[int, int]:
    """(donations credited, campaigns whose totals differ from the ledger)."""
    with psycopg.connect(url) as conn:
        credited = conn.execute(
            "select count(*) from public.donations where status = 'succeeded'"
        ).fetchone()[0]
        drift = conn.execute("select count(*) from private.check_ledger()").fetchone()[0]
    return credited, drift


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class Timing:
    samples_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(self.samples_ms, 95)


def measure(fn: Callable[[], object], runs: int, warmup: int = 20) -> Timing:
    for _ in range(warmup):
        fn()
    t = Timing()
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        t.samples_ms.append((time.perf_counter() - start) * 1000)
    return t


def request_runner(
    conn: psycopg.Connection,
    role: str | None,
    claims: dict,
    sql: str,
    params: list,
    *,
    read_only=True,
) -> Callable[[], list]:
    """One PostgREST-shaped request: a transaction that sets the role (None: stay
    superuser, so RLS does not apply) and the JWT claims, then runs the query."""
    begin = "begin read only" if read_only else "begin"
    claims_json = json.dumps(claims)

    def run() -> list:
        conn.execute(begin)
        conn.execute(
            "select set_config('role', %s, true), set_config('request.jwt.claims', %s, true),"
            " set_config('request.method', 'GET', true)",
            [role or "postgres", claims_json],
        )
        rows = conn.execute(sql, params, prepare=True).fetchall()  # PostgREST prepares
        conn.execute("commit")
        return rows

    return run


class Report:
    """One part's figures: a table (each row shown on the terminal as it is added),
    notes, and the error that stopped the part, if one did."""

    def __init__(self, title: str, header: tuple[str, ...]):
        self.title = title
        self.header = header
        self.rows: list[tuple[str, ...]] = []
        self.notes: list[str] = []
        self.failure: str | None = None

    def add(self, *cells: object) -> None:
        row = tuple(str(c) for c in cells)
        self.rows.append(row)
        say(f"{self.title} | " + " | ".join(row))

    def note(self, text: str) -> None:
        self.notes.append(text)
        say(f"{self.title}: {text}")

    def fail(self, error: str) -> None:
        self.failure = error

    def markdown(self) -> str:
        lines = [f"## {self.title}", ""]
        if self.failure:
            lines += ["**This part failed**; the figures below are those it had measured:", "",
                      "```", self.failure.rstrip(), "```", ""]  # fmt: skip
        if self.rows:
            lines += ["| " + " | ".join(self.header) + " |"]
            lines.append("|" + "|".join(" --- " for _ in self.header) + "|")
            lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        elif not self.failure:
            lines.append("(no figures)")
        if self.notes:
            lines += [""] + [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"
