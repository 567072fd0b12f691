"""Shared terminal helpers: data to stdout, chatter to stderr."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

# Options every listing and every destructive command takes.
JSON_OPTION = typer.Option(False, "--json", help="Print JSON.")
YES_OPTION = typer.Option(False, "--yes", help="Do not ask for confirmation.")

out = Console(soft_wrap=True)
err = Console(stderr=True)


def print_json(data: Any) -> None:
    print(json.dumps(data, default=str, ensure_ascii=False, indent=2))


Column = str | Callable[[dict[str, Any]], Any]


def print_rows(
    rows: list[dict[str, Any]], *, as_json: bool, title: str, columns: dict[str, Column]
) -> None:
    """A listing: JSON rows, or a table (header -> key or function of the row)
    on stdout and the count on stderr."""
    if as_json:
        print_json(rows)
        return
    table = Table(title=title)
    for header in columns:
        table.add_column(header, overflow="fold")
    for r in rows:
        cells = (col(r) if callable(col) else r[col] for col in columns.values())
        table.add_row(*("-" if c is None or c == "" else str(c) for c in cells))
    out.print(table)
    err.print(f"{len(rows)} row(s)")


def parse_duration(text: str) -> timedelta:
    """A duration as operators type it: 90s, 30m, 12h, 3d."""
    m = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if not m:
        raise typer.BadParameter(f"not a duration (30m, 12h, 3d): {text!r}")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[m[2]]
    return timedelta(**{unit: int(m[1])})
