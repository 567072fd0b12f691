"""Fault injection: the database going away while Stripe delivers (503, Stripe
retries, each event applied exactly once), and the service's process killed in
the middle of a request."""

from __future__ import annotations

import json
import os
import queue
import secrets
import signal
import threading
import time

import psycopg
import pytest
import requests

import pgcluster
from tests import stripe_fake as sf
from tests.conftest import CAMPAIGN, throwaway_cluster
from tests.service_process import gunicorn, wait_until_healthy


@pytest.fixture
def own_stack(make_app, stripe_api, jwt_secret):
    """A durable cluster of its own (this test crashes it), with an active campaign."""
    with throwaway_cluster(throwaway=False) as c:
        pgcluster.build_database(c, secrets.token_hex(8), seed=True)
        with psycopg.connect(c.url(), autocommit=True) as conn:
            campaign_id = conn.execute(
                "insert into public.campaigns (owner_id, title, goal_amount, currency, category,"
                " country, status, published_at, starts_at, ends_at)"
                " values ('00000000-0000-4000-8000-000000000002', %s, 100000, 'XOF', 'sante', 'ML',"
                " 'active', now(), now(), now() + interval '30 days') returning id",
                [CAMPAIGN["title"]],
            ).fetchone()[0]
        app = make_app(
            database_url=c.url(),
            supabase_jwt_secret=jwt_secret,
            stripe_secret_key=sf.SECRET_KEY,
            stripe_webhook_secret=sf.WEBHOOK_SECRET,
            stripe_api_base=stripe_api.url,
            db_pool_timeout=1,
        )
        yield c, app, campaign_id


def collected(cluster, campaign_id):
    with psycopg.connect(cluster.url()) as conn:
        return conn.execute(
            "select collected_amount from public.campaigns where id = %s", [campaign_id]
        ).fetchone()[0]


def test_database_stopped_mid_request_gives_503_then_the_retry_applies_once(own_stack, stripe_api):
    cluster, app, campaign_id = own_stack
    client = app.test_client()
    response = client.post(
        "/donations/checkout",
        json={
            "campaign_id": str(campaign_id),
            "amount": 5000,
            "currency": "XOF",
            "provider": "stripe",
        },
    )
    assert response.status_code == 201
    donation_id = response.get_json()["donation_id"]
    session = next(iter(stripe_api.sessions.values()))
    intent = sf.new_id("pi")
    stripe_api.register_intent(intent, 5000, "XOF", session["metadata"])
    pledge = {
        "donation_id": donation_id, "attempt_id": session["metadata"]["attempt_id"],
        "session_id": session["id"], "payment_intent": intent, "amount": 5000, "currency": "XOF",
    }  # fmt: skip
    payload = sf.event("checkout.session.completed", sf.checkout_session(pledge))
    body = json.dumps(payload).encode()

    def deliver():
        return client.post(
            "/webhooks/stripe", data=body, headers={"Stripe-Signature": sf.sign(body)},
            content_type="application/json",
        )  # fmt: skip

    # The request is in flight (Stripe's API answers slowly) when PostgreSQL stops.
    stripe_api.latency = 1.0
    results = []
    worker = threading.Thread(target=lambda: results.append(deliver()))
    worker.start()
    time.sleep(0.3)
    cluster.stop("immediate")
    worker.join()
    assert results[0].status_code == 503
    assert results[0].get_json()["message"] == "service_unavailable"
    assert results[0].headers["Retry-After"]

    # Still down: Stripe's retry gets 503 again, nothing half-written.
    assert deliver().status_code == 503

    # Back up: Stripe keeps retrying until a 2xx; the first one applies it.
    cluster.start()
    stripe_api.latency = 0
    deadline = time.monotonic() + 30
    while (retried := deliver()).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert (retried.status_code, retried.get_json()["outcome"]) == (200, "applied")
    assert deliver().get_json()["outcome"] == "duplicate"
    assert collected(cluster, campaign_id) == 5000
    health = client.get("/healthz")
    assert health.status_code == 200


def test_an_acknowledged_event_survives_a_crash_right_after(own_stack, stripe_api):
    """Events commit asynchronously (the hot campaign row is not held during the
    flush) but the service answers 200 only once the commit is on disk."""
    cluster, app, campaign_id = own_stack
    client = app.test_client()
    for _ in range(5):
        response = client.post(
            "/donations/checkout",
            json={
                "campaign_id": str(campaign_id),
                "amount": 1000,
                "currency": "XOF",
                "provider": "stripe",
            },
        )
        assert response.status_code == 201
    bodies = []
    for session in stripe_api.sessions.values():
        pledge = {
            "donation_id": session["metadata"]["donation_id"], "attempt_id": session["metadata"]["attempt_id"],
            "session_id": session["id"], "payment_intent": None, "amount": 1000, "currency": "XOF",
        }  # fmt: skip
        bodies.append(
            json.dumps(sf.event("checkout.session.completed", sf.checkout_session(pledge))).encode()
        )
    for body in bodies:
        response = client.post(
            "/webhooks/stripe", data=body, headers={"Stripe-Signature": sf.sign(body)},
            content_type="application/json",
        )  # fmt: skip
        assert response.get_json()["outcome"] == "applied"
    cluster.stop("immediate")  # a crash: no shutdown checkpoint, only what was flushed survives
    cluster.start()
    assert collected(cluster, campaign_id) == 5000


