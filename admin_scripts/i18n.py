"""The console's language: French first, English available; money and dates as
people read them.

- **Messages** are written in English in the code, marked ``_("…")`` (translated
  where they are used) or ``N_("…")`` (help texts, translated when shown), and
  translated by the gettext catalogue ``admin_scripts/locale/<lang>/LC_MESSAGES/
  cagnotte_admin.po`` (Babel extracts and compiles it: ``make messages``). The
  same catalogue translates Typer's own words: its few ``gettext`` calls (panel
  titles) through the standard domain we bind, and the usage errors and help
  words its vendored Click writes as plain text through ``TYPER_TEXTS``; and
  the database's refusal tokens (context ``refusal``: ``refusal_sentence``).
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
import re
import unicodedata
from copy import copy
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime, get_timezone_name
from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_group_symbol,
    parse_decimal,
)
from typer.core import _TyperParameter

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


def pgettext(context: str, message: str) -> str:
    """``message`` in the console's language, among the texts of ``context``."""
    return gettext.dpgettext(DOMAIN, context, message)


# The context of the database's stable error tokens in the catalogue (msgid: the
# token; tests/support/catalogue.py reads them from the migrations).
REFUSAL = "refusal"


def refusal_sentence(token: str, detail: str | None) -> str | None:
    """What the database's refusal ``token`` means, for the operator: the
    catalogue's sentence (French), else the database's own detail (English). A
    sentence may show the detail where it carries values (amounts, statuses,
    fields): ``{detail}`` in the catalogue."""
    if language() != "en":
        sentence = pgettext(REFUSAL, token)
        if sentence != token:
            return sentence.replace("{detail}", detail or "-")
    return detail


def language() -> str:
    return _current["lang"]


# The root options that take a value (cli.root): --lang is looked for among them.
ROOT_OPTIONS_WITH_A_VALUE = ("--operator", "--lang")


def chosen_language(args: list[str] | None = None) -> str:
    """The language asked for: the root option ``--lang X`` (before the command:
    ``--lang`` after it, or an argument's value that reads ``--lang``, is not
    the root option), else CAGNOTTE_LANG (environment, else .env.local, as
    every setting), else the default (an unknown one is left to the option's
    and the settings' checks)."""
    args = list(args or [])
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        if args[i] == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if args[i].startswith("--lang="):
            return args[i].partition("=")[2]
        i += 2 if args[i] in ROOT_OPTIONS_WITH_A_VALUE else 1
    from admin_scripts import settings

    return settings.raw("CAGNOTTE_LANG") or DEFAULT_LANGUAGE


