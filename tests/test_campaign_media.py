"""Campaign media rows: visibility, order, removal, and the cover."""

from __future__ import annotations

import pytest

from tests.postgrest import ApiError


@pytest.fixture
def add_media(db):
    """A media row as the media flow inserts it (Cloudinary's notification)."""

    def add(campaign, name, resource_type="image", hidden=False, position=0):
        return db.one(
            "insert into public.campaign_media (campaign_id, public_id, resource_type, position,"
            " width, height, bytes, hidden)"
            " values (%s, %s, %s, %s, 1200, 800, 250000, %s) returning *",
            [
                campaign["id"],
                f"africagnotte/campaigns/{campaign['id']}/{name}",
                resource_type,
                position,
                hidden,
            ],
        )

    return add


def public_ids(rows):
    return [r["public_id"].rsplit("/", 1)[1] for r in rows]


def test_anyone_sees_visible_media_of_published_campaigns(anon, owner, make_campaign, add_media):
    c = make_campaign(owner, "active")
    add_media(c, "photo")
    add_media(c, "retiree", hidden=True)
    assert public_ids(anon.get("campaign_media", {"campaign_id": c["id"]})) == ["photo"]


def test_media_of_unpublished_campaigns_never_leak(
    anon, as_user, other_user, owner, make_campaign, add_media
):
    c = make_campaign(owner, "pending_review")
    add_media(c, "photo")
    assert anon.get("campaign_media", {"campaign_id": c["id"]}) == []
    assert as_user(other_user).get("campaign_media", {"campaign_id": c["id"]}) == []


def test_owner_and_staff_see_hidden_media(as_user, owner, moderator, make_campaign, add_media):
    c = make_campaign(owner, "active")
    add_media(c, "retiree", hidden=True)
    assert public_ids(as_user(owner).get("campaign_media")) == ["retiree"]
    assert public_ids(as_user(moderator).get("campaign_media")) == ["retiree"]


@pytest.mark.parametrize("actor", ["owner", "admin"])
def test_nobody_inserts_media_through_the_api(request, db, as_user, owner, make_campaign, actor):
    c = make_campaign(owner, "active")
    with pytest.raises(ApiError) as err:
        as_user(request.getfixturevalue(actor)).insert(
            "campaign_media",
            {"campaign_id": c["id"], "public_id": "ailleurs/x", "resource_type": "image"},
        )
    assert err.value.code == "42501"


def test_owner_reorders_media(as_user, owner, make_campaign, add_media):
    c = make_campaign(owner, "active")
    a, b, v = (
        add_media(c, "a"),
        add_media(c, "b", position=1),
        add_media(c, "v", "video", position=2),
    )
    rows = as_user(owner).rpc(
        "reorder_campaign_media",
        {"campaign_id": c["id"], "public_ids": [v["public_id"], a["public_id"], b["public_id"]]},
    )
    assert [(r["position"], n) for r, n in zip(rows, public_ids(rows), strict=True)] == [
        (0, "v"),
        (1, "a"),
        (2, "b"),
    ]


@pytest.mark.parametrize("listing", ["missing", "duplicate", "foreign", "empty"])
def test_reorder_needs_each_media_exactly_once(
    db, as_user, owner, make_campaign, add_media, listing
):
    c = make_campaign(owner, "active")
    other = make_campaign(owner, "active")
    a, b = add_media(c, "a"), add_media(c, "b", position=1)
    x = add_media(other, "x")
    lists = {
        "missing": [a["public_id"]],
        "duplicate": [a["public_id"], a["public_id"], b["public_id"]],
        "foreign": [a["public_id"], x["public_id"]],
        "empty": [],
    }
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc(
            "reorder_campaign_media", {"campaign_id": c["id"], "public_ids": lists[listing]}
        )
    assert (err.value.status, err.value.message) == (422, "media_list_mismatch")


def test_another_user_cannot_reorder(as_user, owner, other_user, make_campaign, add_media):
    c = make_campaign(owner, "active")
    a = add_media(c, "a")
    with pytest.raises(ApiError) as err:
        as_user(other_user).rpc(
            "reorder_campaign_media", {"campaign_id": c["id"], "public_ids": [a["public_id"]]}
        )
    assert (err.value.status, err.value.message) == (403, "not_campaign_owner")


def test_owner_removes_media_of_an_open_campaign(db, as_user, owner, make_campaign, add_media):
    c = make_campaign(owner, "active")
    m = add_media(c, "a")
    assert len(as_user(owner).delete("campaign_media", {"id": m["id"]})) == 1


def test_media_of_a_closed_campaign_stay(db, as_user, owner, make_campaign, add_media):
    c = make_campaign(owner, "expired")
    m = add_media(c, "a")
    assert as_user(owner).delete("campaign_media", {"id": m["id"]}) == []


def test_another_user_cannot_remove_media_but_an_admin_can(
    db, as_user, owner, other_user, admin, make_campaign, add_media
):
    c = make_campaign(owner, "active")
    m = add_media(c, "a")
    assert as_user(other_user).delete("campaign_media", {"id": m["id"]}) == []
    assert len(as_user(admin).delete("campaign_media", {"id": m["id"]})) == 1


# Cover --------------------------------------------------------------------------------


def test_owner_picks_one_of_the_campaigns_images_as_cover(as_user, owner, make_campaign, add_media):
    c = make_campaign(owner, "active")
    img = add_media(c, "img")
    (row,) = as_user(owner).update("campaigns", {"cover": img["public_id"]}, {"id": c["id"]})
    assert row["cover"] == img["public_id"]


@pytest.mark.parametrize("case", ["video", "hidden", "other_campaign", "unknown"])
def test_cover_must_be_a_visible_image_of_the_campaign(
    db, as_user, owner, make_campaign, add_media, case
):
    c = make_campaign(owner, "active")
    other = make_campaign(owner, "active")
    candidates = {
        "video": lambda: add_media(c, "clip", "video")["public_id"],
        "hidden": lambda: add_media(c, "retiree", hidden=True)["public_id"],
        "other_campaign": lambda: add_media(other, "img")["public_id"],
        "unknown": lambda: "africagnotte/campaigns/nope",
    }
    with pytest.raises(ApiError) as err:
        as_user(owner).update("campaigns", {"cover": candidates[case]()}, {"id": c["id"]})
    assert (err.value.status, err.value.message) == (422, "cover_not_campaign_image")
    assert db.one("select cover from public.campaigns where id = %s", [c["id"]])["cover"] is None


def test_removing_the_cover_image_clears_the_cover(db, as_user, owner, make_campaign, add_media):
    c = make_campaign(owner, "active")
    img = add_media(c, "img")
    as_user(owner).update("campaigns", {"cover": img["public_id"]}, {"id": c["id"]})
    as_user(owner).delete("campaign_media", {"id": img["id"]})
    assert db.one("select cover from public.campaigns where id = %s", [c["id"]])["cover"] is None
