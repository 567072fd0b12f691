"""Monthly giving by card: Stripe subscriptions whose paid invoices are donations.

The rules are the database's (supabase/migrations/20261201120100_create_recurring_gifts.sql):
this module opens the subscription's Checkout Session, translates Stripe's
subscription events for private.record_recurring_invoice and its siblings, and
deletes subscriptions at Stripe when a gift ends (the donor's cancel, a
closed campaign), then records it.

Stripe facts relied on (API 2025-03-31.basil and later, the library's pinned
version): an invoice no longer carries payment_intent nor charge; its payments
are listed by GET /v1/invoice_payments?invoice=<id>
(https://docs.stripe.com/api/invoice-payment/object), and the subscription and
its metadata are under invoice.parent.subscription_details
(https://docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices).
After its last retry of a failed renewal Stripe deletes the subscription
(customer.subscription.deleted, cancellation_details.reason payment_failed).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from flask import Blueprint, current_app, jsonify
from psycopg.types.json import Jsonb
from pydantic import BaseModel, ConfigDict, Field

from webhooks import payments
from webhooks.auth import optional_user_id
from webhooks.db import connection
from webhooks.errors import ApiError, ServiceUnavailable
from webhooks.payments import Pledge
from webhooks.provider_units import checkout_amount
from webhooks.validation import parse_json

log = logging.getLogger(__name__)
bp = Blueprint("recurring_gifts", __name__)

# The subscription events this module handles (the Stripe endpoint subscribes to them).
EVENTS = frozenset({"invoice.paid", "invoice.payment_failed", "customer.subscription.deleted"})


@dataclass(frozen=True)
class RecurringPledge:
    pledge: Pledge
    gift_id: uuid.UUID


# SQL -------------------------------------------------------------------------------------


def start(
    *,
    campaign_id: uuid.UUID,
    amount: int,
    currency: str,
    provider: str,
    donor_id: uuid.UUID | None,
    donor_name: str | None,
    donor_email: str | None,
    message: str | None,
    is_anonymous: bool,
    locale: str | None,
    tip_amount: int = 0,
    cover_fees: bool = False,
    pay_currency: str | None = None,
) -> RecurringPledge:
    """The gift and its first month's pledge (private.start_recurring_gift, which refuses
    the extras of one-off gifts: a tip, covered fees, pay_currency)."""
    with connection() as conn:
        p = conn.execute(
            "select private.start_recurring_gift(campaign_id => %s, amount => %s, currency => %s,"
            " provider => %s, donor_id => %s, donor_name => %s, donor_email => %s,"
            " message => %s, is_anonymous => %s, locale => %s, tip_amount => %s,"
            " cover_fees => %s, pay_currency => %s) as pledge",
            [campaign_id, amount, currency, provider, donor_id, donor_name, donor_email,
             message, is_anonymous, locale, tip_amount, cover_fees, pay_currency],
        ).fetchone()["pledge"]  # fmt: skip
    pledge = Pledge(
        donation_id=uuid.UUID(p["donation_id"]),
        attempt_id=uuid.UUID(p["attempt_id"]),
        campaign_id=uuid.UUID(p["campaign_id"]),
        amount=p["amount"],
        currency=p["currency"],
        exponent=p["exponent"],
        donor_email=p["donor_email"],
        campaign_title=p["campaign_title"],
        campaign_slug=p["campaign_slug"],
    )
    return RecurringPledge(pledge=pledge, gift_id=uuid.UUID(p["recurring_gift_id"]))


def _call(sql: str, args: list[Any]) -> Any:
    with connection() as conn:
        return conn.execute(sql, args).fetchone()["r"]


def _durable(event_id: str) -> None:
    with connection() as conn:  # a synchronous commit, as payments.record_event
        conn.execute("select private.acknowledge_event('stripe', %s)", [event_id])


# Checkout --------------------------------------------------------------------------------


def open_checkout(gateway: Any, recurring: RecurringPledge) -> str:
    """A Checkout Session in subscription mode (a monthly price) for the gift; its URL."""
    pledge = recurring.pledge
    pages = payments.return_pages(gateway.settings, pledge)
    ids = {
        "donation_id": str(pledge.donation_id),
        "attempt_id": str(pledge.attempt_id),
        "campaign_id": str(pledge.campaign_id),
        "recurring_gift_id": str(recurring.gift_id),
    }
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": pledge.currency.lower(),
                    "unit_amount": checkout_amount(pledge.attempt_id),
                    "recurring": {"interval": "month"},
                    "product_data": {"name": f"Don mensuel : {pledge.campaign_title}"[:250]},
                },
            }
        ],
        "metadata": ids,
        # the subscription's metadata, which its invoices carry (parent.subscription_details)
        "subscription_data": {
            "metadata": {
                "recurring_gift_id": str(recurring.gift_id),
                "campaign_id": str(pledge.campaign_id),
            }
        },
        "client_reference_id": str(pledge.donation_id),
        "success_url": pages.paid,
        "cancel_url": pages.cancelled,
        "locale": "auto",
    }
    if pledge.donor_email:
        params["customer_email"] = pledge.donor_email
    try:
        session = gateway.client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"checkout-{pledge.attempt_id}"}
        )
    except stripe.StripeError as exc:
        log.warning("Stripe refused or did not answer a subscription checkout: %s", exc)
        payments.abandon_checkout(pledge.attempt_id, f"{type(exc).__name__}: {exc}")
        raise ApiError(
            "payment_provider_unavailable",
            "the card payment service did not answer; nothing was charged, try again",
        ) from None
    _call(
        "select private.attach_recurring_checkout(%s, %s, %s, %s) as r",
        [recurring.gift_id, pledge.attempt_id, session.id, session.url],
    )
    return session.url


# Stripe's events -------------------------------------------------------------------------


def _subscription_details(invoice: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return details.get("subscription"), details.get("metadata") or {}


def _invoice_payment(gateway: Any, invoice_id: str) -> dict[str, Any]:
    """The invoice's payment intent, charge and Stripe's fee (in the charge's currency)."""
    try:
        listed = gateway.client.v1.invoice_payments.list(
            params={"invoice": invoice_id, "status": "paid"}
        )
        paid = [p for p in listed.data if p.payment and p.payment.payment_intent]
        if not paid:
            return {}
        intent_id = paid[0].payment.payment_intent
        if not isinstance(intent_id, str):
            intent_id = intent_id.id
        intent = gateway.client.v1.payment_intents.retrieve(
            intent_id, params={"expand": ["latest_charge.balance_transaction"]}
        )
    except stripe.StripeError as exc:
        raise ServiceUnavailable(f"Stripe API unavailable: {exc}") from None
    found: dict[str, Any] = {"payment_ref": intent_id}
    charge = intent.latest_charge
    if charge is None or isinstance(charge, str):
        return {**found, "charge_ref": charge}
    found["charge_ref"] = charge.id
    txn = charge.balance_transaction
    if txn is not None and not isinstance(txn, str):
        found["fee"] = gateway._fee_in_charge_currency(txn, intent.currency)
    return found


def delete_subscription(gateway: Any, subscription_ref: str) -> None:
    """DELETE /v1/subscriptions/:id; one already gone counts as deleted."""
    try:
        gateway.client.v1.subscriptions.cancel(subscription_ref)
    except stripe.InvalidRequestError as exc:
        if exc.code != "resource_missing":
            raise ServiceUnavailable(f"Stripe refused to cancel the subscription: {exc}") from None
    except stripe.StripeError as exc:
        raise ServiceUnavailable(f"Stripe API unavailable: {exc}") from None


def end_at_stripe(gateway: Any, gift_id: str, subscription_ref: str | None) -> dict[str, Any]:
    """An ending gift: its subscription deleted at Stripe, then the gift ended."""
    if subscription_ref:
        delete_subscription(gateway, subscription_ref)
    with connection() as conn:
        row = conn.execute(
            "select g.id::text, g.status::text, g.end_reason::text"
            " from private.end_recurring_gift(%s) as g",
            [gift_id],
        ).fetchone()
    return {
        "recurring_gift_id": row["id"],
        "status": row["status"],
        "end_reason": row["end_reason"],
    }


def _refund_invoice(gateway: Any, invoice: dict[str, Any], payment: dict[str, Any]) -> None:
    """Money taken for a gift that no longer runs goes back (the same refund on a retry)."""
    if not payment.get("payment_ref"):
        return
    try:
        gateway.client.v1.refunds.create(
            params={
                "payment_intent": payment["payment_ref"],
                "amount": invoice["amount_paid"],  # all of it, in Stripe's unit
                "metadata": {"reason": "recurring gift ended", "invoice": invoice["id"]},
            },
            options={"idempotency_key": f"recurring-refund-{invoice['id']}"},
        )
    except stripe.StripeError as exc:
        raise ServiceUnavailable(f"Stripe refused or did not answer a refund: {exc}") from None


def handle(gateway: Any, event: dict[str, Any], payload: bytes) -> dict[str, Any]:
    """A verified subscription event, recorded once; the payment core's answer."""
    kind = event["type"]
    obj = event["data"]["object"]
    common = [
        str(event["id"]),
        kind,
        datetime.fromtimestamp(int(event["created"]), UTC),
        bool(event.get("livemode")),
        payload.decode("utf-8"),
    ]
    if kind == "customer.subscription.deleted":
        meta = obj.get("metadata") or {}
        reason = (obj.get("cancellation_details") or {}).get("reason")
        result = _call(
            "select private.end_recurring_subscription(%s, %s, %s, %s, %s::jsonb, %s, %s, %s) as r",
            [*common, meta.get("recurring_gift_id"), obj["id"], reason],
        )
    else:
        subscription, meta = _subscription_details(obj)
        gift_ref = meta.get("recurring_gift_id")
        if kind == "invoice.payment_failed":
            result = _call(
                "select private.note_recurring_failure(%s, %s, %s, %s, %s::jsonb, %s, %s, %s) as r",
                [*common, gift_ref, subscription, obj.get("attempt_count")],
            )
        else:
            result = _paid_invoice(gateway, obj, common, gift_ref, subscription, meta)
    _durable(str(event["id"]))
    return result


def _paid_invoice(
    gateway: Any,
    invoice: dict[str, Any],
    common: list[Any],
    gift_ref: str | None,
    subscription: str | None,
    meta: dict[str, Any],
) -> dict[str, Any]:
    payment = _invoice_payment(gateway, invoice["id"])
    outcome = {
        "kind": "payment",
        "status": "succeeded",
        "amount": invoice.get("amount_paid"),
        "currency": (invoice.get("currency") or "").upper() or None,
        **payment,
    }
    with connection() as conn:
        answer = conn.execute(
            "select private.record_recurring_invoice(%s, %s, %s, %s, %s::jsonb,"
            " %s, %s, %s, %s, %s, %s) as r",
            [*common, gift_ref, meta.get("campaign_id"), subscription, invoice.get("customer"),
             invoice["id"], Jsonb(outcome)],
        ).fetchone()["r"]  # fmt: skip
        if answer.get("refund"):
            # Not credited, decided under the gift's lock: the money goes back (and a
            # gift that no longer runs ends at Stripe) before the record commits, so
            # that a refund Stripe refuses records nothing (503: Stripe retries).
            _refund_invoice(gateway, invoice, payment)
            if subscription and answer.get("ends_subscription"):
                try:
                    delete_subscription(gateway, subscription)
                except ServiceUnavailable as exc:
                    # the refund is made: the record commits; the gift is ending, so
                    # `payments end-recurring` deletes its subscription later
                    log.warning("subscription %s left to end-recurring: %s", subscription, exc)
    return answer


# The donor's cancel ----------------------------------------------------------------------


class CancelRequest(BaseModel):
    """The signed link's signature; without it, the signed-in donor's access token."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sig: str | None = Field(default=None, max_length=200)


class CancelResponse(BaseModel):
    recurring_gift_id: uuid.UUID
    status: str
    end_reason: str | None


@bp.post("/recurring-gifts/<gift_id>/cancel")
def cancel(gift_id: str):
    try:
        gift_id = uuid.UUID(gift_id)
    except ValueError:
        raise ApiError("recurring_gift_not_found", "No such recurring gift.") from None
    body = parse_json(CancelRequest)
    user_id = optional_user_id()
    gateway = current_app.extensions["gateways"]["stripe"]
    asked = _call(
        "select private.request_recurring_gift_cancel(%s, %s, %s) as r",
        [gift_id, body.sig, user_id],
    )
    answer = asked
    if asked["status"] == "ending" and asked.get("subscription_ref"):
        gateway.require_configured()
        answer = end_at_stripe(gateway, str(gift_id), asked["subscription_ref"])
    shown = CancelResponse(
        recurring_gift_id=answer["recurring_gift_id"],
        status=answer["status"],
        end_reason=answer.get("end_reason"),
    )
    return jsonify(shown.model_dump(mode="json"))
