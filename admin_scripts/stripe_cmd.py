"""`cagnotte-admin stripe reconcile`: recover missed webhooks.

Lists the Stripe events since a date through the API (paginated), and
applies those the database has not recorded through exactly the webhook's
path: the service's own gateway translates each event, and
payments.record_event writes it (record_payment_event, then the durable
acknowledgement). Events already recorded are left alone, so running it
twice is harmless. A card payment from abroad that Stripe has not settled
yet is left for a later run (outcome `later`, nothing written), as the
webhook answers it 503.

The console builds the service's Stripe gateway from its own settings
(admin_scripts.settings: STRIPE_SECRET_KEY, STRIPE_API_BASE in tests; the
environment, else .env.local) and writes through its own connection: no Flask
app. Missing settings: exit 6, naming them; Stripe refusing the key or out of
reach: exit 6.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import psycopg
import typer

from admin_scripts import db, i18n, operator
from admin_scripts.console import JSON_OPTION, out, parse_duration, print_json, progress
from admin_scripts.i18n import N_, _
from admin_scripts.operator import OperatorError
from webhooks.errors import ApiError
from webhooks.stripe_gateway import HANDLED_EVENTS, SettlementPending

app = typer.Typer(help=N_("Stripe: reconcile events the webhook missed."), no_args_is_help=True)


def parse_since(text: str) -> datetime:
    """An ISO 8601 date or moment (the operator's zone when none), or a duration
    back from now: 12h, 3d; a usage error naming --since otherwise."""
    try:
        return datetime.now(UTC) - parse_duration(text)
    except typer.BadParameter:
        pass
    try:
        return i18n.parse_when(text)
    except typer.BadParameter:
        raise typer.BadParameter(
            _(
                "{text!r} is neither an ISO 8601 date (2026-11-01, 2026-11-01T08:00)"
                " nor a duration (12h, 3d)"
            ).format(text=text),
            param_hint="'--since'",
        ) from None


def stripe_failure(exc: Exception) -> OperatorError:
    """Stripe's answer as the operator's: a key it refuses or an API it cannot
    reach is the provider's (exit 6), anything else a refusal."""
    import stripe

    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return OperatorError(
            _(
                "Stripe refuses the key: check STRIPE_SECRET_KEY (in the environment or"
                " .env.local; the local stack's is a placeholder): {error}"
            ).format(error=exc),
            operator.EXIT_PROVIDER,
        )
    if isinstance(exc, stripe.APIConnectionError | stripe.APIError):
        return OperatorError(
            _(
                "Stripe cannot be reached or fails: check the network (or STRIPE_API_BASE),"
                " then retry later: {error}"
            ).format(error=exc),
            operator.EXIT_PROVIDER,
        )
    return OperatorError(_("Stripe: {error}").format(error=exc), operator.EXIT_REFUSED)


def list_events(gateway: Any, start: datetime) -> list[dict[str, Any]]:
    """The handled Stripe events created since ``start``, every page."""
    import stripe

    try:
        pages = gateway.client.v1.events.list(
            params={
                "created": {"gte": int(start.timestamp())},
                "limit": 100,
                "types": sorted(HANDLED_EVENTS),
            }
        )
        return [
            event.to_dict()
            for event in progress(pages.auto_paging_iter(), label=_("listing Stripe events"))
        ]
    except stripe.StripeError as exc:
        raise stripe_failure(exc) from exc


def apply_event(gateway: Any, event: dict[str, Any]) -> dict[str, Any]:
    """One missed event through the webhook's own path (translate, then record)."""
    from webhooks import payments, recurring_gifts

    try:
        if event["type"] in recurring_gifts.EVENTS:  # monthly giving: the webhook's path too
            payload = json.dumps(event, default=str).encode()
            return {"id": event["id"], "type": event["type"],
                    **recurring_gifts.handle(gateway, event, payload)}  # fmt: skip
        outcome = gateway.translate(event)
    except SettlementPending:
        # paid from abroad, not settled by Stripe yet: nothing written, the next run applies it
        return {"id": event["id"], "type": event["type"], "outcome": "later"}
    except ApiError as exc:  # Stripe's API, asked for the fee or the charge, did not answer
        raise OperatorError(
            _("Stripe: {error}").format(error=exc.sentence or exc), operator.EXIT_PROVIDER
        ) from exc
    result = payments.record_event(
        provider="stripe",
        event_id=event["id"],
        event_type=event["type"],
        occurred_at=datetime.fromtimestamp(int(event["created"]), UTC),
        livemode=bool(event.get("livemode")),
        # decimal_string fields come back as Decimal: strings, as on the wire
        payload=json.dumps(event, default=str),
        outcome=outcome,
    )
    return {"id": event["id"], "type": event["type"], **result}


KNOWN = """
select event_id from private.webhook_events where provider = 'stripe' and event_id = any(%s)
"""
AMOUNTS = "select id::text, amount, currency from public.donations where id = any(%s::uuid[])"


@app.command("reconcile", help=N_("Apply the Stripe events since --since that the database lacks."))
def reconcile(
    since: str = typer.Option(
        ...,
        "--since",
        help=N_("An ISO 8601 date or moment (2026-11-01, 2026-11-01T08:00), or 12h, 3d."),
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help=N_("List what is missing, apply nothing.")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    start = parse_since(since)
    with db.connect() as conn:  # first: a database down is exit 5 whatever else is missing
        operator.resolve(conn)  # and who acts, before asking Stripe anything
        gateway = db.stripe_gateway()
        events = list_events(gateway, start)
        known = {r["event_id"] for r in conn.execute(KNOWN, [[e["id"] for e in events]])}
        missing = sorted((e for e in events if e["id"] not in known), key=lambda e: e["created"])
        applied: list[dict[str, Any]] = []
        if not dry_run and missing:
            with db.payment_code(conn):
                for event in progress(missing, label=_("applying missed events")):
                    applied.append(apply_event(gateway, event))
        amounts = _amounts(conn, applied)
    if not dry_run:
        operator.record("stripe reconcile", since=start.isoformat(), applied=len(applied))
    report = {
        "since": start.isoformat(),
        "listed": len(events),
        "already_recorded": len(events) - len(missing),
        "missing": [e["id"] for e in missing],
        "applied": applied,
    }
    if as_json:
        print_json(report)
        return
    out.print(
        _(
            "{listed} events since {since}: {recorded} already recorded, {missing} missing,"
            " {applied} applied"
        ).format(
            listed=report["listed"],
            since=i18n.when(start),
            recorded=report["already_recorded"],
            missing=len(missing),
            applied=len(applied),
        )
    )
    for a in applied:
        shown = amounts.get(str(a.get("donation_id")))
        money = f" {i18n.money(shown['amount'], shown['currency'])}" if shown else ""
        out.print(f"  {a['id']} {a['type']}{money}: {a.get('outcome')}")


def _amounts(conn: psycopg.Connection, applied: list[dict[str, Any]]) -> dict[str, dict]:
    """The donations the applied events were about, by id (their amounts, to show)."""
    ids = [str(a["donation_id"]) for a in applied if a.get("donation_id")]
    return {r["id"]: r for r in conn.execute(AMOUNTS, [ids])} if ids else {}
