"""What the bench is doing, on stderr while it does it.

A line when a step starts and one when it ends (with its time), each figure as
soon as it exists, every line stamped with the time since the bench started;
on a terminal, also a spinner and the time elapsed beside each step under way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console(stderr=True, highlight=False, soft_wrap=True)
_spinners = Progress(
    SpinnerColumn(),
    TextColumn("{task.description}"),
    TimeElapsedColumn(),
    console=console,
    transient=True,
)
_started = time.monotonic()


def say(text: str) -> None:
    console.print(f"[{time.monotonic() - _started:7.1f} s] {text}", markup=False)


@contextmanager
def step(text: str) -> Iterator[None]:
    say(f"{text}…")
    task = _spinners.add_task(text, total=None) if console.is_terminal else None
    start = time.monotonic()
    try:
        yield
    except BaseException:
        say(f"{text}: failed after {time.monotonic() - start:.1f} s")
        raise
    finally:
        if task is not None:
            _spinners.remove_task(task)
    say(f"{text}: {time.monotonic() - start:.1f} s")


def shown():
    """The spinners on screen while the block runs (on a terminal only)."""
    return _spinners if console.is_terminal else nullcontext()
