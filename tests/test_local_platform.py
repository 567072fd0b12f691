"""The local platform is shaped like a new hosted Supabase project, and the test
harness behaves like hosted PostgREST and GoTrue."""

from __future__ import annotations

import time

import psycopg
import pytest

import pgcluster
from localdev import tokens
from tests.gotrue import obfuscated
from tests.postgrest import MAX_ROWS, ApiError, PostgrestClient, http_status

WHO_AM_I = (
    "select current_user::text as role, auth.uid() as uid, auth.role() as jwt_role,"
    " auth.email() as email, auth.jwt() ->> 'aud' as aud,"
    " current_setting('request.method') as method"
)


def roles(db, *names: str) -> dict[str, dict]:
    rows = db.sql(
        "select rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,"
        " rolreplication, rolbypassrls, coalesce(rolconfig, '{}') as config"
        " from pg_roles where rolname = any(%s)",
        [list(names)],
    )
    return {r.pop("rolname"): r for r in rows}


# The hosted shape -----------------------------------------------------------------


def test_postgres_is_the_project_owner_but_not_a_superuser(db):
    assert roles(db, "postgres")["postgres"] == {
        "rolsuper": False, "rolinherit": True, "rolcreaterole": True, "rolcreatedb": True,
        "rolcanlogin": True, "rolreplication": True, "rolbypassrls": True,
        "config": ['search_path="$user", public, extensions'],
    }  # fmt: skip
    assert db.sql("select rolname from pg_roles where rolsuper") == [{"rolname": "supabase_admin"}]
    assert (
        db.one(
            "select nspowner::regrole::text as owner from pg_namespace where nspname = 'public'"
        )["owner"]
        == "postgres"
    )


def test_api_roles_inherit_and_carry_hosted_timeouts(db):
    found = roles(db, "anon", "authenticated", "service_role", "authenticator")
    assert {
        r: (v["rolinherit"], v["rolbypassrls"], v["rolcanlogin"]) for r, v in found.items()
    } == {
        "anon": (True, False, False),
        "authenticated": (True, False, False),
        "service_role": (True, True, False),
        "authenticator": (False, False, True),
    }
    assert found["anon"]["config"] == ["statement_timeout=3s"]
    assert found["authenticated"]["config"] == ["statement_timeout=8s"]
    assert sorted(found["authenticator"]["config"]) == ["lock_timeout=8s", "statement_timeout=8s"]


def test_gotrue_owns_auth_users_with_row_level_security_in_a_schema_postgres_cannot_extend(db):
    row = db.one(
        "select pg_get_userbyid(c.relowner) as owner, c.relrowsecurity as rls,"
        " pg_get_userbyid(n.nspowner) as schema_owner,"
        " has_schema_privilege('postgres', 'auth', 'create') as postgres_creates"
        " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where c.oid = 'auth.users'::regclass"
    )
    assert row == {"owner": "supabase_auth_admin", "rls": True,
                   "schema_owner": "supabase_admin", "postgres_creates": False}  # fmt: skip
    attributes = roles(db, "supabase_auth_admin")["supabase_auth_admin"]
    assert (attributes["rolinherit"], attributes["rolcreaterole"]) == (False, False)


@pytest.mark.parametrize(
    "statement",
    [
        "create event trigger probe on ddl_command_end execute function pg_catalog.now()",
        "alter system set work_mem = '8MB'",
        "create extension plpgsql_check",
        "create table auth.probe (id int)",
    ],
)
def test_postgres_cannot_do_what_needs_a_superuser(db, statement):
    with psycopg.connect(db.url, autocommit=True) as conn, pytest.raises(psycopg.Error) as err:
        conn.execute(statement)
    assert err.value.sqlstate == "42501"


def test_new_objects_of_postgres_in_public_are_granted_to_no_api_role(db):
    with psycopg.connect(db.url, autocommit=True) as conn:  # as a migration would
        conn.execute("create table public.probe_acl (id int)")
        conn.execute("create function public.probe_acl_fn() returns int language sql as 'select 1'")
    for role in ("anon", "authenticated", "service_role"):
        row = db.one(
            "select has_table_privilege(%s, 'public.probe_acl', 'select, insert, update, delete')"
            " as dml, has_function_privilege(%s, 'public.probe_acl_fn()', 'execute') as call",
            [role, role],
        )
        assert row == {"dml": False, "call": False}, role


