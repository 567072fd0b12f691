"""Profiles: created from sign-up metadata, public to read, edited by their owner."""

from __future__ import annotations

import pytest

from tests.postgrest import ApiError

EDITABLE = {
    "display_name": "Fatou N.",
    "bio": "Maman de trois enfants à Thiès.",
    "country": "SN",
    "locale": "en",
    "avatar_url": "https://res.cloudinary.com/demo/image/upload/fatou.jpg",
}


def profile(db, user):
    return db.one("select * from public.profiles where id = %s", [user.id])


# Creation -----------------------------------------------------------------------


def test_sign_up_creates_the_profile_from_metadata(db, make_user):
    u = make_user(
        user_metadata={
            "full_name": "Aïssatou Bâ",
            "avatar_url": "https://lh3.googleusercontent.com/a/photo.jpg",
            "locale": "en",
        }
    )
    p = profile(db, u)
    assert p["display_name"] == "Aïssatou Bâ"
    assert p["avatar_url"] == "https://lh3.googleusercontent.com/a/photo.jpg"
    assert p["locale"] == "en"
    assert p["country"] is None


def test_sign_up_without_metadata_gets_a_french_profile_without_name(db, make_user):
    p = profile(db, make_user())
    assert p["display_name"] is None
    assert p["locale"] == "fr"


def test_unusable_sign_up_metadata_is_cleaned_instead_of_failing_the_sign_up(db, make_user):
    u = make_user(
        user_metadata={
            "full_name": "  Moussa\n\tSow" + "x" * 200,
            "avatar_url": "javascript:alert(1)",
            "locale": "de",
        }
    )
    p = profile(db, u)
    assert p["display_name"].startswith("Moussa Sow")
    assert len(p["display_name"]) == 80
    assert p["avatar_url"] is None
    assert p["locale"] == "fr"


def test_profile_is_deleted_with_its_user(db, gotrue, user):
    gotrue.delete(user)
    assert db.sql("select 1 from public.profiles where id = %s", [user.id]) == []


# Reading ------------------------------------------------------------------------


def test_anon_reads_profiles(anon, user):
    rows = anon.get("profiles", {"id": user.id})
    assert [r["display_name"] for r in rows] == ["Fatou Ndiaye"]


def test_signed_in_user_reads_other_profiles(as_user, user, other_user):
    rows = as_user(other_user).get("profiles", {"id": user.id})
    assert len(rows) == 1


def test_banned_user_still_reads_profiles(as_user, banned_user, user):
    rows = as_user(banned_user).get("profiles", {"id": user.id})
    assert len(rows) == 1


def test_profiles_expose_no_email_or_phone(anon, user):
    (row,) = anon.get("profiles", {"id": user.id})
    assert user.email not in str(row)
    assert {"email", "phone"}.isdisjoint(row)


# Updating -----------------------------------------------------------------------


def test_owner_updates_their_presentation_fields(db, as_user, user):
    rows = as_user(user).update("profiles", EDITABLE, {"id": user.id})
    assert len(rows) == 1
    p = profile(db, user)
    assert {k: p[k] for k in EDITABLE} == EDITABLE


def test_update_moves_updated_at(db, as_user, user):
    before = profile(db, user)["updated_at"]
    as_user(user).update("profiles", {"bio": "Nouveau"}, {"id": user.id})
    assert profile(db, user)["updated_at"] > before


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("id", "00000000-0000-4000-8000-00000000abcd"),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("updated_at", "2020-01-01T00:00:00Z"),
    ],
)
def test_owner_cannot_update_privileged_columns(db, as_user, user, column, value):
    with pytest.raises(ApiError) as err:
        as_user(user).update("profiles", {column: value}, {"id": user.id})
    assert (err.value.status, err.value.code) == (403, "42501")
    assert str(profile(db, user)[column]) != value


def test_another_user_cannot_update_a_profile(db, as_user, user, other_user):
    rows = as_user(other_user).update("profiles", {"bio": "piraté"}, {"id": user.id})
    assert rows == []
    assert profile(db, user)["bio"] is None


def test_admin_updates_any_profile(db, as_user, admin, user):
    rows = as_user(admin).update(
        "profiles", {"bio": None, "display_name": "Modéré"}, {"id": user.id}
    )
    assert len(rows) == 1
    assert profile(db, user)["display_name"] == "Modéré"


def test_banned_user_cannot_update_their_profile(db, as_user, banned_user):
    with pytest.raises(ApiError) as err:
        as_user(banned_user).update("profiles", {"bio": "toujours là"}, {"id": banned_user.id})
    assert (err.value.status, err.value.code, err.value.message) == (403, "PT403", "account_banned")
    assert profile(db, banned_user)["bio"] is None


def test_anon_cannot_update_profiles(db, anon, user):
    with pytest.raises(ApiError) as err:
        anon.update("profiles", {"bio": "anonyme"}, {"id": user.id})
    assert (err.value.status, err.value.code) == (401, "42501")
    assert profile(db, user)["bio"] is None


@pytest.mark.parametrize(
    ("changes", "sqlstate"),
    [
        ({"country": "ZZ"}, "23514"),
        ({"country": "sn"}, "23514"),
        ({"locale": "de"}, "22P02"),
        ({"bio": "x" * 1001}, "23514"),
        ({"display_name": ""}, "23514"),
        ({"display_name": " padded "}, "23514"),
        ({"display_name": "y" * 81}, "23514"),
        ({"avatar_url": "http://insecure.example/a.png"}, "23514"),
    ],
)
def test_invalid_profile_values_are_refused_with_400(db, as_user, user, changes, sqlstate):
    with pytest.raises(ApiError) as err:
        as_user(user).update("profiles", changes, {"id": user.id})
    assert (err.value.status, err.value.code) == (400, sqlstate)
    assert profile(db, user)["display_name"] == "Fatou Ndiaye"


# Inserting and deleting: never through the API --------------------------------------


@pytest.mark.parametrize("actor", ["anon", "user", "admin", "banned_user"])
def test_nobody_inserts_profiles_through_the_api(request, db, as_user, anon, actor):
    client = anon if actor == "anon" else as_user(request.getfixturevalue(actor))
    target = db.one(
        "insert into auth.users (id, email)"
        " values (gen_random_uuid(), 'x@example.test') returning id"
    )
    db.sql("delete from public.profiles where id = %s", [target["id"]])
    with pytest.raises(ApiError) as err:
        client.insert("profiles", {"id": target["id"], "display_name": "Intrus"})
    assert err.value.code == "42501"
    assert err.value.status == (401 if actor == "anon" else 403)
    assert db.sql("select 1 from public.profiles where id = %s", [target["id"]]) == []


@pytest.mark.parametrize("actor", ["anon", "user", "admin", "banned_user"])
def test_nobody_deletes_profiles_through_the_api(request, db, as_user, anon, user, actor):
    client = anon if actor == "anon" else as_user(request.getfixturevalue(actor))
    with pytest.raises(ApiError) as err:
        client.delete("profiles", {"id": user.id})
    assert err.value.code == "42501"
    assert db.sql("select 1 from public.profiles where id = %s", [user.id]) != []