def use(lang: str) -> None:
    """Speaks ``lang`` from now on (our texts and Typer's)."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    _current["lang"] = lang
    # The standard gettext picks the language from LANGUAGE first (GNU gettext's
    # rule, followed by Python's gettext.find); Typer's gettext calls go through it.
    os.environ["LANGUAGE"] = lang
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    _translate_typer()


# Typer's own texts. Typer 0.29 vendors Click (``typer._click``) and writes its
# usage errors and a few help texts as f-strings, outside gettext: they are listed
# here as templates (for the catalogue), and ``typer_text`` translates a text
# built from one of them by matching it. tests/test_console_language.py checks
# that each template still matches what Typer writes.
TYPER_TEXTS = (
    N_("Usage:"),
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Invalid value for {param_hint} (env var: {envvar}): {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing argument {param_hint}. {message}"),
    N_("Missing argument {param_hint}."),
    N_("Missing option {param_hint}. {message}"),
    N_("Missing option {param_hint}."),
    N_("Missing parameter: {name}"),
    N_("Choose from:\n\t{choices}"),
    N_("No such option: {name} (Possible options: {possibilities})"),
    N_("No such option: {name}"),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {nargs} arguments."),
    N_("Option {name} does not take a value."),
    N_("Argument {name} takes {nargs} values."),
    N_("Value {value} is not a valid {kind}."),
    # Pydantic's words, which Typer passes on for values it cannot convert.
    N_("Value error, {message}"),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be a valid boolean, unable to interpret input"),
    N_("Input should be greater than or equal to {limit}"),
    N_("Input should be less than or equal to {limit}"),
    N_("Input should be greater than {limit}"),
    N_("Input should be less than {limit}"),
    N_("Input should be a valid URL, {reason}"),
    N_("String should match pattern {pattern}"),
    N_("String should have at least {limit} character"),
    N_("String should have at least {limit} characters"),
    # Last: the templates that start with a value (tried after the others).
    N_("{message}. Did you mean {suggestions}?"),
    N_("{value} is not one of {choices}."),
)
PLACEHOLDER = re.compile(r"\{(\w+)\}")


# The placeholders that may hold what the operator typed (a value, an option's
# name, extra arguments, a message quoting them): they match greedily, so that
# a typed value that reads like one of the templates' words stays whole, the
# template's own words found after it.
TYPED = {"value", "name", "args", "message"}
# Parameters' names and environment variables: never a colon (the templates'
# own words after them start with one).
NAMED = {"param_hint", "envvar"}


def _placeholder(name: str) -> str:
    matches = "[^:]+?" if name in NAMED else ".+" if name in TYPED else ".+?"
    return f"(?P<{name}>{matches})"


def _pattern(template: str) -> re.Pattern[str]:
    parts = PLACEHOLDER.split(template)  # literal, name, literal, name, …
    regex = "".join(
        re.escape(part) if i % 2 == 0 else _placeholder(part) for i, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


_PATTERNS = [(template, _pattern(template)) for template in TYPER_TEXTS]


def typer_text(text: str) -> str:
    """A text Typer wrote from one of TYPER_TEXTS, in the console's language (its
    nested message too); any other text as it is."""
    if language() == "en":
        return text
    for template, pattern in _PATTERNS:
        if match := pattern.fullmatch(text):
            values = {
                name: typer_text(value) if name == "message" else value
                for name, value in match.groupdict().items()
            }
            return _(template).format(**values)
    return text


def _translate_typer() -> None:
    """Typer speaks the console's language: its constants (panel titles…,
    computed at import) set anew, its usage line, help option and errors
    translated where Typer shows them (see TYPER_TEXTS)."""
    from typer import rich_utils
    from typer._click import formatting

    _translate_typer_constants(rich_utils)
    rich_utils.rich_format_help = _format_help
    rich_utils.rich_format_error = _format_error
    formatting.HelpFormatter.write_usage = _write_usage
    _TyperParameter.display_type = _display_type


# Yes and no as operators type them (console.confirm): the language's words, and
# English's (scripts).
YES = {"y", "yes", "o", "oui"}
NO = {"n", "no", "non"}


def _write_usage(formatter, prog: str, args: str = "", prefix: str | None = None) -> None:
    prefix = f"{_('Usage:')} " if prefix is None else prefix
    _TYPER_ORIGINALS["write_usage"](formatter, prog, args, prefix)


def _format_help(*, obj, ctx, markup_mode) -> None:
    help_option = obj.get_help_option(ctx)
    if help_option is not None:
        help_option.help = _("Show this message and exit.")
    _TYPER_ORIGINALS["rich_format_help"](obj=obj, ctx=ctx, markup_mode=markup_mode)


# The words of the value types Typer shows in help (``<str>``, ``<int range>``…).
TYPE_WORDS = {
    "str": N_("text"),
    "int": N_("integer"),
    "float": N_("number"),
    "bool": N_("flag"),
    "int range": N_("integer"),
    "float range": N_("number"),
    "path": N_("path"),
    "file": N_("file"),
    "dir": N_("folder"),
    "datetime": N_("date"),
}


def _display_type(param, ctx) -> str:
    shown = _TYPER_ORIGINALS["display_type"](param, ctx)
    word = shown.removeprefix("<").removesuffix(">")
    if language() == "en" or word not in TYPE_WORDS:
        return shown
    return f"<{_(TYPE_WORDS[word])}>"


def _format_error(error) -> None:
    message = typer_text(error.format_message())
    error.format_message = lambda: message
    _TYPER_ORIGINALS["rich_format_error"](error)


def _typer_originals() -> dict:
    from typer import rich_utils
    from typer._click import formatting

    return {
        "write_usage": formatting.HelpFormatter.write_usage,
        "rich_format_help": rich_utils.rich_format_help,
        "rich_format_error": rich_utils.rich_format_error,
        "display_type": _TyperParameter.display_type,
    }


_TYPER_ORIGINALS = _typer_originals()


def _translate_typer_constants(rich_utils) -> None:
    """Typer's panel titles are module constants computed at import: set anew."""
    for name, text in {
        "ARGUMENTS_PANEL_TITLE": "Arguments",
        "OPTIONS_PANEL_TITLE": "Options",
        "COMMANDS_PANEL_TITLE": "Commands",
        "ERRORS_PANEL_TITLE": "Error",
        "ABORTED_TEXT": "Aborted.",
        "DEPRECATED_STRING": "(deprecated) ",
        "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
        "DEFAULT_STRING": "[default: {}]",
        "ENVVAR_STRING": "[env var: {}]",
        "REQUIRED_LONG_STRING": "[required]",
    }.items():
        setattr(rich_utils, name, gettext.dgettext(DOMAIN, text))