def pledges(cluster, campaign_id, count: int, amount: int = 1000) -> list[dict]:
    """Pending pledges with an open Stripe session each (as checkout leaves them)."""
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        rows = conn.execute(
            "select private.create_donation(%s, %s, 'XOF', 'stripe') from generate_series(1, %s)",
            [campaign_id, amount, count],
        ).fetchall()
        conn.execute(
            "update private.payment_attempts set session_ref = 'cs_fault_' || id, status = 'open'"
        )
    return [
        {**r[0], "session_id": f"cs_fault_{r[0]['attempt_id']}", "payment_intent": None,
         "amount": amount, "currency": "XOF"}
        for r in rows
    ]  # fmt: skip


def signed(pledge: dict) -> tuple[bytes, str]:
    body = json.dumps(sf.event("checkout.session.completed", sf.checkout_session(pledge))).encode()
    return body, sf.sign(body)


def ledger_drift(cluster) -> list:
    with psycopg.connect(cluster.url()) as conn:
        return conn.execute("select * from private.check_ledger()").fetchall()


def test_a_retry_stream_across_a_postgres_restart_applies_every_event_once(own_stack):
    """40 events, some delivered twice, by 4 senders that retry every non-2xx like
    Stripe; PostgreSQL crashes and comes back while they arrive."""
    cluster, app, campaign_id = own_stack
    events = [signed(p) for p in pledges(cluster, campaign_id, 40)]
    deliveries: queue.Queue = queue.Queue()
    for i, event in enumerate(events):
        deliveries.put(event)
        if i % 4 == 0:
            deliveries.put(event)  # at-least-once: Stripe may send an event twice
    outcomes: list[str] = []
    acknowledged: set[bytes] = set()
    failures: list[int] = []
    lock = threading.Lock()

    def sender():
        client = app.test_client()
        while True:
            try:
                body, signature = deliveries.get(timeout=0.5)
            except queue.Empty:
                return
            response = client.post(
                "/webhooks/stripe", data=body, headers={"Stripe-Signature": signature},
                content_type="application/json",
            )  # fmt: skip
            with lock:
                if response.status_code == 200:
                    outcomes.append(response.get_json()["outcome"])
                    acknowledged.add(body)
                else:
                    failures.append(response.status_code)
            if response.status_code != 200:
                time.sleep(0.2)  # Stripe backs off, then retries
                deliveries.put((body, signature))

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    while len(outcomes) < 10:
        time.sleep(0.01)
    cluster.stop("immediate")
    time.sleep(1.5)
    cluster.start()
    for t in threads:
        t.join(timeout=90)
    assert not any(t.is_alive() for t in threads)
    assert failures
    assert set(failures) == {503}
    # Every event got its 2xx (a commit whose answer was lost to the crash is a
    # "duplicate" on the retry), and each payment is in the books once.
    assert set(outcomes) <= {"applied", "duplicate"}
    assert acknowledged == {body for body, _ in events}
    with psycopg.connect(cluster.url()) as conn:
        credited = conn.execute(
            "select count(*), count(distinct donation_id) from private.ledger_entries"
            " where kind = 'donation'"
        ).fetchone()
    assert credited == (40, 40)
    assert collected(cluster, campaign_id) == 40 * 1000
    assert ledger_drift(cluster) == []


def test_a_worker_killed_mid_request_loses_nothing_and_the_retry_applies_once(
    own_stack, stripe_api
):
    """The worker dies while it waits on Stripe's API (the fee lookup); the sender
    sees a broken connection, gunicorn starts another worker, the retry applies."""
    cluster, _app, campaign_id = own_stack
    (pledge,) = pledges(cluster, campaign_id, 1, amount=5000)
    pledge["payment_intent"] = sf.new_id("pi")
    stripe_api.register_intent(
        pledge["payment_intent"], 5000, "XOF",
        {"donation_id": pledge["donation_id"], "attempt_id": pledge["attempt_id"]},
    )  # fmt: skip
    body, _ = signed(pledge)

    def deliver():
        return requests.post(
            f"{service.base}/webhooks/stripe", data=body, timeout=30,
            headers={"Stripe-Signature": sf.sign(body), "Content-Type": "application/json"},
        )  # fmt: skip

    with gunicorn(
        cluster.url(), workers=1, STRIPE_API_BASE=stripe_api.url, DB_POOL_TIMEOUT="2"
    ) as service:
        stripe_api.latency = 3.0
        results: list = []

        def attempt():
            try:
                results.append(deliver())
            except requests.ConnectionError as exc:
                results.append(exc)

        sending = threading.Thread(target=attempt)
        sending.start()
        deadline = time.monotonic() + 10
        while not stripe_api.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        (worker,) = service.workers()
        os.kill(worker, signal.SIGKILL)
        sending.join()
        assert isinstance(results[0], requests.ConnectionError)
        assert collected(cluster, campaign_id) == 0  # nothing half-applied

        stripe_api.latency = 0
        wait_until_healthy(service, timeout=30)
        assert service.workers() != [worker]
        retried = deliver()
        assert (retried.status_code, retried.json()["outcome"]) == (200, "applied")
        assert deliver().json()["outcome"] == "duplicate"
    assert collected(cluster, campaign_id) == 5000
    assert ledger_drift(cluster) == []
