"""`cagnotte-admin stripe reconcile`: missed webhooks recovered through the
Stripe API (served locally) and the webhook's own SQL path."""

from __future__ import annotations

import functools
import json
import time

import pytest

from tests import stripe_fake


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def cli(operator_cli, monkeypatch, stripe_api):
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_fake.SECRET_KEY)
    monkeypatch.setenv("STRIPE_API_BASE", stripe_api.url)
    return functools.partial(operator_cli, "stripe")


def paid(stripe_api, pledge, created):
    evt = stripe_fake.event(
        "checkout.session.completed", stripe_fake.checkout_session(pledge), created=created
    )
    stripe_api.events.append(evt)
    return evt


def collected(db, campaign):
    return db.one(
        "select collected_amount, donor_count from public.campaigns where id = %s", [campaign["id"]]
    )


def test_missed_payments_are_applied_once_and_known_ones_left_alone(
    db, cli, stripe_api, donate, post_event, campaign
):
    now = int(time.time())
    delivered = paid(stripe_api, donate(campaign, 5_000), now - 300)
    assert post_event(delivered).status_code == 200  # this one the webhook got
    missed = [
        paid(stripe_api, donate(campaign, 2_000 + i), now - 200 + i) for i in range(105)
    ]  # > 1 page
    stripe_api.fee = 50
    result = cli("reconcile", "--since", "1d", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["listed"], report["already_recorded"], len(report["applied"])) == (106, 1, 105)
    assert report["missing"] == [e["id"] for e in missed]  # oldest first
    assert {a["outcome"] for a in report["applied"]} == {"applied"}
    assert collected(db, campaign) == {
        "collected_amount": 5_000 + sum(2_000 + i for i in range(105)),
        "donor_count": 106,
    }
    assert len(stripe_api.calls("GET", "/v1/events")) == 2  # paginated
    # the same way as the webhook: recorded, acknowledged, processor fee looked up
    assert (
        db.one(
            "select count(*) as n from private.webhook_events where acknowledged_at is not null"
        )["n"]
        == 106
    )
    assert (
        db.one("select count(*) as n from private.ledger_entries where kind = 'processor_fee'")["n"]
        == 105
    )
    again = json.loads(cli("reconcile", "--since", "1d", "--json").stdout)
    assert (again["already_recorded"], again["applied"]) == (106, [])
    assert collected(db, campaign)["donor_count"] == 106
    assert [a["action"] for a in db.sql("select action from private.audit_log order by id")] == [
        "stripe reconcile", "stripe reconcile",
    ]  # fmt: skip


def test_since_limits_the_listing(db, cli, stripe_api, donate, campaign):
    paid(stripe_api, donate(campaign, 3_000), int(time.time()) - 3 * 86_400)
    report = json.loads(cli("reconcile", "--since", "1d", "--json").stdout)
    assert report["listed"] == 0
    assert collected(db, campaign)["collected_amount"] == 0


def test_dry_run_applies_nothing(db, cli, stripe_api, donate, campaign):
    evt = paid(stripe_api, donate(campaign, 3_000), int(time.time()))
    report = json.loads(cli("reconcile", "--since", "2026-01-01", "--dry-run", "--json").stdout)
    assert (report["missing"], report["applied"]) == ([evt["id"]], [])
    assert collected(db, campaign)["collected_amount"] == 0


def test_stripe_down_is_a_clear_error(cli, stripe_api):
    stripe_api.fail = "error"
    result = cli("reconcile", "--since", "1d")
    assert result.exit_code == 6  # errors.EXIT_PROVIDER
    assert "Stripe" in result.stderr


@pytest.mark.parametrize("since", ["hier", "3 jours", ""])
def test_a_bad_since_is_a_usage_error(cli, since):
    assert cli("reconcile", "--since", since).exit_code == 2


def test_reconcile_is_for_admins(cli, monkeypatch, user):
    monkeypatch.setenv("CAGNOTTE_OPERATOR", user.email)
    assert cli("reconcile", "--since", "1d").exit_code == 4
