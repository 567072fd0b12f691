"""Platform roles: held in user_roles, written by admins only, mirrored in the JWT."""

from __future__ import annotations

import pytest

from tests.postgrest import ApiError


def roles_of(db, user):
    return [
        r["role"]
        for r in db.sql("select role::text from public.user_roles where user_id = %s", [user.id])
    ]


def is_admin_for(client) -> bool:
    """What the database thinks of the caller (private.is_admin, as policies see it)."""
    (row,) = client.request("POST", "/probe", "select private.is_admin() as is_admin")
    return row["is_admin"]


# Never from metadata ---------------------------------------------------------------


def test_sign_up_with_admin_role_in_metadata_does_not_make_an_admin(db, make_user, as_user):
    u = make_user(user_metadata={"role": "admin", "user_role": "admin", "is_admin": True})
    assert roles_of(db, u) == []
    assert u.claims["user_role"] is None
    assert u.claims["role"] == "authenticated"
    assert is_admin_for(as_user(u)) is False


def test_user_editing_metadata_to_admin_does_not_make_an_admin(db, gotrue, user, as_user):
    # supabase.auth.updateUser({data: {role: 'admin'}}) writes raw_user_meta_data
    db.sql(
        'update auth.users set raw_user_meta_data = raw_user_meta_data || \'{"role": "admin"}\''
        " where id = %s",
        [user.id],
    )
    gotrue.sign_in(user)
    assert user.claims["user_metadata"]["role"] == "admin"
    assert user.claims["user_role"] is None
    assert is_admin_for(as_user(user)) is False


# Access token hook ------------------------------------------------------------------


def test_hook_adds_the_admin_claim(admin):
    assert admin.claims["user_role"] == "admin"


def test_hook_adds_a_null_claim_for_users_without_role(user):
    assert "user_role" in user.claims
    assert user.claims["user_role"] is None


def test_hook_reports_the_highest_role(make_user, grant_role):
    u = grant_role(make_user(), "moderator")
    assert u.claims["user_role"] == "moderator"
    u = grant_role(u, "admin")
    assert u.claims["user_role"] == "admin"


def test_hook_keeps_the_claims_gotrue_set(user):
    assert user.claims["sub"] == str(user.id)
    assert user.claims["role"] == "authenticated"
    assert user.claims["aud"] == "authenticated"
    assert user.claims["email"] == user.email


def test_hook_is_not_reachable_through_the_api(as_user, anon, user):
    for client in (anon, as_user(user)):
        with pytest.raises(ApiError) as err:
            client.rpc("private.custom_access_token_hook", {"event": {}})
        assert err.value.code == "PGRST106"


@pytest.mark.parametrize("role", ["anon", "authenticated", "service_role"])
def test_only_the_auth_server_executes_the_hook(db, role):
    with pytest.raises(Exception, match="permission denied for function custom_access_token_hook"):
        db.sql(f"set role {role}; select private.custom_access_token_hook('{{\"claims\": {{}}}}')")


# Reading roles -------------------------------------------------------------------------


def test_users_read_only_their_own_roles(as_user, make_user, grant_role, user):
    moderator = grant_role(make_user(), "moderator")
    assert [r["role"] for r in as_user(moderator).get("user_roles")] == ["moderator"]
    assert as_user(user).get("user_roles") == []


def test_admin_reads_every_role(as_user, admin, make_user, grant_role):
    grant_role(make_user(), "moderator")
    assert sorted(r["role"] for r in as_user(admin).get("user_roles")) == ["admin", "moderator"]


def test_anon_cannot_read_roles(anon):
    with pytest.raises(ApiError) as err:
        anon.get("user_roles")
    assert (err.value.status, err.value.code) == (401, "42501")


# Writing roles -------------------------------------------------------------------------


def test_admin_grants_a_role_and_is_recorded_as_granter(db, as_user, admin, user):
    as_user(admin).insert("user_roles", {"user_id": user.id, "role": "moderator"})
    row = db.one("select * from public.user_roles where user_id = %s", [user.id])
    assert row["granted_by"] == admin.id


def test_admin_revokes_a_role(db, as_user, admin, make_user, grant_role):
    moderator = grant_role(make_user(), "moderator")
    rows = as_user(admin).delete("user_roles", {"user_id": moderator.id})
    assert len(rows) == 1
    assert roles_of(db, moderator) == []


def test_user_cannot_grant_themselves_a_role(db, as_user, user):
    with pytest.raises(ApiError) as err:
        as_user(user).insert("user_roles", {"user_id": user.id, "role": "admin"}, returning=False)
    assert (err.value.status, err.value.code) == (403, "42501")
    assert roles_of(db, user) == []


def test_moderator_cannot_grant_roles(db, as_user, make_user, grant_role, user):
    moderator = grant_role(make_user(), "moderator")
    with pytest.raises(ApiError) as err:
        as_user(moderator).insert(
            "user_roles", {"user_id": user.id, "role": "moderator"}, returning=False
        )
    assert err.value.code == "42501"
    assert roles_of(db, user) == []


def test_user_cannot_revoke_an_admin(db, as_user, admin, user):
    assert as_user(user).delete("user_roles", {"user_id": admin.id}) == []
    assert roles_of(db, admin) == ["admin"]


def test_granter_cannot_be_forged(db, as_user, admin, user, other_user):
    with pytest.raises(ApiError) as err:
        as_user(admin).insert(
            "user_roles", {"user_id": user.id, "role": "moderator", "granted_by": other_user.id}
        )
    assert err.value.code == "42501"
    assert roles_of(db, user) == []


def test_banned_admin_cannot_grant_roles(db, gotrue, as_user, admin, user):
    gotrue.ban(admin)
    with pytest.raises(ApiError) as err:
        as_user(admin).insert("user_roles", {"user_id": user.id, "role": "moderator"})
    assert (err.value.status, err.value.message) == (403, "account_banned")
    assert roles_of(db, user) == []


def test_banned_admin_loses_admin_reads(as_user, gotrue, admin, make_user, grant_role):
    grant_role(make_user(), "moderator")
    gotrue.ban(admin)
    assert [r["role"] for r in as_user(admin).get("user_roles")] == ["admin"]


def test_service_role_grants_roles(db, service_role, user):
    service_role.insert("user_roles", {"user_id": user.id, "role": "admin"})
    assert roles_of(db, user) == ["admin"]


def test_roles_are_removed_with_the_user(db, gotrue, admin):
    gotrue.delete(admin)
    assert db.sql("select 1 from public.user_roles") == []


def test_the_last_admin_cannot_be_removed(as_user, admin):
    with pytest.raises(ApiError) as err:
        as_user(admin).delete("user_roles", {"user_id": admin.id, "role": "admin"})
    assert (err.value.status, err.value.message) == (409, "last_admin")
    assert [r["role"] for r in as_user(admin).get("user_roles", {"user_id": admin.id})] == ["admin"]


def test_an_admin_steps_down_when_another_remains(as_user, admin, make_user, grant_role):
    grant_role(make_user(), "admin")
    assert len(as_user(admin).delete("user_roles", {"user_id": admin.id, "role": "admin"})) == 1
