"""CinetPay (mobile money: Orange Money, MTN, Moov, Wave; and cards): payment
initialisation for pledges, and notifications that are never trusted alone:
each is confirmed through CinetPay's payment-check endpoint, whose answer is
translated into the payment core's neutral outcome (private.record_payment_event
decides the rest). A check whose references disagree with the payment (the
transaction is not the attempt, its metadata names another pledge, another
currency) is held for review and answered 200; CinetPay's commission, which its
API does not report, is its channel's rate (public.provider_fees)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, create_model
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from webhooks import payments
from webhooks.config import Settings
from webhooks.errors import ApiError, ServiceUnavailable
from webhooks.payments import Pledge
from webhooks.provider_units import checkout_amount

log = logging.getLogger(__name__)
bp = Blueprint("cinetpay", __name__)

# The notification's form fields, in the order CinetPay concatenates them for
# the x-token HMAC (absent fields count as empty).
TOKEN_FIELDS = (
    "cpm_site_id", "cpm_trans_id", "cpm_trans_date", "cpm_amount", "cpm_currency",
    "signature", "payment_method", "cel_phone_num", "cpm_phone_prefixe", "cpm_language",
    "cpm_version", "cpm_payment_config", "cpm_page_action", "cpm_custom",
    "cpm_designation", "cpm_error_message",
)  # fmt: skip
# The form as the OpenAPI description shows it (the service reads it through verify()).
CinetPayNotification = create_model(
    "CinetPayNotification",
    __doc__="The form CinetPay posts; the x-token header is the HMAC-SHA256 of its fields"
    " (TOKEN_FIELDS' order) with the merchant's secret key.",
    **{
        name: (str, ...) if name in ("cpm_site_id", "cpm_trans_id") else (str, "")
        for name in TOKEN_FIELDS
    },
)


class CinetPayPing(BaseModel):
    """CinetPay checks that the notification URL answers."""

    ok: bool


# Payment-check answers: the customer has not finished; the customer gave up.
WAITING_CODES = frozenset({"623", "662", "663", "664"})
CANCELED_CODE = "627"
# CinetPay refuses these characters in a payment's description.
DESCRIPTION_FORBIDDEN = re.compile(r"[#/$_&]+")


class CinetPayUnavailable(ServiceUnavailable):
    """CinetPay did not answer, or not with JSON: nothing is written, try again
    (a checkout answers payment_provider_unavailable, 502, instead)."""


@dataclass(frozen=True)
class Check:
    """CinetPay's word on a transaction, and what it means for the payment core
    (outcome None: the answer says nothing about the payment)."""

    transaction_id: str
    answer: dict[str, Any]
    outcome: dict[str, Any] | None

    @property
    def status(self) -> str:
        data = self.answer.get("data")
        status = data.get("status") if isinstance(data, dict) else None
        return str(status or self.answer.get("message") or "UNKNOWN")

    @property
    def event_id(self) -> str:
        """One event per transaction, status and code: the same word twice is a duplicate."""
        return f"{self.transaction_id}:{self.status}:{self.answer.get('code')}"


class CinetPayGateway:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._session: requests.Session | None = None

    def require_configured(self) -> None:
        if not self.settings.cinetpay_configured:
            raise ServiceUnavailable(
                "mobile money payments are not configured"
                " (CINETPAY_API_KEY, CINETPAY_SITE_ID, CINETPAY_SECRET_KEY)"
            )

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            session = requests.Session()
            # Retry only what never reached CinetPay: a payment is initialised once.
            retry = Retry(total=2, connect=2, read=0, status=0, backoff_factor=0.2)
            session.mount("https://", HTTPAdapter(max_retries=retry))
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.headers["User-Agent"] = "AfriCagnotte/1.0"
            self._session = session
        return self._session

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A call to CinetPay's API with our credentials; its JSON answer, whatever its code."""
        self.require_configured()
        url = f"{str(self.settings.cinetpay_api_base).rstrip('/')}{path}"
        credentials = {
            "apikey": self.settings.cinetpay_api_key,
            "site_id": self.settings.cinetpay_site_id,
        }
        try:
            response = self.session.post(
                url, json={**credentials, **body}, timeout=self.settings.cinetpay_timeout
            )
            if response.status_code >= 500:
                raise CinetPayUnavailable(f"CinetPay answered HTTP {response.status_code}")
            if "\\u0000" in response.text or "\x00" in response.text:
                raise ValueError("NUL character in the answer")
            answer = json.loads(response.text, parse_constant=_no_constant)
        except (requests.RequestException, ValueError) as exc:
            raise CinetPayUnavailable(f"CinetPay did not answer: {exc}") from None
        if not isinstance(answer, dict):
            raise CinetPayUnavailable("CinetPay answered something else than a JSON object")
        return answer

    # Checkout ------------------------------------------------------------------------

    def open_checkout(self, pledge: Pledge) -> str:
        """A CinetPay payment for the pledge; its payment page. A refusal cancels the pledge."""
        pages = payments.return_pages(self.settings, pledge)
        body: dict[str, Any] = {
            "transaction_id": str(pledge.attempt_id),
            # in CinetPay's unit for the currency (provider_currencies: whole units)
            "amount": checkout_amount(pledge.attempt_id),
            "currency": pledge.currency,
            "description": DESCRIPTION_FORBIDDEN.sub(" ", f"Don : {pledge.campaign_title}")[:100],
            "notify_url": f"{str(self.settings.public_base_url).rstrip('/')}/webhooks/cinetpay",
            "return_url": pages.paid,
            "channels": _universe(pledge),
            "lang": "fr",
            "metadata": str(pledge.donation_id),
        }
        if pledge.donor_email:
            body["customer_email"] = pledge.donor_email
        try:
            answer = self._post("/v2/payment", body)
            data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
            url, token = data.get("payment_url"), data.get("payment_token")
            if (
                str(answer.get("code")) != "201"
                or not isinstance(url, str)
                or not url.startswith("https://")
                or not isinstance(token, str)
            ):
                raise CinetPayUnavailable(
                    f"CinetPay refused the payment: {answer.get('code')} {answer.get('message')}"
                    f" {answer.get('description') or ''}".strip()
                )
        except CinetPayUnavailable as exc:
            log.warning("%s", exc.sentence)
            payments.abandon_checkout(pledge.attempt_id, exc.sentence)
            raise ApiError(
                "payment_provider_unavailable",
                "the mobile money service did not answer; nothing was charged, try again",
            ) from None
        payments.attach_checkout(pledge.attempt_id, token, url)
        return url

    # Notifications -------------------------------------------------------------------

    def verify(self, form: dict[str, str], token: str | None) -> str:
        """The notification's x-token is CinetPay's, for our site: its transaction id."""
        self.require_configured()
        if not token:
            raise ApiError("missing_signature", "x-token header missing")
        data = "".join(form.get(name, "") for name in TOKEN_FIELDS)
        expected = hmac.new(
            self.settings.cinetpay_secret_key.encode(), data.encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected.encode(), token.strip().lower().encode()):
            raise ApiError("invalid_signature", "invalid x-token")
        if form.get("cpm_site_id") != self.settings.cinetpay_site_id:
            raise ApiError("site_mismatch", "notification for another site")
        if not form.get("cpm_trans_id"):
            raise ApiError("invalid_payload", "cpm_trans_id missing")
        return form["cpm_trans_id"]

    def check(self, transaction_id: str) -> Check:
        """Ask CinetPay what became of a transaction."""
        answer = self._post("/v2/payment/check", {"transaction_id": transaction_id})
        return Check(transaction_id, answer, self.translate(transaction_id, answer))

    @staticmethod
    def translate(transaction_id: str, answer: dict[str, Any]) -> dict[str, Any] | None:
        """A payment-check answer as a neutral outcome (amounts in CinetPay's unit)."""
        code = str(answer.get("code"))
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        status = data.get("status")
        metadata = str(data.get("metadata") or "")
        currency = data.get("currency")
        currency = currency if isinstance(currency, str) and len(currency) == 3 else None
        # The operator's reference stays in the payload: operators' ids are not
        # unique across Orange, MTN, Moov and Wave, so it does not name the payment.
        base: dict[str, Any] = {
            "kind": "payment",
            "attempt_id": transaction_id,
            # what CinetPay says our metadata was: it must name the attempt's donation
            "donation_id": metadata or None,
            "currency": currency,  # amounts in CinetPay's unit, which the payment core knows
        }
        if code == "00" and status == "ACCEPTED":
            return {
                **base,
                "status": "succeeded",
                "amount": _whole(data.get("amount")),
                # its channel's commission (public.provider_fees): CinetPay reports no fee
                "payment_method": _method(data.get("payment_method")),
            }
        if status == "REFUSED":
            canceled = code == CANCELED_CODE
            return {
                **base,
                "status": "canceled" if canceled else "failed",
                "reason": f"{code} {answer.get('message') or ''}".strip(),
            }
        if status == "WAITING_FOR_CUSTOMER" or code in WAITING_CODES:
            return {**base, "status": "processing"}
        return None

    def record(
        self, check: Check, *, source: str, notification: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Apply a conclusive check through the payment core. One event per
        transaction and status: the same word twice is a duplicate."""
        if check.outcome is None:
            raise ApiError(
                "payment_check_inconclusive",
                f"CinetPay's check is inconclusive: {check.answer.get('code')}"
                f" {check.answer.get('message')}",
            )
        return payments.record_event(
            provider="cinetpay",
            event_id=check.event_id,
            event_type=f"{source}.{check.status.lower()}",
            occurred_at=datetime.now(UTC),
            livemode=None,
            payload=json.dumps({"notification": notification, "check": check.answer}),
            outcome=check.outcome,
        )

    @staticmethod
    def expire(transaction_id: str, reason: str) -> dict[str, Any]:
        event_id = f"{transaction_id}:EXPIRED"
        return payments.expire_attempt("cinetpay", transaction_id, event_id, reason)


def _method(method: object) -> str | None:
    """CinetPay's payment_method code (OM, MOMO, VISAM...), as the payment core reads it."""
    if not isinstance(method, str):
        return None
    return method.strip().upper()[:40] or None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} in a JSON answer")