def test_extensions_live_in_the_extensions_schema(db):
    rows = db.sql(
        "select e.extname, n.nspname from pg_extension e"
        " join pg_namespace n on n.oid = e.extnamespace"
        " where e.extname in ('pgcrypto', 'pg_trgm', 'unaccent', 'pg_stat_statements')"
    )
    assert {r["extname"]: r["nspname"] for r in rows} == dict.fromkeys(
        ("pgcrypto", "pg_trgm", "unaccent", "pg_stat_statements"), "extensions"
    )


def test_migrations_apply_without_pg_cron(db):
    # The test cluster preloads no pg_cron: the jobs stay in the registry for `jobs run`.
    assert db.sql("select 1 from pg_extension where extname = 'pg_cron'") == []
    assert {r["job_name"] for r in db.sql("select job_name from private.scheduled_jobs")} == {
        "expire-campaigns", "remind-ending-campaigns", "purge-email-outbox",
        "tell-overdue-justifications",
    }  # fmt: skip


def test_realtime_publication_exists(db):
    assert db.sql("select 1 from pg_publication where pubname = 'supabase_realtime'")


def test_advisors_see_the_exposed_schemas(db):
    with psycopg.connect(db.url) as conn:
        (value,) = conn.execute("select current_setting('pgrst.db_schemas')").fetchone()
    assert "public" in value.split(",")


def test_local_platform_is_idempotent(db, cluster, authenticator_password):
    pgcluster.apply_platform(cluster, db.name, authenticator_password)
    assert db.one("select count(*) as n from pg_roles where rolname = 'authenticator'")["n"] == 1


# PostgREST ------------------------------------------------------------------------


def test_requests_run_as_the_user_with_their_claims(as_user, user):
    (row,) = as_user(user).request("POST", "/probe", WHO_AM_I)
    assert row == {
        "role": "authenticated",
        "uid": user.id,
        "jwt_role": "authenticated",
        "email": user.email,
        "aud": "authenticated",
        "method": "POST",
    }


def test_anon_key_requests_run_as_anon_without_uid(anon):
    (row,) = anon.request("GET", "/probe", WHO_AM_I)
    assert (row["role"], row["uid"], row["jwt_role"]) == ("anon", None, "anon")


def test_service_role_key_requests_run_as_service_role(service_role):
    (row,) = service_role.request("POST", "/probe", WHO_AM_I)
    assert row["role"] == "service_role"


def test_each_request_carries_its_role_timeouts_and_the_api_search_path(anon, as_user, user):
    probe = (
        "select current_setting('statement_timeout') as timeout,"
        " current_setting('lock_timeout') as lock, current_setting('search_path') as path"
    )
    (as_anon,) = anon.request("GET", "/probe", probe)
    (as_member,) = as_user(user).request("GET", "/probe", probe)
    assert as_anon == {"timeout": "3s", "lock": "8s", "path": '"public", "public", "extensions"'}
    assert (as_member["timeout"], as_member["lock"]) == ("8s", "8s")


def test_get_requests_are_read_only(as_user, user):
    with pytest.raises(ApiError) as err:
        as_user(user).request("GET", "/profiles", "update public.profiles set bio = 'x'")
    assert (err.value.status, err.value.code) == (405, "25006")


@pytest.fixture
def probe_functions(db):
    with psycopg.connect(db.url, autocommit=True) as conn:
        conn.execute("create sequence public.probe_seq")
        conn.execute("grant usage on sequence public.probe_seq to authenticated")
        conn.execute(  # a write a STABLE function may attempt: only the transaction stops it
            "create function public.probe_stable_write() returns bigint language sql stable"
            " as $$ select nextval('public.probe_seq') $$"
        )
        conn.execute(
            "create function public.probe_many() returns setof int language sql"
            " as 'select generate_series(1, 1500)'"
        )
        conn.execute("grant execute on function public.probe_stable_write(), public.probe_many()"
                     " to authenticated")  # fmt: skip


def test_a_post_to_a_stable_function_runs_read_only(as_user, user, probe_functions):
    with pytest.raises(ApiError) as err:
        as_user(user).rpc("probe_stable_write")
    assert (err.value.status, err.value.code) == (405, "25006")


def test_reads_return_at_most_max_rows(as_user, user, probe_functions):
    assert len(as_user(user).rpc("probe_many")) == MAX_ROWS == 1000


def test_an_update_or_delete_without_a_filter_is_refused_like_safeupdate(as_user, user):
    client = as_user(user)
    for call in (lambda: client.update("profiles", {"bio": "x"}, {}),
                 lambda: client.delete("profiles", {})):  # fmt: skip
        with pytest.raises(ApiError) as err:
            call()
        assert (err.value.status, err.value.code) == (400, "21000")


