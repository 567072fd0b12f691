"""`cagnotte-admin recurring-gifts …`: monthly gifts by card (Stripe subscriptions).

- ``list`` the gifts the operator sees (admins: all; ``--status``, ``--campaign``);
  ``show`` one, with its donations (one per paid month).
- ``payments end-recurring`` (registered in the payments group: it talks to
  Stripe like reconcile): deletes at Stripe the subscriptions of the gifts that
  are ending (their donor cancelled them from their account, or their campaign
  closed), then ends them (the donor was told when they began ending). Running
  it twice is harmless (a subscription already gone counts as deleted);
  schedulable like `payments reconcile`.
"""

from __future__ import annotations

from typing import Any

import typer

from admin_scripts import choices, db, i18n, operator
from admin_scripts.choices import RecurringGiftStatus
from admin_scripts.console import JSON_OPTION, err, print_json, print_rows
from admin_scripts.documents_cmd import print_fields, short
from admin_scripts.errors import EXIT_NOT_FOUND, OperatorError
from admin_scripts.i18n import N_, _
from admin_scripts.operator import acting_as
from webhooks.errors import ApiError

app = typer.Typer(help=N_("Monthly gifts by card: list, show."), no_args_is_help=True)

GIFTS = """
select g.id, g.campaign_id, c.slug as campaign, g.donor_id, p.display_name as donor_name,
    g.amount, g.currency, g.status::text as status, g.end_reason::text as end_reason,
    g.failed_payments, g.last_failure_at, g.created_at, g.started_at, g.ended_at
from public.recurring_gifts as g
inner join public.campaigns as c on g.campaign_id = c.id
left join public.profiles as p on g.donor_id = p.id
"""

LISTED = (
    GIFTS
    + """
where (%(status)s::text is null or g.status::text = %(status)s)
    and (%(campaign)s::uuid is null or g.campaign_id = %(campaign)s::uuid)
order by g.created_at desc, g.id
limit %(limit)s
"""
)


def one(conn, gift_id: str) -> dict[str, Any]:
    row = conn.execute(GIFTS + " where g.id = %s", [gift_id]).fetchone()
    if row is None:
        raise OperatorError(_("{id}: no such recurring gift").format(id=gift_id), EXIT_NOT_FOUND)
    return row


@app.command("list", help=N_("Monthly gifts, newest first (or --status, --campaign)."))
def list_(
    status: RecurringGiftStatus = typer.Option(None, "--status", help=N_("Only this status.")),
    campaign: str = typer.Option(None, "--campaign", help=N_("Only this campaign (id or slug).")),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn:
        campaign_id = operator.find_id(conn, "campaigns", campaign, slug=True) if campaign else None
        with acting_as(conn):
            rows = conn.execute(
                LISTED, {"status": choices.value(status), "campaign": campaign_id, "limit": limit}
            ).fetchall()
    print_rows(
        rows, as_json=as_json, title=_("Monthly gifts"),
        columns={
            _("id"): lambda r: short(r["id"]),
            _("campaign"): "campaign",
            _("donor"): lambda r: r["donor_name"] or _("guest"),
            _("each month"): lambda r: i18n.money(r["amount"], r["currency"]),
            _("status"): "status",
            _("reason"): "end_reason",
            _("started"): lambda r: i18n.when(r["started_at"]),
        },
    )  # fmt: skip


@app.command("show", help=N_("One monthly gift and its donations (one per paid month)."))
def show(
    gift: str = typer.Argument(..., help=N_("The gift's id (or its first characters).")),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn:
        found = operator.find_id(conn, "recurring_gifts", gift)
        with acting_as(conn):
            row = one(conn, found)
        months = conn.execute(
            "select d.id, d.amount, d.currency, d.status::text as status, d.succeeded_at"
            " from private.recurring_gift_payments as p"
            " join public.donations as d on d.id = p.donation_id"
            " where p.gift_id = %s order by p.created_at",
            [found],
        ).fetchall()
    if as_json:
        print_json({**row, "donations": months})
        return
    print_fields(
        _("Monthly gift {id}").format(id=row["id"]),
        [
            (_("Campaign"), row["campaign"]),
            (_("Donor"), row["donor_name"] or _("guest")),
            (_("Each month"), i18n.money(row["amount"], row["currency"])),
            (_("Status"), row["status"]),
            (_("Reason"), row["end_reason"]),
            (_("Failed renewals"), row["failed_payments"]),
            (_("Started"), i18n.when(row["started_at"])),
            (_("Ended"), i18n.when(row["ended_at"])),
            (_("Paid months"), len(months)),
        ],
    )


def end_recurring(dry_run: bool, as_json: bool) -> None:
    """payments end-recurring: see the module's text."""
    from webhooks import recurring_gifts

    with db.connect() as conn:
        operator.resolve(conn)
        gateway = db.stripe_gateway()
        todo = conn.execute(
            "select recurring_gift_id::text, subscription_ref, end_reason::text"
            " from private.recurring_gifts_to_end(1000)"
        ).fetchall()
        rows = []
        with db.payment_code(conn):
            for gift in todo:
                row = {**gift, "action": "end", "outcome": None}
                if not dry_run:
                    try:
                        row["outcome"] = recurring_gifts.end_at_stripe(
                            gateway, gift["recurring_gift_id"], gift["subscription_ref"]
                        )["status"]
                    except ApiError as exc:
                        row.update(action="error", outcome=exc.sentence)
                rows.append(row)
    ended = sum(r["action"] == "end" for r in rows)
    failed = sum(r["action"] == "error" for r in rows)
    if not dry_run:
        operator.record("payments end-recurring", ended=ended, errors=failed)
    print_rows(
        rows, as_json=as_json, title=_("Monthly gifts ending"),
        columns={
            _("gift"): lambda r: r["recurring_gift_id"][:8],
            _("subscription"): "subscription_ref",
            _("reason"): "end_reason",
            _("outcome"): "outcome",
        },
    )  # fmt: skip
    err.print(_("{ended} ended, {failed} unanswered").format(ended=ended, failed=failed))
    if failed:
        raise typer.Exit(operator.EXIT_REFUSED)
