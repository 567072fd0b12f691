"""`cagnotte-admin refunds …`: the refund orders of campaigns closed with refunds
(public.close_campaign_with_refunds writes one per credited donation).

Stripe orders are sent to Stripe's Refund API (`refunds send`, or at once with
`campaigns close --refund`), with the order's id as the idempotency key: sending
twice refunds once. The refund reaches the ledger through Stripe's
charge.refunded webhook, which marks the order refunded. Mobile-money orders are
refunded by hand, then recorded (`refunds record ORDER --reference REF`): the
database writes the refund through the payment core, ledger and totals follow.
Both give money back for good: each asks first (`--yes` for scripts).

The console builds the service's Stripe gateway from its own settings
(admin_scripts.settings: STRIPE_SECRET_KEY, STRIPE_API_BASE in tests; the
environment, else .env.local), no Flask app; missing: exit 6, naming it.
"""

from __future__ import annotations

from typing import Any

import typer

from admin_scripts import choices, db, i18n, operator
from admin_scripts.choices import PaymentProvider, RefundOrderStatus
from admin_scripts.console import (
    JSON_OPTION,
    YES_OPTION,
    confirm,
    out,
    print_json,
    print_rows,
    progress,
)
from admin_scripts.i18n import N_, _, ngettext
from admin_scripts.operator import acting_as

app = typer.Typer(
    help=N_("Refunds: list, send (Stripe), record (mobile money)."), no_args_is_help=True
)

# The orders' statuses as the operator reads them (public.refund_order_status).
STATUSES = {
    "pending": N_("pending"),
    "requested": N_("requested from Stripe"),
    "refunded": N_("refunded"),
    "manual": N_("to refund by hand"),
    "failed": N_("failed"),
}

ORDERS_SQL = """
select o.id, c.slug as campaign, o.donation_id, o.provider::text, o.status::text, o.amount,
    o.currency, o.provider_amount, o.payment_ref, o.provider_refund_id, o.error, o.created_at,
    o.refunded_at
from public.refund_orders as o
join public.campaigns as c on c.id = o.campaign_id
where (%(campaign)s::text is null or c.id::text = %(campaign)s or c.slug = %(campaign)s)
    and (%(status)s::text is null or o.status::text = %(status)s)
    and (%(provider)s::text is null or o.provider::text = %(provider)s)
    and (%(order)s::uuid is null or o.id = %(order)s)
order by o.created_at, o.id
"""


def orders(
    campaign: str | None = None,
    status: str | None = None,
    provider: str | None = None,
    order: str | None = None,
) -> list[dict[str, Any]]:
    """The refund orders the operator (an admin) sees, filtered."""
    with db.connect() as conn:
        if campaign is not None:
            campaign = operator.find_id(conn, "campaigns", campaign, slug=True)
        if order is not None:
            order = operator.find_id(conn, "refund_orders", order)
        with acting_as(conn):
            return conn.execute(
                ORDERS_SQL,
                {"campaign": campaign, "status": status, "provider": provider, "order": order},
            ).fetchall()


def totals(rows: list[dict[str, Any]]) -> str:
    """The orders' amounts, added up per currency: ``12 000 F CFA + 100,00 €``."""
    by_currency: dict[str, int] = {}
    for r in rows:
        by_currency[r["currency"]] = by_currency.get(r["currency"], 0) + r["amount"]
    return " + ".join(i18n.money(n, c) for c, n in sorted(by_currency.items())) or "-"


def _stripe_refund(gateway, order: dict[str, Any]) -> tuple[str | None, str | None]:
    """Asks Stripe to refund the order: (refund id, None) or (None, Stripe's error)."""
    import stripe

    ref = order["payment_ref"] or ""
    params: dict[str, Any] = {
        "amount": order["provider_amount"],
        "charge" if ref.startswith("ch_") else "payment_intent": ref,
        "metadata": {"refund_order_id": str(order["id"]), "donation_id": str(order["donation_id"])},
    }
    try:
        refund = gateway.client.v1.refunds.create(
            params=params, options={"idempotency_key": f"refund-order-{order['id']}"}
        )
    except stripe.StripeError as exc:
        return None, (exc.user_message or str(exc))[:500]
    return refund.id, None


def waiting_stripe_orders(campaign: str | None = None) -> list[dict[str, Any]]:
    """The campaign's (or every) Stripe order still to send: pending, or failed."""
    return [o for o in orders(campaign, provider="stripe") if o["status"] in ("pending", "failed")]


