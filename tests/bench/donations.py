"""Donations under load.

0. The money path beside PostgreSQL's own speed: the direct SQL apply of a payment
   event by 8 clients beside pgbench running transactions of as many row writes
   (target ratio >= 0.5, and >= 1,000 events/s), then where one event's time goes
   (tests/bench/moneypath.py).
1. Webhook throughput: signed checkout.session.completed events POSTed by 8
   concurrent clients to the service under gunicorn, beside the same number of
   direct calls of the SQL function the service ends in (target ratio >= 0.5).
2. Through the pooler: the same webhook load through gunicorn with the
   service's DATABASE_URL through PgBouncer in transaction mode (what hosted
   Supabase's Supavisor port 6543 is), beside the same service connected
   directly to PostgreSQL (target ratio >= 0.9).
3. Hot campaign: 8 concurrent clients crediting donations to one campaign,
   beside the same spread over 100 campaigns (target ratio >= 0.8).
The service's and PostgreSQL's resident memory during the webhook load go to
the memory section. `--quick`: one round of 200 events.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from tests import stripe_fake as sf
from tests.bench import memory, moneypath
from tests.bench.harness import Report, Stack, books, gunicorn_started, in_threads, percentile
from tests.bench.progress import step
from tests.support.pgbouncer import transaction_pooler

CLIENTS = 8
MONEY_PATH_TARGET = 1000  # events/s with CLIENTS clients (issue 21)


@dataclass(frozen=True)
class Sizes:
    events: int = 2000  # per round and side
    rounds: int = 3
    profiled: int = 500  # events applied with the database's counters on


QUICK = Sizes(events=200, rounds=1, profiled=50)
TITLE = "Donations under load"

SETUP = """
insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-4000-8000-0000000000be', 'authenticated', 'authenticated',
        'bench-owner@example.test', '{"full_name": "Bench"}', now(), now());
insert into public.campaigns (owner_id, title, goal_amount, currency, category, country,
                              status, published_at, starts_at, ends_at)
select '00000000-0000-4000-8000-0000000000be', 'Campagne de charge ' || i, 1000000000, 'XOF',
       'sante', 'SN', 'active', now(), now(), now() + interval '90 days'
from generate_series(1, 101) as i;
"""


def make_pledges(conn: psycopg.Connection, campaign_ids: list, count: int) -> list[dict]:
    """Pending pledges with an open checkout session each, round-robin over campaigns."""
    rows = conn.execute(
        "select p.pledge from generate_series(0, %s - 1) as i,"
        " lateral (select private.create_donation((%s::uuid[])[1 + i %% cardinality(%s::uuid[])],"
        " 1000, 'XOF', 'stripe') as pledge) as p",
        [count, campaign_ids, campaign_ids],
    ).fetchall()
    pledges = [r[0] for r in rows]
    conn.execute(
        "update private.payment_attempts set session_ref = 'cs_bench_' || id, status = 'open'"
        " where session_ref is null"
    )
    for p in pledges:
        p["session_id"] = f"cs_bench_{p['attempt_id']}"
    return pledges


def outcome(p: dict) -> dict:
    """What the service passes to SQL for a paid session (no PaymentIntent: no fee lookup)."""
    return {
        "kind": "payment", "status": "succeeded", "amount": p["amount"], "currency": "XOF",
        "amount_exponent": 0, "session_ref": p["session_id"], "donation_id": p["donation_id"],
        "attempt_id": p["attempt_id"],
    }  # fmt: skip


def run_concurrently(
    items: list, worker: Callable[[list], list[float]]
) -> tuple[float, list[float]]:
    """Split items over CLIENTS threads; (events per second, latencies in ms)."""
    chunks = [items[i::CLIENTS] for i in range(CLIENTS)]
    latencies: list[float] = []
    lock = threading.Lock()

    def run(chunk):
        mine = worker(chunk)
        with lock:
            latencies.extend(mine)

    return len(items) / in_threads(run, chunks), latencies


RECORD = "select private.record_payment_event("
ACKNOWLEDGE = "select private.acknowledge_event("


def apply_event(conn: psycopg.Connection, p: dict) -> None:
    """The SQL the service runs for a paid session's event (as service_role): apply
    it, then acknowledge it once durable."""
    event_id = f"evt_{uuid.uuid4().hex}"
    result = conn.execute(
        RECORD + "'stripe', %s, 'checkout.session.completed', now(), false, %s, %s)",
        [event_id, Jsonb({"id": p["session_id"]}), Jsonb(outcome(p))],
        prepare=True,
    ).fetchone()[0]
    conn.execute(ACKNOWLEDGE + "'stripe', %s)", [event_id], prepare=True)
    assert result["outcome"] == "applied", result


def sql_worker(url: str) -> Callable[[list], list[float]]:
    """apply_event for each pledge on a connection of its own; latencies in ms."""

    def work(pledges: list) -> list[float]:
        out = []
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("set role service_role")
            for p in pledges:
                t = time.perf_counter()
                apply_event(conn, p)
                out.append((time.perf_counter() - t) * 1000)
        return out

    return work


def signed_events(pledges: list) -> list[tuple[bytes, str]]:
    """Signed checkout.session.completed bodies, built before the clock starts."""
    out = []
    for p in pledges:
        session = sf.checkout_session({**p, "payment_intent": None, "currency": "XOF"})
        body = json.dumps(sf.event("checkout.session.completed", session)).encode()
        out.append((body, sf.sign(body)))
    return out


def http_worker(base: str) -> Callable[[list], list[float]]:
    host, port = base.removeprefix("http://").split(":")

    def work(events: list) -> list[float]:
        out = []
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            for body, signature in events:
                t = time.perf_counter()
                conn.request("POST", "/webhooks/stripe", body=body,
                             headers={"Stripe-Signature": signature, "Content-Type": "application/json"})  # fmt: skip
                response = conn.getresponse()
                answer = json.loads(response.read())
                out.append((time.perf_counter() - t) * 1000)
                assert response.status == 200, answer
                assert answer["outcome"] == "applied", answer
        finally:
            conn.close()
        return out

    return work


def warm_up(base: str) -> None:
    """CLIENTS clients asking /healthz (a query each): every gunicorn worker opens its
    pool's connections (and PgBouncer its server connections) before the clock starts."""
    host, port = base.removeprefix("http://").split(":")

    def ask(_):
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            for _ in range(10):
                conn.request("GET", "/healthz")
                conn.getresponse().read()
        finally:
            conn.close()

    in_threads(ask, list(range(CLIENTS)))


