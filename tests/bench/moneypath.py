"""The money path beside PostgreSQL's own speed, and where its time goes.

1. Baseline: pgbench (8 clients, prepared statements) running one transaction of
   as many row writes as one payment event makes, on the same durable cluster,
   alternated with the direct SQL apply (issue 21: the apply reaches >= 0.5x
   pgbench's rate, and >= 1,000 events/s with 8 clients).
2. Profile: what one event costs, counted by the database over a run of events
   (one client, so the counts are exact): row writes per table
   (pg_stat_user_tables' n_tup_ins/upd/del), statements (pg_stat_statements with
   track = all: those the functions and triggers run) and the functions with the most
   self time (pg_stat_user_functions with track_functions = all). Both settings are
   on only while the profile runs.
3. Waits: what the sessions do during each side of the comparison (running,
   waiting on a row lock or on WAL, or idle while the client works), sampled.
All follow the code: the writes are counted on each run, and pgbench's script is
written from that count.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

import pgcluster
from tests.bench.harness import Stack
from tests.bench.progress import step

SCHEMA = "pgbench_baseline"  # created by the bench, dropped after
HOT_ROWS = 100  # like the spread rounds' 100 campaigns: the hot row is one of them
COLD_ROWS = 100_000
INSERT_TABLES = 3


@dataclass(frozen=True)
class Writes:
    """Row writes per event: inserts, updates and deletes, and per table."""

    inserts: float
    updates: float
    deletes: float
    by_table: dict[str, float]

    @property
    def total(self) -> float:
        return self.inserts + self.updates + self.deletes


@dataclass(frozen=True)
class Profile:
    events: int
    writes: Writes
    nested_statements: float  # per event, run by the functions and triggers
    client_statements: float  # per event, sent by the client
    client_ms: float  # per event: the execution time of the client's statements
    top_functions: list[tuple[str, float, float]]  # (name, calls, self ms) per event
    top_statements: list[tuple[str, float, float]]  # (query, calls, ms) per event

    def notes(self) -> list[str]:
        w = self.writes
        tables = ", ".join(f"{t} {n:g}" for t, n in sorted(w.by_table.items(), key=lambda x: -x[1]))
        functions = "; ".join(
            f"{name} {calls:g} call(s), {ms:.3f} ms" for name, calls, ms in self.top_functions
        )
        statements = "; ".join(
            f"`{query}` {calls:g}x, {ms:.3f} ms" for query, calls, ms in self.top_statements
        )
        return [
            f"per payment event (counted over {self.events} events, one client): {w.total:g} row"
            f" writes ({w.inserts:g} inserts, {w.updates:g} updates, {w.deletes:g} deletes:"
            f" {tables}); {self.client_ms:.2f} ms of execution in the database;"
            f" {self.client_statements + self.nested_statements:g} statements:"
            f" {self.client_statements:g} sent by the client, {self.nested_statements:g} run by"
            " its functions and triggers (pg_stat_statements, track = all)",
            f"top functions by self time per event (pg_stat_user_functions): {functions}",
            "top statements run by the functions and triggers, by time per event (what they"
            f" call included): {statements}",
        ]


# Profile ---------------------------------------------------------------------------


@contextmanager
def tracking(admin: psycopg.Connection):
    """track_functions and pg_stat_statements.track = all for new sessions, reset after."""
    admin.execute("alter system set track_functions = 'all'")
    admin.execute("alter system set pg_stat_statements.track = 'all'")
    admin.execute("select pg_reload_conf()")
    try:
        yield
    finally:
        admin.execute("alter system reset track_functions")
        admin.execute("alter system reset pg_stat_statements.track")
        admin.execute("select pg_reload_conf()")


def wait_for_settings(conn: psycopg.Connection) -> None:
    """Until this session runs with the reloaded settings (SIGHUP is asynchronous)."""
    deadline = time.monotonic() + 10
    while conn.execute(
        "select current_setting('track_functions') <> 'all'"
        " or current_setting('pg_stat_statements.track') <> 'all'"
    ).fetchone()[0]:
        if time.monotonic() > deadline:
            raise RuntimeError("track_functions / pg_stat_statements.track not reloaded")
        time.sleep(0.05)


TABLES = """
select schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del
from pg_stat_user_tables where schemaname <> %s
"""
FUNCTIONS = """
select schemaname || '.' || funcname, calls, self_time from pg_stat_user_functions
"""
STATEMENTS = """
select query, calls, total_exec_time from extensions.pg_stat_statements
where dbid = (select oid from pg_database where datname = current_database())
  and userid <> (select oid from pg_roles where rolname = current_user)
  and query not like '%%pg_stat_force_next_flush%%'
