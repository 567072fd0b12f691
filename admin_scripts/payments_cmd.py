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

Paystack's the same way (--provider paystack): its verify endpoint answers for
each pending transaction (PAYSTACK_SECRET_KEY; PAYSTACK_API_BASE in tests).

A mobile-money payment can stay pending when CinetPay's notification never
arrived (our service down, a network cut). This asks CinetPay's payment check
about each pending attempt older than --older-than and applies its answer
through exactly the webhook's path (the service's gateway, then
record_payment_event); those CinetPay has not concluded after --expire-after
are expired (the pledge is canceled; money that arrives later is still
credited). Running it twice is harmless. The console builds the service's CinetPay gateway
from its own settings (admin_scripts.settings: CINETPAY_API_KEY, CINETPAY_SITE_ID,
CINETPAY_SECRET_KEY, CINETPAY_API_BASE in tests; the environment, else
.env.local) and writes through its own connection: no Flask app. Missing
settings: exit 6, naming them.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

import typer

from admin_scripts import db, i18n, operator
from admin_scripts.console import JSON_OPTION, err, parse_duration, print_rows, progress
from admin_scripts.i18n import N_, _
from webhooks.errors import ApiError

app = typer.Typer(
    help=N_("Payments: reconcile what providers did not tell us, events held, the books."),
    no_args_is_help=True,
)


class Provider(StrEnum):
    cinetpay = "cinetpay"
    paystack = "paystack"


GATEWAYS = {"cinetpay": db.cinetpay_gateway, "paystack": db.paystack_gateway}

# What reconcile does about a pending payment (the JSON's words; the table's, translated).
ACTIONS = {
    "settle": N_("settle"),
    "expire": N_("expire"),
    "wait": N_("wait"),
    "error": N_("error"),
}


PENDING = """
select a.id::text as attempt_id, a.donation_id::text, a.status::text as attempt_status,
    a.created_at, now() - a.created_at as age, d.amount, d.currency
from private.payment_attempts as a
join public.donations as d on d.id = a.donation_id
where a.provider = %s::public.payment_provider
    and a.status in ('created', 'open', 'processing')
    and a.created_at < now() - %s::interval
    and d.status = 'pending'
order by a.created_at
"""


def settle_or_expire(gateway: Any, attempt: dict, expire_after: timedelta, dry_run: bool) -> dict:
    """What the provider (CinetPay's check, Paystack's verify) says of one pending
    attempt, and what was done about it."""
    row = {k: attempt[k] for k in ("attempt_id", "donation_id", "created_at", "amount", "currency")}
    try:
        check = gateway.check(attempt["attempt_id"])
    except ApiError as exc:
        return {**row, "provider_status": None, "action": "error", "outcome": exc.sentence}
    row["provider_status"] = check.status
    waiting = check.outcome is not None and check.outcome["status"] == "processing"
    # An attempt the provider never gave a payment page for may be unknown to it;
    # any other inconclusive answer (a wrong key…) is an error, never an expiry.
    never_opened = check.outcome is None and attempt["attempt_status"] == "created"
    if check.outcome is not None and not waiting:
        action = "settle"
    elif (waiting or never_opened) and attempt["age"] >= expire_after:
        action = "expire"
    elif waiting or never_opened:
        return {**row, "action": "wait", "outcome": None}
    else:
        outcome = _("inconclusive check: {status}").format(status=check.status)
        return {**row, "action": "error", "outcome": outcome}
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


