"""Shared terminal helpers: data to stdout, chatter to stderr."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

out = Console(soft_wrap=True)
err = Console(stderr=True)


def print_json(data: Any) -> None:
    print(json.dumps(data, default=str, ensure_ascii=False, indent=2))
