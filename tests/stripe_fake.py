"""Stripe for tests: signed events built from Stripe's own fixtures, and a local
HTTP server answering the API calls the service makes (STRIPE_API_BASE)."""

from __future__ import annotations

import copy
import itertools
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from functools import cache
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import stripe

from tests import fake_http
from tests.fake_http import Request


def _fixtures_path() -> Path:
    """Stripe's fixtures: $STRIPE_FIXTURES, else shared/stripe/ beside the checkout."""
    if env := os.environ.get("STRIPE_FIXTURES"):
        return Path(env)
    for parent in Path(__file__).resolve().parents[1:]:
        candidate = parent / "shared" / "stripe" / "fixtures3.json"
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        "Stripe fixtures not found: set STRIPE_FIXTURES or put shared/ beside the checkout"
    )


WEBHOOK_SECRET = "whsec_" + "test0secret0for0africagnotte"
SECRET_KEY = "sk_test_" + "africagnotte0local"


@cache
def _resources() -> dict[str, Any]:
    return json.loads(_fixtures_path().read_text())["resources"]


def resource(name: str, **fields: Any) -> dict[str, Any]:
    """One of Stripe's fixture objects (e.g. 'checkout.session'), with fields set."""
    obj = copy.deepcopy(_resources()[name])
    obj.update(fields)
    return obj


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{uuid.uuid4().hex[:24]}"


# Events -------------------------------------------------------------------------------


def event(
    kind: str,
    obj: dict[str, Any],
    *,
    created: int | None = None,
    livemode: bool = False,
    event_id: str | None = None,
) -> dict[str, Any]:
    return resource(
        "event",
        id=event_id or new_id("evt"),
        type=kind,
        created=created if created is not None else int(time.time()),
        livemode=livemode,
        data={"object": obj},
    )


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, computed with the stripe library's own scheme."""
    t = int(time.time()) if timestamp is None else timestamp
    v1 = stripe.WebhookSignature._compute_signature(f"{t}.{payload.decode()}", secret)
    return f"t={t},v1={v1}"


def metadata(pledge: dict[str, Any]) -> dict[str, str]:
    """Our ids, as the service's checkout sets them on the session and the payment."""
    ids = {"donation_id": pledge["donation_id"], "attempt_id": pledge["attempt_id"]}
    if pledge.get("campaign_id"):
        ids["campaign_id"] = str(pledge["campaign_id"])
    return ids


