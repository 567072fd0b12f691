"""Leaving the platform: deleting an account (GoTrue's hard delete of the auth.users
row, or its soft delete) erases the person's identity everywhere, keeps the money
records, releases their campaigns as the migration's header says, and never fails,
whatever the person was (donor, owner of a campaign in each status, co-organizer,
treasurer, moderator, the last admin)."""

from __future__ import annotations

import functools
import itertools
import threading
import time
import uuid

import pytest
from psycopg.types.json import Jsonb

from localdev import tokens
from tests.auth_admin_fake import FakeAuthAdmin
from tests.gotrue import auth_admin_connection
from tests.postgrest import ApiError
from tests.support.identity import rows_holding

NAME = "Fatou Ndiaye"
EVENTS = itertools.count()


@pytest.fixture(params=["hard", "soft"])
def delete_account(request, gotrue):
    """GoTrue's admin API: DELETE /admin/users/<id>, hard (the row goes) or soft
    (should_soft_delete: the row stays, obfuscated, deleted_at set)."""
    return gotrue.delete if request.param == "hard" else gotrue.soft_delete


@pytest.fixture
def leaver(make_user):
    return make_user(user_metadata={"full_name": NAME})


def pledge(db, campaign, amount=5_000, donor=None, **fields):
    return db.one(
        "select private.create_donation(campaign_id => %s, amount => %s, currency => 'XOF',"
        " provider => 'stripe', donor_id => %s, donor_name => %s, donor_email => %s,"
        " message => %s) as p",
        [campaign["id"], amount, donor.id if donor else None, fields.get("name"),
         fields.get("email"), fields.get("message")],
    )["p"]  # fmt: skip


def pay(db, p, amount=5_000, payload=None):
    """The provider's success event for the pledge, with the payload it stored."""
    outcome = {"kind": "payment", "status": "succeeded", "amount": amount, "currency": "XOF",
               "donation_id": p["donation_id"], "payment_ref": f"pi_{next(EVENTS)}"}  # fmt: skip
    db.one(
        "select private.record_payment_event('stripe', %s, 'checkout.session.completed', now(),"
        " false, %s, %s) as r",
        [f"evt_{next(EVENTS)}", Jsonb(payload or {}), Jsonb(outcome)],
    )


def give(db, campaign, donor, amount=5_000, **fields):
    p = pledge(db, campaign, amount, donor, **fields)
    customer = {"email": donor.email, "name": fields.get("name")}
    pay(db, p, amount, {"customer_details": customer, "amount": amount})
    return p["donation_id"]


def campaign_row(db, campaign):
    rows = db.sql("select * from public.campaigns where id = %s", [campaign["id"]])
    return rows[0] if rows else None


def co_organize(db, campaign, *users, treasurer=False):
    for u in users:
        db.sql(
            "insert into public.campaign_members (campaign_id, user_id, is_treasurer)"
            " values (%s, %s, %s)",
            [campaign["id"], u.id, treasurer],
        )


def last_reason(db, campaign):
    return db.one(
        "select to_status, reason, actor_id from public.campaign_status_history"
        " where campaign_id = %s order by id desc limit 1",
        [campaign["id"]],
    )


# Donors -----------------------------------------------------------------------------------------


def test_a_donor_who_leaves_keeps_their_gifts_as_anonymous_money_records(
    db, delete_account, leaver, owner, make_campaign
):
    campaign = make_campaign(owner, "active")
    gift = give(db, campaign, leaver, 7_000, name=NAME, email=leaver.email, message="Courage Awa")
    before = campaign_row(db, campaign)
    delete_account(leaver)
    d = db.one("select * from public.donations where id = %s", [gift])
    assert (d["amount"], d["currency"], d["status"], d["campaign_id"]) == (
        7_000,
        "XOF",
        "succeeded",
        campaign["id"],
    )
    assert d["succeeded_at"] is not None
    assert (d["donor_id"], d["donor_name"], d["donor_email"], d["message"]) == (None,) * 4
    assert d["is_anonymous"] is True
    attempt = db.one("select * from private.payment_attempts where donation_id = %s", [gift])
    assert attempt["payment_ref"].startswith("pi_")  # the provider's reference stays
    after = campaign_row(db, campaign)
    assert (after["collected_amount"], after["donor_count"]) == (
        before["collected_amount"],
        before["donor_count"],
    )
    assert db.sql("select * from private.check_ledger()") == []
    (told,) = db.sql(
        "select payload from public.notifications where dedupe_key = %s", [f"donation:{gift}"]
    )
    assert told["payload"]["donor_name"] == "Anonyme"


