"""POST /donations/checkout: a pending pledge in SQL, then a Stripe Checkout Session."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.conftest import SITE_URL


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


def checkout(service, campaign, token=None, **body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload = {
        "campaign_id": str(campaign["id"]),
        "amount": 5000,
        "currency": "XOF",
        "provider": "stripe",
        **body,
    }
    return service.post("/donations/checkout", json=payload, headers=headers)


def test_guest_checkout_creates_a_pending_pledge_and_a_stripe_session(
    db, service, stripe_api, campaign
):
    response = checkout(
        service, campaign, donor_name="Moussa", message="Courage !", email="m@example.sn"
    )
    assert response.status_code == 201
    body = response.get_json()
    donation = db.one("select * from public.donations where id = %s", [body["donation_id"]])
    assert (donation["status"], donation["amount"], donation["currency"]) == (
        "pending",
        5000,
        "XOF",
    )
    assert (donation["donor_id"], donation["donor_name"], donation["donor_email"]) == (
        None,
        "Moussa",
        "m@example.sn",
    )
    attempt = db.one(
        "select * from private.payment_attempts where donation_id = %s", [donation["id"]]
    )
    assert attempt["status"] == "open"
    assert body["checkout_url"] == attempt["checkout_url"]

    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    form = call.form
    assert (
        attempt["session_ref"] == stripe_api.by_idempotency_key[f"checkout-{attempt['id']}"]["id"]
    )
    assert call.headers["idempotency-key"] == f"checkout-{attempt['id']}"
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][currency]"] == "xof"
    assert form["line_items[0][price_data][unit_amount]"] == "5000"  # XOF: zero-decimal, never x100
    assert campaign["title"] in form["line_items[0][price_data][product_data][name]"]
    assert form["metadata[donation_id]"] == body["donation_id"]
    assert form["payment_intent_data[metadata][donation_id]"] == body["donation_id"]
    assert form["client_reference_id"] == body["donation_id"]
    assert form["customer_email"] == "m@example.sn"
    page = f"{SITE_URL}/c/{campaign['slug']}"  # the emails' link to the campaign, too
    assert form["success_url"] == f"{page}/merci?don={body['donation_id']}"
    assert form["cancel_url"] == f"{page}?don={body['donation_id']}&annule=1"


def test_euro_amounts_are_sent_in_cents(db, service, stripe_api, owner, make_campaign):
    c = make_campaign(owner, "active", currency="EUR", goal_amount=500_000, country="FR")
    response = service.post(
        "/donations/checkout", json={"campaign_id": str(c["id"]), "amount": 2550, "currency": "EUR"}
    )
    assert response.status_code == 201
    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    price = {k.rsplit("[", 1)[1][:-1]: v for k, v in call.form.items() if "[price_data]" in k}
    assert (price["unit_amount"], price["currency"]) == ("2550", "eur")  # 25.50 EUR


def add_currency(db, code, exponent):
    """A currency admins add (its Stripe row comes with it)."""
    db.sql(
        "insert into public.currencies (code, name_fr, name_en, exponent, min_donation,"
        " max_donation, max_goal) values (%s, %s, %s, %s, 1, 100000000, 10000000000)",
        [code, code, code, exponent],
    )


@pytest.mark.parametrize(
    ("code", "exponent", "amount", "sent"),
    [
        ("XOF", 0, 5000, "5000"),  # Stripe zero-decimal: whole francs
        ("EUR", 2, 2550, "2550"),  # cents
        ("KWD", 3, 12_340, "12340"),  # Stripe three-decimal: fils
        ("ISK", 0, 500, "50000"),  # ISO whole krónur, Stripe counts hundredths
        ("MGA", 2, 1500, "15"),  # ISO two decimals, Stripe zero-decimal
    ],
)
def test_stripe_gets_amounts_in_the_unit_its_provider_row_gives(
    db, service, stripe_api, owner, make_campaign, code, exponent, amount, sent
):
    if code not in ("XOF", "EUR"):
        add_currency(db, code, exponent)
    c = make_campaign(owner, "active", currency=code, goal_amount=10_000_000)

    response = checkout(service, c, amount=amount, currency=code)

    assert response.status_code == 201, response.get_json()
    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert call.form["line_items[0][price_data][unit_amount]"] == sent
    assert call.form["line_items[0][price_data][currency]"] == code.lower()


def test_an_amount_stripes_unit_cannot_express_is_refused_before_stripe(
    db, service, stripe_api, owner, make_campaign
):
    add_currency(db, "MGA", 2)  # Stripe counts ariary whole: its row's step is 100
    c = make_campaign(owner, "active", currency="MGA", goal_amount=10_000_000)
    assert db.one(
        "select provider_exponent, amount_step from public.provider_currencies"
        " where provider = 'stripe' and currency = 'MGA'"
    ) == {"provider_exponent": 0, "amount_step": 100}

    response = checkout(service, c, amount=1550, currency="MGA")

    assert response.status_code == 422
    assert response.get_json()["message"] == "amount_not_payable"
    assert stripe_api.calls("POST", "/v1/checkout/sessions") == []
    assert db.sql("select id from public.donations") == []


def test_the_units_rule_holds_even_where_a_step_would_allow_the_amount(
    db, owner, make_campaign, donate
):
    add_currency(db, "MGA", 2)
    c = make_campaign(owner, "active", currency="MGA", goal_amount=10_000_000)
    p = donate(c, 1500)

    # a step that slipped past its guard (written before the guard, say)
    db.sql("alter table public.provider_currencies disable trigger provider_currencies_check_rule")
    db.sql(
        "update public.provider_currencies set amount_step = 1"
        " where provider = 'stripe' and currency = 'MGA'"
    )

    with pytest.raises(Exception, match="amount_not_payable"):
        db.sql("update private.payment_attempts set amount = 1550 where id = %s", [p["attempt_id"]])


def test_signed_in_donor_is_recorded_with_their_profile_name_and_email(db, service, campaign, user):
    response = checkout(service, campaign, token=user.token)
    assert response.status_code == 201
    d = db.one("select * from public.donations where id = %s", [response.get_json()["donation_id"]])
    assert (d["donor_id"], d["donor_name"], d["donor_email"]) == (
        user.id,
        "Fatou Ndiaye",
        user.email,
    )


def test_the_anon_key_as_bearer_is_a_guest(db, service, campaign, jwt_secret):
    from localdev import tokens

    response = checkout(service, campaign, token=tokens.api_key(jwt_secret, "anon"))
    assert response.status_code == 201
    d = db.one(
        "select donor_id from public.donations where id = %s", [response.get_json()["donation_id"]]
    )
    assert d["donor_id"] is None


def test_tokens_signed_by_the_projects_jwks_are_accepted(
    db, make_app, service_settings, campaign, user
):
    """With SUPABASE_URL, asymmetric (ES256) tokens are verified with the project's JWKS."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="key-1", alg="ES256", use="sig")

    class Jwks(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = json.dumps({"keys": [jwk]}).encode()
            self.send_response(200 if self.path == "/auth/v1/.well-known/jwks.json" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app = make_app(
            **service_settings, supabase_url=f"http://127.0.0.1:{server.server_address[1]}"
        )
        token = jwt.encode(
            {**user.claims, "exp": int(time.time()) + 600},
            key,
            algorithm="ES256",
            headers={"kid": "key-1"},
        )
        response = checkout(app.test_client(), campaign, token=token)
        assert response.status_code == 201, response.get_json()
        d = db.one(
            "select donor_id from public.donations where id = %s",
            [response.get_json()["donation_id"]],
        )
        assert d["donor_id"] == user.id
        forged = jwt.encode(
            {**user.claims, "exp": int(time.time()) + 600},
            ec.generate_private_key(ec.SECP256R1()),
            algorithm="ES256",
            headers={"kid": "key-1"},
        )
        assert checkout(app.test_client(), campaign, token=forged).status_code == 401
    finally:
        server.shutdown()


# Refusals: a clear 4xx, nothing at Stripe, no pledge ------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": 499}, 422, "amount_out_of_bounds"),  # XOF minimum is 500 francs
        ({"amount": 10_000_001}, 422, "amount_out_of_bounds"),
        ({"amount": 0}, 422, "invalid_request"),
        ({"amount": -500}, 422, "invalid_request"),
        ({"amount": 50.5}, 422, "invalid_request"),
        ({"amount": "5000"}, 422, "invalid_request"),
        ({"currency": "EUR"}, 422, "currency_mismatch"),
        ({"currency": "xof"}, 422, "invalid_request"),
        ({"campaign_id": "not-a-uuid"}, 422, "invalid_request"),
        ({"campaign_id": str(uuid.uuid4())}, 404, "campaign_not_found"),
        ({"message": "x" * 501}, 422, "field_too_long"),
        ({"donor_name": "y" * 81}, 422, "field_too_long"),
        ({"email": "pas-une-adresse"}, 422, "invalid_email"),
        ({"is_anonymous": "yes"}, 422, "invalid_request"),
        ({"unexpected": 1}, 422, "invalid_request"),
    ],
)
def test_invalid_checkouts_are_refused_before_stripe(
    db, service, stripe_api, campaign, body, status, code
):
    response = checkout(service, campaign, **body)
    assert (response.status_code, response.get_json()["message"]) == (status, code)
    assert stripe_api.requests == []
    assert db.sql("select 1 from public.donations") == []


