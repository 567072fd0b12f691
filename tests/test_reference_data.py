"""Categories and currencies: seeded by migrations, read by all, managed by admins."""

from __future__ import annotations

import pytest

from tests.postgrest import ApiError

CATEGORIES = {
    "urgence", "sante", "education", "familles", "funerailles", "religion-communaute",
    "entrepreneuriat", "mariage-evenements", "environnement", "sport-culture", "autre",
}  # fmt: skip


def test_required_categories_exist_in_french_and_english(anon):
    rows = anon.get("categories")
    assert {r["slug"] for r in rows} >= CATEGORIES
    sante = next(r for r in rows if r["slug"] == "sante")
    assert (sante["name_fr"], sante["name_en"]) == ("Santé", "Health")


@pytest.mark.parametrize(
    ("code", "exponent"),
    [
        ("XOF", 0),
        ("XAF", 0),
        ("EUR", 2),
        ("USD", 2),
        ("GBP", 2),
        ("NGN", 2),
        ("GHS", 2),
        ("KES", 2),
    ],
)
def test_currencies_carry_their_minor_unit(anon, code, exponent):
    (row,) = anon.get("currencies", {"code": code})
    assert row["exponent"] == exponent
    assert 0 < row["min_donation"] <= row["max_donation"]


def test_inactive_categories_are_hidden_from_the_public_but_not_from_admins(
    db, anon, as_user, user, admin
):
    db.sql("update public.categories set active = false where slug = 'autre'")
    assert anon.get("categories", {"slug": "autre"}) == []
    assert as_user(user).get("categories", {"slug": "autre"}) == []
    assert len(as_user(admin).get("categories", {"slug": "autre"})) == 1


def test_admin_manages_categories(db, as_user, admin):
    client = as_user(admin)
    client.insert(
        "categories", {"slug": "agriculture", "name_fr": "Agriculture", "name_en": "Farming"}
    )
    client.update("categories", {"position": 5}, {"slug": "agriculture"})
    assert (
        db.one("select position from public.categories where slug = 'agriculture'")["position"] == 5
    )
    assert len(client.delete("categories", {"slug": "agriculture"})) == 1


@pytest.mark.parametrize("actor", ["user", "moderator", "banned_user"])
def test_non_admins_cannot_manage_reference_data(request, db, as_user, actor):
    client = as_user(request.getfixturevalue(actor))
    with pytest.raises(ApiError) as err:
        client.insert("categories", {"slug": "arnaque", "name_fr": "Arnaque", "name_en": "Scam"})
    assert err.value.status == 403
    if actor == "banned_user":
        with pytest.raises(ApiError, match="account_banned"):
            client.update("currencies", {"min_donation": 1}, {"code": "XOF"})
    else:
        assert client.update("currencies", {"min_donation": 1}, {"code": "XOF"}) == []
    assert (
        db.one("select min_donation from public.currencies where code = 'XOF'")["min_donation"]
        == 500
    )


def test_anon_cannot_manage_reference_data(anon):
    with pytest.raises(ApiError) as err:
        anon.insert("currencies", {"code": "BTC", "name_fr": "x", "name_en": "x", "exponent": 8})
    assert err.value.status == 401


def test_a_category_in_use_cannot_be_removed(db, as_user, admin, owner, make_campaign):
    make_campaign(owner, "active")
    with pytest.raises(ApiError) as err:
        as_user(admin).delete("categories", {"slug": "sante"})
    assert (err.value.status, err.value.code) == (409, "23503")


@pytest.mark.parametrize("column", ["exponent", "code"])
def test_no_one_changes_the_unit_of_a_currency_whose_amounts_are_stored(db, as_user, admin, column):
    value = 2 if column == "exponent" else "XOX"
    with pytest.raises(ApiError) as err:
        as_user(admin).update("currencies", {column: value}, {"code": "XOF"})
    assert (err.value.status, err.value.code) == (403, "42501")
    assert db.one("select exponent from public.currencies where code = 'XOF'")["exponent"] == 0
