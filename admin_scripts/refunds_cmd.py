"""`cagnotte-admin refunds …`: the refund orders of campaigns closed with refunds
(public.close_campaign_with_refunds writes one per credited donation).

Stripe orders are sent to Stripe's Refund API (`refunds send`, or at once with
`campaigns close --refund`), with the order's id as the idempotency key: sending
twice refunds once. The refund reaches the ledger through Stripe's
charge.refunded webhook, which marks the order refunded. Mobile-money orders are
refunded by hand, then recorded (`refunds record ORDER --reference REF`): the
database writes the refund through the payment core, ledger and totals follow.
Configuration as for the service: STRIPE_SECRET_KEY (STRIPE_API_BASE in tests).
"""

from __future__ import annotations

from typing import Any

import typer

from admin_scripts import choices, db, operator
from admin_scripts.choices import PaymentProvider, RefundOrderStatus
from admin_scripts.console import JSON_OPTION, out, print_json, print_rows
from admin_scripts.operator import OperatorError, acting_as

app = typer.Typer(help="Refunds: list, send (Stripe), record (mobile money).", no_args_is_help=True)

ORDERS_SQL = """
select o.id, c.slug as campaign, o.donation_id, o.provider::text, o.status::text, o.amount,
    o.currency, o.provider_amount, o.payment_ref, o.provider_refund_id, o.error, o.created_at,
    o.refunded_at
from public.refund_orders as o
join public.campaigns as c on c.id = o.campaign_id
where (%(campaign)s::text is null or c.id::text = %(campaign)s or c.slug = %(campaign)s)
    and (%(status)s::text is null or o.status::text = %(status)s)
    and (%(provider)s::text is null or o.provider::text = %(provider)s)
order by o.created_at, o.id
"""


def orders(
    campaign: str | None = None,
    status: str | None = None,
    provider: str | None = None,
) -> list[dict[str, Any]]:
    """The refund orders the operator (an admin) sees, filtered."""
    with db.connect() as conn:
        if campaign is not None:
            campaign = operator.find_id(conn, "campaigns", campaign, slug=True)
        with acting_as(conn):
            return conn.execute(
                ORDERS_SQL, {"campaign": campaign, "status": status, "provider": provider}
            ).fetchall()


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


def send_stripe_refunds(campaign: str | None = None) -> list[dict[str, Any]]:
    """Sends the campaign's (or every) pending or failed Stripe order; each order's
    outcome is recorded (record_refund_request, audited)."""
    from webhooks.errors import ApiError

    stripe_orders = orders(campaign, provider="stripe")
    waiting = [o for o in stripe_orders if o["status"] in ("pending", "failed")]
    if not waiting:
        return []
    sent = []
    try:
        with db.webhooks_service() as service:
            gateway = service.extensions["gateways"]["stripe"]
            gateway.require_configured()
            for order in waiting:
                refund_id, error = _stripe_refund(gateway, order)
                outcome = operator.call(
                    "refunds send", "record_refund_request",
                    str(order["id"]), refund_id, error, target=str(order["id"]),
                )  # fmt: skip
                sent.append(outcome)
    except ApiError as exc:  # Stripe is not configured
        raise OperatorError(f"Stripe: {exc}", operator.EXIT_USAGE) from exc
    return sent


def _summary(rows: list[dict[str, Any]]) -> str:
    by_status: dict[str, int] = {}
    for r in rows:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())) or "nothing to send"


@app.command("list")
def list_(
    campaign: str = typer.Option(None, "--campaign", help="A campaign's id or slug."),
    status: RefundOrderStatus = typer.Option(None, "--status", help="Only this status."),
    provider: PaymentProvider = typer.Option(None, "--provider", help="Only this provider."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Refund orders, oldest first (`--status manual`: what to refund by hand)."""
    try:
        rows = orders(campaign, choices.value(status), choices.value(provider))
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    print_rows(
        rows, as_json=as_json, title="Refund orders",
        columns={
            "id": "id", "campaign": "campaign", "provider": "provider", "status": "status",
            "amount": lambda r: f"{r['amount']} {r['currency']}",
            "payment": "payment_ref", "refund": "provider_refund_id", "error": "error",
        },
    )  # fmt: skip


@app.command("send")
def send(
    campaign: str = typer.Option(None, "--campaign", help="Only this campaign (id or slug)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask Stripe to refund the pending (or failed) Stripe orders."""
    try:
        sent = send_stripe_refunds(campaign)
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    if as_json:
        print_json(sent)
    else:
        out.print(f"Stripe refunds: {_summary(sent)}")
    if any(o["status"] == "failed" for o in sent):
        raise typer.Exit(code=operator.EXIT_REFUSED)


@app.command("record")
def record(
    order: str = typer.Argument(..., help="The refund order's id."),
    reference: str = typer.Option(..., "--reference", help="The transfer's reference."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a mobile-money refund made by hand: the ledger and totals follow."""
    row = operator.call("refunds record", "record_manual_refund", order, reference, target=order)
    if as_json:
        print_json(row)
    else:
        out.print(f"{row['id']} {row['status']} ({row['provider_refund_id']})")