Runner = Callable[[list], tuple[float, list[float]]]  # items -> (rate, latencies in ms)


def concurrently(worker: Callable[[list], list[float]]) -> Runner:
    return lambda items: run_concurrently(items, worker)


def compare(stack: Stack, rounds: list[tuple[list, list]], candidate: Runner, baseline: Runner,
            what: str):  # fmt: skip
    """Alternate baseline and candidate runs (a checkpoint before each, so that no
    run pays for another's writes); the medians of rates and ratios. what: the
    candidate and the baseline's names, for the progress lines."""
    rates: dict[str, list[float]] = {"candidate": [], "baseline": []}
    lat: dict[str, list[float]] = {"candidate": [], "baseline": []}
    ratios = []
    # CHECKPOINT is the superuser's (hosted: supabase_admin's)
    with psycopg.connect(stack.cluster.superuser_url(), autocommit=True) as conn:
        for i, (base_items, cand_items) in enumerate(rounds, 1):
            with step(f"{what}, round {i} of {len(rounds)} ({len(cand_items)} events each side)"):
                conn.execute("checkpoint")
                b_rate, b_lat = baseline(base_items)
                conn.execute("checkpoint")
                c_rate, c_lat = candidate(cand_items)
            rates["baseline"].append(b_rate)
            rates["candidate"].append(c_rate)
            lat["baseline"] += b_lat
            lat["candidate"] += c_lat
            ratios.append(c_rate / b_rate)
    return {k: statistics.median(v) for k, v in rates.items()}, lat, statistics.median(ratios)


def add_comparison(report: Report, load: str, baseline: str, measured, target: float) -> None:
    """One row: the candidate's rate and latencies beside the baseline's, their
    ratio and whether it meets the target. measured: what compare returns."""
    rates, lat, ratio = measured
    report.add(
        load, f"{rates['candidate']:.0f}/s",
        f"{percentile(lat['candidate'], 50):.1f}", f"{percentile(lat['candidate'], 99):.1f}",
        f"{baseline}: {rates['baseline']:.0f}/s, p50 {percentile(lat['baseline'], 50):.1f},"
        f" p99 {percentile(lat['baseline'], 99):.1f}",
        f"{ratio:.2f}", "yes" if ratio >= target else "NO",
    )  # fmt: skip


