"""Monthly giving by card: a Stripe subscription whose paid invoices are donations
through the payment core, ended by the donor, a closed campaign or failed renewals."""

from __future__ import annotations

import json
import threading
import time

import psycopg
import pytest

from tests import stripe_fake as sf
from tests.postgrest import ApiError
from tests.support.cast import ACTORS
from tests.support.monthly_giving import (
    cancel_link_sig,
    failed_invoice,
    gift_donations,
    gift_row,
    paid_invoice,
    start_monthly,
    subscription_deleted,
)

AMOUNT = 10_000  # XOF, each month


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active", goal_amount=1_000_000)


@pytest.fixture
def monthly(service, stripe_api, campaign, user):
    """A signed-in donor's monthly gift, checkout open."""
    return start_monthly(service, stripe_api, campaign, AMOUNT, token=user.token)


@pytest.fixture
def guest_monthly(service, stripe_api, campaign):
    return start_monthly(
        service, stripe_api, campaign, AMOUNT, email="awa.guest@example.com", locale="en"
    )


def books_are_clean(db) -> None:
    assert db.sql("select * from private.check_ledger()") == []


def collected(db, campaign) -> int:
    return db.one("select collected_amount from public.campaigns where id = %s", [campaign["id"]])[
        "collected_amount"
    ]


def outcome(response) -> str:
    assert response.status_code == 200, response.get_json()
    return response.get_json()["outcome"]


def notifications(db, user, kind: str) -> list[dict]:
    return db.sql(
        "select payload from public.notifications where user_id = %s and kind = %s",
        [user.id, kind],
    )


def emails(db, template: str) -> list[dict]:
    return db.sql(
        "select to_address, locale::text, subject, body from private.email_messages where template = %s",
        [template],
    )


# Starting --------------------------------------------------------------------------------


def test_a_monthly_gift_opens_a_subscription_checkout_at_stripe(db, stripe_api, monthly, user):
    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    form = call.form
    assert form["mode"] == "subscription"
    assert form["line_items[0][price_data][recurring][interval]"] == "month"
    assert form["line_items[0][price_data][unit_amount]"] == str(AMOUNT)
    assert form["subscription_data[metadata][recurring_gift_id]"] == monthly["gift_id"]
    assert "payment_intent_data[metadata][donation_id]" not in form
    gift = gift_row(db, monthly)
    assert (gift["status"], gift["amount"], gift["currency"], gift["donor_id"]) == (
        "pending", AMOUNT, "XOF", user.id,
    )  # fmt: skip


@pytest.mark.parametrize("provider", ["cinetpay", None])
def test_monthly_giving_is_by_card_only_and_writes_nothing_otherwise(
    db, service, campaign, provider
):
    before = db.one("select count(*) as n from public.donations")["n"]
    body = {"campaign_id": str(campaign["id"]), "amount": AMOUNT, "currency": "XOF",
            "recurring": "monthly"}  # fmt: skip
    if provider:
        body["provider"] = provider
    response = service.post("/donations/checkout", json=body)
    assert response.status_code == 422
    assert response.get_json()["message"] == "recurring_needs_card"
    assert db.one("select count(*) as n from public.donations")["n"] == before
    assert db.sql("select id from public.recurring_gifts") == []


EXTRAS = [{"tip_amount": 500}, {"cover_fees": True}, {"pay_currency": "EUR"}]


@pytest.mark.parametrize("extra", EXTRAS)
def test_a_monthly_gift_with_a_tip_covered_fees_or_another_currency_is_refused_writing_nothing(
    db, service, stripe_api, campaign, extra
):
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": AMOUNT, "currency": "XOF",
              "provider": "stripe", "recurring": "monthly", **extra},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["message"] == "recurring_extras_unsupported"
    assert stripe_api.requests == []
    assert db.sql("select id from public.donations") == []
    assert db.sql("select id from public.recurring_gifts") == []


@pytest.mark.parametrize("extra", EXTRAS)
def test_the_database_refuses_a_monthly_gift_the_extras_of_one_off_gifts(db, campaign, extra):
    ((name, value),) = extra.items()
    with pytest.raises(psycopg.Error) as refused:
        db.sql(
            "select private.start_recurring_gift(campaign_id => %s, amount => %s, currency => 'XOF',"
            f" provider => 'stripe', donor_email => 'awa@example.com', {name} => %s)",
            [campaign["id"], AMOUNT, value],
        )
    assert refused.value.sqlstate == "PT422"
    assert refused.value.diag.message_primary == "recurring_extras_unsupported"
    assert db.sql("select id from public.recurring_gifts") == []


