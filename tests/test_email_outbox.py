"""The email outbox: fed by the notifications, once each, in the recipient's
language, honouring their preferences; private to the service. Messages are
read as they are sent (private.email_messages renders on read what the sender
has not claimed yet)."""

from __future__ import annotations

import psycopg
import pytest

from tests.postgrest import ApiError

NBSP = "\u00a0"


def outbox(db, user=None):
    return db.sql(
        "select * from private.email_messages where %(u)s::uuid is null or user_id = %(u)s order by id",
        {"u": user.id if user else None},
    )


def comment(as_user, who, campaign, body="Courage !"):
    return as_user(who).insert("comments", {"campaign_id": campaign["id"], "body": body})[0]


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active", goal_amount=500_000)


# From events to messages --------------------------------------------------------------------


def test_each_notification_is_emailed_once_to_its_recipient(db, as_user, owner, user, campaign):
    comment(as_user, user, campaign)
    (approved, commented) = outbox(db, owner)
    assert approved["template"] == "campaign_approved"
    assert commented["template"] == "new_comment"
    assert commented["to_address"] == owner.email
    assert commented["subject"] == "Nouveau commentaire sur « Soins pour Aminata à Bamako »"
    assert f"/c/{campaign['slug']}" in commented["body"]
    assert "{{" not in commented["body"]
    assert (commented["status"], commented["attempts"]) == ("pending", 0)
    notification = db.one(
        "select id from public.notifications where user_id = %s and kind = 'new_comment'",
        [owner.id],
    )
    assert commented["notification_id"] == notification["id"]


def test_an_event_told_twice_is_emailed_once(db, owner, campaign):
    for _ in range(2):
        db.sql(
            "select private.notify(array[%s]::uuid[], 'campaign_ending', c.id,"
            " private.campaign_payload(c) || jsonb_build_object('ends_at', now()), 'ending:once')"
            " from public.campaigns as c where c.id = %s",
            [owner.id, campaign["id"]],
        )
    assert [m["template"] for m in outbox(db, owner)] == ["campaign_approved", "campaign_ending"]


def test_messages_are_in_the_recipients_language(db, as_user, make_user, make_campaign, user):
    english = make_user(user_metadata={"full_name": "Grace Mensah", "locale": "en"})
    c = make_campaign(english, "active", goal_amount=1_234_567)
    comment(as_user, user, c)
    (_, commented) = outbox(db, english)
    assert commented["locale"] == "en"
    assert commented["subject"] == 'New comment on "Soins pour Aminata à Bamako"'
    assert commented["body"].startswith("Hello Grace Mensah,")


def test_amounts_are_written_the_local_way(db, give, owner, user, campaign):
    give(campaign, 25_000, user)
    (message,) = [m for m in outbox(db, owner) if m["template"] == "donation_received"]
    assert (
        message["subject"]
        == f"Nouveau don de 25{NBSP}000{NBSP}FCFA pour « Soins pour Aminata à Bamako »"
    )
    assert (
        f"Collecté : 25{NBSP}000{NBSP}FCFA sur un objectif de 500{NBSP}000{NBSP}FCFA."
        in message["body"]
    )
    assert "Fatou Ndiaye vient de donner" in message["body"]


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "text"),
    [
        (1_234_567, "XOF", "fr", f"1{NBSP}234{NBSP}567{NBSP}FCFA"),
        (1_234_567, "XAF", "en", f"1,234,567{NBSP}FCFA"),
        (1050, "EUR", "fr", f"10,50{NBSP}EUR"),
        (1050, "EUR", "en", f"10.50{NBSP}EUR"),
        (5, "EUR", "en", f"0.05{NBSP}EUR"),
        (999, "XOF", "fr", f"999{NBSP}FCFA"),
    ],
)
def test_format_money(db, amount, currency, locale, text):
    assert (
        db.one("select private.format_money(%s, %s, %s) as t", [amount, currency, locale])["t"]
        == text
    )


def test_goal_reached_and_end_have_owner_and_donor_wording(db, give, owner, user, campaign):
    give(campaign, 500_000, user)
    db.sql(
        "update public.campaigns set starts_at = now() - interval '10 days',"
        " ends_at = now() - interval '1 minute' where id = %s",
        [campaign["id"]],
    )
    db.sql("select private.expire_campaigns()")
    assert {m["template"] for m in outbox(db, owner)} >= {
        "goal_reached_owner",
        "campaign_ended_owner",
    }
    assert {m["template"] for m in outbox(db, user)} == {
        "donation_receipt",
        "goal_reached_donor",
        "campaign_ended_donor",
    }


