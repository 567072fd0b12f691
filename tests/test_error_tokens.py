"""The README's table of error tokens is checked against the code that raises
them: every token a migration raises with a `PTxxx` SQLSTATE is listed under
that HTTP status, and every listed token is still raised somewhere (a
migration or the service)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAISED = re.compile(r"errcode\s*=\s*'PT(\d{3})',\s*message\s*=\s*'([a-z_]+)'")
# Tokens raised through a variable: the rows of private.rate_limits (PT429).
RATE_LIMITED = re.compile(r"\(\s*'[a-z_]+',\s*\d+,\s*'[^']+',\s*'([a-z_]+)'")
ROW = re.compile(r"^\| (\d{3}) \| (.+) \|$", re.M)


def raised_in_migrations() -> dict[str, set[str]]:
    statuses: dict[str, set[str]] = {}
    for path in sorted((ROOT / "supabase" / "migrations").glob("*.sql")):
        text = path.read_text()
        for status, token in RAISED.findall(text):
            statuses.setdefault(token, set()).add(status)
        for token in RATE_LIMITED.findall(text):
            statuses.setdefault(token, set()).add("429")
    return statuses


def listed_in_readme() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("### Errors", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    listed: dict[str, str] = {}
    for status, cells in ROW.findall(section):
        for token in re.findall(r"`([a-z_]+)`", cells):
            listed[token] = status
    return listed


def test_every_token_a_migration_raises_is_listed_under_its_status():
    listed = listed_in_readme()
    wrong = {
        token: (sorted(statuses), listed.get(token))
        for token, statuses in raised_in_migrations().items()
        if listed.get(token) not in statuses
    }
    assert wrong == {}, "README ### Errors: token -> (raised as, listed as)"


def test_every_listed_token_is_still_raised_somewhere():
    code = "\n".join(
        p.read_text()
        for folder in ("supabase/migrations", "webhooks")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in (".sql", ".py")
    )
    stale = sorted(t for t in listed_in_readme() if f"'{t}'" not in code and f'"{t}"' not in code)
    assert stale == []
