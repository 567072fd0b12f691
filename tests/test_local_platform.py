"""The local platform and the harness behave like hosted Supabase and PostgREST."""

from __future__ import annotations

import time

import psycopg
import pytest

from admin_scripts import keys
from tests.postgrest import ApiError, PostgrestClient

WHO_AM_I = (
    "select current_user::text as role, auth.uid() as uid, auth.role() as jwt_role,"
    " auth.email() as email, auth.jwt() ->> 'aud' as aud,"
    " current_setting('request.method') as method"
)


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


def test_get_requests_are_read_only(as_user, user):
    with pytest.raises(ApiError) as err:
        as_user(user).request("GET", "/profiles", "update public.profiles set bio = 'x'")
    assert (err.value.status, err.value.code) == (405, "25006")


def test_expired_token_is_refused(db, jwt_secret, user):
    claims = {**user.claims, "exp": int(time.time()) - 10}
    client = PostgrestClient(db.authenticator_url, jwt_secret, keys.sign(jwt_secret, claims))
    with pytest.raises(ApiError) as err:
        client.get("profiles")
    assert (err.value.status, err.value.code) == (401, "PGRST303")


def test_token_signed_with_another_secret_is_refused(db, jwt_secret, user):
    forged = keys.sign(
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


def test_new_functions_are_not_executable_by_api_roles(db, anon, as_user, service_role, user):
    db.sql("create function public.probe_default_acl() returns int language sql as 'select 1'")
    for client in (anon, as_user(user)):
        with pytest.raises(ApiError) as err:
            client.rpc("probe_default_acl")
        assert err.value.code == "42501"
    assert service_role.rpc("probe_default_acl") == 1


def test_auth_users_are_not_readable_by_api_roles(anon, as_user, user):
    for client in (anon, as_user(user)):
        with pytest.raises(ApiError) as err:
            client.request("GET", "/probe", "select email from auth.users")
        assert err.value.code == "42501"


def test_extensions_live_in_the_extensions_schema(db):
    rows = db.sql(
        "select e.extname, n.nspname from pg_extension e"
        " join pg_namespace n on n.oid = e.extnamespace"
        " where e.extname in ('pgcrypto', 'pg_trgm', 'unaccent')"
    )
    assert {r["extname"]: r["nspname"] for r in rows} == dict.fromkeys(
        ("pgcrypto", "pg_trgm", "unaccent"), "extensions"
    )


def test_realtime_publication_exists(db):
    assert db.sql("select 1 from pg_publication where pubname = 'supabase_realtime'")


def test_advisors_see_the_exposed_schemas(db, authenticator_password):
    from admin_scripts import localstack

    localstack.apply_platform(db.url, authenticator_password)
    with psycopg.connect(db.url) as conn:
        (value,) = conn.execute("select current_setting('pgrst.db_schemas')").fetchone()
    assert "public" in value.split(",")


def test_local_platform_is_idempotent(db, authenticator_password):
    from admin_scripts import localstack

    localstack.apply_platform(db.url, authenticator_password)
    assert db.one("select count(*) as n from pg_roles where rolname = 'authenticator'")["n"] == 1
