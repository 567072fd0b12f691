"""`cagnotte-admin reports|comments|categories|settings …`: the review
queues and the reference data, through the same tables, RPCs and policies
as the admin screens (the operator acts as their admin account)."""

from __future__ import annotations

from typing import Any

import typer

from admin_scripts import db, operator
from admin_scripts.choices import ReportStatus
from admin_scripts.console import JSON_OPTION, YES_OPTION, err, out, print_json, print_rows
from admin_scripts.operator import (
    OperatorError,
    acting_as,
)
from admin_scripts.settings import site_url

reports = typer.Typer(help="Reports: the queue, and their resolution.", no_args_is_help=True)
comments = typer.Typer(help="Comments: review, hide, delete.", no_args_is_help=True)
categories = typer.Typer(help="Categories: list, add, fees, enable/disable.", no_args_is_help=True)
settings = typer.Typer(help="Platform settings: show, set.", no_args_is_help=True)


def _rows(query: str, params: Any = None) -> list[dict]:
    try:
        with db.connect() as conn, acting_as(conn):
            return conn.execute(query, params).fetchall()
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc


def _change(action: str, query: str, params: list, target: str) -> Any:
    """One audited change; no row changed means the target does not exist."""
    return operator.act(action, query, params, target)


# Reports ------------------------------------------------------------------------------------