def test_a_rejection_tells_the_reason(db, as_user, owner, moderator, make_campaign):
    c = make_campaign(owner, "pending_review")
    as_user(moderator).rpc("reject_campaign", {"campaign_id": c["id"], "reason": "Photos floues"})
    (message,) = outbox(db, owner)
    assert message["template"] == "campaign_rejected"
    assert "Motif : Photos floues" in message["body"]


def test_every_template_exists_in_french_and_english(db):
    keys = db.sql(
        "select key, array_agg(locale::text order by locale) as locales"
        " from private.email_templates group by key order by key"
    )
    assert {k["key"] for k in keys} == {
        "donation_received", "goal_reached_owner", "goal_reached_donor", "campaign_ending",
        "campaign_ended_owner", "campaign_ended_donor", "campaign_update", "campaign_approved",
        "campaign_rejected", "new_comment", "invitation_co_organizer", "invitation_contributor",
        "payout_approved", "payout_paid", "payout_failed", "payout_rejected",
        "campaign_frozen", "campaign_unfrozen", "campaign_closed", "campaign_edit_restored",
        "offline_gift_to_attest", "offline_gift_attested", "offline_gift_refused",
        "offline_gift_withdrawn",
        "justification_published", "justification_overdue",
        "donation_receipt", "credit_note",
        "recurring_gift_started", "recurring_gift_ended",
    }  # fmt: skip
    assert all(k["locales"] == ["fr", "en"] for k in keys)


def test_a_missing_template_never_blocks_the_event_and_its_message_says_why_it_cannot_go(
    db, as_user, owner, user, campaign
):
    db.sql("delete from private.email_templates where key = 'new_comment'")
    comment(as_user, user, campaign)
    assert (
        db.one("select count(*) as n from public.notifications where kind = 'new_comment'")["n"]
        == 1
    )
    (_, commented) = outbox(db, owner)
    assert (commented["template"], commented["subject"]) == ("new_comment", None)
    assert commented["problem"] == (
        "template_missing: email template new_comment (fr) does not exist"
    )


def test_users_without_an_email_get_only_the_in_app_notification(
    db, gotrue, make_user, make_campaign
):
    phone_only = make_user(user_metadata={"full_name": "Moussa"})
    db.sql("update auth.users set email = null where id = %s", [phone_only.id])
    make_campaign(phone_only, "active")
    assert outbox(db, phone_only) == []
    assert (
        db.one(
            "select count(*) as n from public.notifications where user_id = %s", [phone_only.id]
        )["n"]
        == 1
    )


def test_an_account_address_mail_cannot_use_gets_only_the_in_app_notification(
    db, as_user, owner, user, campaign
):
    db.sql("update auth.users set email = 'x@evil.example,y' where id = %s", [owner.id])
    comment(as_user, user, campaign)  # the event happens
    assert db.one(
        "select count(*) as n from public.notifications where user_id = %s and kind = 'new_comment'",
        [owner.id],
    ) == {"n": 1}
    (_, commented) = outbox(db, owner)
    assert commented["subject"] is None
    assert commented["problem"].startswith("address_unusable:")
    (claimed,) = [
        r for r in db.sql("select * from private.claim_emails(10)") if r["id"] == commented["id"]
    ]
    assert (claimed["status"], claimed["subject"]) == ("failed", None)


def test_the_outbox_holds_only_one_line_subjects(db):
    with pytest.raises(psycopg.errors.CheckViolation):
        db.sql(
            "insert into private.email_outbox (dedupe_key, to_address, locale, template, subject, body)"
            " values ('direct', 'a@example.test', 'fr', 'new_comment', %s, 'Texte')",
            ["Objet\nBcc: x@y.test"],
        )


def test_a_subject_is_one_line_whatever_a_placeholder_holds(db):
    db.sql(
        "select private.enqueue_email(null, 'awa@example.test', 'fr', 'new_comment',"
        " jsonb_build_object('campaign_title', %s::text), 'flat')",
        ["Titre\r\nBcc: tous@example.test\u2028fin"],
    )
    assert db.one("select subject from private.email_messages")["subject"] == (
        "Nouveau commentaire sur « Titre Bcc: tous@example.test fin »"
    )


def test_links_follow_the_site_url_setting(db, as_user, admin, owner, user, campaign):
    as_user(admin).update(
        "platform_settings", {"site_url": "https://africagnotte.org"}, {"id": True}
    )
    comment(as_user, user, campaign)
    message = outbox(db, owner)[-1]
    assert f"https://africagnotte.org/c/{campaign['slug']}" in message["body"]
    assert "https://africagnotte.org/parametres/notifications" in message["body"]


