"""A payment event's way to the database: one round trip (webhooks.db.transactions).

On a 2-core machine the service's and PostgreSQL's CPU compete: each round trip
costs both a send, a wake-up and a reply. The record (committed asynchronously)
and the acknowledgement (a synchronous commit) stay two transactions, sent
together. The service here reaches the database through PgBouncer in transaction
mode (conftest's service_settings), as on hosted Supabase."""

from __future__ import annotations

import json

import psycopg
import pytest

from tests import stripe_fake as sf
from tests.test_stripe_webhooks import completed, donation


@pytest.fixture
def pledge(donate, owner, make_campaign):
    return donate(make_campaign(owner, "active", goal_amount=100_000), 5000)


@pytest.fixture
def round_trips(monkeypatch):
    """Counts the queries the service sends (each execute() waits for its reply)."""
    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def counted(cursor, query, *args, **kwargs):
        sent.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    return sent


def webhook_event(db, event_id: str) -> dict:
    return db.one(
        "select outcome, acknowledged_at is not null as acknowledged"
        " from private.webhook_events where event_id = %s",
        [event_id],
    )


def test_a_paid_checkout_event_is_recorded_and_acknowledged_in_one_round_trip(
    db, post_event, pledge, round_trips
):
    event = completed(pledge)

    response = post_event(event)

    assert response.get_json() == {"received": True, "outcome": "applied"}
    assert len(round_trips) == 1, round_trips
    assert webhook_event(db, event["id"]) == {"outcome": "applied", "acknowledged": True}
    assert donation(db, pledge)["status"] == "succeeded"


def test_a_replayed_event_is_still_acknowledged_in_one_round_trip(
    db, post_event, pledge, round_trips
):
    event = completed(pledge)
    post_event(event)
    round_trips.clear()

    replay = post_event(event)

    assert replay.get_json() == {"received": True, "outcome": "duplicate"}
    assert len(round_trips) == 1, round_trips
    assert webhook_event(db, event["id"])["acknowledged"] is True


def test_an_event_the_database_refuses_writes_nothing_and_the_next_event_applies(
    db, service, post_event, pledge
):
    """jsonb holds no \\u0000: the record fails inside its transaction, which is rolled
    back; the acknowledgement after it never runs, and the pooled connection serves
    the next event."""
    refused = completed(pledge, customer_details={"name": "\u0000"})
    body = json.dumps(refused).encode()

    response = service.post(
        "/webhooks/stripe", data=body, content_type="application/json",
        headers={"Stripe-Signature": sf.sign(body)},
    )  # fmt: skip

    assert (response.status_code, response.get_json()["message"]) == (422, "invalid_input")
    assert db.sql("select 1 from private.webhook_events") == []
    assert donation(db, pledge)["status"] == "pending"
    assert post_event(completed(pledge)).get_json()["outcome"] == "applied"