def test_a_guest_gift_made_with_the_leavers_email_is_anonymised_too(
    db, gotrue, leaver, owner, make_campaign
):
    campaign = make_campaign(owner, "active")
    guest = pledge(db, campaign, name="F. Ndiaye", email=leaver.email.upper())
    pay(db, guest, payload={"customer_email": leaver.email})
    gotrue.delete(leaver)
    d = db.one("select * from public.donations where id = %s", [guest["donation_id"]])
    assert (d["donor_name"], d["donor_email"], d["status"]) == (None, None, "succeeded")
    assert rows_holding(db.conn, leaver.email, "F. Ndiaye") == []


def test_a_provider_event_held_for_review_forgets_the_leavers_email_and_name(
    db, delete_account, leaver, owner, make_campaign
):
    """An event no payment matches (or one held because its references disagree)
    names no donation of theirs, but its payload carries who paid."""
    campaign = make_campaign(owner, "active")
    theirs = give(db, campaign, owner, 2_000)
    customer = {"customer_details": {"email": leaver.email, "name": NAME}, "amount": 5_000}
    for donation_id in (str(uuid.uuid4()), str(theirs)):  # unknown, then disagreeing
        outcome = {"kind": "payment", "status": "succeeded", "amount": 5_000, "currency": "XOF",
                   "donation_id": donation_id, "campaign_id": str(uuid.uuid4()),
                   "payment_ref": f"pi_{next(EVENTS)}"}  # fmt: skip
        db.one(
            "select private.record_payment_event('stripe', %s, 'checkout.session.completed',"
            " now(), false, %s, %s) as r",
            [f"evt_{next(EVENTS)}", Jsonb(customer), Jsonb(outcome)],
        )
    held = db.sql(
        "select outcome from private.webhook_events where outcome <> 'applied' order by id"
    )
    assert [h["outcome"] for h in held] == ["unknown_payment", "mismatch"]
    delete_account(leaver)
    assert rows_holding(db.conn, leaver.email, NAME) == []
    assert db.sql("select 1 from private.webhook_events") != []  # the records stay


def test_the_phone_number_and_address_a_gift_was_paid_with_leave_with_the_account(
    db, delete_account, leaver, owner, make_campaign
):
    """A mobile-money payer's number (CinetPay's notification), a card's billing
    details (Stripe's): personal data the provider sent, not a money record."""
    campaign = make_campaign(owner, "active")
    notification = {"cpm_trans_id": "tx-1", "cel_phone_num": "0707070707",
                    "cpm_phone_prefixe": "225", "cpm_amount": "5000"}  # fmt: skip
    billing = {
        "address": {"line1": "Rue 12, Porte 40", "city": "Sebenikoro"},
        "phone": "+22370000000",
    }
    p = pledge(db, campaign, donor=leaver)
    pay(db, p, payload={"notification": notification, "billing_details": billing, "amount": 5_000})
    delete_account(leaver)
    assert rows_holding(db.conn, "0707070707", "22370000000", "Rue 12", "Sebenikoro") == []
    (event,) = db.sql(
        "select payload from private.webhook_events where donation_id = %s", [p["donation_id"]]
    )
    assert event["payload"]["amount"] == 5_000  # the money record stays
    assert event["payload"]["notification"]["cpm_trans_id"] == "tx-1"