def test_only_admins_change_the_site_url_and_only_to_a_url(as_user, admin, owner):
    assert (
        as_user(owner).update(
            "platform_settings", {"site_url": "https://evil.example"}, {"id": True}
        )
        == []
    )
    with pytest.raises(ApiError) as err:
        as_user(admin).update(
            "platform_settings", {"site_url": "javascript:alert(1)"}, {"id": True}
        )
    assert err.value.code == "23514"


# Preferences --------------------------------------------------------------------------------


def test_a_kind_turned_off_is_not_emailed_but_still_notified(db, as_user, owner, user, campaign):
    as_user(owner).insert("notification_preferences", {"kind": "new_comment", "email": False})
    comment(as_user, user, campaign)
    assert [m["template"] for m in outbox(db, owner)] == ["campaign_approved"]
    assert as_user(owner).get("notifications", {"kind": "new_comment"}) != []


def test_a_kind_turned_back_on_is_emailed_again(db, as_user, owner, user, campaign):
    client = as_user(owner)
    client.insert("notification_preferences", {"kind": "new_comment", "email": False})
    client.update("notification_preferences", {"email": True}, {"kind": "new_comment"})
    comment(as_user, user, campaign)
    assert [m["template"] for m in outbox(db, owner)] == ["campaign_approved", "new_comment"]


def test_users_see_and_change_only_their_own_preferences(as_user, owner, user):
    as_user(owner).insert("notification_preferences", {"kind": "new_comment", "email": False})
    assert as_user(user).get("notification_preferences") == []
    assert (
        as_user(user).update("notification_preferences", {"email": True}, {"kind": "new_comment"})
        == []
    )
    assert as_user(user).delete("notification_preferences", {"kind": "new_comment"}) == []
    assert [p["email"] for p in as_user(owner).get("notification_preferences")] == [False]


def test_nobody_sets_preferences_for_someone_else(as_user, owner, user):
    with pytest.raises(ApiError) as err:
        as_user(user).insert(
            "notification_preferences",
            {"user_id": str(owner.id), "kind": "new_comment", "email": False},
        )
    assert (err.value.status, err.value.code) == (403, "42501")


def test_anon_has_no_preferences(anon):
    with pytest.raises(ApiError) as err:
        anon.get("notification_preferences")
    assert err.value.status == 401


def test_invitations_cannot_be_turned_off(as_user, owner):
    with pytest.raises(ApiError) as err:
        as_user(owner).insert("notification_preferences", {"kind": "invitation", "email": False})
    assert err.value.code == "23514"


def test_banned_users_cannot_change_preferences(as_user, banned_user):
    with pytest.raises(ApiError) as err:
        as_user(banned_user).insert(
            "notification_preferences", {"kind": "new_comment", "email": False}
        )
    assert err.value.message == "account_banned"


# Privacy and housekeeping ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_the_outbox_and_templates_are_out_of_reach_of_api_roles(db, role):
    for table in ("private.email_outbox", "private.email_messages", "private.email_templates"):
        with psycopg.connect(db.url, autocommit=False) as conn:
            conn.execute(f"set role {role}")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select * from {table}")


def test_housekeeping_purges_old_sent_and_failed_messages_only(db, owner, campaign):
    db.sql(
        "insert into private.email_outbox (dedupe_key, to_address, locale, template, subject, body,"
        " status, created_at, sent_at) values"
        " ('old-sent', 'a@example.test', 'fr', 't', 's', 'b', 'sent', now() - interval '31 days', now()),"
        " ('new-sent', 'a@example.test', 'fr', 't', 's', 'b', 'sent', now() - interval '29 days', now()),"
        " ('old-failed', 'a@example.test', 'fr', 't', 's', 'b', 'failed', now() - interval '91 days', null),"
        " ('recent-failed', 'a@example.test', 'fr', 't', 's', 'b', 'failed', now() - interval '31 days', null),"
        " ('old-pending', 'a@example.test', 'fr', 't', 's', 'b', 'pending', now() - interval '200 days', null)"
    )
    assert db.one("select private.purge_email_outbox() as n")["n"] == 2
    left = {r["dedupe_key"] for r in db.sql("select dedupe_key from private.email_outbox")}
    assert {"new-sent", "recent-failed", "old-pending"} <= left
    assert not {"old-sent", "old-failed"} & left
