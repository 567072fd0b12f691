"""Paystack (cards, bank transfer, USSD, M-Pesa and mobile money in Nigeria,
Ghana, Kenya, South Africa and Côte d'Ivoire): transaction initialisation for
pledges, and webhooks that are never trusted alone. Each charge event is
confirmed by Paystack's verify endpoint and each refund event by Paystack's
refund list; their answer is translated into the payment core's neutral
outcome (private.record_payment_event decides the rest). What Paystack's
verify says is applied, with the fee it reports (`fees`).

No maintained official Python client exists (PyPI's `paystack*` packages are
community wrappers): requests, thin. API: https://paystack.com/docs/api/
(transaction initialize and verify, refund list); webhooks and their
x-paystack-signature (HMAC-SHA512 of the raw body with the secret key):
https://paystack.com/docs/payments/webhooks/."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests
from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from webhooks import payments
from webhooks.config import Settings
from webhooks.errors import ApiError, ServiceUnavailable
from webhooks.payments import Pledge
from webhooks.provider_units import checkout_amount

log = logging.getLogger(__name__)
bp = Blueprint("paystack", __name__)

# Verify's transaction statuses (https://paystack.com/docs/api/transaction/#verify):
# not concluded yet.
WAITING_STATUSES = frozenset(
    {"ongoing", "pending", "processing", "queued", "send_birthday", "send_otp"}
)
# The payment channels initialize may be limited to (its `channels`,
# https://paystack.com/docs/api/transaction/#initialize); verify names the one used.
CHANNELS = frozenset(
    {"card", "bank", "ussd", "qr", "mobile_money", "bank_transfer", "eft", "apple_pay"}
)
# Money received, then given back: verify names a transaction refunded in full, or
# lost to a chargeback, `reversed` (the "Transaction statuses" table of
# https://paystack.com/docs/payments/verify-payments/). Its payment stays credited;
# what went back is read from the refund list, as for a `success` partly refunded.
PAID_STATUSES = frozenset({"success", "reversed"})


class PaystackEvent(BaseModel):
    """The JSON Paystack posts; x-paystack-signature is the HMAC-SHA512 (hex) of the
    raw body with the secret key. Only its event and data.reference are read: the
    rest is asked of Paystack's verify endpoint."""

    event: str
    data: dict[str, Any]


class PaystackUnavailable(ServiceUnavailable):
    """Paystack did not answer, or not with JSON: nothing is written, try again
    (a checkout answers payment_provider_unavailable, 502, instead)."""


@dataclass(frozen=True)
class Check:
    """Paystack's word on a transaction (its verify answer), and what it means for
    the payment core (outcome None: the answer says nothing about the payment)."""

    reference: str
    answer: dict[str, Any]
    outcome: dict[str, Any] | None
    # a reversed transaction: its payment (outcome) then what its refund list says
    refunds: Check | None = None

    @property
    def data(self) -> dict[str, Any]:
        """The transaction verify describes (a refund check: the one it verified)."""
        answer = self.answer.get("transaction", self.answer)
        data = answer.get("data") if isinstance(answer, dict) else None
        return data if isinstance(data, dict) else {}

    @property
    def status(self) -> str:
        return str(self.data.get("status") or self.answer.get("message") or "unknown")

    @property
    def event_id(self) -> str:
        """One event per transaction and status: the same word twice is a duplicate."""
        if self.outcome is not None and self.outcome["kind"] == "refund":
            return f"{self.reference}:refunded:{self.outcome['refunded_total']}"
        if self.status in PAID_STATUSES:
            # the payment of a reversed transaction is the one its success credited
            return f"{self.reference}:success"
        return f"{self.reference}:{self.status}"


