"""`cagnotte-admin stats` and `cagnotte-admin export …`: figures for
operators (tables, JSON, a chart of the money per day) and CSV exports."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import plotext
import typer
from psycopg import sql
from psycopg.rows import tuple_row
from rich.table import Table
from rich.text import Text

from admin_scripts import db, operator
from admin_scripts.console import JSON_OPTION, cell, err, out, print_json, write_csv
from admin_scripts.operator import OperatorError

export = typer.Typer(help="CSV exports: donations, campaigns.", no_args_is_help=True)

QUERIES = {
    "users": """
        select count(*) as total,
            count(*) filter (where u.created_at > now() - interval '30 days') as new_30_days,
            count(*) filter (where u.banned_until > now()) as banned
        from auth.users as u
    """,
    "campaigns_by_status": """
        select status::text, count(*) as campaigns from public.campaigns group by 1 order by 2 desc
    """,
    "campaigns_by_category": """
        select coalesce(category, '-') as category, count(*) as campaigns,
            count(*) filter (where is_open) as open
        from public.campaigns group by 1 order by 2 desc
    """,
    "campaigns_by_country": """
        select coalesce(country::text, '-') as country, count(*) as campaigns
        from public.campaigns group by 1 order by 2 desc
    """,
    "money": """
        select l.currency,
            coalesce(sum(l.amount) filter (
                where l.kind in ('donation', 'refund', 'dispute', 'dispute_reversal')
            ), 0)::bigint as collected,
            coalesce(-sum(l.amount) filter (where l.kind = 'platform_fee'), 0)::bigint
                as platform_fees,
            coalesce(-sum(l.amount) filter (where l.kind = 'processor_fee'), 0)::bigint
                as processor_fees,
            (select coalesce(sum(p.amount), 0)::bigint from public.payout_requests as p
             where p.currency = l.currency and p.status = 'paid') as paid_out,
            count(*) filter (where l.kind = 'donation') as donations
        from private.ledger_entries as l
        group by l.currency order by donations desc
    """,
    "per_day": """
        select t.day, c.currency, sum(t.donation_count)::bigint as donations,
            sum(t.amount)::bigint as amount
        from private.campaign_daily_totals as t
        join public.campaigns as c on c.id = t.campaign_id
        where t.day > current_date - %(days)s
        group by 1, 2 order by 1, 2
    """,
}


def gather(days: int) -> dict:
    try:
        with db.connect() as conn:
            operator.resolve(conn)
            data = {
                name: conn.execute(query, {"days": days}).fetchall()
                for name, query in QUERIES.items()
            }
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    data["users"] = data["users"][0]
    return data


def _table(title: str, rows: list[dict]) -> None:
    if not rows:
        return
    table = Table(title=title)
    for name in rows[0]:
        table.add_column(name, justify="right" if isinstance(rows[0][name], int) else "left")
    for r in rows:
        table.add_row(*(cell(v) for v in r.values()))
    out.print(table)


def chart(per_day: list[dict], currency: str) -> str:
    """The money given per day in one currency, as a terminal bar chart."""
    days = [r for r in per_day if r["currency"] == currency]
    plotext.clear_figure()
    plotext.date_form("d/m")
    plotext.bar([r["day"].strftime("%d/%m") for r in days], [r["amount"] for r in days])
    plotext.title(f"Donations per day ({currency}, minor units)")
    plotext.plotsize(100, 20)
    plotext.theme("clear")
    figure = plotext.build()
    return figure if sys.stdout.isatty() else plotext.uncolorize(figure)


def stats(
    days: int = typer.Option(30, "--days", min=1, max=366, help="Days in the per-day figures."),
    as_json: bool = JSON_OPTION,
    no_chart: bool = typer.Option(False, "--no-chart", help="Tables only."),
) -> None:
    """Users, campaigns by status, category and country, money per currency and per day."""
    data = gather(days)
    if as_json:
        print_json(data)
        return
    u = data["users"]
    out.print(f"Users: {u['total']} ({u['new_30_days']} new in 30 days, {u['banned']} banned)")
    _table("Campaigns by status", data["campaigns_by_status"])
    _table("Campaigns by category", data["campaigns_by_category"])
    _table("Campaigns by country", data["campaigns_by_country"])
    _table("Money per currency (minor units)", data["money"])
    _table(f"Per day, last {days} days", data["per_day"])
    if data["money"] and not no_chart:
        # the chart's own colours (on a terminal) are ANSI codes: read as styles
        out.print(Text.from_ansi(chart(data["per_day"], data["money"][0]["currency"])))


EXPORTS = {
    "donations": """
        select d.id, d.created_at, d.succeeded_at, c.slug as campaign, d.amount, d.currency,
            d.status, d.refunded_amount, d.disputed_amount, d.dispute_status, d.platform_fee_bp,
            case when d.is_anonymous then null else d.donor_name end as donor_name, d.is_anonymous
        from public.donations as d
        join public.campaigns as c on c.id = d.campaign_id
        where d.created_at >= coalesce({since}::timestamptz, '-infinity')
        order by d.created_at
    """,
    "campaigns": """
        select c.id, c.slug, c.title, c.status, c.category, c.country, c.city, c.currency,
            c.goal_amount, c.collected_amount, c.donor_count, c.created_at, c.published_at,
            c.ends_at, p.display_name as owner
        from public.campaigns as c
        left join public.profiles as p on p.id = c.owner_id
        where c.created_at >= coalesce({since}::timestamptz, '-infinity')
        order by c.created_at
    """,
}


def _export(what: str, since: str | None, output: Path | None) -> None:
    """Rows streamed from the database into CSV (console.write_csv neutralises
    formulas in text cells; numbers stay numbers)."""
    query = sql.SQL(EXPORTS[what]).format(since=sql.Literal(since))
    target = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    rows = 0
    try:
        with db.connect() as conn, operator.acting_as(conn, f"export {what}", since=since):
            cursor = conn.cursor(row_factory=tuple_row)
            stream = cursor.stream(query)
            first = next(stream, None)  # the header is known once the query has run
            header = [c.name for c in cursor.description or []]
            rows = write_csv(target, header, itertools.chain([first] if first else [], stream))
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    finally:
        if output:
            target.close()
        else:
            target.flush()
    err.print(f"{rows} {what} exported" + (f" to {output}" if output else ""))


SINCE = typer.Option(None, "--since", help="Only rows created since (e.g. 2026-11-01).")
OUTPUT = typer.Option(None, "--output", "-o", help="File to write (default: stdout).")


@export.command("donations")
def export_donations(since: str = SINCE, output: Path = OUTPUT):
    """Donations as CSV (anonymous donors' names left out)."""
    _export("donations", since, output)


@export.command("campaigns")
def export_campaigns(since: str = SINCE, output: Path = OUTPUT):
    """Campaigns as CSV."""
    _export("campaigns", since, output)
