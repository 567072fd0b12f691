"""CinetPay for tests: a local server answering the v2 Checkout API the service
calls (CINETPAY_API_BASE): payment initialisation and payment check, with the
codes and shapes CinetPay documents; and notifications as CinetPay posts them,
with their x-token."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from tests import fake_http
from tests.fake_http import Request

API_KEY = "12912847765bc0db748fdd44.40081707"
SITE_ID = "445160"
SECRET_KEY = "202198125562a53b7fd5e7c1.39012519"

# What the check answers for each status (code, message).
CODES = {
    "ACCEPTED": ("00", "SUCCES"),
    "REFUSED": ("600", "PAYMENT_FAILED"),
    "CANCELED": ("627", "TRANSACTION_CANCEL"),
    "WAITING_FOR_CUSTOMER": ("662", "WAITING_CUSTOMER_PAYMENT"),
}


def x_token(form: dict[str, str], secret: str = SECRET_KEY) -> str:
    """The x-token header: HMAC-SHA256 (hex) of the documented concatenation."""
    f = form
    data = (
        f.get("cpm_site_id", "") + f.get("cpm_trans_id", "") + f.get("cpm_trans_date", "")
        + f.get("cpm_amount", "") + f.get("cpm_currency", "") + f.get("signature", "")
        + f.get("payment_method", "") + f.get("cel_phone_num", "")
        + f.get("cpm_phone_prefixe", "") + f.get("cpm_language", "")
        + f.get("cpm_version", "") + f.get("cpm_payment_config", "")
        + f.get("cpm_page_action", "") + f.get("cpm_custom", "")
        + f.get("cpm_designation", "") + f.get("cpm_error_message", "")
    )  # fmt: skip
    return hmac.new(secret.encode(), data.encode(), hashlib.sha256).hexdigest()


@dataclass
class FakeCinetPay:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)  # by transaction_id
    fail: str | None = None  # None, "error" (HTTP 500, not JSON), "timeout" or "refuse" (609)
    delay: float = 3.0  # how long a "timeout" hangs

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    # handlers
    def _credentials(self, body: dict[str, Any]) -> tuple[str, str] | None:
        if body.get("apikey") != API_KEY or self.fail == "refuse":
            return ("609", "AUTH_NOT_FOUND")
        if str(body.get("site_id")) != SITE_ID:
            return ("613", "ERROR_SITE_ID_NOTVALID")
        return None

    def initialise(self, body: dict[str, Any]) -> dict[str, Any]:
        if refused := self._credentials(body):
            return {"code": refused[0], "message": refused[1], "description": "refused"}
        required = ("transaction_id", "amount", "currency", "description", "notify_url",
                    "return_url", "channels")  # fmt: skip
        amount = body.get("amount")
        if any(not body.get(k) for k in required) or not isinstance(amount, int):
            return {"code": "608", "message": "MINIMUM_REQUIRED_FIELDS", "description": "fields"}
        if amount % 5 and body["currency"] in ("XOF", "XAF"):
            return {"code": "628", "message": "ERROR_AMOUNT_FORMAT", "description": "amount"}
        if body["transaction_id"] in self.payments:
            return {"code": "620", "message": "ERROR_DOUBLE_PAYEMNT", "description": "used"}
        token = uuid.uuid4().hex
        self.payments[body["transaction_id"]] = {
            **body,
            "payment_token": token,
            "status": "WAITING_FOR_CUSTOMER",
            "operator_id": None,
        }
        return {
            "code": "201",
            "message": "CREATED",
            "description": "Transaction created with success",
            "data": {
                "payment_token": token,
                "payment_url": f"https://checkout.cinetpay.com/payment/{token}",
            },
            "api_response_id": f"{time.time():.4f}",
        }

    def check(self, body: dict[str, Any]) -> dict[str, Any]:
        if refused := self._credentials(body):
            return {"code": refused[0], "message": refused[1], "description": "refused"}
        p = self.payments.get(str(body.get("transaction_id")))
        if p is None:
            return {"code": "600", "message": "TRANSACTION_NOT_FOUND", "data": None}
        code, message = p.get("code_override") or CODES[p["status"]]
        return {
            "code": code,
            "message": message,
            "data": {
                "amount": str(p["amount"]),
                "currency": p["currency"],
                "status": "REFUSED" if p["status"] == "CANCELED" else p["status"],
                "payment_method": p.get("payment_method", "OM"),
                "description": p["description"],
                "metadata": p.get("metadata"),
                "operator_id": p["operator_id"],
                "payment_date": "2026-11-21 10:15:00" if p["status"] == "ACCEPTED" else " ",
                "fund_availability_date": "2026-11-23 00:00:00",
            },
            "api_response_id": f"{time.time():.4f}",
        }

    # what tests do
    def settle(self, transaction_id: str, status: str = "ACCEPTED", **reported: Any) -> None:
        """The donor paid (ACCEPTED), failed (REFUSED), gave up (CANCELED) or not yet
        (WAITING_FOR_CUSTOMER); ``reported`` overrides what the check then says
        (amount, currency, metadata, code_override)."""
        p = self.payments[transaction_id]
        p["status"] = status
        if status == "ACCEPTED" and not p["operator_id"]:
            p["operator_id"] = f"MP{uuid.uuid4().hex[:12].upper()}"
        p.update(reported)

    def notification(self, transaction_id: str, **fields: str) -> dict[str, str]:
        """The form CinetPay posts to notify_url about a transaction."""
        p = self.payments.get(transaction_id, {})
        paid = p.get("status") == "ACCEPTED"
        return {
            "cpm_site_id": SITE_ID,
            "cpm_trans_id": transaction_id,
            "cpm_trans_date": "2026-11-21 10:15:00",
            "cpm_amount": str(p.get("amount", "")),
            "cpm_currency": p.get("currency", "XOF"),
            "signature": uuid.uuid4().hex,
            "payment_method": "OM",
            "cel_phone_num": "0707070707",
            "cpm_phone_prefixe": "225",
            "cpm_language": "fr",
            "cpm_version": "V4",
            "cpm_payment_config": "Single",
            "cpm_page_action": "PAYMENT",
            "cpm_custom": str(p.get("metadata", "")),
            "cpm_designation": p.get("description", ""),
            "cpm_error_message": "SUCCES" if paid else "PAYMENT_FAILED",
            **fields,
        }


def serve(fake: FakeCinetPay) -> ThreadingHTTPServer:
    def route(req: Request) -> tuple[int, dict[str, Any]]:
        fake.requests.append(req)
        if fake.fail == "timeout":
            time.sleep(fake.delay)
        if fake.fail == "error":
            return 500, {"error": "Internal Server Error"}
        body = req.json if isinstance(req.json, dict) else {}
        if req.method == "POST" and req.path == "/v2/payment":
            return 200, fake.initialise(body)
        if req.method == "POST" and req.path == "/v2/payment/check":
            return 200, fake.check(body)
        return 404, {"code": "404", "message": "NOT_FOUND"}

    server, fake.url = fake_http.serve(route)
    return server