def test_a_monthly_gift_to_a_closed_campaign_is_refused(db, service, stripe_api, campaign):
    db.sql("update public.campaigns set status = 'expired' where id = %s", [campaign["id"]])
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": AMOUNT, "currency": "XOF",
              "provider": "stripe", "recurring": "monthly"},
    )  # fmt: skip
    assert response.status_code == 409
    assert response.get_json()["message"] == "campaign_not_accepting_donations"
    assert db.sql("select id from public.recurring_gifts") == []


def test_a_checkout_left_unpaid_ends_the_gift_untold(db, post_event, monthly, user):
    session = sf.resource(
        "checkout.session", id=monthly["session_id"], mode="subscription", status="expired",
        payment_status="unpaid", amount_total=AMOUNT, currency="xof", payment_intent=None,
        metadata={"donation_id": monthly["donation_id"], "campaign_id": monthly["campaign_id"],
                  "recurring_gift_id": monthly["gift_id"]},
    )  # fmt: skip
    assert outcome(post_event(sf.event("checkout.session.expired", session))) == "applied"
    donation = db.one("select status::text from public.donations where id = %s",
                      [monthly["donation_id"]])  # fmt: skip
    assert donation["status"] == "canceled"
    gift = gift_row(db, monthly)
    assert (gift["status"], gift["end_reason"]) == ("ended", "checkout_abandoned")
    assert notifications(db, user, "recurring_gift_ended") == []


def test_a_gift_cancelled_before_its_checkout_is_paid_ends_when_the_checkout_expires(
    db, service, post_event, stripe_api, guest_monthly
):
    sig = cancel_link_sig(db, guest_monthly)
    response = service.post(
        f"/recurring-gifts/{guest_monthly['gift_id']}/cancel", json={"sig": sig}
    )
    assert response.get_json()["status"] == "ending"  # no subscription yet: nothing to delete
    assert stripe_api.deleted_subscriptions == []
    session = sf.resource(
        "checkout.session", id=guest_monthly["session_id"], mode="subscription",
        status="expired", payment_status="unpaid", amount_total=AMOUNT, currency="xof",
        payment_intent=None, metadata={"donation_id": guest_monthly["donation_id"]},
    )  # fmt: skip
    post_event(sf.event("checkout.session.expired", session))
    gift = gift_row(db, guest_monthly)
    assert (gift["status"], gift["end_reason"]) == ("ended", "canceled_by_donor")
    assert len(emails(db, "recurring_gift_ended")) == 1


# Each month ------------------------------------------------------------------------------


def test_three_paid_months_are_three_donations_with_receipts_and_clean_books(
    db, post_event, stripe_api, monthly, campaign, user
):
    stripe_api.fee = 300
    completed = sf.event(
        "checkout.session.completed",
        sf.resource("checkout.session", id=monthly["session_id"], mode="subscription",
                    payment_status="paid", status="complete", amount_total=AMOUNT,
                    currency="xof", payment_intent=None, metadata=monthly["meta"]),
    )  # fmt: skip
    assert outcome(post_event(completed)) == "ignored"  # the invoice credits the month
    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    assert outcome(post_event(paid_invoice(stripe_api, monthly))) == "applied"
    assert outcome(post_event(paid_invoice(stripe_api, monthly))) == "applied"

    donations = gift_donations(db, monthly)
    assert [(d["status"], d["amount"], d["donor_id"]) for d in donations] == [
        ("succeeded", AMOUNT, user.id)
    ] * 3
    assert str(donations[0]["id"]) == monthly["donation_id"]  # the checkout's pledge is month one
    receipts = db.sql(
        "select r.number from public.receipts as r where r.donation_id = any(%s) and r.kind = 'receipt'",
        [[d["id"] for d in donations]],
    )
    assert len(receipts) == 3
    fees = db.sql(
        "select amount from private.ledger_entries where kind = 'processor_fee'"
        " and donation_id = any(%s)",
        [[d["id"] for d in donations]],
    )
    assert [f["amount"] for f in fees] == [-300] * 3
    assert collected(db, campaign) == 3 * AMOUNT
    books_are_clean(db)
    gift = gift_row(db, monthly)
    assert (gift["status"], gift["started_at"] is not None) == ("active", True)
    (started,) = notifications(db, user, "recurring_gift_started")
    assert f"/dons-mensuels/{monthly['gift_id']}?sig=" in started["payload"]["cancel_url"]
    refs = db.one(
        "select subscription_ref from private.recurring_gift_refs where gift_id = %s",
        [monthly["gift_id"]],
    )
    assert refs["subscription_ref"] == monthly["subscription_id"]