def test_a_refund_after_the_donor_left_brings_none_of_their_details_back(
    db, delete_account, leaver, owner, make_campaign
):
    """Closing a campaign with refunds after a donor left: the provider's refund
    event carries the charge's billing details again."""
    campaign = make_campaign(owner, "active")
    gift = give(db, campaign, leaver, 5_000, name=NAME, email=leaver.email)
    delete_account(leaver)
    ref = db.one("select payment_ref from private.payment_attempts where donation_id = %s", [gift])
    billing = {"email": leaver.email, "name": NAME, "phone": "+22370000000"}
    outcome = {"kind": "refund", "donation_id": str(gift), "payment_ref": ref["payment_ref"],
               "refunded_total": 5_000, "currency": "XOF"}  # fmt: skip
    result = db.one(
        "select private.record_payment_event('stripe', %s, 'charge.refunded', now(), false, %s,"
        " %s) as r",
        [f"evt_{next(EVENTS)}", Jsonb({"billing_details": billing, "amount_refunded": 5_000}),
         Jsonb(outcome)],
    )["r"]  # fmt: skip
    assert result["outcome"] == "applied"
    assert db.one("select status from public.donations where id = %s", [gift])["status"] == (
        "refunded"
    )
    assert rows_holding(db.conn, leaver.email, NAME, "22370000000") == []


def test_a_donor_with_a_pending_pledge_leaves(db, gotrue, leaver, owner, make_campaign):
    campaign = make_campaign(owner, "active")
    p = pledge(db, campaign, donor=leaver, email=leaver.email)
    gotrue.delete(leaver)
    d = db.one("select * from public.donations where id = %s", [p["donation_id"]])
    assert (d["status"], d["donor_id"], d["donor_email"]) == ("pending", None, None)


# Owners -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("draft", None),
        ("pending_review", None),
        ("rejected", None),
        ("active", "cancelled"),  # no money
        ("funded", "cancelled"),  # its totals were set, but its ledger holds nothing
        ("expired", "expired"),  # no money left: kept as it is
        ("cancelled", "cancelled"),
    ],
)
def test_deleting_an_owner_never_fails_whatever_the_campaigns_status(
    db, delete_account, leaver, make_campaign, status, outcome
):
    campaign = make_campaign(leaver, status)
    delete_account(leaver)
    row = campaign_row(db, campaign)
    if outcome is None:
        assert row is None
    else:
        assert (row["status"], row["owner_id"]) == (outcome, None)
    assert db.sql("select 1 from public.profiles where id = %s", [leaver.id]) == []


def test_an_open_campaign_holding_money_is_frozen_for_operators(
    db, delete_account, leaver, user, make_campaign
):
    campaign = make_campaign(leaver, "active")
    give(db, campaign, user, 10_000)
    delete_account(leaver)
    row = campaign_row(db, campaign)
    assert (row["status"], row["owner_id"], row["is_open"], row["is_published"]) == (
        "frozen",
        None,
        False,
        False,
    )
    assert last_reason(db, campaign)["reason"] == "owner account deleted"
    assert db.sql("select * from private.check_ledger()") == []


def test_an_expired_campaign_with_money_left_is_frozen(db, gotrue, leaver, user, make_campaign):
    campaign = make_campaign(leaver, "active")
    give(db, campaign, user, 10_000)
    db.sql(
        "update public.campaigns set starts_at = now() - interval '10 days',"
        " ends_at = now() - interval '1 minute' where id = %s",
        [campaign["id"]],
    )
    db.sql("select private.expire_campaigns()")
    gotrue.delete(leaver)
    assert campaign_row(db, campaign)["status"] == "frozen"


def test_an_open_payout_keeps_the_campaign_frozen_with_its_record(
    db, gotrue, as_user, leaver, user, make_campaign
):
    campaign = make_campaign(leaver, "active")
    give(db, campaign, user, 100_000)
    payout = as_user(leaver).rpc(
        "request_payout",
        {"campaign_id": campaign["id"], "amount": 50_000, "method": "mobile_money",
         "beneficiary_name": "Clinique Pasteur", "mobile_operator": "orange_money",
         "phone_number": "+22370000000"},
    )  # fmt: skip
    gotrue.delete(leaver)
    assert campaign_row(db, campaign)["status"] == "frozen"
    p = db.one("select * from public.payout_requests where id = %s", [payout["id"]])
    assert (p["status"], p["amount"], p["requested_by"]) == ("requested", 50_000, None)


