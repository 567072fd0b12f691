"""Bans: a banned account reads public data but the database refuses its writes;
a ban's length as GoTrue reads it (a Go duration); the local stack's stand-in of
the Auth admin API writes what GoTrue writes."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from psycopg.rows import dict_row

from admin_scripts import auth_admin
from tests import gotrue as gotrue_emulation
from tests.auth_admin_fake import bad_ban_duration
from tests.postgrest import ApiError


def test_ban_refuses_writes_made_with_a_still_valid_token(db, gotrue, as_user, user):
    client = as_user(user)
    client.update("profiles", {"bio": "avant"}, {"id": user.id})
    gotrue.ban(user)  # the token minted before the ban is still valid
    with pytest.raises(ApiError) as err:
        client.update("profiles", {"bio": "après"}, {"id": user.id})
    assert (err.value.status, err.value.code, err.value.message) == (403, "PT403", "account_banned")
    assert db.one("select bio from public.profiles where id = %s", [user.id])["bio"] == "avant"


def test_lifted_ban_restores_writes(db, gotrue, as_user, banned_user):
    gotrue.ban(banned_user, timedelta(0))
    as_user(banned_user).update("profiles", {"bio": "de retour"}, {"id": banned_user.id})
    assert (
        db.one("select bio from public.profiles where id = %s", [banned_user.id])["bio"]
        == "de retour"
    )


def test_ban_in_the_past_is_no_ban(db, as_user, user):
    db.sql(
        "update auth.users set banned_until = now() - interval '1 minute' where id = %s", [user.id]
    )
    assert as_user(user).update("profiles", {"bio": "ok"}, {"id": user.id})


def test_soft_deleted_account_cannot_write(db, as_user, user):
    db.sql("update auth.users set deleted_at = now() where id = %s", [user.id])
    with pytest.raises(ApiError) as err:
        as_user(user).update("profiles", {"bio": "fantôme"}, {"id": user.id})
    assert err.value.message == "account_banned"


def test_banned_user_reads_public_data(as_user, banned_user, user):
    assert len(as_user(banned_user).get("profiles")) >= 2


def test_every_table_the_api_can_write_refuses_banned_writes(db):
    """Structural guard for every future table: a write grant needs the ban trigger."""
    unguarded = db.sql(
        """
        select c.oid::regclass::text as relation
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and (has_table_privilege('authenticated', c.oid, 'INSERT')
               or has_table_privilege('authenticated', c.oid, 'UPDATE')
               or has_table_privilege('authenticated', c.oid, 'DELETE')
               or has_any_column_privilege('authenticated', c.oid, 'INSERT')
               or has_any_column_privilege('authenticated', c.oid, 'UPDATE'))
          and not exists (
              select 1 from pg_trigger t
              where t.tgrelid = c.oid
                and t.tgfoid = 'private.refuse_banned_writes'::regproc
                and t.tgtype & 1 = 0  -- statement level
                and t.tgtype & 28 = 28  -- insert, update and delete
          )
        """
    )
    assert unguarded == []


# A ban's length, as GoTrue reads it ------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "duration"),
    [
        (timedelta(days=7), "168h"),
        (timedelta(hours=12), "12h"),
        (timedelta(seconds=90), "90s"),
        (timedelta(days=3, seconds=1), "259201s"),
        (auth_admin.FOREVER, "876000h"),
        (None, "none"),
    ],
)
def test_a_ban_length_is_the_go_duration_gotrue_reads(length, duration):
    assert auth_admin.ban_duration(length) == duration
    assert auth_admin.parse_ban_duration(duration) == (length or timedelta(0))
    assert not bad_ban_duration({"ban_duration": duration})  # the fake reads it as GoTrue


def test_go_durations_are_read_as_go_reads_them():
    assert auth_admin.parse_ban_duration("2h45m") == timedelta(hours=2, minutes=45)
    assert auth_admin.parse_ban_duration("1.5h") == timedelta(minutes=90)
    for bad in ("7d", "", "h", "12 h"):
        with pytest.raises(ValueError, match="invalid format for ban duration"):
            auth_admin.parse_ban_duration(bad)
    assert bad_ban_duration({"ban_duration": "7d"})


# The local stack's stand-in: what GoTrue writes --------------------------------------------------


def in_transaction(db, step):
    """``step(conn)`` in one transaction, as the console runs it (its login role)."""
    with (
        psycopg.connect(db.url, autocommit=True, row_factory=dict_row) as conn,
        conn.transaction(),
    ):
        step(conn)


def auth_row(db, user):
    return db.one("select * from auth.users where id = %s", [user.id])


def test_the_local_stand_in_bans_and_lifts_as_gotrue_does(db, gotrue, as_user, user, other_user):
    gotrue.ban(other_user, timedelta(hours=168))
    in_transaction(db, lambda conn: auth_admin.LocalAuthAdmin().ban(conn, str(user.id), "168h"))
    mine, theirs = auth_row(db, user)["banned_until"], auth_row(db, other_user)["banned_until"]
    assert abs(mine - theirs) < timedelta(minutes=1)
    with pytest.raises(ApiError) as err:
        as_user(user).update("profiles", {"bio": "après"}, {"id": user.id})
    assert err.value.message == "account_banned"
    in_transaction(db, lambda conn: auth_admin.LocalAuthAdmin().ban(conn, str(user.id), "none"))
    assert auth_row(db, user)["banned_until"] is None


def test_the_local_stand_in_soft_deletes_as_gotrue_does(db, gotrue, user, other_user):
    gotrue.soft_delete(other_user)
    in_transaction(
        db, lambda conn: auth_admin.LocalAuthAdmin().delete_user(conn, str(user.id), soft=True)
    )
    for person in (user, other_user):
        row = auth_row(db, person)
        assert row["email"] == gotrue_emulation.obfuscated(person.id, person.email)
        assert row["deleted_at"] is not None
        assert (row["raw_user_meta_data"], row["raw_app_meta_data"]) == ({}, {})
        assert row["encrypted_password"] is None
    identities = db.sql(
        "select user_id, identity_data from auth.identities where user_id in (%s, %s)",
        [user.id, other_user.id],
    )
    assert {i["user_id"] for i in identities} == {user.id, other_user.id}
    assert all(i["identity_data"] == {} for i in identities)


def test_the_local_stand_in_deletes_as_gotrue_does(db, user):
    in_transaction(
        db, lambda conn: auth_admin.LocalAuthAdmin().delete_user(conn, str(user.id), soft=False)
    )
    assert db.sql("select 1 from auth.users where id = %s", [user.id]) == []
    assert db.sql("select 1 from public.profiles where id = %s", [user.id]) == []