class PaystackGateway:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._session: requests.Session | None = None

    def require_configured(self) -> None:
        if not self.settings.paystack_secret_key:
            raise ServiceUnavailable("Paystack payments are not configured (PAYSTACK_SECRET_KEY)")

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            session = requests.Session()
            # Retry only what never reached Paystack: a transaction is initialised once.
            retry = Retry(total=2, connect=2, read=0, status=0, backoff_factor=0.2)
            session.mount("https://", HTTPAdapter(max_retries=retry))
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.headers["User-Agent"] = "AfriCagnotte/1.0"
            self._session = session
        return self._session

    def _call(
        self, method: str, path: str, *, body: dict | None = None, params: dict | None = None
    ) -> tuple[int, dict[str, Any]]:
        """A call to Paystack's API with our secret key: its status and JSON answer."""
        self.require_configured()
        url = f"{str(self.settings.paystack_api_base).rstrip('/')}{path}"
        try:
            response = self.session.request(
                method,
                url,
                json=body,
                params=params,
                headers={"Authorization": f"Bearer {self.settings.paystack_secret_key}"},
                timeout=self.settings.paystack_timeout,
            )
            if response.status_code >= 500 or response.status_code == 429:
                raise PaystackUnavailable(f"Paystack answered HTTP {response.status_code}")
            if "\\u0000" in response.text or "\x00" in response.text:
                raise ValueError("NUL character in the answer")
            answer = json.loads(response.text, parse_constant=_no_constant)
        except (requests.RequestException, ValueError, RecursionError) as exc:
            raise PaystackUnavailable(f"Paystack did not answer: {exc}") from None
        if not isinstance(answer, dict):
            raise PaystackUnavailable("Paystack answered something else than a JSON object")
        if response.status_code == 401:
            raise PaystackUnavailable("Paystack refused our secret key (HTTP 401)")
        return response.status_code, answer

    # Checkout ------------------------------------------------------------------------

    def open_checkout(self, pledge: Pledge) -> str:
        """A Paystack transaction for the pledge; its payment page. A refusal cancels the pledge.
        The pledge has the donor's email: the database refuses one without (email_required)."""
        pages = payments.return_pages(self.settings, pledge)
        body: dict[str, Any] = {
            "reference": str(pledge.attempt_id),
            # in Paystack's unit for the currency (its subunit: provider_currencies)
            "amount": checkout_amount(pledge.attempt_id),
            "currency": pledge.currency,
            "email": pledge.donor_email,
            "callback_url": pages.paid,
            "metadata": {
                "donation_id": str(pledge.donation_id),
                "campaign_id": str(pledge.campaign_id),
                "cancel_action": pages.cancelled,
            },
        }
        if channels := _page_channels(pledge):
            body["channels"] = channels
        try:
            status, answer = self._call("POST", "/transaction/initialize", body=body)
            data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
            url, code = data.get("authorization_url"), data.get("access_code")
            if (
                status != 200
                or answer.get("status") is not True
                or not isinstance(url, str)
                or not url.startswith("https://")
                or not isinstance(code, str)
                or not code
            ):
                raise PaystackUnavailable(
                    f"Paystack refused the transaction: HTTP {status} {answer.get('message')}"
                )
        except PaystackUnavailable as exc:
            log.warning("%s", exc.sentence)
            payments.abandon_checkout(pledge.attempt_id, exc.sentence)
            raise ApiError(
                "payment_provider_unavailable",
                "the payment service did not answer; nothing was charged, try again",
            ) from None
        payments.attach_checkout(pledge.attempt_id, code, url)
        return url

    # Webhooks ------------------------------------------------------------------------

    def verify_signature(self, payload: bytes, signature: str | None) -> PaystackEvent:
        """The body is Paystack's, signed with our secret key: its event."""
        self.require_configured()
        if not signature:
            raise ApiError("missing_signature", "x-paystack-signature header missing")
        expected = hmac.new(
            self.settings.paystack_secret_key.encode(), payload, hashlib.sha512
        ).hexdigest()
        given = signature.strip().lower()
        if not given.isascii() or not hmac.compare_digest(expected.encode(), given.encode()):
            raise ApiError("invalid_signature", "invalid x-paystack-signature")
        try:
            event = json.loads(payload, parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ApiError("invalid_payload", "the body is not a JSON event") from None
        if not isinstance(event, dict):
            raise ApiError("invalid_payload", "the body is not a Paystack event")
        try:
            return PaystackEvent.model_validate(event)
        except ValueError:
            raise ApiError("invalid_payload", "the body is not a Paystack event") from None

    def check(self, reference: str) -> Check:
        """Ask Paystack's verify endpoint what became of a transaction."""
        status, answer = self._call("GET", f"/transaction/verify/{_safe(reference)}")
        if status != 200 or answer.get("status") is not True:
            return Check(reference, answer, None)
        verified = Check(reference, answer, self.translate(reference, answer))
        if verified.status == "reversed" and verified.outcome is not None:
            return Check(reference, answer, verified.outcome, self._refunds_of(verified))
        return verified

    def check_refunds(self, reference: str) -> Check:
        """The transaction (verify), then the refunds Paystack processed for it: their
        cumulative total as a refund outcome (a reversed transaction: its payment,
        then that)."""
        verified = self.check(reference)
        if verified.refunds is not None:
            return verified
        return self._refunds_of(verified)

    def _refunds_of(self, verified: Check) -> Check:
        """What Paystack's refund list says went back of a verified transaction."""
        reference = verified.reference
        transaction_id = verified.data.get("id")
        if verified.outcome is None or not isinstance(transaction_id, int):
            return Check(reference, verified.answer, None)
        status, answer = self._call("GET", "/refund", params={"transaction": transaction_id})
        refunds = answer.get("data") if isinstance(answer.get("data"), list) else None
        if status != 200 or answer.get("status") is not True or refunds is None:
            return Check(reference, answer, None)
        processed = [
            r for r in refunds
            if isinstance(r, dict) and r.get("status") == "processed"
            and _integer(r.get("transaction")) in (None, transaction_id)
        ]  # fmt: skip
        amounts = [_integer(r.get("amount")) for r in processed]
        if any(a is None or a < 0 for a in amounts):
            return Check(reference, answer, None)
        if verified.status == "reversed" and sum(amounts) <= 0:  # type: ignore[arg-type]
            # reversed, yet no processed refund (a chargeback, or the list behind):
            # nothing to conclude from
            return Check(reference, answer, None)
        base = verified.outcome
        outcome = {
            "kind": "refund",
            "attempt_id": base["attempt_id"],
            "donation_id": base.get("donation_id"),
            "campaign_id": base.get("campaign_id"),
            "payment_ref": base.get("payment_ref"),
            "currency": base.get("currency"),
            "refunded_total": sum(amounts),  # type: ignore[arg-type]
        }
        return Check(reference, {"transaction": verified.answer, "refunds": answer}, outcome)

    @staticmethod
    def translate(reference: str, answer: dict[str, Any]) -> dict[str, Any] | None:
        """A verify answer as a neutral outcome (amounts in Paystack's unit)."""
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        status = data.get("status")
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        currency = data.get("currency")
        currency = currency.upper() if isinstance(currency, str) and len(currency) == 3 else None
        given = data.get("reference")
        base: dict[str, Any] = {
            "kind": "payment",
            # what Paystack says the transaction is: it must be the attempt asked about
            "attempt_id": given if isinstance(given, str) and given else reference,
            "donation_id": _text(meta.get("donation_id")),
            "campaign_id": _text(meta.get("campaign_id")),
            "payment_ref": str(data["id"]) if isinstance(data.get("id"), int) else None,
            "currency": currency,
        }
        base = {k: v for k, v in base.items() if v is not None}
        if status in PAID_STATUSES:
            return {
                **base,
                "status": "succeeded",
                "amount": _integer(data.get("amount")),
                "fee": _integer(data.get("fees")),
                "payment_method": _text(data.get("channel")),
            }
        if status in ("failed", "abandoned"):
            return {
                **base,
                "status": "failed" if status == "failed" else "canceled",
                "reason": f"{status} {_text(data.get('gateway_response')) or ''}".strip(),
            }
        if status in WAITING_STATUSES:
            return {**base, "status": "processing"}
        return None

    def record(
        self, check: Check, *, source: str, event: PaystackEvent | None = None
    ) -> dict[str, Any]:
        """Apply a conclusive check through the payment core."""
        refunds = check.refunds
        if check.outcome is None or (refunds is not None and refunds.outcome is None):
            raise ApiError(
                "payment_check_inconclusive",
                f"Paystack's verify is inconclusive: {check.status}",
            )
        result = self._record_one(check, source=source, event=event)
        if refunds is not None:
            # a reversed transaction: credited (or already), then what went back
            result = self._record_one(refunds, source=source, event=event)
        return result

    @staticmethod
    def _record_one(check: Check, *, source: str, event: PaystackEvent | None) -> dict[str, Any]:
        return payments.record_event(
            provider="paystack",
            event_id=check.event_id,
            event_type=f"{source}.{event.event if event else check.status}",
            occurred_at=datetime.now(UTC),
            livemode=None,
            # jsonb holds no NUL character
            payload=json.dumps(
                {"event": event.model_dump() if event else None, "verify": check.answer}
            ).replace("\\u0000", ""),
            outcome=check.outcome,
        )

    @staticmethod
    def expire(reference: str, reason: str) -> dict[str, Any]:
        return payments.expire_attempt("paystack", reference, f"{reference}:expired", reason)


def _safe(reference: str) -> str:
    """A reference as a URL path segment (ours are uuids; anything else, quoted)."""
    return quote(reference, safe="")


def _text(value: object) -> str | None:
    return value.strip()[:200] or None if isinstance(value, str) else None


def _integer(value: object) -> int | None:
    """Paystack's amounts are integers in the subunit; anything else is None."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 10**15:
        return None
    return value


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} in a JSON answer")


@bp.post("/webhooks/paystack")
def paystack_webhook():
    gateway: PaystackGateway = current_app.extensions["gateways"]["paystack"]
    payload = request.get_data(cache=False)
    event = gateway.verify_signature(payload, request.headers.get("x-paystack-signature"))
    reference = event.data.get("transaction_reference") or event.data.get("reference")
    if event.event.startswith("refund."):
        if event.data.get("status") != "processed" and event.event != "refund.processed":
            return jsonify(received=True, outcome="ignored")
        check_of = gateway.check_refunds
    elif event.event.startswith("charge.") and not event.event.startswith("charge.dispute"):
        check_of = gateway.check
    else:
        # transfers, subscriptions, disputes…: not a payment of ours to apply
        return jsonify(received=True, outcome="ignored")
    if not payments.is_our_id(reference):
        # Another integration on the same Paystack account: not a payment of ours.
        return jsonify(received=True, outcome="ignored")
    result = gateway.record(check_of(reference), source="webhook", event=event)
    return jsonify(received=True, outcome=result["outcome"])


def _page_channels(pledge: Pledge) -> list[str] | None:
    """The channels the page offers: those priced as the donor's payment method, the
    ones its fees were counted for (initialize's `channels`:
    https://paystack.com/docs/api/transaction/#initialize); all when it names none."""
    schedule = payments.payment_method_schedule(pledge, "paystack")
    if schedule is None:
        return None
    return sorted(m.lower() for m in schedule[1] if m.lower() in CHANNELS) or None
