"""Paystack, the third provider: transactions initialised from the checkout,
webhooks confirmed through Paystack's verify endpoint (and refunds through its
refund list), the fee Paystack reports, on the same payment core (ledger,
totals) as cards and CinetPay; and the console's reconciliation."""

from __future__ import annotations

import functools
import json
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests import paystack_fake, stripe_fake
from tests.conftest import SITE_URL
from tests.support.paystack import paid, pay_by_paystack
from tests.support.paystack import post_event as paystack_post


@pytest.fixture
def naira(owner, make_campaign):
    return make_campaign(owner, "active", currency="NGN", goal_amount=500_000_000)


@pytest.fixture
def shillings(owner, make_campaign):
    return make_campaign(owner, "active", currency="KES", goal_amount=50_000_000)


@pytest.fixture
def cfa(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def pay(service, paystack_api):
    return functools.partial(pay_by_paystack, service, paystack_api)


@pytest.fixture
def settle(service, paystack_api):
    return functools.partial(paid, service, paystack_api)


def checkout(service, campaign, **body):
    payload = {
        "campaign_id": str(campaign["id"]),
        "amount": 500_000,
        "currency": campaign["currency"],
        **body,
    }
    return service.post("/donations/checkout", json=payload)


def donation(db, donation_id):
    return db.one("select * from public.donations where id = %s", [donation_id])


def collected(db, campaign):
    return db.one(
        "select collected_amount, donor_count from public.campaigns where id = %s", [campaign["id"]]
    )


def ledger(db, donation_id):
    return db.sql(
        "select kind::text, amount from private.ledger_entries where donation_id = %s order by id",
        [donation_id],
    )


def books_hold(db):
    return db.sql("select * from private.check_ledger()") == []


def nothing_written(db):
    return db.sql("select id from private.webhook_events") == []


# The providers' rows ------------------------------------------------------------------------


def test_paystack_is_the_default_for_naira_cedis_shillings_and_rand(anon):
    rows = anon.get("provider_currencies", {"provider": "paystack"})

    assert {r["currency"]: r["is_default"] for r in rows} == {
        "NGN": True, "GHS": True, "KES": True, "ZAR": True, "XOF": False,
    }  # fmt: skip
    assert {r["provider_exponent"] for r in rows} == {2}
    defaults = anon.get("provider_currencies", {"is_default": "true"})
    assert {r["currency"]: r["provider"] for r in defaults}["XOF"] == "cinetpay"


def test_the_rand_is_a_currency_cards_take_too(anon):
    (zar,) = anon.get("currencies", {"code": "ZAR"})
    assert zar["exponent"] == 2
    (card,) = anon.get("provider_currencies", {"provider": "stripe", "currency": "ZAR"})
    assert card["is_default"] is False


def test_paystack_takes_only_its_currencies(db):
    with pytest.raises(Exception, match="provider_currencies_paystack_currency_check"):
        db.sql(
            "insert into public.provider_currencies (provider, currency) values ('paystack', 'EUR')"
        )


# Checkout ------------------------------------------------------------------------------------


def test_naira_donors_pay_through_paystack_unless_they_choose(
    db, service, paystack_api, stripe_api, naira
):
    response = checkout(service, naira, email="ngozi@example.ng")

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["provider"] == "paystack"
    (t,) = paystack_api.transactions.values()
    assert body["checkout_url"] == f"https://checkout.paystack.com/{t['access_code']}"
    assert stripe_api.requests == []
    attempt = db.one(
        "select * from private.payment_attempts where donation_id = %s", [body["donation_id"]]
    )
    assert (attempt["provider"], attempt["status"]) == ("paystack", "open")
    assert attempt["session_ref"] == t["access_code"]


@pytest.mark.parametrize(
    ("currency", "amount"), [("NGN", 500_000), ("GHS", 5_000), ("KES", 50_000), ("ZAR", 10_000)]
)
def test_each_paystack_currency_defaults_to_paystack_in_its_subunit(
    service, paystack_api, owner, make_campaign, currency, amount
):
    campaign = make_campaign(owner, "active", currency=currency, goal_amount=amount * 100)

    response = checkout(service, campaign, amount=amount, email="kofi@example.gh")

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["provider"] == "paystack"
    (call,) = paystack_api.calls("/transaction/initialize")
    assert (call.json["amount"], call.json["currency"]) == (amount, currency)


def test_the_transaction_is_initialised_as_paystack_documents(service, paystack_api, naira):
    body = checkout(service, naira, email="ngozi@example.ng").get_json()

    (call,) = paystack_api.calls("/transaction/initialize")
    sent = call.json
    (reference,) = paystack_api.transactions
    assert call.headers["authorization"] == f"Bearer {paystack_fake.SECRET_KEY}"
    assert sent["reference"] == reference
    assert (sent["amount"], sent["currency"]) == (500_000, "NGN")  # kobo, as ours
    assert sent["email"] == "ngozi@example.ng"
    assert sent["callback_url"] == f"{SITE_URL}/c/{naira['slug']}/merci?don={body['donation_id']}"
    assert sent["metadata"]["donation_id"] == body["donation_id"]
    assert sent["metadata"]["campaign_id"] == str(naira["id"])


def test_cfa_francs_go_to_paystack_in_its_subunit_when_chosen(service, paystack_api, cfa):
    response = checkout(service, cfa, amount=5000, provider="paystack", email="awa@example.ci")

    assert response.status_code == 201
    (call,) = paystack_api.calls("/transaction/initialize")
    assert (call.json["amount"], call.json["currency"]) == (500_000, "XOF")


def test_a_guest_without_email_is_refused_before_anything_is_written(
    db, service, paystack_api, naira
):
    response = checkout(service, naira)

    assert response.status_code == 422
    assert response.get_json()["message"] == "email_required"
    assert paystack_api.requests == []
    assert db.sql("select id from public.donations") == []


def test_the_database_refuses_a_paystack_pledge_without_an_address_and_not_a_card_one(db, naira):
    pledge = (
        "select private.create_donation(campaign_id => %s, amount => 500000, currency => 'NGN',"
        " provider => %s)"
    )
    with pytest.raises(psycopg.Error) as refused:
        db.sql(pledge, [naira["id"], "paystack"])
    assert refused.value.sqlstate == "PT422"
    assert refused.value.diag.message_primary == "email_required"
    assert db.sql("select id from public.donations") == []

    db.sql(pledge, [naira["id"], "stripe"])  # a card needs no address
    assert len(db.sql("select id from public.donations")) == 1


def test_a_donor_whose_account_address_mail_cannot_use_must_give_one(
    db, service, paystack_api, naira, user
):
    db.sql("update auth.users set email = 'not-an-address' where id = %s", [user.id])
    headers = {"Authorization": f"Bearer {user.token}"}
    body = {"campaign_id": str(naira["id"]), "amount": 500_000, "currency": "NGN"}

    refused = service.post("/donations/checkout", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["message"] == "email_required"
    assert paystack_api.requests == []
    assert db.sql("select id from public.donations") == []
    given = {**body, "email": "ngozi@example.ng"}
    assert service.post("/donations/checkout", json=given, headers=headers).status_code == 201


def test_a_signed_in_donor_pays_with_their_accounts_address(service, paystack_api, naira, user):
    token = user.token
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(naira["id"]), "amount": 500_000, "currency": "NGN"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201, response.get_json()
    (call,) = paystack_api.calls("/transaction/initialize")
    assert call.json["email"] == user.email


def test_amounts_under_the_currencys_minimum_are_refused_before_paystack(
    db, service, paystack_api, naira
):
    response = checkout(service, naira, amount=4_000, email="ngozi@example.ng")

    assert response.status_code == 422
    assert response.get_json()["message"] == "amount_out_of_bounds"
    assert paystack_api.requests == []
    assert db.sql("select id from public.donations") == []


@pytest.mark.parametrize("failure", ["refuse", "error", "timeout"])
def test_paystack_refusing_or_silent_cancels_the_pledge(db, service, paystack_api, naira, failure):
    paystack_api.fail, paystack_api.delay = failure, 1.5  # longer than the timeout (1 s)

    response = checkout(service, naira, email="ngozi@example.ng")

    assert response.status_code == 502
    assert response.get_json()["message"] == "payment_provider_unavailable"
    (d,) = db.sql("select status::text from public.donations")
    assert d["status"] == "canceled"


def test_paystack_not_configured_answers_503_and_writes_nothing(
    db, make_app, service_settings, naira
):
    app = make_app(**{**service_settings, "paystack_secret_key": None})

    response = checkout(app.test_client(), naira, email="ngozi@example.ng")

    assert response.status_code == 503
    assert db.sql("select id from public.donations") == []


# Webhooks, confirmed through verify ---------------------------------------------------------


def test_a_charge_is_credited_with_the_fee_paystack_reports(
    db, service, paystack_api, pay, settle, naira
):
    p = pay(naira, 500_000)

    response = settle(p["reference"], fees=7_600)

    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "applied"}
    (verify,) = paystack_api.calls("/transaction/verify")
    assert verify.path == f"/transaction/verify/{p['reference']}"
    assert donation(db, p["donation_id"])["status"] == "succeeded"
    assert ledger(db, p["donation_id"]) == [
        {"kind": "donation", "amount": 500_000},
        {"kind": "processor_fee", "amount": -7_600},
        {"kind": "platform_fee", "amount": -25_000},
    ]
    attempt = db.one("select * from private.payment_attempts where id = %s", [p["reference"]])
    assert (attempt["fee_amount"], attempt["payment_method"]) == (7_600, "card")
    assert attempt["payment_ref"] == str(paystack_api.transactions[p["reference"]]["id"])
    assert collected(db, naira) == {"collected_amount": 500_000, "donor_count": 1}
    assert books_hold(db)


def test_shillings_by_m_pesa_are_credited(db, pay, settle, shillings):
    p = pay(shillings, 250_000)

    assert settle(p["reference"], channel="mobile_money", fees=3_750).status_code == 200

    assert ledger(db, p["donation_id"])[:2] == [
        {"kind": "donation", "amount": 250_000},
        {"kind": "processor_fee", "amount": -3_750},
    ]
    assert collected(db, shillings) == {"collected_amount": 250_000, "donor_count": 1}
    assert books_hold(db)


def test_cfa_francs_through_paystack_are_credited_in_francs_fee_rounded_up(db, pay, settle, cfa):
    p = pay(cfa, 5000)

    # 500 000 centimes paid; a fee of 7 550 centimes is 75.5 F: 76 F kept
    assert settle(p["reference"], fees=7_550).status_code == 200

    assert ledger(db, p["donation_id"])[:2] == [
        {"kind": "donation", "amount": 5000},
        {"kind": "processor_fee", "amount": -76},
    ]
    assert books_hold(db)


def test_the_webhook_is_not_believed_verify_is(db, service, paystack_api, pay, naira):
    p = pay(naira, 500_000)
    paystack_api.settle(p["reference"], "ongoing")

    # the webhook says success; Paystack's verify says the payment is still going on
    response = paystack_post(service, paystack_api.event(p["reference"], status="success"))

    assert response.get_json()["outcome"] == "applied"
    assert donation(db, p["donation_id"])["status"] == "pending"
    assert ledger(db, p["donation_id"]) == []


@pytest.mark.parametrize(("status", "becomes"), [("failed", "failed"), ("abandoned", "canceled")])
def test_a_failed_or_abandoned_charge_ends_the_pledge(db, settle, pay, naira, status, becomes):
    p = pay(naira, 500_000)

    assert settle(p["reference"], status).get_json()["outcome"] == "applied"

    assert donation(db, p["donation_id"])["status"] == becomes
    assert ledger(db, p["donation_id"]) == []
    assert books_hold(db)


def test_money_after_a_failure_is_credited(db, settle, pay, naira):
    p = pay(naira, 500_000)
    settle(p["reference"], "failed")

    assert settle(p["reference"]).get_json()["outcome"] == "applied"

    assert donation(db, p["donation_id"])["status"] == "succeeded"


def test_a_replayed_webhook_is_a_duplicate(db, service, paystack_api, pay, settle, naira):
    p = pay(naira, 500_000)
    settle(p["reference"])

    again = paystack_post(service, paystack_api.event(p["reference"]))

    assert again.get_json()["outcome"] == "duplicate"
    assert collected(db, naira) == {"collected_amount": 500_000, "donor_count": 1}


def test_concurrent_webhooks_credit_once(db, make_app, service_settings, paystack_api, pay, naira):
    p = pay(naira, 500_000)
    paystack_api.settle(p["reference"])
    app = make_app(**service_settings)
    body = paystack_api.event(p["reference"])
    headers = {"x-paystack-signature": paystack_fake.sign(body)}

    def post(_):
        client = app.test_client()
        return client.post(
            "/webhooks/paystack", data=body, headers=headers, content_type="application/json"
        ).get_json()

    with ThreadPoolExecutor(8) as pool:
        outcomes = sorted(r["outcome"] for r in pool.map(post, range(8)))

    assert outcomes == ["applied"] + ["duplicate"] * 7
    assert collected(db, naira) == {"collected_amount": 500_000, "donor_count": 1}
    assert books_hold(db)


@pytest.mark.parametrize(
    "signature",
    [None, "", "00" * 64, paystack_fake.sign(b"{}"), "not hex at all", "é" * 10],
)
def test_a_missing_or_forged_signature_is_refused_and_writes_nothing(
    db, service, paystack_api, pay, naira, signature
):
    p = pay(naira, 500_000)
    paystack_api.settle(p["reference"])

    response = paystack_post(service, paystack_api.event(p["reference"]), signature=signature)

    assert response.status_code == 400
    expected = "missing_signature" if not signature else "invalid_signature"
    assert response.get_json()["message"] == expected
    assert nothing_written(db)
    assert paystack_api.calls("/transaction/verify") == []
    assert donation(db, p["donation_id"])["status"] == "pending"


def test_a_body_signed_with_another_key_is_refused(db, service, paystack_api, pay, naira):
    p = pay(naira, 500_000)
    paystack_api.settle(p["reference"])
    body = paystack_api.event(p["reference"])

    response = paystack_post(service, body, signature=paystack_fake.sign(body, "sk_test_other"))

    assert response.get_json()["message"] == "invalid_signature"
    assert nothing_written(db)


def test_a_body_changed_after_signing_is_refused(db, service, paystack_api, pay, naira):
    p = pay(naira, 500_000)
    body = paystack_api.event(p["reference"])
    signature = paystack_fake.sign(body)

    response = paystack_post(service, body.replace(b"500000", b"900000"), signature=signature)

    assert response.get_json()["message"] == "invalid_signature"
    assert nothing_written(db)


@pytest.mark.parametrize("failure", ["error", "timeout"])
def test_paystack_down_during_verify_answers_503_and_writes_nothing(
    db, service, paystack_api, pay, naira, failure
):
    p = pay(naira, 500_000)
    paystack_api.settle(p["reference"])
    paystack_api.fail, paystack_api.delay = failure, 1.5

    response = paystack_post(service, paystack_api.event(p["reference"]))

    assert (response.status_code, response.get_json()["message"]) == (503, "service_unavailable")
    assert nothing_written(db)
    paystack_api.fail = None
    assert paystack_post(service, paystack_api.event(p["reference"])).get_json()["outcome"] == (
        "applied"
    )


def test_a_reference_paystack_does_not_know_answers_502_and_writes_nothing(
    db, service, paystack_api, pay, naira
):
    p = pay(naira, 500_000)
    body = paystack_api.event(p["reference"])
    del paystack_api.transactions[p["reference"]]

    response = paystack_post(service, body)

    assert (response.status_code, response.get_json()["message"]) == (
        502,
        "payment_check_inconclusive",
    )
    assert nothing_written(db)


def test_a_verified_amount_other_than_the_pledge_is_held_not_credited(db, settle, pay, naira):
    p = pay(naira, 500_000)

    assert settle(p["reference"], amount=100_000).get_json()["outcome"] == "mismatch"

    d = donation(db, p["donation_id"])
    assert d["status"] == "pending"
    assert "100000 NGN" in d["needs_review"]
    assert ledger(db, p["donation_id"]) == []
    assert collected(db, naira) == {"collected_amount": 0, "donor_count": 0}
    assert books_hold(db)


def test_a_verified_currency_other_than_the_pledge_is_held(db, settle, pay, naira):
    p = pay(naira, 500_000)

    assert settle(p["reference"], currency="GHS").get_json()["outcome"] == "mismatch"
    assert ledger(db, p["donation_id"]) == []


def test_metadata_naming_another_donation_is_held(db, settle, pay, naira):
    first, second = pay(naira, 500_000), pay(naira, 600_000)

    outcome = settle(first["reference"], metadata={"donation_id": second["donation_id"]})

    assert outcome.get_json()["outcome"] == "mismatch"
    assert ledger(db, first["donation_id"]) == ledger(db, second["donation_id"]) == []


def test_a_paystack_event_naming_a_stripe_pledge_credits_nothing(
    db, service, paystack_api, donate, cfa
):
    card = donate(cfa, 5000)
    # a Paystack transaction made (with our key) under the Stripe attempt's reference
    paystack_api.transactions[card["attempt_id"]] = {
        "id": 77, "reference": card["attempt_id"], "amount": 500_000, "currency": "XOF",
        "email": "x@example.com", "metadata": {"donation_id": card["donation_id"]},
        "access_code": "x", "status": "success", "channel": "card", "fees": 0,
        "gateway_response": "Successful",
    }  # fmt: skip

    response = paystack_post(service, paystack_api.event(card["attempt_id"]))

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "unknown_payment"
    assert donation(db, card["donation_id"])["status"] == "pending"
    assert ledger(db, card["donation_id"]) == []
    (held,) = db.sql("select provider::text, outcome from private.webhook_events")
    assert held == {"provider": "paystack", "outcome": "unknown_payment"}


def test_events_that_are_not_payments_of_ours_are_acknowledged_and_ignored(
    db, service, paystack_api, pay, naira
):
    p = pay(naira, 500_000)
    foreign = json.dumps({"event": "charge.success", "data": {"reference": "T123456"}}).encode()
    transfer = json.dumps({"event": "transfer.success", "data": {"reference": "x"}}).encode()
    dispute = paystack_api.event(p["reference"], "charge.dispute.create")

    for body in (foreign, transfer, dispute):
        response = paystack_post(service, body)
        assert response.get_json() == {"received": True, "outcome": "ignored"}
    assert nothing_written(db)
    assert paystack_api.calls("/transaction/verify") == []


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"event": "charge.success"}', b'{"data": {}}', b"NaN"]
)
def test_a_signed_body_that_is_not_an_event_is_invalid_payload(db, service, body):
    response = paystack_post(service, body)

    assert (response.status_code, response.get_json()["message"]) == (400, "invalid_payload")
    assert nothing_written(db)


