"""Shared terminal helpers: data to stdout, chatter to stderr.

The one home of two rules every command inherits, because user text (titles,
names, comments, reasons, emails) reaches the operator's terminal and files:

- **Printed literally.** ``out`` and ``err`` interpret no Rich markup, emoji
  codes or highlighting in the strings they print (``Bonjour [/oops]`` or
  ``[link=https://evil.test]`` are shown as typed, never parsed); styling is
  asked for with ``style=`` or ``Text`` objects. Control characters (ESC, CSI,
  CR, backspace…), Unicode line and paragraph separators and bidirectional
  overrides are shown as escapes (``\\x1b``,
  ``\\u202e``), never sent to the terminal raw: a line break stays a line break
  in the console's own text, and is shown as ``\\n`` in a value (a table cell).
  JSON output keeps them as JSON escapes.
- **CSV cells are data, not formulas.** A text cell starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return (OWASP's rule; also after leading
  spaces) gets a leading single quote, so a spreadsheet shows it and runs
  nothing. Numbers stay numbers: a value the database typed as a number is
  written as is, even negative; a text that merely looks like one is text.

Long work shows its progress (``progress``) on stderr when it is a terminal and
the command is not under ``--json``; pipes, files and CI get nothing extra.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any, TypeVar

import click
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from admin_scripts import i18n
from admin_scripts.i18n import N_, _, ngettext

# Options every listing and every destructive command takes.
JSON_OPTION = typer.Option(False, "--json", help=N_("Print JSON."))
YES_OPTION = typer.Option(False, "--yes", help=N_("Do not ask for confirmation."))

# C0 and C1 control characters, DEL, the line and paragraph separators (U+2028/9,
# line breaks to editors and logs, as to SQL's one-line rule), and the
# bidirectional controls that reorder what the operator reads (U+061C, U+200E/F,
# U+202A-E, U+2066-9).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
# What json.dumps leaves raw in strings (it escapes C0 characters itself).
UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(match[0])
    return named or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str, *, keep: str = "") -> str:
    """``text`` with its control and bidirectional characters as escapes (but
    those in ``keep``)."""
    return UNSAFE.sub(lambda m: m[0] if m[0] in keep else _escape(m), text)


def literal(value: Any, *, keep: str = "") -> Text:
    """A value as the operator must see it: no markup, one line (unless ``keep``
    has the line break), nothing hidden."""
    return Text(visible(str(value), keep=keep))


class LiteralConsole(Console):
    """A Rich console that prints strings literally (see the module's docstring)."""

    def __init__(self, **options: Any):
        super().__init__(markup=False, emoji=False, highlight=False, **options)

    def print(self, *objects: Any, **options: Any) -> None:
        options.pop("markup", None)  # never: text may come from users
        shown = (Text(visible(o, keep="\n\t")) if isinstance(o, str) else o for o in objects)
        super().print(*shown, **options)


out = LiteralConsole(soft_wrap=True)
err = LiteralConsole(stderr=True)


def error(message: Any, *, label: str = "error") -> None:
    """``error: <message>`` on stderr, not wrapped, the label in red, the message
    literally (its own line breaks kept)."""
    shown = _("{label}:").format(label=label)  # French puts a space before the colon
    err.print(Text(shown, style="red"), literal(message, keep="\n\t"), soft_wrap=True)


def warning(message: Any) -> None:
    shown = _("{label}:").format(label=_("warning"))
    err.print(Text(shown, style="yellow"), literal(message, keep="\n\t"), soft_wrap=True)


def json_value(value: Any) -> Any:
    """What JSON cannot hold as is: moments and dates in ISO 8601 (as the
    database's own JSON writes them), anything else as its text."""
    return value.isoformat() if isinstance(value, datetime | date | time) else str(value)


def print_json(data: Any) -> None:
    text = json.dumps(data, default=json_value, ensure_ascii=False, indent=2)
    print(UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text))


Column = str | Callable[[dict[str, Any]], Any]


def table(
    title: str,
    headers: Iterable[str],
    rows: Iterable[Iterable[Any]],
    *,
    no_wrap: Iterable[str] = (),
    **options,
) -> Table:
    """A Rich table whose cells are shown literally (None and "" as "-"); the
    columns named in ``no_wrap`` are never broken (amounts: ``40 000 F CFA``
    split over two lines reads as two numbers)."""
    whole = set(no_wrap)
    t = Table(title=title, **options)
    for header in headers:
        t.add_column(header, overflow="fold", no_wrap=header in whole)
    for r in rows:
        t.add_row(*(c if isinstance(c, Text) else cell(c) for c in r))
    return t