def test_the_leavers_open_payout_is_not_paid_to_an_erased_identity_through_the_heir(
    db, delete_account, as_user, admin, leaver, user, make_user, make_campaign
):
    campaign = make_campaign(leaver, "active", category="autre")  # no proof asked
    give(db, campaign, user, 100_000)
    heir = make_user()
    co_organize(db, campaign, heir)
    payout = as_user(leaver).rpc(
        "request_payout",
        {"campaign_id": campaign["id"], "amount": 50_000, "method": "mobile_money",
         "beneficiary_name": "Moussa Diarra", "mobile_operator": "orange_money",
         "phone_number": "+22370000001"},
    )  # fmt: skip
    delete_account(leaver)
    row = campaign_row(db, campaign)
    assert (row["status"], row["owner_id"]) == ("frozen", heir.id)
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("approve_payout", {"payout_id": payout["id"]})
    assert (err.value.status, err.value.message) == (409, "payout_blocked")
    assert db.one("select status::text from public.payout_requests")["status"] == "requested"
    # operators reject it and unfreeze: the heir asks anew, to an account they name
    as_user(admin).rpc("reject_payout", {"payout_id": payout["id"], "reason": "Demandeur parti"})
    unfrozen = as_user(admin).rpc(
        "unfreeze_campaign", {"campaign_id": campaign["id"], "note": "Héritier vérifié"}
    )
    assert unfrozen["status"] == "active"
    assert db.sql("select * from private.check_ledger()") == []


def test_an_open_campaign_passes_to_the_longest_standing_co_organizer(
    db, delete_account, leaver, make_user, make_campaign
):
    campaign = make_campaign(leaver, "active")
    first, second = make_user(), make_user()
    co_organize(db, campaign, first)
    co_organize(db, campaign, second)
    delete_account(leaver)
    row = campaign_row(db, campaign)
    assert (row["status"], row["owner_id"]) == ("active", first.id)
    members = db.sql(
        "select user_id from public.campaign_members where campaign_id = %s", [campaign["id"]]
    )
    assert [m["user_id"] for m in members] == [second.id]


def test_an_heir_does_not_sign_off_the_payout_of_the_campaign_they_now_own(
    db, delete_account, as_user, leaver, user, make_user, make_campaign
):
    campaign = make_campaign(leaver, "active")
    give(db, campaign, user, 100_000)
    heir, other = make_user(), make_user()
    co_organize(db, campaign, heir, other, treasurer=True)
    db.sql("update public.campaigns set treasurer_quorum = 2 where id = %s", [campaign["id"]])
    payout = as_user(leaver).rpc(
        "request_payout",
        {"campaign_id": campaign["id"], "amount": 50_000, "method": "mobile_money",
         "beneficiary_name": "Clinique Pasteur", "mobile_operator": "orange_money",
         "phone_number": "+22370000000"},
    )  # fmt: skip
    delete_account(leaver)
    assert campaign_row(db, campaign)["owner_id"] == heir.id
    p = db.one("select * from public.payout_requests where id = %s", [payout["id"]])
    assert (p["approvers"], p["approvals_required"]) == ([other.id], 1)
    with pytest.raises(ApiError):
        as_user(heir).rpc("approve_payout_as_treasurer", {"payout_id": payout["id"]})
    assert db.sql("select 1 from public.payout_approvals") == []


def test_a_banned_co_organizer_does_not_inherit(db, gotrue, leaver, make_user, make_campaign):
    campaign = make_campaign(leaver, "active")
    banned = make_user()
    co_organize(db, campaign, banned)
    gotrue.ban(banned)
    gotrue.delete(leaver)
    assert campaign_row(db, campaign)["status"] == "cancelled"


