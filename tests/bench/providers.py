"""Each provider's webhooks, through the service, beside the same SQL called directly.

For Stripe, CinetPay and Paystack in turn: signed webhooks for pending pledges
POSTed by CLIENTS concurrent clients to the service under gunicorn (CinetPay's
notification confirmed by its payment check, Paystack's event by its verify
endpoint, each answered by the provider's fake, served locally in this process),
beside the same number of direct calls of private.record_payment_event (then
private.acknowledge_event) with the outcome the service would pass. A short run:
Sizes.events per provider and side (`--quick`: 50). The service's and
PostgreSQL's resident memory under each provider's load go to the memory section.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import psycopg
from psycopg.types.json import Jsonb

from tests import cinetpay_fake, paystack_fake
from tests.bench import memory
from tests.bench.donations import SETUP, run_concurrently, signed_events
from tests.bench.harness import Report, Stack, books, gunicorn_started, percentile
from tests.bench.progress import step


@dataclass(frozen=True)
class Sizes:
    events: int = 400  # per provider and side


QUICK = Sizes(events=50)
TITLE = "Each provider's webhooks beside the same SQL"
PROVIDERS = ("stripe", "cinetpay", "paystack")
NAMES = {"stripe": "Stripe", "cinetpay": "CinetPay", "paystack": "Paystack"}
AMOUNT = 1000  # XOF: every provider takes it (Paystack as 100 000 of its subunit)


def make_pledges(conn: psycopg.Connection, campaign_ids: list, provider: str, count: int) -> list:
    rows = conn.execute(
        "select p.pledge from generate_series(0, %s - 1) as i,"
        " lateral (select private.create_donation((%s::uuid[])[1 + i %% cardinality(%s::uuid[])],"
        " %s, 'XOF', %s, donor_email => 'bench@example.com') as pledge) as p",  # Paystack needs one
        [count, campaign_ids, campaign_ids, AMOUNT, provider],
    ).fetchall()
    pledges = [r[0] for r in rows]
    if provider == "stripe":
        conn.execute(
            "update private.payment_attempts set session_ref = 'cs_bench_' || id, status = 'open'"
            " where session_ref is null and provider = 'stripe'"
        )
        for p in pledges:
            p["session_id"] = f"cs_bench_{p['attempt_id']}"
    return pledges


def outcome(provider: str, p: dict) -> dict[str, Any]:
    """What the service passes to SQL for a paid pledge of this provider."""
    if provider == "stripe":
        return {"kind": "payment", "status": "succeeded", "amount": AMOUNT, "currency": "XOF",
                "amount_exponent": 0, "session_ref": p["session_id"],
                "donation_id": p["donation_id"], "attempt_id": p["attempt_id"]}  # fmt: skip
    if provider == "cinetpay":
        return {"kind": "payment", "status": "succeeded", "amount": AMOUNT, "currency": "XOF",
                "attempt_id": p["attempt_id"], "donation_id": p["donation_id"],
                "payment_method": "OM"}  # fmt: skip
    return {"kind": "payment", "status": "succeeded", "amount": AMOUNT * 100, "currency": "XOF",
            "attempt_id": p["attempt_id"], "donation_id": p["donation_id"],
            "campaign_id": p["campaign_id"], "payment_ref": f"bench-{p['attempt_id']}",
            "fee": 1500, "payment_method": "card"}  # fmt: skip


def sql_worker(url: str, provider: str) -> Callable[[list], list[float]]:
    def work(pledges: list) -> list[float]:
        out = []
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("set role service_role")
            for p in pledges:
                t = time.perf_counter()
                event_id = f"evt_{uuid.uuid4().hex}"
                result = conn.execute(
                    "select private.record_payment_event(%s, %s, 'bench', now(), false, %s, %s)",
                    [provider, event_id, Jsonb({"id": event_id}), Jsonb(outcome(provider, p))],
                    prepare=True,
                ).fetchone()[0]
                conn.execute(
                    "select private.acknowledge_event(%s, %s)", [provider, event_id], prepare=True
                )
                out.append((time.perf_counter() - t) * 1000)
                assert result["outcome"] == "applied", result
        return out

    return work


def requests_for(provider: str, pledges: list, cinetpay, paystack) -> list[tuple]:
    """(path, body, headers, content type) of each pledge's webhook, the fakes primed to
    confirm it."""
    if provider == "stripe":
        return [("/webhooks/stripe", body, {"Stripe-Signature": sig}, "application/json")
                for body, sig in signed_events(pledges)]  # fmt: skip
    out = []
    for p in pledges:
        ref = p["attempt_id"]
        if provider == "cinetpay":
            cinetpay.payments[ref] = {
                "transaction_id": ref, "amount": AMOUNT, "currency": "XOF", "description": "Don",
                "metadata": p["donation_id"], "status": "ACCEPTED", "operator_id": "MP1",
                "payment_method": "OM",
            }  # fmt: skip
            form = cinetpay.notification(ref)
            body = urlencode(form).encode()
            headers = {"x-token": cinetpay_fake.x_token(form)}
            out.append(("/webhooks/cinetpay", body, headers, "application/x-www-form-urlencoded"))
        else:
            paystack.transactions[ref] = {
                "id": 10**9 + len(paystack.transactions), "reference": ref,
                "amount": AMOUNT * 100, "currency": "XOF", "email": "bench@example.test",
                "metadata": {"donation_id": p["donation_id"], "campaign_id": p["campaign_id"]},
                "access_code": "bench", "status": "success", "channel": "card", "fees": 1500,
                "gateway_response": "Successful",
            }  # fmt: skip
            body = paystack.event(ref)
            headers = {"x-paystack-signature": paystack_fake.sign(body)}
            out.append(("/webhooks/paystack", body, headers, "application/json"))
    return out


def http_worker(base: str) -> Callable[[list], list[float]]:
    host, port = base.removeprefix("http://").split(":")

    def work(items: list) -> list[float]:
        out = []
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            for path, body, headers, content_type in items:
                t = time.perf_counter()
                conn.request("POST", path, body=body,
                             headers={**headers, "Content-Type": content_type})  # fmt: skip
                response = conn.getresponse()
                answer = json.loads(response.read())
                out.append((time.perf_counter() - t) * 1000)
                assert response.status == 200, answer
                assert answer["outcome"] == "applied", answer
        finally:
            conn.close()
        return out

    return work


def run(stack: Stack, report: Report, sizes: Sizes, memory_report: Report) -> None:
    with (
        step(f"pledges: {2 * sizes.events} per provider"),
        psycopg.connect(stack.url, autocommit=True) as conn,
    ):
        conn.execute(SETUP)
        ids = [r[0] for r in conn.execute("select id from public.campaigns").fetchall()]
        pledges = {
            provider: (make_pledges(conn, ids, provider, sizes.events),
                       make_pledges(conn, ids, provider, sizes.events))
            for provider in PROVIDERS
        }  # fmt: skip
        conn.execute("vacuum analyze")

    cinetpay, paystack = cinetpay_fake.FakeCinetPay(), paystack_fake.FakePaystack()
    servers = [cinetpay_fake.serve(cinetpay), paystack_fake.serve(paystack)]
    try:
        with (
            gunicorn_started(
                stack.url,
                CINETPAY_API_KEY=cinetpay_fake.API_KEY,
                CINETPAY_SITE_ID=cinetpay_fake.SITE_ID,
                CINETPAY_SECRET_KEY=cinetpay_fake.SECRET_KEY,
                CINETPAY_API_BASE=cinetpay.url,
                PAYSTACK_SECRET_KEY=paystack_fake.SECRET_KEY,
                PAYSTACK_API_BASE=paystack.url,
            ) as service,
            psycopg.connect(stack.cluster.superuser_url(), autocommit=True) as conn,
        ):
            for provider in PROVIDERS:
                sql_items, http_pledges = pledges[provider]
                items = requests_for(provider, http_pledges, cinetpay, paystack)
                with step(
                    f"{NAMES[provider]}: {sizes.events} events direct, then through gunicorn"
                ):
                    conn.execute("checkpoint")
                    sql_rate, sql_lat = run_concurrently(sql_items, sql_worker(stack.url, provider))
                    conn.execute("checkpoint")
                    label = f"{TITLE}: {NAMES[provider]}"
                    with memory.under_load(memory_report, label, service, stack):
                        rate, lat = run_concurrently(items, http_worker(service.base))
                report.add(
                    NAMES[provider], f"{rate:.0f}/s", f"{percentile(lat, 50):.1f}",
                    f"{percentile(lat, 99):.1f}",
                    f"direct SQL: {sql_rate:.0f}/s, p50 {percentile(sql_lat, 50):.1f},"
                    f" p99 {percentile(sql_lat, 99):.1f}",
                    f"{rate / sql_rate:.2f}",
                )  # fmt: skip
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    credited, drift = books(stack.url)
    report.note(
        f"{sizes.events} events per provider and side; {credited:,} donations credited in all;"
        f" campaigns whose totals differ from the ledger: {drift}"
    )
    report.note(
        "durable cluster; CinetPay's and Paystack's figures include the service's call to the"
        " provider's check or verify endpoint (their fakes, Python servers in the bench's own"
        " process, sharing the machine's 2 cores with the clients, gunicorn and PostgreSQL)"
    )


HEADER = ("provider's webhooks (service)", "throughput", "p50 ms", "p99 ms",
          "the same SQL called directly", "ratio")  # fmt: skip
