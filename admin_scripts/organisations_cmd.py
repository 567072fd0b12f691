"""`cagnotte-admin organisations …`: organisations registered for tax receipts
(public.organisations) and the campaigns they run (public.campaign_organisations).

- ``list`` the organisations and how many campaigns each runs.
- ``register`` one (legal name, address, RCCM / NINEA / IFU: at least one, the
  legal mention in French and English) through public.register_organisation.
- ``attach`` an organisation to a campaign, ``detach`` it, through
  public.set_campaign_organisation: the receipts issued from then on carry its
  tax fields (those already issued keep theirs).
Admins only, never on the campaign's team (the database's rules); audited.
"""

from __future__ import annotations

import typer

from admin_scripts import db, operator
from admin_scripts.console import JSON_OPTION, out, print_json, print_rows
from admin_scripts.documents_cmd import short
from admin_scripts.i18n import N_, _
from admin_scripts.operator import acting_as

app = typer.Typer(
    help=N_("Organisations registered for tax receipts: list, register, attach to a campaign."),
    no_args_is_help=True,
)

LISTED = """
select o.*, (select count(*) from public.campaign_organisations as c where c.organisation_id = o.id)
    as campaigns
from public.organisations as o
order by o.legal_name, o.id
"""


@app.command("list", help=N_("The organisations and how many campaigns each runs."))
def list_(as_json: bool = JSON_OPTION) -> None:
    with db.connect() as conn, acting_as(conn):
        rows = conn.execute(LISTED).fetchall()
    print_rows(
        rows, as_json=as_json, title=_("Organisations"),
        columns={
            _("id"): lambda r: short(r["id"]),
            _("legal name"): "legal_name",
            "RCCM": "rccm", "NINEA": "ninea", "IFU": "ifu",
            _("campaigns"): "campaigns",
        },
    )  # fmt: skip


@app.command("register", help=N_("Register an organisation for tax receipts (audited)."))
def register(
    legal_name: str = typer.Option(..., "--legal-name", help=N_("Its registered name.")),
    address: str = typer.Option(..., "--address", help=N_("Its registered address.")),
    mention_fr: str = typer.Option(
        ..., "--mention-fr", help=N_("The legal mention printed on French receipts.")
    ),
    mention_en: str = typer.Option(
        ..., "--mention-en", help=N_("The legal mention printed on English receipts.")
    ),
    rccm: str = typer.Option(None, "--rccm", help=N_("Trade and personal property register.")),
    ninea: str = typer.Option(None, "--ninea", help=N_("Senegal's tax identification number.")),
    ifu: str = typer.Option(None, "--ifu", help=N_("Unique tax identifier.")),
    as_json: bool = JSON_OPTION,
) -> None:
    row = operator.call(
        "organisations register", "register_organisation",
        legal_name, address, mention_fr, mention_en, rccm, ninea, ifu, target=legal_name,
    )  # fmt: skip
    if as_json:
        print_json(row)
        return
    out.print(_("Registered: {name} ({id}).").format(name=row["legal_name"], id=short(row["id"])))


def link(action: str, campaign: str, organisation: str | None) -> tuple[str, str | None]:
    campaign_id = operator.full_id("campaigns", campaign, slug=True)
    organisation_id = operator.full_id("organisations", organisation) if organisation else None
    operator.call(
        action, "set_campaign_organisation", campaign_id, organisation_id, target=campaign_id
    )
    return campaign_id, organisation_id


@app.command(
    "attach", help=N_("The organisation runs the campaign: its next receipts carry its tax fields.")
)
def attach(
    organisation: str = typer.Argument(
        ..., help=N_("The organisation's id (or its first characters).")
    ),
    campaign: str = typer.Argument(..., help=N_("The campaign (id or slug).")),
    as_json: bool = JSON_OPTION,
) -> None:
    campaign_id, organisation_id = link("organisations attach", campaign, organisation)
    if as_json:
        print_json({"campaign_id": campaign_id, "organisation_id": organisation_id})
        return
    out.print(_("Attached: campaign {campaign} is run by {organisation}.").format(
        campaign=short(campaign_id), organisation=short(organisation_id)))  # fmt: skip


@app.command("detach", help=N_("The campaign's next receipts carry no organisation."))
def detach(
    campaign: str = typer.Argument(..., help=N_("The campaign (id or slug).")),
    as_json: bool = JSON_OPTION,
) -> None:
    campaign_id, _none = link("organisations detach", campaign, None)
    if as_json:
        print_json({"campaign_id": campaign_id, "organisation_id": None})
        return
    out.print(_("Detached: campaign {campaign} is run by no organisation.").format(
        campaign=short(campaign_id)))  # fmt: skip