def translate_help(command) -> None:
    """The help texts of a Click command tree in the console's language (Typer
    builds the tree anew for each run, so translating it in place is safe)."""
    for attr in ("help", "short_help", "epilog", "rich_help_panel"):
        if text := getattr(command, attr, None):
            setattr(command, attr, _(text))
    for param in getattr(command, "params", []):
        for attr in ("help", "rich_help_panel"):  # panel titles: N_("…") too
            if text := getattr(param, attr, None):
                setattr(param, attr, _(text))
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)


# Money -------------------------------------------------------------------------------------


def babel_locale() -> Locale:
    return Locale.parse(language())


def digits(currency: str) -> int:
    """The currency's minor-unit digits, as the database counts them
    (``public.currencies.exponent``: the one home of a currency's exponent, read
    once per run); CLDR's (ISO 4217) for a currency the database does not list."""
    code = currency.upper()
    known = _exponents()
    return known[code] if code in known else get_currency_precision(code)


_EXPONENTS: dict[str, dict[str, int]] = {}


def _exponents() -> dict[str, int]:
    """``public.currencies``' exponents, read once per run (``read_currencies``,
    on the command's connection, or here on the first amount of the run)."""
    if "read" not in _EXPONENTS:
        from admin_scripts import db

        with db.connect() as conn:
            read_currencies(conn)
    return _EXPONENTS["read"]


def read_currencies(conn) -> None:
    """Reads the database's currencies' exponents, unless read in this run."""
    if "read" not in _EXPONENTS:
        rows = conn.execute("select code, exponent from public.currencies").fetchall()
        _EXPONENTS["read"] = {r["code"]: int(r["exponent"]) for r in rows}


def forget_currencies() -> None:
    _EXPONENTS.clear()


def money(amount: int | None, currency: str | None) -> str:
    """Minor units as people read them: ``money(500000, "XOF")`` → ``5 000 F CFA``
    in French, ``money(10000, "EUR")`` → ``100,00 €``."""
    if amount is None or not currency:
        return "-"
    places = digits(currency)
    value = Decimal(int(amount)).scaleb(-places)
    pattern = copy(babel_locale().currency_formats["standard"])
    pattern.frac_prec = (places, places)  # the database's digits, not CLDR's
    return format_currency(
        value, currency.upper(), format=pattern, locale=babel_locale(), currency_digits=False
    )


# The largest amount the database stores (bigint minor units).
LARGEST_AMOUNT = 2**63 - 1


