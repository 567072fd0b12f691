"""`cagnotte-admin stats` and `cagnotte-admin export …`: figures for
operators (tables, JSON, a chart of the money per day) and CSV exports."""

from __future__ import annotations

import itertools
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import plotext
import typer
from psycopg.rows import tuple_row
from rich.table import Table
from rich.text import Text

from admin_scripts import db, i18n, operator
from admin_scripts.console import (
    JSON_OPTION,
    cell,
    err,
    number,
    out,
    print_json,
    progress,
    write_csv,
)
from admin_scripts.i18n import N_, _, ngettext

export = typer.Typer(help=N_("CSV exports: donations, campaigns."), no_args_is_help=True)

STATS_HELP = N_("Users, campaigns by status, category and country, money per currency and per day.")

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
            -- the platform's tips, less their share of the fees and their refunds
            coalesce(sum(l.amount) filter (where private.is_platform_revenue(l.kind)), 0)::bigint
                as tips,
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


def gather(days: int) -> tuple[dict, date]:
    """The figures (``--json``'s shape) and the database's today (the per-day
    figures' last day)."""
    with db.connect() as conn:
        operator.resolve(conn)
        data = {
            name: conn.execute(query, {"days": days}).fetchall() for name, query in QUERIES.items()
        }
        today = conn.execute("select current_date as today").fetchone()["today"]
    data["users"] = data["users"][0]
    return data, today


# Headers (translated when shown) and how each column's values are shown.
HEADERS = {
    "status": N_("status"),
    "category": N_("category"),
    "country": N_("country"),
    "campaigns": N_("campaigns"),
    "open": N_("open"),
    "currency": N_("currency"),
    "collected": N_("collected"),
    "platform_fees": N_("platform fees"),
    "processor_fees": N_("processor fees"),
    "tips": N_("tips (net)"),
    "paid_out": N_("paid out"),
    "donations": N_("donations"),
    "day": N_("day"),
    "amount": N_("amount"),
}
MONEY_COLUMNS = {"collected", "platform_fees", "processor_fees", "tips", "paid_out", "amount"}


def shown(name: str, row: dict) -> Text:
    """A value as the operator reads it: money with its currency, counts and dates
    in the locale's way."""
    value = row[name]
    if name in MONEY_COLUMNS:
        return Text(i18n.money(value, row["currency"]))
    if isinstance(value, int):
        return Text(number(value))
    if isinstance(value, date):
        return Text(i18n.when(value))
    return cell(value)


def _table(title: str, rows: list[dict]) -> None:
    if not rows:
        return
    table = Table(title=title)
    for name in rows[0]:
        right = name in MONEY_COLUMNS or isinstance(rows[0][name], int)
        table.add_column(_(HEADERS.get(name, name)), justify="right" if right else "left")
    for r in rows:
        table.add_row(*(shown(name, r) for name in r))
    out.print(table)


CHART_WIDTH = 80  # columns, at most (a terminal's usual width)
CHART_HEIGHT = 15
CHART_TICKS = 6
Y_TICKS = 4


def series(per_day: list[dict], currency: str, today: date, days: int) -> list[tuple[date, int]]:
    """The amount given each day of the period in one currency, days without
    donations included (zero), oldest first."""
    given = {r["day"]: r["amount"] for r in per_day if r["currency"] == currency}
    period = [today - timedelta(days=n) for n in reversed(range(days))]
    return [(d, given.get(d, 0)) for d in period]


