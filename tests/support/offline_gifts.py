"""Attested offline gifts in tests: recording one as a client would (the RPC,
with a slip under the campaign's private folder), and reading the money the
campaign holds (its totals, its balance, its ledger) to check offline gifts
never enter the books."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tests.postgrest import PostgrestClient


def slip_ref(campaign_id: Any, name: str | None = None) -> str:
    return f"africagnotte/offline/{campaign_id}/{name or 'bordereau-' + uuid.uuid4().hex[:8]}"


def gift_args(campaign_id: Any, **overrides: Any) -> dict[str, Any]:
    """A cash gift of 50 000 XOF received today, its giver named with consent."""
    return {
        "campaign_id": str(campaign_id),
        "amount": 50_000,
        "currency": "XOF",
        "received_on": datetime.now(UTC).date().isoformat(),
        "channel": "cash",
        "slip_ref": slip_ref(campaign_id),
        "giver_consented": True,
        "giver_name": "Famille Diarra",
        **overrides,
    }


def record_gift(client: PostgrestClient, campaign_id: Any, **overrides: Any) -> dict[str, Any]:
    return client.rpc("record_offline_gift", gift_args(campaign_id, **overrides))


def books(db: Any, campaign_id: Any) -> dict[str, Any]:
    """What the platform counts of the campaign's money: its online totals, the
    ledger (sum and entries) and the payable balance, and its offline gifts."""
    return db.one(
        "select c.collected_amount, c.offline_amount, c.progress_bp, c.progress_with_offline_bp,"
        " (select count(*) from private.ledger_entries as l where l.campaign_id = c.id) as entries,"
        " (select coalesce(sum(l.amount), 0) from private.ledger_entries as l"
        "  where l.campaign_id = c.id) as ledger,"
        " private.available_balance(c.id) as balance"
        " from public.campaigns as c where c.id = %s",
        [campaign_id],
    )
