"""A fresh cluster shaped like a new hosted Supabase project (superuser
supabase_admin, a non-superuser postgres, the post-2026-10-30 default privileges,
pg_cron preloaded) accepts every migration through the Supabase CLI as postgres,
and what the service, the console and GoTrue do there works."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

import pgcluster
from admin_scripts import project
from tests.gotrue import GoTrue, auth_admin_connection
from tests.support.identity import (
    private_functions_taking_a_uuid,
    private_relation_privileges,
    rows_holding,
)
from tests.test_private_schema import UUID_ALLOWED

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def hosted(hosted_cluster) -> pgcluster.Cluster:
    return hosted_cluster


@pytest.fixture
def conn(hosted) -> Iterator[psycopg.Connection]:
    with psycopg.connect(hosted.url(), autocommit=True, row_factory=dict_row) as c:
        yield c


def test_every_migration_is_applied_by_the_cli_as_the_non_superuser_postgres(conn):
    applied = [r["version"] for r in conn.execute(
        "select version from supabase_migrations.schema_migrations order by version")]  # fmt: skip
    assert applied == sorted(project.migration_files())
    roles = conn.execute("select rolname from pg_roles where rolsuper").fetchall()
    assert roles == [{"rolname": "supabase_admin"}]
    owners = conn.execute(
        "select distinct pg_get_userbyid(c.relowner) as owner from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('public', 'private')"
    ).fetchall()
    assert owners == [{"owner": "postgres"}]


def test_the_migrations_create_their_extensions_where_supabase_puts_them(conn):
    rows = conn.execute(
        "select extname, extnamespace::regnamespace::text as schema, pg_get_userbyid(extowner)"
        " as owner from pg_extension"
    ).fetchall()
    where = {r["extname"]: r["schema"] for r in rows}
    assert {k: where[k] for k in ("pg_trgm", "unaccent", "pgcrypto")} == dict.fromkeys(
        ("pg_trgm", "unaccent", "pgcrypto"), "extensions"
    )
    assert where["pg_cron"] == "pg_catalog"
    assert {r["owner"] for r in rows if r["extname"] in ("pg_trgm", "unaccent", "pg_cron")} == {
        "postgres"
    }


def test_pg_cron_runs_every_job_of_the_registry(conn):
    registry = conn.execute(
        "select job_name, schedule, command from private.scheduled_jobs order by 1"
    ).fetchall()
    cron = conn.execute(
        "select jobname as job_name, schedule, command from cron.job where active order by 1"
    ).fetchall()
    assert cron == registry
    assert {r["job_name"] for r in registry} == {
        "expire-campaigns", "remind-ending-campaigns", "purge-email-outbox",
        "tell-overdue-justifications",
    }  # fmt: skip


def service_functions() -> set[str]:
    """Every database function the service calls (its SQL lives in webhooks/)."""
    names: set[str] = set()
    for source in (ROOT / "webhooks").glob("*.py"):
        names |= set(re.findall(r"\b((?:private|public)\.\w+)\(", source.read_text()))
    return names


def test_service_role_may_call_every_function_the_service_calls(conn):
    functions = service_functions()
    assert len(functions) >= 10, functions  # the scan found the service's SQL
    rows = conn.execute(
        "select n.nspname || '.' || p.proname as name,"
        " bool_and(has_function_privilege('service_role', p.oid, 'execute')) as allowed"
        " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname || '.' || p.proname = any(%s) group by 1",
        [sorted(functions)],
    ).fetchall()
    assert {r["name"] for r in rows} == functions  # each exists
    assert [r["name"] for r in rows if not r["allowed"]] == []


def test_a_gotrue_sign_up_as_supabase_auth_admin_creates_the_profile_and_the_claim(hosted):
    jwt_secret = secrets.token_urlsafe(32)
    with (
        auth_admin_connection(hosted, "postgres") as auth,
        psycopg.connect(hosted.url(), autocommit=True, row_factory=dict_row) as conn,
    ):
        gotrue = GoTrue(auth, jwt_secret)
        user = gotrue.sign_up(user_metadata={"full_name": "Awa Sow"})
        profile = conn.execute(
            "select display_name from public.profiles where id = %s", [user.id]
        ).fetchone()
        assert profile == {"display_name": "Awa Sow"}
        assert user.claims["user_role"] is None
        conn.execute(
            "insert into public.user_roles (user_id, role) values (%s, 'admin')", [user.id]
        )
        assert gotrue.sign_in(user).claims["user_role"] == "admin"


def test_no_api_role_reaches_the_private_schema_of_a_hosted_project(conn):
    # Supabase serves only the schemas listed in the API settings (docs: "Using
    # custom schemas", "Hardening the Data API"); a grant is what would let the
    # next exposure read private data, so none exists.
    assert private_relation_privileges(conn) == []
    assert private_functions_taking_a_uuid(conn) <= UUID_ALLOWED


@pytest.mark.parametrize("soft", [False, True])
def test_a_gotrue_deletion_as_supabase_auth_admin_erases_the_person(hosted, soft):
    jwt_secret = secrets.token_urlsafe(32)
    with (
        auth_admin_connection(hosted, "postgres") as auth,
        psycopg.connect(hosted.url(), autocommit=True, row_factory=dict_row) as conn,
    ):
        gotrue = GoTrue(auth, jwt_secret)
        name = f"Mariama Bâ {secrets.token_hex(4)}"
        user = gotrue.sign_up(user_metadata={"full_name": name})
        conn.execute(
            "insert into public.user_roles (user_id, role) values (%s, 'moderator')", [user.id]
        )
        assert gotrue.delete_user(user.id, soft=soft)
        assert rows_holding(conn, user.email, name) == []
        roles = conn.execute("select 1 from public.user_roles where user_id = %s", [user.id])
        assert roles.fetchall() == []