"""


def counters(admin: psycopg.Connection) -> tuple[dict, dict]:
    """(table writes, function calls and self time), as flushed so far."""
    admin.execute("select pg_stat_clear_snapshot()")
    tables = {r[0]: r[1:] for r in admin.execute(TABLES, [SCHEMA]).fetchall()}
    functions = {r[0]: r[1:] for r in admin.execute(FUNCTIONS).fetchall()}
    return tables, functions


def settled(admin: psycopg.Connection) -> tuple[dict, dict]:
    """counters once two reads 0.2 s apart agree: sessions closed just before have
    flushed what they wrote (a backend reports its statistics as it exits)."""
    last = counters(admin)
    for _ in range(25):
        time.sleep(0.2)
        now = counters(admin)
        if now == last:
            break
        last = now
    return last


def flush(conn: psycopg.Connection) -> None:
    """This session's pending statistics into shared memory (flushed before the
    answer to the call: the backend reports when it goes idle)."""
    conn.execute("select pg_stat_force_next_flush()")


def writes_between(before: dict, after: dict, events: int) -> Writes:
    delta = {t: [a - b for a, b in zip(after[t], before.get(t, (0, 0, 0)), strict=True)]
             for t in after}  # fmt: skip
    ins, upd, dele = (round(sum(d[i] for d in delta.values()) / events, 2) for i in range(3))
    by_table = {t: round(sum(d) / events, 2) for t, d in delta.items() if sum(d)}
    return Writes(ins, upd, dele, by_table)


def top_functions(before: dict, after: dict, events: int, n: int = 5) -> list:
    per_event = []
    for name, (calls, self_ms) in after.items():
        calls0, self0 = before.get(name, (0, 0.0))
        if calls > calls0:
            per_event.append(
                (name, round((calls - calls0) / events, 2), (self_ms - self0) / events)
            )
    return sorted(per_event, key=lambda f: -f[2])[:n]


def statements(admin: psycopg.Connection, events: int, client: tuple[str, ...], n: int = 3):
    """(nested per event, the client's per event, the client's ms per event, top
    nested statements), all but
    the admin session's. client: how the client's statements begin (pg_stat_statements'
    toplevel flag cannot tell them: it also marks statements of AFTER triggers)."""
    rows = admin.execute(STATEMENTS).fetchall()
    sent = [r for r in rows if r[0].lstrip().lower().startswith(client)]
    nested = [r for r in rows if r not in sent]
    heavy = sorted(nested, key=lambda r: -r[2])[:n]
    top = [(" ".join(q.split())[:70], round(c / events, 2), ms / events) for q, c, ms in heavy]
    per_event = [round(sum(r[1] for r in rs) / events, 2) for rs in (nested, sent)]
    return *per_event, sum(r[2] for r in sent) / events, top


def profile(
    stack: Stack,
    pledges: list,
    apply: Callable[[psycopg.Connection, dict], None],
    client: tuple[str, ...],
) -> Profile:
    """Apply each pledge's payment event on one session (apply(conn, pledge): what
    the service runs for it) with the counters on; what one event costs. client:
    how the statements apply sends begin, lower case."""
    with (
        step(f"profile of the money path: {len(pledges)} events, one client"),
        psycopg.connect(stack.cluster.superuser_url(), autocommit=True) as admin,
        tracking(admin),
        psycopg.connect(stack.url, autocommit=True) as conn,
    ):
        wait_for_settings(conn)
        conn.execute("set role service_role")
        flush(conn)
        tables0, functions0 = settled(admin)
        admin.execute("select extensions.pg_stat_statements_reset()")
        for p in pledges:
            apply(conn, p)
        flush(conn)
        tables1, functions1 = counters(admin)
        nested, sent, sent_ms, top_statements = statements(admin, len(pledges), client)
    return Profile(
        len(pledges),
        writes_between(tables0, tables1, len(pledges)),
        nested,
        sent,
        sent_ms,
        top_functions(functions0, functions1, len(pledges)),
        top_statements,
    )


# What the sessions wait on ----------------------------------------------------------

WAITS = """
select case when state = 'idle' then 'idle (waiting for the client)'
            else coalesce(wait_event_type || ':' || wait_event, 'running') end, count(*)
from pg_stat_activity
where backend_type = 'client backend' and usename = %s and pid <> pg_backend_pid()
group by 1
"""


class Waits:
    """Samples, every `every` s while a runner runs, what the given user's sessions
    are doing (pg_stat_activity: running, waiting on a lock or on WAL, or idle while
    the client works); the share of each over all samples."""

    def __init__(self, stack: Stack, every: float = 0.05):
        self.stack = stack
        self.every = every
        self.user = urlsplit(stack.url).username
        self.seen: Counter[str] = Counter()
        self._stop = threading.Event()

    def sampled(self, runner: Callable[[list], tuple]) -> Callable[[list], tuple]:
        def run(items: list) -> tuple:
            self._stop.clear()
            thread = threading.Thread(target=self._sample, daemon=True)
            thread.start()
            try:
                return runner(items)
            finally:
                self._stop.set()
                thread.join()

        return run

    def _sample(self) -> None:
        with psycopg.connect(self.stack.cluster.superuser_url(), autocommit=True) as conn:
            while not self._stop.wait(self.every):
                for state, n in conn.execute(WAITS, [self.user]).fetchall():
                    self.seen[state] += n

    def note(self, what: str) -> str:
        total = sum(self.seen.values()) or 1
        shares = ", ".join(
            f"{state} {100 * n / total:.0f}%" for state, n in self.seen.most_common(6)
        )
        return (
            f"what the sessions did during {what} (pg_stat_activity every {self.every} s): {shares}"
        )


# pgbench baseline --------------------------------------------------------------------

PGBENCH = pgcluster.pg_bin_dir() / "pgbench"


def setup_sql() -> str:
    s = SCHEMA
    tables = "\n".join(
        f"create table {s}.t{i} (id bigint generated always as identity primary key,"
        f" k bigint not null, at timestamptz not null default now());"
        f" create index on {s}.t{i} (k);"
        for i in range(1, INSERT_TABLES + 1)
    )
    return f"""
