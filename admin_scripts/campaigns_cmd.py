"""`cagnotte-admin campaigns …`: review and curate campaigns (the same
rules as the moderation screens: approve_campaign, reject_campaign…)."""

from __future__ import annotations

import typer
from psycopg import sql

from admin_scripts import db, operator
from admin_scripts.console import JSON_OPTION, YES_OPTION, out, print_json, print_rows
from admin_scripts.operator import (
    OPERATOR_OPTION,
    OperatorError,
    acting_as,
)

app = typer.Typer(
    help="Campaigns: list, show, approve, reject, feature, cancel.", no_args_is_help=True
)

ROW = """
select c.id, c.slug, c.title, c.status::text, c.category, c.country, c.currency, c.goal_amount,
    c.collected_amount, c.donor_count, c.featured, c.created_at, c.published_at, c.ends_at,
    p.display_name as owner
from public.campaigns as c
left join public.profiles as p on p.id = c.owner_id
"""


def _show(row: dict, as_json: bool) -> None:
    if as_json:
        print_json(row)
    else:
        out.print(f"{row['slug']} {row['status']}{' featured' if row.get('featured') else ''}")


def _call(
    email: str | None, action: str, function: str, campaign: str, *args, as_json: bool
) -> None:
    """``function(campaign id, *args)`` as the operator; ``campaign``: id or slug."""
    query = sql.SQL(
        "select to_jsonb({}(c.id{})) as result"
        " from public.campaigns as c where c.id::text = %s or c.slug = %s"
    ).format(sql.Identifier("public", function), sql.SQL(", %s" * len(args)))
    row = operator.act(email, action, query, [*args, campaign, campaign], campaign)
    _show(row, as_json)


@app.command("list")
def list_(
    status: str = typer.Option(None, "--status", help="draft, pending_review, active, funded…"),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
    email: str = OPERATOR_OPTION,
) -> None:
    """Campaigns, newest first (pending_review first when no status is given)."""
    try:
        with db.connect() as conn, acting_as(conn, email):
            rows = conn.execute(
                ROW + " where %(s)s::text is null or c.status::text = %(s)s"
                " order by c.status = 'pending_review' desc, c.created_at desc limit %(n)s",
                {"s": status, "n": limit},
            ).fetchall()
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    print_rows(
        rows, as_json=as_json, title="Campaigns",
        columns={
            "slug": "slug", "status": "status", "category": "category",
            "raised": lambda r: f"{r['collected_amount']}/{r['goal_amount']} {r['currency']}",
            "owner": "owner",
        },
    )  # fmt: skip


@app.command("show")
def show(campaign: str, email: str = OPERATOR_OPTION) -> None:
    """One campaign (id or slug), with its money and status history, as JSON."""
    try:
        with db.connect() as conn, acting_as(conn, email):
            row = conn.execute(
                ROW + " where c.id::text = %s or c.slug = %s", [campaign] * 2
            ).fetchone()
            if row is None:
                raise OperatorError(f"{campaign}: not found", operator.EXIT_NOT_FOUND)
            row["balance"] = conn.execute(
                "select public.campaign_balance(%s) as b", [row["id"]]
            ).fetchone()["b"]
            row["history"] = conn.execute(
                "select to_status::text as status, created_at, reason"
                " from public.campaign_status_history where campaign_id = %s order by id",
                [row["id"]],
            ).fetchall()
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    print_json(row)


@app.command("approve")
def approve(campaign: str, as_json: bool = JSON_OPTION, email: str = OPERATOR_OPTION) -> None:
    """Publish a campaign waiting for review."""
    _call(email, "campaigns approve", "approve_campaign", campaign, as_json=as_json)


@app.command("reject")
def reject(
    campaign: str,
    reason: str = typer.Option(..., "--reason", help="What the owner must change."),
    as_json: bool = JSON_OPTION,
    email: str = OPERATOR_OPTION,
) -> None:
    """Send a campaign back to its owner with the reason."""
    _call(email, "campaigns reject", "reject_campaign", campaign, reason, as_json=as_json)


@app.command("feature")
def feature(campaign: str, as_json: bool = JSON_OPTION, email: str = OPERATOR_OPTION) -> None:
    """Show an open campaign on the home page."""
    _call(email, "campaigns feature", "feature_campaign", campaign, True, as_json=as_json)


@app.command("unfeature")
def unfeature(campaign: str, as_json: bool = JSON_OPTION, email: str = OPERATOR_OPTION) -> None:
    """Take a campaign off the home page."""
    _call(email, "campaigns unfeature", "feature_campaign", campaign, False, as_json=as_json)


@app.command("cancel")
def cancel(
    campaign: str,
    reason: str = typer.Option(..., "--reason", help="Why (kept in the history)."),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
    email: str = OPERATOR_OPTION,
) -> None:
    """Stop a campaign for good (donations stop; refunds are a separate step)."""
    if not yes:
        typer.confirm(f"Cancel campaign {campaign}? It cannot be reopened.", abort=True)
    _call(email, "campaigns cancel", "cancel_campaign", campaign, reason, as_json=as_json)
