"""The creator dashboard: for the campaign's owner and staff only."""

from __future__ import annotations

import pytest

from tests.postgrest import ApiError


def test_owner_reads_totals_and_donations_per_day(db, as_user, owner, make_campaign):
    c = make_campaign(owner, "active")
    db.sql(
        "update public.campaigns set collected_amount = 750000, donor_count = 12 where id = %s",
        [c["id"]],
    )
    db.sql(
        "insert into private.campaign_daily_totals (campaign_id, day, donation_count, amount)"
        " values (%s, current_date - 1, 4, 250000), (%s, current_date, 8, 500000),"
        " (%s, current_date - 45, 1, 1)",
        [c["id"]] * 3,
    )
    board = as_user(owner).rpc("campaign_dashboard", {"campaign_id": c["id"]}, get=True)
    assert (board["collected_amount"], board["donor_count"], board["progress_bp"]) == (
        750000,
        12,
        3000,
    )
    assert board["currency"] == "XOF"
    assert [(d["count"], d["amount"]) for d in board["donations_per_day"]] == [
        (4, 250000),
        (8, 500000),
    ]
    assert board["recent_donations"] == []


@pytest.mark.parametrize("staff", ["moderator", "admin"])
def test_staff_read_any_dashboard(request, as_user, owner, make_campaign, staff):
    c = make_campaign(owner, "pending_review")
    board = as_user(request.getfixturevalue(staff)).rpc(
        "campaign_dashboard", {"campaign_id": c["id"]}
    )
    assert board["status"] == "pending_review"


def test_another_user_is_refused_the_dashboard(as_user, owner, other_user, make_campaign):
    public = make_campaign(owner, "active")
    draft = make_campaign(owner)
    with pytest.raises(ApiError) as err:
        as_user(other_user).rpc("campaign_dashboard", {"campaign_id": public["id"]})
    assert (err.value.status, err.value.message) == (403, "not_campaign_owner")
    with pytest.raises(ApiError) as err:
        as_user(other_user).rpc("campaign_dashboard", {"campaign_id": draft["id"]})
    assert (err.value.status, err.value.message) == (404, "campaign_not_found")


def test_anon_is_refused_the_dashboard(anon, owner, make_campaign):
    c = make_campaign(owner, "active")
    with pytest.raises(ApiError) as err:
        anon.rpc("campaign_dashboard", {"campaign_id": c["id"]})
    assert (err.value.status, err.value.code) == (401, "42501")