def money_path(stack: Stack, report: Report, rounds: list[tuple[list, list]], profiled: list):
    """The direct SQL apply beside pgbench running transactions of as many row
    writes as an event makes (counted first, by the profile), then the absolute
    target and where an event's time goes."""
    profile = moneypath.profile(stack, profiled, apply_event, (RECORD, ACKNOWLEDGE))
    writes = profile.writes
    for text in profile.notes():  # printed now: the comparison takes a while
        report.note(text)
    waits, pgbench_waits = moneypath.Waits(stack), moneypath.Waits(stack)
    with moneypath.baseline_tables(stack):
        measured = compare(
            stack, rounds, waits.sampled(concurrently(sql_worker(stack.url))),
            pgbench_waits.sampled(moneypath.pgbench_runner(stack, writes, CLIENTS)),
            f"money path: direct SQL apply, pgbench ({writes.total:g} row writes)",
        )  # fmt: skip
    add_comparison(
        report, f"payment events applied by direct SQL ({CLIENTS} clients)",
        f"pgbench, {CLIENTS} clients, transactions of {moneypath.row_writes(writes)} row writes",
        measured, 0.5,
    )  # fmt: skip
    rates, lat, _ = measured
    rate = rates["candidate"]
    report.add(
        f"payment events applied by direct SQL ({CLIENTS} clients), absolute", f"{rate:.0f}/s",
        f"{percentile(lat['candidate'], 50):.1f}", f"{percentile(lat['candidate'], 99):.1f}",
        f"target: {MONEY_PATH_TARGET:,} events/s", f"{rate / MONEY_PATH_TARGET:.2f}",
        "yes" if rate >= MONEY_PATH_TARGET else "NO",
    )  # fmt: skip
    report.note(waits.note(f"the direct apply ({CLIENTS} clients)"))
    report.note(pgbench_waits.note("pgbench"))
    report.note(
        "pgbench's transaction (Debian's pgbench, -M prepared, its tables in a schema of"
        f" its own, dropped after): {moneypath.describe(writes)}"
    )


def run(stack: Stack, report: Report, sizes: Sizes, memory_report: Report) -> None:
    with (
        step(f"pledges: {7 * sizes.rounds * sizes.events + sizes.profiled:,} over 101 campaigns"),
        psycopg.connect(stack.url, autocommit=True) as conn,
    ):
        conn.execute(SETUP)
        ids = [
            r[0] for r in conn.execute("select id from public.campaigns order by title").fetchall()
        ]
        hot, spread = ids[:1], ids[1:]

        def rounds(baseline_ids: list, candidate_ids: list) -> list[tuple[list, list]]:
            return [(make_pledges(conn, baseline_ids, sizes.events),
                     make_pledges(conn, candidate_ids, sizes.events))
                    for _ in range(sizes.rounds)]  # fmt: skip

        money_rounds = [(list(range(sizes.events)), make_pledges(conn, spread, sizes.events))
                        for _ in range(sizes.rounds)]  # fmt: skip
        profiled = make_pledges(conn, spread, sizes.profiled)
        webhook_rounds = rounds(spread, spread)
        pooler_rounds = rounds(spread, spread)
        hot_rounds = rounds(spread, hot)
        conn.execute("vacuum analyze")

    money_path(stack, report, money_rounds, profiled)
    with gunicorn_started(stack.url) as service:
        signed = [
            (sql_items, signed_events(http_items)) for sql_items, http_items in webhook_rounds
        ]
        with memory.under_load(memory_report, f"{TITLE}: webhooks", service, stack):
            measured = compare(
                stack, signed, concurrently(http_worker(service.base)),
                concurrently(sql_worker(stack.url)),
                "webhooks: gunicorn, direct SQL",
            )  # fmt: skip
        add_comparison(report, f"webhook events through gunicorn ({CLIENTS} clients)",
                       "direct SQL apply", measured, 0.5)  # fmt: skip

        signed = [(signed_events(direct), signed_events(through))
                  for direct, through in pooler_rounds]  # fmt: skip
        with (
            transaction_pooler(stack.cluster) as pooler,
            gunicorn_started(pooler.url("postgres")) as pooled,
        ):
            warm_up(service.base)
            warm_up(pooled.base)
            measured = compare(
                stack, signed, concurrently(http_worker(pooled.base)),
                concurrently(http_worker(service.base)),
                "webhooks: gunicorn via PgBouncer, gunicorn direct",
            )  # fmt: skip
        add_comparison(
            report, "webhook events through gunicorn via PgBouncer (transaction mode)",
            "direct connections", measured, 0.9,
        )  # fmt: skip

    direct = concurrently(sql_worker(stack.url))
    measured = compare(stack, hot_rounds, direct, direct, "one hot campaign, spread over 100")
    add_comparison(report, f"donations to one hot campaign ({CLIENTS} clients)",
                   "spread over 100 campaigns", measured, 0.8)  # fmt: skip
    credited, drift = books(stack.url)
    report.note(
        f"{credited:,} donations credited in all; campaigns whose totals differ from the ledger: {drift}"
    )
    report.note(
        f"median of {sizes.rounds} alternating rounds of {sizes.events} events each; durable"
        " cluster (fsync and synchronous_commit on); events carry no PaymentIntent, so the service makes no Stripe API"
        " call (the fee lookup is a network hop outside this figure)"
    )
    report.note(
        "through the pooler: tests/support/pgbouncer.py's PgBouncer (transaction mode, pool of"
        " 10 server connections) on the same machine; the same gunicorn (3 gthread workers x"
        " 2 threads) on each side, both serving in turn"
    )


HEADER = ("load", "throughput", "p50 ms", "p99 ms", "baseline (same run)", "ratio", "target met")