# Refunds ---------------------------------------------------------------------------------


def test_refunds_follow_paystacks_refund_list(db, service, paystack_api, pay, settle, naira):
    p = pay(naira, 500_000)
    settle(p["reference"], fees=7_600)

    paystack_api.refund(p["reference"], 200_000)
    partial = paystack_post(service, paystack_api.event(p["reference"], "refund.processed"))
    paystack_api.refund(p["reference"], 300_000)
    full = paystack_post(service, paystack_api.event(p["reference"], "refund.processed"))

    assert [partial.get_json()["outcome"], full.get_json()["outcome"]] == ["applied", "applied"]
    d = donation(db, p["donation_id"])
    assert (d["status"], d["refunded_amount"]) == ("refunded", 500_000)
    (listing, *_) = paystack_api.calls("/refund")
    assert listing.query == {"transaction": str(paystack_api.transactions[p["reference"]]["id"])}
    assert collected(db, naira) == {"collected_amount": 0, "donor_count": 0}
    assert books_hold(db)


def test_a_refund_event_paystack_has_not_processed_changes_nothing(
    db, service, paystack_api, pay, settle, naira
):
    p = pay(naira, 500_000)
    settle(p["reference"])
    paystack_api.refund(p["reference"], 200_000, status="pending")

    # the webhook claims it is processed: the refund list says pending
    response = paystack_post(service, paystack_api.event(p["reference"], "refund.processed"))

    assert response.get_json()["outcome"] == "stale"
    assert donation(db, p["donation_id"])["status"] == "succeeded"
    assert collected(db, naira) == {"collected_amount": 500_000, "donor_count": 1}


