"""`cagnotte-admin offline-gifts …` (dons hors ligne attestés): cash and agent
gifts a campaign's treasurer recorded, which staff may co-sign.

- ``list`` the gifts, those waiting for a co-signature first (or ``--status``,
  ``--campaign``); ``show`` one: campaign, amount, day, channel, giver (when
  they agreed), who recorded, attested, refused or withdrew it, and a signed
  link to the slip's photo (a private Cloudinary asset under
  ``africagnotte/offline/<campaign id>/``, signed as documents_cmd does, valid
  for ``--minutes``; making one is audited: it may show personal data).
- ``attest``, ``refuse --reason`` and ``withdraw --reason`` decide through
  public.attest_offline_gift, refuse_offline_gift and withdraw_offline_gift as
  the operator: the database's rules (staff off the campaign's team, never the
  gift's recorder; a reason to refuse or withdraw), audited. Withdrawing an
  attested gift takes it out of the campaign's progress: confirmed first.
"""

from __future__ import annotations

from typing import Any

import typer

from admin_scripts import choices, db, i18n, operator
from admin_scripts.choices import OfflineGiftStatus
from admin_scripts.console import (
    JSON_OPTION,
    YES_OPTION,
    confirm,
    err,
    out,
    print_json,
    print_rows,
)
from admin_scripts.documents_cmd import print_fields, short, signed_url
from admin_scripts.errors import EXIT_NOT_FOUND, OperatorError
from admin_scripts.i18n import N_, _
from admin_scripts.operator import acting_as
from admin_scripts.settings import settings

app = typer.Typer(
    help=N_("Attested offline gifts (dons hors ligne attestés): list, show, attest, refuse,"
            " withdraw."),
    no_args_is_help=True,
)  # fmt: skip


GIFTS = """
select g.id, g.campaign_id, c.slug as campaign, c.title as campaign_title, g.amount, g.currency,
    g.received_on, g.channel::text as channel, g.giver_consented, g.giver_name, g.slip_ref,
    g.status::text as status, g.recorded_by, r.display_name as recorded_by_name, g.recorded_at,
    g.attested_by, a.display_name as attested_by_name, g.attested_at,
    g.refused_by, f.display_name as refused_by_name, g.refused_at,
    g.withdrawn_by, w.display_name as withdrawn_by_name, g.withdrawn_at, g.reason
from public.offline_gifts as g
inner join public.campaigns as c on g.campaign_id = c.id
left join public.profiles as r on g.recorded_by = r.id
left join public.profiles as a on g.attested_by = a.id
left join public.profiles as f on g.refused_by = f.id
left join public.profiles as w on g.withdrawn_by = w.id
"""

LISTED = (
    GIFTS
    + """
where (%(status)s::text is null or g.status::text = %(status)s)
    and (%(campaign)s::uuid is null or g.campaign_id = %(campaign)s::uuid)
order by g.status = 'pending' desc, g.recorded_at, g.id
limit %(limit)s
"""
)

CHANNELS = {"cash": N_("cash"), "agent": N_("mobile-money agent")}


def channel(row: dict[str, Any]) -> str:
    return _(CHANNELS[row["channel"]]) if row["channel"] in CHANNELS else row["channel"]


def one(conn, gift_id: str) -> dict[str, Any]:
    row = conn.execute(GIFTS + " where g.id = %s", [gift_id]).fetchone()
    if row is None:
        raise OperatorError(
            _("{thing}: no id starts with {prefix}").format(
                thing=operator.row_name("offline_gifts"), prefix=gift_id
            ),
            EXIT_NOT_FOUND,
        )
    return row


GIFT_ARGUMENT = N_("The offline gift's id (or its first characters).")


