"""`cagnotte-admin users …`: bans through Supabase Auth (its admin API, served
locally, or the local stack's stand-in) and in the database at once, temporary
(--for, --until) or for good; unbans; the admin role; deletions; listings; in
French and in English."""

from __future__ import annotations

import functools
import json
import os
from datetime import UTC, datetime, timedelta

import pexpect
import pytest

from admin_scripts.auth_admin import parse_ban_duration
from localdev import tokens
from tests.auth_admin_fake import FakeAuthAdmin
from tests.postgrest import ApiError
from tests.support import terminal

HOSTED_DATABASE = "postgresql://postgres:secret@db.abcdefghijklmnop.supabase.co:5432/postgres"


@pytest.fixture
def auth_api():
    with FakeAuthAdmin() as fake:
        yield fake


@pytest.fixture
def service_key(jwt_secret):
    return tokens.api_key(jwt_secret, "service_role")


@pytest.fixture
def cli(operator_cli, monkeypatch, auth_api, service_key):
    """The console with Supabase Auth's admin API (a local fake of it)."""
    monkeypatch.setenv("SUPABASE_URL", auth_api.url)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", service_key)
    return functools.partial(operator_cli, "users")


@pytest.fixture
def local_cli(operator_cli, monkeypatch):
    """The console on the local stack: no Auth admin API, the local stand-in."""
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    return functools.partial(operator_cli, "users")


def banned_until(db, user) -> datetime | None:
    return db.one("select banned_until from auth.users where id = %s", [user.id])["banned_until"]


def audit(db) -> list[dict]:
    return db.sql("select action, details from private.audit_log order by id")


