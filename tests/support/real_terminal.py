"""The console in a real terminal (a pseudo-terminal, through pexpect): what an
operator sees of progress bars and confirmations, which Typer's runner (no TTY)
never shows."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Session:
    child: pexpect.spawn

    def expect(self, text: str, timeout: float = 30) -> str:
        """Waits for ``text`` on the screen; everything shown before it."""
        self.child.expect_exact(text, timeout=timeout)
        return self.child.before

    def answer(self, line: str) -> None:
        self.child.sendline(line)

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        """The exit code, and everything shown since the last expect."""
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus, self.child.before


def console(*args: str, env: dict[str, str], columns: int = 160) -> Session:
    """``cagnotte-admin <args>`` in a terminal ``columns`` wide, with ``env`` over
    the test's environment (this worktree's code first)."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "admin_scripts.cli", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", **env},
        dimensions=(40, columns),
        encoding="utf-8",
        timeout=60,
    )
    return Session(child)
