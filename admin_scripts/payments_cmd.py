"""`cagnotte-admin payments`: reconcile what providers did not tell us, list the
events held for review, and check the books.

`payments held` lists the provider events the payment core recorded but did not
apply: references that disagree (an event naming another pledge, attempt,
campaign, session or currency than the payment it is about), an amount or
currency that differs from the pledge (outcome mismatch), and events about no
payment of ours (unknown_payment). Each was acknowledged to its provider, so it
is not sent again: an operator looks at it here.

`payments check` runs the ledger check (private.check_ledger): campaign totals
equal the ledger, and no campaign's ledger counts more money than reached the
platform; it lists the campaigns that fail and exits 1 if any.

`payments reconcile`: settle or expire payments still pending.

A mobile-money payment can stay pending when CinetPay's notification never
arrived (our service down, a network cut). This asks CinetPay's payment check
about each pending attempt older than --older-than and applies its answer
through exactly the webhook's path (the service's gateway, then
record_payment_event); those CinetPay has not concluded after --expire-after
are expired (the pledge is canceled; money that arrives later is still
credited). Running it twice is harmless. Configuration as for the service:
CINETPAY_API_KEY, CINETPAY_SITE_ID, CINETPAY_SECRET_KEY (CINETPAY_API_BASE in
tests) and DATABASE_URL.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

import typer
from rich.progress import Progress

from admin_scripts import db, operator
from admin_scripts.console import JSON_OPTION, err, parse_duration, print_rows
from admin_scripts.operator import OperatorError
from webhooks.config import ConfigError
from webhooks.errors import ApiError

app = typer.Typer(
    help="Payments: reconcile what providers did not tell us, events held, the books.",
    no_args_is_help=True,
)


class Provider(StrEnum):
    cinetpay = "cinetpay"


PENDING = """
select a.id::text as attempt_id, a.donation_id::text, a.status::text as attempt_status,
    a.created_at, now() - a.created_at as age
from private.payment_attempts as a
join public.donations as d on d.id = a.donation_id
where a.provider = %s::public.payment_provider
    and a.status in ('created', 'open', 'processing')
    and a.created_at < now() - %s::interval
    and d.status = 'pending'
