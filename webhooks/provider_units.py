"""Amounts in a payment provider's unit, as the database says: each provider
counts a currency in its own number of decimals
(public.provider_currencies.provider_exponent, from private.provider_exponent);
the gateways send and read amounts in that unit and hold no currency list."""

from __future__ import annotations

import uuid
from functools import cache

from webhooks.db import connection


def checkout_amount(attempt_id: uuid.UUID) -> int:
    """A payment attempt's amount in its provider's unit (private.provider_amount;
    its trigger refused any amount the unit cannot express: amount_not_payable)."""
    with connection() as conn:
        row = conn.execute("select private.provider_amount(%s) as amount", [attempt_id]).fetchone()
    return row["amount"]


def provider_tip_amount(attempt_id: uuid.UUID) -> int:
    """The tip's part of an attempt's charge, in its provider's unit
    (private.provider_tip_amount): the payment page shows it on its own line."""
    with connection() as conn:
        row = conn.execute(
            "select private.provider_tip_amount(%s) as amount", [attempt_id]
        ).fetchone()
    return row["amount"]


@cache
def provider_exponent(provider: str, currency: str | None) -> int:
    """The decimals the provider's amounts in this currency are counted in: a fact of
    the provider's (private.provider_exponent), asked once per process, so that a
    webhook costs no extra round trip."""
    with connection() as conn:
        row = conn.execute(
            "select private.provider_exponent(%s, %s) as exponent", [provider, currency]
        ).fetchone()
    return row["exponent"]
