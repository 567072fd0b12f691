"""What the repository says the Supabase project is: its migrations, the
extensions they create, and supabase/config.toml (the API's schemas and limits,
the access token hook). Read here once, for the console, the service's tools
and the tests alike."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

SUPABASE_DIR = Path(__file__).resolve().parent.parent / "supabase"
MIGRATIONS_DIR = SUPABASE_DIR / "migrations"
CONFIG_TOML = SUPABASE_DIR / "config.toml"

CREATE_EXTENSION = re.compile(
    r"create\s+extension\s+if\s+not\s+exists\s+(\"[^\"]+\"|[\w-]+)"
    r"(?:\s+with)?(?:\s+schema\s+(\w+))?",
    re.IGNORECASE,
)


# pg_cron's jobs from the migrations' registry (after pg_cron is created again, or a
# restore: its cron schema holds no job then).
SCHEDULE_JOBS = (
    "select private.schedule_job(job_name, schedule, command) from private.scheduled_jobs;"
)


class ProjectError(RuntimeError):
    """The repository's Supabase files cannot be read as expected."""


def migration_files() -> dict[str, str]:
    """Version (the filename's prefix) -> filename, as the Supabase CLI records them."""
    return {p.name.split("_", 1)[0]: p.name for p in sorted(MIGRATIONS_DIR.glob("*.sql"))}


def migration_extensions() -> dict[str, str | None]:
    """Extensions the migrations create -> the schema they name (the migrations are
    the one home of that list)."""
    found: dict[str, str | None] = {}
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text())
        for name, schema in CREATE_EXTENSION.findall(text):
            found[name] = schema or None
    return found


@cache
def config() -> dict[str, Any]:
    try:
        return tomllib.loads(CONFIG_TOML.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProjectError(f"cannot read {CONFIG_TOML}: {exc}") from exc


def api() -> dict[str, Any]:
    """config.toml's [api]: schemas, extra_search_path, max_rows."""
    return config()["api"]


def access_token_hook() -> tuple[str, str] | None:
    """(schema, function) of the access token hook config.toml registers, if enabled
    (uri pg-functions://<database>/<schema>/<function>)."""
    hook = config().get("auth", {}).get("hook", {}).get("custom_access_token", {})
    if not hook.get("enabled"):
        return None
    uri = urlparse(hook.get("uri", ""))
    parts = uri.path.strip("/").split("/")
    if uri.scheme != "pg-functions" or len(parts) != 2:
        raise ProjectError(
            f"{CONFIG_TOML}: the access token hook's uri is not pg-functions://db/schema/function"
        )
    return parts[0], parts[1]