order by a.created_at
"""


def settle_or_expire(gateway: Any, attempt: dict, expire_after: timedelta, dry_run: bool) -> dict:
    """What CinetPay says of one pending attempt, and what was done about it."""
    row = {k: attempt[k] for k in ("attempt_id", "donation_id", "created_at")}
    try:
        check = gateway.check(attempt["attempt_id"])
    except ApiError as exc:
        return {**row, "provider_status": None, "action": "error", "outcome": exc.sentence}
    row["provider_status"] = check.status
    waiting = check.outcome is not None and check.outcome["status"] == "processing"
    # An attempt CinetPay never gave a payment page for may be unknown to it;
    # any other inconclusive answer (a wrong key…) is an error, never an expiry.
    never_opened = check.outcome is None and attempt["attempt_status"] == "created"
    if check.outcome is not None and not waiting:
        action = "settle"
    elif (waiting or never_opened) and attempt["age"] >= expire_after:
        action = "expire"
    elif waiting or never_opened:
        return {**row, "action": "wait", "outcome": None}
    else:
        return {**row, "action": "error", "outcome": f"inconclusive check: {check.status}"}
    if dry_run:
        return {**row, "action": action, "outcome": None}
    try:
        if action == "settle":
            result = gateway.record(check, source="reconcile")
        else:
            result = gateway.expire(attempt["attempt_id"], f"not concluded after {expire_after}")
    except ApiError as exc:
        return {**row, "action": "error", "outcome": exc.sentence}
    return {**row, "action": action, "outcome": result["outcome"]}


@app.command("reconcile")
def reconcile(
    provider: Provider = typer.Option(..., "--provider", help="The provider to ask."),
    older_than: str = typer.Option(
        "30m", "--older-than", help="Ask about pending payments older than this: 30m, 2h, 1d."
    ),
    expire_after: str = typer.Option(
        "24h", "--expire-after", help="Expire those the provider has not concluded by then."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Ask, and apply nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask the provider about pending payments; settle or expire them."""
    try:
        older, expire = parse_duration(older_than), parse_duration(expire_after)
        with db.connect() as conn:
            operator.resolve(conn)
            pending = conn.execute(PENDING, [provider.value, older]).fetchall()
        with db.webhooks_service() as service:
            gateway = service.extensions["gateways"][provider.value]
            gateway.require_configured()
            rows = []
            with Progress(console=err, transient=True) as progress:
                task = progress.add_task(f"asking {provider.value}", total=len(pending))
                for attempt in pending:
                    rows.append(settle_or_expire(gateway, attempt, expire, dry_run))
                    progress.advance(task)
        counts = {
            a: sum(r["action"] == a for r in rows) for a in ("settle", "expire", "wait", "error")
        }
        if not dry_run:
            operator.record(
                "payments reconcile", provider=provider.value,
                older_than=older_than, expire_after=expire_after, **counts,
            )  # fmt: skip
    except (OperatorError, db.NoDatabase, ConfigError) as exc:
        raise operator.fail(exc) from exc
    except ApiError as exc:
        raise operator.fail(OperatorError(exc.sentence, operator.EXIT_USAGE)) from exc
    print_rows(
        rows,
        as_json=as_json,
        title=f"Pending {provider.value} payments older than {older_than}",
        columns={
            "attempt": "attempt_id",
            "since": lambda r: r["created_at"].strftime("%Y-%m-%d %H:%M"),
            "provider says": "provider_status",
            "action": "action",
            "outcome": "outcome",
        },
    )
    verb = "would" if dry_run else "did"
    err.print(
        f"{verb} settle {counts['settle']}, expire {counts['expire']};"
        f" {counts['wait']} still waiting, {counts['error']} unanswered"
    )
    if counts["error"]:
        raise typer.Exit(operator.EXIT_REFUSED)


HELD = """
select w.received_at, w.provider::text, w.event_id, w.event_type, w.outcome, w.detail,
    w.donation_id::text
from private.webhook_events as w
where w.outcome in ('mismatch', 'unknown_payment') and w.received_at >= now() - %s::interval
order by w.received_at desc, w.id desc
"""


@app.command("held")
def held(
    since: str = typer.Option("30d", "--since", help="Events received since: 12h, 7d, 90d."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Provider events held for review: recorded, acknowledged, credited nothing."""
    try:
        window = parse_duration(since)
        with db.connect() as conn:
            operator.resolve(conn)
            rows = conn.execute(HELD, [window]).fetchall()
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    print_rows(
        rows,
        as_json=as_json,
        title=f"Provider events held for review (last {since})",
        columns={
            "received": lambda r: r["received_at"].strftime("%Y-%m-%d %H:%M"),
            "provider": "provider",
            "event": "event_id",
            "type": "event_type",
            "outcome": "outcome",
            "donation": "donation_id",
            "why": "detail",
        },
    )


@app.command("check")
def check(as_json: bool = JSON_OPTION) -> None:
    """The ledger check: totals equal the ledger, and no campaign counts more than it received."""
    try:
        with db.connect() as conn:
            operator.resolve(conn)
            rows = conn.execute("select * from private.check_ledger()").fetchall()
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    print_rows(
        rows,
        as_json=as_json,
        title="Campaigns whose books do not hold",
        columns={
            "campaign": "campaign_id",
            "collected": "collected_amount",
            "ledger collected": "ledger_collected",
            "donors": "donor_count",
            "counted": "counted_donations",
            "ledger net": "ledger_net",
            "received": "received",
        },
    )
    if rows:
        raise typer.Exit(operator.EXIT_REFUSED)
