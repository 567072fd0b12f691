"""Bans: a banned account reads public data but the database refuses its writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

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
