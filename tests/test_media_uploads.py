"""Campaign media with Cloudinary: signed direct uploads, verified notifications,
light delivery URLs."""

from __future__ import annotations

import json
import time
import uuid

import cloudinary.utils
import pytest

from tests.conftest import CLOUDINARY_CLOUD, CLOUDINARY_KEY, CLOUDINARY_SECRET


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


def sign_upload(service, token, **body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return service.post("/media/signature", json=body, headers=headers)


def notify(service, note, *, secret=CLOUDINARY_SECRET, timestamp=None, signature=None):
    body = json.dumps(note)
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = (
        signature
        if signature is not None
        else cloudinary.utils.compute_hex_hash(f"{body}{ts}{secret}", "sha1")
    )
    return service.post(
        "/webhooks/cloudinary", data=body, content_type="application/json",
        headers={"X-Cld-Timestamp": ts, "X-Cld-Signature": sig},
    )  # fmt: skip


def upload_note(campaign_id, name="photo", resource_type="image", **fields):
    return {
        "notification_type": "upload",
        "public_id": f"africagnotte/campaigns/{campaign_id}/{name}",
        "resource_type": resource_type,
        "bytes": 250_000,
        "width": 1200,
        "height": 800,
        "context": {"custom": {"campaign_id": str(campaign_id)}},
        **fields,
    }


def media(db, campaign):
    return db.sql(
        "select * from public.campaign_media where campaign_id = %s order by position",
        [campaign["id"]],
    )


# Signing ---------------------------------------------------------------------------------


def test_the_library_signs_cloudinarys_documented_example():
    params = {
        "eager": "w_400,h_300,c_pad|w_260,h_200,c_crop",
        "public_id": "sample_image",
        "timestamp": "1315060510",
    }
    assert (
        cloudinary.utils.api_sign_request(params, "abcd")
        == "bfd09f95f331f558cbd1320e67aa8d488770583e"
    )


def test_the_owner_gets_a_signed_upload_for_their_campaign_folder(service, owner, campaign):
    response = sign_upload(
        service, owner.token, campaign_id=str(campaign["id"]), resource_type="image"
    )
    assert response.status_code == 200
    out = response.get_json()
    fields = out["fields"]
    assert (out["cloud_name"], out["api_key"]) == (CLOUDINARY_CLOUD, CLOUDINARY_KEY)
    assert out["upload_url"] == f"https://api.cloudinary.com/v1_1/{CLOUDINARY_CLOUD}/image/upload"
    assert fields["folder"] == f"africagnotte/campaigns/{campaign['id']}"
    assert f"campaign_{campaign['id']}" in fields["tags"]
    assert fields["context"] == f"campaign_id={campaign['id']}"
    assert fields["allowed_formats"] == "jpg,jpeg,png,webp,heic"
    assert fields["notification_url"] == "https://api.africagnotte.test/webhooks/cloudinary"
    signed = {k: v for k, v in fields.items() if k not in ("api_key", "signature")}
    assert (
        out["signature"]
        == fields["signature"]
        == cloudinary.utils.api_sign_request(signed, CLOUDINARY_SECRET)
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("folder", "africagnotte/campaigns/autre"),
        ("allowed_formats", "exe"),
        ("notification_url", "https://evil.test"),
        ("timestamp", 1),
    ],
)
def test_tampered_parameters_no_longer_match_the_signature(service, owner, campaign, field, value):
    fields = sign_upload(
        service, owner.token, campaign_id=str(campaign["id"]), resource_type="video"
    ).get_json()["fields"]
    signed = {k: v for k, v in fields.items() if k not in ("api_key", "signature")}
    assert (
        cloudinary.utils.api_sign_request({**signed, field: value}, CLOUDINARY_SECRET)
        != fields["signature"]
    )


def test_videos_get_video_formats(service, owner, campaign):
    out = sign_upload(
        service, owner.token, campaign_id=str(campaign["id"]), resource_type="video"
    ).get_json()
    assert out["fields"]["allowed_formats"] == "mp4,mov,webm"
    assert out["limits"] == {"max_bytes": 100_000_000, "max_seconds": 180}
    assert out["upload_url"].endswith("/video/upload")


def test_images_and_avatars_get_the_image_limits(service, owner, user, campaign):
    image = sign_upload(
        service, owner.token, campaign_id=str(campaign["id"]), resource_type="image"
    ).get_json()
    avatar = sign_upload(service, user.token, target="avatar").get_json()
    assert image["limits"] == avatar["limits"] == {"max_bytes": 10_000_000}