def chart(points: list[tuple[date, int]], currency: str, width: int = CHART_WIDTH) -> str:
    """The money given per day in one currency, a terminal bar chart at most
    ``width`` columns wide, its axis in money as people read it."""
    places = i18n.digits(currency)
    amounts = [a for _d, a in points]
    plotext.clear_figure()
    plotext.bar(list(range(len(points))), [float(Decimal(a).scaleb(-places)) for a in amounts],
                width=0.6)  # fmt: skip
    step = max(1, -(-len(points) // CHART_TICKS))
    ticks = list(range(0, len(points), step))
    plotext.xticks(ticks, [points[i][0].strftime("%d/%m") for i in ticks])
    top = max(amounts, default=0)
    levels = sorted({top * i // Y_TICKS for i in range(Y_TICKS + 1)})
    plotext.yticks(
        [float(Decimal(v).scaleb(-places)) for v in levels],
        [i18n.money(v, currency) for v in levels],
    )
    plotext.title(_("Donations per day ({currency})").format(currency=currency))
    plotext.plotsize(min(width, CHART_WIDTH), CHART_HEIGHT)
    plotext.theme("clear")
    figure = plotext.build()
    return figure if sys.stdout.isatty() else plotext.uncolorize(figure)


def currencies(data: dict) -> list[str]:
    """Every currency with money or donations in the period, the busiest first."""
    found = [r["currency"] for r in data["money"]] + [r["currency"] for r in data["per_day"]]
    return list(dict.fromkeys(found))


def stats(
    days: int = typer.Option(30, "--days", min=1, max=366, help=N_("Days in the per-day figures.")),
    as_json: bool = JSON_OPTION,
    no_chart: bool = typer.Option(False, "--no-chart", help=N_("Tables only.")),
) -> None:
    data, today = gather(days)
    if as_json:
        print_json(data)
        return
    u = data["users"]
    out.print(
        _("Users: {total} ({new} new in 30 days, {banned} banned)").format(
            total=number(u["total"]), new=number(u["new_30_days"]), banned=number(u["banned"])
        )
    )
    _table(_("Campaigns by status"), data["campaigns_by_status"])
    _table(_("Campaigns by category"), data["campaigns_by_category"])
    _table(_("Campaigns by country"), data["campaigns_by_country"])
    _table(_("Money per currency"), data["money"])
    _table(_("Per day, last {days} days").format(days=days), data["per_day"])
    if no_chart:
        return
    for currency in currencies(data):
        # the chart's own colours (on a terminal) are ANSI codes: read as styles
        figure = chart(series(data["per_day"], currency, today, days), currency, out.width)
        out.print(Text.from_ansi(figure))


EXPORTS = {
    "donations": """
        select d.id, d.created_at, d.succeeded_at, c.slug as campaign, d.amount, d.currency,
            d.status, d.refunded_amount, d.disputed_amount, d.dispute_status, d.platform_fee_bp,
            case when d.is_anonymous then null else d.donor_name end as donor_name, d.is_anonymous
        from public.donations as d
        join public.campaigns as c on c.id = d.campaign_id
        where d.created_at >= coalesce(%(since)s::timestamptz, '-infinity')
        order by d.created_at
    """,
    "campaigns": """
        select c.id, c.slug, c.title, c.status, c.category, c.country, c.city, c.currency,
            c.goal_amount, c.collected_amount, c.donor_count, c.created_at, c.published_at,
            c.ends_at, p.display_name as owner
        from public.campaigns as c
        left join public.profiles as p on p.id = c.owner_id
        where c.created_at >= coalesce(%(since)s::timestamptz, '-infinity')
        order by c.created_at
    """,
}


def _export(what: str, since: datetime | None, output: Path | None) -> None:
    """Rows streamed from the database into CSV (console.write_csv neutralises
    formulas in text cells; numbers stay numbers), counted on a terminal."""
    target = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
    # The count goes to stderr; not over CSV shown on the same terminal.
    counted = output is not None or not sys.stdout.isatty()
    rows = 0
    try:
        with (
            db.connect() as conn,
            operator.acting_as(conn, f"export {what}", since=since.isoformat() if since else None),
        ):
            cursor = conn.cursor(row_factory=tuple_row)
            stream = cursor.stream(EXPORTS[what], {"since": since})
            first = next(stream, None)  # the header is known once the query has run
            header = [c.name for c in cursor.description or []]
            found = itertools.chain([first] if first else [], stream)
            if counted:
                found = progress(found, label=_(EXPORT_LABELS[what]))
            rows = write_csv(target, header, found)
    finally:
        if output:
            target.close()
        else:
            target.flush()
    done = (
        ngettext("{count} donation exported", "{count} donations exported", rows)
        if what == "donations"
        else ngettext("{count} campaign exported", "{count} campaigns exported", rows)
    ).format(count=number(rows))
    err.print(_("{done} to {file}").format(done=done, file=output) if output else done)


EXPORT_LABELS = {"donations": N_("Exporting donations"), "campaigns": N_("Exporting campaigns")}
SINCE = typer.Option(
    None,
    "--since",
    parser=i18n.parse_when,
    metavar="DATE",
    help=N_(
        "Only rows created since this ISO 8601 date or moment (2026-11-01,"
        " 2026-11-01T08:00; your time zone unless given)."
    ),
)
OUTPUT = typer.Option(None, "--output", "-o", help=N_("File to write (default: stdout)."))


@export.command("donations", help=N_("Donations as CSV (anonymous donors' names left out)."))
def export_donations(since: datetime | None = SINCE, output: Path | None = OUTPUT):
    _export("donations", since, output)


@export.command("campaigns", help=N_("Campaigns as CSV."))
def export_campaigns(since: datetime | None = SINCE, output: Path | None = OUTPUT):
    _export("campaigns", since, output)
