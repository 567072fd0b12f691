"""Campaign rows: who sees which status, and which columns owners may write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import CAMPAIGN
from tests.postgrest import ApiError

STATUSES = ["draft", "pending_review", "active", "funded", "rejected", "expired", "cancelled"]
PUBLIC = {"active", "funded", "expired"}
VIEWERS = ["anon", "owner", "stranger", "moderator", "admin", "banned_user"]


def client_for(request, anon, as_user, owner, viewer):
    if viewer == "anon":
        return anon
    if viewer == "owner":
        return as_user(owner)
    return as_user(request.getfixturevalue("other_user" if viewer == "stranger" else viewer))


# Visibility ------------------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("status", STATUSES)
def test_who_sees_a_campaign_of_each_status(
    request, db, anon, as_user, owner, make_campaign, status, viewer
):
    c = make_campaign(owner, status)
    client = client_for(request, anon, as_user, owner, viewer)
    sees = status in PUBLIC or viewer in ("owner", "moderator", "admin")

    rows = client.get("campaigns", {"id": c["id"]})
    assert len(rows) == (1 if sees else 0)

    if sees:
        assert client.rpc("campaign_by_slug", {"slug": c["slug"]})["id"] == c["id"]
    else:
        with pytest.raises(ApiError) as err:
            client.rpc("campaign_by_slug", {"slug": c["slug"]})
        assert (err.value.status, err.value.message) == (404, "campaign_not_found")

    # Search lists public statuses only, whoever asks.
    found = [
        r["id"]
        for s in ("active", "funded", "expired")
        for r in client.rpc("search_campaigns", {"q": "Aminata", "status": s})
    ]
    assert (c["id"] in found) == (status in PUBLIC)


def test_owner_lists_all_their_campaigns(as_user, owner, make_campaign):
    for status in ("draft", "pending_review", "rejected"):
        make_campaign(owner, status)
    assert len(as_user(owner).get("campaigns", {"owner_id": owner.id})) == 3


def test_campaigns_are_in_the_realtime_publication(db):
    assert db.sql(
        "select 1 from pg_publication_tables"
        " where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'campaigns'"
    )


# Creation -------------------------------------------------------------------------


def test_user_creates_a_draft_they_own(db, as_user, owner):
    (c,) = as_user(owner).insert("campaigns", CAMPAIGN)
    assert (c["status"], c["owner_id"], c["collected_amount"]) == ("draft", owner.id, 0)
    assert c["slug"].startswith("soins-pour-aminata-a-bamako-")


def test_anon_cannot_create_campaigns(anon):
    with pytest.raises(ApiError) as err:
        anon.insert("campaigns", CAMPAIGN)
    assert (err.value.status, err.value.code) == (401, "42501")


def test_banned_user_cannot_create_campaigns(db, as_user, banned_user):
    with pytest.raises(ApiError) as err:
        as_user(banned_user).insert("campaigns", CAMPAIGN)
    assert err.value.message == "account_banned"
    assert db.sql("select 1 from public.campaigns") == []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("owner_id", "00000000-0000-4000-8000-000000000001"),
        ("status", "active"),
        ("featured", True),
        ("collected_amount", 999_999),
        ("donor_count", 50),
        ("published_at", "2026-01-01T00:00:00Z"),
        ("slug", "ma-belle-cagnotte"),
        ("starts_at", "2026-01-01T00:00:00Z"),
        ("goal_reached_at", "2026-01-01T00:00:00Z"),
        ("rejection_reason", "aucune"),
        ("id", "00000000-0000-4000-8000-0000000000aa"),
    ],
)
def test_users_cannot_set_privileged_columns_on_creation(db, as_user, owner, column, value):
    with pytest.raises(ApiError) as err:
        as_user(owner).insert("campaigns", {**CAMPAIGN, column: value})
    assert (err.value.status, err.value.code) == (403, "42501")
    assert db.sql("select 1 from public.campaigns") == []


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"title": "Hé"}, "23514"),
        ({"title": " Espaces autour "}, "23514"),
        ({"summary": "x" * 281}, "23514"),
        ({"goal_amount": 0}, "goal_out_of_bounds"),
        ({"goal_amount": 499}, "goal_out_of_bounds"),  # XOF minimum
        ({"goal_amount": 1_000_000_001}, "goal_out_of_bounds"),
        ({"currency": "BTC"}, "currency_not_accepted"),
        ({"category": "casino"}, "category_not_available"),
        ({"country": "XX"}, "23514"),
        ({"tags": [f"tag{i}" for i in range(11)]}, "invalid_tags"),
        ({"tags": ["x" * 31]}, "invalid_tags"),
        ({"tags": ["<script>"]}, "invalid_tags"),
        ({"ends_at": "2020-01-01T00:00:00Z"}, "campaign_end_out_of_bounds"),
    ],
)
def test_invalid_campaigns_are_refused_with_a_clear_error(db, as_user, owner, changes, error):
    with pytest.raises(ApiError) as err:
        as_user(owner).insert("campaigns", {**CAMPAIGN, **changes})
    assert err.value.status in (400, 409, 422)
    assert error in (err.value.code, err.value.message)
    assert db.sql("select 1 from public.campaigns") == []


def test_amounts_follow_the_currency_exponent(as_user, owner):
    xof = as_user(owner).insert("campaigns", {**CAMPAIGN, "goal_amount": 500})[0]
    eur = as_user(owner).insert(
        "campaigns", {**CAMPAIGN, "currency": "EUR", "goal_amount": 100, "country": "FR"}
    )[0]
    assert (xof["goal_amount"], eur["goal_amount"]) == (500, 100)  # 500 FCFA, 1.00 EUR


def test_tags_are_normalised(as_user, owner):
    (c,) = as_user(owner).insert(
        "campaigns", {**CAMPAIGN, "tags": ["  Santé ", "santé", "Enfant  Malade", "", "BAMAKO"]}
    )
    assert c["tags"] == ["santé", "enfant malade", "bamako"]


# Owners' edits ---------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "pending_review", "rejected", "active", "funded"])
def test_owner_edits_content_while_not_closed(db, as_user, owner, make_campaign, status):
    c = make_campaign(owner, status)
    (row,) = as_user(owner).update(
        "campaigns", {"summary": "Nouvelles: l'opération est programmée."}, {"id": c["id"]}
    )
    assert row["summary"] == "Nouvelles: l'opération est programmée."


@pytest.mark.parametrize("status", ["expired", "cancelled"])
def test_owner_cannot_edit_a_closed_campaign(db, as_user, owner, make_campaign, status):
    c = make_campaign(owner, status)
    with pytest.raises(ApiError) as err:
        as_user(owner).update("campaigns", {"summary": "trop tard"}, {"id": c["id"]})
    assert (err.value.status, err.value.message) == (409, "campaign_closed")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("status", "active"),
        ("featured", True),
        ("collected_amount", 10_000_000),
        ("donor_count", 99),
        ("owner_id", "00000000-0000-4000-8000-000000000001"),
        ("published_at", "2026-01-01T00:00:00Z"),
        ("slug", "autre-slug"),
        ("goal_reached_at", "2026-01-01T00:00:00Z"),
        ("starts_at", "2026-01-01T00:00:00Z"),
        ("rejection_reason", None),
    ],
)
def test_owner_cannot_write_privileged_columns(db, as_user, owner, make_campaign, column, value):
    c = make_campaign(owner, "active")
    with pytest.raises(ApiError) as err:
        as_user(owner).update("campaigns", {column: value}, {"id": c["id"]})
    assert (err.value.status, err.value.code) == (403, "42501")
    after = db.one("select * from public.campaigns where id = %s", [c["id"]])
    assert after[column] == c[column]


def test_goal_never_goes_below_the_amount_collected(db, as_user, owner, make_campaign):
    c = make_campaign(owner, "active")
    db.sql("update public.campaigns set collected_amount = 3000000 where id = %s", [c["id"]])
    with pytest.raises(ApiError) as err:
        as_user(owner).update("campaigns", {"goal_amount": 2_999_999}, {"id": c["id"]})
    assert (err.value.status, err.value.message) == (422, "goal_below_collected")
    (row,) = as_user(owner).update("campaigns", {"goal_amount": 3_000_000}, {"id": c["id"]})
    assert row["status"] == "funded"


@pytest.mark.parametrize("editor", ["owner", "admin"])
def test_a_published_goal_may_rise_but_never_fall(db, as_user, owner, admin, make_campaign, editor):
    c = make_campaign(owner, "active")
    client = as_user(owner if editor == "owner" else admin)
    with pytest.raises(ApiError) as err:
        client.update("campaigns", {"goal_amount": c["goal_amount"] - 1}, {"id": c["id"]})
    assert (err.value.status, err.value.message) == (409, "goal_cannot_decrease")
    (row,) = client.update("campaigns", {"goal_amount": c["goal_amount"] + 1}, {"id": c["id"]})
    assert row["goal_amount"] == c["goal_amount"] + 1


def test_a_draft_goal_may_fall(as_user, owner, make_campaign):
    draft = make_campaign(owner)
    (row,) = as_user(owner).update("campaigns", {"goal_amount": 100_000}, {"id": draft["id"]})
    assert row["goal_amount"] == 100_000


@pytest.mark.parametrize("editor", ["owner", "admin"])
def test_the_category_is_locked_once_published_even_for_admins(
    db, as_user, owner, admin, make_campaign, editor
):
    c = make_campaign(owner, "active")
    with pytest.raises(ApiError) as err:
        as_user(owner if editor == "owner" else admin).update(
            "campaigns", {"category": "autre"}, {"id": c["id"]}
        )
    assert (err.value.status, err.value.message) == (409, "category_locked")
    assert db.one("select category from public.campaigns where id = %s", [c["id"]]) == {
        "category": "sante"
    }


def test_the_category_changes_freely_before_publication(as_user, owner, make_campaign):
    c = make_campaign(owner, "rejected")
    (row,) = as_user(owner).update("campaigns", {"category": "autre"}, {"id": c["id"]})
    assert row["category"] == "autre"


def test_a_pledge_keeps_the_fee_of_its_category_at_pledge_time(db, owner, make_campaign, give):
    db.sql("update public.categories set platform_fee_bp = 300 where slug = 'sante'")
    c = make_campaign(owner, "active")
    p = give(c, 10_000)
    db.sql("update public.categories set platform_fee_bp = 900 where slug = 'sante'")
    give(c, 10_000)
    fees = db.sql(
        "select d.platform_fee_bp, -sum(l.amount) as fee from public.donations as d"
        " join private.ledger_entries as l on l.donation_id = d.id and l.kind = 'platform_fee'"
        " where d.campaign_id = %s group by d.id, d.platform_fee_bp order by d.created_at",
        [c["id"]],
    )
    assert [(f["platform_fee_bp"], f["fee"]) for f in fees] == [(300, 300), (900, 900)]
    assert db.one(
        "select platform_fee_bp from public.donations where id = %s", [p["donation_id"]]
    ) == {"platform_fee_bp": 300}


# Edits after approval: the re-review queue --------------------------------------------


def test_a_published_text_edit_shows_at_once_and_waits_for_re_review(
    db, as_user, owner, make_campaign
):
    c = make_campaign(owner, "active")
    (row,) = as_user(owner).update(
        "campaigns",
        {"title": "Un titre tout neuf", "story": "Autre histoire " * 5},
        {"id": c["id"]},
    )
    assert row["title"] == "Un titre tout neuf"
    as_user(owner).update("campaigns", {"summary": "Encore une retouche"}, {"id": c["id"]})
    (review,) = db.sql(
        "select * from public.campaign_edit_reviews where campaign_id = %s", [c["id"]]
    )
    assert review["status"] == "pending"
    assert (review["approved_title"], review["approved_summary"], review["approved_story"]) == (
        c["title"], c["summary"], c["story"]
    )  # fmt: skip
    assert review["edited_by"] == owner.id


def test_drafts_and_non_text_edits_open_no_review(db, as_user, owner, make_campaign):
    draft = make_campaign(owner)
    as_user(owner).update("campaigns", {"title": "Brouillon retouché"}, {"id": draft["id"]})
    active = make_campaign(owner, "active")
    as_user(owner).update("campaigns", {"tags": ["école"], "city": "Ségou"}, {"id": active["id"]})
    assert db.sql("select 1 from public.campaign_edit_reviews") == []


def test_a_moderator_restores_the_approved_text_and_the_owner_is_told_why(
    db, as_user, owner, moderator, make_campaign
):
    c = make_campaign(owner, "active")
    as_user(owner).update("campaigns", {"title": "Tout autre chose"}, {"id": c["id"]})
    with pytest.raises(ApiError) as err:
        as_user(moderator).rpc("review_campaign_edit", {"campaign_id": c["id"], "accept": False})
    assert (err.value.status, err.value.message) == (422, "reason_required")
    review = as_user(moderator).rpc(
        "review_campaign_edit",
        {"campaign_id": c["id"], "accept": False, "reason": "Le titre trompe les donateurs"},
    )
    assert (review["status"], str(review["decided_by"])) == ("restored", str(moderator.id))
    after = db.one("select title, slug from public.campaigns where id = %s", [c["id"]])
    assert after == {"title": c["title"], "slug": c["slug"]}
    note = db.one(
        "select payload from public.notifications where user_id = %s and kind = 'campaign_edit_restored'",
        [owner.id],
    )
    assert note["payload"]["reason"] == "Le titre trompe les donateurs"
    assert db.one(
        "select count(*) as n from private.email_outbox where template = 'campaign_edit_restored'"
    ) == {"n": 1}
    # the restoration itself opens no new review
    assert db.one(
        "select count(*) as n from public.campaign_edit_reviews where status = 'pending'"
    ) == {"n": 0}


def test_an_accepted_edit_stays_and_a_later_edit_opens_a_new_review(
    db, as_user, owner, moderator, make_campaign
):
    c = make_campaign(owner, "active")
    as_user(owner).update("campaigns", {"summary": "Résumé corrigé"}, {"id": c["id"]})
    review = as_user(moderator).rpc(
        "review_campaign_edit", {"campaign_id": c["id"], "accept": True}
    )
    assert review["status"] == "accepted"
    assert db.one("select summary from public.campaigns where id = %s", [c["id"]]) == {
        "summary": "Résumé corrigé"
    }
    as_user(owner).update("campaigns", {"summary": "Résumé encore changé"}, {"id": c["id"]})
    (pending,) = db.sql("select * from public.campaign_edit_reviews where status = 'pending'")
    assert pending["approved_summary"] == "Résumé corrigé"


def test_edit_reviews_are_read_by_staff_and_the_team_only(
    as_user, owner, moderator, other_user, make_campaign
):
    c = make_campaign(owner, "active")
    as_user(owner).update("campaigns", {"summary": "Résumé corrigé"}, {"id": c["id"]})
    assert len(as_user(moderator).get("campaign_edit_reviews")) == 1
    assert len(as_user(owner).get("campaign_edit_reviews")) == 1
    assert as_user(other_user).get("campaign_edit_reviews") == []


def test_no_edit_to_review_is_a_clean_404(as_user, owner, moderator, make_campaign):
    c = make_campaign(owner, "active")
    with pytest.raises(ApiError) as err:
        as_user(moderator).rpc("review_campaign_edit", {"campaign_id": c["id"], "accept": True})
    assert (err.value.status, err.value.message) == (404, "edit_review_not_found")


def test_currency_changes_before_publication_only(db, as_user, owner, make_campaign):
    draft = make_campaign(owner)
    (row,) = as_user(owner).update(
        "campaigns", {"currency": "EUR", "goal_amount": 400_000}, {"id": draft["id"]}
    )
    assert row["currency"] == "EUR"
    active = make_campaign(owner, "active")
    with pytest.raises(ApiError) as err:
        as_user(owner).update("campaigns", {"currency": "EUR"}, {"id": active["id"]})
    assert (err.value.status, err.value.message) == (409, "currency_locked")


def test_slug_follows_the_title_until_publication_then_stays(
    as_user, owner, moderator, make_campaign
):
    c = make_campaign(owner, "pending_review")
    (row,) = as_user(owner).update(
        "campaigns", {"title": "Opération à cœur ouvert"}, {"id": c["id"]}
    )
    assert row["slug"].startswith("operation-a-coeur-ouvert-")
    as_user(moderator).rpc("approve_campaign", {"campaign_id": c["id"]})
    (row2,) = as_user(owner).update("campaigns", {"title": "Un tout autre titre"}, {"id": c["id"]})
    assert row2["slug"] == row["slug"]


def test_owner_moves_the_end_within_bounds(as_user, owner, make_campaign):
    c = make_campaign(owner, "active")
    later = c["starts_at"] + timedelta(days=90)
    (row,) = as_user(owner).update("campaigns", {"ends_at": later.isoformat()}, {"id": c["id"]})
    assert row["ends_at"] == later
    for bad in (c["starts_at"] + timedelta(days=181), datetime.now(UTC) - timedelta(minutes=1)):
        with pytest.raises(ApiError) as err:
            as_user(owner).update("campaigns", {"ends_at": bad.isoformat()}, {"id": c["id"]})
        assert err.value.message == "campaign_end_out_of_bounds"


def test_another_user_cannot_edit_a_campaign(db, as_user, owner, other_user, make_campaign):
    c = make_campaign(owner, "active")
    assert as_user(other_user).update("campaigns", {"summary": "piraté"}, {"id": c["id"]}) == []
    assert (
        db.one("select summary from public.campaigns where id = %s", [c["id"]])["summary"]
        == (c["summary"])
    )


def test_moderator_cannot_edit_content_but_admin_can(
    db, as_user, owner, moderator, admin, make_campaign
):
    c = make_campaign(owner, "active")
    assert as_user(moderator).update("campaigns", {"summary": "modéré"}, {"id": c["id"]}) == []
    (row,) = as_user(admin).update(
        "campaigns", {"summary": "Texte modéré par l'équipe."}, {"id": c["id"]}
    )
    assert row["summary"] == "Texte modéré par l'équipe."


def test_banned_owner_cannot_edit(db, gotrue, as_user, owner, make_campaign):
    c = make_campaign(owner, "active")
    gotrue.ban(owner)
    with pytest.raises(ApiError) as err:
        as_user(owner).update("campaigns", {"summary": "encore moi"}, {"id": c["id"]})
    assert err.value.message == "account_banned"


# Deletion ---------------------------------------------------------------------------


def test_owner_deletes_a_draft(db, as_user, owner, make_campaign):
    c = make_campaign(owner)
    assert len(as_user(owner).delete("campaigns", {"id": c["id"]})) == 1
    assert db.sql("select 1 from public.campaigns where id = %s", [c["id"]]) == []


@pytest.mark.parametrize("status", ["pending_review", "active", "rejected", "cancelled"])
def test_only_drafts_are_deleted(db, as_user, owner, make_campaign, status):
    c = make_campaign(owner, status)
    assert as_user(owner).delete("campaigns", {"id": c["id"]}) == []
    assert db.sql("select 1 from public.campaigns where id = %s", [c["id"]])


def test_another_user_cannot_delete_a_draft(db, as_user, owner, other_user, admin, make_campaign):
    c = make_campaign(owner)
    assert as_user(other_user).delete("campaigns", {"id": c["id"]}) == []
    assert as_user(admin).delete("campaigns", {"id": c["id"]}) == []
    assert db.sql("select 1 from public.campaigns where id = %s", [c["id"]])


def test_deleting_an_owner_releases_their_campaign(db, gotrue, owner, make_campaign):
    c = make_campaign(owner, "active")
    gotrue.delete(owner)  # every case: tests/test_account_deletion.py
    row = db.one("select status, owner_id from public.campaigns where id = %s", [c["id"]])
    assert row == {"status": "cancelled", "owner_id": None}