def test_a_pending_refund_event_is_ignored(db, service, paystack_api, pay, settle, naira):
    p = pay(naira, 500_000)
    settle(p["reference"])

    response = paystack_post(service, paystack_api.event(p["reference"], "refund.pending"))

    assert response.get_json()["outcome"] == "ignored"


def test_a_replayed_refund_is_a_duplicate(db, service, paystack_api, pay, settle, naira):
    p = pay(naira, 500_000)
    settle(p["reference"])
    paystack_api.refund(p["reference"], 200_000)
    body = paystack_api.event(p["reference"], "refund.processed")

    outcomes = [paystack_post(service, body).get_json()["outcome"] for _ in range(2)]

    assert outcomes == ["applied", "duplicate"]
    assert donation(db, p["donation_id"])["refunded_amount"] == 200_000


# A full refund: verify then says `reversed` --------------------------------------------------


def test_a_partial_refund_keeps_the_transaction_success_a_full_one_reverses_it(
    paystack_api, pay, settle, naira
):
    p = pay(naira, 500_000)
    settle(p["reference"])

    paystack_api.refund(p["reference"], 200_000)
    partly = paystack_api.transactions[p["reference"]]["status"]
    paystack_api.refund(p["reference"], 300_000)

    assert (partly, paystack_api.transactions[p["reference"]]["status"]) == ("success", "reversed")


