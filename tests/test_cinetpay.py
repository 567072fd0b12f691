"""Mobile money through CinetPay: checkouts, notifications confirmed through the
payment check, and the same payment core (ledger, totals) as cards."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import cinetpay_fake
from tests.conftest import SITE_URL
from tests.postgrest import ApiError


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


def checkout(service, campaign, **body):
    payload = {
        "campaign_id": str(campaign["id"]),
        "amount": 5000,
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


# Checkout -------------------------------------------------------------------------------


def test_cfa_franc_donors_pay_by_mobile_money_unless_they_choose(
    db, service, cinetpay_api, stripe_api, campaign
):
    response = checkout(service, campaign, email="awa@example.ci")

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["provider"] == "cinetpay"
    (payment,) = cinetpay_api.payments.values()
    assert (
        body["checkout_url"] == f"https://checkout.cinetpay.com/payment/{payment['payment_token']}"
    )
    assert stripe_api.requests == []
    attempt = db.one(
        "select * from private.payment_attempts where donation_id = %s", [body["donation_id"]]
    )
    assert (attempt["provider"], attempt["status"]) == ("cinetpay", "open")
    assert attempt["session_ref"] == payment["payment_token"]
    assert donation(db, body["donation_id"])["status"] == "pending"


def test_the_payment_is_initialised_as_cinetpay_documents(service, cinetpay_api, campaign):
    body = checkout(service, campaign, email="awa@example.ci").get_json()

    (call,) = cinetpay_api.calls("/v2/payment")
    sent = call.json
    attempt_id = next(iter(cinetpay_api.payments))
    assert sent["apikey"] == cinetpay_fake.API_KEY
    assert sent["site_id"] == cinetpay_fake.SITE_ID
    assert sent["transaction_id"] == attempt_id
    assert sent["amount"] == 5000
    assert isinstance(sent["amount"], int)
    assert sent["currency"] == "XOF"
    assert sent["notify_url"] == "https://api.africagnotte.test/webhooks/cinetpay"
    assert sent["return_url"] == (
        f"{SITE_URL}/c/{campaign['slug']}/merci?don={body['donation_id']}"
    )
    assert sent["channels"] == "ALL"
    assert sent["metadata"] == body["donation_id"]
    assert sent["customer_email"] == "awa@example.ci"


def test_euro_donors_pay_by_card_unless_they_choose(
    service, stripe_api, cinetpay_api, owner, make_campaign
):
    euro = make_campaign(owner, "active", currency="EUR", goal_amount=500_000)
    response = checkout(service, euro, amount=2500)

    assert response.status_code == 201
    assert response.get_json()["provider"] == "stripe"
    assert cinetpay_api.requests == []


def test_a_donor_may_choose_a_card_for_a_cfa_franc_campaign(
    service, stripe_api, cinetpay_api, campaign
):
    response = checkout(service, campaign, provider="stripe")

    assert response.get_json()["provider"] == "stripe"
    assert len(stripe_api.calls("POST", "/v1/checkout/sessions")) == 1
    assert cinetpay_api.requests == []


@pytest.mark.parametrize("amount", [5001, 5002, 5003, 5004, 12_347])
def test_cfa_amounts_that_are_not_multiples_of_5_are_refused_before_cinetpay(
    db, service, cinetpay_api, campaign, amount
):
    response = checkout(service, campaign, amount=amount)

    assert response.status_code == 422
    assert response.get_json()["message"] == "amount_not_payable"
    assert "multiple of 5" in response.get_json()["details"]
    assert cinetpay_api.requests == []
    assert db.sql("select id from public.donations") == []


def test_cinetpays_minimum_applies_where_the_currencys_is_lower(
    db, service, stripe_api, cinetpay_api, campaign
):
    db.sql("update public.currencies set min_donation = 50 where code = 'XOF'")

    refused = checkout(service, campaign, amount=95, provider="cinetpay")
    by_card = checkout(service, campaign, amount=95, provider="stripe")

    assert refused.status_code == 422
    assert refused.get_json()["message"] == "amount_out_of_bounds"
    assert "cinetpay" in refused.get_json()["details"]
    assert cinetpay_api.requests == []
    assert by_card.status_code == 201


def test_the_same_amount_is_fine_by_card(service, stripe_api, campaign):
    assert checkout(service, campaign, amount=5003, provider="stripe").status_code == 201


def test_dollars_go_to_cinetpay_as_whole_dollars(service, cinetpay_api, owner, make_campaign):
    usd = make_campaign(owner, "active", currency="USD", goal_amount=500_000)

    refused = checkout(service, usd, amount=2550, provider="cinetpay")
    accepted = checkout(service, usd, amount=2500, provider="cinetpay")

    assert refused.status_code == 422
    assert refused.get_json()["message"] == "amount_not_payable"
    assert accepted.status_code == 201
    (call,) = cinetpay_api.calls("/v2/payment")
    assert (call.json["amount"], call.json["currency"]) == (25, "USD")


def test_congolese_francs_go_to_cinetpay_as_whole_francs(
    service, cinetpay_api, owner, make_campaign
):
    cdf = make_campaign(owner, "active", currency="CDF", goal_amount=50_000_000)

    assert checkout(service, cdf, amount=250_000, currency="CDF").status_code == 201

    (call,) = cinetpay_api.calls("/v2/payment")
    assert (call.json["amount"], call.json["currency"]) == (2500, "CDF")


def test_a_currency_cinetpay_does_not_take_is_refused_before_any_call(
    db, service, cinetpay_api, owner, make_campaign
):
    euro = make_campaign(owner, "active", currency="EUR", goal_amount=500_000)

    response = checkout(service, euro, amount=2500, provider="cinetpay")

    assert response.status_code == 422
    assert response.get_json()["message"] == "provider_currency_unsupported"
    assert cinetpay_api.requests == []
    assert db.sql("select id from public.donations") == []


def test_an_unknown_provider_is_422(service, cinetpay_api, campaign):
    response = checkout(service, campaign, provider="paypal")

    assert response.status_code == 422
    assert response.get_json()["details"][0]["field"] == "provider"


@pytest.mark.parametrize("failure", ["refuse", "error", "timeout"])
def test_cinetpay_refusing_or_silent_cancels_the_pledge(
    db, service, cinetpay_api, campaign, failure
):
    cinetpay_api.fail = failure
    cinetpay_api.delay = 1.5  # longer than the service's timeout (1 s)

    response = checkout(service, campaign)

    assert response.status_code == 502
    assert response.get_json()["message"] == "payment_provider_unavailable"
    (d,) = db.sql("select status::text from public.donations")
    assert d["status"] == "canceled"


def test_mobile_money_not_configured_answers_503_and_writes_nothing(
    db, make_app, service_settings, campaign
):
    settings = {**service_settings, "cinetpay_api_key": "", "cinetpay_secret_key": ""}
    client = make_app(**settings).test_client()

    response = checkout(client, campaign)

    assert response.status_code == 503
    assert db.sql("select id from public.donations") == []


def test_the_description_leaves_out_characters_cinetpay_refuses(
    service, cinetpay_api, owner, make_campaign
):
    c = make_campaign(owner, "active", title="Opération #2 : 50 $ & plus / enfant_malade")

    checkout(service, c)

    (call,) = cinetpay_api.calls("/v2/payment")
    assert not set("#/$_&") & set(call.json["description"])
    assert call.json["description"].startswith("Don : Opération")


# Which provider takes which currency ----------------------------------------------------------


def test_anyone_reads_which_provider_takes_which_currency(anon):
    rows = anon.get("provider_currencies", columns="provider,currency,amount_step,is_default")

    by_key = {(r["provider"], r["currency"]): r for r in rows}
    assert by_key[("cinetpay", "XOF")]["amount_step"] == 5
    assert by_key[("cinetpay", "XOF")]["is_default"] is True
    assert by_key[("stripe", "EUR")]["is_default"] is True
    assert by_key[("stripe", "XOF")]["is_default"] is False


def test_only_admins_change_the_providers_rules(as_user, user, admin, db):
    xof = {"provider": "cinetpay", "currency": "XOF"}
    assert as_user(user).update("provider_currencies", {"amount_step": 1}, xof) == []
    assert db.one(
        "select amount_step from public.provider_currencies"
        " where provider = 'cinetpay' and currency = 'XOF'"
    ) == {"amount_step": 5}

    as_user(admin).update("provider_currencies", {"amount_step": 25}, xof)
    assert db.one(
        "select amount_step from public.provider_currencies"
        " where provider = 'cinetpay' and currency = 'XOF'"
    ) == {"amount_step": 25}


def test_a_currency_has_one_default_provider(db):
    with pytest.raises(Exception, match="provider_currencies_one_default_idx"):
        db.sql(
            "update public.provider_currencies set is_default = true"
            " where provider = 'stripe' and currency = 'XOF'"
        )


# Notifications --------------------------------------------------------------------------------


def test_an_accepted_payment_is_credited_once_cinetpay_confirms_it(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    response = notify(p["transaction_id"])

    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "applied"}
    (check,) = cinetpay_api.calls("/v2/payment/check")
    assert check.json == {
        "apikey": cinetpay_fake.API_KEY,
        "site_id": cinetpay_fake.SITE_ID,
        "transaction_id": p["transaction_id"],
    }
    assert donation(db, p["donation_id"])["status"] == "succeeded"
    assert collected(db, campaign) == {"collected_amount": 5000, "donor_count": 1}
    assert ledger(db, p["donation_id"]) == [
        {"kind": "donation", "amount": 5000},
        {"kind": "processor_fee", "amount": -175},  # Orange Money: 3.5 %
        {"kind": "platform_fee", "amount": -250},
    ]


def test_cinetpay_pings_the_notification_url_with_get(service):
    assert service.get("/webhooks/cinetpay").status_code == 200


def test_a_notification_without_x_token_is_refused_and_writes_nothing(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    response = notify(p["transaction_id"], token=None)

    assert response.status_code == 400
    assert response.get_json()["message"] == "missing_signature"
    assert cinetpay_api.calls("/v2/payment/check") == []
    assert db.sql("select id from private.webhook_events") == []
    assert donation(db, p["donation_id"])["status"] == "pending"


@pytest.mark.parametrize(
    "token",
    [
        "0" * 64,
        "not-a-token",
        "é" * 64,
        cinetpay_fake.x_token({"cpm_trans_id": "x"}),
    ],
)
def test_a_forged_x_token_is_refused_and_writes_nothing(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign, token
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    response = notify(p["transaction_id"], token=token)

    assert response.status_code == 400
    assert response.get_json()["message"] == "invalid_signature"
    assert db.sql("select id from private.webhook_events") == []


def test_a_token_made_with_another_secret_is_refused(
    db, service, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    form = cinetpay_api.notification(p["transaction_id"])

    response = service.post(
        "/webhooks/cinetpay",
        data=form,
        headers={"x-token": cinetpay_fake.x_token(form, secret="another-merchant-secret")},
    )

    assert response.status_code == 400
    assert db.sql("select id from private.webhook_events") == []


def test_a_field_changed_after_signing_breaks_the_token(
    db, service, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    form = cinetpay_api.notification(p["transaction_id"])
    token = cinetpay_fake.x_token(form)

    response = service.post(
        "/webhooks/cinetpay", data={**form, "cpm_amount": "500000"}, headers={"x-token": token}
    )

    assert response.status_code == 400
    assert db.sql("select id from private.webhook_events") == []


def test_a_notification_for_another_cinetpay_site_is_refused(
    db, service, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    form = cinetpay_api.notification(p["transaction_id"], cpm_site_id="999999")

    response = service.post(
        "/webhooks/cinetpay", data=form, headers={"x-token": cinetpay_fake.x_token(form)}
    )

    assert response.status_code == 400
    assert response.get_json()["message"] == "site_mismatch"
    assert db.sql("select id from private.webhook_events") == []


def test_duplicate_notifications_credit_once(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    outcomes = [notify(p["transaction_id"]).get_json()["outcome"] for _ in range(3)]

    assert outcomes == ["applied", "duplicate", "duplicate"]
    assert collected(db, campaign) == {"collected_amount": 5000, "donor_count": 1}
    assert [e["kind"] for e in ledger(db, p["donation_id"])] == [
        "donation",
        "processor_fee",
        "platform_fee",
    ]


def test_the_check_is_believed_over_a_notification_that_says_paid(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "REFUSED")

    response = notify(p["transaction_id"], cpm_error_message="SUCCES", cpm_amount="5000")

    assert response.get_json()["outcome"] == "applied"
    assert donation(db, p["donation_id"])["status"] == "failed"
    assert collected(db, campaign)["collected_amount"] == 0
    assert ledger(db, p["donation_id"]) == []


def test_a_check_reporting_another_amount_is_held_for_review_not_credited(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED", amount=100)

    response = notify(p["transaction_id"], cpm_amount="5000")

    assert response.get_json()["outcome"] == "mismatch"
    d = donation(db, p["donation_id"])
    assert d["status"] == "pending"
    assert "100 XOF" in d["needs_review"]
    assert collected(db, campaign)["collected_amount"] == 0


def test_a_check_naming_another_donation_is_not_credited(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign, owner, make_campaign
):
    other = pay_by_mobile_money(make_campaign(owner, "active"), 5000)
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED", metadata=other["donation_id"])

    response = notify(p["transaction_id"])

    assert response.get_json()["outcome"] == "mismatch"
    assert donation(db, p["donation_id"])["status"] == "pending"
    assert donation(db, other["donation_id"])["status"] == "pending"


def test_failed_then_accepted_is_credited(db, notify, cinetpay_api, pay_by_mobile_money, campaign):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "REFUSED")
    assert notify(p["transaction_id"]).get_json()["outcome"] == "applied"
    assert donation(db, p["donation_id"])["status"] == "failed"

    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    assert notify(p["transaction_id"]).get_json()["outcome"] == "applied"

    assert donation(db, p["donation_id"])["status"] == "succeeded"
    assert collected(db, campaign) == {"collected_amount": 5000, "donor_count": 1}


def test_accepted_then_refused_stays_credited(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    notify(p["transaction_id"])

    cinetpay_api.settle(p["transaction_id"], "REFUSED")
    response = notify(p["transaction_id"])

    assert response.get_json()["outcome"] == "ignored"
    assert donation(db, p["donation_id"])["status"] == "succeeded"
    assert collected(db, campaign)["collected_amount"] == 5000


def test_a_late_waiting_notification_changes_nothing_after_payment(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    """Notifications out of order: each is checked, so the older one reads today's status."""
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    notify(p["transaction_id"])

    late = notify(p["transaction_id"], cpm_error_message="WAITING_CUSTOMER_PAYMENT")

    assert late.get_json()["outcome"] == "duplicate"
    assert donation(db, p["donation_id"])["status"] == "succeeded"


