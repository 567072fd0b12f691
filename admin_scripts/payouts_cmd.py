"""`cagnotte-admin payouts …`: what is due, what waits on whom, and the
admin's decisions (the SQL functions decide what is allowed).

Listings show payout accounts masked. `payouts show ID` opens one in full for
the admin deciding it (never one on the campaign's team: SQL decides, and
audits), with the private key in PAYOUT_ACCOUNTS_PRIVATE_KEY; `payouts
install-key` puts the public half of that key into the database.

Amounts are shown as people read them (``5 000 F CFA``, ``100,00 €``); JSON
keeps integer minor units with the currency. Marking a payout paid or failed,
or rejecting it, cannot be undone: each asks for confirmation, showing the
amount and the (masked) beneficiary (``--yes`` for scripts)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import typer

from admin_scripts import choices, db, i18n, keys, operator
from admin_scripts.choices import PayoutStatus
from admin_scripts.console import JSON_OPTION, YES_OPTION, confirm, out, print_json, print_rows
from admin_scripts.i18n import N_, _, pgettext
from admin_scripts.operator import EXIT_USAGE, OperatorError, acting_as
from admin_scripts.settings import settings
from webhooks import payout_accounts
from webhooks.errors import ApiError

PRIVATE_KEY_ENV = "PAYOUT_ACCOUNTS_PRIVATE_KEY"

app = typer.Typer(
    help=N_("Payout requests: list, show, approve, pay, fail, reject."), no_args_is_help=True
)

PAYOUTS_SQL = """
select p.id, p.status::text, p.amount, p.currency, p.method::text,
    coalesce(p.mobile_operator::text, p.bank_name) || ' ' || p.account_mask as destination,
    p.beneficiary_mask, i.name as institution, c.slug as campaign, p.created_at, p.reference,
    coalesce((select jsonb_agg(b) from public.payout_blockers(p.id) as b), '[]') as blockers
from public.payout_requests as p
join public.campaigns as c on c.id = p.campaign_id
left join public.institutions as i on i.id = p.institution_id
"""
LIST_SQL = (
    PAYOUTS_SQL
    + """
where %(status)s::text is null or p.status::text = %(status)s
order by p.created_at
limit %(limit)s
"""
)
ONE_SQL = PAYOUTS_SQL + "where p.id = %(id)s"


STOPS = ("campaign_frozen", "campaign_cancelled", "owner_banned", "institution_deactivated")


def waits_on(row: dict) -> str:
    """Who must act next on this payout."""
    if row["status"] not in ("requested", "approved"):
        return "-"
    stops = [b["reason"] for b in row["blockers"] if b["reason"] in STOPS]
    if not stops and any(b["reason"] == "justification_overdue" for b in row["blockers"]):
        return _("team: publish the overdue justification, or staff: justifications clear")
    if stops:
        return _("stopped ({reasons}): reject or mark-failed").format(reasons=", ".join(stops))
    if row["status"] == "approved":
        return _("admin: pay it, then mark-paid")
    needs = []
    for b in row["blockers"]:
        if b["reason"] == "treasurer_approvals":
            needs.append(
                _("treasurers ({approvals}/{required})").format(
                    approvals=b["approvals"], required=b["required"]
                )
            )
        elif b["reason"] == "document_pending":
            needs.append(_("staff: review {document}").format(document=b["document_type"]))
        else:
            needs.append(
                _("owner: {document} ({state})").format(
                    document=b["document_type"], state=b["reason"].removeprefix("document_")
                )
            )
    return "; ".join(needs) or _("admin: approve")


def status_label(status: str) -> str:
    """A payout's status as the operator reads it (public.payout_status)."""
    return {
        "requested": pgettext("payout status", "requested"),
        "approved": pgettext("payout status", "approved"),
        "paid": pgettext("payout status", "paid"),
        "failed": pgettext("payout status", "failed"),
        "rejected": pgettext("payout status", "rejected"),
        "cancelled": pgettext("payout status", "cancelled"),
    }.get(status, status)


def amount(row: dict[str, Any]) -> str:
    return i18n.money(row["amount"], row["currency"])


def beneficiary(row: dict[str, Any]) -> str:
    """Who is paid, masked; a verified institution by its name."""
    return f"{row['institution'] or row['beneficiary_mask']}, {row['destination']}"


def _show(p: dict, as_json: bool) -> None:
    if as_json:
        print_json(p)
    else:
        out.print(f"{p['id']} {status_label(p['status'])} {amount(p)}")