def test_the_signed_limits_are_the_ones_the_database_applies(db, service, owner, campaign):
    db.sql(
        "update private.media_limits set max_bytes = 4000000, max_seconds = 90 where kind = 'video'"
    )
    db.sql("update private.media_limits set max_bytes = 2000000 where kind = 'image'")

    video = sign_upload(
        service, owner.token, campaign_id=str(campaign["id"]), resource_type="video"
    ).get_json()
    image = sign_upload(
        service, owner.token, campaign_id=str(campaign["id"]), resource_type="image"
    ).get_json()

    assert video["limits"] == {"max_bytes": 4_000_000, "max_seconds": 90}
    assert image["limits"] == {"max_bytes": 2_000_000}
    # the notification is judged by the same row
    outcomes = [
        notify(service, upload_note(campaign["id"], name, **fields)).get_json()["outcome"]
        for name, fields in [
            ("big", {"resource_type": "video", "bytes": 4_000_001}),
            ("long", {"resource_type": "video", "bytes": 1000, "duration": 90.5}),
            ("photo", {"bytes": 2_000_001}),
            ("clip", {"resource_type": "video", "bytes": 4_000_000, "duration": 90}),
            ("small", {"bytes": 2_000_000}),
        ]
    ]
    assert outcomes == [
        "refused: too large",
        "refused: longer than 90 seconds",
        "refused: too large",
        "registered",
        "registered",
    ]


def test_payout_documents_are_signed_with_the_databases_document_limits(
    db, service, owner, campaign
):
    def limits():
        response = sign_upload(
            service, owner.token, target="document", campaign_id=str(campaign["id"]),
            document_type="medical_document",
        )  # fmt: skip
        assert response.status_code == 200, response.get_json()
        return response.get_json()["limits"]

    assert limits() == {"max_bytes": 10_000_000}
    db.sql("update private.media_limits set max_bytes = 3000000 where kind = 'document'")
    assert limits() == {"max_bytes": 3_000_000}


def test_an_admin_signs_uploads_for_any_campaign(service, admin, campaign):
    assert (
        sign_upload(
            service, admin.token, campaign_id=str(campaign["id"]), resource_type="image"
        ).status_code
        == 200
    )


def test_a_user_signs_an_upload_for_their_avatar(service, user):
    fields = sign_upload(service, user.token, target="avatar").get_json()["fields"]
    assert fields["folder"] == f"africagnotte/avatars/{user.id}"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("nobody", 401, "sign_in_required"),
        ("other_user", 403, "not_campaign_owner"),
        ("moderator", 403, "not_campaign_owner"),
    ],
)
def test_others_cannot_sign_uploads_for_a_campaign(request, service, campaign, who, status, code):
    token = None if who == "nobody" else request.getfixturevalue(who).token
    response = sign_upload(service, token, campaign_id=str(campaign["id"]), resource_type="image")
    assert (response.status_code, response.get_json()["message"]) == (status, code)


def test_banned_users_cannot_sign_uploads(service, gotrue, owner, campaign):
    gotrue.ban(owner)
    response = sign_upload(
        service, owner.token, campaign_id=str(campaign["id"]), resource_type="image"
    )
    assert (response.status_code, response.get_json()["message"]) == (403, "account_banned")
    assert sign_upload(service, owner.token, target="avatar").status_code == 403


@pytest.mark.parametrize("status", ["expired", "cancelled"])
def test_closed_campaigns_take_no_uploads(service, owner, make_campaign, status):
    c = make_campaign(owner, status)
    response = sign_upload(service, owner.token, campaign_id=str(c["id"]), resource_type="image")
    assert (response.status_code, response.get_json()["message"]) == (409, "campaign_closed")


def test_a_strangers_draft_does_not_exist_for_signing(service, owner, other_user, make_campaign):
    c = make_campaign(owner)
    response = sign_upload(
        service, other_user.token, campaign_id=str(c["id"]), resource_type="image"
    )
    assert (response.status_code, response.get_json()["message"]) == (
        404,
        "campaign_not_found",
    )


def test_the_media_limit_is_enforced_before_signing(db, service, owner, campaign):
    for i in range(20):
        db.sql(
            "select private.register_media(%s, 'image', 1000)",
            [f"africagnotte/campaigns/{campaign['id']}/m{i}"],
        )
    response = sign_upload(
        service, owner.token, campaign_id=str(campaign["id"]), resource_type="image"
    )
    assert (response.status_code, response.get_json()["message"]) == (
        409,
        "media_limit_reached",
    )