def test_waiting_for_the_customer_keeps_the_pledge_pending(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)

    response = notify(p["transaction_id"])

    assert response.get_json()["outcome"] == "applied"
    assert donation(db, p["donation_id"])["status"] == "pending"
    attempt = db.one(
        "select status::text from private.payment_attempts where id = %s", [p["transaction_id"]]
    )
    assert attempt["status"] == "processing"


def test_a_donor_who_gives_up_cancels_the_pledge(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "CANCELED")

    notify(p["transaction_id"])

    assert donation(db, p["donation_id"])["status"] == "canceled"


@pytest.mark.parametrize("failure", ["error", "timeout"])
def test_cinetpay_check_unavailable_answers_503_and_writes_nothing(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign, failure
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    cinetpay_api.fail, cinetpay_api.delay = failure, 1.5

    response = notify(p["transaction_id"])

    # service_unavailable, as Stripe's API down: payment_provider_unavailable is the
    # checkout's 502 (one token, one status)
    assert (response.status_code, response.get_json()["message"]) == (503, "service_unavailable")
    assert response.headers["Retry-After"] == "5"
    assert db.sql("select id from private.webhook_events") == []
    cinetpay_api.fail = None
    assert notify(p["transaction_id"]).get_json()["outcome"] == "applied"


def test_an_inconclusive_check_answers_502_and_writes_nothing(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED", code_override=("624", "UNKNOWN_ERROR"))

    response = notify(p["transaction_id"])

    assert response.status_code == 502
    assert response.get_json()["message"] == "payment_check_inconclusive"
    assert db.sql("select id from private.webhook_events") == []


def test_a_transaction_that_is_not_ours_is_acknowledged_and_ignored(db, notify, cinetpay_api):
    response = notify("SHOP-ORDER-1234")

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"
    assert cinetpay_api.calls("/v2/payment/check") == []
    assert db.sql("select id from private.webhook_events") == []


def test_an_unknown_payment_is_recorded_for_review(db, notify, cinetpay_api):
    transaction_id = str(uuid.uuid4())
    cinetpay_api.payments[transaction_id] = {
        "amount": 5000, "currency": "XOF", "description": "?", "status": "ACCEPTED",
        "operator_id": "MP1", "metadata": None,
    }  # fmt: skip

    response = notify(transaction_id)

    assert response.get_json()["outcome"] == "unknown_payment"
    (event,) = db.sql("select event_id, payload from private.webhook_events")
    assert event["event_id"] == f"{transaction_id}:ACCEPTED:00"
    assert event["payload"]["check"]["code"] == "00"
    assert event["payload"]["notification"]["cpm_trans_id"] == transaction_id


def test_dollars_paid_through_cinetpay_are_credited_in_cents(
    db, notify, cinetpay_api, pay_by_mobile_money, owner, make_campaign
):
    usd = make_campaign(owner, "active", currency="USD", goal_amount=500_000)
    p = pay_by_mobile_money(usd, 2500)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    notify(p["transaction_id"])

    assert donation(db, p["donation_id"])["status"] == "succeeded"
    assert collected(db, usd)["collected_amount"] == 2500


# What CinetPay keeps -----------------------------------------------------------------------------


def fee_of(db, donation_id):
    return db.one(
        "select a.fee_amount, a.payment_method, l.amount as ledger"
        " from private.payment_attempts as a left join private.ledger_entries as l"
        " on l.donation_id = a.donation_id and l.kind = 'processor_fee'"
        " where a.donation_id = %s",
        [donation_id],
    )


@pytest.mark.parametrize(
    ("method", "fee"),
    [
        ("OM", 175),  # mobile money: 3.5 %
        ("MOMO", 175),
        ("FLOOZ", 175),
        ("WAVECI", 175),
        ("VISAM", 225),  # card: 4.5 %
        ("WALLET", 175),  # CinetPay's wallet: 3.5 %
        ("NOUVEAU", 225),  # a method no channel lists: the highest rate
        (None, 225),
    ],
)
def test_cinetpays_commission_is_recorded_per_payment_channel(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign, method, fee
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED", payment_method=method)

    assert notify(p["transaction_id"]).get_json()["outcome"] == "applied"

    assert fee_of(db, p["donation_id"]) == {"fee_amount": fee, "payment_method": method,
                                            "ledger": -fee}  # fmt: skip
    assert db.sql("select * from private.check_ledger()") == []


def test_the_commission_is_rounded_up_so_the_platform_never_over_credits(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 1005)  # 3.5 % is 35.175 francs
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED", payment_method="OM")

    notify(p["transaction_id"])

    assert fee_of(db, p["donation_id"])["fee_amount"] == 36


def test_dollars_pay_their_commission_in_cents(
    db, notify, cinetpay_api, pay_by_mobile_money, owner, make_campaign
):
    usd = make_campaign(owner, "active", currency="USD", goal_amount=500_000)
    p = pay_by_mobile_money(usd, 2500)  # 25 USD by card: 4.5 % is 112.5 cents
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED", payment_method="VISAM")

    notify(p["transaction_id"])

    assert fee_of(db, p["donation_id"])["fee_amount"] == 113


def test_the_commission_follows_the_rates_an_admin_sets(
    db, as_user, admin, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    key = {"provider": "cinetpay", "channel": "mobile_money"}
    as_user(admin).update("provider_fees", {"fee_bp": 200}, key)
    as_user(admin).update("provider_fees", {"payment_methods": ["OM", "ORANGE_MONEY_NE"]}, key)
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED", payment_method="ORANGE_MONEY_NE")

    notify(p["transaction_id"])

    assert fee_of(db, p["donation_id"])["fee_amount"] == 100


def test_only_admins_read_and_change_the_providers_fees(db, anon, as_user, user, admin):
    key = {"provider": "cinetpay", "channel": "mobile_money"}
    with pytest.raises(ApiError) as err:
        anon.get("provider_fees")
    assert err.value.code == "42501"
    assert as_user(user).get("provider_fees") == []
    assert as_user(user).update("provider_fees", {"fee_bp": 0}, key) == []
    assert db.one(
        "select fee_bp from public.provider_fees where provider = 'cinetpay'"
        " and channel = 'mobile_money'"
    ) == {"fee_bp": 350}
    rows = as_user(admin).get("provider_fees", columns="provider,currency,channel,fee_bp")
    assert {(r["provider"], r["currency"], r["channel"], r["fee_bp"]) for r in rows} >= {
        ("cinetpay", None, "mobile_money", 350), ("cinetpay", None, "card", 450),
        ("cinetpay", None, "wallet", 350), ("stripe", None, "card", 290), ("stripe", "EUR", "card", 325),
        ("paystack", "NGN", "card", 150), ("paystack", "KES", "mobile_money", 150),
    }  # fmt: skip


@pytest.mark.parametrize(
    "row",
    [
        {"fee_bp": -1},
        {"fee_bp": 2001},
        {"channel": "cash"},
        {"payment_methods": ["om"]},
        {"channel": "wallet", "fixed_fee": 25},  # an amount needs its currency
        {"channel": "wallet", "fee_cap": 1000},
    ],
)
def test_a_rate_out_of_bounds_or_an_unknown_channel_is_refused(as_user, admin, row):
    new = {"provider": "stripe", "channel": "card", "fee_bp": 290, **row}
    with pytest.raises(ApiError) as err:
        as_user(admin).insert("provider_fees", new)
    assert err.value.code == "23514"


def test_a_campaigns_balance_never_exceeds_what_cinetpay_paid_out(
    db, as_user, owner, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    for amount, method in [(5000, "OM"), (2000, "VISAM"), (1005, "WAVECI")]:
        p = pay_by_mobile_money(campaign, amount)
        cinetpay_api.settle(p["transaction_id"], "ACCEPTED", payment_method=method)
        notify(p["transaction_id"])

    b = as_user(owner).rpc("campaign_balance", {"campaign_id": campaign["id"]})
    received = 8005 - 175 - 90 - 36
    assert b["processor_fees"] == 175 + 90 + 36
    assert b["available"] == received - b["platform_fees"]
    assert db.sql("select * from private.check_ledger()") == []


# References that disagree: held for review ------------------------------------------------------


def test_a_transaction_that_is_not_the_attempt_credits_no_pledge_through_its_metadata(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    stranger = str(uuid.uuid4())  # paid on our CinetPay site, but not a payment of ours
    cinetpay_api.payments[stranger] = {
        **cinetpay_api.payments[p["transaction_id"]],
        "transaction_id": stranger,
        "status": "ACCEPTED",
        "operator_id": "MP-STRANGER",
    }

    response = notify(stranger)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "mismatch"
    detail = db.one("select detail from private.webhook_events")["detail"]
    assert f"attempt_id {stranger}" in detail
    assert donation(db, p["donation_id"])["status"] == "pending"
    assert ledger(db, p["donation_id"]) == []
    assert collected(db, campaign)["collected_amount"] == 0


def test_a_check_in_another_currency_is_held_whatever_its_status(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "REFUSED", currency="XAF")

    assert notify(p["transaction_id"]).get_json()["outcome"] == "mismatch"
    assert donation(db, p["donation_id"])["status"] == "pending"


# Both providers, one ledger -------------------------------------------------------------------


def test_the_ledger_holds_across_both_providers(
    db, notify, post_event, donate, cinetpay_api, pay_by_mobile_money, campaign
):
    from tests import stripe_fake as sf

    card = [donate(campaign, amount) for amount in (2000, 3500)]
    mobile = [pay_by_mobile_money(campaign, amount) for amount in (1000, 5000, 7500)]
    for p in card:
        assert (
            post_event(sf.event("checkout.session.completed", sf.checkout_session(p))).status_code
            == 200
        )
    post_event(sf.event("charge.refunded", sf.charge(card[0], amount_refunded=500, refunded=False)))
    for p, status in zip(mobile, ["ACCEPTED", "REFUSED", "ACCEPTED"], strict=True):
        cinetpay_api.settle(p["transaction_id"], status)
        assert notify(p["transaction_id"]).status_code == 200

    assert db.sql("select * from private.check_ledger()") == []
    assert collected(db, campaign) == {
        "collected_amount": 2000 - 500 + 3500 + 1000 + 7500,
        "donor_count": 4,
    }
    providers = db.sql(
        "select a.provider::text, sum(l.amount)::bigint as total"
        " from private.ledger_entries as l join private.payment_attempts as a using (donation_id)"
        " where l.kind in ('donation', 'refund') group by 1 order by 1"
    )
    assert providers == [
        {"provider": "cinetpay", "total": 8500},
        {"provider": "stripe", "total": 5000},
    ]


def test_failed_then_given_up_ends_canceled(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "REFUSED")
    notify(p["transaction_id"])
    cinetpay_api.settle(p["transaction_id"], "CANCELED")

    assert notify(p["transaction_id"]).get_json()["outcome"] == "applied"
    assert donation(db, p["donation_id"])["status"] == "canceled"


def test_concurrent_notifications_credit_once(
    db, service_settings, make_app, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    app = make_app(**service_settings)
    form = cinetpay_api.notification(p["transaction_id"])
    headers = {"x-token": cinetpay_fake.x_token(form)}

    def post(_):
        return app.test_client().post("/webhooks/cinetpay", data=form, headers=headers).get_json()

    with ThreadPoolExecutor(8) as pool:
        outcomes = sorted(r["outcome"] for r in pool.map(post, range(8)))

    assert outcomes == ["applied"] + ["duplicate"] * 7
    assert collected(db, campaign) == {"collected_amount": 5000, "donor_count": 1}


def test_accented_fields_are_signed_as_utf8(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    response = notify(p["transaction_id"], cpm_designation="Don : opération d'Aminata à Ségou")

    assert response.get_json()["outcome"] == "applied"


@pytest.mark.parametrize(
    "answer",
    [
        {"code": "201", "message": "CREATED", "data": ["not", "an", "object"]},
        {"code": "201", "message": "CREATED", "data": {"payment_url": 42, "payment_token": "t"}},
        {
            "code": "201",
            "message": "CREATED",
            "data": {"payment_url": "javascript:alert(1)", "payment_token": "t"},
        },
        {"code": "608", "message": "MINIMUM_REQUIRED_FIELDS"},
    ],
)
def test_an_odd_initialisation_answer_cancels_the_pledge(
    db, service, cinetpay_api, campaign, monkeypatch, answer
):
    monkeypatch.setattr(cinetpay_api, "initialise", lambda body: answer)

    response = checkout(service, campaign)

    assert response.status_code == 502
    (d,) = db.sql("select status::text from public.donations")
    assert d["status"] == "canceled"


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ({"code": "662", "message": "WAITING_CUSTOMER_PAYMENT", "data": ["odd"]}, 200),
        (
            {
                "code": "00",
                "message": "SUCCES",
                "data": {"amount": float("nan"), "status": "ACCEPTED"},
            },
            503,
        ),
        (
            {
                "code": "00",
                "message": "SUCCES",
                "data": {"amount": "1e40", "currency": "XOF", "status": "ACCEPTED"},
            },
            200,
        ),
        ({"code": "00", "message": "SUC\u0000CES", "data": {"status": "ACCEPTED"}}, 503),
    ],
)
def test_odd_check_answers_never_fail_with_500(
    db, notify, cinetpay_api, pay_by_mobile_money, campaign, monkeypatch, answer, status
):
    p = pay_by_mobile_money(campaign, 5000)
    monkeypatch.setattr(cinetpay_api, "check", lambda body: answer)

    response = notify(p["transaction_id"])

    assert response.status_code == status, response.get_json()
    assert donation(db, p["donation_id"])["status"] == "pending"


def test_the_provider_rule_holds_when_an_attempt_is_rewritten(db, pay_by_mobile_money, campaign):
    p = pay_by_mobile_money(campaign, 5000)

    with pytest.raises(Exception, match="amount_not_payable"):
        db.sql(
            "update private.payment_attempts set amount = 5001 where id = %s", [p["transaction_id"]]
        )


def test_a_new_currency_can_be_paid_by_card_at_once(db, as_user, admin, anon):
    as_user(admin).insert(
        "currencies",
        {"code": "RWF", "name_fr": "Franc rwandais", "name_en": "Rwandan franc", "exponent": 0,
         "min_donation": 500, "max_donation": 5_000_000, "max_goal": 500_000_000},
    )  # fmt: skip

    assert anon.get("provider_currencies", {"currency": "RWF"}, columns="provider,is_default") == [
        {"provider": "stripe", "is_default": True}
    ]


def test_cinetpay_takes_only_its_currencies(db):
    with pytest.raises(Exception, match="provider_currencies_check"):
        db.sql(
            "insert into public.provider_currencies (provider, currency, amount_step)"
            " values ('cinetpay', 'EUR', 100)"
        )


def test_each_row_says_the_unit_its_provider_counts_in(anon, as_user, admin, db):
    rows = anon.get("provider_currencies", columns="provider,currency,provider_exponent")
    unit = {(r["provider"], r["currency"]): r["provider_exponent"] for r in rows}

    assert {k: v for k, v in unit.items() if k[0] == "cinetpay"} == {
        ("cinetpay", c): 0 for c in ("XOF", "XAF", "CDF", "GNF", "USD")
    }
    assert (unit[("stripe", "XOF")], unit[("stripe", "GNF")], unit[("stripe", "EUR")]) == (0, 0, 2)
    # the provider's fact, not an admin setting
    with pytest.raises(ApiError):
        as_user(admin).update(
            "provider_currencies",
            {"provider_exponent": 2},
            {"provider": "cinetpay", "currency": "USD"},
        )
    assert unit == {
        (r["provider"], r["currency"]): r["provider_exponent"]
        for r in db.sql(
            "select provider, currency, provider_exponent from public.provider_currencies"
        )
    }


def test_a_step_is_expressible_in_the_providers_unit_for_every_provider(as_user, admin, db):
    db.sql(
        "insert into public.currencies (code, name_fr, name_en, exponent, min_donation,"
        " max_donation, max_goal) values ('MGA', 'Ariary', 'Malagasy ariary', 2, 100,"
        " 100000000, 10000000000)"
    )
    mga = {"provider": "stripe", "currency": "MGA"}

    with pytest.raises(ApiError, match="amount_step_not_whole"):
        as_user(admin).update("provider_currencies", {"amount_step": 50}, mga)
    as_user(admin).update("provider_currencies", {"amount_step": 500}, mga)

    assert db.one(
        "select amount_step from public.provider_currencies"
        " where provider = 'stripe' and currency = 'MGA'"
    ) == {"amount_step": 500}


def test_cinetpay_steps_are_whole_units(as_user, admin, db):
    usd = {"provider": "cinetpay", "currency": "USD"}

    with pytest.raises(ApiError, match="amount_step_not_whole"):
        as_user(admin).update("provider_currencies", {"amount_step": 50}, usd)

    assert db.one(
        "select amount_step from public.provider_currencies"
        " where provider = 'cinetpay' and currency = 'USD'"
    ) == {"amount_step": 100}
