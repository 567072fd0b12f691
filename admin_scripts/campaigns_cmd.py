"""`cagnotte-admin campaigns …`: review and curate campaigns (the same
rules as the moderation screens: approve_campaign, reject_campaign…), freeze
a suspected fraud, and close one with refunds (refunds_cmd sends Stripe's)."""

from __future__ import annotations

import typer
from psycopg import sql

from admin_scripts import choices, db, operator
from admin_scripts.choices import CampaignStatus
from admin_scripts.console import JSON_OPTION, YES_OPTION, out, print_json, print_rows
from admin_scripts.operator import (
    OperatorError,
    acting_as,
)

app = typer.Typer(
    help="Campaigns: list, show, approve, reject, feature, cancel, freeze, close, review edits.",
    no_args_is_help=True,
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


def _call(action: str, function: str, campaign: str, *args, as_json: bool) -> None:
    """``function(campaign id, *args)`` as the operator; ``campaign``: id or slug."""
    campaign = operator.full_id("campaigns", campaign, slug=True)
    query = sql.SQL(
        "select to_jsonb({}(c.id{})) as result"
        " from public.campaigns as c where c.id::text = %s or c.slug = %s"
    ).format(sql.Identifier("public", function), sql.SQL(", %s" * len(args)))
    row = operator.act(action, query, [*args, campaign, campaign], campaign)
    _show(row, as_json)


@app.command("list")
def list_(
    status: CampaignStatus = typer.Option(None, "--status", help="Only this status."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    """Campaigns, newest first (pending_review first when no status is given)."""
    try:
        with db.connect() as conn, acting_as(conn):
            rows = conn.execute(
                ROW + " where %(s)s::text is null or c.status::text = %(s)s"
                " order by c.status = 'pending_review' desc, c.created_at desc limit %(n)s",
                {"s": choices.value(status), "n": limit},
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
def show(campaign: str) -> None:
    """One campaign (id or slug), with its money and status history, as JSON."""
    campaign = operator.full_id("campaigns", campaign, slug=True)
    try:
        with db.connect() as conn, acting_as(conn):
            row = conn.execute(
                ROW + " where c.id::text = %s or c.slug = %s", [campaign] * 2
            ).fetchone()
            if row is None:
                raise OperatorError(f"{campaign}: not found", operator.EXIT_NOT_FOUND)
            row["balance"] = conn.execute(
                "select to_jsonb(public.campaign_balance(%s)) as b", [row["id"]]
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
def approve(campaign: str, as_json: bool = JSON_OPTION) -> None:
    """Publish a campaign waiting for review."""
    _call("campaigns approve", "approve_campaign", campaign, as_json=as_json)


@app.command("reject")
def reject(
    campaign: str,
    reason: str = typer.Option(..., "--reason", help="What the owner must change."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send a campaign back to its owner with the reason."""
    _call("campaigns reject", "reject_campaign", campaign, reason, as_json=as_json)


@app.command("feature")
def feature(campaign: str, as_json: bool = JSON_OPTION) -> None:
    """Show an open campaign on the home page."""
    _call("campaigns feature", "feature_campaign", campaign, True, as_json=as_json)


@app.command("unfeature")
def unfeature(campaign: str, as_json: bool = JSON_OPTION) -> None:
    """Take a campaign off the home page."""
    _call("campaigns unfeature", "feature_campaign", campaign, False, as_json=as_json)


@app.command("cancel")
def cancel(
    campaign: str,
    reason: str = typer.Option(..., "--reason", help="Why (kept in the history)."),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Stop a campaign for good (donations stop; refunds are a separate step)."""
    if not yes:
        typer.confirm(f"Cancel campaign {campaign}? It cannot be reopened.", abort=True)
    _call("campaigns cancel", "cancel_campaign", campaign, reason, as_json=as_json)


@app.command("freeze")
def freeze(
    campaign: str,
    reason: str = typer.Option(..., "--reason", help="Why (told to the owner, audited)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Hold a campaign: hidden, no donations, no payouts, until unfrozen or closed."""
    _call("campaigns freeze", "freeze_campaign", campaign, reason, as_json=as_json)


@app.command("unfreeze")
def unfreeze(
    campaign: str,
    note: str = typer.Option(..., "--note", help="What the check found (told to the owner)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Lift a freeze: back to active or funded, or expired if its end has passed."""
    _call("campaigns unfreeze", "unfreeze_campaign", campaign, note, as_json=as_json)


@app.command("close")
def close(
    campaign: str,
    reason: str = typer.Option(..., "--reason", help="Why (told to the owner, audited)."),
    refund: bool = typer.Option(
        False, "--refund", help="Also ask Stripe now to refund its donations."
    ),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Cancel a campaign for good and write a refund order per donation (open
    payouts rejected); with --refund, Stripe's are sent at once, mobile-money ones
    wait in `refunds list --status manual`."""
    from admin_scripts import refunds_cmd

    if not yes:
        typer.confirm(f"Close {campaign} and refund every donation? No way back.", abort=True)
    campaign = operator.full_id("campaigns", campaign, slug=True)
    row = operator.act(
        "campaigns close",
        sql.SQL(
            "select to_jsonb(public.close_campaign_with_refunds(c.id, %s)) as result"
            " from public.campaigns as c where c.id::text = %s or c.slug = %s"
        ),
        [reason, campaign, campaign], campaign,
    )  # fmt: skip
    try:
        sent = refunds_cmd.send_stripe_refunds(row["id"]) if refund else []
        orders = refunds_cmd.orders(row["id"])
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    if as_json:
        print_json({**row, "refund_orders": orders})
    else:
        _show(row, as_json=False)
        out.print(f"refund orders: {refunds_cmd._summary(orders)}")
    if any(o["status"] == "failed" for o in sent):
        raise typer.Exit(code=operator.EXIT_REFUSED)


REVIEWS = """
select r.id, c.slug, c.status::text, r.first_edited_at, r.last_edited_at,
    r.approved_title, c.title, r.approved_summary, c.summary,
    r.approved_story is distinct from c.story as story_changed,
    r.approved_cover is distinct from c.cover as cover_changed
from public.campaign_edit_reviews as r
join public.campaigns as c on c.id = r.campaign_id
where r.status = 'pending'
order by r.first_edited_at
"""


@app.command("review-queue")
def review_queue(
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    """Published campaigns whose text was edited since approval, oldest first."""
    try:
        with db.connect() as conn, acting_as(conn):
            rows = conn.execute(REVIEWS + " limit %s", [limit]).fetchall()
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc

    def changed(r: dict) -> str:
        fields = [f for f in ("title", "summary") if r[f"approved_{f}"] != r[f]]
        fields += [f for f in ("story", "cover") if r[f"{f}_changed"]]
        return ", ".join(fields)

    print_rows(
        rows, as_json=as_json, title="Edits waiting for review",
        columns={"slug": "slug", "edited": "first_edited_at", "changed": changed,
                 "approved title": "approved_title", "title now": "title"},
    )  # fmt: skip


@app.command("review-edit")
def review_edit(
    campaign: str,
    accept: bool = typer.Option(
        None, "--accept/--restore", help="Keep the edit, or restore the approved text."
    ),
    reason: str = typer.Option(None, "--reason", help="Why (to restore: told to the owner)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Decide on a campaign's edit waiting for review."""
    if accept is None:
        raise operator.fail(OperatorError("say --accept or --restore", operator.EXIT_USAGE))
    campaign = operator.full_id("campaigns", campaign, slug=True)
    row = operator.act(
        "campaigns review-edit",
        sql.SQL(
            "select to_jsonb(public.review_campaign_edit(c.id, %s, %s)) as result"
            " from public.campaigns as c where c.id::text = %s or c.slug = %s"
        ),
        [accept, reason, campaign, campaign], campaign,
    )  # fmt: skip
    if as_json:
        print_json(row)
    else:
        out.print(f"{campaign}: edit {row['status']}")