def test_a_full_refund_by_webhook_gives_the_money_back_from_the_campaign(
    db, service, paystack_api, pay, settle, naira
):
    p = pay(naira, 500_000)
    settle(p["reference"], fees=7_600)
    paystack_api.refund(p["reference"], 500_000)

    response = paystack_post(service, paystack_api.event(p["reference"], "refund.processed"))

    assert (response.status_code, response.get_json()["outcome"]) == (200, "applied")
    d = donation(db, p["donation_id"])
    assert (d["status"], d["refunded_amount"]) == ("refunded", 500_000)
    assert collected(db, naira) == {"collected_amount": 0, "donor_count": 0}
    assert {"kind": "refund", "amount": -500_000} in ledger(db, p["donation_id"])
    assert books_hold(db)
    # Paystack sending it again changes nothing
    again = paystack_post(service, paystack_api.event(p["reference"], "refund.processed"))
    assert again.get_json()["outcome"] == "duplicate"
    assert donation(db, p["donation_id"])["refunded_amount"] == 500_000


@pytest.mark.parametrize("kind", ["charge.success", "refund.processed"])
def test_an_event_for_a_reversed_transaction_never_credited_credits_then_refunds_it(
    db, service, paystack_api, pay, naira, kind
):
    p = pay(naira, 500_000)
    # charge.success never reached us; the donor was refunded in full since
    paystack_api.settle(p["reference"], fees=7_600)
    paystack_api.refund(p["reference"], 500_000)

    response = paystack_post(service, paystack_api.event(p["reference"], kind))

    assert response.status_code == 200, response.get_json()
    d = donation(db, p["donation_id"])
    assert (d["status"], d["refunded_amount"]) == ("refunded", 500_000)
    assert collected(db, naira) == {"collected_amount": 0, "donor_count": 0}
    entries = ledger(db, p["donation_id"])
    assert {"kind": "donation", "amount": 500_000} in entries
    assert {"kind": "refund", "amount": -500_000} in entries
    assert books_hold(db)


