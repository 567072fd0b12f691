"""The frontend's TypeScript types (supabase/types/database.ts, `make types`): what
the migrations generate with the pinned Supabase CLI, typed for every RPC a client
reads (no `Json`), and an Insert type that asks only for what clients may write."""

from __future__ import annotations

import difflib
import re

import pytest

import pgcluster
from localdev import typegen
from tests.postgrest import ApiError

# The functions whose results a client reads field by field (issue #17 item 4).
TYPED_RPCS = (
    "campaign_dashboard",
    "campaign_balance",
    "payout_blockers",
    "invitation_by_token",
    "delivery_urls",
    "cover_urls",
    "media_urls",
    "campaign_donations",
)
# Computed fields (`select=*,cover_urls`): typed in their table's Row too.
COMPUTED_FIELDS = {
    "campaign_media": "delivery_urls",
    "campaigns": "cover_urls",
    "campaign_updates": "media_urls",
}


def committed() -> str:
    return typegen.TYPES_FILE.read_text()


def braced(text: str, start: int) -> str:
    """The balanced {...} block that opens at or after ``start``."""
    opening = text.index("{", start)
    depth = 0
    for i in range(opening, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[opening : i + 1]
    raise AssertionError(f"unbalanced braces after {text[start : start + 80]!r}")


def section(text: str, name: str) -> str:
    """The public schema's Tables, Functions or CompositeTypes block."""
    public = braced(text, text.index('"public": {'))
    return braced(public, public.index(f"{name}: {{"))


def entry(block: str, name: str) -> str:
    """A named entry of a block (the CLI writes `},"name": {` or `"name":` on a line)."""
    match = re.search(rf'(?:^|[{{,])\s*"{re.escape(name)}":\s*{{', block, re.MULTILINE)
    assert match, f"{name} is not in the generated types"
    return braced(block, match.start())


def function_returns(text: str, name: str) -> str:
    fn = entry(section(text, "Functions"), name)
    return re.split(r"\bSetofOptions\b", fn.split("Returns:", 1)[1])[0].strip()


def composite_types_in(text: str, type_text: str, seen: set[str] | None = None) -> set[str]:
    """The composite types a type mentions, and those they mention in turn."""
    seen = set() if seen is None else seen
    for name in re.findall(r"\['CompositeTypes'\]\[\"(\w+)\"\]", type_text):
        if name not in seen:
            seen.add(name)
            composite_types_in(text, entry(section(text, "CompositeTypes"), name), seen)
    return seen


def test_the_committed_types_are_those_the_migrations_generate(db):
    generated = typegen.typescript(db.url)
    stale = "".join(
        difflib.unified_diff(
            committed().splitlines(keepends=True),
            generated.splitlines(keepends=True),
            str(typegen.TYPES_FILE.relative_to(pgcluster.ROOT)),
            "generated from the migrations",
        )
    )
    assert not stale, f"the committed types are stale: run `make types`\n{stale}"


def test_the_committed_types_are_clean_typescript():
    text = committed()
    assert text.startswith("export type Json =")
    assert "supabase gen types" not in text  # no echoed recipe line
    assert "PGSSLMODE" not in text


@pytest.mark.parametrize("function", TYPED_RPCS)
def test_the_rpcs_clients_read_return_typed_fields_not_json(function):
    text = committed()
    returns = function_returns(text, function)
    types = composite_types_in(text, returns)
    assert types, f"{function} returns {returns!r}, not a composite type"
    for name in types:
        fields = entry(section(text, "CompositeTypes"), name)
        assert not re.search(r"\bJson\b", fields), f"{name}: {fields}"
    assert not re.search(r"\bJson\b", returns), f"{function} returns {returns}"


@pytest.mark.parametrize(("table", "field"), sorted(COMPUTED_FIELDS.items()))
def test_computed_fields_are_typed_in_their_tables_row(table, field):
    table_block = entry(section(committed(), "Tables"), table)
    row = braced(table_block, table_block.index("Row:"))
    assert f'"{field}": Database["public"][\'CompositeTypes\']["delivery_urls"] | null' in row


def test_no_exposed_function_returns_json():
    functions = section(committed(), "Functions")
    names = re.findall(r'(?:^|[{,])\s*"(\w+)":\s*{\s*Args:', functions, re.MULTILINE)
    assert names
    untyped = [n for n in names if re.search(r"\bJson\b", function_returns(committed(), n))]
    assert untyped == []


def test_an_insert_type_asks_only_for_columns_clients_may_write(db):
    text = committed()
    writable = {}
    for row in db.sql(
        "select table_name, array_agg(column_name::text) as columns"
        " from information_schema.column_privileges"
        " where table_schema = 'public' and grantee = 'authenticated'"
        " and privilege_type = 'INSERT' group by table_name"
    ):
        writable[row["table_name"]] = set(row["columns"])
    assert "campaigns" in writable
    for table, columns in writable.items():
        table_block = entry(section(text, "Tables"), table)
        insert = braced(table_block, table_block.index("Insert:"))
        required = set(re.findall(r'"(\w+)":', insert))
        assert required <= columns, f"{table}: clients cannot write {required - columns}"


def test_a_campaign_is_inserted_without_a_slug_and_gets_one_from_its_title(as_user, owner):
    (c,) = as_user(owner).insert(
        "campaigns",
        {"title": "Un toit pour l'école de Ziguinchor", "goal_amount": 500000, "currency": "XOF"},
    )
    assert c["slug"].startswith("un-toit-pour-l")  # the trigger's, never the column default
    assert c["slug"].endswith("-" + c["id"].hex[:8])


def test_a_client_still_cannot_choose_a_campaigns_slug(as_user, owner):
    with pytest.raises(ApiError) as err:
        as_user(owner).insert(
            "campaigns",
            {"title": "Un toit pour l'école", "goal_amount": 500000, "currency": "XOF",
             "slug": "la-meilleure-cagnotte"},
        )  # fmt: skip
    assert (err.value.status, err.value.code) == (403, "42501")