def test_the_heir_can_run_the_campaign(db, gotrue, as_user, leaver, make_user, make_campaign):
    campaign = make_campaign(leaver, "active")
    heir = make_user()
    co_organize(db, campaign, heir)
    gotrue.delete(leaver)
    (row,) = as_user(heir).update("campaigns", {"summary": "Reprise"}, {"id": campaign["id"]})
    assert row["summary"] == "Reprise"


def test_an_owner_and_their_heir_leaving_at_once_both_succeed(
    cluster, db, leaver, make_user, make_campaign
):
    campaign = make_campaign(leaver, "active")
    heir = make_user()
    co_organize(db, campaign, heir)
    errors: list[Exception] = []

    def delete_heir(conn):
        try:
            conn.execute("delete from auth.users where id = %s", [heir.id])
        except Exception as exc:  # reported below
            errors.append(exc)

    with (
        auth_admin_connection(cluster, db.name) as first,
        auth_admin_connection(cluster, db.name) as second,
    ):
        first.execute("begin")
        first.execute("delete from auth.users where id = %s", [leaver.id])  # hands over
        other = threading.Thread(target=delete_heir, args=[second])
        other.start()
        time.sleep(0.5)  # the heir's deletion waits for the first to commit
        first.execute("commit")
        other.join(30)
    assert errors == []
    row = campaign_row(db, campaign)
    assert (row["status"], row["owner_id"]) == ("cancelled", None)


# Teams, staff ----------------------------------------------------------------------------------


def test_a_treasurer_who_leaves_lowers_the_quorum_to_the_treasurers_left(
    db, delete_account, leaver, owner, make_user, make_campaign
):
    campaign = make_campaign(owner, "active")
    other = make_user()
    co_organize(db, campaign, leaver, other, treasurer=True)
    db.sql("update public.campaigns set treasurer_quorum = 2 where id = %s", [campaign["id"]])
    delete_account(leaver)
    assert campaign_row(db, campaign)["treasurer_quorum"] == 1
    members = db.sql(
        "select user_id from public.campaign_members where campaign_id = %s", [campaign["id"]]
    )
    assert [m["user_id"] for m in members] == [other.id]


def test_a_treasurer_who_leaves_during_a_payouts_sign_off_leaves_it_nothing_to_wait_for(
    db, delete_account, as_user, leaver, owner, user, make_user, make_campaign
):
    campaign = make_campaign(owner, "active")
    give(db, campaign, user, 100_000)
    other = make_user()
    co_organize(db, campaign, leaver, other, treasurer=True)
    db.sql("update public.campaigns set treasurer_quorum = 2 where id = %s", [campaign["id"]])
    payout = as_user(owner).rpc(
        "request_payout",
        {"campaign_id": campaign["id"], "amount": 50_000, "method": "mobile_money",
         "beneficiary_name": "Clinique Pasteur", "mobile_operator": "orange_money",
         "phone_number": "+22370000000"},
    )  # fmt: skip
    delete_account(leaver)
    p = db.one("select * from public.payout_requests where id = %s", [payout["id"]])
    assert (p["approvers"], p["approvals_required"]) == ([other.id], 1)
    as_user(other).rpc("approve_payout_as_treasurer", {"payout_id": payout["id"]})
    blockers = as_user(owner).rpc("payout_blockers", {"payout_id": payout["id"]})
    assert "treasurer_approvals" not in [b["reason"] for b in blockers]


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_leave_with_their_roles_even_the_last_admin(
    db, delete_account, grant_role, leaver, role
):
    grant_role(leaver, role)
    delete_account(leaver)
    assert db.sql("select 1 from public.user_roles where user_id = %s", [leaver.id]) == []
    assert db.one("select private.is_admin(%s) as a", [leaver.id])["a"] is False