def test_the_media_count_is_one_rule_for_signing_and_registering(db, service, owner, campaign):
    db.sql(
        "create or replace function private.max_media_per_campaign() returns integer"
        " language sql immutable set search_path = '' as $$ select 2 $$"
    )
    outcomes = [
        notify(service, upload_note(campaign["id"], name)).get_json()["outcome"]
        for name in ("a", "b", "c")
    ]
    response = sign_upload(
        service, owner.token, campaign_id=str(campaign["id"]), resource_type="image"
    )

    assert outcomes == ["registered", "registered", "refused: the campaign has 2 media"]
    error = response.get_json()
    assert (response.status_code, error["message"]) == (409, "media_limit_reached")
    assert "at most 2 media" in error["details"]


@pytest.mark.parametrize(
    "body",
    [
        {"campaign_id": "x", "resource_type": "image"},
        {"campaign_id": str(uuid.uuid4()), "resource_type": "pdf"},
        {"target": "banner"},
        {"resource_type": "image"},
    ],
)
def test_invalid_signing_requests_are_422(service, user, body):
    assert sign_upload(service, user.token, **body).status_code == 422


# Notifications ------------------------------------------------------------------------------


def test_an_upload_notification_registers_the_asset(db, service, campaign):
    response = notify(service, upload_note(campaign["id"]))
    assert response.get_json() == {"received": True, "outcome": "registered"}
    (row,) = media(db, campaign)
    assert (row["public_id"], row["resource_type"], row["bytes"], row["position"]) == (
        f"africagnotte/campaigns/{campaign['id']}/photo", "image", 250_000, 0,
    )  # fmt: skip


def test_repeated_notifications_register_once(db, service, campaign):
    note = upload_note(campaign["id"])
    notify(service, note)
    assert notify(service, note).get_json()["outcome"] == "duplicate"
    notify(service, upload_note(campaign["id"], "second"))
    assert [r["position"] for r in media(db, campaign)] == [0, 1]


@pytest.mark.parametrize("case", ["bad_secret", "absent", "too_old", "from_the_future", "tampered"])
def test_unverified_notifications_are_refused_and_write_nothing(db, service, campaign, case):
    note = upload_note(campaign["id"])
    if case == "bad_secret":
        response = notify(service, note, secret="not-the-secret")
    elif case == "absent":
        response = service.post(
            "/webhooks/cloudinary", data=json.dumps(note), content_type="application/json"
        )
    elif case == "too_old":
        response = notify(service, note, timestamp=int(time.time()) - 7201)
    elif case == "from_the_future":
        response = notify(service, note, timestamp=int(time.time()) + 3600)
    else:
        ts = str(int(time.time()))
        sig = cloudinary.utils.compute_hex_hash(
            f"{json.dumps(note)}{ts}{CLOUDINARY_SECRET}", "sha1"
        )
        tampered = json.dumps({**note, "bytes": 1})
        response = service.post("/webhooks/cloudinary", data=tampered, content_type="application/json",
                                headers={"X-Cld-Timestamp": ts, "X-Cld-Signature": sig})  # fmt: skip
    assert response.status_code == 400
    assert media(db, campaign) == []


@pytest.mark.parametrize(
    "public_id",
    [
        "evil/photo",
        "africagnotte/campaigns/{id}/../../x",
        "africagnotte/campaigns/{id}/sub/dir/x",
        "africagnotte/campaigns/not-a-uuid/x",
        "africagnotte/avatars/../campaigns/{id}/x",
    ],
)
def test_assets_outside_the_projects_folders_are_refused(db, service, campaign, public_id):
    note = upload_note(campaign["id"], public_id=public_id.format(id=campaign["id"]))
    assert notify(service, note).get_json()["outcome"].startswith("refused")
    assert media(db, campaign) == []


def test_a_folder_that_differs_from_the_context_is_refused(
    db, service, campaign, owner, make_campaign
):
    other = make_campaign(owner, "active")
    note = upload_note(campaign["id"], context={"custom": {"campaign_id": str(other["id"])}})
    assert (
        notify(service, note).get_json()["outcome"] == "refused: the folder and the campaign differ"
    )


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"bytes": 10_000_001}, "too large"),
        ({"resource_type": "video", "bytes": 100_000_001}, "too large"),
        ({"resource_type": "video", "duration": 181.5}, "longer than 3 minutes"),
    ],
)
def test_assets_over_the_limits_are_refused(db, service, campaign, fields, why):
    assert (
        notify(service, upload_note(campaign["id"], **fields)).get_json()["outcome"]
        == f"refused: {why}"
    )


