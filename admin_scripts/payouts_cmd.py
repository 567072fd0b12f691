"""`cagnotte-admin payouts …`: what is due, what waits on whom, and the
admin's decisions (the SQL functions decide what is allowed)."""

from __future__ import annotations

import typer

from admin_scripts import db, operator
from admin_scripts.console import JSON_OPTION, YES_OPTION, out, print_json, print_rows
from admin_scripts.operator import (
    OPERATOR_OPTION,
    OperatorError,
    acting_as,
)

app = typer.Typer(help="Payout requests: list, approve, pay, fail, reject.", no_args_is_help=True)

LIST_SQL = """
select p.id, p.status::text, p.amount, p.currency, p.method::text,
    coalesce(
        p.mobile_operator::text || ' ' || p.phone_number, p.bank_name || ' ' || p.account_number
    ) as destination,
    p.beneficiary_name, c.slug as campaign, p.created_at, p.reference,
    public.payout_blockers(p.id) as blockers
from public.payout_requests as p
join public.campaigns as c on c.id = p.campaign_id
where %(status)s::text is null or p.status::text = %(status)s
order by p.created_at
limit %(limit)s
"""


def waits_on(row: dict) -> str:
    """Who must act next on this payout."""
    if row["status"] == "approved":
        return "admin: pay it, then mark-paid"
    if row["status"] != "requested":
        return "-"
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
    status: str = typer.Option(
        None,
        "--status",
        help="requested, approved, paid, failed, rejected, cancelled (default: the open ones).",
    ),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
    email: str = OPERATOR_OPTION,
) -> None:
    """Payouts, oldest first, with what each waits on (default: the open ones)."""
    try:
        with db.connect() as conn, acting_as(conn, email):
            rows = conn.execute(LIST_SQL, {"status": status, "limit": limit}).fetchall()
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
            "to": lambda r: f"{r['beneficiary_name']}, {r['destination']}",
            "status": "status", "waits on": "waits_on",
        },
    )  # fmt: skip


def _decide(
    email: str | None, command: str, function: str, payout_id: str, *args: str, as_json: bool
) -> None:
    """``function(payout_id, *args)`` as the operator, audited as `payouts <command>`."""
    action = f"payouts {command}"
    _show(operator.call(email, action, function, payout_id, *args, target=payout_id), as_json)


@app.command("approve")
def approve(payout_id: str, as_json: bool = JSON_OPTION, email: str = OPERATOR_OPTION) -> None:
    """Approve a request whose proofs and treasurers are complete."""
    _decide(email, "approve", "approve_payout", payout_id, as_json=as_json)


@app.command("mark-paid")
def mark_paid(
    payout_id: str,
    reference: str = typer.Option(..., "--reference", help="The transfer's reference."),
    as_json: bool = JSON_OPTION,
    email: str = OPERATOR_OPTION,
) -> None:
    """Record that the money was sent (after the bank or mobile-money transfer)."""
    _decide(email, "mark-paid", "mark_payout_paid", payout_id, reference, as_json=as_json)


@app.command("mark-failed")
def mark_failed(
    payout_id: str,
    reason: str = typer.Option(..., "--reason", help="What went wrong (the owner reads it)."),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
    email: str = OPERATOR_OPTION,
) -> None:
    """The transfer failed: the money goes back to the campaign's balance."""
    if not yes:
        typer.confirm(f"Mark payout {payout_id} as failed?", abort=True)
    _decide(email, "mark-failed", "mark_payout_failed", payout_id, reason, as_json=as_json)


@app.command("reject")
def reject(
    payout_id: str,
    reason: str = typer.Option(..., "--reason", help="Why (the owner reads it)."),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
    email: str = OPERATOR_OPTION,
) -> None:
    """Refuse a request: the money goes back to the campaign's balance."""
    if not yes:
        typer.confirm(f"Reject payout {payout_id}?", abort=True)
    _decide(email, "reject", "reject_payout", payout_id, reason, as_json=as_json)
