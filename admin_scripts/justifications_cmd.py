"""`cagnotte-admin justifications …`: what paid payouts paid for (the lines
their campaign's team publishes), and the payouts left unjustified past their
category's deadline, which block the campaign's next payout until staff clear
them (the database's rules: 20261130180400_create_payout_justifications.sql).

- ``list`` the paid payouts not yet justified nor cleared, overdue first (or
  ``--all``, ``--campaign``): campaign, payout, paid on, amount, justified,
  deadline, state.
- ``show`` one payout's justification and its lines, drafts too, each with a
  signed link to its private receipt (a Cloudinary asset of type
  ``authenticated`` under ``africagnotte/justifications/<campaign id>/``, signed
  as ``documents open`` signs, valid for ``--minutes``; audited). Without
  CLOUDINARY_URL the receipts are named, not linked.
- ``clear`` a payout with a note, through public.clear_justification as the
  operator (staff, never on the campaign's team: the database decides),
  audited: it no longer blocks anything.
- ``remove`` a published line (an unredacted receipt, an abusive text), with a
  reason, through public.remove_justification_line (asks; ``--yes``): no longer
  public, it no longer counts as justified.
"""

from __future__ import annotations

from typing import Any

import typer

from admin_scripts import db, documents_cmd, i18n, operator
from admin_scripts.console import (
    JSON_OPTION,
    YES_OPTION,
    confirm,
    err,
    out,
    print_json,
    print_rows,
)
from admin_scripts.documents_cmd import print_fields, short
from admin_scripts.errors import EXIT_NOT_FOUND, OperatorError
from admin_scripts.i18n import N_, _
from admin_scripts.operator import acting_as
from admin_scripts.settings import settings

app = typer.Typer(
    help=N_("Justified spending of paid payouts: list what is due or overdue, show, clear."),
    no_args_is_help=True,
)

PAYOUTS_SQL = """
select c.id as campaign_id, c.slug as campaign, c.title as campaign_title, j.payout_id, j.paid_at,
    j.amount, j.currency, j.justified, j.due_at, j.cleared_at, j.overdue
from public.campaigns as c
cross join lateral public.payout_justifications(c.id) as j
"""

LIST_SQL = (
    PAYOUTS_SQL
    + """
where (%(campaign)s::uuid is null or c.id = %(campaign)s::uuid)
    and (%(every)s or (j.justified < j.amount and j.cleared_at is null))
order by j.overdue desc, j.due_at nulls last, j.paid_at, j.payout_id
limit %(limit)s
"""
)

ONE_SQL = PAYOUTS_SQL + "where c.id = %(campaign)s and j.payout_id = %(payout)s"

LINES_SQL = """
select l.id, l.status::text as status, l.description, l.amount, l.currency, l.spent_on, l.supplier,
    r.file_ref as receipt_ref, l.public_image_ref, l.published_at
from public.justification_lines as l
left join public.justification_receipts as r on r.line_id = l.id
where l.payout_id = %s
order by l.spent_on, l.created_at, l.id
"""


def state(row: dict[str, Any]) -> str:
    """Where a payout's justification stands, as the operator reads it."""
    if row["overdue"]:
        return _("overdue")
    if row["cleared_at"] is not None:
        return _("cleared")
    if row["justified"] >= row["amount"]:
        return _("justified")
    return _("in time")


def money(row: dict[str, Any], key: str = "amount") -> str:
    return i18n.money(row[key], row["currency"])