@app.command(
    "reconcile", help=N_("Ask the provider about pending payments; settle or expire them.")
)
def reconcile(
    provider: Provider = typer.Option(..., "--provider", help=N_("The provider to ask.")),
    older_than: str = typer.Option(
        "30m",
        "--older-than",
        help=N_("Ask about pending payments older than this: 30m, 2h, 1d."),
    ),
    expire_after: str = typer.Option(
        "24h",
        "--expire-after",
        help=N_("Expire those the provider has not concluded by then: 12h, 1d, 3d."),
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Ask, and apply nothing.")),
    as_json: bool = JSON_OPTION,
) -> None:
    older, expire = _duration("--older-than", older_than), _duration("--expire-after", expire_after)
    with db.connect() as conn:  # first: a database down is exit 5 whatever else is missing
        operator.resolve(conn)
        gateway = GATEWAYS[provider.value]()
        pending = conn.execute(PENDING, [provider.value, older]).fetchall()
        with db.payment_code(conn):
            rows = [
                settle_or_expire(gateway, attempt, expire, dry_run)
                for attempt in progress(
                    pending,
                    label=_("asking {provider}").format(provider=db.PROVIDER_NAMES[provider]),
                )
            ]
    counts = {a: sum(r["action"] == a for r in rows) for a in ACTIONS}
    if not dry_run:
        operator.record(
            "payments reconcile", provider=provider.value,
            older_than=older_than, expire_after=expire_after, **counts,
        )  # fmt: skip
    print_rows(
        rows,
        as_json=as_json,
        title=_("Pending {provider} payments older than {age}").format(
            provider=db.PROVIDER_NAMES[provider], age=older_than
        ),
        columns={
            _("attempt"): lambda r: r["attempt_id"][:8],
            _("since"): lambda r: i18n.when(r["created_at"]),
            _("amount"): lambda r: i18n.money(r["amount"], r["currency"]),
            _("provider says"): "provider_status",
            _("action"): lambda r: _(ACTIONS[r["action"]]),
            _("outcome"): "outcome",
        },
        no_wrap=[_("attempt"), _("amount")],
    )
    summary = (
        _("would settle {settle}, expire {expire}; {wait} still waiting, {error} unanswered")
        if dry_run
        else _("did settle {settle}, expire {expire}; {wait} still waiting, {error} unanswered")
    )
    err.print(summary.format(**counts))
    if counts["error"]:
        raise typer.Exit(operator.EXIT_REFUSED)


def _duration(option: str, text: str) -> timedelta:
    """A duration option's value (30m, 12h, 3d); a usage error naming the option."""
    try:
        return parse_duration(text)
    except typer.BadParameter:
        raise typer.BadParameter(
            _("{text!r} is not a duration: write 30m, 12h or 3d").format(text=text),
            param_hint=f"'{option}'",
        ) from None


HELD = """
select w.received_at, w.provider::text, w.event_id, w.event_type, w.outcome, w.detail,
    w.donation_id::text, d.amount, d.currency
from private.webhook_events as w
left join public.donations as d on d.id = w.donation_id
where w.outcome in ('mismatch', 'unknown_payment') and w.received_at >= now() - %s::interval
order by w.received_at desc, w.id desc
"""


@app.command(
    "held", help=N_("Provider events held for review: recorded, acknowledged, credited nothing.")
)
def held(
    since: str = typer.Option("30d", "--since", help=N_("Events received since: 12h, 7d, 90d.")),
    as_json: bool = JSON_OPTION,
) -> None:
    window = _duration("--since", since)
    with db.connect() as conn:
        operator.resolve(conn)
        rows = conn.execute(HELD, [window]).fetchall()
    print_rows(
        rows,
        as_json=as_json,
        title=_("Provider events held for review (last {since})").format(since=since),
        columns={
            _("received"): lambda r: i18n.when(r["received_at"]),
            _("provider"): "provider",
            _("event"): "event_id",
            _("type"): "event_type",
            _("outcome"): "outcome",
            _("donation"): "donation_id",
            _("amount"): lambda r: i18n.money(r["amount"], r["currency"]),
            _("why"): "detail",
        },
        no_wrap=[_("amount")],
    )


CHECK = """
select l.*, c.slug as campaign, c.currency
from private.check_ledger() as l
join public.campaigns as c on c.id = l.campaign_id
order by c.slug
"""


@app.command(
    "check",
    help=N_("The ledger check: totals equal the ledger, and no campaign counts more than it"
            " received."),
)  # fmt: skip
def check(as_json: bool = JSON_OPTION) -> None:
    with db.connect() as conn:
        operator.resolve(conn)
        rows = conn.execute(CHECK).fetchall()

    def amount(key: str):
        return lambda r: i18n.money(r[key], r["currency"])

    print_rows(
        rows,
        as_json=as_json,
        title=_("Campaigns whose books do not hold"),
        columns={
            _("campaign"): "campaign",
            _("collected"): amount("collected_amount"),
            _("ledger collected"): amount("ledger_collected"),
            _("donors"): "donor_count",
            _("counted"): "counted_donations",
            _("ledger net"): amount("ledger_net"),
            _("received"): amount("received"),
        },
        no_wrap=[_("collected"), _("ledger collected"), _("ledger net"), _("received")],
    )
    if rows:
        raise typer.Exit(operator.EXIT_REFUSED)


@app.command(
    "end-recurring",
    help=N_("Delete at Stripe the subscriptions of monthly gifts that are ending, then end them."),
)
def end_recurring(
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("List them, and do nothing.")),
    as_json: bool = JSON_OPTION,
) -> None:
    from admin_scripts import recurring_gifts_cmd

    recurring_gifts_cmd.end_recurring(dry_run, as_json)