def assert_clean(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def about(moment: datetime | None, expected: datetime, slack=timedelta(minutes=1)) -> bool:
    return moment is not None and abs(moment - expected) < slack


# Through the Auth admin API ---------------------------------------------------------------------


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
    (entry,) = audit(db)
    assert (entry["action"], entry["details"]["reason"]) == ("users ban", "Arnaque signalée")


def test_a_ban_for_7_days_asks_auth_for_168_hours_and_ends_in_7_days(db, cli, auth_api, user):
    result = cli("ban", user.email, "--for", "7d", "--reason", "Spam", "--yes")
    assert result.exit_code == 0, result.output
    assert auth_api.requests[-1]["body"] == {"ban_duration": "168h"}
    assert about(banned_until(db, user), datetime.now(UTC) + timedelta(days=7))
    assert f"{user.email} banned until" in result.stdout


def test_a_ban_until_a_date_asks_auth_for_the_time_left(db, cli, auth_api, user):
    end = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    result = cli("ban", user.email, "--until", end.isoformat(), "--reason", "Spam", "--yes")
    assert result.exit_code == 0, result.output
    duration = parse_ban_duration(auth_api.requests[-1]["body"]["ban_duration"])
    assert timedelta(days=3) - timedelta(minutes=1) < duration <= timedelta(days=3)
    assert about(banned_until(db, user), end)


def test_unban_lifts_both(db, cli, auth_api, user):
    cli("ban", user.email, "--reason", "x", "--yes")
    assert cli("unban", str(user.id)).exit_code == 0
    assert auth_api.requests[-1]["body"] == {"ban_duration": "none"}
    assert banned_until(db, user) is None
    assert [a["action"] for a in audit(db)] == ["users ban", "users unban"]


def test_a_ban_asks_for_confirmation(db, cli, auth_api, user):
    assert cli("ban", user.email, "--reason", "x", input="n\n").exit_code == 1
    assert auth_api.requests == []


def test_when_auth_refuses_nothing_changes(db, cli, auth_api, user):
    auth_api.status = 404
    result = cli("ban", user.email, "--reason", "x", "--yes")
    assert result.exit_code == 1
    assert "Auth admin API" in result.stderr
    assert banned_until(db, user) is None
    assert audit(db) == []


def test_an_auth_api_out_of_reach_exits_6_and_changes_nothing(
    db, operator_cli, monkeypatch, service_key, user
):
    from pgcluster import free_port

    monkeypatch.setenv("SUPABASE_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", service_key)
    result = operator_cli("users", "ban", user.email, "--reason", "x", "--yes")
    assert result.exit_code == 6, result.output
    assert "cannot be reached" in result.stderr
    assert_clean(result)
    assert banned_until(db, user) is None
    assert audit(db) == []


def test_an_auth_api_that_times_out_says_the_change_may_be_made(db, cli, auth_api, user):
    """A gateway timeout (504): the request reached Auth, which may have banned."""
    auth_api.status = 504
    result = cli("ban", user.email, "--reason", "x", "--yes")
    assert result.exit_code == 6, result.output
    assert "users show" in result.stderr
    assert_clean(result)
    assert audit(db) == []


def test_a_blank_reason_is_refused_by_the_database_before_auth_is_asked(db, cli, auth_api, user):
    result = cli("ban", user.email, "--reason", "   ", "--yes")
    assert result.exit_code == 1
    assert "reason_required" in result.stderr
    assert auth_api.requests == []
    assert banned_until(db, user) is None


# The local stack's stand-in ---------------------------------------------------------------------


def test_the_local_stack_bans_for_7_days_and_refuses_writes_at_once(db, local_cli, as_user, user):
    client = as_user(user)
    result = local_cli("ban", user.email, "--for", "7d", "--reason", "Spam", "--yes")
    assert result.exit_code == 0, result.output
    assert about(banned_until(db, user), datetime.now(UTC) + timedelta(days=7))
    with pytest.raises(ApiError) as err:
        client.update("profiles", {"bio": "après"}, {"id": user.id})
    assert err.value.message == "account_banned"
    (entry,) = audit(db)
    assert (entry["action"], entry["details"]["ban_duration"]) == ("users ban", "168h")
    assert entry["details"]["reason"] == "Spam"


def test_the_local_stack_unbans_and_writes_work_again(db, local_cli, as_user, user):
    local_cli("ban", user.email, "--reason", "Spam", "--yes")
    assert banned_until(db, user) > datetime.now(UTC) + timedelta(days=36_000)
    result = local_cli("unban", user.email)
    assert result.exit_code == 0, result.output
    assert banned_until(db, user) is None
    assert as_user(user).update("profiles", {"bio": "de retour"}, {"id": user.id})


def test_a_ban_for_good_says_so_and_lists_the_user_as_banned(db, local_cli, user, other_user):
    result = local_cli("ban", user.email, "--reason", "Fraude", "--yes")
    assert result.stdout.strip() == f"{user.email} banned for good"
    listed = json.loads(local_cli("list", "--banned", "--json").stdout)
    assert [r["email"] for r in listed] == [user.email]
    assert "for good" in local_cli("list", "--banned").stdout


def test_a_ban_on_the_local_stack_freezes_the_users_campaigns(db, local_cli, owner, make_campaign):
    campaign = make_campaign(owner, "active")
    result = local_cli("ban", owner.email, "--for", "30d", "--reason", "Arnaque", "--yes")
    assert result.exit_code == 0, result.output
    status = db.one("select status::text from public.campaigns where id = %s", [campaign["id"]])
    assert status == {"status": "frozen"}
    unban = local_cli("unban", owner.email)
    assert campaign["slug"] in unban.stderr  # stays frozen until checked


def test_the_local_stack_deletes_an_account_as_gotrue_does(db, local_cli, user):
    result = local_cli("delete", user.email, "--yes")
    assert result.exit_code == 0, result.output
    assert db.sql("select 1 from auth.users where id = %s", [user.id]) == []
    assert db.sql("select 1 from public.profiles where id = %s", [user.id]) == []
    assert [a["action"] for a in audit(db)] == ["account_deleted", "users delete"]


def test_the_local_stack_soft_deletes_an_account_as_gotrue_does(db, local_cli, user):
    assert local_cli("delete", str(user.id)[:8], "--soft", "--yes").exit_code == 0
    row = db.one(
        "select email, deleted_at, raw_user_meta_data from auth.users where id = %s", [user.id]
    )
    assert row["deleted_at"] is not None
    assert row["email"] != user.email
    assert row["raw_user_meta_data"] == {}


# Bad input: a clear message, an exit code, nothing written ------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--for", "7x"], "not a duration"),
        (["--for", "0d"], "at least a second"),
        (["--until", "2020-01-01"], "is past"),
        (["--until", "30/11/2026"], "ISO 8601"),
        (["--for", "7d", "--until", "2099-01-01"], "not both"),
        (["--for", "40000d"], "a hundred years"),
        (["--for", "1000000000d"], "a hundred years"),  # beyond Python's timedelta
        (["--for", "99999999999999999999s"], "a hundred years"),
    ],
)
def test_a_bad_duration_or_date_is_a_usage_error_and_bans_no_one(db, local_cli, user, args, says):
    result = local_cli("ban", user.email, *args, "--reason", "x", "--yes")
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert_clean(result)
    assert banned_until(db, user) is None
    assert audit(db) == []