def test_a_late_charge_success_after_a_full_refund_changes_nothing(
    db, service, paystack_api, pay, settle, naira
):
    p = pay(naira, 500_000)
    settle(p["reference"])
    paystack_api.refund(p["reference"], 500_000)
    paystack_post(service, paystack_api.event(p["reference"], "refund.processed"))
    before = ledger(db, p["donation_id"])

    late = paystack_post(service, paystack_api.event(p["reference"], "charge.success"))

    assert late.status_code == 200
    assert ledger(db, p["donation_id"]) == before
    assert donation(db, p["donation_id"])["status"] == "refunded"
    assert books_hold(db)


def test_reversed_without_a_processed_refund_is_inconclusive_and_writes_nothing(
    db, service, paystack_api, pay, naira
):
    p = pay(naira, 500_000)
    # a chargeback, or a refund list behind verify: nothing says what went back
    paystack_api.settle(p["reference"], "reversed", fees=7_600)
    paystack_api.refund(p["reference"], 500_000, status="pending")

    response = paystack_post(service, paystack_api.event(p["reference"], "charge.success"))

    assert (response.status_code, response.get_json()["message"]) == (
        502,
        "payment_check_inconclusive",
    )
    assert nothing_written(db)
    assert donation(db, p["donation_id"])["status"] == "pending"