def test_a_body_that_is_not_json_is_400(service, stripe_api):
    response = service.post("/donations/checkout", data="amount=5000", content_type="text/plain")
    assert (response.status_code, response.get_json()["message"]) == (400, "invalid_json")
    assert stripe_api.requests == []


@pytest.mark.parametrize("status", ["draft", "pending_review", "rejected", "cancelled"])
def test_unpublished_campaigns_do_not_exist_for_checkout(
    db, service, stripe_api, owner, make_campaign, status
):
    c = make_campaign(owner, status)
    response = checkout(service, c)
    assert (response.status_code, response.get_json()["message"]) == (
        404,
        "campaign_not_found",
    )
    assert stripe_api.requests == []


def test_expired_campaigns_accept_no_donations(db, service, stripe_api, owner, make_campaign):
    c = make_campaign(owner, "expired")
    response = checkout(service, c)
    assert (response.status_code, response.get_json()["message"]) == (
        409,
        "campaign_not_accepting_donations",
    )
    assert stripe_api.requests == []


def test_funded_campaigns_keep_accepting_donations(service, owner, make_campaign):
    assert checkout(service, make_campaign(owner, "funded")).status_code == 201


def test_banned_users_cannot_donate(db, service, stripe_api, campaign, banned_user):
    response = checkout(service, campaign, token=banned_user.token)
    assert (response.status_code, response.get_json()["message"]) == (403, "account_banned")
    assert stripe_api.requests == []