def checkout_session(pledge: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The session Stripe would send for a pledge (the service's checkout response)."""
    ids = metadata(pledge)
    return resource(
        "checkout.session",
        **{
            "id": pledge["session_id"],
            "object": "checkout.session",
            "mode": "payment",
            "amount_total": pledge["amount"],
            "amount_subtotal": pledge["amount"],
            "currency": pledge["currency"].lower(),
            "metadata": ids,
            "client_reference_id": pledge["donation_id"],
            "payment_intent": pledge["payment_intent"],
            "payment_status": "paid",
            "status": "complete",
            **fields,
        },
    )


def charge(pledge: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return resource(
        "charge",
        **{
            "id": pledge["charge_id"],
            "amount": pledge["amount"],
            "currency": pledge["currency"].lower(),
            "payment_intent": pledge["payment_intent"],
            "metadata": metadata(pledge),
            "paid": True,
            "captured": True,
            **fields,
        },
    )


def dispute(pledge: dict[str, Any], dispute_id: str, status: str, **fields: Any) -> dict[str, Any]:
    return resource(
        "dispute",
        **{
            "id": dispute_id,
            "amount": pledge["amount"],
            "currency": pledge["currency"].lower(),
            "charge": pledge["charge_id"],
            "payment_intent": pledge["payment_intent"],
            "status": status,
            **fields,
        },
    )


def payment_intent_failed(pledge: dict[str, Any]) -> dict[str, Any]:
    return resource(
        "payment_intent",
        id=pledge["payment_intent"],
        amount=pledge["amount"],
        currency=pledge["currency"].lower(),
        status="requires_payment_method",
        metadata=metadata(pledge),
        last_payment_error={
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
        },
    )


# The API server ------------------------------------------------------------------------


@dataclass
class FakeStripe:
    """Answers POST /v1/checkout/sessions, GET /v1/payment_intents/:id, GET /v1/charges/:id."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    fee: int | None = None  # processor fee reported in balance transactions (charge currency)
    # the account's settlement: a currency other than the charge's, at this exchange rate
    # (charge amount x exchange_rate = settled amount, as Stripe's balance transactions say)
    settlement_currency: str | None = None
    exchange_rate: float | None = None
    # how many next payment intents answer a charge Stripe has not settled yet
    # (balance_transaction null, https://docs.stripe.com/api/charges/object)
    unsettled: int = 0
    fail: str | None = None  # None, "error" (HTTP 500) or "timeout"
    delay: float = 0.0  # how long a "timeout" failure hangs
    latency: float = 0.0  # added to every answer
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_idempotency_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)  # GET /v1/events, newest first
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)  # POST /v1/refunds
    refuse_refunds: str | None = None  # an error message: POST /v1/refunds answers 400
    # monthly giving: each paid invoice's payment intent, and the subscriptions deleted
    invoice_intents: dict[str, str] = field(default_factory=dict)
    deleted_subscriptions: list[str] = field(default_factory=list)

    def calls(self, method: str, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    # handlers
    def create_session(self, req: Request) -> dict[str, Any]:
        key = req.headers.get("idempotency-key", "")
        if key and key in self.by_idempotency_key:
            return self.by_idempotency_key[key]
        form = req.form
        session_id = new_id("cs")
        intent_id = new_id("pi")
        lines = itertools.takewhile(
            lambda i: f"line_items[{i}][price_data][unit_amount]" in form, itertools.count()
        )
        amount = sum(
            int(form[f"line_items[{i}][price_data][unit_amount]"])
            * int(form.get(f"line_items[{i}][quantity]", 1))
            for i in lines
        )
        currency = form["line_items[0][price_data][currency]"]
        session = resource(
            "checkout.session",
            id=session_id,
            url=f"https://checkout.stripe.com/c/pay/{session_id}",
            amount_total=amount,
            currency=currency,
            mode="payment",
            status="open",
            payment_status="unpaid",
            payment_intent=None,
            metadata={
                k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")
            },
            client_reference_id=form.get("client_reference_id"),
        )
        self.sessions[session_id] = session
        self.intents[intent_id] = {
            "amount": amount,
            "currency": currency,
            "metadata": session["metadata"],
        }
        if key:
            self.by_idempotency_key[key] = session
        return session

    def payment_intent(self, intent_id: str) -> dict[str, Any]:
        info = self.intents.get(intent_id, {"amount": 0, "currency": "xof", "metadata": {}})
        charge_id = "ch_for_" + intent_id
        settled, settled_currency, rate = info["amount"], info["currency"], None
        if self.settlement_currency and self.settlement_currency != info["currency"]:
            rate = self.exchange_rate or 1.0
            settled, settled_currency = round(info["amount"] * rate), self.settlement_currency
        txn = resource(
            "balance_transaction",
            id="txn_for_" + intent_id,
            amount=settled,
            currency=settled_currency,
            exchange_rate=rate,
            fee=self.fee or 0,
            net=settled - (self.fee or 0),
            source=charge_id,
        )
        latest = resource(
            "charge",
            id=charge_id,
            amount=info["amount"],
            currency=info["currency"],
            payment_intent=intent_id,
            balance_transaction=txn if self._settled() else None,
            metadata=info["metadata"],
        )
        return resource(
            "payment_intent",
            id=intent_id,
            amount=info["amount"],
            amount_received=info["amount"],
            currency=info["currency"],
            status="succeeded",
            latest_charge=latest,
            metadata=info["metadata"],
        )

    def _settled(self) -> bool:
        if self.unsettled > 0:
            self.unsettled -= 1
            return False
        return True

    def list_events(self, query: dict[str, str]) -> dict[str, Any]:
        """Stripe's list: newest first, `limit` per page, `starting_after` an id."""
        since = int(query.get("created[gte]", 0))
        types = {v for k, v in query.items() if k.startswith("types[")}
        found = sorted(
            (e for e in self.events if e["created"] >= since and (not types or e["type"] in types)),
            key=lambda e: e["created"],
            reverse=True,
        )
        if after := query.get("starting_after"):
            found = found[[e["id"] for e in found].index(after) + 1 :]
        limit = int(query.get("limit", 10))
        return {"object": "list", "url": "/v1/events", "data": found[:limit],
                "has_more": len(found) > limit}  # fmt: skip

    def charge(self, charge_id: str) -> dict[str, Any]:
        intent_id = charge_id.removeprefix("ch_for_")
        info = self.intents.get(intent_id, {"amount": 0, "currency": "xof", "metadata": {}})
        return resource("charge", id=charge_id, payment_intent=intent_id, metadata=info["metadata"])

    def create_refund(self, req: Request) -> tuple[int, dict[str, Any]]:
        """A refund of a PaymentIntent (or Charge); the same idempotency key, the same refund."""
        key = req.headers.get("idempotency-key", "")
        if key and key in self.by_idempotency_key:
            return 200, self.by_idempotency_key[key]
        if self.refuse_refunds:
            return 400, {"error": {"type": "invalid_request_error", "message": self.refuse_refunds}}
        form = req.form
        refund = resource(
            "refund",
            id=new_id("re"),
            amount=int(form["amount"]),
            payment_intent=form.get("payment_intent"),
            charge=form.get("charge"),
            status="succeeded",
            metadata={
                k[len("metadata[") : -1]: v for k, v in form.items() if k.startswith("metadata[")
            },
        )
        self.refunds[refund["id"]] = refund
        if key:
            self.by_idempotency_key[key] = refund
        return 200, refund

    def register_intent(
        self, intent_id: str, amount: int, currency: str, metadata: dict[str, str]
    ) -> None:
        self.intents[intent_id] = {
            "amount": amount,
            "currency": currency.lower(),
            "metadata": metadata,
        }


def serve(fake: FakeStripe) -> ThreadingHTTPServer:
    def route(req: Request) -> tuple[int, dict[str, Any]]:
        fake.requests.append(req)
        time.sleep(fake.latency)
        if fake.fail == "timeout":
            time.sleep(fake.delay or 3)
        if fake.fail == "error":
            return 500, {"error": {"type": "api_error", "message": "boom"}}
        if req.method == "POST" and req.path == "/v1/checkout/sessions":
            return 200, fake.create_session(req)
        if req.method == "GET" and req.path.startswith("/v1/payment_intents/"):
            return 200, fake.payment_intent(req.path.rsplit("/", 1)[1])
        if req.method == "GET" and req.path == "/v1/events":
            return 200, fake.list_events(req.query)
        if req.method == "POST" and req.path == "/v1/refunds":
            return fake.create_refund(req)
        if req.method == "GET" and req.path.startswith("/v1/charges/"):
            return 200, fake.charge(req.path.rsplit("/", 1)[1])
        if (answer := subscription_route(fake, req)) is not None:
            return answer
        return 404, {"error": {"type": "invalid_request_error", "message": "no route"}}

    server, fake.url = fake_http.serve(route)
    return server


# Monthly giving: subscriptions, their invoices and payments ----------------------------


def subscription_route(fake: FakeStripe, req: Request) -> tuple[int, dict[str, Any]] | None:
    """GET /v1/invoice_payments?invoice=, DELETE /v1/subscriptions/:id (None: not these)."""
    if req.method == "GET" and req.path == "/v1/invoice_payments":
        invoice_id = req.query.get("invoice", "")
        intent = fake.invoice_intents.get(invoice_id)
        data = []
        if intent:
            info = fake.intents.get(intent, {"amount": 0, "currency": "xof"})
            data.append(
                resource(
                    "invoice_payment",
                    id=new_id("inpay"),
                    invoice=invoice_id,
                    amount_paid=info["amount"],
                    amount_requested=info["amount"],
                    currency=info["currency"],
                    status="paid",
                    payment={"type": "payment_intent", "payment_intent": intent},
                )
            )
        return 200, {"object": "list", "url": "/v1/invoice_payments", "data": data,
                     "has_more": False}  # fmt: skip
    if req.method == "DELETE" and req.path.startswith("/v1/subscriptions/"):
        sub_id = req.path.rsplit("/", 1)[1]
        if sub_id in fake.deleted_subscriptions:
            return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                   "message": f"No such subscription: '{sub_id}'"}}  # fmt: skip
        fake.deleted_subscriptions.append(sub_id)
        return 200, subscription(sub_id, {}, status="canceled")
    return None


def subscription(sub_id: str, meta: dict[str, str], **fields: Any) -> dict[str, Any]:
    return resource(
        "subscription",
        **{"id": sub_id, "object": "subscription", "metadata": meta, "status": "active", **fields},
    )


def invoice(
    invoice_id: str,
    *,
    subscription_id: str,
    meta: dict[str, str],
    amount: int,
    currency: str,
    billing_reason: str = "subscription_cycle",
    **fields: Any,
) -> dict[str, Any]:
    """A subscription's invoice, as the API (2025-03-31.basil and later) sends it:
    its subscription and metadata under parent.subscription_details, no payment_intent."""
    inv = resource(
        "invoice",
        **{
            "id": invoice_id,
            "object": "invoice",
            "status": "paid",
            "billing_reason": billing_reason,
            "amount_due": amount,
            "amount_paid": amount,
            "amount_remaining": 0,
            "total": amount,
            "currency": currency.lower(),
            "customer": "cus_test_monthly",
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {"subscription": subscription_id, "metadata": meta},
            },
            **fields,
        },
    )
    for key in ("payment_intent", "charge", "paid", "subscription"):
        inv.pop(key, None)
    return inv


def pay_invoice(
    fake: FakeStripe, *, subscription_id: str, meta: dict[str, str], amount: int, currency: str,
    billing_reason: str = "subscription_cycle", invoice_id: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A paid invoice whose payment intent (and charge) the fake answers for."""
    invoice_id = invoice_id or new_id("in")
    intent = new_id("pi")
    fake.register_intent(intent, amount, currency, {})
    fake.invoice_intents[invoice_id] = intent
    return invoice(
        invoice_id, subscription_id=subscription_id, meta=meta, amount=amount, currency=currency,
        billing_reason=billing_reason,
    )  # fmt: skip
