"""The database going away while Stripe delivers: 503 (Stripe retries), then the
retry is applied exactly once."""

from __future__ import annotations

import json
import secrets
import threading
import time

import psycopg
import pytest

from admin_scripts import localstack
from tests import stripe_fake as sf
from tests.conftest import CAMPAIGN, throwaway_cluster


@pytest.fixture
def own_stack(make_app, stripe_api, jwt_secret):
    """A durable cluster of its own (this test crashes it), with an active campaign."""
    with throwaway_cluster(throwaway=False) as c:
        localstack.build_database(c.url(), secrets.token_hex(8), seed=True)
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
    assert results[0].get_json()["error"]["code"] == "service_unavailable"
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