@app.command(
    "list", help=N_("Payouts, oldest first, with what each waits on (default: the open ones).")
)
def list_(
    status: PayoutStatus = typer.Option(
        None, "--status", help=N_("Only this status (default: the open ones).")
    ),
    limit: int = typer.Option(
        100, "--limit", min=1, max=10_000, help=N_("At most this many (1 to 10000).")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn, acting_as(conn):
        rows = conn.execute(LIST_SQL, {"status": choices.value(status), "limit": limit}).fetchall()
    if status is None:
        rows = [r for r in rows if r["status"] in ("requested", "approved")]
    for r in rows:
        r["waits_on"] = waits_on(r)
    print_rows(
        rows, as_json=as_json, title=_("Payouts"),
        columns={
            _("id"): lambda r: str(r["id"])[:8], _("campaign"): "campaign", _("amount"): amount,
            _("beneficiary"): beneficiary, _("status"): lambda r: status_label(r["status"]),
            _("waits on"): "waits_on",
        },
        no_wrap=[_("id"), _("amount")],
    )  # fmt: skip


def _payout(payout_id: str) -> tuple[str, dict[str, Any]]:
    """The payout an operator names (its full id, or exit 2/3), as the operator sees it."""
    payout_id = operator.full_id("payout_requests", payout_id)
    with db.connect() as conn, acting_as(conn):
        row = conn.execute(ONE_SQL, {"id": payout_id}).fetchone()
    if row is None:  # not visible to this operator: RLS's answer
        raise OperatorError(
            _("no payout request {id} for you").format(id=payout_id), operator.EXIT_NOT_FOUND
        )
    return payout_id, row


def _confirm(question: str, row: dict[str, Any], yes: bool, **more: str) -> None:
    """Asks before an irreversible decision, showing the payout as money (unless --yes)."""
    if not yes:
        confirm(
            question.format(
                id=row["id"], amount=amount(row), beneficiary=beneficiary(row),
                campaign=row["campaign"], **more,
            ),
        )  # fmt: skip


def _same_amount(text: str, row: dict[str, Any]) -> None:
    """The amount the operator typed is the payout's (a usage error if it is no amount)."""
    try:
        typed = i18n.parse_money(text, row["currency"])
    except typer.BadParameter as exc:
        exc.param_hint = "'--amount'"
        raise
    if typed != row["amount"]:
        raise OperatorError(
            _(
                "you sent {typed} but payout {id} is {amount}: nothing recorded; check the transfer"
            ).format(typed=i18n.money(typed, row["currency"]), id=row["id"], amount=amount(row)),
            operator.EXIT_REFUSED,
        )


def _decide(command: str, function: str, payout_id: str, *args: str, as_json: bool) -> None:
    """``function(payout_id, *args)`` as the operator, audited as `payouts <command>`."""
    action = f"payouts {command}"
    _show(operator.call(action, function, payout_id, *args, target=payout_id), as_json)


@app.command("approve", help=N_("Approve a request whose proofs and treasurers are complete."))
def approve(
    payout_id: str = typer.Argument(..., help=N_("The payout's id (or its first characters).")),
    as_json: bool = JSON_OPTION,
) -> None:
    payout_id = operator.full_id("payout_requests", payout_id)
    _decide("approve", "approve_payout", payout_id, as_json=as_json)


@app.command(
    "mark-paid",
    help=N_("Record that the money was sent (after the bank or mobile-money transfer);"
            " it cannot be undone."),
)  # fmt: skip
def mark_paid(
    payout_id: str = typer.Argument(..., help=N_("The payout's id (or its first characters).")),
    reference: str = typer.Option(..., "--reference", help=N_("The transfer's reference.")),
    sent: str = typer.Option(
        None,
        "--amount",
        help=N_(
            "The amount you sent, as on the transfer (5 000; 100,50 in euros): checked"
            " against the payout's before anything is recorded."
        ),
    ),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    payout_id, row = _payout(payout_id)
    if sent is not None:
        _same_amount(sent, row)
    _confirm(
        _("Mark payout {id} as paid: {amount} sent to {beneficiary} (transfer {reference})?"
          " This cannot be undone."),
        row, yes, reference=reference,
    )  # fmt: skip
    _decide("mark-paid", "mark_payout_paid", payout_id, reference, as_json=as_json)


@app.command(
    "mark-failed",
    help=N_("The transfer failed: the money goes back to the campaign's balance."),
)
def mark_failed(
    payout_id: str = typer.Argument(..., help=N_("The payout's id (or its first characters).")),
    reason: str = typer.Option(..., "--reason", help=N_("What went wrong (the owner reads it).")),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    payout_id, row = _payout(payout_id)
    _confirm(
        _("Mark payout {id} as failed ({amount} to {beneficiary})? The money goes back to"
          " the campaign's balance."),
        row, yes,
    )  # fmt: skip
    _decide("mark-failed", "mark_payout_failed", payout_id, reason, as_json=as_json)


@app.command("reject", help=N_("Refuse a request: the money goes back to the campaign's balance."))
def reject(
    payout_id: str = typer.Argument(..., help=N_("The payout's id (or its first characters).")),
    reason: str = typer.Option(..., "--reason", help=N_("Why (the owner reads it).")),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    payout_id, row = _payout(payout_id)
    _confirm(
        _("Reject payout {id} ({amount} for {campaign}, to {beneficiary})? The money goes back"
          " to the campaign's balance."),
        row, yes,
    )  # fmt: skip
    _decide("reject", "reject_payout", payout_id, reason, as_json=as_json)


SHOW_SQL = """
select a.ciphertext, p.id, p.method::text, p.bank_name, p.mobile_operator::text,
    p.institution_id, i.name as institution_name, p.account_mask,
    p.status::text, p.amount, p.currency, c.slug as campaign
from private.payout_account_for_staff(%(id)s) as a
join public.payout_requests as p on p.id = a.payout_id
join public.campaigns as c on c.id = p.campaign_id
left join public.institutions as i on i.id = p.institution_id
"""

# The labels of `payouts show`, as the operator reads them.
LABELS = {
    "status": N_("status"),
    "amount": N_("amount"),
    "currency": N_("currency"),
    "campaign": N_("campaign"),
    "payout_id": N_("payout"),
    "method": N_("method"),
    "bank_name": N_("bank"),
    "mobile_operator": N_("mobile operator"),
    "beneficiary_name": N_("beneficiary"),
    "account_number": N_("account number"),
    "phone_number": N_("phone number"),
    "institution_id": N_("institution id"),
    "institution_name": N_("institution"),
    "account_mask": N_("masked account"),
}


def _private_key() -> str:
    key = settings().payout_accounts_private_key or ""
    if "PRIVATE KEY BLOCK" not in key:
        raise OperatorError(
            _(
                "{name} is not set (in the environment or .env.local): the armored private key"
                " of the payout accounts"
            ).format(name=PRIVATE_KEY_ENV),
            EXIT_USAGE,
        )
    return key


@app.command(
    "show",
    help=N_("A payout with its account in full, to pay it (audited; not for a campaign of"
            " your own team)."),
)  # fmt: skip
def show(
    payout_id: str = typer.Argument(..., help=N_("The payout's id (or its first characters).")),
    as_json: bool = JSON_OPTION,
) -> None:
    key = _private_key()
    payout_id = operator.full_id("payout_requests", payout_id)
    with db.connect() as conn, acting_as(conn, "payouts show", target=payout_id):
        # the sealed account is for the service's role; the operator's claims stay
        conn.execute("set local role service_role")
        row = conn.execute(SHOW_SQL, {"id": payout_id}).fetchone()
    try:
        account = payout_accounts.account_view(row, payout_accounts.decrypt(row["ciphertext"], key))
    except ApiError as exc:
        raise OperatorError(exc.sentence or str(exc), operator.EXIT_REFUSED) from exc
    view = {k: row[k] for k in ("status", "amount", "currency", "campaign")} | account
    if as_json:
        print_json(view)
        return
    shown = {**view, "amount": amount(row), "status": status_label(row["status"])}
    del shown["currency"]
    for label, value in shown.items():
        if value is not None:
            out.print(_("{label}: {value}").format(label=_(LABELS.get(label, label)), value=value))


@app.command(
    "install-key",
    help=N_("Install the public key the database seals new payout accounts with (accounts"
            " sealed to a key whose private half is lost cannot be opened: it asks first)."),
)  # fmt: skip
def install_key(
    public_key: Path = typer.Option(
        None,
        "--public-key",
        exists=True,
        dir_okay=False,
        help=N_(
            "An armored OpenPGP public key (default: the public half of"
            " PAYOUT_ACCOUNTS_PRIVATE_KEY, through gpg)."
        ),
    ),
    yes: bool = YES_OPTION,
) -> None:
    armored = public_key.read_text() if public_key else _public_half(_private_key())
    if not yes:
        confirm(
            _("Seal every new payout account with this key? Keep its private half: without"
              " it, those accounts cannot be opened."),
        )  # fmt: skip
    with db.connect() as conn, acting_as(conn, "payouts install-key"):
        conn.execute("set local role service_role")
        key_id = conn.execute(
            "select private.install_payout_account_key(%s) as id", [armored]
        ).fetchone()["id"]
    out.print(_("payout accounts key {key_id} installed").format(key_id=key_id))


def _public_half(private_key: str) -> str:
    try:
        return keys.public_half(private_key)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise OperatorError(
            _("{name} is not a usable key: {error}").format(name=PRIVATE_KEY_ENV, error=exc),
            EXIT_USAGE,
        ) from None
