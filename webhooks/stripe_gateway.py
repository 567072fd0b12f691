"""Stripe: Checkout Sessions for pledges, and signed webhooks translated into the
payment core's neutral outcomes (private.record_payment_event decides the rest).

An event whose references disagree (its metadata, client_reference_id, session,
payment intent, charge or currency name another payment) is held for review by
the payment core: recorded, credited nothing, answered 200 with outcome
mismatch so that Stripe stops retrying; `cagnotte-admin payments held` lists it."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any

import stripe
from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, Field

from webhooks import payments, recurring_gifts
from webhooks.config import Settings
from webhooks.errors import ApiError, ServiceUnavailable
from webhooks.payments import Pledge
from webhooks.provider_units import checkout_amount, provider_exponent, provider_tip_amount
from webhooks.validation import parse

log = logging.getLogger(__name__)
bp = Blueprint("stripe", __name__)

SIGNATURE_TOLERANCE = 300  # seconds
# The tip's line on the payment page (the donor chose it; it is the platform's)
TIP_LINE = "Pourboire à AfriCagnotte (facultatif, choisi par vous)"


class StripeEnvelope(BaseModel):
    """The envelope fields the webhook reads, typed (data.object is translate()'s)."""

    id: str
    type: str
    created: int = Field(ge=0, le=253_402_300_799)  # a datetime's range
    livemode: bool | None = None
    data: dict[str, Any] = Field(description="data.object: the object the event is about")


# The event types translate() turns into outcomes (the others are ignored);
# the endpoint's subscription in Stripe's dashboard, and `stripe reconcile`'s listing.
HANDLED_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
        "payment_intent.payment_failed",
        "charge.refunded",
        "charge.dispute.created",
        "charge.dispute.closed",
        *recurring_gifts.EVENTS,
    }
)


class SettlementPending(ServiceUnavailable):
    """A charge in the donor's currency that Stripe has not settled yet (no balance
    transaction on the charge: https://docs.stripe.com/api/charges/object, nullable
    `balance_transaction`): its amount in the campaign's currency is unknown, so
    nothing is written and the event is answered 503 for Stripe to send again
    (`stripe reconcile` leaves it for later)."""


