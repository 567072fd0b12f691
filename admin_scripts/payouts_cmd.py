"""`cagnotte-admin payouts …`: what is due, what waits on whom, and the
admin's decisions (the SQL functions decide what is allowed).

Listings show payout accounts masked. `payouts show ID` opens one in full for
the admin deciding it (never one on the campaign's team: SQL decides, and
audits), with the private key in PAYOUT_ACCOUNTS_PRIVATE_KEY; `payouts
install-key` puts the public half of that key into the database."""

from __future__ import annotations

import subprocess
from pathlib import Path

import typer

from admin_scripts import choices, db, keys, operator
from admin_scripts.choices import PayoutStatus
from admin_scripts.console import JSON_OPTION, YES_OPTION, out, print_json, print_rows
from admin_scripts.operator import (
    EXIT_USAGE,
    OperatorError,
    acting_as,
)
from admin_scripts.settings import settings
from webhooks import payout_accounts
from webhooks.errors import ApiError

PRIVATE_KEY_ENV = "PAYOUT_ACCOUNTS_PRIVATE_KEY"

app = typer.Typer(
    help="Payout requests: list, show, approve, pay, fail, reject.", no_args_is_help=True
)

LIST_SQL = """
select p.id, p.status::text, p.amount, p.currency, p.method::text,
    coalesce(p.mobile_operator::text, p.bank_name) || ' ' || p.account_mask as destination,
    p.beneficiary_mask, c.slug as campaign, p.created_at, p.reference,
    coalesce((select jsonb_agg(b) from public.payout_blockers(p.id) as b), '[]') as blockers
from public.payout_requests as p
join public.campaigns as c on c.id = p.campaign_id
where %(status)s::text is null or p.status::text = %(status)s
order by p.created_at
limit %(limit)s
"""


STOPS = ("campaign_frozen", "campaign_cancelled", "owner_banned")


def waits_on(row: dict) -> str:
    """Who must act next on this payout."""
    if row["status"] not in ("requested", "approved"):
        return "-"
    stops = [b["reason"] for b in row["blockers"] if b["reason"] in STOPS]
    if stops:
        return f"stopped ({', '.join(stops)}): reject or mark-failed"
    if row["status"] == "approved":
        return "admin: pay it, then mark-paid"
    needs = []
    for b in row["blockers"]:
        if b["reason"] == "treasurer_approvals":
            needs.append(f"treasurers ({b['approvals']}/{b['required']})")
        elif b["reason"] == "document_pending":
            needs.append(f"staff: review {b['document_type']}")
        else:
            needs.append(f"owner: {b['document_type']} ({b['reason'].removeprefix('document_')})")
    return "; ".join(needs) or "admin: approve"


def _show(p: dict, as_json: bool) -> None:
    if as_json:
        print_json(p)
    else:
        out.print(f"{p['id']} {p['status']} {p['amount']} {p['currency']}")