def test_an_operator_cannot_ban_themselves_nor_lock_the_last_admin_out(db, local_cli, admin):
    result = local_cli("ban", admin.email, "--reason", "x", "--yes")
    assert result.exit_code == 1, result.output
    assert "their own account" in result.stderr
    assert_clean(result)
    assert banned_until(db, admin) is None
    assert db.one("select private.is_admin(%s) as a", [admin.id])["a"] is True
    assert audit(db) == []


def test_unbanning_a_user_who_is_not_banned_is_refused_and_auth_is_not_asked(
    db, cli, auth_api, user
):
    result = cli("unban", user.email)
    assert result.exit_code == 1, result.output
    assert f"{user.email} is not banned" in result.stderr
    assert auth_api.requests == []
    assert audit(db) == []


def test_a_ban_auth_applied_but_the_database_did_not_record_is_told(db, cli, auth_api, user):
    db.sql(
        "create function public.refuse_audit() returns trigger language plpgsql as $$ begin"
        " raise exception using errcode = 'P0001', message = 'audit_down'; end $$;"
        " create trigger refuse_audit before insert on private.audit_log"
        " for each row execute function public.refuse_audit()"
    )
    result = cli("ban", user.email, "--for", "7d", "--reason", "Spam", "--yes")
    assert result.exit_code == 1, result.output
    assert auth_api.requests[-1]["body"] == {"ban_duration": "168h"}  # Auth did it
    assert f"Supabase Auth has banned {user.email}" in result.stderr
    assert "run the same command again" in result.stderr
    assert "audit_down" in result.stderr
    assert_clean(result)
    db.sql("drop trigger refuse_audit on private.audit_log")
    again = cli("ban", user.email, "--for", "7d", "--reason", "Spam", "--yes")
    assert again.exit_code == 0, again.output
    assert [a["action"] for a in audit(db)] == ["users ban"]


def test_a_deletion_auth_made_but_the_audit_did_not_record_is_told(
    db, operator_cli, monkeypatch, gotrue, service_key, user
):
    db.sql(
        "create function public.refuse_audit() returns trigger language plpgsql as $$ begin"
        " raise exception using errcode = 'P0001', message = 'audit_down'; end $$;"
        " create trigger refuse_audit before insert on private.audit_log"
        " for each row when (new.action = 'users delete')"
        " execute function public.refuse_audit()"
    )
    with FakeAuthAdmin(gotrue) as auth_api:
        monkeypatch.setenv("SUPABASE_URL", auth_api.url)
        monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", service_key)
        result = operator_cli("users", "delete", user.email, "--yes")
    assert result.exit_code == 1, result.output
    assert f"Supabase Auth has deleted the account {user.email}" in result.stderr
    assert "the deletion stands" in result.stderr
    assert_clean(result)
    assert db.sql("select 1 from auth.users where id = %s", [user.id]) == []


def test_the_local_stand_in_never_writes_a_database_gotrue_serves(db, local_cli, user):
    """A hosted database reached through a tunnel (localhost): GoTrue's own
    migrations table tells, and the stand-in refuses before anything is asked."""
    db.sql("create table auth.schema_migrations (version varchar(255) primary key)")
    result = local_cli("ban", user.email, "--reason", "x", "--yes")
    assert result.exit_code == 2, result.output
    assert "SUPABASE_URL" in result.stderr
    assert_clean(result)
    assert banned_until(db, user) is None
    assert local_cli("delete", user.email, "--yes").exit_code == 2
    assert db.sql("select 1 from auth.users where id = %s", [user.id]) != []
    assert audit(db) == []


def test_a_new_ban_on_a_banned_user_says_it_replaces_the_current_one(db, local_cli, user):
    assert local_cli("ban", user.email, "--reason", "Fraude", "--yes").exit_code == 0
    asked = local_cli("ban", user.email, "--for", "7d", "--reason", "Appel", input="n\n")
    assert asked.exit_code == 1
    assert f"{user.email} is already banned (for good): this ban replaces it" in asked.output
    assert banned_until(db, user) > datetime.now(UTC) + timedelta(days=36_000)  # unchanged
    shortened = local_cli("ban", user.email, "--for", "7d", "--reason", "Appel", "--yes")
    assert shortened.exit_code == 0, shortened.output
    assert "already banned (for good)" in shortened.stderr  # told with --yes too
    assert about(banned_until(db, user), datetime.now(UTC) + timedelta(days=7))


