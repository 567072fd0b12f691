"""The campaign status machine, enforced by the database for every actor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.postgrest import ApiError

STATUSES = ["draft", "pending_review", "active", "funded", "rejected", "expired", "cancelled"]
ACTORS = ["anon", "owner", "stranger", "moderator", "admin", "banned_owner"]
PUBLIC = {"active", "funded", "expired"}
ACTIONS = {
    "submit": ("submit_campaign", {}),
    "approve": ("approve_campaign", {}),
    "reject": ("reject_campaign", {"reason": "Le récit ne correspond pas aux pièces."}),
    "cancel": ("cancel_campaign", {}),
}


def expected(action: str, status: str, actor: str) -> str | tuple[int, str]:
    """The target status, or the (HTTP status, error) the database answers."""
    if actor == "anon":
        return (401, "42501")  # no EXECUTE for anon
    is_owner = actor in ("owner", "banned_owner")
    is_staff = actor in ("moderator", "admin")
    if status not in PUBLIC and not (is_owner or is_staff):
        return (404, "campaign_not_found")
    conflict = (409, "invalid_status_transition")
    if action == "submit":
        if not is_owner:
            return (403, "not_campaign_owner")
        if status not in ("draft", "rejected"):
            return conflict
        target = "pending_review"
    elif action in ("approve", "reject"):
        if not is_staff:
            return (403, "staff_only")
        if status != "pending_review":
            return conflict
        target = "active" if action == "approve" else "rejected"
    else:
        if not (is_owner or actor == "admin"):
            return (403, "not_campaign_owner")
        admin_only = actor == "admin" and status == "funded"  # money in: admins only
        if status not in ("draft", "pending_review", "rejected", "active") and not admin_only:
            return conflict
        target = "cancelled"
    if actor == "banned_owner":
        return (403, "account_banned")
    return target


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_matrix(
    request, db, gotrue, anon, as_user, make_campaign, owner, action, status, actor
):
    campaign = make_campaign(owner, status)
    if actor == "banned_owner":
        gotrue.ban(owner)  # a ban freezes the owner's published campaigns
        status = "frozen" if status in PUBLIC else status
        client = as_user(owner)
    elif actor == "anon":
        client = anon
    elif actor == "owner":
        client = as_user(owner)
    else:
        client = as_user(request.getfixturevalue("other_user" if actor == "stranger" else actor))
    function, args = ACTIONS[action]
    outcome = expected(action, status, actor)

    if isinstance(outcome, str):
        row = client.rpc(function, {"campaign_id": campaign["id"], **args})
        assert row["status"] == outcome
        last = db.one(
            "select * from public.campaign_status_history where campaign_id = %s"
            " order by id desc limit 1",
            [campaign["id"]],
        )
        assert (last["from_status"], last["to_status"]) == (status, outcome)
    else:
        with pytest.raises(ApiError) as err:
            client.rpc(function, {"campaign_id": campaign["id"], **args})
        code = err.value.code if err.value.code == "42501" else err.value.message
        assert (err.value.status, code) == outcome
        after = db.one("select status from public.campaigns where id = %s", [campaign["id"]])
        assert after["status"] == status


# Submission ---------------------------------------------------------------------


def test_submission_requires_a_complete_campaign(db, as_user, owner):
    client = as_user(owner)
    (c,) = client.insert(
        "campaigns", {"title": "Aidez-nous vite", "goal_amount": 100_000, "currency": "XOF"}
    )
    with pytest.raises(ApiError) as err:
        client.rpc("submit_campaign", {"campaign_id": c["id"]})
    assert (err.value.status, err.value.message) == (422, "campaign_incomplete")
    assert "summary, story, category, country" in err.value.details
    assert (
        db.one("select status from public.campaigns where id = %s", [c["id"]])["status"] == "draft"
    )


def test_submission_refuses_an_inactive_category(db, as_user, owner, make_campaign):
    c = make_campaign(owner)
    db.sql("update public.categories set active = false where slug = 'sante'")
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc("submit_campaign", {"campaign_id": c["id"]})
    assert err.value.message == "campaign_incomplete"
    assert "category" in err.value.details


def test_rejected_campaign_is_edited_and_resubmitted(db, as_user, owner, moderator, make_campaign):
    c = make_campaign(owner, "rejected")
    assert c["rejection_reason"] == "Photos floues"
    as_user(owner).update("campaigns", {"story": CAMPAIGN_STORY_FIXED}, {"id": c["id"]})
    assert (
        as_user(owner).rpc("submit_campaign", {"campaign_id": c["id"]})["status"]
        == "pending_review"
    )
    approved = as_user(moderator).rpc("approve_campaign", {"campaign_id": c["id"]})
    assert approved["status"] == "active"
    assert approved["rejection_reason"] is None


CAMPAIGN_STORY_FIXED = "Voici les photos nettes et le devis de l'hôpital, comme demandé. " * 2


# Review -------------------------------------------------------------------------


def test_approval_publishes_with_a_thirty_day_default_run(as_user, owner, moderator, make_campaign):
    c = make_campaign(owner, "pending_review")
    row = as_user(moderator).rpc("approve_campaign", {"campaign_id": c["id"]})
    assert row["published_at"] is not None
    assert row["starts_at"] == row["published_at"]
    assert row["ends_at"] - row["starts_at"] == timedelta(days=30)


def test_approval_keeps_the_owners_end_date(as_user, owner, moderator, make_campaign):
    ends = datetime.now(UTC) + timedelta(days=60)
    c = make_campaign(owner, "pending_review", ends_at=ends.isoformat())
    row = as_user(moderator).rpc("approve_campaign", {"campaign_id": c["id"]})
    assert abs(row["ends_at"] - ends) < timedelta(seconds=1)


def test_rejection_needs_a_reason_of_at_most_1000_characters(
    db, as_user, owner, moderator, make_campaign
):
    c = make_campaign(owner, "pending_review")
    refusals = {
        "": "reason_required",
        "   ": "reason_required",
        None: "reason_required",
        "x" * 1001: "reason_too_long",
    }
    for reason, token in refusals.items():
        with pytest.raises(ApiError) as err:
            as_user(moderator).rpc("reject_campaign", {"campaign_id": c["id"], "reason": reason})
        assert (err.value.status, err.value.message) == (422, token)
    assert db.one("select status from public.campaigns where id = %s", [c["id"]])["status"] == (
        "pending_review"
    )


def test_staff_cannot_review_their_own_campaign(db, as_user, make_campaign, admin):
    c = make_campaign(admin, "pending_review")
    for function, args in (ACTIONS["approve"], ACTIONS["reject"]):
        with pytest.raises(ApiError) as err:
            as_user(admin).rpc(function, {"campaign_id": c["id"], **args})
        assert (err.value.status, err.value.message) == (403, "cannot_review_own_campaign")


def test_a_moderator_on_the_team_cannot_approve_or_reject_the_campaign(
    db, as_user, owner, make_user, grant_role, make_campaign
):
    c = make_campaign(owner, "pending_review")
    insider = grant_role(make_user(user_metadata={"full_name": "Modérateur Moussa"}), "moderator")
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [c["id"], insider.id],
    )
    for function, args in (ACTIONS["approve"], ACTIONS["reject"]):
        with pytest.raises(ApiError) as err:
            as_user(insider).rpc(function, {"campaign_id": c["id"], **args})
        assert (err.value.status, err.value.message) == (403, "cannot_review_own_campaign")
    assert db.one("select status from public.campaigns where id = %s", [c["id"]]) == {
        "status": "pending_review"
    }


def test_a_banned_owners_campaign_cannot_be_approved(
    db, gotrue, as_user, owner, moderator, make_campaign
):
    c = make_campaign(owner, "pending_review")
    gotrue.ban(owner)
    with pytest.raises(ApiError) as err:
        as_user(moderator).rpc("approve_campaign", {"campaign_id": c["id"]})
    assert (err.value.status, err.value.message) == (409, "owner_banned")
    assert db.one("select status from public.campaigns where id = %s", [c["id"]]) == {
        "status": "pending_review"
    }


def test_an_admin_on_the_team_cannot_feature_or_cancel_with_admin_powers(
    db, as_user, admin, other_user, make_campaign
):
    c = make_campaign(admin, "active")
    db.sql(
        "update public.campaigns set collected_amount = 5000, donor_count = 1 where id = %s",
        [c["id"]],
    )
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("feature_campaign", {"campaign_id": c["id"]})
    assert (err.value.status, err.value.message) == (403, "cannot_review_own_campaign")
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("cancel_campaign", {"campaign_id": c["id"]})
    assert (err.value.status, err.value.message) == (403, "cancel_requires_admin")
    assert db.one("select status, featured from public.campaigns where id = %s", [c["id"]]) == {
        "status": "active", "featured": False
    }  # fmt: skip


def test_history_records_actor_reason_and_time(db, owner, moderator, make_campaign):
    c = make_campaign(owner, "rejected")
    rows = db.sql(
        "select from_status::text, to_status::text, actor_id, reason from"
        " public.campaign_status_history where campaign_id = %s order by id",
        [c["id"]],
    )
    assert rows == [
        {"from_status": None, "to_status": "draft", "actor_id": owner.id, "reason": None},
        {
            "from_status": "draft",
            "to_status": "pending_review",
            "actor_id": owner.id,
            "reason": None,
        },
        {
            "from_status": "pending_review",
            "to_status": "rejected",
            "actor_id": moderator.id,
            "reason": "Photos floues",
        },
    ]


def test_history_is_read_by_owner_and_staff_only(
    as_user, anon, owner, other_user, moderator, make_campaign
):
    c = make_campaign(owner, "active")
    assert len(as_user(owner).get("campaign_status_history", {"campaign_id": c["id"]})) == 3
    assert len(as_user(moderator).get("campaign_status_history", {"campaign_id": c["id"]})) == 3
    assert as_user(other_user).get("campaign_status_history", {"campaign_id": c["id"]}) == []
    with pytest.raises(ApiError) as err:
        anon.get("campaign_status_history")
    assert err.value.status == 401


def test_nobody_writes_the_history_through_the_api(as_user, owner, admin, make_campaign):
    c = make_campaign(owner)
    for client in (as_user(owner), as_user(admin)):
        with pytest.raises(ApiError) as err:
            client.insert(
                "campaign_status_history", {"campaign_id": c["id"], "to_status": "active"}
            )
        assert err.value.code == "42501"


# Cancellation ---------------------------------------------------------------------


def test_owner_cannot_cancel_an_active_campaign_that_has_donations(
    db, as_user, owner, make_campaign
):
    c = make_campaign(owner, "active")
    db.sql(
        "update public.campaigns set collected_amount = 5000, donor_count = 1 where id = %s",
        [c["id"]],
    )
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc("cancel_campaign", {"campaign_id": c["id"]})
    assert (err.value.status, err.value.message) == (403, "cancel_requires_admin")


def test_admin_cancels_an_active_campaign_that_has_donations(
    db, as_user, owner, admin, make_campaign
):
    c = make_campaign(owner, "active")
    db.sql(
        "update public.campaigns set collected_amount = 5000, donor_count = 1 where id = %s",
        [c["id"]],
    )
    row = as_user(admin).rpc("cancel_campaign", {"campaign_id": c["id"], "reason": "Fraude avérée"})
    assert row["status"] == "cancelled"
    last = db.one(
        "select reason, actor_id from public.campaign_status_history where campaign_id = %s"
        " order by id desc limit 1",
        [c["id"]],
    )
    assert last == {"reason": "Fraude avérée", "actor_id": admin.id}


def test_moderator_cannot_cancel(as_user, owner, moderator, make_campaign):
    c = make_campaign(owner, "active")
    with pytest.raises(ApiError) as err:
        as_user(moderator).rpc("cancel_campaign", {"campaign_id": c["id"]})
    assert err.value.message == "not_campaign_owner"


# Funded, expired ---------------------------------------------------------------------


def test_reaching_the_goal_funds_the_campaign_and_it_keeps_accepting(db, owner, make_campaign):
    c = make_campaign(owner, "active")
    db.sql(
        "update public.campaigns set collected_amount = goal_amount - 1 where id = %s", [c["id"]]
    )
    assert (
        db.one("select status from public.campaigns where id = %s", [c["id"]])["status"] == "active"
    )
    db.sql(
        "update public.campaigns set collected_amount = goal_amount + 500 where id = %s", [c["id"]]
    )
    row = db.one("select * from public.campaigns where id = %s", [c["id"]])
    assert row["status"] == "funded"
    assert row["goal_reached_at"] is not None
    assert row["progress_bp"] > 10_000
    last = db.one(
        "select from_status::text, to_status::text, actor_id from public.campaign_status_history"
        " where campaign_id = %s order by id desc limit 1",
        [c["id"]],
    )
    assert last == {"from_status": "active", "to_status": "funded", "actor_id": None}


def test_raising_the_goal_above_the_total_reopens_a_funded_campaign(
    db, as_user, owner, make_campaign
):
    c = make_campaign(owner, "funded")
    reached = c["goal_reached_at"]
    row = as_user(owner).update(
        "campaigns", {"goal_amount": c["goal_amount"] * 2}, {"id": c["id"]}
    )[0]
    assert row["status"] == "active"
    assert row["goal_reached_at"] == reached


def test_expiry_closes_active_and_funded_campaigns_past_their_end(db, owner, make_campaign):
    active = make_campaign(owner, "active")
    funded = make_campaign(owner, "funded")
    running = make_campaign(owner, "active")
    db.sql(
        "update public.campaigns set starts_at = now() - interval '3 days',"
        " ends_at = now() - interval '1 second'"
        " where id = any(%s)",
        [[active["id"], funded["id"]]],
    )
    assert db.one("select private.expire_campaigns() as n")["n"] == 2
    assert db.one("select private.expire_campaigns() as n")["n"] == 0  # idempotent
    statuses = {
        r["id"]: r["status"]
        for r in db.sql(
            "select id, status::text from public.campaigns where id = any(%s)",
            [[active["id"], funded["id"], running["id"]]],
        )
    }
    assert statuses == {active["id"]: "expired", funded["id"]: "expired", running["id"]: "active"}


@pytest.mark.parametrize("actor", ["anon", "user"])
def test_expiry_is_a_service_only_function(request, db, anon, as_user, actor):
    client = anon if actor == "anon" else as_user(request.getfixturevalue(actor))
    with pytest.raises(ApiError) as err:
        client.rpc("private.expire_campaigns")
    assert err.value.code == "PGRST106"
    with pytest.raises(ApiError) as err:
        client.request("POST", "/probe", "select private.expire_campaigns()")
    assert err.value.code == "42501"


def test_service_role_runs_expiry(service_role):
    (row,) = service_role.request("POST", "/probe", "select private.expire_campaigns() as n")
    assert row["n"] == 0


def test_featuring_is_for_admins_and_open_campaigns(
    db, as_user, owner, moderator, admin, make_campaign
):
    active = make_campaign(owner, "active")
    draft = make_campaign(owner)
    for client in (as_user(owner), as_user(moderator)):
        with pytest.raises(ApiError) as err:
            client.rpc("feature_campaign", {"campaign_id": active["id"]})
        assert (err.value.status, err.value.message) == (403, "admin_only")
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("feature_campaign", {"campaign_id": draft["id"]})
    assert (err.value.status, err.value.message) == (409, "campaign_not_featurable")
    assert as_user(admin).rpc("feature_campaign", {"campaign_id": active["id"]})["featured"] is True
    assert (
        as_user(admin).rpc("feature_campaign", {"campaign_id": active["id"], "featured": False})[
            "featured"
        ]
        is False
    )


def test_closing_a_campaign_unfeatures_it(db, as_user, owner, admin, make_campaign):
    c = make_campaign(owner, "active")
    as_user(admin).rpc("feature_campaign", {"campaign_id": c["id"]})
    as_user(owner).rpc("cancel_campaign", {"campaign_id": c["id"]})
    assert (
        db.one("select featured from public.campaigns where id = %s", [c["id"]])["featured"]
        is False
    )