def test_a_staff_decision_outlives_its_author(db, gotrue, as_user, moderator, owner, make_campaign):
    campaign = make_campaign(owner, "pending_review")
    as_user(moderator).rpc("reject_campaign", {"campaign_id": campaign["id"], "reason": "Flou"})
    gotrue.delete(moderator)
    assert last_reason(db, campaign)["to_status"] == "rejected"
    assert last_reason(db, campaign)["actor_id"] is None


# Everything at once -------------------------------------------------------------------------------


@pytest.fixture
def everything(db, as_user, make_user, grant_role, leaver, owner, make_campaign):
    """The leaver as donor (by account and as a guest, a pending pledge too), owner
    of a campaign in several states, co-organizer and treasurer elsewhere, inviter
    and invitee, commenter, reporter, moderator; with notifications and emails."""
    client = as_user(grant_role(leaver, "moderator"))
    others = make_campaign(owner, "active")
    give(db, others, leaver, 3_000, name=NAME, email=leaver.email, message=f"De {NAME}")
    pay(db, pledge(db, others, name=NAME, email=leaver.email), payload={"email": leaver.email})
    pledge(db, others, donor=leaver, email=leaver.email, message="Bientôt")
    co_organize(db, others, leaver, treasurer=True)
    mine_draft = make_campaign(leaver, "draft", title=f"Projet de {NAME}")
    mine_open = make_campaign(leaver, "active")
    give(db, mine_open, owner, 20_000, name="Aminata Traoré", email=owner.email)
    handed = make_campaign(leaver, "active")
    co_organize(db, handed, make_user())
    client.rpc(
        "invite_to_campaign",
        {"campaign_id": handed["id"], "email": "kofi@example.test", "message": f"Signé {NAME}"},
    )
    invited_to = make_campaign(owner, "active")
    as_user(owner).rpc(
        "invite_to_campaign", {"campaign_id": invited_to["id"], "email": leaver.email}
    )
    (comment,) = client.insert(
        "comments", {"campaign_id": others["id"], "body": f"{NAME} dit bravo"}
    )
    client.insert("reports", {"campaign_id": others["id"], "reason": "fraud", "details": NAME})
    db.sql(
        "select private.audit('users ban', 'cli', %s, %s)",
        [leaver.email, Jsonb({"target": leaver.email, "reason": "test"})],
    )
    assert rows_holding(db.conn, leaver.email)  # the search finds what it looks for
    assert rows_holding(db.conn, NAME)
    return {"others": others, "draft": mine_draft, "open": mine_open, "handed": handed,
            "comment": comment}  # fmt: skip


def test_no_row_keeps_the_email_or_the_name_of_someone_who_had_everything(
    db, delete_account, leaver, everything
):
    delete_account(leaver)
    assert rows_holding(db.conn, leaver.email, NAME) == []
    assert campaign_row(db, everything["draft"]) is None
    assert campaign_row(db, everything["open"])["status"] == "frozen"
    assert campaign_row(db, everything["handed"])["status"] == "active"
    assert (
        db.sql("select 1 from public.comments where id = %s", [everything["comment"]["id"]]) == []
    )
    gifts = db.sql(
        "select amount, status from public.donations where campaign_id = %s order by amount, status::text",
        [everything["others"]["id"]],
    )
    assert [(g["amount"], g["status"]) for g in gifts] == [
        (3_000, "succeeded"), (5_000, "pending"), (5_000, "succeeded")
    ]  # fmt: skip
    assert db.sql("select * from private.check_ledger()") == []


def test_the_deletion_is_audited_by_account_id_alone(db, gotrue, leaver, everything):
    gotrue.delete(leaver)
    (entry,) = db.sql("select * from private.audit_log where action = 'account_deleted'")
    assert entry["target_id"] == str(leaver.id)
    assert entry["details"]["campaigns"] == {"deleted": 1, "frozen": 1, "handed_over": 1}
    (ban,) = db.sql("select * from private.audit_log where action = 'users ban'")
    assert (ban["target_id"], ban["details"]["target"]) == (str(leaver.id), str(leaver.id))