def parse_money(text: str, currency: str) -> int:
    """An amount typed by an operator in ``currency``'s minor units, written the
    locale's way (``5 000``, ``100,50`` in French, ``5,000.50`` in English; the
    currency's code or symbol may follow, as the console shows amounts); a usage
    error otherwise. Decimals the currency does not have are refused, not
    rounded: ``5.000`` is no amount of francs CFA (five? five thousand?)."""
    places = digits(currency)
    number = _digits_of(text, currency)
    try:
        if not number or not set(number) <= _AMOUNT_CHARACTERS | {_group()}:
            raise NumberFormatError(text)
        value = parse_decimal(number, locale=babel_locale(), strict=True)
    except (NumberFormatError, InvalidOperation):
        raise typer.BadParameter(
            _("{text!r} is not an amount in {currency}: write it as {example}").format(
                text=text, currency=currency, example=_example(currency)
            )
        ) from None
    if value <= 0:
        raise typer.BadParameter(_("{text!r}: an amount is more than zero").format(text=text))
    if -value.as_tuple().exponent > places:
        raise typer.BadParameter(_decimals_refused(text, currency, places))
    minor = int(value.scaleb(places))
    if minor > LARGEST_AMOUNT:
        raise typer.BadParameter(_("{text!r}: the amount is too large").format(text=text))
    return minor


_AMOUNT_CHARACTERS = set("0123456789+-.,")


def _group() -> str:
    return get_group_symbol(babel_locale())


def _digits_of(text: str, currency: str) -> str:
    """The number in ``text``: the currency's code or symbol around it dropped,
    any digit (Arabic-Indic, full-width…) as an ASCII one, spaces grouping digits
    as the locale's group symbol (so that Babel checks where they are)."""
    markers = {currency.upper(), get_currency_symbol(currency.upper(), babel_locale())}
    spelled = "|".join(
        r"\s*".join(map(re.escape, "".join(marker.split())))
        for marker in sorted(markers, key=len, reverse=True)
    )
    match = re.fullmatch(
        rf"\s*(?:(?:{spelled})\s*)?(.*?)\s*(?:{spelled})?\s*", text, re.IGNORECASE | re.DOTALL
    )
    number = match.group(1) if match else text
    number = "".join(str(unicodedata.digit(c)) if c.isdecimal() else c for c in number)
    return re.sub(r"\s+", _group(), number)


def _example(currency: str) -> str:
    return format_decimal(
        5000, format="#,##0" + ("." + "0" * digits(currency)).rstrip("."), locale=babel_locale()
    )


def _decimals_refused(text: str, currency: str, places: int) -> str:
    if places == 0:
        return _("{text!r}: {currency} amounts have no decimals (e.g. {example})").format(
            text=text, currency=currency, example=_example(currency)
        )
    return ngettext(
        "{text!r}: {currency} amounts have at most {places} decimal (e.g. {example})",
        "{text!r}: {currency} amounts have at most {places} decimals (e.g. {example})",
        places,
    ).format(text=text, currency=currency, places=places, example=_example(currency))


# Dates -------------------------------------------------------------------------------------


def timezone() -> tzinfo:
    """The operator's time zone: CAGNOTTE_TIMEZONE (an IANA name, checked with
    the settings), else the machine's."""
    from admin_scripts.settings import settings

    if name := settings().cagnotte_timezone:
        return ZoneInfo(name)
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


# A date written as ISO 8601 wants it (year-month-day), which may not exist.
ISO_SHAPED = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}(?::\d{2}){0,2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_when(text: str) -> datetime:
    """A date or moment typed in ISO 8601 (``2026-11-30``, ``2026-11-30T14:00``,
    with an offset or not: the operator's zone then); a usage error otherwise
    (``30/11/2026`` is refused: it reads differently in French and English)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        if ISO_SHAPED.match(text.strip()):  # 2026-02-30, 2026-11-30T25:00
            raise typer.BadParameter(
                _("{text!r}: there is no such day or time (check the day, month and hour)").format(
                    text=text
                )
            ) from None
        raise typer.BadParameter(
            _("{text!r} is not an ISO 8601 date: write 2026-11-30 or 2026-11-30T14:00").format(
                text=text
            )
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone())