@pytest.mark.parametrize(
    ("sqlstate", "role", "message", "status"),
    [
        ("PT409", "authenticated", "campaign_closed", 409),
        ("23505", "authenticated", "duplicate key", 409),
        ("23514", "authenticated", "check", 400),
        ("42501", "anon", "permission denied", 401),
        ("42501", "authenticated", "permission denied", 403),
        ("57014", "anon", "canceling statement due to statement timeout", 500),
        ("57P01", "anon", "terminating connection", 503),
        ("21000", "authenticated", "UPDATE requires a WHERE clause", 400),
        ("21000", "authenticated", "more than one row returned by a subquery", 500),
        ("P0001", "authenticated", "raised", 400),
        ("42883", "authenticated", "function x does not exist", 404),
        ("22023", "authenticated", 'role "x" does not exist', 401),
    ],
)
def test_errors_get_postgrests_http_status(sqlstate, role, message, status):
    assert http_status(sqlstate, role, message) == status


def test_expired_token_is_refused(db, jwt_secret, user):
    claims = {**user.claims, "exp": int(time.time()) - 10}
    client = PostgrestClient(db.authenticator_url, jwt_secret, tokens.sign(jwt_secret, claims))
    with pytest.raises(ApiError) as err:
        client.get("profiles")
    assert (err.value.status, err.value.code) == (401, "PGRST303")


def test_token_signed_with_another_secret_is_refused(db, jwt_secret, user):
    forged = tokens.sign(
        "not-the-project-secret-" + "x" * 32, {**user.claims, "role": "service_role"}
    )
    client = PostgrestClient(db.authenticator_url, jwt_secret, forged)
    with pytest.raises(ApiError) as err:
        client.get("profiles")
    assert (err.value.status, err.value.code) == (401, "PGRST301")


def test_authenticator_alone_has_no_privileges(db):
    with (
        psycopg.connect(db.authenticator_url) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select * from public.profiles")


def test_non_exposed_schemas_are_not_served(anon):
    for relation in ("private.touch_updated_at", "auth.users", "extensions.pg_trgm"):
        with pytest.raises(ApiError) as err:
            anon.get(relation)
        assert err.value.code == "PGRST106"


def test_auth_users_are_not_readable_by_api_roles(anon, as_user, user):
    for client in (anon, as_user(user)):
        with pytest.raises(ApiError) as err:
            client.request("GET", "/probe", "select email from auth.users")
        assert err.value.code == "42501"


# GoTrue ---------------------------------------------------------------------------


def test_a_sign_up_leaves_what_gotrue_leaves(db, user):
    row = db.one("select * from auth.users where id = %s", [user.id])
    assert (row["role"], row["aud"]) == ("authenticated", "authenticated")
    assert row["raw_app_meta_data"] == {"provider": "email", "providers": ["email"]}
    assert row["raw_user_meta_data"] == {
        "full_name": "Fatou Ndiaye", "sub": str(user.id), "email": user.email,
        "email_verified": True, "phone_verified": False,
    }  # fmt: skip
    assert row["email_confirmed_at"] is not None
    assert row["confirmed_at"] is not None
    identity = db.one("select provider, provider_id, email from auth.identities where user_id = %s",
                      [user.id])  # fmt: skip
    assert identity == {"provider": "email", "provider_id": str(user.id), "email": user.email}


def test_an_unconfirmed_sign_up_has_no_session_yet(db, make_user):
    pending = make_user(confirmed=False)
    assert pending.token is None
    row = db.one("select email_confirmed_at, raw_user_meta_data from auth.users where id = %s",
                 [pending.id])  # fmt: skip
    assert row["email_confirmed_at"] is None
    assert row["raw_user_meta_data"]["email_verified"] is False


def test_a_soft_deleted_user_keeps_no_email_phone_or_metadata(db, gotrue, make_user):
    u = make_user(phone="221770000000")
    gotrue.soft_delete(u)
    row = db.one("select * from auth.users where id = %s", [u.id])
    assert row["email"] == obfuscated(u.id, u.email)
    assert row["phone"] == obfuscated(u.id, "221770000000")[:15]
    assert (row["raw_user_meta_data"], row["raw_app_meta_data"]) == ({}, {})
    assert row["deleted_at"] is not None
    assert row["encrypted_password"] is None
