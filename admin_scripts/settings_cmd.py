"""`cagnotte-admin settings …`: the platform settings (public.platform_settings),
changed as the operator's admin account; the database checks each value and its
check constraint is the one home of the allowed range, read from it when a
value is refused (``checked_change``)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

import psycopg
import typer
from babel.numbers import format_percent

from admin_scripts import db, i18n, operator
from admin_scripts.console import JSON_OPTION, err, out, print_json
from admin_scripts.i18n import N_, _
from admin_scripts.operator import OperatorError, acting_as
from admin_scripts.settings import site_url

app = typer.Typer(help=N_("Platform settings: show, set."), no_args_is_help=True)


class Setting(StrEnum):
    platform_fee = "platform-fee"
    site_url = "site-url"
    media_cloud_name = "media-cloud-name"
    tip_suggestions = "tip-suggestions"
    tip_max = "tip-max"


COLUMNS = {
    Setting.platform_fee: "platform_fee_bp",
    Setting.site_url: "site_url",
    Setting.media_cloud_name: "media_cloud_name",
    Setting.tip_suggestions: "tip_suggestions_bp",
    Setting.tip_max: "tip_max_bp",
}
# settings in basis points (tip-suggestions: a list of them)
BASIS_POINTS = (Setting.platform_fee, Setting.tip_max)


def percent(basis_points: int | None) -> str:
    """Basis points as a percentage in the operator's locale (500 → 5 %)."""
    if basis_points is None:
        return "-"
    return format_percent(
        basis_points / 10_000, locale=i18n.babel_locale(), decimal_quantization=False
    )


def check_bounds(conn: psycopg.Connection, table: str, column: str) -> tuple[int, int] | None:
    """The range the table's check constraints allow ``column`` (``between 0 and
    2000``, which PostgreSQL states as ``(c >= 0) AND (c <= 2000)``); None if none."""
    rules = conn.execute(
        "select pg_get_constraintdef(c.oid) as rule from pg_catalog.pg_constraint as c"
        " where c.contype = 'c' and c.conrelid = %s::regclass",
        [table],
    ).fetchall()
    text = " ".join(r["rule"] for r in rules)
    low = re.search(rf"\({re.escape(column)} >= (-?\d+)\)", text)
    high = re.search(rf"\({re.escape(column)} <= (-?\d+)\)", text)
    return (int(low[1]), int(high[1])) if low and high else None


def basis_points(text: str) -> int:
    """A fee typed in basis points (whole numbers: 500 = 5 %)."""
    try:
        return int(text.strip())
    except ValueError:
        raise typer.BadParameter(
            _("{text!r} is not a fee: give whole basis points (500 = 5 %)").format(text=text)
        ) from None


# The table's check refused the value, or it is beyond the column's integer.
OUT_OF_RANGE = (psycopg.errors.CheckViolation, psycopg.errors.NumericValueOutOfRange)


def checked_change(action: str, query: str, params: list, target: str, table: str,
                   column: str) -> Any:  # fmt: skip
    """One audited change (``query`` returns ``result``) whose value (the first
    parameter) the table's checks may refuse: then the allowed range, as the
    database states it."""
    value = params[0]
    with db.connect() as conn:
        try:
            with acting_as(conn, action, target=target, args=params):
                row = conn.execute(query, params).fetchone()
        except OperatorError as exc:
            bounds = (
                check_bounds(conn, table, column)
                if isinstance(exc.__cause__, OUT_OF_RANGE)
                else None
            )
            if bounds is None:
                raise
            low, high = bounds
            raise OperatorError(
                _(
                    "{value} is out of range: the database allows {low} to {high} basis points"
                    " ({low_percent} to {high_percent})"
                ).format(value=value, low=low, high=high, low_percent=percent(low),
                         high_percent=percent(high)),
                operator.EXIT_REFUSED,
            ) from exc  # fmt: skip
    if row is None:
        raise OperatorError(_("{target}: not found").format(target=target), operator.EXIT_NOT_FOUND)
    return row["result"]


@app.command("show", help=N_("The platform settings."))
def show(as_json: bool = JSON_OPTION) -> None:
    with db.connect() as conn, acting_as(conn):
        row = conn.execute(
            "select platform_fee_bp, site_url, media_cloud_name, tip_suggestions_bp, tip_max_bp,"
            " updated_at"
            " from public.platform_settings",
        ).fetchone()
    if as_json:
        print_json(row)
        return
    shown = {
        _("platform fee"): f"{percent(row['platform_fee_bp'])} ({row['platform_fee_bp']} bp)",
        _("site URL"): row["site_url"],
        _("media cloud"): row["media_cloud_name"],
        _("tip suggestions"): ", ".join(percent(bp) for bp in row["tip_suggestions_bp"]) or "-",
        _("largest tip"): f"{percent(row['tip_max_bp'])} ({row['tip_max_bp']} bp)",
        _("updated"): i18n.when(row["updated_at"]),
    }
    width = max(len(label) for label in shown)
    for label, value in shown.items():
        out.print(f"{label:{width}}  {value if value is not None else '-'}")


@app.command(
    "set",
    help=N_(
        "Change one setting (the database checks the value). The site URL is a copy"
        " of the deployment's SITE_URL, the one truth (`doctor` compares them)."
    ),
)
def set_(
    name: Setting = typer.Argument(
        ...,
        help=N_(
            "platform-fee (basis points: 500 = 5 %), site-url, media-cloud-name,"
            " tip-suggestions (basis points, comma-separated: 500,1000), tip-max (basis points)."
        ),
    ),
    value: str | None = typer.Argument(
        None, help=N_("The new value; site-url: the deployment's SITE_URL when omitted.")
    ),
) -> None:
    column = COLUMNS[name]
    if name is Setting.site_url and not value:
        value = site_url()  # the deployment's SITE_URL, when it is set
        if value is None:
            raise typer.BadParameter(
                _("SITE_URL is not set (environment or .env.local): give the site's URL")
            )
    if value is None:
        raise typer.BadParameter(_("settings set {name} needs a value").format(name=name.value))
    typed: Any = basis_points(value) if name in BASIS_POINTS else value
    if name is Setting.tip_suggestions:
        typed = [basis_points(part) for part in value.split(",") if part.strip()]
    if name is Setting.site_url:
        typed = value.rstrip("/")
    query = (
        f"update public.platform_settings set {column} = %s"  # noqa: S608 (a column of ours)
        f" returning {column}::text as result"
    )
    if name is Setting.tip_suggestions:  # each above 0, at most tip-max, six at most
        operator.act("settings set tip-suggestions", query, [typed], name.value)
    else:
        checked_change(f"settings set {name.value}", query, [typed], name.value,
                       "public.platform_settings", column)  # fmt: skip
    if name is Setting.tip_suggestions:
        shown = ", ".join(percent(bp) for bp in typed) or "-"
    else:
        shown = f"{percent(typed)} ({typed} bp)" if name in BASIS_POINTS else typed
    err.print(f"{name.value} = {shown}")
