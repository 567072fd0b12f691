"""The Flask service under load: concurrent clients on every route that needs a
secret, through gunicorn, beside the same requests made by a single client.

The mix of one round (as a crowdfunding page sees it): guest checkouts (a
pledge in SQL, then a Stripe Checkout session from a Stripe API served locally),
Stripe webhooks crediting earlier pledges, upload signatures for a signed-in
owner, health checks. Targets: no request fails; p99 under load <= 250 ms.
The service's and PostgreSQL's resident memory under the load go to the memory
section. `--quick`: 4 clients, 5 rounds each.
"""

from __future__ import annotations

import http.client
import json
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import psycopg

from localdev import tokens
from tests import stripe_fake as sf
from tests.bench import memory
from tests.bench.donations import SETUP, make_pledges, signed_events
from tests.bench.harness import Report, Stack, books, gunicorn_started, in_threads, percentile
from tests.bench.progress import step
from tests.conftest import CLOUDINARY_CLOUD, CLOUDINARY_KEY, CLOUDINARY_SECRET


@dataclass(frozen=True)
class Sizes:
    clients: int = 16
    rounds_per_client: int = 40  # each round: 2 checkouts, 2 webhooks, 1 signature, 1 health check


QUICK = Sizes(clients=4, rounds_per_client=5)
OWNER = "00000000-0000-4000-8000-0000000000be"  # SETUP's campaign owner
TARGET_P99_MS = 250


def requests_for(campaign_ids: list, events: list, owner_token: str, rounds: int) -> list[tuple]:
    """(route, method, path, body, headers) for `rounds` rounds of the mix."""
    out = []
    for i in range(rounds):
        campaign = str(campaign_ids[i % len(campaign_ids)])
        checkout = json.dumps({"campaign_id": campaign, "amount": 5000, "currency": "XOF",
                               "provider": "stripe", "donor_name": "Awa"})  # fmt: skip
        signature = json.dumps({"campaign_id": campaign, "resource_type": "image"})
        json_headers = {"Content-Type": "application/json"}
        for body, stripe_signature in events[2 * i : 2 * i + 2]:
            out.append(("POST /webhooks/stripe", "POST", "/webhooks/stripe", body,
                        {**json_headers, "Stripe-Signature": stripe_signature}))  # fmt: skip
        out += [
            ("POST /donations/checkout", "POST", "/donations/checkout", checkout, json_headers),
            ("POST /donations/checkout", "POST", "/donations/checkout", checkout, json_headers),
            ("POST /media/signature", "POST", "/media/signature", signature,
             {**json_headers, "Authorization": f"Bearer {owner_token}"}),
            ("GET /healthz", "GET", "/healthz", None, {}),
        ]  # fmt: skip
    return out


def run_clients(base: str, batches: list[list[tuple]]) -> tuple[float, dict, int]:
    """Each batch on its own keep-alive connection, all at once: (requests per
    second, latencies in ms by route, failed requests)."""
    host, port = base.removeprefix("http://").split(":")
    latencies: dict[str, list[float]] = defaultdict(list)
    failures = 0
    lock = threading.Lock()

    def client(batch):
        nonlocal failures
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[tuple[str, float, bool]] = []
        for route, method, path, body, headers in batch:
            t = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((route, (time.perf_counter() - t) * 1000, response.status < 300))
        conn.close()
        with lock:
            for route, ms, ok in mine:
                latencies[route].append(ms)
                failures += not ok

    elapsed = in_threads(client, batches)
    return sum(len(b) for b in batches) / elapsed, latencies, failures


def title(sizes: Sizes) -> str:
    return f"The service under load ({sizes.clients} concurrent clients)"


def run(stack: Stack, report: Report, sizes: Sizes, memory_report: Report) -> None:
    jwt_secret = secrets.token_hex(32)
    per_client = 2 * sizes.rounds_per_client
    needed = per_client * (sizes.clients + 1)
    with (
        step(f"pledges: {needed:,} to credit by webhooks"),
        psycopg.connect(stack.url, autocommit=True) as conn,
    ):
        conn.execute(SETUP)
        campaign_ids = [r[0] for r in conn.execute("select id from public.campaigns").fetchall()]
        events = signed_events(make_pledges(conn, campaign_ids, needed))
        conn.execute("vacuum analyze")
    owner_token = tokens.sign(jwt_secret, {"sub": OWNER, "role": "authenticated", "aud": "authenticated",
                                         "exp": int(time.time()) + 3600})  # fmt: skip
    stripe_api = sf.FakeStripe()
    server = sf.serve(stripe_api)
    try:
        with gunicorn_started(
            stack.url,
            STRIPE_API_BASE=stripe_api.url,
            SUPABASE_JWT_SECRET=jwt_secret,
            CLOUDINARY_URL=f"cloudinary://{CLOUDINARY_KEY}:{CLOUDINARY_SECRET}@{CLOUDINARY_CLOUD}",
            SITE_URL="https://africagnotte.test",
        ) as service:
            batches = [
                requests_for(campaign_ids, events[i * per_client : (i + 1) * per_client],
                             owner_token, sizes.rounds_per_client)
                for i in range(sizes.clients + 1)
            ]  # fmt: skip
            with step(f"one client, {len(batches[0])} requests"):
                run_clients(service.base, [batches[0][:12]])  # warm-up: connections, caches
                single_rate, single, single_failures = run_clients(service.base, [batches[0]])
            with (
                step(f"{sizes.clients} clients, {sum(len(b) for b in batches[1:]):,} requests"),
                memory.under_load(memory_report, f"{title(sizes)}: every route", service, stack),
            ):
                rate, loaded, failures = run_clients(service.base, batches[1:])
    finally:
        server.shutdown()
        server.server_close()

    for route in sorted(loaded):
        p99 = percentile(loaded[route], 99)
        report.add(
            route, len(loaded[route]), f"{percentile(loaded[route], 50):.1f}", f"{p99:.1f}",
            f"1 client: p50 {percentile(single[route], 50):.1f}, p99 {percentile(single[route], 99):.1f}",
            "yes" if p99 <= TARGET_P99_MS else "NO",
        )  # fmt: skip
    everything = [ms for values in loaded.values() for ms in values]
    report.add(
        f"all routes, {sizes.clients} clients", f"{len(everything)} ({rate:.0f}/s)",
        f"{percentile(everything, 50):.1f}", f"{percentile(everything, 99):.1f}",
        f"1 client: {single_rate:.0f}/s (x{rate / single_rate:.2f} with {sizes.clients} clients)",
        "yes" if failures == 0 and single_failures == 0 else f"NO: {failures} failed",
    )  # fmt: skip
    credited, drift = books(stack.url)
    report.note(
        f"failed requests: {failures} of {len(everything)} under load, {single_failures} alone;"
        f" {credited:,} donations credited, campaigns whose totals differ from the ledger: {drift};"
        " gunicorn: 3 gthread workers x 2 threads (resident memory: the memory section)"
    )
    report.note(
        "the clients, the service, PostgreSQL and the local Stripe API share the machine's 2"
        " cores; the checkout latency includes the local Stripe API round trip"
    )


HEADER = ("route", "requests", "p50 ms", "p99 ms", "baseline (same run)", "target met")