@app.command(
    "list", help=N_("Offline gifts, those waiting for a co-signature first (or --status).")
)
def list_(
    status: OfflineGiftStatus = typer.Option(None, "--status", help=N_("Only this status.")),
    campaign: str = typer.Option(None, "--campaign", help=N_("Only this campaign (id or slug).")),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn:
        campaign_id = operator.find_id(conn, "campaigns", campaign, slug=True) if campaign else None
        with acting_as(conn):
            rows = conn.execute(
                LISTED,
                {"status": choices.value(status), "campaign": campaign_id, "limit": limit},
            ).fetchall()
    print_rows(
        rows, as_json=as_json, title=_("Offline gifts"),
        columns={
            _("id"): lambda r: short(r["id"]),
            _("campaign"): "campaign",
            _("amount"): lambda r: i18n.money(r["amount"], r["currency"]),
            _("received"): lambda r: i18n.when(r["received_on"]),
            _("channel"): channel,
            _("status"): "status",
            _("recorded by"): "recorded_by_name",
        },
    )  # fmt: skip


@app.command(
    "show",
    help=N_("One offline gift: its campaign, amount, giver, who vouched for it, and a signed"
            " link to its slip (audited)."),
)  # fmt: skip
def show(
    gift: str = typer.Argument(..., help=GIFT_ARGUMENT),
    minutes: int = typer.Option(
        15, "--minutes", min=1, max=24 * 60, help=N_("How long the link works, in minutes.")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    found = operator.full_id("offline_gifts", gift)
    linked = settings().cloudinary is not None
    with (
        db.connect() as conn,
        acting_as(conn, "offline-gifts show" if linked else None, target=found, minutes=minutes),
    ):
        row = one(conn, found)
    url, expires = signed_url(row["slip_ref"], minutes) if linked else (None, None)
    if as_json:
        print_json({**row, "url": url, "expires_at": expires})
        return
    print_fields(
        _("Offline gift {id}").format(id=row["id"]),
        [
            (_("Campaign"), f"{row['campaign']} ({row['campaign_title']})"),
            (_("Amount"), i18n.money(row["amount"], row["currency"])),
            (_("Received"), i18n.when(row["received_on"])),
            (_("Channel"), channel(row)),
            (_("Giver"), row["giver_name"] if row["giver_consented"] else _("not named")),
            (_("Status"), row["status"]),
            (_("Recorded by"), row["recorded_by_name"] or row["recorded_by"]),
            (_("Recorded"), i18n.when(row["recorded_at"])),
            (_("Attested by"), row["attested_by_name"] or row["attested_by"]),
            (_("Attested"), i18n.when(row["attested_at"])),
            (_("Refused by"), row["refused_by_name"] or row["refused_by"]),
            (_("Withdrawn by"), row["withdrawn_by_name"] or row["withdrawn_by"]),
            (_("Reason"), row["reason"]),
            (_("Slip"), row["slip_ref"]),
        ],
    )
    if url is None:
        err.print(_("No link to the slip: Cloudinary is not configured (CLOUDINARY_URL)."))
        return
    out.print(url)
    err.print(_("The link works until {moment}.").format(moment=i18n.when(expires)))


def decide(action: str, function: str, gift: str, *reason: str) -> dict[str, Any]:
    """public.<function> as the operator, audited; the gift after."""
    found = operator.full_id("offline_gifts", gift)
    operator.call(action, function, found, *reason, target=found)
    with db.connect() as conn, acting_as(conn):
        return one(conn, found)


def print_decision(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(row)
        return
    shown = {
        "id": short(row["id"]),
        "amount": i18n.money(row["amount"], row["currency"]),
        "campaign": row["campaign"],
        "reason": row["reason"],
    }
    message = {
        "attested": _("Attested: {amount} for {campaign} ({id}); it counts in its progress."),
        "refused": _("Refused: {amount} for {campaign} ({id}); the team reads: {reason}"),
        "withdrawn": _("Withdrawn: {amount} from {campaign} ({id}); the team reads: {reason}"),
    }[row["status"]]
    out.print(message.format(**shown))


REASON_HELP = N_("Why (shown to the campaign's team, kept in the audit log).")


@app.command("attest", help=N_("Co-sign an offline gift: it counts in the campaign's progress."))
def attest(
    gift: str = typer.Argument(..., help=GIFT_ARGUMENT), as_json: bool = JSON_OPTION
) -> None:
    print_decision(decide("offline-gifts attest", "attest_offline_gift", gift), as_json)


@app.command("refuse", help=N_("Refuse to co-sign an offline gift, with the reason."))
def refuse(
    gift: str = typer.Argument(..., help=GIFT_ARGUMENT),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    as_json: bool = JSON_OPTION,
) -> None:
    print_decision(decide("offline-gifts refuse", "refuse_offline_gift", gift, reason), as_json)


@app.command(
    "withdraw",
    help=N_("Withdraw an offline gift, with the reason: an attested one leaves the campaign's"
            " progress."),
)  # fmt: skip
def withdraw(
    gift: str = typer.Argument(..., help=GIFT_ARGUMENT),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    found = operator.full_id("offline_gifts", gift)
    with db.connect() as conn, acting_as(conn):
        row = one(conn, found)
    confirm(
        _("Withdraw the offline gift of {amount} from {campaign}?").format(
            amount=i18n.money(row["amount"], row["currency"]), campaign=row["campaign"]
        ),
        yes=yes,
    )
    print_decision(
        decide("offline-gifts withdraw", "withdraw_offline_gift", found, reason), as_json
    )