def test_assets_for_a_closed_campaign_are_refused(db, service, owner, make_campaign):
    c = make_campaign(owner, "cancelled")
    assert (
        notify(service, upload_note(c["id"])).get_json()["outcome"]
        == "refused: the campaign is closed"
    )


def test_a_delete_notification_removes_the_row_and_the_cover(db, service, as_user, owner, campaign):
    notify(service, upload_note(campaign["id"]))
    public_id = f"africagnotte/campaigns/{campaign['id']}/photo"
    as_user(owner).update("campaigns", {"cover": public_id}, {"id": campaign["id"]})
    note = {
        "notification_type": "delete",
        "resources": [{"public_id": public_id, "resource_type": "image"}],
    }
    assert notify(service, note).get_json()["outcome"] == "removed"
    assert media(db, campaign) == []
    assert (
        db.one("select cover from public.campaigns where id = %s", [campaign["id"]])["cover"]
        is None
    )


def test_a_rejected_asset_is_hidden_from_the_public(db, service, anon, as_user, owner, campaign):
    notify(service, upload_note(campaign["id"]))
    public_id = f"africagnotte/campaigns/{campaign['id']}/photo"
    note = {
        "notification_type": "moderation",
        "moderation_status": "rejected",
        "public_id": public_id,
    }
    assert notify(service, note).get_json()["outcome"] == "applied"
    assert anon.get("campaign_media", {"campaign_id": campaign["id"]}) == []
    assert len(as_user(owner).get("campaign_media", {"campaign_id": campaign["id"]})) == 1


def test_an_avatar_upload_sets_the_profile_picture(db, service, user):
    note = {"notification_type": "upload", "public_id": f"africagnotte/avatars/{user.id}/selfie",
            "resource_type": "image", "bytes": 90_000}  # fmt: skip
    assert notify(service, note).get_json()["outcome"] == "registered"
    avatar = db.one("select avatar_url from public.profiles where id = %s", [user.id])["avatar_url"]
    assert (
        avatar
        == f"https://res.cloudinary.com/africagnotte/image/upload/c_fill,g_face,w_256,h_256,f_auto,q_auto/africagnotte/avatars/{user.id}/selfie"
    )


def test_other_notification_types_are_ignored(service):
    assert notify(service, {"notification_type": "eager"}).get_json()["outcome"] == "ignored"


# Delivery ------------------------------------------------------------------------------------


def test_delivery_urls_are_light_and_ready(db, service, anon, campaign):
    notify(service, upload_note(campaign["id"]))
    notify(service, upload_note(campaign["id"], "clip", "video", duration=42))
    rows = anon.request(
        "GET", "/campaign_media",
        "select m.resource_type::text, to_jsonb(public.delivery_urls(m)) as urls"
        " from public.campaign_media m order by position",
    )  # fmt: skip
    image, video = rows[0]["urls"], rows[1]["urls"]
    base = "https://res.cloudinary.com/africagnotte"
    assert (
        image["small"]
        == f"{base}/image/upload/f_auto,q_auto,c_limit,w_320/africagnotte/campaigns/{campaign['id']}/photo"
    )
    # every field is there (a composite type), the one that does not apply null
    assert (image["poster"], video["large"]) == (None, None)
    assert {k for k, v in image.items() if v} == {"small", "medium", "large"}
    assert {k for k, v in video.items() if v} == {"small", "medium", "poster"}
    assert video["poster"].endswith(
        f"/video/upload/so_0,f_auto,q_auto,c_limit,w_640/africagnotte/campaigns/{campaign['id']}/clip.jpg"
    )


def test_cover_urls_follow_the_cover(db, service, anon, as_user, owner, campaign):
    notify(service, upload_note(campaign["id"]))
    as_user(owner).update(
        "campaigns",
        {"cover": f"africagnotte/campaigns/{campaign['id']}/photo"},
        {"id": campaign["id"]},
    )
    (row,) = anon.request(
        "GET", "/campaigns", "select to_jsonb(public.cover_urls(c)) as urls from public.campaigns c"
    )
    assert row["urls"]["medium"] == (
        "https://res.cloudinary.com/africagnotte/image/upload/f_auto,q_auto,c_limit,w_640/"
        f"africagnotte/campaigns/{campaign['id']}/photo"
    )