def test_a_replayed_or_repeated_invoice_credits_once(db, post_event, stripe_api, monthly, campaign):
    first = paid_invoice(stripe_api, monthly, first=True)
    assert outcome(post_event(first)) == "applied"
    assert outcome(post_event(first)) == "duplicate"
    again = sf.event("invoice.paid", first["data"]["object"])  # another event, the same invoice
    assert outcome(post_event(again)) == "ignored"
    assert len(gift_donations(db, monthly)) == 1
    assert collected(db, campaign) == AMOUNT
    books_are_clean(db)


def test_concurrent_deliveries_of_one_invoice_credit_it_once(
    db, make_app, service_settings, stripe_api, monthly, campaign
):
    app = make_app(**service_settings)
    post_event_now = paid_invoice(stripe_api, monthly, first=True)
    invoice = post_event_now["data"]["object"]
    events = [sf.event("invoice.paid", invoice) for _ in range(4)]
    answers: list[str] = []

    def deliver(evt):
        payload = json.dumps(evt).encode()
        response = app.test_client().post(
            "/webhooks/stripe", data=payload,
            headers={"Stripe-Signature": sf.sign(payload)}, content_type="application/json",
        )  # fmt: skip
        answers.append(response.get_json()["outcome"])

    threads = [threading.Thread(target=deliver, args=(e,)) for e in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["applied", "ignored", "ignored", "ignored"]
    assert len(gift_donations(db, monthly)) == 1
    assert collected(db, campaign) == AMOUNT
    books_are_clean(db)


# Cancelling ------------------------------------------------------------------------------


def test_a_donor_cancels_from_their_account_and_the_next_invoice_is_refunded(
    db, post_event, stripe_api, monthly, campaign, user, as_user
):
    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    gift = as_user(user).rpc("cancel_recurring_gift", {"gift_id": monthly["gift_id"]})
    assert (gift["status"], gift["end_reason"]) == ("ending", "canceled_by_donor")
    (ended,) = notifications(db, user, "recurring_gift_ended")
    assert ended["payload"]["reason"] == "canceled_by_donor"

    # Stripe bills the next month before the subscription is deleted: not credited, refunded
    late = paid_invoice(stripe_api, monthly)
    assert outcome(post_event(late)) == "ignored"
    (refund,) = stripe_api.refunds.values()
    assert refund["payment_intent"] == stripe_api.invoice_intents[late["data"]["object"]["id"]]
    assert stripe_api.deleted_subscriptions == [monthly["subscription_id"]]
    assert outcome(post_event(late)) == "duplicate"
    assert len(stripe_api.refunds) == 1
    assert len(gift_donations(db, monthly)) == 1
    assert collected(db, campaign) == AMOUNT
    books_are_clean(db)

    assert outcome(post_event(subscription_deleted(monthly))) == "applied"
    gift = gift_row(db, monthly)
    assert (gift["status"], gift["end_reason"]) == ("ended", "canceled_by_donor")
    assert len(notifications(db, user, "recurring_gift_ended")) == 1  # told once
    assert outcome(post_event(subscription_deleted(monthly))) == "stale"


def test_a_guest_cancels_from_the_signed_link_in_their_email(
    db, service, post_event, stripe_api, guest_monthly
):
    assert outcome(post_event(paid_invoice(stripe_api, guest_monthly, first=True))) == "applied"
    (started,) = emails(db, "recurring_gift_started")
    assert (started["to_address"], started["locale"]) == ("awa.guest@example.com", "en")
    sig = cancel_link_sig(db, guest_monthly)
    assert f"/dons-mensuels/{guest_monthly['gift_id']}?sig={sig}" in started["body"]

    response = service.post(
        f"/recurring-gifts/{guest_monthly['gift_id']}/cancel", json={"sig": sig}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "recurring_gift_id": guest_monthly["gift_id"],
        "status": "ended",
        "end_reason": "canceled_by_donor",
    }
    assert stripe_api.deleted_subscriptions == [guest_monthly["subscription_id"]]
    (ended,) = emails(db, "recurring_gift_ended")
    assert ended["to_address"] == "awa.guest@example.com"
    # the webhook that follows changes nothing
    assert outcome(post_event(subscription_deleted(guest_monthly))) == "stale"
    again = service.post(f"/recurring-gifts/{guest_monthly['gift_id']}/cancel", json={"sig": sig})
    assert again.get_json()["status"] == "ended"
    assert stripe_api.deleted_subscriptions == [guest_monthly["subscription_id"]]


@pytest.mark.parametrize("sig", ["", "forged", None, "A" * 43])
def test_a_forged_cancel_link_is_refused_and_changes_nothing(
    db, service, post_event, stripe_api, guest_monthly, sig
):
    post_event(paid_invoice(stripe_api, guest_monthly, first=True))
    body = {} if sig is None else {"sig": sig}
    response = service.post(f"/recurring-gifts/{guest_monthly['gift_id']}/cancel", json=body)
    assert response.status_code == 404
    assert response.get_json()["message"] == "recurring_gift_not_found"
    assert gift_row(db, guest_monthly)["status"] == "active"
    assert stripe_api.deleted_subscriptions == []


def test_a_signed_in_donor_cancels_through_the_service_with_their_token(
    db, service, post_event, stripe_api, monthly, user, make_user
):
    post_event(paid_invoice(stripe_api, monthly, first=True))
    stranger = make_user()
    url = f"/recurring-gifts/{monthly['gift_id']}/cancel"
    refused = service.post(url, json={}, headers={"Authorization": f"Bearer {stranger.token}"})
    assert refused.status_code == 404
    answer = service.post(url, json={}, headers={"Authorization": f"Bearer {user.token}"})
    assert answer.get_json()["status"] == "ended"


# The campaign closes ------------------------------------------------------------------------


def test_a_closed_campaign_ends_its_gifts_and_tells_the_donors(
    db, post_event, stripe_api, monthly, guest_monthly, campaign, user
):
    for gift in (monthly, guest_monthly):
        assert outcome(post_event(paid_invoice(stripe_api, gift, first=True))) == "applied"
    db.sql("update public.campaigns set status = 'expired' where id = %s", [campaign["id"]])
    for gift in (monthly, guest_monthly):
        row = gift_row(db, gift)
        assert (row["status"], row["end_reason"]) == ("ending", "campaign_closed")
    (told,) = notifications(db, user, "recurring_gift_ended")
    assert told["payload"]["reason"] == "campaign_closed"
    assert [e["to_address"] for e in emails(db, "recurring_gift_ended")] == [
        user.email, "awa.guest@example.com",
    ] or len(emails(db, "recurring_gift_ended")) == 2  # fmt: skip

    # a renewal Stripe charged anyway is not credited to the closed campaign: refunded
    assert outcome(post_event(paid_invoice(stripe_api, monthly))) == "ignored"
    assert len(stripe_api.refunds) == 1
    assert collected(db, campaign) == 2 * AMOUNT
    books_are_clean(db)


def test_a_frozen_campaign_keeps_its_gifts_but_credits_no_renewal(
    db, post_event, stripe_api, monthly, campaign
):
    post_event(paid_invoice(stripe_api, monthly, first=True))
    db.sql("update public.campaigns set status = 'frozen' where id = %s", [campaign["id"]])
    assert gift_row(db, monthly)["status"] == "active"
    assert outcome(post_event(paid_invoice(stripe_api, monthly))) == "ignored"
    assert len(stripe_api.refunds) == 1
    assert stripe_api.deleted_subscriptions == []  # the freeze may be lifted
    assert collected(db, campaign) == AMOUNT
    books_are_clean(db)


# Failed renewals ----------------------------------------------------------------------------


def test_failed_renewals_are_noted_then_the_last_retry_ends_the_gift(
    db, post_event, stripe_api, monthly, user
):
    post_event(paid_invoice(stripe_api, monthly, first=True))
    for attempt in (1, 2, 3):
        assert outcome(post_event(failed_invoice(monthly, attempt))) == "applied"
        row = gift_row(db, monthly)
        assert (row["status"], row["failed_payments"]) == ("active", attempt)
    assert outcome(post_event(subscription_deleted(monthly, "payment_failed"))) == "applied"
    row = gift_row(db, monthly)
    assert (row["status"], row["end_reason"]) == ("ended", "payment_failed")
    (told,) = notifications(db, user, "recurring_gift_ended")
    assert told["payload"]["reason"] == "payment_failed"
    assert len(gift_donations(db, monthly)) == 1


def test_a_paid_renewal_resets_the_failures(db, post_event, stripe_api, monthly):
    post_event(paid_invoice(stripe_api, monthly, first=True))
    post_event(failed_invoice(monthly, 1))
    post_event(paid_invoice(stripe_api, monthly))
    assert gift_row(db, monthly)["failed_payments"] == 0


# Held events ------------------------------------------------------------------------------


def test_an_invoice_naming_another_campaign_or_subscription_is_held(
    db, post_event, stripe_api, monthly, campaign, owner, make_campaign
):
    post_event(paid_invoice(stripe_api, monthly, first=True))
    other = make_campaign(owner, "active")
    wrong_campaign = paid_invoice(
        stripe_api, monthly, meta={**monthly["meta"], "campaign_id": str(other["id"])}
    )
    assert outcome(post_event(wrong_campaign)) == "mismatch"
    wrong_subscription = paid_invoice(stripe_api, monthly, subscription_id=sf.new_id("sub"))
    assert outcome(post_event(wrong_subscription)) == "mismatch"
    unknown = paid_invoice(stripe_api, monthly, meta={}, subscription_id=sf.new_id("sub"))
    assert outcome(post_event(unknown)) == "unknown_payment"
    assert len(gift_donations(db, monthly)) == 1
    assert collected(db, campaign) == AMOUNT
    assert collected(db, other) == 0
    books_are_clean(db)


# Who reads and cancels a gift: the cast ------------------------------------------------------

# the cast's donor owns the gift; admins read and cancel any
READS = {actor: actor in ("donor", "admin") for actor in ACTORS}
CANCELS = {
    "anon": "permission_denied",
    "donor": "ending",
    "owner": "recurring_gift_not_found",
    "co_organizer": "recurring_gift_not_found",
    "treasurer": "recurring_gift_not_found",
    "moderator": "recurring_gift_not_found",
    "admin": "ending",
    "banned": "recurring_gift_not_found",
}


@pytest.fixture
def cast_gift(cast, service, stripe_api, post_event):
    gift = start_monthly(
        service, stripe_api, cast.campaign, AMOUNT, token=cast.users["donor"].token
    )
    post_event(paid_invoice(stripe_api, gift, first=True))
    return gift


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_donor_and_admins_read_a_recurring_gift(cast, cast_gift, actor):
    if actor == "anon":  # no grant on the table
        with pytest.raises(ApiError) as refused:
            cast.api(actor).get("recurring_gifts", {"id": cast_gift["gift_id"]})
        assert refused.value.status == 401
        return
    rows = cast.api(actor).get("recurring_gifts", {"id": cast_gift["gift_id"]})
    assert bool(rows) == READS[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_donor_and_admins_cancel_a_recurring_gift(db, cast, cast_gift, actor):
    try:
        gift = cast.api(actor).rpc("cancel_recurring_gift", {"gift_id": cast_gift["gift_id"]})
        result = gift["status"]
    except ApiError as exc:
        result = "permission_denied" if exc.code == "42501" else exc.message
    assert result == CANCELS[actor]
    expected = "ending" if CANCELS[actor] == "ending" else "active"
    assert gift_row(db, cast_gift)["status"] == expected


def test_a_banned_donor_cannot_cancel_by_token_but_can_by_link(
    db, cast, service, stripe_api, post_event, gotrue
):
    banned = cast.users["banned"]
    # the gift was started before the ban: make it theirs
    gift = start_monthly(service, stripe_api, cast.campaign, AMOUNT, email="banni@example.com")
    post_event(paid_invoice(stripe_api, gift, first=True))
    db.sql(
        "update public.recurring_gifts set donor_id = %s where id = %s",
        [banned.id, gift["gift_id"]],
    )
    with pytest.raises(ApiError) as refused:
        cast.api("banned").rpc("cancel_recurring_gift", {"gift_id": gift["gift_id"]})
    assert refused.value.message == "account_banned"
    sig = cancel_link_sig(db, gift)
    answer = service.post(f"/recurring-gifts/{gift['gift_id']}/cancel", json={"sig": sig})
    assert answer.get_json()["status"] == "ended"


# The console ------------------------------------------------------------------------------


@pytest.fixture
def cli(operator_cli, monkeypatch, stripe_api):
    monkeypatch.setenv("STRIPE_SECRET_KEY", sf.SECRET_KEY)
    monkeypatch.setenv("STRIPE_API_BASE", stripe_api.url)
    return operator_cli


def test_payments_end_recurring_deletes_the_subscriptions_of_a_closed_campaign_then_ends_them(
    db, cli, post_event, stripe_api, monthly, guest_monthly, campaign
):
    for gift in (monthly, guest_monthly):
        post_event(paid_invoice(stripe_api, gift, first=True))
    db.sql("update public.campaigns set status = 'expired' where id = %s", [campaign["id"]])
    dry = cli("--lang", "en", "payments", "end-recurring", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert stripe_api.deleted_subscriptions == []
    result = cli("--lang", "en", "payments", "end-recurring", "--json")
    assert result.exit_code == 0, result.output
    assert sorted(stripe_api.deleted_subscriptions) == sorted(
        [monthly["subscription_id"], guest_monthly["subscription_id"]]
    )
    for gift in (monthly, guest_monthly):
        row = gift_row(db, gift)
        assert (row["status"], row["end_reason"]) == ("ended", "campaign_closed")
    again = cli("--lang", "en", "payments", "end-recurring")
    assert again.exit_code == 0
    assert len(stripe_api.deleted_subscriptions) == 2
    assert (
        db.one(
            "select count(*) as n from private.audit_log where action = 'payments end-recurring'"
        )["n"]
        == 2
    )


def test_payments_end_recurring_exits_1_when_stripe_does_not_answer(
    db, cli, post_event, stripe_api, monthly, user, as_user
):
    post_event(paid_invoice(stripe_api, monthly, first=True))
    as_user(user).rpc("cancel_recurring_gift", {"gift_id": monthly["gift_id"]})
    stripe_api.fail = "error"
    result = cli("--lang", "en", "payments", "end-recurring")
    assert result.exit_code == 1
    assert gift_row(db, monthly)["status"] == "ending"


def test_recurring_gifts_list_and_show_in_french(db, cli, post_event, stripe_api, monthly):
    post_event(paid_invoice(stripe_api, monthly, first=True))
    post_event(paid_invoice(stripe_api, monthly))
    listed = cli("--lang", "fr", "recurring-gifts", "list")
    assert listed.exit_code == 0, listed.output
    assert "Dons mensuels" in listed.output
    assert monthly["gift_id"][:8] in listed.output
    shown = cli("recurring-gifts", "show", monthly["gift_id"][:8], "--json")
    assert shown.exit_code == 0, shown.output
    assert '"status": "active"' in shown.output
    assert shown.output.count('"succeeded"') == 2


def test_stripe_reconcile_credits_a_missed_invoice_through_the_webhooks_path(
    db, cli, stripe_api, monthly, campaign
):
    missed = paid_invoice(stripe_api, monthly, first=True)
    stripe_api.events.append(missed)
    result = cli("stripe", "reconcile", "--since", "1d", "--json")
    assert result.exit_code == 0, result.output
    assert [a["outcome"] for a in json.loads(result.stdout)["applied"]] == ["applied"]
    assert gift_row(db, monthly)["status"] == "active"
    assert collected(db, campaign) == AMOUNT
    books_are_clean(db)


# A month the payment core refuses, a racing cancel, a donor who leaves ------------------


def refused_month(db, stripe_api, gift, late) -> dict:
    """A month not credited: refunded at Stripe (that invoice's payment), its
    subscription deleted, no donation made for it; the inbox's record of it."""
    invoice = late["data"]["object"]
    (refund,) = stripe_api.refunds.values()
    assert refund["payment_intent"] == stripe_api.invoice_intents[invoice["id"]]
    assert refund["amount"] == gift["amount"]
    assert stripe_api.deleted_subscriptions == [gift["subscription_id"]]
    assert len(gift_donations(db, gift)) == 1
    books_are_clean(db)
    return db.one(
        "select outcome, detail from private.webhook_events where event_id = %s", [late["id"]]
    )


def ban_donor(db, gotrue, user) -> None:
    gotrue.ban(user)


def tighten_bounds(db, gotrue, user) -> None:
    db.sql(
        "update public.provider_currencies set max_amount = %s"
        " where provider = 'stripe' and currency = 'XOF'",
        [AMOUNT - 1],
    )


@pytest.mark.parametrize(
    ("change", "token"),
    [(ban_donor, "account_banned"), (tighten_bounds, "amount_out_of_bounds")],
    ids=["donor_banned", "bounds_changed"],
)
def test_a_month_the_payment_core_refuses_is_refunded_and_ends_the_gift(
    db, gotrue, post_event, stripe_api, monthly, campaign, user, change, token
):
    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    change(db, gotrue, user)
    late = paid_invoice(stripe_api, monthly)
    assert outcome(post_event(late)) == "ignored"
    recorded = refused_month(db, stripe_api, monthly, late)
    assert token in recorded["detail"]
    gift = gift_row(db, monthly)
    assert (gift["status"], gift["end_reason"]) == ("ending", "donation_refused")
    assert collected(db, campaign) == AMOUNT
    assert db.one("select count(*) as n from public.donations where campaign_id = %s",
                  [campaign["id"]])["n"] == 1  # fmt: skip
    assert outcome(post_event(late)) == "duplicate"
    assert len(stripe_api.refunds) == 1
    assert outcome(post_event(subscription_deleted(monthly))) == "applied"
    gift = gift_row(db, monthly)
    assert (gift["status"], gift["end_reason"]) == ("ended", "donation_refused")


def test_a_cancel_racing_an_invoice_refunds_it_under_the_gifts_lock(
    db, post_event, stripe_api, monthly, campaign
):
    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    answers = []
    with psycopg.connect(db.url) as cancel:  # the donor's cancel, not yet committed
        cancel.execute(
            "select private.move_recurring_gift(%s, 'ending', 'canceled_by_donor')",
            [monthly["gift_id"]],
        )
        late = paid_invoice(stripe_api, monthly)  # paid once the donor had cancelled
        delivery = threading.Thread(target=lambda: answers.append(post_event(late)))
        delivery.start()
        deadline = time.monotonic() + 20
        while not db.sql(  # the invoice waits for the gift's lock
            "select 1 from pg_stat_activity where wait_event_type = 'Lock'"
            " and datname = current_database()"
        ):
            assert time.monotonic() < deadline
            assert delivery.is_alive()
            time.sleep(0.05)
        cancel.commit()
    delivery.join()
    assert outcome(answers[0]) == "ignored"
    refused_month(db, stripe_api, monthly, late)
    assert collected(db, campaign) == AMOUNT


def test_a_refund_stripe_refuses_records_nothing_and_the_retry_refunds_once(
    db, post_event, stripe_api, monthly, campaign, user, as_user
):
    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    as_user(user).rpc("cancel_recurring_gift", {"gift_id": monthly["gift_id"]})
    late = paid_invoice(stripe_api, monthly)
    stripe_api.refuse_refunds = "This charge cannot be refunded now."
    assert post_event(late).status_code == 503  # Stripe retries
    assert db.sql("select 1 from private.webhook_events where event_id = %s", [late["id"]]) == []
    assert stripe_api.refunds == {}
    stripe_api.refuse_refunds = None
    assert outcome(post_event(late)) == "ignored"
    assert refused_month(db, stripe_api, monthly, late)["outcome"] == "ignored"
    assert outcome(post_event(late)) == "duplicate"
    assert len(stripe_api.refunds) == 1


@pytest.mark.parametrize("soft", [False, True], ids=["hard_delete", "soft_delete"])
def test_a_donor_who_deletes_their_account_ends_their_gift_and_leaves_no_identity(
    db, gotrue, service, post_event, stripe_api, monthly, campaign, user, soft
):
    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    as_guest = start_monthly(service, stripe_api, campaign, AMOUNT, email=user.email.upper())
    assert outcome(post_event(paid_invoice(stripe_api, as_guest, first=True))) == "applied"
    told_before = len(emails(db, "recurring_gift_ended"))
    gotrue.delete_user(user.id, soft=soft)
    guest_gift = gift_row(db, as_guest)
    assert (guest_gift["donor_email"], guest_gift["status"]) == (None, "ending")
    gift = gift_row(db, monthly)
    assert (gift["donor_id"], gift["donor_email"], gift["donor_name"]) == (None, None, None)
    assert (gift["status"], gift["end_reason"]) == ("ending", "canceled_by_donor")
    assert len(emails(db, "recurring_gift_ended")) == told_before  # nobody left to tell

    late = paid_invoice(stripe_api, monthly)  # billed before the subscription is deleted
    assert outcome(post_event(late)) == "ignored"
    refused_month(db, stripe_api, monthly, late)
    assert collected(db, campaign) == 2 * AMOUNT
    assert (
        db.sql(
            "select 1 from public.donations where campaign_id = %s"
            " and (donor_email = %s or donor_id = %s)",
            [campaign["id"], user.email, user.id],
        )
        == []
    )


def test_a_subscription_stripe_does_not_delete_is_left_to_end_recurring_once_refunded(
    db, post_event, stripe_api, monthly, campaign, user, as_user, monkeypatch
):
    from webhooks import recurring_gifts
    from webhooks.errors import ServiceUnavailable

    def unanswered(gateway, subscription_ref):
        raise ServiceUnavailable("Stripe API unavailable")

    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    as_user(user).rpc("cancel_recurring_gift", {"gift_id": monthly["gift_id"]})
    monkeypatch.setattr(recurring_gifts, "delete_subscription", unanswered)
    late = paid_invoice(stripe_api, monthly)
    assert outcome(post_event(late)) == "ignored"  # the refund made, the record kept
    assert len(stripe_api.refunds) == 1
    assert gift_row(db, monthly)["status"] == "ending"  # payments end-recurring's to delete
    assert db.sql(
        "select 1 from private.recurring_gifts_to_end() where recurring_gift_id = %s",
        [monthly["gift_id"]],
    )
    assert len(gift_donations(db, monthly)) == 1
    books_are_clean(db)


# A campaign closing under an invoice, a squatter's account, a month paid before the end ---


def waiting_on_locks(db, count: int, *alive: threading.Thread) -> None:
    """Until `count` sessions of this database wait for a lock (each thread still running)."""
    deadline = time.monotonic() + 20
    while (
        db.one(
            "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock'"
            " and datname = current_database()"
        )["n"]
        < count
    ):
        assert time.monotonic() < deadline
        assert all(t.is_alive() for t in alive)
        time.sleep(0.05)


def test_a_campaign_closing_while_an_invoice_is_credited_does_not_deadlock(
    db, post_event, stripe_api, monthly, campaign
):
    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    month = paid_invoice(stripe_api, monthly)
    answers, errors = [], []

    def close():
        try:
            with psycopg.connect(db.url) as conn:
                conn.execute(
                    "update public.campaigns set status = 'expired' where id = %s",
                    [campaign["id"]],
                )
        except psycopg.Error as exc:
            errors.append(exc)

    # a gate on the gift's row, so that the invoice and the close both queue on it
    with psycopg.connect(db.url) as gate:
        gate.execute(
            "select 1 from public.recurring_gifts where id = %s for update", [monthly["gift_id"]]
        )
        delivery = threading.Thread(target=lambda: answers.append(post_event(month)))
        delivery.start()
        waiting_on_locks(db, 1, delivery)
        closing = threading.Thread(target=close)
        closing.start()
        waiting_on_locks(db, 2, delivery, closing)
        gate.commit()  # the invoice, first in line, takes the gift
    delivery.join()
    closing.join()
    assert errors == []  # no DeadlockDetected
    assert outcome(answers[0]) == "applied"  # the campaign was open when it was credited
    gift = gift_row(db, monthly)
    assert (gift["status"], gift["end_reason"]) == ("ending", "campaign_closed")
    assert collected(db, campaign) == 2 * AMOUNT
    books_are_clean(db)


def test_an_unconfirmed_account_with_a_guests_email_does_not_end_their_monthly_gift(
    db, service, post_event, stripe_api, campaign, make_user
):
    gift = start_monthly(service, stripe_api, campaign, AMOUNT, email="awa@example.com")
    assert outcome(post_event(paid_invoice(stripe_api, gift, first=True))) == "applied"
    squatter = make_user(email="awa@example.com")
    db.sql("update auth.users set email_confirmed_at = null where id = %s", [squatter.id])
    db.sql("delete from auth.users where id = %s", [squatter.id])
    row = gift_row(db, gift)
    assert (row["status"], row["end_reason"], row["donor_email"]) == (
        "active",
        None,
        "awa@example.com",
    )


def test_a_month_paid_before_stripe_deleted_the_subscription_is_credited_when_it_arrives_after(
    db, post_event, stripe_api, monthly, campaign
):
    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    # paid a minute before the last retry of a later month failed and Stripe deleted
    # the subscription; Stripe delivers the deletion first
    second = {**paid_invoice(stripe_api, monthly), "created": int(time.time()) - 60}
    assert outcome(post_event(subscription_deleted(monthly, "payment_failed"))) == "applied"
    assert gift_row(db, monthly)["status"] == "ended"
    assert outcome(post_event(second)) == "applied"
    assert stripe_api.refunds == {}
    assert len(gift_donations(db, monthly)) == 2
    assert collected(db, campaign) == 2 * AMOUNT
    books_are_clean(db)
    gift = gift_row(db, monthly)
    assert (gift["status"], gift["end_reason"]) == ("ended", "payment_failed")

    # a month paid once the gift had ended is still refunded
    late = paid_invoice(stripe_api, monthly)
    assert outcome(post_event(late)) == "ignored"
    assert len(stripe_api.refunds) == 1
    assert collected(db, campaign) == 2 * AMOUNT


def test_a_month_paid_before_the_gift_ended_is_refunded_when_its_campaign_no_longer_takes_money(
    db, post_event, stripe_api, monthly, campaign
):
    assert outcome(post_event(paid_invoice(stripe_api, monthly, first=True))) == "applied"
    second = {**paid_invoice(stripe_api, monthly), "created": int(time.time()) - 60}
    assert outcome(post_event(subscription_deleted(monthly, "payment_failed"))) == "applied"
    db.sql("update public.campaigns set status = 'expired' where id = %s", [campaign["id"]])
    assert outcome(post_event(second)) == "ignored"
    assert len(stripe_api.refunds) == 1
    assert collected(db, campaign) == AMOUNT
    books_are_clean(db)