def test_a_deleted_account_is_neither_banned_nor_unbanned(db, local_cli, user):
    assert local_cli("delete", user.email, "--soft", "--yes").exit_code == 0
    for args in (["ban", str(user.id), "--reason", "x", "--yes"], ["unban", str(user.id)]):
        result = local_cli(*args)
        assert result.exit_code == 1, result.output
        assert "is deleted" in result.stderr
    assert banned_until(db, user) is None
    assert [a["action"] for a in audit(db)] == ["account_deleted", "users delete"]


def test_a_soft_deleted_account_is_not_soft_deleted_again_but_may_be_removed(db, local_cli, user):
    assert local_cli("delete", user.email, "--soft", "--yes").exit_code == 0
    again = local_cli("delete", str(user.id), "--soft", "--yes")
    assert again.exit_code == 1, again.output
    assert "already deleted" in again.stderr
    assert [a["action"] for a in audit(db)] == ["account_deleted", "users delete"]
    removed = local_cli("delete", str(user.id), "--yes")
    assert removed.exit_code == 0, removed.output
    assert db.sql("select 1 from auth.users where id = %s", [user.id]) == []


def test_a_non_admin_learns_nothing_about_accounts(cli, monkeypatch, user, auth_api):
    monkeypatch.setenv("CAGNOTTE_OPERATOR", user.email)
    for args in (
        ["grant-admin", "personne@example.test"],
        ["revoke-admin", "personne@example.test", "--yes"],
    ):
        assert cli(*args).exit_code == 4


def test_revoke_admin_checks_the_user_before_asking_and_names_them(cli, user):
    assert cli("revoke-admin", "personne@example.test").exit_code == 3
    asked = cli("revoke-admin", str(user.id)[:8], input="n\n")
    assert f"Revoke admin from {user.email}?" in asked.output


def test_an_unknown_user_exits_3(db, local_cli):
    result = local_cli("ban", "personne@example.test", "--reason", "x", "--yes")
    assert result.exit_code == 3
    assert "no such user" in result.stderr
    assert local_cli("unban", "0000dead").exit_code == 3
    assert local_cli("delete", "personne@example.test", "--yes").exit_code == 3


def test_hosted_without_the_auth_admin_api_is_a_usage_error(db, local_cli, monkeypatch, user):
    monkeypatch.setenv("DATABASE_URL", HOSTED_DATABASE)
    result = local_cli("ban", user.email, "--reason", "x", "--yes")
    assert result.exit_code == 2, result.output
    assert "SUPABASE_URL" in result.stderr
    assert_clean(result)
    assert local_cli("delete", user.email, "--yes").exit_code == 2


def test_an_auth_api_without_its_key_is_a_usage_error(db, local_cli, monkeypatch, user):
    monkeypatch.setenv("SUPABASE_URL", "https://abcdefghijklmnop.supabase.co")
    monkeypatch.delenv("SUPABASE_SERVICE_ROLE_KEY", raising=False)
    result = local_cli("ban", user.email, "--reason", "x", "--yes")
    assert result.exit_code == 2, result.output
    assert "SUPABASE_SERVICE_ROLE_KEY" in result.stderr
    assert banned_until(db, user) is None


# In French ------------------------------------------------------------------------------------


@pytest.fixture
def french(operator_cli, monkeypatch):
    """`cagnotte-admin --lang fr users …` on the local stack."""
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    return functools.partial(operator_cli, "--lang", "fr", "users")


def test_a_ban_in_french_says_when_it_ends(db, french, user):
    banned = french("ban", user.email, "--for", "7d", "--reason", "Spam", "--yes")
    assert banned.exit_code == 0, banned.output
    assert banned.stdout.startswith(f"{user.email} banni jusqu'au ")
    unbanned = french("unban", user.email)
    assert unbanned.stdout.strip() == f"{user.email} peut de nouveau se connecter"


def test_bad_input_in_french(db, french, user):
    past = french("ban", user.email, "--until", "2020-01-01", "--reason", "x", "--yes")
    assert past.exit_code == 2
    assert "est passé" in past.output
    bad = french("ban", user.email, "--for", "7 jours", "--reason", "x", "--yes")
    assert bad.exit_code == 2
    assert "n'est pas une durée" in bad.output
    unknown = french("ban", "personne@example.test", "--reason", "x", "--yes")
    assert unknown.exit_code == 3
    assert "aucun compte" in unknown.stderr
    assert banned_until(db, user) is None


