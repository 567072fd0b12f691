"""The payment core's SQL functions, as the service calls them (as service_role)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psycopg.types.json import Jsonb

from webhooks.config import Settings
from webhooks.db import connection, transactions


@dataclass(frozen=True)
class Pledge:
    """A pending donation and its attempt, ready for a provider's checkout."""

    donation_id: uuid.UUID
    attempt_id: uuid.UUID
    campaign_id: uuid.UUID
    amount: int
    currency: str
    exponent: int
    donor_email: str | None
    campaign_title: str
    campaign_slug: str
    # the donor's currency when they pay in theirs (card), None for the campaign's
    pay_currency: str | None = None
    # the provider's payment method the donor chose (covered fees are counted for it)
    payment_method: str | None = None


@dataclass(frozen=True)
class ReturnPages:
    """Where a donor comes back from a provider's checkout."""

    paid: str  # the thanks page (CinetPay's one return page, whatever the outcome)
    cancelled: str  # the campaign's page, the donor having cancelled


def return_pages(settings: Settings, pledge: Pledge) -> ReturnPages:
    """The frontend's pages on the deployment's SITE_URL (the one truth for the
    site's address); their paths have one home, the database's
    private.donation_return_path, which the emails' links share."""
    with connection() as conn:
        row = conn.execute(
            "select private.donation_return_path(%(slug)s, %(id)s) as paid,"
            " private.donation_return_path(%(slug)s, %(id)s, cancelled => true) as cancelled",
            {"slug": pledge.campaign_slug, "id": pledge.donation_id},
        ).fetchone()
    site = str(settings.site_url).rstrip("/")
    return ReturnPages(paid=site + row["paid"], cancelled=site + row["cancelled"])


def default_provider(currency: str, pay_currency: str | None = None) -> str:
    """The provider a donor in this currency gets unless they choose (paying in
    their own currency, pay_currency: by card)."""
    with connection() as conn:
        row = conn.execute(
            "select private.default_provider(%s, %s) as provider", [currency, pay_currency]
        ).fetchone()
    return row["provider"]


def payment_method_schedule(pledge: Pledge, provider: str) -> tuple[str, list[str]] | None:
    """The fee schedule listing the donor's payment method (its channel, and the methods
    priced alike, upper case): the payment page is limited to them. None when the pledge
    names no method or no schedule lists it (its fees were counted at the costliest)."""
    if not pledge.payment_method:
        return None
    with connection() as conn:
        row = conn.execute(
            "select channel, payment_methods from private.payment_method_schedule(%s, %s, %s, %s)",
            [provider, pledge.currency, pledge.payment_method, pledge.amount],
        ).fetchone()
    return (row["channel"], row["payment_methods"]) if row else None


def create_pledge(
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
    locale: str | None = None,
    tip_amount: int = 0,
    cover_fees: bool = False,
    pay_currency: str | None = None,
    payment_method: str | None = None,
) -> Pledge:
    with connection() as conn:
        row = conn.execute(
            "select private.create_donation(campaign_id => %s, amount => %s, currency => %s,"
            " provider => %s, donor_id => %s, donor_name => %s, donor_email => %s,"
            " message => %s, is_anonymous => %s, tip_amount => %s, cover_fees => %s,"
            " pay_currency => %s, payment_method => %s) as pledge",
            [
                campaign_id,
                amount,
                currency,
                provider,
                donor_id,
                donor_name,
                donor_email,
                message,
                is_anonymous,
                tip_amount,
                cover_fees,
                pay_currency,
                payment_method,
            ],
        ).fetchone()
        p = row["pledge"]
        if locale is not None:
            conn.execute(
                "select private.remember_donation_locale(%s, %s)", [p["donation_id"], locale]
            )
    return Pledge(
        donation_id=uuid.UUID(p["donation_id"]),
        attempt_id=uuid.UUID(p["attempt_id"]),
        campaign_id=uuid.UUID(p["campaign_id"]),
        amount=p["amount"],
        currency=p["currency"],
        exponent=p["exponent"],
        donor_email=p["donor_email"],
        campaign_title=p["campaign_title"],
        campaign_slug=p["campaign_slug"],
        pay_currency=p.get("pay_currency"),
        payment_method=payment_method,
    )


def attach_checkout(
    attempt_id: uuid.UUID,
    session_ref: str,
    checkout_url: str | None,
    payment_ref: str | None = None,
) -> None:
    with connection() as conn:
        conn.execute(
            "select private.attach_checkout(%s, %s, %s, %s)",
            [attempt_id, session_ref, checkout_url, payment_ref],
        )


def abandon_checkout(attempt_id: uuid.UUID, reason: str) -> None:
    with connection() as conn:
        conn.execute("select private.abandon_checkout(%s, %s)", [attempt_id, reason])


def record_event(
    *,
    provider: str,
    event_id: str,
    event_type: str,
    occurred_at: datetime | None,
    livemode: bool | None,
    payload: str,
    outcome: dict[str, Any],
) -> dict[str, Any]:
    """Record a provider event (its payload as received) and apply its neutral
    outcome, in one transaction; return once it is durable, so that the
    provider is acknowledged only for what a crash cannot lose."""
    recorded = transactions(
        # committed asynchronously (see record_payment_event): the campaign's row is
        # not held while the commit is flushed
        (
            "select private.record_payment_event(%s, %s, %s, %s, %s, %s::jsonb, %s) as result",
            [provider, event_id, event_type, occurred_at, livemode, payload, Jsonb(outcome)],
        ),
        # its own transaction, a synchronous commit: it returns once both are durable
        ("select private.acknowledge_event(%s, %s)", [provider, event_id]),
    )
    return recorded["result"]


def expire_attempt(provider: str, attempt_id: str, event_id: str, reason: str) -> dict[str, Any]:
    """A payment its provider never concluded (reconciliation): the pledge is canceled,
    and money that arrives later is still credited (the payment core's rule)."""
    return record_event(
        provider=provider,
        event_id=event_id,
        event_type="reconcile.expired",
        occurred_at=datetime.now(UTC),
        livemode=None,
        payload=json.dumps({"reason": reason}),
        outcome={
            "kind": "payment",
            "status": "canceled",
            "attempt_id": attempt_id,
            "reason": reason,
        },
    )


def paid_in_donor_currency(attempt_id: object) -> bool:
    """Whether an attempt charges the donor in their own currency (paying from
    abroad): its ledger books what the provider settled, which must be known."""
    if not is_our_id(attempt_id):
        return False
    with connection() as conn:
        row = conn.execute(
            "select private.paid_in_donor_currency(%s) as abroad", [attempt_id]
        ).fetchone()
    return bool(row["abroad"])


def is_our_id(text: object) -> bool:
    """Our ids (attempts, donations) as we send them to providers: the canonical lowercase
    uuid only; a provider's reference in any other form is not ours."""
    if not isinstance(text, str):
        return False
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def donation_quote(**query: Any) -> dict[str, Any]:
    """public.donation_quote: the one home of the quote (fees, tip, rate)."""
    with connection() as conn:
        row = conn.execute(
            "select q.* from public.donation_quote(campaign_id => %(campaign_id)s,"
            " amount => %(amount)s, currency => %(currency)s, provider => %(provider)s,"
            " tip_amount => %(tip_amount)s, cover_fees => %(cover_fees)s,"
            " payment_method => %(payment_method)s) as q",
            query,
        ).fetchone()
    return {
        **row,
        "rate": format(row["rate"].normalize(), "f"),
        "rate_as_of": _date(row["rate_as_of"]),
    }


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
