"""The console's commands, enumerated from its Typer app (so that a new command
is covered by the tests that walk them), with arguments that parse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.main

from admin_scripts.cli import app

# Values for required parameters whose type "1" does not satisfy.
VALUES = {
    "file": "backup.dump",
    "since": "3d",
    "reference": "VIR-1",
    "reason": "test",
    "fr": "Agri",
    "en": "Farm",
    "kind": "hospital",
    "currency": "XOF",
}


def leaves(command: Any = None, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple, Any]]:
    """(words, command) for every command of `cagnotte-admin`."""
    command = command or typer.main.get_command(app)
    for name, sub in getattr(command, "commands", {}).items():
        if hasattr(sub, "commands"):
            yield from leaves(sub, (*path, name))
        else:
            yield (*path, name), sub


def invocation(words: tuple[str, ...], command: Any, **values: str) -> list[str]:
    """The command's words and a value for each required parameter (``--yes``
    where it asks for confirmation)."""
    args = list(words)
    for p in command.params:
        value = values.get(p.name) or VALUES.get(p.name, "1")
        if p.param_type_name == "argument" and p.required:
            args.append(value)
        elif p.required:
            args += [p.opts[0], value]
        elif "--yes" in p.opts:
            args.append("--yes")
    return args
