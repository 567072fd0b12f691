"""`cagnotte-admin rates …`: the exchange rates quotes use (public.exchange_rates),
beside the fixed parities (EUR<->XOF and EUR<->XAF, which no one sets). A rate is
set as the operator's admin account through public.set_exchange_rate, which
checks it and audits it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import typer
from babel.numbers import format_decimal

from admin_scripts import db, i18n, operator
from admin_scripts.console import JSON_OPTION, err, print_rows
from admin_scripts.i18n import N_, _
from admin_scripts.operator import acting_as

app = typer.Typer(help=N_("Exchange rates: list, set."), no_args_is_help=True)

# The fixed parities as the database states them (public.fixed_parities), then the rates set.
RATES_SQL = """
select p.base_currency, p.quote_currency, p.rate, null::date as as_of, null::text as origin,
    true as fixed
from public.fixed_parities() as p
union all
select r.base_currency, r.quote_currency, r.rate, r.as_of, r.origin, false
from public.exchange_rates as r
order by fixed desc, base_currency, quote_currency
"""


def decimal_rate(text: str) -> Decimal:
    """A rate typed with a point or a comma for decimals (780.5, 780,5), no grouping."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise typer.BadParameter(
            _("{text!r} is not a rate: a number such as 780.5").format(text=text)
        ) from None
    if not value.is_finite() or value <= 0:
        raise typer.BadParameter(_("a rate is a positive number"))
    return value


def shown_rate(value: Decimal) -> str:
    return format_decimal(value.normalize(), locale=i18n.babel_locale(), decimal_quantization=False)


@app.command("list", help=N_("The rates quotes use: the fixed parities, then those set."))
def list_(as_json: bool = JSON_OPTION) -> None:
    with db.connect() as conn, acting_as(conn):
        rows = conn.execute(RATES_SQL).fetchall()
    print_rows(
        rows,
        as_json=as_json,
        title=_("Exchange rates"),
        columns={
            _("pair"): lambda r: f"{r['base_currency']}/{r['quote_currency']}",
            _("rate"): lambda r: shown_rate(r["rate"]),
            _("date"): lambda r: _("fixed parity") if r["fixed"] else i18n.when(r["as_of"]),
            _("origin"): lambda r: r["origin"] or "-",
        },
    )


@app.command("set", help=N_("Set a pair's rate: 1 BASE = RATE QUOTE, valid on --as-of."))
def set_(
    base: str = typer.Argument(..., help=N_("The currency given (e.g. GBP).")),
    quote: str = typer.Argument(..., help=N_("The currency it is worth (e.g. XOF).")),
    rate: str = typer.Argument(..., help=N_("How many QUOTE one BASE is worth (780.5).")),
    as_of: str = typer.Option(None, "--as-of", help=N_("The rate's date (2026-11-30); today.")),
    origin: str = typer.Option(None, "--origin", help=N_("Where the rate comes from.")),
) -> None:
    value = decimal_rate(rate)
    day = i18n.parse_when(as_of).date() if as_of else date.today()
    pair = f"{base.upper()}/{quote.upper()}"
    operator.call(
        "rates set", "set_exchange_rate", base.upper(), quote.upper(), str(value),
        day.isoformat(), origin,
        target=pair,
    )  # fmt: skip
    shown = shown_rate(value)
    err.print(_("{pair} = {rate} on {day}").format(pair=pair, rate=shown, day=i18n.when(day)))
