"""The console's language: French first, English available; money and dates as
people read them.

- **Messages** are written in English in the code, marked ``_("…")`` (translated
  where they are used) or ``N_("…")`` (help texts, translated when shown), and
  translated by the gettext catalogue ``admin_scripts/locale/<lang>/LC_MESSAGES/
  cagnotte_admin.po`` (Babel extracts and compiles it: ``make messages``). The
  same catalogue translates Click's and Typer's own words (usage errors, panel
  titles): they call the standard ``gettext`` whose domain we bind.
- **The language** is ``--lang`` (root option), else ``CAGNOTTE_LANG``, else
  French. English is the code's own text.
- **Money** is integer minor units with an ISO currency; it is shown with the
  currency's own digits and the locale's separators (Babel: CLDR's data):
  ``5 000 F CFA``, ``100,00 €``; typed amounts are read the same way.
- **Dates** are typed in ISO 8601 (``2026-11-30``, ``2026-11-30T14:00+00:00``)
  and shown in the operator's locale and time zone (``CAGNOTTE_TIMEZONE``, else
  the machine's), the zone named.
"""

from __future__ import annotations

import gettext
import os
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime, get_timezone_name
from babel.numbers import (
    NumberFormatError,
    format_currency,
    get_currency_precision,
    parse_decimal,
)

DOMAIN = "cagnotte_admin"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
class Lang(StrEnum):
    fr = "fr"
    en = "en"


LANGUAGES = tuple(Lang)  # the first is the default
DEFAULT_LANGUAGE = LANGUAGES[0].value

_current = {"lang": DEFAULT_LANGUAGE}


def N_(message: str) -> str:
    """Marks a text for the catalogue without translating it now (help texts,
    constants): it is translated where it is shown."""
    return message


def _(message: str) -> str:
    """``message`` in the console's language."""
    return gettext.dgettext(DOMAIN, message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext.dngettext(DOMAIN, singular, plural, n)


def language() -> str:
    return _current["lang"]


def chosen_language(args: list[str] | None = None) -> str:
    """The language asked for: ``--lang X`` among ``args``, else CAGNOTTE_LANG,
    else the default (an unknown one is left to the option's own check)."""
    args = list(args or [])
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return os.environ.get("CAGNOTTE_LANG") or DEFAULT_LANGUAGE


def use(lang: str) -> None:
    """Speaks ``lang`` from now on (our texts and Click's/Typer's)."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    _current["lang"] = lang
    # The standard gettext picks the language from LANGUAGE first (GNU gettext's
    # rule, followed by Python's gettext.find); Click and Typer translate through it.
    os.environ["LANGUAGE"] = lang
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    _translate_typer_constants()


def _translate_typer_constants() -> None:
    """Typer's panel titles are module constants computed at import: set anew."""
    from typer import rich_utils

    for name, text in {
        "ARGUMENTS_PANEL_TITLE": "Arguments",
        "OPTIONS_PANEL_TITLE": "Options",
        "COMMANDS_PANEL_TITLE": "Commands",
        "ERRORS_PANEL_TITLE": "Error",
        "ABORTED_TEXT": "Aborted.",
        "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
        "DEFAULT_STRING": "[default: {}]",
        "ENVVAR_STRING": "[env var: {}]",
        "REQUIRED_LONG_STRING": "[required]",
    }.items():
        setattr(rich_utils, name, gettext.dgettext(DOMAIN, text))


def translate_help(command) -> None:
    """The help texts of a Click command tree in the console's language (Typer
    builds the tree anew for each run, so translating it in place is safe)."""
    for attr in ("help", "short_help", "epilog"):
        if text := getattr(command, attr, None):
            setattr(command, attr, _(text))
    for param in getattr(command, "params", []):
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)


# Money -------------------------------------------------------------------------------------


def babel_locale() -> Locale:
    return Locale.parse(language())


def digits(currency: str) -> int:
    """The currency's minor-unit digits (ISO 4217 via CLDR: XOF 0, EUR 2)."""
    return get_currency_precision(currency.upper())


def money(amount: int | None, currency: str | None) -> str:
    """Minor units as people read them: ``money(500000, "XOF")`` → ``5 000 F CFA``
    in French, ``money(10000, "EUR")`` → ``100,00 €``."""
    if amount is None or not currency:
        return "-"
    places = digits(currency)
    value = Decimal(int(amount)).scaleb(-places)
    return format_currency(
        value, currency.upper(), locale=babel_locale(), currency_digits=True, group_separator=True
    )


def parse_money(text: str, currency: str) -> int:
    """An amount typed by an operator (``5 000``, ``100,50`` in French, ``100.50``
    in English) in ``currency``'s minor units; a usage error otherwise."""
    places = digits(currency)
    # Spaces group digits in French (U+202F in CLDR, a plain one when typed): dropped.
    cleaned = "".join(text.split()).replace("\u202f", "").replace("\xa0", "")
    try:
        value = parse_decimal(cleaned, locale=babel_locale(), strict=True)
    except (NumberFormatError, InvalidOperation):
        raise typer.BadParameter(
            _("{text!r} is not an amount in {currency} (e.g. {example})").format(
                text=text, currency=currency, example=money(10**places * 5000, currency)
            )
        ) from None
    minor = value.scaleb(places)
    if minor != minor.to_integral_value() or minor <= 0:
        raise typer.BadParameter(
            _("{text!r}: {currency} amounts are positive with at most {places} decimals").format(
                text=text, currency=currency, places=places
            )
        )
    return int(minor)


# Dates -------------------------------------------------------------------------------------


def timezone() -> tzinfo:
    """The operator's time zone: CAGNOTTE_TIMEZONE (an IANA name), else the machine's."""
    name = os.environ.get("CAGNOTTE_TIMEZONE")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise typer.BadParameter(
                _("CAGNOTTE_TIMEZONE={name!r} is not a time zone (e.g. Africa/Abidjan)").format(
                    name=name
                )
            ) from None
    return datetime.now().astimezone().tzinfo or UTC


def when(value: datetime | date | None) -> str:
    """A moment in the operator's locale and time zone, the zone named."""
    if value is None:
        return "-"
    if not isinstance(value, datetime):
        return _format_date(value, format="medium", locale=babel_locale())
    zone = timezone()
    moment = value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=UTC).astimezone(zone)
    shown = format_datetime(moment, format="medium", locale=babel_locale())
    return f"{shown} {moment.strftime('%Z') or get_timezone_name(zone, locale=babel_locale())}"


def parse_when(text: str) -> datetime:
    """A date or moment typed in ISO 8601 (``2026-11-30``, ``2026-11-30T14:00``,
    with an offset or not: the operator's zone then); a usage error otherwise
    (``30/11/2026`` is refused: it reads differently in French and English)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            _("{text!r} is not an ISO 8601 date: write 2026-11-30 or 2026-11-30T14:00").format(
                text=text
            )
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone())