def test_a_soft_deleted_account_is_erased_once_and_its_hard_delete_still_works(
    db, gotrue, leaver, everything
):
    gotrue.soft_delete(leaver)
    gotrue.delete(leaver)
    assert db.sql("select 1 from auth.users where id = %s", [leaver.id]) == []
    entries = db.sql("select details from private.audit_log where action = 'account_deleted'")
    assert [e["details"]["campaigns"] for e in entries] == [
        {"deleted": 1, "frozen": 1, "handed_over": 1}, {}
    ]  # fmt: skip


# The operators' console: `cagnotte-admin users delete` -------------------------------------------


@pytest.fixture
def auth_api(gotrue):
    """The Auth admin API, deleting users as GoTrue does."""
    with FakeAuthAdmin(gotrue) as fake:
        yield fake


@pytest.fixture
def cli(operator_cli, monkeypatch, auth_api, jwt_secret):
    monkeypatch.setenv("SUPABASE_URL", auth_api.url)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", tokens.api_key(jwt_secret, "service_role"))
    return functools.partial(operator_cli, "users")


def test_an_operator_deletes_an_account_through_the_auth_admin_api(
    db, cli, auth_api, leaver, make_campaign
):
    draft = make_campaign(leaver, "draft")
    result = cli("delete", leaver.email, "--yes")
    assert result.exit_code == 0, result.output
    (req,) = auth_api.requests
    assert (req["method"], req["path"], req["body"]) == (
        "DELETE",
        f"/auth/v1/admin/users/{leaver.id}",
        {"should_soft_delete": False},
    )
    assert db.sql("select 1 from auth.users where id = %s", [leaver.id]) == []
    assert campaign_row(db, draft) is None
    actions = db.sql("select action, target_id from private.audit_log order by id")
    assert [(a["action"], a["target_id"]) for a in actions] == [
        ("account_deleted", str(leaver.id)),
        ("users delete", str(leaver.id)),
    ]


def test_a_soft_delete_keeps_the_auth_row_obfuscated_and_erases_the_rest(db, cli, leaver):
    assert cli("delete", str(leaver.id), "--soft", "--yes").exit_code == 0
    row = db.one("select email, deleted_at from auth.users where id = %s", [leaver.id])
    assert row["deleted_at"] is not None
    assert row["email"] != leaver.email
    assert rows_holding(db.conn, leaver.email, NAME) == []


def test_an_operator_does_not_delete_their_own_account_here(db, cli, auth_api, admin):
    result = cli("delete", admin.email, "--yes")
    assert result.exit_code == 1
    assert "own account" in result.stderr
    assert auth_api.requests == []


def test_when_auth_refuses_the_deletion_nothing_changes(db, cli, auth_api, leaver):
    auth_api.status = 404
    result = cli("delete", leaver.email, "--yes")
    assert result.exit_code == 1
    assert "Auth admin API" in result.stderr
    assert db.one("select display_name from public.profiles where id = %s", [leaver.id]) == {
        "display_name": NAME
    }
    assert db.sql("select 1 from private.audit_log") == []


def test_deleting_asks_for_confirmation(db, cli, auth_api, leaver):
    assert cli("delete", leaver.email, input="n\n").exit_code == 1
    assert auth_api.requests == []


# An account whose email was never confirmed -------------------------------------------------


def test_an_unconfirmed_account_that_leaves_claims_no_guest_gift_made_with_its_email(
    db, gotrue, make_user, owner, make_campaign, delete_account
):
    campaign = make_campaign(owner, "active")
    guest = pledge(db, campaign, name="Awa Diallo", email="awa@example.com")
    pay(db, guest, payload={"customer_email": "awa@example.com"})
    squatter = make_user(email="AWA@example.com")
    db.sql("update auth.users set email_confirmed_at = null where id = %s", [squatter.id])
    delete_account(squatter)
    d = db.one("select * from public.donations where id = %s", [guest["donation_id"]])
    assert (d["donor_name"], d["donor_email"], d["is_anonymous"]) == (
        "Awa Diallo",
        "awa@example.com",
        False,
    )