def test_the_refusals_of_a_ban_in_french(db, french, admin, user):
    itself = french("ban", admin.email, "--reason", "x", "--yes")
    assert itself.exit_code == 1
    assert "un opérateur ne bannit pas son propre compte" in itself.stderr
    not_banned = french("unban", user.email)
    assert not_banned.exit_code == 1
    assert f"{user.email} n'est pas banni : aucun bannissement à lever" in not_banned.stderr
    french("ban", user.email, "--reason", "Fraude", "--yes")
    again = french("ban", user.email, "--for", "7d", "--reason", "Appel", "--yes")
    assert f"{user.email} est déjà banni (définitivement)" in again.stderr
    huge = french("ban", user.email, "--for", "1000000000d", "--reason", "x", "--yes")
    assert huge.exit_code == 2
    assert "cent ans" in huge.output


def test_the_listing_in_french_has_french_headers(db, french, user):
    french("ban", user.email, "--for", "7d", "--reason", "Spam", "--yes")
    listed = french("list")
    assert listed.exit_code == 0, listed.output
    assert "Utilisateurs" in listed.stdout
    assert "banni jusqu'au" in listed.stdout


# Roles and listings -------------------------------------------------------------------------------


def test_grant_and_revoke_admin(db, cli, user):
    assert cli("grant-admin", user.email).exit_code == 0
    assert db.one("select private.is_admin(%s) as a", [user.id])["a"] is True
    assert cli("revoke-admin", user.email, "--yes").exit_code == 0
    assert db.one("select private.is_admin(%s) as a", [user.id])["a"] is False
    assert cli("revoke-admin", user.email, "--yes").exit_code == 1
    assert [a["action"] for a in audit(db)] == ["users grant-admin", "users revoke-admin"]


def test_the_last_admin_not_banned_cannot_revoke_their_role(
    db, local_cli, admin, make_user, grant_role
):
    """A banned admin is no admin (private.is_admin): revoking the last one not
    banned would leave the platform without an operator."""
    other = grant_role(make_user(), "admin")
    assert local_cli("ban", other.email, "--reason", "Compte compromis", "--yes").exit_code == 0
    result = local_cli("revoke-admin", admin.email, "--yes")
    assert result.exit_code == 1, result.output
    assert "last_admin" in result.stderr
    assert db.one("select private.is_admin(%s) as a", [admin.id])["a"] is True


def test_list_and_show(cli, user, admin):
    rows = json.loads(cli("list", "--json").stdout)
    assert {r["email"] for r in rows} >= {user.email, admin.email}
    assert next(r for r in rows if r["email"] == admin.email)["roles"] == ["admin"]
    found = json.loads(cli("list", "--search", "Fatou", "--json").stdout)
    assert [r["email"] for r in found] == [user.email]
    assert json.loads(cli("show", user.email).stdout)["display_name"] == "Fatou Ndiaye"
    assert json.loads(cli("show", str(user.id)[:8]).stdout)["email"] == user.email
    assert cli("show", "personne@example.test").exit_code == 3


def test_non_admins_cannot_use_users_commands(cli, monkeypatch, user, other_user, auth_api):
    monkeypatch.setenv("CAGNOTTE_OPERATOR", user.email)
    assert cli("ban", other_user.email, "--reason", "x", "--yes").exit_code == 4
    assert cli("grant-admin", user.email).exit_code == 4
    assert cli("list").exit_code == 4
    assert auth_api.requests == []


# In a real terminal ---------------------------------------------------------------------------


def spawn_console(db, admin, *args: str):
    """`cagnotte-admin --lang fr users …` in a pseudo-terminal, on the local stack."""
    gone = {k: None for k in os.environ if k.startswith(("SUPABASE_", "CAGNOTTE_"))}
    env = {**gone, "DATABASE_URL": db.url, "CAGNOTTE_OPERATOR": admin.email,
           "AFRICAGNOTTE_ENV_FILE": "/nonexistent/.env.local"}  # fmt: skip
    return terminal.in_terminal("--lang", "fr", "users", *args, env=env).child


@pytest.mark.parametrize(("answer", "banned"), [("n", False), ("y", True)])
def test_a_ban_is_confirmed_in_a_real_terminal(db, admin, user, answer, banned):
    console = spawn_console(db, admin, "ban", user.email, "--for", "7d", "--reason", "Spam")
    console.expect_exact(f"Bannir {user.email} jusqu'au ")
    console.sendline(answer)
    console.expect(pexpect.EOF)
    console.close()
    assert (console.exitstatus == 0) is banned
    assert (banned_until(db, user) is not None) is banned
