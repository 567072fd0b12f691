"""In-app notifications: created by SQL, once per event and recipient, private."""

from __future__ import annotations

import threading

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.postgrest import ApiError


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active", goal_amount=10_000)


def kinds(db, user):
    return sorted(
        r["kind"]
        for r in db.sql("select kind::text from public.notifications where user_id = %s", [user.id])
    )


def test_the_owner_hears_of_each_donation_with_anonymity_respected(
    db, as_user, give, campaign, owner, user
):
    give(campaign, 1000, user, anonymous=True)
    give(campaign, 2000, user)
    rows = as_user(owner).get("notifications", {"kind": "donation_received"})
    assert sorted((r["kind"], r["payload"]["donor_name"], r["payload"]["amount"]) for r in rows) == [
        ("donation_received", "Anonyme", 1000), ("donation_received", "Fatou Ndiaye", 2000),
    ]  # fmt: skip
    assert str(user.id) not in str(rows)


def test_goal_reached_is_told_once_to_the_owner_and_each_donor(
    db, give, campaign, owner, user, other_user
):
    give(campaign, 4000, user)
    give(campaign, 4000, other_user)
    give(campaign, 2000, user)  # reaches the goal
    give(campaign, 3000, user)  # keeps going: no second announcement
    for person in (owner, user, other_user):
        assert kinds(db, person).count("goal_reached") == 1


def test_goal_reached_once_even_under_concurrent_donations(db, owner, campaign, make_user):
    donors = [make_user() for _ in range(6)]
    pledges = [
        db.one(
            "select private.create_donation(%s, 5000, 'XOF', 'stripe', %s) as p",
            [campaign["id"], d.id],
        )["p"]
        for d in donors
    ]

    def pay(p):
        with psycopg.connect(db.url, autocommit=True) as conn:
            conn.execute(
                "select private.record_payment_event('stripe', %s, 'x', now(), false, '{}', %s)",
                [f"evt_c_{p['donation_id']}", Jsonb({"kind": "payment", "status": "succeeded", "amount": 5000,
                                                     "currency": "XOF", "donation_id": p["donation_id"]})],
            )  # fmt: skip

    threads = [threading.Thread(target=pay, args=(p,)) for p in pledges]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    told = db.one(
        "select count(*) as n, count(distinct user_id) as people from public.notifications"
        " where kind = 'goal_reached'"
    )
    assert told["n"] == told["people"] == 3  # the owner and the two donors who reached it
    assert kinds(db, owner).count("goal_reached") == 1


def test_donors_hear_of_updates_and_the_end(db, as_user, give, campaign, owner, user, other_user):
    give(campaign, 1000, user)
    as_user(owner).insert("campaign_updates", {"campaign_id": campaign["id"], "title": "Nouvelles",
                                               "body": "L'opération est prévue lundi."})  # fmt: skip
    db.sql(
        "update public.campaigns set starts_at = now() - interval '3 days', ends_at = now() - interval '1 second'"
        " where id = %s", [campaign["id"]],
    )  # fmt: skip
    db.sql("select private.expire_campaigns()")
    assert kinds(db, user) == ["campaign_ended", "campaign_update"]
    assert "campaign_update" not in kinds(db, other_user)
    assert "campaign_ended" in kinds(db, owner)


def test_the_owner_hears_of_moderation_decisions_and_comments(
    db, as_user, owner, moderator, user, make_campaign
):
    c = make_campaign(owner, "pending_review")
    as_user(moderator).rpc("approve_campaign", {"campaign_id": c["id"]})
    as_user(user).insert("comments", {"campaign_id": c["id"], "body": "Bravo !"})
    as_user(owner).insert(
        "comments", {"campaign_id": c["id"], "body": "Merci !"}
    )  # own: no notification
    assert kinds(db, owner) == ["moderation_decision", "new_comment"]
    decision = db.one(
        "select payload from public.notifications where kind = 'moderation_decision'"
    )["payload"]
    assert decision["decision"] == "active"


def test_owners_are_reminded_48_hours_before_the_end_once(db, owner, campaign):
    db.sql(
        "update public.campaigns set ends_at = now() + interval '47 hours' where id = %s",
        [campaign["id"]],
    )
    assert db.one("select private.remind_ending_campaigns() as n")["n"] == 1
    db.sql("select private.remind_ending_campaigns()")
    assert kinds(db, owner).count("campaign_ending") == 1


def test_users_read_and_mark_only_their_own_notifications(db, as_user, give, campaign, owner, user):
    give(campaign, 1000, user)
    (note,) = as_user(owner).get("notifications", {"kind": "donation_received"})
    assert as_user(user).get("notifications", {"id": note["id"]}) == []
    assert (
        as_user(user).update(
            "notifications", {"read_at": "2026-11-21T10:00:00Z"}, {"id": note["id"]}
        )
        == []
    )
    (read,) = as_user(owner).update(
        "notifications", {"read_at": "2026-11-21T10:00:00Z"}, {"id": note["id"]}
    )
    assert read["read_at"] is not None
    with pytest.raises(ApiError) as err:
        as_user(owner).update("notifications", {"payload": {}}, {"id": note["id"]})
    assert err.value.code == "42501"


def test_nobody_creates_notifications_through_the_api(as_user, user, admin):
    for client in (as_user(user), as_user(admin)):
        with pytest.raises(ApiError) as err:
            client.insert(
                "notifications", {"user_id": str(user.id), "kind": "invitation", "dedupe_key": "x"}
            )
        assert err.value.code == "42501"


def test_anon_reads_no_notifications(anon):
    with pytest.raises(ApiError) as err:
        anon.get("notifications")
    assert err.value.status == 401


def test_notifications_are_in_the_realtime_publication(db):
    assert db.sql(
        "select 1 from pg_publication_tables where pubname = 'supabase_realtime' and tablename = 'notifications'"
    )