@reports.command("list")
def reports_list(
    status: ReportStatus = typer.Option(ReportStatus.open, "--status", help="Which reports."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Reports, oldest first, with what they target."""
    rows = _rows(
        """
        select r.id, r.reason::text, r.details, r.status::text, r.created_at,
            coalesce(c.slug, cc.slug) as campaign, m.body as comment,
            (select count(*) from public.reports as x where x.status = 'open'
             and (x.campaign_id = r.campaign_id or x.comment_id = r.comment_id)) as open_reports
        from public.reports as r
        left join public.campaigns as c on c.id = r.campaign_id
        left join public.comments as m on m.id = r.comment_id
        left join public.campaigns as cc on cc.id = m.campaign_id
        where r.status::text = %s
        order by r.created_at
        """,
        [status.value],
    )
    print_rows(
        rows,
        as_json=as_json,
        title="Reports",
        columns={
            "id": "id",
            "reason": "reason",
            "campaign": "campaign",
            "comment": "comment",
            "open_reports": "open_reports",
            "details": "details",
        },
    )


@reports.command("resolve")
def reports_resolve(
    report_id: str,
    dismiss: bool = typer.Option(False, "--dismiss", help="Nothing to do (default: resolved)."),
    note: str = typer.Option(None, "--note", help="What was decided."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Close a report: resolved (action taken) or dismissed."""
    status = "dismissed" if dismiss else "resolved"
    report_id = operator.full_id("reports", report_id)
    row = _change(
        "reports resolve",
        "select to_jsonb(public.resolve_report(%s, %s, %s)) as result", [report_id, status, note],
        report_id,
    )  # fmt: skip
    print_json(row) if as_json else out.print(f"{row['id']} {row['status']}")


# Comments -----------------------------------------------------------------------------------


@comments.command("list")
def comments_list(
    hidden: bool = typer.Option(False, "--hidden", help="Only hidden comments."),
    reported: bool = typer.Option(False, "--reported", help="Only comments with open reports."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    """Comments, newest first."""
    rows = _rows(
        """
        select m.id, c.slug as campaign, p.display_name as author, m.body, m.hidden,
            m.hidden_reason, m.created_at,
            (select count(*) from public.reports as r
             where r.comment_id = m.id and r.status = 'open') as open_reports
        from public.comments as m
        join public.campaigns as c on c.id = m.campaign_id
        left join public.profiles as p on p.id = m.author_id
        where (not %(hidden)s or m.hidden)
          and (not %(reported)s or exists (
              select 1 from public.reports as r where r.comment_id = m.id and r.status = 'open'))
        order by m.created_at desc
        limit %(n)s
        """,
        {"hidden": hidden, "reported": reported, "n": limit},
    )
    print_rows(
        rows,
        as_json=as_json,
        title="Comments",
        columns={
            "id": "id",
            "campaign": "campaign",
            "author": "author",
            "body": "body",
            "hidden": "hidden",
            "open_reports": "open_reports",
        },
    )


def _hide(
    comment_id: str,
    hidden: bool,
) -> None:
    comment_id = operator.full_id("comments", comment_id)
    _change(
        "comments hide" if hidden else "comments unhide",
        "update public.comments set hidden = %s where id = %s returning id as result",
        [hidden, comment_id], comment_id,
    )  # fmt: skip
    err.print(f"comment {comment_id} {'hidden' if hidden else 'visible again'}")


@comments.command("hide")
def comments_hide(comment_id: str) -> None:
    """Hide a comment from everyone but its author, the owner and staff."""
    _hide(comment_id, True)


@comments.command("unhide")
def comments_unhide(comment_id: str) -> None:
    """Show a hidden comment again."""
    _hide(comment_id, False)


@comments.command("delete")
def comments_delete(comment_id: str, yes: bool = YES_OPTION) -> None:
    """Delete a comment for good."""
    comment_id = operator.full_id("comments", comment_id)
    if not yes:
        typer.confirm(f"Delete comment {comment_id}?", abort=True)
    _change(
        "comments delete",
        "delete from public.comments where id = %s returning id as result",
        [comment_id], comment_id,
    )  # fmt: skip
    err.print(f"comment {comment_id} deleted")


# Categories ---------------------------------------------------------------------------------


@categories.command("list")
def categories_list(as_json: bool = JSON_OPTION) -> None:
    """Categories with their fee and the proofs they ask for."""
    rows = _rows(
        """
        select k.slug, k.name_fr, k.name_en, k.active, k.platform_fee_bp,
            coalesce((select array_agg(r.document_type order by r.document_type)
                      from public.category_proof_requirements as r where r.category = k.slug),
                     '{}') as proofs
        from public.categories as k
        order by k.position, k.slug
        """,
    )
    print_rows(
        rows,
        as_json=as_json,
        title="Categories",
        columns={
            "slug": "slug",
            "name_fr": "name_fr",
            "active": "active",
            "platform_fee_bp": "platform_fee_bp",
            "proofs": "proofs",
        },
    )


@categories.command("add")
def categories_add(
    slug: str,
    name_fr: str = typer.Option(..., "--fr", help="French name."),
    name_en: str = typer.Option(..., "--en", help="English name."),
    position: int = typer.Option(500, "--position"),
) -> None:
    """A new category."""
    _change(
        "categories add",
        "insert into public.categories (slug, name_fr, name_en, position)"
        " values (%s, %s, %s, %s) returning slug as result",
        [slug, name_fr, name_en, position], slug,
    )  # fmt: skip
    err.print(f"category {slug} added")


def _set_category(action: str, slug: str, column: str, value: Any) -> None:
    query = {
        "platform_fee_bp": "update public.categories set platform_fee_bp = %s"
        " where slug = %s returning slug as result",
        "active": "update public.categories set active = %s"
        " where slug = %s returning slug as result",
    }[column]
    _change(action, query, [value, slug], slug)


@categories.command("set-fee")
def categories_set_fee(
    slug: str,
    basis_points: int = typer.Argument(None, help="e.g. 300 for 3 %; omit with --clear."),
    clear: bool = typer.Option(False, "--clear", help="Back to the global rate."),
) -> None:
    """The platform fee of a category, for pledges from now on."""
    if (basis_points is None) == (not clear):
        raise operator.fail(ValueError("give basis points, or --clear"))
    _set_category("categories set-fee", slug, "platform_fee_bp", basis_points)
    err.print(f"{slug}: fee {'global' if clear else f'{basis_points} bp'}")


@categories.command("disable")
def categories_disable(slug: str) -> None:
    """No new campaigns in this category (existing ones keep it)."""
    _set_category("categories disable", slug, "active", False)


@categories.command("enable")
def categories_enable(slug: str) -> None:
    """Offer the category again."""
    _set_category("categories enable", slug, "active", True)


# Settings -----------------------------------------------------------------------------------

SETTINGS = {
    "platform-fee": "platform_fee_bp",
    "site-url": "site_url",
    "media-cloud-name": "media_cloud_name",
}


@settings.command("show")
def settings_show(as_json: bool = JSON_OPTION) -> None:
    """The platform settings."""
    (row,) = _rows(
        "select platform_fee_bp, site_url, media_cloud_name, updated_at"
        " from public.platform_settings",
    )
    if as_json:
        print_json(row)
    else:
        for key, value in row.items():
            out.print(f"{key:18} {value}")


@settings.command("set")
def settings_set(
    name: str = typer.Argument(
        ..., help="platform-fee (basis points), site-url, media-cloud-name."
    ),
    value: str | None = typer.Argument(
        None, help="The new value; site-url: the deployment's SITE_URL when omitted."
    ),
) -> None:
    """Change one setting (the database checks the value). The site URL is a copy
    of the deployment's SITE_URL, the one truth (`doctor` compares them)."""
    if name not in SETTINGS:
        raise operator.fail(ValueError(f"unknown setting {name!r}: {', '.join(SETTINGS)}"))
    column = SETTINGS[name]
    if column == "site_url":
        value = (value or site_url() or "").rstrip("/") or None
    if value is None:
        need = "SITE_URL is not set: give the site's URL" if column == "site_url" else "a value"
        raise operator.fail(ValueError(f"settings set {name} needs {need}"))
    query = {
        "platform_fee_bp": "update public.platform_settings set platform_fee_bp = %s::integer"
        " returning platform_fee_bp::text as result",
        "site_url": "update public.platform_settings set site_url = %s"
        " returning site_url as result",
        "media_cloud_name": "update public.platform_settings set media_cloud_name = %s"
        " returning media_cloud_name as result",
    }[column]
    _change(f"settings set {name}", query, [value], name)
    err.print(f"{name} = {value}")
