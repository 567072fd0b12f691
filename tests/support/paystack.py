"""Paying through Paystack in tests: a checkout through the service, and
Paystack's webhooks posted signed (tests.paystack_fake.sign) to /webhooks/paystack."""

from __future__ import annotations

from typing import Any

from tests import paystack_fake
from tests.conftest import open_checkout


def pay_by_paystack(
    service, paystack_api, campaign: dict[str, Any], amount: int, **body: Any
) -> dict[str, Any]:
    """Open a Paystack transaction through the service; the pledge, as Paystack knows it."""
    body.setdefault("email", "ngozi@example.ng")
    donation_id = open_checkout(service, campaign, amount, "paystack", **body)
    (reference,) = (
        r
        for r, t in paystack_api.transactions.items()
        if (t["metadata"] or {}).get("donation_id") == donation_id
    )
    return {
        "donation_id": donation_id,
        "reference": reference,
        "amount": amount,
        "currency": campaign["currency"],
        "campaign_id": campaign["id"],
    }


def post_event(service, body: bytes, signature: str | bool | None = True):
    """POST a Paystack webhook body, signed (``signature`` replaces it; None leaves it out)."""
    header = paystack_fake.sign(body) if signature is True else signature
    headers = {"x-paystack-signature": header} if header else {}
    return service.post(
        "/webhooks/paystack", data=body, headers=headers, content_type="application/json"
    )


def paid(service, paystack_api, reference: str, status: str = "success", **reported: Any):
    """Paystack settles the transaction, then posts charge.success about it."""
    paystack_api.settle(reference, status, **reported)
    return post_event(service, paystack_api.event(reference))