def send_stripe_refunds(
    campaign: str | None = None,
    *,
    waiting: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Sends the campaign's (or every) pending or failed Stripe order (or those
    ``waiting``); each order's outcome is recorded (record_refund_request, audited).
    Stripe not configured: exit 6, naming its setting."""
    if waiting is None:
        waiting = waiting_stripe_orders(campaign)
    if not waiting:
        return []
    gateway = db.stripe_gateway()
    sent = []
    for order in progress(waiting, label=_("sending refunds to Stripe")):
        refund_id, error = _stripe_refund(gateway, order)
        outcome = operator.call(
            "refunds send", "record_refund_request",
            str(order["id"]), refund_id, error, target=str(order["id"]),
        )  # fmt: skip
        sent.append(outcome)
    return sent


def _summary(rows: list[dict[str, Any]]) -> str:
    by_status: dict[str, int] = {}
    for r in rows:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    counts = (
        _("{status}: {count}").format(status=_(STATUSES.get(s, s)), count=n)
        for s, n in sorted(by_status.items())
    )
    return ", ".join(counts) or _("nothing to send")


@app.command(
    "list", help=N_("Refund orders, oldest first (`--status manual`: what to refund by hand).")
)
def list_(
    campaign: str = typer.Option(None, "--campaign", help=N_("A campaign's id or slug.")),
    status: RefundOrderStatus = typer.Option(None, "--status", help=N_("Only this status.")),
    provider: PaymentProvider = typer.Option(None, "--provider", help=N_("Only this provider.")),
    as_json: bool = JSON_OPTION,
) -> None:
    rows = orders(campaign, choices.value(status), choices.value(provider))
    print_rows(
        rows, as_json=as_json, title=_("Refund orders"),
        columns={
            _("id"): lambda r: str(r["id"])[:8], _("campaign"): "campaign",
            _("provider"): "provider",
            _("status"): lambda r: _(STATUSES.get(r["status"], r["status"])),
            _("amount"): lambda r: i18n.money(r["amount"], r["currency"]),
            _("payment"): "payment_ref", _("refund"): "provider_refund_id", _("error"): "error",
        },
        no_wrap=[_("id"), _("amount")],
    )  # fmt: skip


@app.command("send", help=N_("Ask Stripe to refund the pending (or failed) Stripe orders."))
def send(
    campaign: str = typer.Option(None, "--campaign", help=N_("Only this campaign (id or slug).")),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    waiting = waiting_stripe_orders(campaign)
    if waiting:
        db.require_provider("stripe")  # before asking: nothing to confirm if it cannot be sent
    if waiting and not yes:
        confirm(
            ngettext(
                "Send {count} refund to Stripe ({total})? The donor's card is credited: it"
                " cannot be undone.",
                "Send {count} refunds to Stripe ({total})? The donors' cards are credited: it"
                " cannot be undone.",
                len(waiting),
            ).format(count=len(waiting), total=totals(waiting)),
        )
    sent = send_stripe_refunds(waiting=waiting)
    if as_json:
        print_json(sent)
    else:
        out.print(_("Stripe refunds: {summary}").format(summary=_summary(sent)))
    if any(o["status"] == "failed" for o in sent):
        raise typer.Exit(code=operator.EXIT_REFUSED)


@app.command(
    "record",
    help=N_("Record a mobile-money refund made by hand: the ledger and totals follow."),
)
def record(
    order: str = typer.Argument(..., help=N_("The refund order's id (or its first characters).")),
    reference: str = typer.Option(..., "--reference", help=N_("The transfer's reference.")),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    found = orders(order=order)
    if not found:  # an id no admin's view holds (RLS)
        raise operator.OperatorError(
            _("no refund order {id} for you").format(id=order), operator.EXIT_NOT_FOUND
        )
    (row,) = found
    if not yes:
        confirm(
            _(
                "Record that {amount} was refunded by hand for order {id} (campaign {campaign}),"
                " transfer {reference}? The ledger follows: it cannot be undone."
            ).format(
                amount=i18n.money(row["amount"], row["currency"]),
                id=row["id"],
                campaign=row["campaign"],
                reference=reference,
            ),
        )
    order_id = str(row["id"])
    row = operator.call(
        "refunds record", "record_manual_refund", order_id, reference, target=order_id
    )
    if as_json:
        print_json(row)
    else:
        out.print(
            f"{row['id']} {_(STATUSES.get(row['status'], row['status']))}"
            f" ({row['provider_refund_id']})"
        )