# The books across three providers -------------------------------------------------------------


def test_the_ledger_holds_across_three_providers(
    db, service, post_event, donate, notify, cinetpay_api, pay_by_mobile_money, pay, settle, cfa
):
    card = donate(cfa, 2000)
    post_event(stripe_fake.event("checkout.session.completed", stripe_fake.checkout_session(card)))
    mobile = pay_by_mobile_money(cfa, 5000)
    cinetpay_api.settle(mobile["transaction_id"], "ACCEPTED")
    notify(mobile["transaction_id"])
    paystack = pay(cfa, 7500)
    settle(paystack["reference"])

    assert books_hold(db)
    assert collected(db, cfa) == {"collected_amount": 14_500, "donor_count": 3}
    providers = db.sql(
        "select a.provider::text, sum(l.amount)::bigint as total"
        " from private.ledger_entries as l join private.payment_attempts as a using (donation_id)"
        " where l.kind = 'donation' group by 1 order by 1"
    )
    assert providers == [
        {"provider": "cinetpay", "total": 5000},
        {"provider": "paystack", "total": 7500},
        {"provider": "stripe", "total": 2000},
    ]


# Reconciliation from the console ----------------------------------------------------------------


@pytest.fixture
def reconcile(operator_cli, monkeypatch, paystack_api):
    monkeypatch.setenv("PAYSTACK_SECRET_KEY", paystack_fake.SECRET_KEY)
    monkeypatch.setenv("PAYSTACK_API_BASE", paystack_api.url)
    monkeypatch.setenv("PAYSTACK_TIMEOUT", "1")
    return functools.partial(operator_cli, "payments", "reconcile", "--provider", "paystack")


