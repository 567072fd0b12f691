"""POST /webhooks/stripe: verified, recorded once, applied by the payment core."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests import stripe_fake as sf


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active", goal_amount=100_000)


@pytest.fixture
def pledge(donate, campaign):
    return donate(campaign, 5000)


def donation(db, pledge):
    return db.one("select * from public.donations where id = %s", [pledge["donation_id"]])


def totals(db, campaign):
    return db.one(
        "select collected_amount, donor_count, status::text from public.campaigns where id = %s",
        [campaign["id"]],
    )


def ledger(db, pledge):
    return [
        (r["kind"], r["amount"])
        for r in db.sql(
            "select kind::text, amount from private.ledger_entries where donation_id = %s order by id",
            [pledge["donation_id"]],
        )
    ]


def assert_ledger_balanced(db):
    assert db.sql("select * from private.check_ledger()") == []


def completed(pledge, t=None, **fields):
    return sf.event("checkout.session.completed", sf.checkout_session(pledge, **fields), created=t)


def refunded(pledge, total, t=None):
    return sf.event(
        "charge.refunded", sf.charge(pledge, amount_refunded=total, refunded=True), created=t
    )


# Payments -----------------------------------------------------------------------------------


def test_paid_checkout_credits_the_donation_and_the_campaign(
    db, post_event, stripe_api, pledge, campaign
):
    stripe_api.fee = 150
    response = post_event(completed(pledge))
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "applied"}
    d = donation(db, pledge)
    assert (d["status"], d["succeeded_at"] is not None) == ("succeeded", True)
    assert ledger(db, pledge) == [
        ("donation", 5000),
        ("processor_fee", -150),
        ("platform_fee", -250),
    ]
    assert totals(db, campaign) == {"collected_amount": 5000, "donor_count": 1, "status": "active"}
    attempt = db.one(
        "select * from private.payment_attempts where donation_id = %s", [pledge["donation_id"]]
    )
    assert (attempt["payment_ref"], attempt["charge_ref"], attempt["fee_amount"]) == (
        pledge["payment_intent"],
        pledge["charge_id"],
        150,
    )
    assert_ledger_balanced(db)


def test_euro_donation_credits_minor_units(db, donate, post_event, owner, make_campaign):
    c = make_campaign(owner, "active", currency="EUR", goal_amount=100_000, country="FR")
    p = donate(c, 2550)
    assert post_event(completed(p)).get_json()["outcome"] == "applied"
    assert totals(db, c)["collected_amount"] == 2550
    assert ("platform_fee", -128) in ledger(db, p)  # 5 % of 25.50 EUR, rounded half up


def test_amounts_in_stripes_unit_are_credited_in_the_currencys(
    db, donate, post_event, stripe_api, owner, make_campaign
):
    # ISK: whole krónur (ISO 4217), which Stripe counts in hundredths
    db.sql(
        "insert into public.currencies (code, name_fr, name_en, exponent, min_donation,"
        " max_donation, max_goal) values ('ISK', 'Couronne islandaise', 'Icelandic króna', 0,"
        " 100, 1000000, 100000000)"
    )
    c = make_campaign(owner, "active", currency="ISK", goal_amount=1_000_000)
    p = donate(c, 5000)
    stripe_api.fee = 20_000  # 200 krónur, in Stripe's unit

    outcome = post_event(completed(p, amount_total=500_000, amount_subtotal=500_000))

    assert outcome.get_json()["outcome"] == "applied"
    assert totals(db, c)["collected_amount"] == 5000
    assert ("processor_fee", -200) in ledger(db, p)
    assert_ledger_balanced(db)


def test_a_fee_settled_in_another_currency_is_converted_with_stripes_units(service):
    from types import SimpleNamespace

    from webhooks.stripe_gateway import StripeGateway

    # 0.76 EUR (Stripe: cents) for a charge in XOF (Stripe: whole francs), 1 XOF = 0.0015 EUR
    txn = SimpleNamespace(currency="eur", fee=76, exchange_rate=0.0015)
    with service.application.app_context():
        assert StripeGateway._fee_in_charge_currency(txn, "xof") == 507
        assert StripeGateway._fee_in_charge_currency(txn, "usd") == 50_667


def test_a_converted_fee_is_rounded_up_never_down(service):
    from types import SimpleNamespace

    from webhooks.stripe_gateway import StripeGateway

    # 0.10 USD at 1 XOF = 0.003 USD: 33.3 francs, recorded as 34
    txn = SimpleNamespace(currency="usd", fee=10, exchange_rate=0.003)
    with service.application.app_context():
        assert StripeGateway._fee_in_charge_currency(txn, "xof") == 34


def test_reaching_the_goal_through_donations_funds_the_campaign(
    db, donate, post_event, owner, make_campaign
):
    c = make_campaign(owner, "active", goal_amount=10_000)
    for _ in range(2):
        post_event(completed(donate(c, 5000)))
    t = totals(db, c)
    assert (t["collected_amount"], t["donor_count"], t["status"]) == (10_000, 2, "funded")
    assert db.one("select goal_reached_at from public.campaigns where id = %s", [c["id"]])[
        "goal_reached_at"
    ]


def test_unpaid_completion_waits_for_the_async_payment(db, post_event, pledge, campaign):
    t = int(time.time())
    assert (
        post_event(completed(pledge, t, payment_status="unpaid")).get_json()["outcome"] == "applied"
    )
    assert donation(db, pledge)["status"] == "pending"
    evt = sf.event(
        "checkout.session.async_payment_succeeded", sf.checkout_session(pledge), created=t + 60
    )
    assert post_event(evt).get_json()["outcome"] == "applied"
    assert donation(db, pledge)["status"] == "succeeded"
    assert totals(db, campaign)["collected_amount"] == 5000


def test_async_payment_failure_fails_the_donation(db, post_event, pledge, campaign):
    t = int(time.time())
    post_event(completed(pledge, t, payment_status="unpaid"))
    evt = sf.event(
        "checkout.session.async_payment_failed",
        sf.checkout_session(pledge, payment_status="unpaid"),
        created=t + 60,
    )
    assert post_event(evt).get_json()["outcome"] == "applied"
    assert donation(db, pledge)["status"] == "failed"
    assert totals(db, campaign)["collected_amount"] == 0


def test_expired_checkout_cancels_the_pledge(db, post_event, pledge):
    evt = sf.event(
        "checkout.session.expired",
        sf.checkout_session(pledge, status="expired", payment_status="unpaid"),
    )
    assert post_event(evt).get_json()["outcome"] == "applied"
    assert donation(db, pledge)["status"] == "canceled"


def test_a_declined_card_then_a_successful_one_credits_once(db, post_event, pledge, campaign):
    t = int(time.time())
    failed = sf.event("payment_intent.payment_failed", sf.payment_intent_failed(pledge), created=t)
    assert post_event(failed).get_json()["outcome"] == "applied"
    assert donation(db, pledge)["status"] == "failed"
    assert post_event(completed(pledge, t + 30)).get_json()["outcome"] == "applied"
    assert donation(db, pledge)["status"] == "succeeded"
    assert totals(db, campaign)["collected_amount"] == 5000


def test_an_old_failure_never_undoes_a_success(db, post_event, pledge, campaign):
    t = int(time.time())
    post_event(completed(pledge, t))
    failed = sf.event(
        "payment_intent.payment_failed", sf.payment_intent_failed(pledge), created=t - 30
    )
    assert post_event(failed).get_json()["outcome"] in ("stale", "ignored")
    assert donation(db, pledge)["status"] == "succeeded"
    assert totals(db, campaign)["collected_amount"] == 5000


def test_expiry_received_before_completion_still_credits_the_money(
    db, post_event, pledge, campaign
):
    t = int(time.time())
    expired = sf.event(
        "checkout.session.expired", sf.checkout_session(pledge, status="expired"), created=t + 10
    )
    post_event(expired)
    assert post_event(completed(pledge, t)).get_json()["outcome"] == "applied"
    assert donation(db, pledge)["status"] == "succeeded"
    assert_ledger_balanced(db)


# Refunds -----------------------------------------------------------------------------------------


def test_partial_then_full_refund_use_stripes_cumulative_amount(db, post_event, pledge, campaign):
    t = int(time.time())
    post_event(completed(pledge, t))
    assert post_event(refunded(pledge, 2000, t + 10)).get_json()["outcome"] == "applied"
    d = donation(db, pledge)
    assert (d["status"], d["refunded_amount"]) == ("partially_refunded", 2000)
    assert totals(db, campaign) == {"collected_amount": 3000, "donor_count": 1, "status": "active"}
    assert post_event(refunded(pledge, 5000, t + 20)).get_json()["outcome"] == "applied"
    d = donation(db, pledge)
    assert (d["status"], d["refunded_amount"]) == ("refunded", 5000)
    assert totals(db, campaign) == {"collected_amount": 0, "donor_count": 0, "status": "active"}
    kinds = ledger(db, pledge)
    assert [a for k, a in kinds if k == "refund"] == [-2000, -3000]
    assert sum(a for k, a in kinds if k == "platform_fee") == 0  # fee follows what is kept
    assert_ledger_balanced(db)


def test_an_older_smaller_refund_total_changes_nothing(db, post_event, pledge, campaign):
    t = int(time.time())
    post_event(completed(pledge, t))
    post_event(refunded(pledge, 3000, t + 20))
    assert post_event(refunded(pledge, 1000, t + 10)).get_json()["outcome"] == "stale"
    assert donation(db, pledge)["refunded_amount"] == 3000
    assert totals(db, campaign)["collected_amount"] == 2000


def test_a_refund_before_the_completion_is_applied_with_it(db, post_event, pledge, campaign):
    t = int(time.time())
    assert post_event(refunded(pledge, 5000, t + 10)).get_json()["outcome"] == "deferred"
    assert donation(db, pledge)["status"] == "pending"
    assert post_event(completed(pledge, t)).get_json()["outcome"] == "applied"
    d = donation(db, pledge)
    assert (d["status"], d["refunded_amount"]) == ("refunded", 5000)
    assert totals(db, campaign) == {"collected_amount": 0, "donor_count": 0, "status": "active"}
    assert_ledger_balanced(db)


# Disputes --------------------------------------------------------------------------------------------


def dispute_event(pledge, dispute_id, status, t):
    kind = "charge.dispute.created" if status == "needs_response" else "charge.dispute.closed"
    return sf.event(kind, sf.dispute(pledge, dispute_id, status), created=t)


def test_a_dispute_withdraws_the_money_and_a_won_dispute_returns_it(
    db, post_event, pledge, campaign
):
    t = int(time.time())
    post_event(completed(pledge, t))
    assert (
        post_event(dispute_event(pledge, "dp_1", "needs_response", t + 10)).get_json()["outcome"]
        == "applied"
    )
    d = donation(db, pledge)
    assert (d["dispute_status"], d["disputed_amount"]) == ("open", 5000)
    assert totals(db, campaign) == {"collected_amount": 0, "donor_count": 0, "status": "active"}
    assert (
        post_event(dispute_event(pledge, "dp_1", "won", t + 20)).get_json()["outcome"] == "applied"
    )
    assert donation(db, pledge)["dispute_status"] == "won"
    assert totals(db, campaign) == {"collected_amount": 5000, "donor_count": 1, "status": "active"}
    assert_ledger_balanced(db)


def test_a_lost_dispute_keeps_the_money_withdrawn(db, post_event, pledge, campaign):
    t = int(time.time())
    post_event(completed(pledge, t))
    post_event(dispute_event(pledge, "dp_2", "needs_response", t + 10))
    post_event(dispute_event(pledge, "dp_2", "lost", t + 20))
    assert donation(db, pledge)["dispute_status"] == "lost"
    assert totals(db, campaign)["collected_amount"] == 0
    assert_ledger_balanced(db)


def test_dispute_events_out_of_order_end_in_the_latest_state(db, post_event, pledge, campaign):
    t = int(time.time())
    post_event(completed(pledge, t))
    post_event(dispute_event(pledge, "dp_3", "won", t + 20))
    assert (
        post_event(dispute_event(pledge, "dp_3", "needs_response", t + 10)).get_json()["outcome"]
        == "stale"
    )
    assert totals(db, campaign)["collected_amount"] == 5000
    assert_ledger_balanced(db)


# Duplicates ----------------------------------------------------------------------------------------


def test_a_replayed_event_changes_nothing(db, post_event, pledge, campaign):
    evt = completed(pledge)
    assert post_event(evt).get_json()["outcome"] == "applied"
    for _ in range(3):
        assert post_event(evt).get_json()["outcome"] == "duplicate"
    assert totals(db, campaign)["collected_amount"] == 5000
    assert db.one("select count(*) as n from private.webhook_events")["n"] == 1


def test_twenty_concurrent_deliveries_credit_exactly_once(
    db, make_app, service_settings, pledge, campaign
):
    app = make_app(**{**service_settings, "db_pool_max_size": 20})
    payload = json.dumps(completed(pledge)).encode()
    header = sf.sign(payload)
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def deliver():
        client = app.test_client()
        barrier.wait()
        r = client.post(
            "/webhooks/stripe",
            data=payload,
            headers={"Stripe-Signature": header},
            content_type="application/json",
        )
        outcomes.append(f"{r.status_code} {r.get_json()['outcome']}")

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["200 applied"] + ["200 duplicate"] * 19
    assert totals(db, campaign) == {"collected_amount": 5000, "donor_count": 1, "status": "active"}
    assert [k for k, _ in ledger(db, pledge)].count("donation") == 1


def test_two_different_events_for_one_payment_credit_once(db, post_event, pledge, campaign):
    t = int(time.time())
    post_event(completed(pledge, t))
    again = sf.event(
        "checkout.session.async_payment_succeeded", sf.checkout_session(pledge), created=t + 5
    )
    assert post_event(again).get_json()["outcome"] == "ignored"
    assert totals(db, campaign)["collected_amount"] == 5000


# Signatures and refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case", ["bad_secret", "absent", "too_old", "tampered", "garbage_header", "moved_timestamp"]
)
def test_unverified_events_are_400_and_write_nothing(db, service, post_event, pledge, case):
    evt = completed(pledge)
    payload = json.dumps(evt).encode()
    if case == "bad_secret":
        response = post_event(evt, secret="whsec_not_the_right_one")
    elif case == "absent":
        response = post_event(evt, signature="")
    elif case == "too_old":
        response = post_event(evt, timestamp=int(time.time()) - 301)
    elif case == "tampered":
        header = sf.sign(payload)
        tampered = payload.replace(b'"amount_total": 5000', b'"amount_total": 9000000')
        response = service.post(
            "/webhooks/stripe",
            data=tampered,
            headers={"Stripe-Signature": header},
            content_type="application/json",
        )
    elif case == "garbage_header":
        response = post_event(evt, signature="t=abc,v1=zzz")
    else:  # a genuine signature, moved to another timestamp
        v1 = sf.sign(payload, timestamp=int(time.time()) - 10).split("v1=")[1]
        response = post_event(evt, signature=f"t={int(time.time())},v1={v1}")
    assert response.status_code == 400
    assert response.get_json()["message"] in ("invalid_signature", "missing_signature")
    assert db.sql("select 1 from private.webhook_events") == []
    assert donation(db, pledge)["status"] == "pending"


def test_live_mode_events_are_refused_with_test_keys(db, post_event, pledge):
    evt = sf.event("checkout.session.completed", sf.checkout_session(pledge), livemode=True)
    response = post_event(evt)
    assert (response.status_code, response.get_json()["message"]) == (
        400,
        "livemode_mismatch",
    )
    assert db.sql("select 1 from private.webhook_events") == []


def test_an_amount_that_differs_from_the_pledge_is_recorded_not_credited(
    db, post_event, pledge, campaign
):
    assert post_event(completed(pledge, amount_total=500)).get_json()["outcome"] == "mismatch"
    d = donation(db, pledge)
    assert d["status"] == "pending"
    assert "500 XOF" in d["needs_review"]
    assert totals(db, campaign)["collected_amount"] == 0
    assert ledger(db, pledge) == []


def test_a_currency_that_differs_from_the_pledge_is_recorded_not_credited(
    db, post_event, pledge, campaign
):
    assert post_event(completed(pledge, currency="eur")).get_json()["outcome"] == "mismatch"
    assert totals(db, campaign)["collected_amount"] == 0


def test_metadata_pointing_at_another_donation_is_a_mismatch(
    db, donate, post_event, pledge, campaign, owner, make_campaign
):
    other = donate(make_campaign(owner, "active"), 5000)
    forged = completed(
        pledge, metadata={"donation_id": other["donation_id"], "attempt_id": other["attempt_id"]}
    )
    assert post_event(forged).get_json()["outcome"] == "mismatch"
    assert db.one("select count(*) as n from private.ledger_entries")["n"] == 0


# References that disagree: held for review -------------------------------------------------------


def inbox(db, evt):
    return db.one(
        "select outcome, detail, donation_id::text from private.webhook_events where event_id = %s",
        [evt["id"]],
    )


def attempt(db, pledge):
    return db.one(
        "select session_ref, payment_ref, charge_ref, status::text from private.payment_attempts"
        " where id = %s",
        [pledge["attempt_id"]],
    )


def test_a_session_unknown_whose_client_reference_and_metadata_name_two_pledges_is_held(
    db, donate, post_event, campaign
):
    a, b = donate(campaign, 5000), donate(campaign, 5000)
    before = attempt(db, b)
    forged = sf.event(
        "checkout.session.completed",
        sf.checkout_session(
            b, id="cs_test_unknown", payment_intent="pi_test_unknown",
            client_reference_id=a["donation_id"],
        ),
    )  # fmt: skip

    response = post_event(forged)

    assert response.status_code == 200  # Stripe stops retrying
    assert response.get_json() == {"received": True, "outcome": "mismatch"}
    held = inbox(db, forged)
    assert held["outcome"] == "mismatch"
    assert held["detail"].startswith("references disagree, held for review")
    assert f"client_reference_id {a['donation_id']}" in held["detail"]
    assert "session_ref cs_test_unknown" in held["detail"]
    assert [donation(db, p)["status"] for p in (a, b)] == ["pending", "pending"]
    assert attempt(db, b) == before  # not even the forged intent is remembered
    assert db.sql("select 1 from private.ledger_entries") == []
    assert totals(db, campaign)["collected_amount"] == 0
    assert post_event(forged).get_json()["outcome"] == "duplicate"


@pytest.mark.parametrize(
    "reference",
    ["session", "client_reference_id", "attempt_id", "campaign_id", "payment_intent"],
)
def test_an_event_with_any_reference_of_another_payment_is_held(
    db, donate, post_event, stripe_api, campaign, owner, make_campaign, reference
):
    a, b = donate(campaign, 5000), donate(campaign, 5000)
    fields: dict = {}
    if reference == "session":
        fields = {"id": "cs_test_other"}
    elif reference == "client_reference_id":
        fields = {"client_reference_id": a["donation_id"]}
    elif reference == "attempt_id":
        fields = {"metadata": {**sf.metadata(b), "attempt_id": a["attempt_id"]}}
    elif reference == "campaign_id":
        other = make_campaign(owner, "active")
        fields = {"metadata": {**sf.metadata(b), "campaign_id": str(other["id"])}}
    else:  # the attempt already knows its payment intent (an unpaid completion told it)
        post_event(completed(b, payment_status="unpaid"))
        fields = {"payment_intent": a["payment_intent"]}

    response = post_event(completed(b, **fields))

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "mismatch"
    assert donation(db, b)["status"] == "pending"
    assert db.sql("select 1 from private.ledger_entries") == []


def test_a_refund_in_another_currency_than_the_pledge_is_held(db, post_event, pledge, campaign):
    post_event(completed(pledge))
    evt = sf.event(
        "charge.refunded",
        sf.charge(pledge, amount_refunded=5000, refunded=True, currency="eur"),
    )

    assert post_event(evt).get_json()["outcome"] == "mismatch"
    assert "currency EUR (the payment's: XOF)" in inbox(db, evt)["detail"]
    d = donation(db, pledge)
    assert (d["status"], d["refunded_amount"]) == ("succeeded", 0)
    assert totals(db, campaign)["collected_amount"] == 5000


@pytest.mark.parametrize("bad_id", ["-" * 36, "g" * 36, "not-a-uuid", ""])
def test_an_id_that_is_not_a_uuid_in_the_metadata_is_held_never_a_500(
    db, post_event, pledge, bad_id
):
    evt = completed(
        pledge, id="cs_test_other", metadata={**sf.metadata(pledge), "attempt_id": bad_id}
    )

    response = post_event(evt)

    assert response.status_code == 200
    assert response.get_json()["outcome"] in ("mismatch", "unknown_payment")
    assert donation(db, pledge)["status"] == "pending"


def test_a_dispute_already_recorded_for_another_payment_is_held(db, donate, post_event, campaign):
    a, b = donate(campaign, 5000), donate(campaign, 3000)
    t = int(time.time())
    for p in (a, b):
        post_event(completed(p, t))
    post_event(dispute_event(a, "dp_test_one", "needs_response", t + 10))

    evt = dispute_event(b, "dp_test_one", "lost", t + 20)

    assert post_event(evt).get_json()["outcome"] == "mismatch"
    assert "belongs to another payment" in inbox(db, evt)["detail"]
    assert donation(db, b)["disputed_amount"] == 0
    assert donation(db, a)["dispute_status"] == "open"
    assert totals(db, campaign)["collected_amount"] == 3000
    assert_ledger_balanced(db)


def test_references_that_agree_credit_the_pledge(db, post_event, pledge, campaign):
    evt = completed(pledge)
    assert evt["data"]["object"]["metadata"]["campaign_id"] == str(campaign["id"])

    assert post_event(evt).get_json()["outcome"] == "applied"
    assert inbox(db, evt)["detail"] is None
    assert donation(db, pledge)["status"] == "succeeded"


def test_the_checkout_names_the_pledge_the_attempt_and_the_campaign(db, stripe_api, pledge):
    (session,) = stripe_api.sessions.values()
    assert session["metadata"] == {
        "donation_id": pledge["donation_id"],
        "attempt_id": pledge["attempt_id"],
        "campaign_id": str(pledge["campaign_id"]),
    }
    assert session["client_reference_id"] == pledge["donation_id"]


def test_other_event_types_are_recorded_as_ignored(db, post_event):
    evt = sf.event("customer.created", sf.resource("customer"))
    assert post_event(evt).get_json() == {"received": True, "outcome": "ignored"}
    assert db.one("select outcome from private.webhook_events")["outcome"] == "ignored"


def test_an_event_for_an_unknown_payment_is_recorded(db, post_event):
    ghost = {
        "donation_id": None,
        "attempt_id": None,
        "session_id": "cs_test_ghost",
        "payment_intent": None,
        "amount": 5000,
        "currency": "XOF",
    }
    evt = sf.event("checkout.session.completed", sf.checkout_session(ghost, metadata={}))
    assert post_event(evt).get_json()["outcome"] == "unknown_payment"


def test_stripe_api_down_while_fetching_the_fee_is_503_then_the_retry_applies(
    db, post_event, stripe_api, pledge
):
    evt = completed(pledge)
    stripe_api.fail = "error"
    response = post_event(evt)
    assert response.status_code == 503
    assert db.sql("select 1 from private.webhook_events") == []
    stripe_api.fail = None
    assert post_event(evt).get_json()["outcome"] == "applied"


# Paying from abroad before Stripe settled the charge ---------------------------------------


@pytest.fixture
def euro_campaign(owner, make_campaign, as_user, admin):
    as_user(admin).rpc("set_exchange_rate",
                       {"base_currency": "GBP", "quote_currency": "EUR", "rate": 1.18})  # fmt: skip
    return make_campaign(owner, "active", currency="EUR", goal_amount=500_000, country="FR")


@pytest.fixture
def from_abroad(service, stripe_api, euro_campaign):
    """A 100 EUR pledge paid by a pound card; Stripe settles it in euros at 1.17."""
    stripe_api.settlement_currency, stripe_api.exchange_rate, stripe_api.fee = "eur", 1.17, 300
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(euro_campaign["id"]), "amount": 10_000, "currency": "EUR",
              "provider": "stripe", "pay_currency": "GBP"},
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    donation_id = response.get_json()["donation_id"]
    (session,) = (s for s in stripe_api.sessions.values()
                  if s["metadata"]["donation_id"] == donation_id)  # fmt: skip
    intent = sf.new_id("pi")
    stripe_api.register_intent(intent, session["amount_total"], "gbp", session["metadata"])
    return {
        "donation_id": donation_id, "attempt_id": session["metadata"]["attempt_id"],
        "session_id": session["id"], "payment_intent": intent, "charge_id": "ch_for_" + intent,
        "amount": session["amount_total"], "currency": "GBP", "campaign_id": euro_campaign["id"],
    }  # fmt: skip


def nothing_written_about(db, pledge):
    assert db.sql("select 1 from private.webhook_events") == []
    assert ledger(db, pledge) == []
    assert donation(db, pledge)["status"] == "pending"


def test_a_card_from_abroad_stripe_has_not_settled_is_503_then_credited_at_the_settled_amount(
    db, post_event, stripe_api, from_abroad, euro_campaign
):
    evt = completed(from_abroad)
    stripe_api.unsettled = 1  # the charge has no balance transaction yet

    first = post_event(evt)

    assert (first.status_code, first.get_json()["message"]) == (503, "service_unavailable")
    nothing_written_about(db, from_abroad)
    # Stripe sends it again once the charge is settled
    again = post_event(evt)
    assert again.get_json()["outcome"] == "applied"
    assert from_abroad["amount"] == 8475  # 100 EUR at 1.18
    d = donation(db, from_abroad)
    assert (d["status"], d["amount"], d["currency"]) == ("succeeded", 9916, "EUR")  # x 1.17
    assert ("donation", 9916) in ledger(db, from_abroad)
    assert db.sql("select 1 from private.webhook_events where outcome = 'mismatch'") == []
    assert totals(db, euro_campaign)["collected_amount"] == 9916
    assert_ledger_balanced(db)


def test_a_card_in_the_campaigns_currency_needs_no_settlement_to_be_credited(
    db, post_event, stripe_api, pledge
):
    stripe_api.unsettled = 1

    response = post_event(completed(pledge))

    assert response.get_json()["outcome"] == "applied"
    assert donation(db, pledge)["status"] == "succeeded"
    assert_ledger_balanced(db)


def test_stripe_reconcile_leaves_an_unsettled_card_from_abroad_for_a_later_run(
    db, operator_cli, monkeypatch, stripe_api, from_abroad, euro_campaign
):
    from tests.stripe_fake import SECRET_KEY

    monkeypatch.setenv("STRIPE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("STRIPE_API_BASE", stripe_api.url)
    stripe_api.events.append(completed(from_abroad, int(time.time()) - 60))
    stripe_api.unsettled = 1

    first = operator_cli("stripe", "reconcile", "--since", "1d", "--json")

    assert first.exit_code == 0, first.output
    assert [a["outcome"] for a in json.loads(first.stdout)["applied"]] == ["later"]
    nothing_written_about(db, from_abroad)
    second = operator_cli("stripe", "reconcile", "--since", "1d", "--json")
    assert [a["outcome"] for a in json.loads(second.stdout)["applied"]] == ["applied"]
    assert (donation(db, from_abroad)["amount"], totals(db, euro_campaign)["collected_amount"]) == (
        9916,
        9916,
    )
    assert_ledger_balanced(db)
