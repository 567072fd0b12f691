"""The console as an operator meets it: in a real terminal (a pseudo-terminal
driven by pexpect: progress bars, prompts, answers typed) or piped (a script, CI).

Both run the installed entry point ``.venv/bin/cagnotte-admin`` in a child
process with this checkout first on PYTHONPATH, so what is tested is the
console itself, not a runner's imitation of a terminal.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINT = Path(sys.prefix) / "bin" / "cagnotte-admin"
COLUMNS, LINES = 100, 30
TIMEOUT = 120  # seconds: a backup proves itself by a restore into a new cluster

# ANSI control sequences (CSI, OSC) and Rich's box-drawing characters.
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")
BOX = re.compile("[\u2500-\u257f]")


def unboxed(text: str) -> str:
    """``text`` without terminal codes and box drawing, its whitespace collapsed:
    a sentence wrapped inside a Rich panel reads as one line again."""
    return " ".join(BOX.sub(" ", ANSI.sub("", text)).split())


def environment(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The child's environment: this one (the test's DATABASE_URL, operator,
    language…), this checkout's code first, no forced colours or terminal;
    ``extra`` adds variables (None: removes one, e.g. CAGNOTTE_LANG for French,
    the default)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env |= {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        "TERM": "xterm-256color",
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
        "PYTHONUNBUFFERED": "1",
    }
    for name, value in (extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@dataclass
class Session:
    """A console command running in a pseudo-terminal (stdin, stdout and stderr
    all the terminal, as for an operator at their desk)."""

    child: pexpect.spawn

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> str:
        """Waits for ``pattern`` (a regular expression); what came before it."""
        self.child.expect(pattern, timeout=timeout)
        return self.child.before + self.child.after

    def answer(self, text: str) -> None:
        self.child.sendline(text)

    def finish(self, timeout: float = TIMEOUT) -> tuple[int, str]:
        """Waits for the end; the exit code and what the terminal showed since."""
        self.child.expect(pexpect.EOF, timeout=timeout)
        shown = self.child.before
        self.child.close()
        return self.child.exitstatus, shown


def in_terminal(*args: str, env: Mapping[str, str | None] | None = None) -> Session:
    """``cagnotte-admin <args>`` in a pseudo-terminal of COLUMNS x LINES."""
    child = pexpect.spawn(
        str(ENTRY_POINT),
        list(args),
        cwd=str(ROOT),
        env=environment(env),
        encoding="utf-8",
        codec_errors="replace",
        dimensions=(LINES, COLUMNS),
        timeout=TIMEOUT,
    )
    return Session(child)


def piped(
    *args: str, env: Mapping[str, str | None] | None = None, input: str = ""
) -> subprocess.CompletedProcess[str]:
    """``cagnotte-admin <args>`` with pipes for stdin, stdout and stderr (a script)."""
    return subprocess.run(
        [str(ENTRY_POINT), *args],
        cwd=ROOT,
        env=environment(env),
        input=input,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
