"""`cagnotte-admin stripe reconcile`: recover missed webhooks.

Lists the Stripe events since a date through the API (paginated), and
applies those the database has not recorded through exactly the webhook's
path: the service's own gateway translates each event, and
payments.record_event writes it (record_payment_event, then the durable
acknowledgement). Events already recorded are left alone, so running it
twice is harmless. Configuration as for the service: STRIPE_SECRET_KEY
(STRIPE_API_BASE in tests) and DATABASE_URL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from admin_scripts import db, operator
from admin_scripts.console import JSON_OPTION, err, out, parse_duration, print_json
from admin_scripts.operator import OperatorError
from webhooks.stripe_gateway import HANDLED_EVENTS

app = typer.Typer(help="Stripe: reconcile events the webhook missed.", no_args_is_help=True)


def parse_since(text: str) -> datetime:
    """An ISO date or datetime (UTC when no zone), or a duration back from now: 12h, 3d."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            return datetime.now(UTC) - parse_duration(text)
        except typer.BadParameter:
            raise OperatorError(f"--since: not a date nor a duration: {text!r}", 2) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def stripe_failure(exc: Exception) -> OperatorError:
    """Stripe's answer as the operator's: a key it refuses or an API it cannot
    reach is the provider's (exit 6), anything else a refusal."""
    import stripe

    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return OperatorError(
            f"Stripe refuses the key: check STRIPE_SECRET_KEY (environment or .env.local;"
            f" the local stack's is a placeholder): {exc}",
            operator.EXIT_PROVIDER,
        )
    if isinstance(exc, stripe.APIConnectionError | stripe.APIError):
        return OperatorError(
            f"Stripe cannot be reached or fails: check the network (or STRIPE_API_BASE),"
            f" retry later: {exc}",
            operator.EXIT_PROVIDER,
        )
    return OperatorError(f"Stripe: {exc}", operator.EXIT_REFUSED)


@app.command("reconcile")
def reconcile(
    since: str = typer.Option(..., "--since", help="2026-11-01, 2026-11-01T08:00, 12h or 3d."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what is missing, apply nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Apply the Stripe events since --since that the database lacks."""
    from webhooks import payments
    from webhooks.config import ConfigError

    try:
        start = parse_since(since)
        with db.connect() as conn:  # first: a database down is one line, no pool's warnings
            operator.resolve(conn)
        with db.webhooks_service() as service:
            with db.connect() as conn:
                operator.resolve(conn)
                gateway = service.extensions["gateways"]["stripe"]
                gateway.require_configured()
                events = []
                with Progress(
                    SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True
                ) as progress:
                    task = progress.add_task("listing Stripe events…")
                    pages = gateway.client.v1.events.list(
                        params={
                            "created": {"gte": int(start.timestamp())},
                            "limit": 100,
                            "types": sorted(HANDLED_EVENTS),
                        }
                    )
                    for n, event in enumerate(pages.auto_paging_iter(), 1):
                        events.append(event.to_dict())
                        progress.update(task, description=f"listing Stripe events… {n}")
                known = {
                    r["event_id"]
                    for r in conn.execute(
                        "select event_id from private.webhook_events"
                        " where provider = 'stripe' and event_id = any(%s)",
                        [[e["id"] for e in events]],
                    )
                }
            missing = sorted(
                (e for e in events if e["id"] not in known), key=lambda e: e["created"]
            )
            applied: list[dict] = []
            if not dry_run and missing:
                with Progress(console=err, transient=True) as progress:
                    task = progress.add_task("applying missed events", total=len(missing))
                    for event in missing:
                        result = payments.record_event(
                            provider="stripe",
                            event_id=event["id"],
                            event_type=event["type"],
                            occurred_at=datetime.fromtimestamp(int(event["created"]), UTC),
                            livemode=bool(event.get("livemode")),
                            # decimal_string fields come back as Decimal: strings, as on the wire
                            payload=json.dumps(event, default=str),
                            outcome=gateway.translate(event),
                        )
                        applied.append({"id": event["id"], "type": event["type"], **result})
                        progress.advance(task)
        if not dry_run:
            operator.record("stripe reconcile", since=start.isoformat(), applied=len(applied))
    except (OperatorError, db.NoDatabase, ConfigError) as exc:
        raise operator.fail(exc) from exc
    except Exception as exc:
        if type(exc).__module__.startswith(("stripe", "werkzeug")):
            raise operator.fail(stripe_failure(exc)) from exc
        raise  # the console's one error path (errors.ConsoleGroup)
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
        f"{report['listed']} events since {report['since']}: {report['already_recorded']} already"
        f" recorded, {len(missing)} missing, {len(applied)} applied"
    )
    for a in applied:
        out.print(f"  {a['id']} {a['type']}: {a.get('outcome')}")