drop schema if exists {s} cascade;
create schema {s};
{tables}
create table {s}.hot (id int primary key, n bigint not null default 0);
insert into {s}.hot (id) select generate_series(1, {HOT_ROWS});
create table {s}.cold (id int primary key, n bigint not null default 0);
insert into {s}.cold (id) select generate_series(1, {COLD_ROWS});
create table {s}.gone (id bigint primary key);
"""


def shape(writes: Writes) -> tuple[int, int, int]:
    """(inserts, updates, deletes) of pgbench's transaction: the event's, rounded."""
    return round(writes.inserts), round(writes.updates), round(writes.deletes)


def row_writes(writes: Writes) -> int:
    inserts, updates, deletes = shape(writes)
    return inserts + updates + 2 * deletes  # each delete's row is inserted first


def describe(writes: Writes) -> str:
    inserts, updates, deletes = shape(writes)
    text = (
        f"{inserts} inserts round-robin into {INSERT_TABLES} narrow tables (identity key, an"
        f" indexed bigint, a timestamp), 1 update of a hot row (one of {HOT_ROWS}, as a"
        f" campaign's totals) and {max(0, updates - 1)} of random rows of {COLD_ROWS:,}"
    )
    if deletes:
        text += f", {deletes} insert(s) deleted again in the same transaction"
    return text


def script(writes: Writes) -> str:
    """One transaction with the event's row writes: its inserts into a few narrow
    indexed tables, one update of a hot row (one of HOT_ROWS, as a campaign's
    totals), its other updates of random rows (as the pledge's own rows), its
    deletes of rows the same transaction inserted."""
    s = SCHEMA
    inserts, updates, deletes = shape(writes)
    lines = [f"\\set hot random(1, {HOT_ROWS})", "\\set k random(1, 1000000000)", "begin;"]
    lines += [f"insert into {s}.t{1 + i % INSERT_TABLES} (k) values (:k + {i});"
              for i in range(inserts)]  # fmt: skip
    if updates:
        lines.append(f"update {s}.hot set n = n + 1 where id = :hot;")
    for i in range(updates - 1):
        lines += [f"\\set c{i} random(1, {COLD_ROWS})",
                  f"update {s}.cold set n = n + 1 where id = :c{i};"]  # fmt: skip
    for i in range(deletes):  # an insert and its delete: one more write than asked, kept honest
        lines += [f"insert into {s}.gone (id) values (:k * 100 + {i}) on conflict do nothing;",
                  f"delete from {s}.gone where id = :k * 100 + {i};"]  # fmt: skip
    return "\n".join([*lines, "commit;"]) + "\n"


@contextmanager
def baseline_tables(stack: Stack):
    with psycopg.connect(stack.url, autocommit=True) as conn:
        conn.execute(setup_sql())
        conn.execute(f"vacuum analyze {SCHEMA}.hot, {SCHEMA}.cold")
    try:
        yield
    finally:
        with psycopg.connect(stack.url, autocommit=True) as conn:
            conn.execute(f"drop schema if exists {SCHEMA} cascade")


def pgbench_runner(stack: Stack, writes: Writes, clients: int) -> Callable[[list], tuple]:
    """items -> (transactions per second, latencies in ms): pgbench running
    len(items) transactions of `script(writes)` over `clients` connections."""
    url = urlsplit(stack.url)
    env = {**os.environ, "PGPASSWORD": url.password or "", "PGCONNECT_TIMEOUT": "10"}

    def run(items: list) -> tuple[float, list[float]]:
        work = Path(tempfile.mkdtemp(prefix="bench-pgbench-"))
        try:
            (work / "event.sql").write_text(script(writes))
            argv = [str(PGBENCH), "-n", "-M", "prepared", "-c", str(clients), "-j", "2",
                    "-t", str(max(1, len(items) // clients)), "-f", str(work / "event.sql"),
                    "-l", "--log-prefix", str(work / "tx"),
                    "-h", url.hostname, "-p", str(url.port), "-U", url.username,
                    url.path.lstrip("/")]  # fmt: skip
            done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"pgbench failed: {done.stderr[-2000:]}")
            return tps(done.stdout), latencies(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    return run


def tps(stdout: str) -> float:
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", stdout)
    if not match:
        raise RuntimeError(f"no tps in pgbench's output: {stdout[-1000:]}")
    return float(match.group(1))


def latencies(work: Path) -> list[float]:
    """pgbench -l: one line per transaction, its latency (µs) third."""
    return [int(line.split()[2]) / 1000
            for log in work.glob("tx*") for line in log.read_text().splitlines()]  # fmt: skip