def aged(db, pledge, age):
    db.sql(
        "update private.payment_attempts set created_at = now() - %s::interval where id = %s",
        [age, pledge["reference"]],
    )
    return pledge


def test_reconcile_settles_pending_transactions_from_paystacks_verify(
    db, service, reconcile, paystack_api, pay, naira
):
    success, failed, ongoing, stale = (
        aged(db, pay(naira, amount), age)
        for amount, age in ((500_000, "1 hour"), (600_000, "1 hour"), (700_000, "1 hour"),
                            (800_000, "2 days"))
    )  # fmt: skip
    paystack_api.settle(success["reference"], fees=7_600)
    paystack_api.settle(failed["reference"], "failed")
    paystack_api.settle(ongoing["reference"], "ongoing")
    paystack_api.settle(stale["reference"], "ongoing")

    result = reconcile("--json", "--expire-after", "1d")

    assert result.exit_code == 0, result.output
    rows = {r["attempt_id"]: r for r in json.loads(result.stdout)}
    assert {k: (r["provider_status"], r["action"]) for k, r in rows.items()} == {
        success["reference"]: ("success", "settle"),
        failed["reference"]: ("failed", "settle"),
        ongoing["reference"]: ("ongoing", "wait"),
        stale["reference"]: ("ongoing", "expire"),
    }
    statuses = [donation(db, p["donation_id"])["status"] for p in (success, failed, ongoing, stale)]
    assert statuses == ["succeeded", "failed", "pending", "canceled"]
    assert collected(db, naira) == {"collected_amount": 500_000, "donor_count": 1}
    assert books_hold(db)
    # the webhook arriving after reconcile is a duplicate
    late = paystack_post(service, paystack_api.event(success["reference"]))
    assert late.get_json()["outcome"] == "duplicate"


def test_reconcile_without_paystacks_key_names_it(db, operator_cli, monkeypatch, tmp_path):
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / ".env.local")
    monkeypatch.delenv("PAYSTACK_SECRET_KEY", raising=False)

    result = operator_cli("payments", "reconcile", "--provider", "paystack")

    assert result.exit_code == 6
    assert "PAYSTACK_SECRET_KEY" in result.output


def test_reconcile_with_paystack_down_expires_nothing_and_exits_1(
    db, reconcile, paystack_api, pay, naira
):
    p = aged(db, pay(naira, 500_000), "2 days")
    paystack_api.fail = "error"

    result = reconcile("--json", "--expire-after", "1d")

    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)
    assert row["action"] == "error"
    assert donation(db, p["donation_id"])["status"] == "pending"
    assert nothing_written(db)


def test_reconcile_settles_a_fully_refunded_transaction_credited_then_refunded(
    db, service, reconcile, paystack_api, pay, naira
):
    p = aged(db, pay(naira, 500_000), "1 hour")
    paystack_api.settle(p["reference"], fees=7_600)
    paystack_api.refund(p["reference"], 500_000)

    result = reconcile("--json")

    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["provider_status"], row["action"], row["outcome"]) == (
        "reversed",
        "settle",
        "applied",
    )
    d = donation(db, p["donation_id"])
    assert (d["status"], d["refunded_amount"]) == ("refunded", 500_000)
    assert collected(db, naira) == {"collected_amount": 0, "donor_count": 0}
    assert books_hold(db)
    # the webhooks arriving after reconcile are duplicates
    for kind in ("charge.success", "refund.processed"):
        late = paystack_post(service, paystack_api.event(p["reference"], kind))
        assert late.get_json()["outcome"] == "duplicate"
