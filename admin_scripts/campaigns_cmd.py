"""`cagnotte-admin campaigns …`: review and curate campaigns (the same
rules as the moderation screens: approve_campaign, reject_campaign…), freeze
a suspected fraud, and close one with refunds (refunds_cmd sends Stripe's).

`show` is a moderator's whole review of one campaign: its text, where, its
money (i18n.money), its status history (public.campaign_status_history), its
media's delivery URLs (public.delivery_urls), its proof documents
(documents_cmd), the reports about it or its comments, and its freeze; `--json`
gives the same as data. Cancel, freeze and close ask first (on stderr: stdout
keeps the data), saying what is at stake (the money and donations), unless
--yes; `close --refund` checks that Stripe is configured before closing."""

from __future__ import annotations

from typing import Any

import typer
from psycopg import sql
from rich.text import Text

from admin_scripts import choices, db, documents_cmd, i18n, operator
from admin_scripts.choices import CampaignStatus
from admin_scripts.console import (
    JSON_OPTION,
    YES_OPTION,
    out,
    print_json,
    print_rows,
    table,
)
from admin_scripts.errors import EXIT_NOT_FOUND, EXIT_PROVIDER, OperatorError
from admin_scripts.i18n import N_, _, money, ngettext
from admin_scripts.operator import acting_as
from admin_scripts.settings import settings

app = typer.Typer(
    help=N_(
        "Campaigns: list, show, approve, reject, feature, cancel, freeze, close, review edits."
    ),
    no_args_is_help=True,
)

# Every command names its campaign the same way (operator.find_id).
CAMPAIGN = typer.Argument(
    ..., help=N_("The campaign's slug, its id, or the id's first characters."), show_default=False
)

ROW = """
select c.id, c.slug, c.title, c.status::text, c.category, c.country, c.currency, c.goal_amount,
    c.collected_amount, c.donor_count, c.featured, c.created_at, c.published_at, c.ends_at,
    p.display_name as owner
from public.campaigns as c
left join public.profiles as p on p.id = c.owner_id
"""

# A moderator's full review: the text, where, the money, the dates.
FULL = """
select c.id, c.slug, c.title, c.summary, c.story, c.status::text, c.category, c.tags, c.city,
    c.country, c.currency, c.goal_amount, c.collected_amount, c.donor_count, c.featured,
    c.cover, c.rejection_reason, c.created_at, c.published_at, c.starts_at, c.ends_at,
    c.content_edited_at, c.owner_id, p.display_name as owner
from public.campaigns as c
left join public.profiles as p on c.owner_id = p.id
where c.id = %s
"""

HISTORY = """
select h.from_status::text as from_status, h.to_status::text as status, h.created_at, h.reason,
    h.actor_id, p.display_name as actor
from public.campaign_status_history as h
left join public.profiles as p on h.actor_id = p.id
where h.campaign_id = %s
order by h.id
"""

# Delivery URLs as the site uses them (public.delivery_urls): images large, videos 720.
MEDIA = """
select m.id, m.public_id, m.resource_type::text as resource_type, m.position, m.hidden,
    m.public_id is not distinct from c.cover as cover,
    case m.resource_type when 'image' then u.large else u.medium end as url, u.poster
from public.campaign_media as m
inner join public.campaigns as c on m.campaign_id = c.id
cross join lateral public.delivery_urls(m) as u
where m.campaign_id = %s
order by m.position, m.created_at
"""

# Reports about the campaign or one of its comments (its text: what is judged).
REPORTS = """
select r.id, case when r.comment_id is null then 'campaign' else 'comment' end as about,
    r.comment_id, m.body as comment, r.reason::text as reason, r.status::text as status, r.details,
    r.created_at, r.resolved_at, r.resolution_note
from public.reports as r
left join public.comments as m on r.comment_id = m.id
where r.campaign_id = %(id)s or m.campaign_id = %(id)s
order by r.created_at, r.id
"""


