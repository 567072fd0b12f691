"""Monthly giving through the service and signed Stripe events, for tests: a
gift started by POST /donations/checkout (recurring = monthly), its months paid
by invoice.paid, its failures and its end as Stripe sends them."""

from __future__ import annotations

from typing import Any

from tests import stripe_fake as sf


def start_monthly(
    service, stripe_api, campaign: dict[str, Any], amount: int, token: str | None = None, **body
) -> dict[str, Any]:
    """A monthly gift's checkout (201 expected); the gift as Stripe will name it."""
    response = service.post(
        "/donations/checkout",
        json={
            "campaign_id": str(campaign["id"]),
            "amount": amount,
            "currency": campaign["currency"],
            "provider": "stripe",
            "recurring": "monthly",
            **body,
        },
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    session = next(
        s
        for s in stripe_api.sessions.values()
        if s["metadata"]["donation_id"] == answer["donation_id"]
    )
    return {
        "gift_id": answer["recurring_gift_id"],
        "donation_id": answer["donation_id"],
        "session_id": session["id"],
        "subscription_id": sf.new_id("sub"),
        "meta": {
            "recurring_gift_id": answer["recurring_gift_id"],
            "campaign_id": str(campaign["id"]),
        },
        "amount": amount,
        "currency": campaign["currency"],
        "campaign_id": str(campaign["id"]),
    }


def paid_invoice(
    stripe_api, gift: dict[str, Any], *, first: bool = False, **fields
) -> dict[str, Any]:
    """An invoice.paid event for the gift's next month (its own invoice and payment)."""
    invoice = sf.pay_invoice(
        stripe_api,
        subscription_id=fields.pop("subscription_id", gift["subscription_id"]),
        meta=fields.pop("meta", gift["meta"]),
        amount=fields.pop("amount", gift["amount"]),
        currency=gift["currency"],
        billing_reason="subscription_create" if first else "subscription_cycle",
        **fields,
    )
    return sf.event("invoice.paid", invoice)


def failed_invoice(gift: dict[str, Any], attempt_count: int) -> dict[str, Any]:
    invoice = sf.invoice(
        sf.new_id("in"),
        subscription_id=gift["subscription_id"],
        meta=gift["meta"],
        amount=gift["amount"],
        currency=gift["currency"],
        status="open",
        amount_paid=0,
        amount_remaining=gift["amount"],
        attempt_count=attempt_count,
    )
    return sf.event("invoice.payment_failed", invoice)


def subscription_deleted(
    gift: dict[str, Any], reason: str = "cancellation_requested"
) -> dict[str, Any]:
    sub = sf.subscription(
        gift["subscription_id"],
        {"recurring_gift_id": gift["gift_id"], "campaign_id": gift["campaign_id"]},
        status="canceled",
        cancellation_details={"comment": None, "feedback": None, "reason": reason},
    )
    return sf.event("customer.subscription.deleted", sub)


def gift_row(db, gift: dict[str, Any]) -> dict[str, Any]:
    return db.one("select * from public.recurring_gifts where id = %s", [gift["gift_id"]])


def gift_donations(db, gift: dict[str, Any]) -> list[dict[str, Any]]:
    """The gift's donations, one per paid invoice, oldest first."""
    return db.sql(
        "select d.* from private.recurring_gift_payments as p"
        " join public.donations as d on d.id = p.donation_id"
        " where p.gift_id = %s order by p.created_at, d.created_at",
        [gift["gift_id"]],
    )


def cancel_link_sig(db, gift: dict[str, Any]) -> str:
    return db.one("select private.recurring_gift_signature(%s) as s", [gift["gift_id"]])["s"]
