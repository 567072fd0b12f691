"""Invitations: the owner invites by email (co-organizer or contributor); the
invited person accepts with the emailed token, signed in with that address."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.postgrest import ApiError
from tests.support.parallel import at_once, refusals

INVITEE = "kofi.mensah@example.test"


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def invite(as_user, owner, campaign):
    def invite(email=INVITEE, role="co_organizer", who=None, target=None, **args):
        return as_user(who or owner).rpc(
            "invite_to_campaign",
            {"campaign_id": (target or campaign)["id"], "email": email, "role": role, **args},
        )

    return invite


def emails_to(db, address):
    return db.sql(
        "select * from private.email_messages where to_address = %s order by id", [address]
    )


def token_in(message) -> str:
    return re.search(r"/invitations/accept\?token=([A-Za-z0-9_-]+)", message["body"]).group(1)


def last_token(db, address=INVITEE) -> str:
    return token_in(emails_to(db, address)[-1])


@pytest.fixture
def invitee(make_user):
    return make_user(INVITEE, user_metadata={"full_name": "Kofi Mensah"})


def accept(as_user, who, token):
    return as_user(who).rpc("accept_invitation", {"token": token})


# Inviting -----------------------------------------------------------------------------------


def test_the_owner_invites_by_email_and_the_link_goes_through_the_outbox(
    db, as_user, owner, invite
):
    inv = invite(email="  Kofi.Mensah@Example.TEST ", message="Aide-moi à gérer la cagnotte")
    assert (inv["email"], inv["role"], inv["status"]) == (INVITEE, "co_organizer", "pending")
    (mail,) = emails_to(db, INVITEE)
    assert mail["template"] == "invitation_co_organizer"
    assert (
        mail["subject"]
        == "Aminata Traoré vous invite à co-organiser « Soins pour Aminata à Bamako »"
    )
    assert "Aide-moi à gérer la cagnotte" in mail["body"]
    token = token_in(mail)
    assert len(token) >= 43  # 32 random bytes
    assert as_user(owner).get("campaign_invitations") == [
        {**inv, "last_sent_at": inv["last_sent_at"]}
    ]


def test_only_a_hash_of_the_token_is_kept(db, invite):
    inv = invite()
    token = last_token(db)
    (row,) = db.sql(
        "select token_hash from private.invitation_tokens where invitation_id = %s", [inv["id"]]
    )
    assert bytes(row["token_hash"]) == hashlib.sha256(token.encode()).digest()
    assert token not in str(db.sql("select * from public.campaign_invitations"))


@pytest.mark.parametrize("actor", ["other_user", "moderator", "admin", "co_organizer"])
def test_only_the_owner_invites(request, db, invite, campaign, actor):
    if actor == "co_organizer":
        who = request.getfixturevalue("make_user")()
        db.sql(
            "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
            [campaign["id"], who.id],
        )
    else:
        who = request.getfixturevalue(actor)
    with pytest.raises(ApiError) as err:
        invite(who=who)
    assert (err.value.status, err.value.message) == (403, "not_campaign_owner")
    assert db.sql("select 1 from public.campaign_invitations") == []


def test_anon_cannot_invite(anon, campaign):
    with pytest.raises(ApiError) as err:
        anon.rpc("invite_to_campaign", {"campaign_id": campaign["id"], "email": INVITEE})
    assert err.value.status == 401


@pytest.mark.parametrize(
    "email",
    [
        "kofi", "kofi@", "kofi @example.test", "a@b", "x" * 250 + "@example.test",
        "x@evil.example,y", "kofi@example.test, boss@example.test", "Kofi <kofi@example.test>",
        "kofi..mensah@example.test", ".kofi@example.test", "kofi@example..test",
        "kofi@-example.test", '"kofi mensah"@example.test', "kofi(x)@example.test",
        "kofï@example.test", "kofi@exämple.test", "kofi@example.test\nbcc: x@y.test",
        "x" * 65 + "@example.test",
    ],
)  # fmt: skip
def test_addresses_mail_cannot_use_are_refused(db, invite, email):
    with pytest.raises(ApiError) as err:
        invite(email=email)
    assert (err.value.status, err.value.message) == (422, "invalid_email")
    assert db.sql("select 1 from public.campaign_invitations") == []
    assert db.sql("select 1 from private.email_outbox where template like 'invitation%'") == []


@pytest.mark.parametrize(
    "email", ["o'brien+cagnotte@example.test", "a.b-c_d@sub-domain.example.co", "x@123.example"]
)
def test_unusual_but_valid_addresses_are_invited(invite, email):
    assert invite(email=email)["email"] == email


def test_one_pending_invitation_per_address(invite):
    invite()
    with pytest.raises(ApiError) as err:
        invite(email=INVITEE.upper())
    assert (err.value.status, err.value.message) == (409, "already_invited")


def test_the_team_is_not_invited_again(db, invite, owner, invitee, as_user):
    with pytest.raises(ApiError) as err:
        invite(email=owner.email)
    assert err.value.message == "already_member"
    invite()
    accept(as_user, invitee, last_token(db))
    with pytest.raises(ApiError) as err:
        invite()
    assert err.value.message == "already_member"


def test_contributor_invitations_need_a_campaign_taking_donations(owner, make_campaign, invite):
    draft = make_campaign(owner, "draft")
    invite(target=draft)  # co-organizers help prepare a draft
    with pytest.raises(ApiError) as err:
        invite(email="ami@example.test", role="contributor", target=draft)
    assert (err.value.status, err.value.message) == (409, "campaign_closed")


def test_closed_campaigns_take_no_invitations(owner, make_campaign, invite):
    cancelled = make_campaign(owner, "cancelled")
    with pytest.raises(ApiError) as err:
        invite(target=cancelled)
    assert err.value.message == "campaign_closed"


def test_frozen_campaigns_take_no_invitations(db, campaign, invite):
    db.sql("select private.set_campaign_status(%s, 'frozen')", [campaign["id"]])
    for role in ("co_organizer", "contributor"):
        with pytest.raises(ApiError) as err:
            invite(role=role)
        assert (err.value.status, err.value.message) == (409, "campaign_closed")
    assert db.sql("select 1 from public.campaign_invitations") == []


@pytest.mark.parametrize("status", ["cancelled", "frozen"])
def test_a_closed_or_frozen_campaign_resends_nothing(db, as_user, owner, campaign, invite, status):
    inv = invite()
    db.sql("update public.campaign_invitations set last_sent_at = now() - interval '11 minutes'")
    db.sql("select private.set_campaign_status(%s, %s)", [campaign["id"], status])
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc("resend_invitation", {"invitation_id": inv["id"]})
    assert (err.value.status, err.value.message) == (409, "campaign_closed")
    assert len(emails_to(db, INVITEE)) == 1


@pytest.mark.parametrize("status", ["cancelled", "frozen"])
def test_nobody_joins_a_closed_or_frozen_campaign_through_an_earlier_invitation(
    db, as_user, campaign, invite, invitee, status
):
    invite()
    db.sql("select private.set_campaign_status(%s, %s)", [campaign["id"], status])
    with pytest.raises(ApiError) as err:
        accept(as_user, invitee, last_token(db))
    assert (err.value.status, err.value.message) == (409, "campaign_closed")
    assert db.sql("select 1 from public.campaign_members where user_id = %s", [invitee.id]) == []
    assert db.one("select status::text from public.campaign_invitations")["status"] == "pending"


def counted_invitations(db, owner, n):
    """n invitations sent today by owner, as the limit counts them."""
    db.sql(
        "insert into private.rate_limit_hits (action, subject)"
        " select 'invitation', %s from generate_series(1, %s)",
        [owner.id, n],
    )


def test_invitations_per_day_are_limited(db, owner, campaign, invite):
    counted_invitations(db, owner, 50)
    with pytest.raises(ApiError) as err:
        invite()
    assert (err.value.status, err.value.message) == (429, "invitation_limit_reached")
    db.sql("update private.rate_limit_hits set at = at - interval '25 hours'")
    invite()


def test_the_daily_limit_counts_across_campaigns_and_revoking_gives_nothing_back(
    db, as_user, owner, make_campaign, invite
):
    counted_invitations(db, owner, 48)
    first = invite(target=make_campaign(owner, "draft"))
    as_user(owner).rpc("revoke_invitation", {"invitation_id": first["id"]})
    invite(target=make_campaign(owner, "draft"))
    with pytest.raises(ApiError) as err:
        invite(target=make_campaign(owner, "draft"))
    assert err.value.message == "invitation_limit_reached"


def test_resends_count_toward_the_daily_limit(db, as_user, owner, invite):
    inv = invite()
    counted_invitations(db, owner, 49)
    db.sql("update public.campaign_invitations set last_sent_at = now() - interval '11 minutes'")
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc("resend_invitation", {"invitation_id": inv["id"]})
    assert (err.value.status, err.value.message) == (429, "invitation_limit_reached")
    assert db.one("select send_count from public.campaign_invitations")["send_count"] == 1
    assert len(emails_to(db, INVITEE)) == 1


def test_invitations_sent_in_parallel_across_drafts_keep_to_the_daily_limit(
    db, as_user, owner, make_campaign
):
    counted_invitations(db, owner, 40)
    drafts = [make_campaign(owner, "draft") for _ in range(4)]
    calls = [
        lambda c=as_user(owner), i=i: c.rpc(
            "invite_to_campaign",
            {"campaign_id": drafts[i % 4]["id"], "email": f"ami{i}@example.test"},
        )
        for i in range(16)
    ]
    assert refusals(at_once(calls)) == [(429, "invitation_limit_reached")] * 6
    assert db.one("select count(*) as n from public.campaign_invitations")["n"] == 10
    assert db.one("select count(*) as n from private.email_outbox")["n"] == 10


def test_an_invitee_with_an_account_is_notified_in_app_and_emailed_in_their_language(
    db, make_user, as_user, invite
):
    english = make_user("grace@example.test", user_metadata={"full_name": "Grace", "locale": "en"})
    invite(email="grace@example.test")
    (note,) = as_user(english).get("notifications", {"kind": "invitation"})
    assert note["payload"]["role"] == "co_organizer"
    assert "token" not in str(note)
    (mail,) = emails_to(db, "grace@example.test")
    assert (
        mail["subject"] == 'Aminata Traoré invites you to co-organize "Soins pour Aminata à Bamako"'
    )


def test_the_team_and_staff_read_invitations_others_do_not(
    db, as_user, invite, user, moderator, invitee
):
    invite()
    assert len(as_user(moderator).get("campaign_invitations")) == 1
    assert as_user(user).get("campaign_invitations") == []
    assert as_user(invitee).get("campaign_invitations") == []


def test_invitations_are_not_written_through_the_table(as_user, owner, campaign):
    with pytest.raises(ApiError) as err:
        as_user(owner).insert(
            "campaign_invitations",
            {"campaign_id": str(campaign["id"]), "email": INVITEE, "role": "co_organizer",
             "expires_at": "2030-01-01T00:00:00Z"},
        )  # fmt: skip
    assert err.value.code == "42501"


# Accepting ----------------------------------------------------------------------------------


def test_accepting_makes_a_co_organizer(db, as_user, invite, invitee, campaign):
    invite()
    inv = accept(as_user, invitee, last_token(db))
    assert (inv["status"], inv["accepted_by"]) == ("accepted", invitee.id)
    assert db.sql(
        "select user_id from public.campaign_members where campaign_id = %s", [campaign["id"]]
    ) == [{"user_id": invitee.id}]
    board = as_user(invitee).rpc("campaign_dashboard", {"campaign_id": campaign["id"]})
    assert board["campaign_id"] == campaign["id"]


def test_a_contributor_invitation_adds_nobody_to_the_team(db, as_user, invite, invitee):
    invite(role="contributor")
    assert accept(as_user, invitee, last_token(db))["status"] == "accepted"
    assert db.sql("select 1 from public.campaign_members") == []


def test_accepting_twice_is_harmless(db, as_user, invite, invitee):
    invite()
    token = last_token(db)
    first = accept(as_user, invitee, token)
    assert accept(as_user, invitee, token) == first


def test_someone_else_cannot_use_the_link(db, as_user, invite, user):
    invite()
    with pytest.raises(ApiError) as err:
        accept(as_user, user, last_token(db))
    assert (err.value.status, err.value.message) == (403, "invitation_email_mismatch")
    assert db.sql("select 1 from public.campaign_members") == []


def test_an_unconfirmed_address_cannot_accept(db, gotrue, as_user, make_user, invite):
    unconfirmed = make_user(INVITEE, confirmed=False)
    invite()
    token = last_token(db)
    signed_in = gotrue.sign_in(unconfirmed)  # as if email confirmation were off
    with pytest.raises(ApiError) as err:
        accept(as_user, signed_in, token)
    assert err.value.message == "invitation_email_mismatch"


def test_anon_cannot_accept(db, anon, invite):
    invite()
    with pytest.raises(ApiError) as err:
        anon.rpc("accept_invitation", {"token": last_token(db)})
    assert err.value.status == 401


def test_an_expired_invitation_cannot_be_accepted(db, as_user, invite, invitee):
    inv = invite()
    db.sql(
        "update public.campaign_invitations set expires_at = now() - interval '1 second' where id = %s",
        [inv["id"]],
    )
    with pytest.raises(ApiError) as err:
        accept(as_user, invitee, last_token(db))
    assert (err.value.status, err.value.message) == (410, "invitation_expired")


@pytest.mark.parametrize("token", ["", "nope", "A" * 43])
def test_unknown_tokens_are_not_found(as_user, invitee, token):
    with pytest.raises(ApiError) as err:
        accept(as_user, invitee, token)
    assert (err.value.status, err.value.message) == (404, "invitation_not_found")


def test_a_banned_user_cannot_accept(db, as_user, invite, invitee, gotrue):
    invite()
    token = last_token(db)
    gotrue.ban(invitee)
    with pytest.raises(ApiError) as err:
        accept(as_user, invitee, token)
    assert err.value.message == "account_banned"
    assert db.sql("select 1 from public.campaign_members") == []


def test_the_invitation_page_shows_the_campaign_to_anyone_with_the_link(db, anon, invite):
    invite(message="Rejoins-nous")
    (page,) = anon.rpc("invitation_by_token", {"token": last_token(db)}, get=True)
    assert (page["campaign_title"], page["inviter_name"], page["role"], page["status"]) == (
        "Soins pour Aminata à Bamako", "Aminata Traoré", "co_organizer", "pending",
    )  # fmt: skip
    assert anon.rpc("invitation_by_token", {"token": "nope"}, get=True) == []


# Resending and revoking ---------------------------------------------------------------------


def test_resending_sends_a_new_link_and_the_old_one_stops_working(
    db, as_user, owner, invite, invitee
):
    inv = invite()
    old = last_token(db)
    db.sql("update public.campaign_invitations set last_sent_at = now() - interval '11 minutes'")
    again = as_user(owner).rpc("resend_invitation", {"invitation_id": inv["id"]})
    assert again["send_count"] == 2
    assert len(emails_to(db, INVITEE)) == 2
    new = last_token(db)
    assert new != old
    with pytest.raises(ApiError) as err:
        accept(as_user, invitee, old)
    assert err.value.message == "invitation_not_found"
    assert accept(as_user, invitee, new)["status"] == "accepted"


def test_resending_too_soon_is_refused(as_user, owner, invite):
    inv = invite()
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc("resend_invitation", {"invitation_id": inv["id"]})
    assert (err.value.status, err.value.message) == (429, "resend_too_soon")


def test_resending_renews_an_expired_invitation(db, as_user, owner, invite, invitee):
    inv = invite()
    db.sql(
        "update public.campaign_invitations set last_sent_at = now() - interval '15 days',"
        " expires_at = now() - interval '1 day'"
    )
    as_user(owner).rpc("resend_invitation", {"invitation_id": inv["id"]})
    assert accept(as_user, invitee, last_token(db))["status"] == "accepted"


def test_the_owner_revokes_and_the_link_dies(db, as_user, owner, invite, invitee):
    inv = invite()
    token = last_token(db)
    assert (
        as_user(owner).rpc("revoke_invitation", {"invitation_id": inv["id"]})["status"] == "revoked"
    )
    with pytest.raises(ApiError) as err:
        accept(as_user, invitee, token)
    assert err.value.message == "invitation_not_found"
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc("resend_invitation", {"invitation_id": inv["id"]})
    assert (err.value.status, err.value.message) == (409, "invitation_not_pending")
    invite()  # a new invitation to the same address is fine


@pytest.mark.parametrize("action", ["resend_invitation", "revoke_invitation"])
def test_others_cannot_resend_or_revoke(db, as_user, invite, user, admin, action):
    inv = invite()
    db.sql("update public.campaign_invitations set last_sent_at = now() - interval '11 minutes'")
    for who in (user, admin):
        with pytest.raises(ApiError) as err:
            as_user(who).rpc(action, {"invitation_id": inv["id"]})
        assert (err.value.status, err.value.message) == (404, "invitation_not_found")
    assert db.one("select status::text, send_count from public.campaign_invitations") == {
        "status": "pending", "send_count": 1,
    }  # fmt: skip
