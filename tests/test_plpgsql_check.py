"""plpgsql_check gates the PL/pgSQL code: every plpgsql function of the schemas
public and private (a trigger function against one table it is attached to, an
event trigger function without one) is checked, and nothing may be reported but
what ACCEPTED lists, each with its reason.

PostgreSQL checks a plpgsql body only for syntax at CREATE time: a misspelt column,
a wrong type or a missing table surfaces when that branch first runs, in
production. plpgsql_check compiles every statement against the real catalog.

Which classes are on, and why:
- errors, always, collected rather than stopping at the first (fatal_errors off),
  so that one run lists them all;
- other_warnings: unused variables, a variable hiding a parameter, a column count
  that does not match the targets, assignments through a text cast (which defer an
  enum label's or a literal's validity to run time): real defects or noise that
  hides them;
- extra_warnings: a missing RETURN, shadowed variables, dead code, never-read
  parameters or variables: cheap to fix, and an unused argument is often a bug;
- security_warnings: SQL injection through dynamic SQL built by concatenation,
  which matters most in this project's SECURITY DEFINER functions;
- compatibility_warnings: obsolete cursor idioms; none here, kept on for free;
- performance_warnings off: on this code they report only integer-width
  assignments (count(*) into integer, sum() into bigint), no cast that defeats an
  index; query plans are gated by `make bench` and the advisors instead.
In-comment options (@plpgsql_check_options) are ignored: a function cannot silence
its own check, ACCEPTED is the one list of exceptions.

plpgsql_check is a test tool, not part of the migrations: the test creates it as
the superuser in its own throwaway database (Debian: postgresql-15-plpgsql-check;
Supabase offers the extension too).
"""

from __future__ import annotations

import pytest

# (function signature, sqlstate, message (detail)) -> why it stays.
ACCEPTED: dict[tuple[str, str, str], str] = {
    ("private.schedule_job(text, text, text)", "3F000", 'schema "cron" does not exist'): (
        "the constant EXECUTE string is checked statically, but it runs only where pg_cron"
        " is installed (guarded by the pg_extension test): test databases have no cron schema"
    ),
}

# Every plpgsql function of the project, with one trigger it is attached to if any.
FUNCTIONS = """
select format('%s.%s(%s)', p.pronamespace::regnamespace, p.proname,
              oidvectortypes(p.proargtypes)) as signature, p.oid::regprocedure as func,
       p.prorettype = 'trigger'::regtype as is_trigger, coalesce(t.tgrelid, 0) as relid,
       t.tgoldtable as oldtable, t.tgnewtable as newtable
from pg_catalog.pg_proc as p
join pg_catalog.pg_language as l on l.oid = p.prolang and l.lanname = 'plpgsql'
left join lateral (
    select tgrelid, tgoldtable, tgnewtable from pg_catalog.pg_trigger
    where tgfoid = p.oid order by tgrelid::regclass::text, tgname limit 1
) as t on true
where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
order by 1
"""

CHECK = """
select lineno, statement, sqlstate, message, detail, level, query, context
from extensions.plpgsql_check_function_tb(
    %(func)s::regprocedure, %(relid)s::oid::regclass, fatal_errors => false,
    other_warnings => true, performance_warnings => false, extra_warnings => true,
    security_warnings => true, compatibility_warnings => true, use_incomment_options => false,
    oldtable => %(oldtable)s, newtable => %(newtable)s)
"""


def check(db, fn: dict) -> list[dict]:
    """plpgsql_check's findings on one function (a trigger one needs its table)."""
    if fn["is_trigger"] and fn["relid"] == 0:
        return [finding(fn, {"sqlstate": "", "message": "trigger function on no table"})]
    return [finding(fn, row) for row in db.sql(CHECK, fn)]


def finding(fn: dict, row: dict) -> dict:
    """The row, keyed like ACCEPTED (the detail tells apart e.g. which cast)."""
    message = row["message"] + (f" ({row['detail']})" if row.get("detail") else "")
    return {"key": (fn["signature"], row["sqlstate"], message), **row}


def check_all(db) -> list[dict]:
    functions = db.sql(FUNCTIONS)
    assert len(functions) > 10, "too few plpgsql functions found: the gate checks nothing"
    return [f for fn in functions for f in check(db, fn)]


def describe(findings: list[dict]) -> str:
    return "\n".join(f"{f['key']} line {f.get('lineno')}: {f.get('context')}" for f in findings)


@pytest.fixture
def checked_db(db):
    """The test's database with plpgsql_check (a test tool, not a migration)."""
    if not db.sql("select 1 from pg_available_extensions where name = 'plpgsql_check'"):
        pytest.fail("plpgsql_check is not installed: apt-get install postgresql-15-plpgsql-check")
    db.sql("create extension if not exists plpgsql_check with schema extensions")
    return db


def test_plpgsql_check_finds_nothing_in_the_project_functions_but_what_is_accepted(
    checked_db,
):
    left = [f for f in check_all(checked_db) if f["key"] not in ACCEPTED]
    assert left == [], describe(left)


def test_every_accepted_finding_is_still_reported(checked_db):
    stale = set(ACCEPTED) - {f["key"] for f in check_all(checked_db)}
    assert stale == set(), f"ACCEPTED lists findings no longer reported: {stale}"


def test_plpgsql_check_reports_broken_functions_and_trigger_functions(checked_db):
    checked_db.sql("""
        create function public.broken() returns bigint language plpgsql as $$
        begin return (select c.no_such_column from public.campaigns as c limit 1); end $$;
        create function private.broken_trigger() returns trigger language plpgsql as $$
        begin new.no_such_column := 1; return new; end $$;
        create trigger broken before update on public.categories
        for each row execute function private.broken_trigger();
        create function private.lost_trigger() returns trigger language plpgsql as $$
        begin return new; end $$;
        create function private.broken_event() returns event_trigger language plpgsql as $$
        begin perform c.no_such_column from public.campaigns as c; end $$;
    """)
    keys = {f["key"][:2] for f in check_all(checked_db)}
    assert ("public.broken()", "42703") in keys  # undefined column
    assert ("private.broken_trigger()", "42703") in keys  # checked against categories
    assert ("private.lost_trigger()", "") in keys  # attached nowhere: cannot be checked
    assert ("private.broken_event()", "42703") in keys  # event trigger functions too