@pytest.mark.parametrize("header", ["Bearer not.a.jwt", "Basic abc", "Bearer "])
def test_bad_tokens_are_401(db, service, stripe_api, campaign, header):
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF"},
        headers={"Authorization": header},
    )
    assert response.status_code == 401
    assert stripe_api.requests == []


def test_an_expired_token_is_401(service, campaign, user, jwt_secret):
    from localdev import tokens

    token = tokens.sign(jwt_secret, {**user.claims, "exp": int(time.time()) - 5})
    assert checkout(service, campaign, token=token).status_code == 401


# Stripe unavailable ------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["error", "timeout"])
def test_stripe_failing_cancels_the_pledge(
    db, make_app, service_settings, stripe_api, campaign, failure
):
    service = make_app(**{**service_settings, "stripe_timeout": 0.5}).test_client()
    stripe_api.fail, stripe_api.delay = failure, 1.0
    response = checkout(service, campaign)
    assert (response.status_code, response.get_json()["message"]) == (
        502,
        "payment_provider_unavailable",
    )
    (donation,) = db.sql("select status::text from public.donations")
    assert donation["status"] == "canceled"
    attempt = db.one("select status::text, failure_reason from private.payment_attempts")
    assert attempt["status"] == "failed"


@pytest.mark.parametrize("method", ["OM", None])
def test_covered_fees_are_grossed_up_for_the_channel_the_quote_named(
    db, service, cinetpay_api, campaign, method
):
    channel = {"payment_method": method} if method else {}
    quoted = service.get(
        "/donations/quote",
        query_string={"campaign_id": str(campaign["id"]), "amount": 10_000,
                      "provider": "cinetpay", "cover_fees": "true", **channel},
    ).get_json()  # fmt: skip
    response = checkout(
        service, campaign, amount=10_000, provider="cinetpay", cover_fees=True, **channel
    )
    assert response.status_code == 201, response.get_json()
    asked = db.one(
        "select a.amount from private.payment_attempts as a where a.donation_id = %s",
        [response.get_json()["donation_id"]],
    )["amount"]
    assert asked == quoted["charged_amount"]
