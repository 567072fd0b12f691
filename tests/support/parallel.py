"""Requests sent at the same moment, each on its own connection, as a burst of
HTTP requests reaches PostgREST's pool: what limits and locks must withstand."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tests.postgrest import ApiError


def at_once(calls: list[Callable[[], Any]], timeout: float = 60) -> list[Any]:
    """Runs every call in its own thread, released together; each call's result,
    or the ApiError it raised, in the order given. Clients must not be shared
    between calls (one connection each)."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        start.wait()
        try:
            results[i] = call()
        except ApiError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a request never returned"
    return results


def refusals(results: list[Any]) -> list[tuple[int, str]]:
    """(status, message) of each refused call."""
    return [(r.status, r.message) for r in results if isinstance(r, ApiError)]