@app.command("list")
def list_(
    status: PayoutStatus = typer.Option(
        None, "--status", help="Only this status (default: the open ones)."
    ),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    """Payouts, oldest first, with what each waits on (default: the open ones)."""
    try:
        with db.connect() as conn, acting_as(conn):
            rows = conn.execute(
                LIST_SQL, {"status": choices.value(status), "limit": limit}
            ).fetchall()
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    if status is None:
        rows = [r for r in rows if r["status"] in ("requested", "approved")]
    for r in rows:
        r["waits_on"] = waits_on(r)
    print_rows(
        rows, as_json=as_json, title="Payouts",
        columns={
            "id": "id", "campaign": "campaign",
            "amount": lambda r: f"{r['amount']} {r['currency']}",
            "to": lambda r: f"{r['beneficiary_mask']}, {r['destination']}",
            "status": "status", "waits on": "waits_on",
        },
    )  # fmt: skip


def _decide(command: str, function: str, payout_id: str, *args: str, as_json: bool) -> None:
    """``function(payout_id, *args)`` as the operator, audited as `payouts <command>`."""
    action = f"payouts {command}"
    payout_id = operator.full_id("payout_requests", payout_id)
    _show(operator.call(action, function, payout_id, *args, target=payout_id), as_json)


@app.command("approve")
def approve(payout_id: str, as_json: bool = JSON_OPTION) -> None:
    """Approve a request whose proofs and treasurers are complete."""
    _decide("approve", "approve_payout", payout_id, as_json=as_json)


@app.command("mark-paid")
def mark_paid(
    payout_id: str,
    reference: str = typer.Option(..., "--reference", help="The transfer's reference."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record that the money was sent (after the bank or mobile-money transfer)."""
    _decide("mark-paid", "mark_payout_paid", payout_id, reference, as_json=as_json)


@app.command("mark-failed")
def mark_failed(
    payout_id: str,
    reason: str = typer.Option(..., "--reason", help="What went wrong (the owner reads it)."),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The transfer failed: the money goes back to the campaign's balance."""
    if not yes:
        typer.confirm(f"Mark payout {payout_id} as failed?", abort=True)
    _decide("mark-failed", "mark_payout_failed", payout_id, reason, as_json=as_json)


@app.command("reject")
def reject(
    payout_id: str,
    reason: str = typer.Option(..., "--reason", help="Why (the owner reads it)."),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Refuse a request: the money goes back to the campaign's balance."""
    if not yes:
        typer.confirm(f"Reject payout {payout_id}?", abort=True)
    _decide("reject", "reject_payout", payout_id, reason, as_json=as_json)


SHOW_SQL = """
select a.ciphertext, p.id, p.method::text, p.bank_name, p.mobile_operator::text,
    p.status::text, p.amount, p.currency, c.slug as campaign
from private.payout_account_for_staff(%(id)s) as a
join public.payout_requests as p on p.id = a.payout_id
join public.campaigns as c on c.id = p.campaign_id
"""


def _private_key() -> str:
    key = settings().payout_accounts_private_key or ""
    if "PRIVATE KEY BLOCK" not in key:
        raise OperatorError(
            f"{PRIVATE_KEY_ENV} is not set: the armored private key of the payout accounts",
            EXIT_USAGE,
        )
    return key


@app.command("show")
def show(payout_id: str, as_json: bool = JSON_OPTION) -> None:
    """A payout with its account in full, to pay it (audited; not for a campaign of
    your own team)."""
    try:
        key = _private_key()
        payout_id = operator.full_id("payout_requests", payout_id)
        with db.connect() as conn, acting_as(conn, "payouts show", target=payout_id):
            # the sealed account is for the service's role; the operator's claims stay
            conn.execute("set local role service_role")
            row = conn.execute(SHOW_SQL, {"id": payout_id}).fetchone()
        account = payout_accounts.account_view(row, payout_accounts.decrypt(row["ciphertext"], key))
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    except ApiError as exc:
        raise operator.fail(OperatorError(exc.sentence, operator.EXIT_REFUSED)) from exc
    view = {k: row[k] for k in ("status", "amount", "currency", "campaign")} | account
    if as_json:
        print_json(view)
        return
    for label, value in view.items():
        if value is not None:
            out.print(f"{label}: {value}", markup=False, highlight=False)


@app.command("install-key")
def install_key(
    public_key: Path = typer.Option(
        None,
        "--public-key",
        exists=True,
        dir_okay=False,
        help="An armored OpenPGP public key (default: the public half of "
        f"{PRIVATE_KEY_ENV}, through gpg).",
    ),
) -> None:
    """Install the public key the database seals new payout accounts with."""
    try:
        armored = public_key.read_text() if public_key else _public_half(_private_key())
        with db.connect() as conn, acting_as(conn, "payouts install-key"):
            conn.execute("set local role service_role")
            key_id = conn.execute(
                "select private.install_payout_account_key(%s) as id", [armored]
            ).fetchone()["id"]
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    out.print(f"payout accounts key {key_id} installed")


def _public_half(private_key: str) -> str:
    try:
        return keys.public_half(private_key)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise OperatorError(f"{PRIVATE_KEY_ENV} is not a usable key: {exc}", EXIT_USAGE) from None