class StripeGateway:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._client: stripe.StripeClient | None = None

    def require_configured(self) -> None:
        if self.settings.missing_settings("stripe"):
            raise ServiceUnavailable("card payments are not configured (STRIPE_SECRET_KEY)")

    @property
    def client(self) -> stripe.StripeClient:
        if self._client is None:
            self.require_configured()
            base = self.settings.stripe_api_base
            self._client = stripe.StripeClient(
                self.settings.stripe_secret_key,
                base_addresses={"api": str(base).rstrip("/")} if base else None,
                http_client=stripe.RequestsClient(timeout=self.settings.stripe_timeout),
                max_network_retries=2,
            )
        return self._client

    # Checkout ------------------------------------------------------------------------

    def open_checkout(self, pledge: Pledge) -> str:
        """A Checkout Session for the pledge; its URL. A refusal cancels the pledge."""
        pages = payments.return_pages(self.settings, pledge)
        ids = {
            "donation_id": str(pledge.donation_id),
            "attempt_id": str(pledge.attempt_id),
            "campaign_id": str(pledge.campaign_id),
        }
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": _line_items(pledge),
            "metadata": ids,
            "payment_intent_data": {"metadata": ids},
            "client_reference_id": str(pledge.donation_id),
            "success_url": pages.paid,
            "cancel_url": pages.cancelled,
            "locale": "auto",
        }
        if pledge.donor_email:
            params["customer_email"] = pledge.donor_email
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"checkout-{pledge.attempt_id}"}
            )
        except stripe.StripeError as exc:
            log.warning("Stripe refused or did not answer a checkout: %s", exc)
            payments.abandon_checkout(pledge.attempt_id, f"{type(exc).__name__}: {exc}")
            raise ApiError(
                "payment_provider_unavailable",
                "the card payment service did not answer; nothing was charged, try again",
            ) from None
        payments.attach_checkout(pledge.attempt_id, session.id, session.url, session.payment_intent)
        return session.url

    # Webhooks ------------------------------------------------------------------------

    def verify(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        secret = self.settings.stripe_webhook_secret
        if not secret:
            raise ServiceUnavailable("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)")
        if not signature:
            raise ApiError("missing_signature", "Stripe-Signature header missing")
        if not signature.isascii():  # the library compares text digests: ASCII only
            raise ApiError("invalid_signature", "invalid signature")
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, secret, SIGNATURE_TOLERANCE
            )
            event = json.loads(payload)
        except stripe.SignatureVerificationError:
            raise ApiError("invalid_signature", "invalid signature") from None
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ApiError("invalid_payload", "the body is not a JSON event") from None
        if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
            raise ApiError("invalid_payload", "the body is not a Stripe event")
        parse(StripeEnvelope, event)  # 422 naming the field
        if bool(event.get("livemode")) != self.settings.stripe_livemode:
            raise ApiError(
                "livemode_mismatch", "live-mode event on a test-mode service, or the reverse"
            )
        return event

    def translate(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event as a neutral outcome for the payment core, with every reference
        it carries: the payment core holds it unless they all name the same payment."""
        kind = event["type"]
        obj = event["data"]["object"]
        if obj.get("mode") == "subscription" and kind != "checkout.session.expired":
            return {"kind": "ignored"}  # a monthly gift: its invoices credit it (recurring_gifts)
        meta = obj.get("metadata") or {}
        currency = (obj.get("currency") or "").upper() or None
        base: dict[str, Any] = {
            **_references(meta),
            "client_reference_id": obj.get("client_reference_id"),  # sessions only
            "currency": currency,  # amounts in Stripe's unit, which the payment core knows
        }
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            session = {**base, "session_ref": obj["id"], "payment_ref": obj.get("payment_intent")}
            if obj.get("payment_status") == "paid":
                return {**session, **self._paid(obj)}
            if obj.get("payment_status") == "unpaid":
                return {**session, "kind": "payment", "status": "processing"}
            return {"kind": "ignored"}
        if kind == "checkout.session.async_payment_failed":
            return {
                **base,
                "kind": "payment",
                "status": "failed",
                "session_ref": obj["id"],
                "payment_ref": obj.get("payment_intent"),
                "reason": "async_payment_failed",
            }
        if kind == "checkout.session.expired":
            return {
                **base,
                "kind": "payment",
                "status": "canceled",
                "session_ref": obj["id"],
                "reason": "checkout expired",
            }
        if kind == "payment_intent.payment_failed":
            error = obj.get("last_payment_error") or {}
            return {
                **base,
                "kind": "payment",
                "status": "failed",
                "payment_ref": obj["id"],
                "reason": error.get("decline_code") or error.get("code") or "payment_failed",
            }
        if kind == "charge.refunded":
            return {
                **base,
                "kind": "refund",
                "refunded_total": obj["amount_refunded"],
                "charge_ref": obj["id"],
                "payment_ref": obj.get("payment_intent"),
            }
        if kind in ("charge.dispute.created", "charge.dispute.closed"):
            status = (
                "open"
                if kind.endswith("created")
                else ("won" if obj["status"] in ("won", "warning_closed") else "lost")
            )
            return {
                **base,
                **self._charge_metadata(obj["charge"]),
                "kind": "dispute",
                "dispute_ref": obj["id"],
                "dispute_status": status,
                "dispute_amount": obj["amount"],
                "charge_ref": obj["charge"],
                "payment_ref": obj.get("payment_intent"),
            }
        return {"kind": "ignored"}

    def _paid(self, session: dict[str, Any]) -> dict[str, Any]:
        """A paid session: amount, and the charge and processor fee from Stripe's API."""
        outcome: dict[str, Any] = {
            "kind": "payment",
            "status": "succeeded",
            "amount": session["amount_total"],
        }
        intent_id = session.get("payment_intent")
        if not intent_id:
            return outcome
        try:
            intent = self.client.v1.payment_intents.retrieve(
                intent_id, params={"expand": ["latest_charge.balance_transaction"]}
            )
        except stripe.StripeError as exc:
            # Retry later (Stripe resends): the fee belongs in the ledger.
            raise ServiceUnavailable(f"Stripe API unavailable: {exc}") from None
        charge = intent.latest_charge
        settled = not (
            isinstance(charge, str | None) or isinstance(charge.balance_transaction, str | None)
        )
        if not settled and payments.paid_in_donor_currency(
            (session.get("metadata") or {}).get("attempt_id")
        ):
            raise SettlementPending(f"Stripe has not settled the charge of {intent_id} yet")
        if charge is None or isinstance(charge, str):
            return {**outcome, "charge_ref": charge}
        outcome["charge_ref"] = charge.id
        txn = charge.balance_transaction
        if txn is not None and not isinstance(txn, str):
            outcome["fee"] = self._fee_in_charge_currency(txn, session["currency"])
            # what settled (in the settlement currency, after Stripe's exchange rate): the
            # ledger books it for a charge in the donor's currency
            # (https://docs.stripe.com/api/balance_transactions/object: amount, currency)
            outcome["settled_amount"] = txn.amount
            outcome["settled_currency"] = txn.currency.upper()
        return outcome

    @staticmethod
    def _fee_in_charge_currency(txn: Any, charge_currency: str) -> int | None:
        """Stripe's fee is in the settlement currency; ours is the pledge's, rounded
        up (the platform never counts more than it received)."""
        if txn.currency.lower() == charge_currency.lower():
            return txn.fee
        if not txn.exchange_rate:
            return None
        shift = provider_exponent("stripe", charge_currency) - provider_exponent(
            "stripe", txn.currency
        )
        converted = Decimal(txn.fee) / Decimal(str(txn.exchange_rate)) * Decimal(10) ** shift
        return int(converted.to_integral_value(rounding=ROUND_CEILING))

    def _charge_metadata(self, charge_id: str) -> dict[str, Any]:
        """Disputes carry no metadata: the charge's tells which donation it is."""
        try:
            charge = self.client.v1.charges.retrieve(charge_id)
        except stripe.StripeError as exc:
            raise ServiceUnavailable(f"Stripe API unavailable: {exc}") from None
        return _references(charge.metadata.to_dict() if charge.metadata else {})


def _references(meta: dict[str, Any]) -> dict[str, Any]:
    """Our ids in an object's metadata, as the checkout set them."""
    return {key: meta.get(key) for key in ("donation_id", "attempt_id", "campaign_id")}


@bp.post("/webhooks/stripe")
def stripe_webhook():
    gateway: StripeGateway = current_app.extensions["gateways"]["stripe"]
    payload = request.get_data(cache=False)
    event = gateway.verify(payload, request.headers.get("Stripe-Signature"))
    if event["type"] in recurring_gifts.EVENTS:
        try:
            result = recurring_gifts.handle(gateway, event, payload)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ApiError("invalid_payload", f"unexpected event shape: {exc}") from None
        return jsonify(received=True, outcome=result["outcome"])
    try:
        outcome = gateway.translate(event)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ApiError("invalid_payload", f"unexpected event shape: {exc}") from None
    result = payments.record_event(
        provider="stripe",
        event_id=str(event["id"]),
        event_type=str(event["type"]),
        occurred_at=datetime.fromtimestamp(int(event["created"]), UTC),
        livemode=bool(event.get("livemode")),
        payload=payload.decode("utf-8"),
        outcome=outcome,
    )
    return jsonify(received=True, outcome=result["outcome"])


def _line_items(pledge: Pledge) -> list[dict[str, Any]]:
    """The page's lines: the gift, and the tip to the platform on its own line, never
    folded into the gift; in the donor's currency when they pay in theirs, in Stripe's
    unit for it (provider_currencies)."""
    charged = checkout_amount(pledge.attempt_id)
    tip = provider_tip_amount(pledge.attempt_id)
    lines = [(f"Don : {pledge.campaign_title}"[:250], charged - tip), (TIP_LINE, tip)]
    currency = (pledge.pay_currency or pledge.currency).lower()
    return [
        {
            "quantity": 1,
            "price_data": {
                "currency": currency,
                "unit_amount": amount,
                "product_data": {"name": name},
            },
        }
        for name, amount in lines
        if amount > 0
    ]