def _show(row: dict, as_json: bool) -> None:
    if as_json:
        print_json(row)
    elif row.get("featured"):
        out.print(_("{slug}: {status}, on the home page").format(**row))
    else:
        out.print(_("{slug}: {status}").format(**row))


def _call(action: str, function: str, campaign: str, *args, as_json: bool) -> None:
    """``function(campaign id, *args)`` as the operator; ``campaign``: id or slug."""
    campaign = operator.full_id("campaigns", campaign, slug=True)
    query = sql.SQL(
        "select to_jsonb({}(c.id{})) as result"
        " from public.campaigns as c where c.id::text = %s or c.slug = %s"
    ).format(sql.Identifier("public", function), sql.SQL(", %s" * len(args)))
    row = operator.act(action, query, [*args, campaign, campaign], campaign)
    _show(row, as_json)


def raised(row: dict) -> str:
    """``0 / 3 000,00 €``: collected and goal in the currency's own digits."""
    currency = row["currency"]
    return f"{money(row['collected_amount'], currency)} / {money(row['goal_amount'], currency)}"


@app.command(
    "list", help=N_("Campaigns, newest first (pending_review first when no status is given).")
)
def list_(
    status: CampaignStatus = typer.Option(None, "--status", help=N_("Only this status.")),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn, acting_as(conn):
        rows = conn.execute(
            ROW + " where %(s)s::text is null or c.status::text = %(s)s"
            " order by c.status = 'pending_review' desc, c.created_at desc limit %(n)s",
            {"s": choices.value(status), "n": limit},
        ).fetchall()
    print_rows(
        rows, as_json=as_json, title=_("Campaigns"),
        columns={
            _("slug"): "slug", _("status"): "status", _("category"): "category",
            _("raised / goal"): raised, _("owner"): "owner",
            _("created"): lambda r: i18n.when(r["created_at"]),
        },
    )  # fmt: skip


def review(conn, campaign_id: str) -> dict[str, Any]:
    """Everything a moderator reads before deciding, as the operator sees it."""
    row = conn.execute(FULL, [campaign_id]).fetchone()
    if row is None:
        raise OperatorError(
            _("{campaign}: no such campaign").format(campaign=campaign_id), EXIT_NOT_FOUND
        )
    row["balance"] = conn.execute(
        "select to_jsonb(public.campaign_balance(%s)) as b", [campaign_id]
    ).fetchone()["b"]
    row["history"] = conn.execute(HISTORY, [campaign_id]).fetchall()
    row["media"] = conn.execute(MEDIA, [campaign_id]).fetchall()
    row["documents"] = documents_cmd.documents(conn, campaign=campaign_id)
    row["reports"] = conn.execute(REPORTS, {"id": campaign_id}).fetchall()
    frozen = [h for h in row["history"] if h["status"] == CampaignStatus.frozen]
    row["freeze"] = (
        {"since": frozen[-1]["created_at"], "by": frozen[-1]["actor"],
         "reason": frozen[-1]["reason"]}
        if row["status"] == CampaignStatus.frozen and frozen else None
    )  # fmt: skip
    return row


def section(title: str, headers: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """A titled table of ``rows`` (header -> key or function of the row), or "none"."""
    out.print()
    if not rows:
        out.print(Text(_("{title}: none").format(title=title), style="bold"))
        return
    cells = ([col(r) if callable(col) else r[col] for col in headers.values()] for r in rows)
    out.print(table(title, headers, cells, title_justify="left"))


def text_block(title: str, text: str | None) -> None:
    """A titled text as its author wrote it: line by line (a browser's CRLF is a
    line break), anything else that moves the cursor shown escaped (console.out)."""
    out.print()
    out.print(Text(title, style="bold"))
    out.print(text.replace("\r\n", "\n") if text else "-")


def freeze_state(row: dict[str, Any]) -> str:
    freeze = row["freeze"]
    if row["status"] != CampaignStatus.frozen:
        return _("no")
    if freeze is None:
        return _("yes")
    return _("yes, since {moment} by {who}: {reason}").format(
        moment=i18n.when(freeze["since"]),
        who=freeze["by"] or _("system"),
        reason=freeze["reason"] or "-",
    )


def actor(h: dict[str, Any]) -> Any:
    """Who moved the status: a name, else the id, else the system (expiry, goal reached)."""
    return h["actor"] or h["actor_id"] or _("system")


def about(r: dict[str, Any]) -> str:
    """What a report is about: the campaign, or the comment with its text."""
    if r["about"] == "campaign":
        return _("the campaign")
    return _('a comment: "{text}"').format(text=r["comment"] or "-")


def shown(m: dict[str, Any]) -> str:
    if m["hidden"]:
        return _("hidden")
    return _("cover") if m["cover"] else _("yes")


def media_lines(media: list[dict[str, Any]]) -> None:
    """One line per media (type, shown, URL), so that a URL is never folded."""
    out.print()
    if not media:
        out.print(Text(_("{title}: none").format(title=_("Media")), style="bold"))
        return
    out.print(Text(_("Media"), style="bold"))
    for m in media:
        out.print(f"{m['resource_type']}  {shown(m)}  {m['url']}")


def print_review(row: dict[str, Any]) -> None:
    currency = row["currency"]
    balance = row["balance"] or {}
    donations = ngettext("{n} donation", "{n} donations", row["donor_count"]).format(
        n=row["donor_count"]
    )
    fields = [
        (_("Slug"), row["slug"]),
        (_("Id"), row["id"]),
        (_("Status"), row["status"] + (_(", on the home page") if row["featured"] else "")),
        (_("Frozen"), freeze_state(row)),
        (_("Owner"), row["owner"] or row["owner_id"]),
        (_("Category"), row["category"]),
        (_("Tags"), ", ".join(row["tags"] or [])),
        (_("City"), row["city"]),
        (_("Country"), row["country"]),
        (_("Goal"), money(row["goal_amount"], currency)),
        (_("Raised"), f"{money(row['collected_amount'], currency)} ({donations})"),
        (_("Available"), money(balance.get("available"), currency)),
        (_("Paid out"), money(balance.get("paid_out"), currency)),
        (_("Created"), i18n.when(row["created_at"])),
        (_("Published"), i18n.when(row["published_at"])),
        (_("Ends"), i18n.when(row["ends_at"])),
        (_("Text edited"), i18n.when(row["content_edited_at"])),
    ]
    if row["rejection_reason"]:
        fields.append((_("Rejected because"), row["rejection_reason"]))
    documents_cmd.print_fields(row["title"], fields)
    text_block(_("Summary"), row["summary"])
    text_block(_("Story"), row["story"])
    section(_("Status history"), {
        _("when"): lambda h: i18n.when(h["created_at"]), _("from"): "from_status",
        _("to"): "status", _("by"): actor,
        _("reason"): "reason",
    }, row["history"])  # fmt: skip
    media_lines(row["media"])
    section(_("Proof documents"), {
        _("id"): lambda d: documents_cmd.short(d["id"]), _("document"): documents_cmd.label,
        _("status"): "status", _("uploaded"): lambda d: i18n.when(d["created_at"]),
        _("note"): "review_note",
    }, row["documents"])  # fmt: skip
    section(_("Reports"), {
        _("id"): lambda r: documents_cmd.short(r["id"]),
        _("about"): about,
        _("reason"): "reason", _("status"): "status",
        _("when"): lambda r: i18n.when(r["created_at"]), _("details"): "details",
    }, row["reports"])  # fmt: skip


@app.command(
    "show",
    help=N_("A campaign's full review (id or slug): text, money, history, media, documents,"
            " reports, freeze."),
)  # fmt: skip
def show(campaign: str = CAMPAIGN, as_json: bool = JSON_OPTION) -> None:
    with db.connect() as conn:
        found = operator.find_id(conn, "campaigns", campaign, slug=True)
        with acting_as(conn):
            row = review(conn, found)
    if as_json:
        print_json(row)
    else:
        print_review(row)


@app.command("approve", help=N_("Publish a campaign waiting for review."))
def approve(campaign: str = CAMPAIGN, as_json: bool = JSON_OPTION) -> None:
    _call("campaigns approve", "approve_campaign", campaign, as_json=as_json)


@app.command("reject", help=N_("Send a campaign back to its owner with the reason."))
def reject(
    campaign: str = CAMPAIGN,
    reason: str = typer.Option(..., "--reason", help=N_("What the owner must change.")),
    as_json: bool = JSON_OPTION,
) -> None:
    _call("campaigns reject", "reject_campaign", campaign, reason, as_json=as_json)


@app.command("feature", help=N_("Show an open campaign on the home page."))
def feature(campaign: str = CAMPAIGN, as_json: bool = JSON_OPTION) -> None:
    _call("campaigns feature", "feature_campaign", campaign, True, as_json=as_json)


@app.command("unfeature", help=N_("Take a campaign off the home page."))
def unfeature(campaign: str = CAMPAIGN, as_json: bool = JSON_OPTION) -> None:
    _call("campaigns unfeature", "feature_campaign", campaign, False, as_json=as_json)


def at_stake(campaign: str) -> dict[str, Any]:
    """The campaign (id or slug) and its money, as the operator sees it, for a
    confirmation that says what is at stake."""
    with db.connect() as conn:
        found = operator.find_id(conn, "campaigns", campaign, slug=True)
        with acting_as(conn):
            row = conn.execute(ROW + " where c.id = %s", [found]).fetchone()
    if row is None:
        raise OperatorError(
            _("{campaign}: no such campaign").format(campaign=found), EXIT_NOT_FOUND
        )
    return row


def stake(row: dict[str, Any]) -> dict[str, str]:
    """The names a confirmation uses: slug, raised (``12 000 F CFA``), donations."""
    n = row["donor_count"]
    return {
        "slug": row["slug"],
        "raised": money(row["collected_amount"], row["currency"]),
        "donations": ngettext("{n} donation", "{n} donations", n).format(n=n),
    }


def confirm(question: str) -> None:
    """Asks before an irreversible step (not under --yes), on stderr: stdout
    keeps the data (--json); no: exit 1, nothing done."""
    typer.confirm(question, abort=True, err=True)


@app.command(
    "cancel", help=N_("Stop a campaign for good (donations stop; refunds are a separate step).")
)
def cancel(
    campaign: str = CAMPAIGN,
    reason: str = typer.Option(..., "--reason", help=N_("Why (kept in the history).")),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    row = at_stake(campaign)
    if not yes:
        confirm(
            _("Cancel {slug} ({raised} from {donations})? It cannot be reopened.").format(
                **stake(row)
            )
        )
    _call("campaigns cancel", "cancel_campaign", str(row["id"]), reason, as_json=as_json)


@app.command(
    "freeze",
    help=N_("Hold a campaign: hidden, no donations, no payouts, until unfrozen or closed."),
)
def freeze(
    campaign: str = CAMPAIGN,
    reason: str = typer.Option(..., "--reason", help=N_("Why (told to the owner, audited).")),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    row = at_stake(campaign)
    if not yes:
        confirm(
            _("Freeze {slug} ({raised} from {donations})? It is hidden at once and takes no"
              " donation or payout until unfrozen or closed.").format(**stake(row))
        )  # fmt: skip
    _call("campaigns freeze", "freeze_campaign", str(row["id"]), reason, as_json=as_json)


@app.command(
    "unfreeze",
    help=N_("Lift a freeze: back to active or funded, or expired if its end has passed."),
)
def unfreeze(
    campaign: str = CAMPAIGN,
    note: str = typer.Option(..., "--note", help=N_("What the check found (told to the owner).")),
    as_json: bool = JSON_OPTION,
) -> None:
    _call("campaigns unfreeze", "unfreeze_campaign", campaign, note, as_json=as_json)


def refund_summary(orders: list[dict[str, Any]]) -> str:
    """``3 refund orders, 12 000 F CFA: 2 requested, 1 manual``."""
    if not orders:
        return _("No donation to refund.")
    by_status: dict[str, int] = {}
    for o in orders:
        by_status[o["status"]] = by_status.get(o["status"], 0) + 1
    total = sum(o["amount"] for o in orders)
    return ngettext(
        "{n} refund order, {total}: {statuses}", "{n} refund orders, {total}: {statuses}",
        len(orders),
    ).format(
        n=len(orders), total=money(total, orders[0]["currency"]),
        statuses=", ".join(f"{n} {s}" for s, n in sorted(by_status.items())),
    )  # fmt: skip


def stripe_configured() -> None:
    """--refund asks Stripe at once: say what to set before anything is closed."""
    if not settings().stripe_secret_key:
        raise OperatorError(
            _("Stripe is not configured: set STRIPE_SECRET_KEY in the environment or .env.local,"
              " or close without --refund and send Stripe's refunds later (`refunds send`)"),
            EXIT_PROVIDER,
        )  # fmt: skip


@app.command(
    "close",
    help=N_("Cancel a campaign for good and write a refund order per donation (open payouts"
            " rejected); with --refund, Stripe's are sent at once, mobile-money ones wait in"
            " `refunds list --status manual`."),
)  # fmt: skip
def close(
    campaign: str = CAMPAIGN,
    reason: str = typer.Option(..., "--reason", help=N_("Why (told to the owner, audited).")),
    refund: bool = typer.Option(
        False, "--refund", help=N_("Also ask Stripe now to refund its donations.")
    ),
    yes: bool = YES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    from admin_scripts import refunds_cmd

    if refund:
        stripe_configured()
    row = at_stake(campaign)
    if not yes:
        confirm(
            _("Close {slug} and refund its {donations} ({raised})? There is no way back.").format(
                **stake(row)
            )
        )
    found = str(row["id"])
    closed = operator.act(
        "campaigns close",
        sql.SQL("select to_jsonb(public.close_campaign_with_refunds(%s, %s)) as result"),
        [found, reason], found,
    )  # fmt: skip
    sent = refunds_cmd.send_stripe_refunds(found) if refund else []
    orders = refunds_cmd.orders(found)
    if as_json:
        print_json({**closed, "refund_orders": orders})
    else:
        _show(closed, as_json=False)
        out.print(refund_summary(orders))
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


@app.command(
    "review-queue",
    help=N_("Published campaigns whose text was edited since approval, oldest first."),
)
def review_queue(
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    with db.connect() as conn, acting_as(conn):
        rows = conn.execute(REVIEWS + " limit %s", [limit]).fetchall()

    def changed(r: dict) -> str:
        fields = [f for f in ("title", "summary") if r[f"approved_{f}"] != r[f]]
        fields += [f for f in ("story", "cover") if r[f"{f}_changed"]]
        return ", ".join(fields)

    print_rows(
        rows, as_json=as_json, title=_("Edits waiting for review"),
        columns={_("slug"): "slug", _("edited"): lambda r: i18n.when(r["first_edited_at"]),
                 _("changed"): changed, _("approved title"): "approved_title",
                 _("title now"): "title"},
    )  # fmt: skip


@app.command("review-edit", help=N_("Decide on a campaign's edit waiting for review."))
def review_edit(
    campaign: str = CAMPAIGN,
    accept: bool = typer.Option(
        None, "--accept/--restore", help=N_("Keep the edit, or restore the approved text.")
    ),
    reason: str = typer.Option(None, "--reason", help=N_("Why (to restore: told to the owner).")),
    as_json: bool = JSON_OPTION,
) -> None:
    if accept is None:
        raise OperatorError(_("say --accept or --restore"), operator.EXIT_USAGE)
    campaign = operator.full_id("campaigns", campaign, slug=True)
    row = operator.act(
        "campaigns review-edit",
        sql.SQL("select to_jsonb(public.review_campaign_edit(%s, %s, %s)) as result"),
        [campaign, accept, reason], campaign,
    )  # fmt: skip
    if as_json:
        print_json(row)
    else:
        out.print(_("{campaign}: edit {status}").format(campaign=campaign, status=row["status"]))