def _whole(amount: object) -> int | None:
    """CinetPay's amount ("5000", 5000 or "5000.00") as an integer; None when not whole."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.to_integral_value() or abs(value) > 10**15:
        return None
    return int(value)


@bp.get("/webhooks/cinetpay")
def cinetpay_ping():
    """CinetPay checks that the notification URL answers."""
    return jsonify(ok=True)


@bp.post("/webhooks/cinetpay")
def cinetpay_notification():
    gateway: CinetPayGateway = current_app.extensions["gateways"]["cinetpay"]
    form = request.form.to_dict()
    transaction_id = gateway.verify(form, request.headers.get("x-token"))
    if not payments.is_our_id(transaction_id):
        # Another integration on the same CinetPay site: not a payment of ours.
        return jsonify(received=True, outcome="ignored")
    # Kept as received, but for NUL characters, which jsonb cannot hold.
    kept = {k: v.replace("\x00", "") for k, v in form.items()}
    result = gateway.record(gateway.check(transaction_id), source="notification", notification=kept)
    return jsonify(received=True, outcome=result["outcome"])


# CinetPay's payment universes, by the channel of our fee schedules: its page then
# offers only that one (`channels`: https://docs.cinetpay.com/api/1.0-en/checkout/univers).
UNIVERSES = {"mobile_money": "MOBILE_MONEY", "card": "CREDIT_CARD", "wallet": "WALLET"}


def _universe(pledge: Pledge) -> str:
    """The universe the fees were counted for, the donor's payment method's; all when
    it names none."""
    schedule = payments.payment_method_schedule(pledge, "cinetpay")
    return UNIVERSES.get(schedule[0], "ALL") if schedule else "ALL"