def cell(value: Any) -> Text:
    return Text("-") if value is None or value == "" else literal(value)


def print_rows(
    rows: list[dict[str, Any]],
    *,
    as_json: bool,
    title: str,
    columns: dict[str, Column],
    no_wrap: Iterable[str] = (),
) -> None:
    """A listing: JSON rows, or a table (header -> key or function of the row;
    the headers in ``no_wrap`` never broken) on stdout and the count on stderr."""
    if as_json:
        print_json(rows)
        return
    cells = ([col(r) if callable(col) else r[col] for col in columns.values()] for r in rows)
    out.print(table(title, columns, cells, no_wrap=no_wrap))
    err.print(ngettext("{n} row", "{n} rows", len(rows)).format(n=number(len(rows))))


# CSV ----------------------------------------------------------------------------------------


def csv_cell(value: Any) -> Any:
    """One CSV cell: numbers as numbers, text neutralised (a leading quote before
    a formula's first character), dates in ISO 8601, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, default=json_value, ensure_ascii=False)
    )
    return (
        "'" + text
        if text.startswith(FORMULA_START) or text.lstrip(" ").startswith(FORMULA_START[:4])
        else text
    )


def write_csv(target: IO[str], header: list[str], rows: Iterable[Iterable[Any]]) -> int:
    """Rows as CSV (header first), every cell through csv_cell; the row count."""
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(csv_cell(h) for h in header)
    count = 0
    for r in rows:
        writer.writerow(csv_cell(v) for v in r)
        count += 1
    return count


def number(value: int | float | Decimal) -> str:
    """A count as the operator's locale writes it (``12 345`` in French)."""
    from babel.numbers import format_decimal

    from admin_scripts.i18n import babel_locale

    return format_decimal(value, locale=babel_locale(), group_separator=True)


def parse_duration(text: str) -> timedelta:
    """A duration as operators type it: 90s, 30m, 12h, 3d."""
    m = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if not m:
        raise typer.BadParameter(_("not a duration (30m, 12h, 3d): {text!r}").format(text=text))
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m[2]]
    return timedelta(**{unit: int(m[1])})


# Progress -----------------------------------------------------------------------------------

T = TypeVar("T")


def current_context() -> Any:
    """The running command's context. Typer runs its own copy of Click
    (``typer._click``), whose context stack the ``click`` package does not see."""
    try:
        from typer._click.globals import get_current_context
    except ImportError:  # a Typer that uses the click package itself
        get_current_context = click.get_current_context
    return get_current_context(silent=True) or click.get_current_context(silent=True)


def under_json() -> bool:
    """Whether the running command (or a group above it) was given ``--json``."""
    ctx = current_context()
    while ctx is not None:
        if ctx.params.get("as_json"):
            return True
        ctx = ctx.parent
    return False


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal itself (not a pipe or a file, whatever
    FORCE_COLOR says: CI logs get no progress bars)."""
    isatty = getattr(err.file, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def shows_progress() -> bool:
    return stderr_is_terminal() and not under_json()


def progress(items: Iterable[T], *, label: str, total: int | None = None) -> Iterator[T]:
    """``items``, one by one, with a progress bar on stderr (``label``, done out of
    ``total`` or ``len(items)``, elapsed time) when stderr is a terminal and the
    command is not under ``--json``; the items alone otherwise. Without a known
    total the bar is a spinner with the count."""
    if not shows_progress():
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn() if total is not None else TextColumn("{task.completed}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(visible(label), total=total)
        for item in items:
            yield item
            bar.advance(task)


# Confirmation -------------------------------------------------------------------------------


def confirm(question: str, *, yes: bool = False) -> None:
    """The one confirmation before a destructive or irreversible step: asked on
    stderr (stdout stays data, even under --json) in the console's language
    (``Continuer ? [o/N]: ``; o/oui and y/yes go ahead, n/non or an empty answer
    abort); another answer is asked again; the end of input or Ctrl-C abort (exit
    1, nothing done). ``yes`` (``--yes``, for scripts) skips it."""
    if yes:
        return
    prompt = "{question} [{choices}]: ".format(question=question, choices=_("y/N"))
    while True:
        err.print(literal(prompt), end="", soft_wrap=True)
        err.file.flush()
        try:
            answer = sys.stdin.readline()
        except KeyboardInterrupt:
            answer = ""
        if not answer.endswith("\n"):
            err.print()  # the input ended: the next message on its own line
        if not answer:
            raise typer.Abort()
        word = answer.strip().lower()
        if word in i18n.YES:
            return
        if word in i18n.NO or not word:
            raise typer.Abort()
        err.print(_("Please answer y (yes) or n (no)."))
