"""Donations under load.

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
from tests.bench import memory
from tests.bench.harness import Report, Stack, books, gunicorn_started, in_threads, percentile
from tests.bench.progress import step
from tests.support.pgbouncer import transaction_pooler

CLIENTS = 8


@dataclass(frozen=True)
class Sizes:
    events: int = 2000  # per round and side
    rounds: int = 3


QUICK = Sizes(events=200, rounds=1)
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


def sql_worker(url: str) -> Callable[[list], list[float]]:
    """The SQL the service runs for an event: apply it, then wait until it is durable."""

    def work(pledges: list) -> list[float]:
        out = []
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("set role service_role")
            for p in pledges:
                t = time.perf_counter()
                event_id = f"evt_{uuid.uuid4().hex}"
                result = conn.execute(
                    "select private.record_payment_event('stripe', %s, 'checkout.session.completed',"
                    " now(), false, %s, %s)",
                    [event_id, Jsonb({"id": p["session_id"]}), Jsonb(outcome(p))],
                    prepare=True,
                ).fetchone()[0]
                conn.execute(
                    "select private.acknowledge_event('stripe', %s)", [event_id], prepare=True
                )
                out.append((time.perf_counter() - t) * 1000)
                assert result["outcome"] == "applied", result
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


def compare(stack: Stack, rounds: list[tuple[list, list]], candidate, baseline, what: str):
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
                b_rate, b_lat = run_concurrently(base_items, baseline)
                conn.execute("checkpoint")
                c_rate, c_lat = run_concurrently(cand_items, candidate)
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


def run(stack: Stack, report: Report, sizes: Sizes, memory_report: Report) -> None:
    with (
        step(f"pledges: {6 * sizes.rounds * sizes.events:,} over 101 campaigns"),
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

        webhook_rounds = rounds(spread, spread)
        pooler_rounds = rounds(spread, spread)
        hot_rounds = rounds(spread, hot)
        conn.execute("vacuum analyze")

    with gunicorn_started(stack.url) as service:
        signed = [
            (sql_items, signed_events(http_items)) for sql_items, http_items in webhook_rounds
        ]
        with memory.under_load(memory_report, f"{TITLE}: webhooks", service, stack):
            measured = compare(
                stack, signed, http_worker(service.base), sql_worker(stack.url),
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
                stack, signed, http_worker(pooled.base), http_worker(service.base),
                "webhooks: gunicorn via PgBouncer, gunicorn direct",
            )  # fmt: skip
        add_comparison(
            report, "webhook events through gunicorn via PgBouncer (transaction mode)",
            "direct connections", measured, 0.9,
        )  # fmt: skip

    measured = compare(stack, hot_rounds, sql_worker(stack.url), sql_worker(stack.url),
                       "one hot campaign, spread over 100")  # fmt: skip
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
