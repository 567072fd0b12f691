"""`cagnotte-admin users …`: bans through the Auth admin API (served locally)
and in the database at once; the admin role; listings."""

from __future__ import annotations

import functools
import json

import pytest

from localdev import tokens
from tests.auth_admin_fake import FakeAuthAdmin
from tests.postgrest import ApiError


@pytest.fixture
def auth_api():
    with FakeAuthAdmin() as fake:
        yield fake


@pytest.fixture
def service_key(jwt_secret):
    return tokens.api_key(jwt_secret, "service_role")


@pytest.fixture
def cli(operator_cli, monkeypatch, auth_api, service_key):
    monkeypatch.setenv("SUPABASE_URL", auth_api.url)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", service_key)
    return functools.partial(operator_cli, "users")


def test_a_ban_goes_to_auth_and_refuses_writes_at_once(
    db, cli, auth_api, as_user, user, service_key
):
    client = as_user(user)  # a token minted before the ban, still valid
    result = cli("ban", user.email, "--reason", "Arnaque signalée", "--yes", "--json")
    assert result.exit_code == 0, result.output
    (req,) = auth_api.requests
    assert (req["method"], req["path"]) == ("PUT", f"/auth/v1/admin/users/{user.id}")
    assert req["body"] == {"ban_duration": "876000h"}
    assert req["headers"]["apikey"] == service_key
    assert json.loads(result.stdout)["banned_until"] is not None
    with pytest.raises(ApiError) as err:
        client.insert(
            "comments", {"campaign_id": "00000000-0000-0000-0000-000000000000", "body": "x"}
        )
    assert err.value.message == "account_banned"
    (audit,) = db.sql("select action, details from private.audit_log")
    assert (audit["action"], audit["details"]["reason"]) == ("users ban", "Arnaque signalée")


def test_unban_lifts_both(db, cli, auth_api, user):
    cli("ban", user.email, "--reason", "x", "--yes")
    assert cli("unban", str(user.id)).exit_code == 0
    assert auth_api.requests[-1]["body"] == {"ban_duration": "none"}
    assert (
        db.one("select banned_until from auth.users where id = %s", [user.id])["banned_until"]
        is None
    )


def test_a_ban_asks_for_confirmation(db, cli, auth_api, user):
    assert cli("ban", user.email, "--reason", "x", input="n\n").exit_code == 1
    assert auth_api.requests == []


def test_when_auth_refuses_nothing_changes(db, cli, auth_api, user):
    auth_api.status = 404
    result = cli("ban", user.email, "--reason", "x", "--yes")
    assert result.exit_code == 1
    assert "Auth admin API" in result.stderr
    assert (
        db.one("select banned_until from auth.users where id = %s", [user.id])["banned_until"]
        is None
    )
    assert db.sql("select 1 from private.audit_log") == []


def test_grant_and_revoke_admin(db, cli, user):
    assert cli("grant-admin", user.email).exit_code == 0
    assert db.one("select private.is_admin(%s) as a", [user.id])["a"] is True
    assert cli("revoke-admin", user.email, "--yes").exit_code == 0
    assert db.one("select private.is_admin(%s) as a", [user.id])["a"] is False
    assert cli("revoke-admin", user.email, "--yes").exit_code == 1
    assert [a["action"] for a in db.sql("select action from private.audit_log order by id")] == [
        "users grant-admin", "users revoke-admin",
    ]  # fmt: skip


def test_list_and_show(cli, user, admin):
    rows = json.loads(cli("list", "--json").stdout)
    assert {r["email"] for r in rows} >= {user.email, admin.email}
    assert next(r for r in rows if r["email"] == admin.email)["roles"] == ["admin"]
    found = json.loads(cli("list", "--search", "Fatou", "--json").stdout)
    assert [r["email"] for r in found] == [user.email]
    assert json.loads(cli("show", user.email).stdout)["display_name"] == "Fatou Ndiaye"
    assert cli("show", "personne@example.test").exit_code == 3


def test_non_admins_cannot_use_users_commands(cli, monkeypatch, user, other_user, auth_api):
    monkeypatch.setenv("CAGNOTTE_OPERATOR", user.email)
    assert cli("ban", other_user.email, "--reason", "x", "--yes").exit_code == 4
    assert cli("grant-admin", user.email).exit_code == 4
    assert cli("list").exit_code == 4
    assert auth_api.requests == []
