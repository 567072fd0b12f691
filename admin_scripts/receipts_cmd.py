"""`cagnotte-admin receipts …`: the receipts of succeeded donations and the
credit notes of refunds (public.receipts; issued by the database when the
payment core credits or refunds a donation, numbered R-<year>-000001 and
AV-<year>-000001 without gaps).

- ``list`` a campaign's or a donation's receipts (or the latest), numbers,
  amounts, voided or not.
- ``show`` one: what it froze at issue (donor, campaign, organiser, provider
  reference, the organisation's tax fields) and its signed link, which the
  operator may send to a donor who lost the email (the same link the email
  carries: the service renders the PDF for whoever holds it).
Admins read every receipt (the table's policy); nobody writes one.
"""

from __future__ import annotations

from typing import Any

import typer

from admin_scripts import db, i18n, operator
from admin_scripts.console import JSON_OPTION, print_json, print_rows
from admin_scripts.documents_cmd import print_fields, short
from admin_scripts.errors import EXIT_NOT_FOUND, OperatorError
from admin_scripts.i18n import N_, _
from admin_scripts.operator import acting_as

app = typer.Typer(
    help=N_("Donation receipts and credit notes: list, show (with the signed link)."),
    no_args_is_help=True,
)

RECEIPTS = """
select r.*, x.number as receipt_number
from public.receipts as r
left join public.receipts as x on x.id = r.receipt_id
"""

LISTED = (
    RECEIPTS
    + """
where (%(campaign)s::uuid is null or r.campaign_id = %(campaign)s::uuid)
    and (%(donation)s::uuid is null or r.donation_id = %(donation)s::uuid)
order by r.issued_at desc, r.number desc
limit %(limit)s
"""
)


def kind(row: dict[str, Any]) -> str:
    return _("receipt") if row["kind"] == "receipt" else _("credit note")


@app.command(
    "list", help=N_("Receipts and credit notes, newest first (of a campaign, a donation).")
)
def list_(
    campaign: str = typer.Option(None, "--campaign", help=N_("Only this campaign (id or slug).")),
    donation: str = typer.Option(None, "--donation", help=N_("Only this donation (id).")),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn:
        campaign_id = operator.find_id(conn, "campaigns", campaign, slug=True) if campaign else None
        donation_id = operator.find_id(conn, "donations", donation) if donation else None
        with acting_as(conn):
            rows = conn.execute(
                LISTED, {"campaign": campaign_id, "donation": donation_id, "limit": limit}
            ).fetchall()
    print_rows(
        rows, as_json=as_json, title=_("Receipts"),
        columns={
            _("number"): "number",
            _("kind"): kind,
            _("amount"): lambda r: i18n.money(r["amount"], r["currency"]),
            _("donor"): "donor_name",
            _("campaign"): "campaign_title",
            _("issued"): lambda r: i18n.when(r["issued_at"]),
            _("void"): lambda r: _("yes") if r["voided_at"] else "",
            _("id"): lambda r: short(r["id"]),
        },
    )  # fmt: skip


def one(conn, text: str) -> dict[str, Any]:
    """A receipt by its number (R-2026-000001) or its id, as the operator reads it."""
    with acting_as(conn):
        row = conn.execute(RECEIPTS + " where r.number = %s", [text.strip().upper()]).fetchone()
    if row is None:
        found = operator.find_id(conn, "receipts", text)
        with acting_as(conn):
            row = conn.execute(RECEIPTS + " where r.id = %s", [found]).fetchone()
    if row is None:
        raise OperatorError(_("{id}: no such receipt").format(id=text), EXIT_NOT_FOUND)
    row["link"] = conn.execute(
        "select private.site_link(private.receipt_path(%s)) as link", [row["id"]]
    ).fetchone()["link"]
    return row


@app.command("show", help=N_("One receipt or credit note, with its signed link."))
def show(
    receipt: str = typer.Argument(
        ..., help=N_("The receipt's number (R-2026-000001) or id (or its first characters).")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn:
        row = one(conn, receipt)
    if as_json:
        print_json(row)
        return
    tax = [
        (_("Organisation"), row["organisation_name"]),
        ("RCCM", row["organisation_rccm"]),
        ("NINEA", row["organisation_ninea"]),
        ("IFU", row["organisation_ifu"]),
    ] if row["organisation_name"] else []  # fmt: skip
    print_fields(
        f"{kind(row)} {row['number']}",
        [
            (_("Amount"), i18n.money(row["amount"], row["currency"])),
            (_("On receipt"), row["receipt_number"]),
            (_("Donor"), row["donor_name"]),
            (_("Campaign"), row["campaign_title"]),
            (_("Organiser"), row["organiser_name"]),
            (_("Donated"), i18n.when(row["donated_at"])),
            (_("Issued"), i18n.when(row["issued_at"])),
            (_("Voided"), i18n.when(row["voided_at"]) if row["voided_at"] else None),
            (_("Provider reference"), f"{row['provider']} {row['provider_ref'] or ''}".strip()),
            (_("Language"), row["locale"]),
            *tax,
            (_("Donation"), row["donation_id"]),
            (_("Link"), row["link"]),
        ],
    )
