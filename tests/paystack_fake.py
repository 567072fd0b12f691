"""Paystack for tests: a local server answering the API the service calls
(PAYSTACK_API_BASE): transaction initialise and verify, and the refund list,
with the shapes Paystack documents (https://paystack.com/docs/api/); and
webhooks as Paystack posts them, signed with x-paystack-signature."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import math
import time
import uuid
from dataclasses import dataclass, field
from fractions import Fraction
from http.server import ThreadingHTTPServer
from typing import Any

from tests import fake_http
from tests.fake_http import Request

SECRET_KEY = "sk_test_4f1c0a5e8b7d2e9f3a6c1b0d5e8f7a2c3b4d5e6f"

# Paystack's local prices, as it publishes them per country
# (https://support.paystack.com/hc/en-us/articles/360009973579, "Transactions
# pricing"; Nigeria's waiver and cap: https://paystack.com/faqs): per currency and
# price group, the percentage (basis points), a fixed part (subunit) charged from
# an amount on, a cap (subunit) and VAT added to the fee (basis points). The fake
# keeps it as Paystack would, rounded up to the subunit: tests compare the
# platform's own schedule (public.provider_fees) with this, written apart from it.
Price = tuple[int, int, int, int | None, int]
NIGERIA_LOCAL: Price = (150, 10_000, 250_000, 200_000, 0)
PRICES: dict[str, dict[str, Price]] = {
    "NGN": {"card": NIGERIA_LOCAL, "bank": NIGERIA_LOCAL},
    "GHS": {"card": (195, 0, 0, None, 0), "mobile_money": (195, 0, 0, None, 0)},
    "KES": {"card": (290, 0, 0, None, 0), "mobile_money": (150, 0, 0, None, 0)},
    "ZAR": {"card": (290, 100, 0, None, 1500), "bank": (200, 0, 0, None, 1500)},
    "XOF": {"card": (320, 0, 0, None, 1800), "mobile_money": (195, 0, 0, None, 1800)},
}
# verify's channels, by price group
GROUPS = {"mobile_money": "mobile_money", "card": "card", "apple_pay": "card"}


def paystack_fee(currency: str, channel: str, amount: int) -> int:
    """What Paystack keeps of a local charge of `amount` (subunit)."""
    percent, fixed, fixed_from, cap, vat = PRICES[currency][GROUPS.get(channel, "bank")]
    fee = Fraction(amount * percent, 10_000) + (fixed if amount >= fixed_from else 0)
    if cap is not None:
        fee = min(fee, cap)
    return math.ceil(fee * (10_000 + vat) / 10_000)


_ids = itertools.count(4_099_260_516)

# Verify's statuses of a transaction paid: `reversed` once fully refunded
# (https://paystack.com/docs/payments/verify-payments/, "Transaction statuses").
PAID = ("success", "reversed")


def sign(body: bytes, secret: str = SECRET_KEY) -> str:
    """x-paystack-signature: HMAC-SHA512 (hex) of the raw body with the secret key."""
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


@dataclass
class FakePaystack:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)  # by reference
    refunds: list[dict[str, Any]] = field(default_factory=list)
    fail: str | None = None  # None, "error" (HTTP 500), "timeout" or "refuse" (400)
    delay: float = 3.0  # how long a "timeout" hangs

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path or r.path.startswith(path + "/")]

    # handlers
    def initialise(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.fail == "refuse":
            return 400, {"status": False, "message": "Currency not supported by merchant"}
        amount, email = body.get("amount"), body.get("email")
        if not isinstance(amount, int) or amount <= 0 or not email:
            return 400, {"status": False, "message": "Invalid amount or email"}
        reference = body.get("reference") or uuid.uuid4().hex
        if reference in self.transactions:
            return 400, {"status": False, "message": "Duplicate Transaction Reference"}
        code = uuid.uuid4().hex[:15]
        self.transactions[reference] = {
            "id": next(_ids),
            "reference": reference,
            "amount": amount,
            "currency": body.get("currency") or "NGN",
            "email": email,
            "metadata": body.get("metadata"),
            "access_code": code,
            "status": "abandoned",
            "channel": None,
            "channels": body.get("channels"),  # the page offers only these, when given
            "fees": None,
            "gateway_response": "The transaction was not completed",
        }
        return 200, {
            "status": True,
            "message": "Authorization URL created",
            "data": {
                "authorization_url": f"https://checkout.paystack.com/{code}",
                "access_code": code,
                "reference": reference,
            },
        }

    def verify(self, reference: str) -> tuple[int, dict[str, Any]]:
        t = self.transactions.get(reference)
        if t is None:
            return 400, {"status": False, "message": "Transaction reference not found"}
        data = {
            "id": t["id"],
            "domain": "test",
            "status": t["status"],
            "reference": t["reference"],
            "amount": t["amount"],
            "gateway_response": t["gateway_response"],
            "paid_at": "2026-12-01T10:15:00.000Z" if t["status"] in PAID else None,
            "created_at": "2026-12-01T10:10:00.000Z",
            "channel": t["channel"],
            "currency": t["currency"],
            "metadata": t["metadata"],
            "fees": t["fees"],
            "customer": {"email": t["email"]},
        }
        return 200, {"status": True, "message": "Verification successful", "data": data}

    def refund_list(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        wanted = query.get("transaction")
        rows = [r for r in self.refunds if str(r["transaction"]) == wanted]
        return 200, {"status": True, "message": "Refunds retrieved", "data": rows}

    # what tests do
    def settle(self, reference: str, status: str = "success", **reported: Any) -> None:
        """The donor paid (success), failed (failed), gave up (abandoned) or not yet
        (ongoing); ``reported`` overrides what verify then says (amount, currency,
        metadata, fees, channel, reference)."""
        t = self.transactions[reference]
        t["status"] = status
        if status == "success":
            t["channel"] = reported.get("channel") or t["channel"] or (t["channels"] or ["card"])[0]
            t["fees"] = t["fees"] or paystack_fee(t["currency"], t["channel"], t["amount"])
            t["gateway_response"] = "Successful"
        elif status == "failed":
            t["gateway_response"] = "Declined"
        t.update(reported)

    def refund(self, reference: str, amount: int, status: str = "processed") -> dict[str, Any]:
        """Paystack refunded part or all of a transaction: once its processed refunds
        reach its amount, verify reports it `reversed` (a partial refund keeps `success`)."""
        t = self.transactions[reference]
        row = {
            "id": next(_ids),
            "transaction": t["id"],
            "amount": amount,
            "currency": t["currency"],
            "status": status,
            "refunded_at": "2026-12-02T09:00:00.000Z",
        }
        self.refunds.append(row)
        given_back = sum(
            r["amount"] for r in self.refunds
            if r["transaction"] == t["id"] and r["status"] == "processed"
        )  # fmt: skip
        if t["status"] == "success" and given_back >= t["amount"]:
            t["status"] = "reversed"
        return row

    def event(self, reference: str, kind: str = "charge.success", **data: Any) -> bytes:
        """The body Paystack posts to the webhook URL about a transaction."""
        t = self.transactions.get(reference, {})
        if kind.startswith("refund."):
            body = {
                "status": kind.removeprefix("refund."),
                "transaction_reference": reference,
                "amount": data.pop("amount", t.get("amount")),
                "currency": t.get("currency"),
                "id": next(_ids),
            }
        else:
            body = {
                "id": t.get("id"),
                "reference": reference,
                "status": t.get("status", "success"),
                "amount": t.get("amount"),
                "currency": t.get("currency"),
                "metadata": t.get("metadata"),
                "channel": t.get("channel"),
            }
        return json.dumps({"event": kind, "data": {**body, **data}}).encode()


def serve(fake: FakePaystack) -> ThreadingHTTPServer:
    def route(req: Request) -> tuple[int, dict[str, Any]]:
        fake.requests.append(req)
        if fake.fail == "timeout":
            time.sleep(fake.delay)
        if fake.fail == "error":
            return 500, {"status": False, "message": "Internal Server Error"}
        if req.headers.get("authorization") != f"Bearer {SECRET_KEY}":
            return 401, {"status": False, "message": "Invalid key"}
        body = req.json if isinstance(req.json, dict) else {}
        if req.method == "POST" and req.path == "/transaction/initialize":
            return fake.initialise(body)
        if req.method == "GET" and req.path.startswith("/transaction/verify/"):
            return fake.verify(req.path.removeprefix("/transaction/verify/"))
        if req.method == "GET" and req.path == "/refund":
            return fake.refund_list(req.query)
        return 404, {"status": False, "message": "Not found"}

    server, fake.url = fake_http.serve(route)
    return server