@app.command(
    "list",
    help=N_("Paid payouts not yet justified nor cleared, overdue first (or --all, --campaign)."),
)
def list_(
    every: bool = typer.Option(
        False, "--all", help=N_("Every paid payout, justified and cleared ones too.")
    ),
    campaign: str = typer.Option(None, "--campaign", help=N_("Only this campaign (id or slug).")),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn:
        campaign_id = operator.find_id(conn, "campaigns", campaign, slug=True) if campaign else None
        with acting_as(conn):
            rows = conn.execute(
                LIST_SQL, {"campaign": campaign_id, "every": every, "limit": limit}
            ).fetchall()
    print_rows(
        rows, as_json=as_json, title=_("Justified spending"),
        columns={
            _("campaign"): "campaign",
            _("payout"): lambda r: short(r["payout_id"]),
            _("paid"): lambda r: i18n.when(r["paid_at"]),
            _("amount"): money,
            _("justified"): lambda r: money(r, "justified"),
            _("deadline"): lambda r: i18n.when(r["due_at"]),
            _("state"): state,
        },
        no_wrap=(_("amount"), _("justified")),
    )  # fmt: skip


def campaign_of(conn, payout_id: str) -> str:
    row = conn.execute(
        "select campaign_id::text as id from public.payout_requests where id = %s", [payout_id]
    ).fetchone()
    return row["id"]


def receipt_links(lines: list[dict[str, Any]], minutes: int) -> bool:
    """Each line's signed receipt link (``receipt_url``), when Cloudinary is
    configured; whether it is."""
    if settings().cloudinary is None:
        return False
    for line in lines:
        ref = line["receipt_ref"]
        line["receipt_url"], line["receipt_expires_at"] = (
            documents_cmd.signed_url(ref, minutes) if ref else (None, None)
        )
    return True


@app.command(
    "show",
    help=N_("One payout's justification and its lines, each with a signed link to its receipt"
            " (audited)."),
)  # fmt: skip
def show(
    payout: str = typer.Argument(..., help=N_("The payout's id (or its first characters).")),
    minutes: int = typer.Option(
        15, "--minutes", min=1, max=24 * 60, help=N_("How long the links work, in minutes.")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn:
        found = operator.find_id(conn, "payout_requests", payout)
        campaign_id = campaign_of(conn, found)
        linked = settings().cloudinary is not None
        with acting_as(
            conn, "justifications show" if linked else None, target=found, minutes=minutes
        ):
            row = conn.execute(ONE_SQL, {"campaign": campaign_id, "payout": found}).fetchone()
            lines = conn.execute(LINES_SQL, [found]).fetchall()
    if row is None:
        raise OperatorError(
            _("{id}: this payout is not paid, nothing to justify").format(id=found), EXIT_NOT_FOUND
        )
    receipt_links(lines, minutes)
    if as_json:
        print_json({**row, "lines": lines})
        return
    print_fields(
        _("Justification of payout {id}").format(id=row["payout_id"]),
        [
            (_("Campaign"), f"{row['campaign']} ({row['campaign_title']})"),
            (_("Paid"), i18n.when(row["paid_at"])),
            (_("Amount"), money(row)),
            (_("Justified"), money(row, "justified")),
            (_("Deadline"), i18n.when(row["due_at"])),
            (_("Cleared"), i18n.when(row["cleared_at"])),
            (_("State"), state(row)),
        ],
    )
    for line in lines:
        out.print()
        print_fields(
            f"{line['description']} ({short(line['id'])})",
            [
                (_("Status"), line["status"]),
                (_("Amount"), money(line)),
                (_("Spent on"), i18n.when(line["spent_on"])),
                (_("Supplier"), line["supplier"]),
                (_("Receipt"), line.get("receipt_url") or line["receipt_ref"]),
                (_("Public image"), line["public_image_ref"]),
            ],
        )
    if lines and not linked:
        err.print(_("Cloudinary is not configured: receipts are named, not linked."))
    elif lines:
        err.print(_("The links work for {minutes} minutes.").format(minutes=minutes))


@app.command(
    "clear",
    help=N_("Clear a paid payout's justification with a note: it no longer blocks the"
            " campaign's payouts."),
)  # fmt: skip
def clear(
    payout: str = typer.Argument(..., help=N_("The payout's id (or its first characters).")),
    note: str = typer.Option(
        ..., "--note", help=N_("Why it is cleared (kept with the decision, audited).")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    found = operator.full_id("payout_requests", payout)
    row = operator.call("justifications clear", "clear_justification", found, note, target=found)
    if as_json:
        print_json(row)
        return
    out.print(
        _("Cleared: payout {id} ({justified} of {amount} justified); it no longer blocks the"
          " campaign's payouts.").format(
            id=short(found), justified=money(row, "justified"), amount=money(row)
        )
    )  # fmt: skip


@app.command(
    "remove",
    help=N_("Take a published line down, with the reason (an unredacted receipt, an abusive"
            " text): no longer public, it no longer justifies its payout."),
)  # fmt: skip
def remove(
    line: str = typer.Argument(..., help=N_("The line's id (or its first characters).")),
    reason: str = typer.Option(
        ..., "--reason", help=N_("Why it is taken down (the team reads it, audited).")
    ),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    found = operator.full_id("justification_lines", line)
    confirm(_("Take justification line {id} down?").format(id=short(found)), yes=yes)
    row = operator.call(
        "justifications remove", "remove_justification_line", found, reason, target=found
    )
    if as_json:
        print_json(row)
        return
    out.print(
        _("Taken down: {description} ({amount}); it no longer justifies its payout.").format(
            description=row["description"], amount=money(row)
        )
    )
