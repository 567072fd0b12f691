"""Stopping a fraud: freezing a campaign (staff, or a ban), unfreezing it,
cancelling a funded one, and closing one with refunds (Stripe's by API through
the console, mobile money's recorded by hand), with the ledger following."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import psycopg
import pytest
from psycopg.types.json import Jsonb

from localdev import tokens
from tests import stripe_fake
from tests.auth_admin_fake import FakeAuthAdmin
from tests.postgrest import ApiError
from tests.test_stripe_webhooks import completed, refunded

WALLET = {
    "method": "mobile_money",
    "beneficiary_name": "Aminata Traoré",
    "mobile_operator": "wave",
    "phone_number": "+221770000000",
}


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active", category="autre")  # no proof asked for payouts


def status(db, campaign) -> str:
    return db.one("select status::text from public.campaigns where id = %s", [campaign["id"]])[
        "status"
    ]


def refused(call, status_code: int, token: str) -> ApiError:
    with pytest.raises(ApiError) as err:
        call()
    assert (err.value.status, err.value.message) == (status_code, token), err.value
    return err.value


def paid_by_card(donate, post_event, campaign, amount):
    """A Stripe donation paid through the webhook (its PaymentIntent known)."""
    pledge = donate(campaign, amount)
    assert post_event(completed(pledge)).status_code == 200
    return pledge


def paid_by_mobile_money(pay_by_mobile_money, cinetpay_api, notify, campaign, amount):
    pledge = pay_by_mobile_money(campaign, amount)
    cinetpay_api.settle(pledge["transaction_id"], "ACCEPTED")
    assert notify(pledge["transaction_id"]).status_code == 200
    return pledge


def orders(db, campaign) -> list[dict]:
    return db.sql(
        "select id, donation_id, provider::text, status::text, amount, provider_amount, payment_ref,"
        " provider_refund_id, error from public.refund_orders where campaign_id = %s"
        " order by created_at, id",
        [campaign["id"]],
    )


# Freezing --------------------------------------------------------------------------------


def test_a_moderator_freezes_a_campaign_which_disappears_and_the_owner_is_told_why(
    db, anon, as_user, owner, moderator, campaign
):
    assert [c["id"] for c in anon.rpc("search_campaigns", {"q": "Aminata"})] == [campaign["id"]]
    row = as_user(moderator).rpc(
        "freeze_campaign", {"campaign_id": campaign["id"], "reason": "Pièces falsifiées signalées"}
    )
    assert (row["status"], row["featured"]) == ("frozen", False)
    # hidden from discovery: by id, by slug, in search
    assert anon.get("campaigns", {"id": campaign["id"]}) == []
    refused(
        lambda: anon.rpc("campaign_by_slug", {"slug": campaign["slug"]}), 404, "campaign_not_found"
    )
    assert anon.rpc("search_campaigns", {"q": "Aminata"}) == []
    # the owner still sees it, and hears why (in app and by email)
    assert as_user(owner).get("campaigns", {"id": campaign["id"]})[0]["status"] == "frozen"
    note = db.one(
        "select payload from public.notifications where user_id = %s and kind = 'campaign_frozen'",
        [owner.id],
    )
    assert note["payload"]["reason"] == "Pièces falsifiées signalées"
    mail = db.one(
        "select subject, body from private.email_messages where template = 'campaign_frozen'"
    )
    assert "Pièces falsifiées signalées" in mail["body"]
    # audited, and in the history with its actor
    audit = db.one(
        "select actor_id, action, details from private.audit_log where target_id = %s",
        [str(campaign["id"])],
    )
    assert (audit["actor_id"], audit["action"]) == (moderator.id, "freeze_campaign")
    last = db.one(
        "select to_status::text, actor_id, reason from public.campaign_status_history"
        " where campaign_id = %s order by id desc limit 1",
        [campaign["id"]],
    )
    assert last == {
        "to_status": "frozen",
        "actor_id": moderator.id,
        "reason": "Pièces falsifiées signalées",
    }


def test_a_frozen_campaign_takes_no_donation_and_no_edit(
    db, service, as_user, owner, moderator, campaign
):
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Enquête"})
    response = service.post(
        "/donations/checkout",
        json={
            "campaign_id": str(campaign["id"]),
            "amount": 5000,
            "currency": "XOF",
            "provider": "stripe",
        },
    )
    assert response.status_code in (404, 409), response.get_json()
    assert db.one("select count(*) as n from public.donations") == {"n": 0}
    refused(
        lambda: as_user(owner).update("campaigns", {"summary": "Tout va bien"}, {"id": campaign["id"]}),
        409, "campaign_closed",
    )  # fmt: skip


def test_money_that_arrives_after_the_freeze_is_recorded_on_the_frozen_campaign(
    db, donate, post_event, as_user, moderator, campaign
):
    pledge = donate(campaign, 7_000)
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Enquête"})
    assert post_event(completed(pledge)).status_code == 200
    d = db.one("select status::text from public.donations where id = %s", [pledge["donation_id"]])
    assert d["status"] == "succeeded"
    c = db.one(
        "select status::text, collected_amount from public.campaigns where id = %s",
        [campaign["id"]],
    )
    assert c == {"status": "frozen", "collected_amount": 7_000}
    assert db.sql("select * from private.check_ledger()") == []


def test_a_frozen_campaigns_open_payout_is_not_rejected_but_waits(
    db, as_user, owner, moderator, campaign, give, user
):
    give(campaign, 50_000, user)
    payout = as_user(owner).rpc(
        "request_payout", {"campaign_id": campaign["id"], "amount": 10_000, **WALLET}
    )
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Enquête"})
    assert db.one(
        "select status::text from public.payout_requests where id = %s", [payout["id"]]
    ) == {"status": "requested"}
    err = refused(
        lambda: as_user(owner).rpc("request_payout", {"campaign_id": campaign["id"], "amount": 1_000, **WALLET}),
        409, "payout_blocked",
    )  # fmt: skip
    assert json.loads(err.details) == [{"reason": "campaign_frozen"}]


def test_freezing_needs_staff_a_reason_and_a_published_campaign(
    db, as_user, owner, other_user, moderator, make_campaign, campaign
):
    refused(
        lambda: as_user(owner).rpc(
            "freeze_campaign", {"campaign_id": campaign["id"], "reason": "x"}
        ),
        403,
        "staff_only",
    )
    refused(
        lambda: as_user(other_user).rpc(
            "freeze_campaign", {"campaign_id": campaign["id"], "reason": "x"}
        ),
        403,
        "staff_only",
    )
    refused(
        lambda: as_user(moderator).rpc(
            "freeze_campaign", {"campaign_id": campaign["id"], "reason": "  "}
        ),
        422,
        "reason_required",
    )
    draft = make_campaign(owner)
    refused(
        lambda: as_user(moderator).rpc("freeze_campaign", {"campaign_id": draft["id"], "reason": "Enquête"}),
        409, "invalid_status_transition",
    )  # fmt: skip
    assert status(db, campaign) == "active"


def test_staff_on_the_team_cannot_freeze_unfreeze_or_close_it(
    db, as_user, admin, make_user, grant_role, make_campaign
):
    c = make_campaign(admin, "active")
    for function, args in (
        ("freeze_campaign", {"reason": "Moi-même"}),
        ("close_campaign_with_refunds", {"reason": "Moi-même"}),
    ):
        refused(
            lambda f=function, a=args: as_user(admin).rpc(f, {"campaign_id": c["id"], **a}),
            403,
            "cannot_review_own_campaign",
        )
    other = grant_role(make_user(user_metadata={"full_name": "Admin Binta"}), "admin")
    as_user(other).rpc("freeze_campaign", {"campaign_id": c["id"], "reason": "Enquête"})
    refused(
        lambda: as_user(admin).rpc("unfreeze_campaign", {"campaign_id": c["id"], "note": "Rien"}),
        403,
        "cannot_review_own_campaign",
    )
    assert status(db, c) == "frozen"


def test_unfreezing_is_for_admins_and_follows_the_totals(
    db, as_user, moderator, admin, owner, campaign
):
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Enquête"})
    refused(
        lambda: as_user(moderator).rpc(
            "unfreeze_campaign", {"campaign_id": campaign["id"], "note": "ok"}
        ),
        403,
        "admin_only",
    )
    refused(
        lambda: as_user(owner).rpc(
            "unfreeze_campaign", {"campaign_id": campaign["id"], "note": "ok"}
        ),
        403,
        "admin_only",
    )
    db.sql(
        "update public.campaigns set collected_amount = goal_amount where id = %s", [campaign["id"]]
    )
    assert status(db, campaign) == "frozen"  # the totals do not reopen it
    row = as_user(admin).rpc(
        "unfreeze_campaign", {"campaign_id": campaign["id"], "note": "Pièces vérifiées"}
    )
    assert row["status"] == "funded"
    note = db.one(
        "select payload from public.notifications where user_id = %s and kind = 'campaign_unfrozen'",
        [owner.id],
    )
    assert note["payload"]["reason"] == "Pièces vérifiées"


def test_a_campaign_frozen_because_its_owner_left_is_closed_with_refunds_not_unfrozen(
    db, gotrue, as_user, owner, admin, user, give, campaign
):
    give(campaign, 10_000, user)
    gotrue.delete(owner)  # nobody on the team: frozen for operators, without owner
    assert status(db, campaign) == "frozen"
    refused(
        lambda: as_user(admin).rpc(
            "unfreeze_campaign", {"campaign_id": campaign["id"], "note": "Vérifié"}
        ),
        409,
        "campaign_without_owner",
    )
    assert status(db, campaign) == "frozen"
    assert db.sql("select 1 from private.audit_log where action = 'unfreeze_campaign'") == []
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Compte supprimé"}
    )
    assert status(db, campaign) == "cancelled"
    assert [o["amount"] for o in orders(db, campaign)] == [10_000]
    assert db.sql("select * from private.check_ledger()") == []


def test_a_campaign_unfrozen_after_its_end_is_expired(db, as_user, moderator, admin, campaign):
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Enquête"})
    db.sql(
        "update public.campaigns set starts_at = now() - interval '10 days', ends_at = now() - interval '1 minute'"
        " where id = %s",
        [campaign["id"]],
    )
    db.sql("select private.expire_campaigns()")
    assert status(db, campaign) == "frozen"  # the expiry job leaves it held
    row = as_user(admin).rpc(
        "unfreeze_campaign", {"campaign_id": campaign["id"], "note": "Vérifiée"}
    )
    assert row["status"] == "expired"


# Bans ------------------------------------------------------------------------------------


def test_a_ban_freezes_the_banned_owners_published_campaigns(
    db, gotrue, anon, as_user, owner, admin, make_campaign, campaign
):
    draft = make_campaign(owner)
    funded = make_campaign(owner, "funded")
    gotrue.ban(owner)
    assert (status(db, campaign), status(db, funded), status(db, draft)) == (
        "frozen",
        "frozen",
        "draft",
    )
    assert anon.rpc("search_campaigns", {"q": "Aminata"}) == []
    reasons = db.sql(
        "select reason from public.campaign_status_history where to_status = 'frozen' and campaign_id = %s",
        [campaign["id"]],
    )
    assert reasons == [{"reason": "owner banned"}]
    refused(
        lambda: as_user(admin).rpc("unfreeze_campaign", {"campaign_id": campaign["id"], "note": "ok"}),
        409, "owner_banned",
    )  # fmt: skip
    gotrue.ban(owner, timedelta(0))  # lifted: the campaigns stay held until an admin decides
    assert status(db, campaign) == "frozen"
    assert (
        as_user(admin).rpc("unfreeze_campaign", {"campaign_id": campaign["id"], "note": "Levée"})[
            "status"
        ]
        == "active"
    )


def test_the_consoles_ban_freezes_the_users_campaigns_too(
    db, operator_cli, monkeypatch, jwt_secret, owner, campaign
):
    with FakeAuthAdmin() as auth_api:
        monkeypatch.setenv("SUPABASE_URL", auth_api.url)
        monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", tokens.api_key(jwt_secret, "service_role"))
        result = operator_cli("users", "ban", owner.email, "--reason", "Arnaque", "--yes")
    assert result.exit_code == 0, result.output
    assert status(db, campaign) == "frozen"


# Cancelling a funded campaign ----------------------------------------------------------------


def test_an_admin_cancels_a_funded_campaign_and_its_open_payout_is_rejected(
    db, as_user, owner, admin, campaign, give, user
):
    give(campaign, campaign["goal_amount"], user)
    assert status(db, campaign) == "funded"
    payout = as_user(owner).rpc(
        "request_payout", {"campaign_id": campaign["id"], "amount": 100_000, **WALLET}
    )
    refused(
        lambda: as_user(owner).rpc("cancel_campaign", {"campaign_id": campaign["id"]}),
        409,
        "invalid_status_transition",
    )
    row = as_user(admin).rpc("cancel_campaign", {"campaign_id": campaign["id"], "reason": "Fraude"})
    assert row["status"] == "cancelled"
    p = db.one(
        "select status::text, reason from public.payout_requests where id = %s", [payout["id"]]
    )
    assert p == {"status": "rejected", "reason": "Fraude"}
    assert (
        as_user(admin).rpc("campaign_balance", {"campaign_id": campaign["id"]})["in_progress"] == 0
    )


# Closing with refunds ----------------------------------------------------------------------------


@pytest.fixture
def cli(operator_cli, monkeypatch, stripe_api):
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_fake.SECRET_KEY)
    monkeypatch.setenv("STRIPE_API_BASE", stripe_api.url)
    return operator_cli


def test_closing_writes_a_refund_order_per_donation_and_rejects_the_open_payout(
    db, as_user, owner, admin, moderator, campaign, give, user
):
    give(campaign, 30_000, user)
    give(campaign, 20_000)
    payout = as_user(owner).rpc(
        "request_payout", {"campaign_id": campaign["id"], "amount": 10_000, **WALLET}
    )
    refused(
        lambda: as_user(moderator).rpc("close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "x"}),
        403, "admin_only",
    )  # fmt: skip
    row = as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Escroquerie"}
    )
    assert row["status"] == "cancelled"
    assert db.one(
        "select status::text from public.payout_requests where id = %s", [payout["id"]]
    ) == {"status": "rejected"}
    assert sorted((o["provider"], o["status"], o["amount"]) for o in orders(db, campaign)) == [
        ("stripe", "pending", 20_000), ("stripe", "pending", 30_000)
    ]  # fmt: skip
    # admins only read them
    assert len(as_user(admin).get("refund_orders")) == 2
    assert as_user(owner).get("refund_orders") == []
    assert as_user(user).get("refund_orders") == []
    note = db.one(
        "select payload from public.notifications where user_id = %s and kind = 'campaign_closed'",
        [owner.id],
    )
    assert note["payload"]["reason"] == "Escroquerie"


def test_close_with_refund_sends_stripes_refunds_and_the_webhook_settles_them(
    db, cli, stripe_api, donate, post_event, campaign
):
    first = paid_by_card(donate, post_event, campaign, 12_000)
    second = paid_by_card(donate, post_event, campaign, 8_000)
    result = cli(
        "campaigns",
        "close",
        campaign["slug"],
        "--reason",
        "Fraude avérée",
        "--refund",
        "--yes",
        "--json",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["status"] == "cancelled"
    assert {o["status"] for o in out["refund_orders"]} == {"requested"}
    calls = stripe_api.calls("POST", "/v1/refunds")
    assert sorted((c.form["payment_intent"], int(c.form["amount"])) for c in calls) == sorted(
        [(first["payment_intent"], 12_000), (second["payment_intent"], 8_000)]
    )
    by_order = {o["id"]: o for o in orders(db, campaign)}
    assert {c.headers["idempotency-key"] for c in calls} == {f"refund-order-{i}" for i in by_order}
    assert {o["provider_refund_id"] for o in by_order.values()} == set(stripe_api.refunds)
    # sending again asks Stripe nothing
    assert cli("refunds", "send").exit_code == 0
    assert len(stripe_api.calls("POST", "/v1/refunds")) == 2
    # Stripe tells the webhook: ledger, totals and orders follow
    for pledge in (first, second):
        assert post_event(refunded(pledge, pledge["amount"])).status_code == 200
    assert {o["status"] for o in orders(db, campaign)} == {"refunded"}
    c = db.one(
        "select collected_amount, donor_count from public.campaigns where id = %s", [campaign["id"]]
    )
    assert c == {"collected_amount": 0, "donor_count": 0}
    assert db.sql("select * from private.check_ledger()") == []
    audit = db.sql(
        "select action from private.audit_log where action in ('campaigns close', 'refunds send', 'request_refund')"
    )
    assert {a["action"] for a in audit} == {"campaigns close", "refunds send", "request_refund"}


def test_an_admin_on_the_team_sends_no_refund_of_their_own_campaign_to_stripe(
    db, cli, stripe_api, as_user, make_user, grant_role, admin, donate, post_event, campaign
):
    paid_by_card(donate, post_event, campaign, 5_000)
    other = grant_role(make_user(), "admin")
    as_user(other).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [campaign["id"], admin.id],  # the console's operator
    )
    result = cli("refunds", "send")
    assert result.exit_code == 0, result.output
    assert stripe_api.calls("POST", "/v1/refunds") == []
    assert [o["status"] for o in orders(db, campaign)] == ["pending"]
    assert as_user(admin).get("refund_orders") == []
    assert len(as_user(other).get("refund_orders")) == 1


def test_a_refund_stripe_refuses_is_failed_then_sent_again(
    db, cli, stripe_api, donate, post_event, campaign
):
    paid_by_card(donate, post_event, campaign, 5_000)
    stripe_api.refuse_refunds = "Charge has been disputed"
    result = cli("campaigns", "close", campaign["slug"], "--reason", "Fraude", "--refund", "--yes")
    assert result.exit_code == 1, result.output
    (order,) = orders(db, campaign)
    assert (order["status"], order["error"]) == ("failed", "Charge has been disputed")
    assert status(db, campaign) == "cancelled"  # the close itself stands
    stripe_api.refuse_refunds = None
    result = cli("refunds", "send", "--campaign", campaign["slug"], "--yes")
    assert result.exit_code == 0, result.output
    (order,) = orders(db, campaign)
    assert (order["status"], order["error"]) == ("requested", None)


def test_mobile_money_refunds_are_listed_for_manual_action_and_recorded_into_the_ledger(
    db, cli, pay_by_mobile_money, cinetpay_api, notify, campaign
):
    pledge = paid_by_mobile_money(pay_by_mobile_money, cinetpay_api, notify, campaign, 10_000)
    assert (
        cli(
            "campaigns", "close", str(campaign["id"]), "--reason", "Fraude", "--refund", "--yes"
        ).exit_code
        == 0
    )
    listed = cli("refunds", "list", "--status", "manual", "--json")
    assert listed.exit_code == 0, listed.output
    (order,) = json.loads(listed.stdout)
    assert (order["provider"], order["amount"], order["donation_id"]) == (
        "cinetpay",
        10_000,
        pledge["donation_id"],
    )
    bad = cli("refunds", "record", order["id"], "--reference", " ", "--yes")
    assert bad.exit_code == 1
    assert "reference_required" in bad.output
    result = cli("refunds", "record", order["id"], "--reference", "OM-REMB-42", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "refunded"
    d = db.one(
        "select status::text, refunded_amount from public.donations where id = %s",
        [pledge["donation_id"]],
    )
    assert d == {"status": "refunded", "refunded_amount": 10_000}
    assert db.one(
        "select collected_amount from public.campaigns where id = %s", [campaign["id"]]
    ) == {"collected_amount": 0}
    assert db.sql("select * from private.check_ledger()") == []
    again = cli("refunds", "record", order["id"], "--reference", "OM-REMB-42", "--yes")
    assert again.exit_code == 1
    assert "invalid_refund_transition" in again.output
    assert db.one("select count(*) as n from private.ledger_entries where kind = 'refund'") == {
        "n": 1
    }


def test_a_payment_credited_after_the_close_gets_its_refund_order(
    db, donate, post_event, as_user, admin, campaign
):
    pledge = donate(campaign, 4_000)
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    assert orders(db, campaign) == []
    assert post_event(completed(pledge)).status_code == 200
    (order,) = orders(db, campaign)
    assert (str(order["donation_id"]), order["status"], order["amount"]) == (
        pledge["donation_id"], "pending", 4_000
    )  # fmt: skip


def dispute(db, pledge, status, amount):
    """A Stripe dispute event on the pledge, through the payment core."""
    outcome = {"kind": "dispute", "dispute_ref": f"dp_{pledge['donation_id']}",
               "dispute_status": status, "dispute_amount": amount,
               "donation_id": pledge["donation_id"]}  # fmt: skip
    r = db.one(
        "select private.record_payment_event('stripe', %s, 'charge.dispute.updated', now(), false,"
        " '{}', %s) as r",
        [f"evt_dp_{status}_{pledge['donation_id']}", Jsonb(outcome)],
    )["r"]
    assert r["outcome"] == "applied", r


def test_money_a_won_dispute_gives_back_to_a_closed_campaign_gets_its_refund_order(
    db, as_user, admin, user, give, campaign
):
    pledge = give(campaign, 10_000, user)
    dispute(db, pledge, "open", 10_000)  # withdrawn while disputed: nothing to refund
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    assert orders(db, campaign) == []
    dispute(db, pledge, "won", 10_000)  # the money is back, on a closed campaign
    assert [(o["amount"], o["status"]) for o in orders(db, campaign)] == [(10_000, "pending")]
    assert db.sql("select * from private.check_ledger()") == []


def test_a_payment_credited_while_the_campaign_is_being_closed_gets_its_refund_order(
    db, admin, campaign
):
    """The close commits while the payment's credit waits for the campaign: the
    credit saw the campaign open, the close saw the donation pending."""
    pledge = db.one(
        "select private.create_donation(campaign_id => %s, amount => 7000, currency => 'XOF',"
        " provider => 'stripe') as p",
        [campaign["id"]],
    )["p"]
    outcome = {"kind": "payment", "status": "succeeded", "amount": 7000, "currency": "XOF",
               "donation_id": pledge["donation_id"]}  # fmt: skip
    closing = psycopg.connect(db.superuser_url)  # a transaction, left open
    closing.execute(
        "select set_config('request.jwt.claims', %s, true)",
        [json.dumps({"sub": str(admin.id), "role": "authenticated"})],
    )
    closing.execute("select public.close_campaign_with_refunds(%s, 'Fraude')", [campaign["id"]])

    def credit():
        with psycopg.connect(db.superuser_url, autocommit=True) as conn:
            conn.execute(
                "select private.record_payment_event('stripe', 'evt_race', 'x', now(), false, '{}',"
                " %s)",
                [Jsonb(outcome)],
            )

    crediting = threading.Thread(target=credit)
    crediting.start()
    for _ in range(100):  # the credit waits for the close's lock on the campaign
        waiting = db.sql(
            "select 1 from pg_stat_activity where wait_event_type = 'Lock'"
            " and query like '%%evt_race%%'"
        )
        if waiting:
            break
        time.sleep(0.05)
    assert waiting
    closing.commit()
    closing.close()
    crediting.join(30)
    assert not crediting.is_alive()
    assert status(db, campaign) == "cancelled"
    (order,) = orders(db, campaign)
    assert (str(order["donation_id"]), order["amount"], order["status"]) == (
        pledge["donation_id"], 7000, "pending",
    )  # fmt: skip


def test_a_frozen_campaign_is_closed_and_closing_again_writes_no_second_order(
    db, as_user, moderator, admin, campaign, give
):
    give(campaign, 6_000)
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Enquête"})
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Encore"}
    )
    assert len(orders(db, campaign)) == 1


def test_a_campaign_cancelled_without_refunds_can_still_refund_its_donors(
    db, as_user, admin, owner, campaign, give, make_campaign
):
    give(campaign, 6_000)
    as_user(admin).rpc("cancel_campaign", {"campaign_id": campaign["id"], "reason": "Doublon"})
    assert orders(db, campaign) == []
    row = as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Rembourser"}
    )
    assert row["status"] == "cancelled"
    assert [o["amount"] for o in orders(db, campaign)] == [6_000]
    draft = make_campaign(owner)
    refused(
        lambda: as_user(admin).rpc(
            "close_campaign_with_refunds", {"campaign_id": draft["id"], "reason": "x"}
        ),
        409,
        "invalid_status_transition",
    )


def test_a_refund_settled_by_the_webhook_before_its_request_is_recorded_keeps_its_id(
    db, as_user, admin, donate, post_event, campaign
):
    pledge = paid_by_card(donate, post_event, campaign, 3_000)
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    assert post_event(refunded(pledge, 3_000)).status_code == 200  # Stripe was quick
    (order,) = orders(db, campaign)
    assert order["status"] == "refunded"
    row = as_user(admin).rpc(
        "record_refund_request", {"order_id": order["id"], "provider_refund_id": "re_quick"}
    )
    assert (row["status"], row["provider_refund_id"]) == ("refunded", "re_quick")


def test_a_mobile_money_order_is_not_sent_to_stripe_and_a_stripe_one_not_recorded_by_hand(
    db, as_user, admin, give, pay_by_mobile_money, cinetpay_api, notify, campaign
):
    paid_by_mobile_money(pay_by_mobile_money, cinetpay_api, notify, campaign, 5_000)
    give(campaign, 4_000)
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    by_provider = {o["provider"]: o for o in orders(db, campaign)}
    assert (by_provider["cinetpay"]["status"], by_provider["stripe"]["status"]) == (
        "manual", "pending"
    )  # fmt: skip
    refused(
        lambda: as_user(admin).rpc(
            "record_refund_request",
            {"order_id": by_provider["cinetpay"]["id"], "provider_refund_id": "re_x"},
        ),
        409,
        "invalid_refund_transition",
    )
    refused(
        lambda: as_user(admin).rpc(
            "record_manual_refund", {"order_id": by_provider["stripe"]["id"], "reference": "OM-1"}
        ),
        409,
        "invalid_refund_transition",
    )
    assert {o["status"] for o in orders(db, campaign)} == {"manual", "pending"}
    assert db.one("select count(*) as n from private.ledger_entries where kind = 'refund'") == {
        "n": 0
    }


def test_the_refund_listing_prints_a_table(cli, as_user, admin, give, campaign):
    give(campaign, 4_000)
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    result = cli("refunds", "list", "--campaign", campaign["slug"])
    assert result.exit_code == 0, result.output
    assert "Refund orders" in result.stdout
    assert "1 row" in result.output


def plain(text: str) -> str:
    """Babel's narrow and non-breaking spaces as plain ones, lines joined."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def test_refunds_send_asks_first_showing_the_money_and_sends_with_yes(
    db, cli, stripe_api, donate, post_event, as_user, admin, campaign
):
    paid_by_card(donate, post_event, campaign, 12_000)
    paid_by_card(donate, post_event, campaign, 3_000)
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    refused = cli("--lang", "fr", "refunds", "send", input="n\n")
    assert refused.exit_code == 1
    assert "Envoyer 2 remboursements à Stripe (15 000 F CFA)" in plain(refused.stderr)
    assert stripe_api.calls("POST", "/v1/refunds") == []
    assert {o["status"] for o in orders(db, campaign)} == {"pending"}
    english = cli("refunds", "send", input="n\n")
    assert "Send 2 refunds to Stripe (F CFA15,000)" in plain(english.stderr)
    result = cli("--lang", "fr", "refunds", "send", "--yes")
    assert result.exit_code == 0, result.output
    assert "Remboursements Stripe : demandé à Stripe : 2" in plain(result.stdout)
    assert len(stripe_api.calls("POST", "/v1/refunds")) == 2


def test_refunds_send_without_a_stripe_key_names_it_and_sends_nothing(
    db, cli, monkeypatch, tmp_path, as_user, admin, give, campaign
):

    give(campaign, 4_000)
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    monkeypatch.delenv("STRIPE_SECRET_KEY")
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / ".env.local")
    result = cli("refunds", "send", "--yes")
    assert result.exit_code == 6
    assert "STRIPE_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.output
    assert {o["status"] for o in orders(db, campaign)} == {"pending"}


def test_refunds_record_asks_first_and_reads_ids_by_prefix(
    db, cli, pay_by_mobile_money, cinetpay_api, notify, as_user, admin, campaign
):
    paid_by_mobile_money(pay_by_mobile_money, cinetpay_api, notify, campaign, 10_000)
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    (order,) = orders(db, campaign)
    prefix = str(order["id"])[:8]
    refused = cli("--lang", "fr", "refunds", "record", prefix, "--reference", "OM-1", input="n\n")
    assert refused.exit_code == 1
    assert "10 000 F CFA" in plain(refused.stderr)
    assert "irréversible" in refused.stderr
    assert orders(db, campaign)[0]["status"] == "manual"
    result = cli("refunds", "record", prefix, "--reference", "OM-1", input="y\n")
    assert result.exit_code == 0, result.output
    assert orders(db, campaign)[0]["status"] == "refunded"


@pytest.mark.parametrize(("order", "code"), [("e54f384z", 2), ("00000000", 3)])
def test_refunds_record_a_bad_or_unknown_order_is_one_line(cli, order, code):
    result = cli("--lang", "fr", "refunds", "record", order, "--reference", "OM-1", "--yes")
    assert result.exit_code == code
    assert "invalid input syntax" not in result.output
    assert "Traceback" not in result.output


def test_refunds_list_shows_money_and_refuses_an_unknown_status(
    cli, as_user, admin, give, campaign
):
    give(campaign, 4_000)
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    result = cli("--lang", "fr", "refunds", "list")
    assert result.exit_code == 0, result.output
    assert "4 000 F CFA" in plain(result.stdout)
    assert "Ordres de remboursement" in result.stdout
    bogus = cli("refunds", "list", "--status", "bogus")
    assert bogus.exit_code == 2
    assert "manual" in bogus.output


# The console ------------------------------------------------------------------------------------


def test_the_console_freezes_and_unfreezes_with_the_audit(db, cli, campaign):
    result = cli(
        "campaigns", "freeze", campaign["slug"], "--reason", "Signalements", "--yes", "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "frozen"
    refused_again = cli("campaigns", "freeze", campaign["slug"], "--reason", "Encore", "--yes")
    assert refused_again.exit_code == 1
    assert "invalid_status_transition" in refused_again.output
    result = cli("campaigns", "unfreeze", campaign["slug"], "--note", "Vérifiée")
    assert result.exit_code == 0, result.output
    actions = [r["action"] for r in db.sql("select action from private.audit_log order by id")]
    assert actions == [
        "freeze_campaign",
        "campaigns freeze",
        "unfreeze_campaign",
        "campaigns unfreeze",
    ]


def test_the_console_reviews_edits(db, cli, as_user, owner, campaign):
    as_user(owner).update("campaigns", {"title": "Titre racoleur"}, {"id": campaign["id"]})
    queue = cli("campaigns", "review-queue", "--json")
    assert queue.exit_code == 0, queue.output
    (row,) = json.loads(queue.stdout)
    assert (row["slug"], row["approved_title"], row["title"]) == (
        campaign["slug"], campaign["title"], "Titre racoleur"
    )  # fmt: skip
    no_reason = cli("campaigns", "review-edit", campaign["slug"], "--restore")
    assert no_reason.exit_code == 1
    assert "reason_required" in no_reason.output
    result = cli("campaigns", "review-edit", campaign["slug"], "--restore", "--reason", "Trompeur")
    assert result.exit_code == 0, result.output
    assert db.one("select title from public.campaigns where id = %s", [campaign["id"]]) == {
        "title": campaign["title"]
    }
    assert json.loads(cli("campaigns", "review-queue", "--json").stdout) == []


def test_a_moderator_cannot_use_refund_functions(as_user, moderator, owner):
    for function, args in (
        (
            "record_refund_request",
            {"order_id": "00000000-0000-4000-8000-000000000001", "provider_refund_id": "re_x"},
        ),
        (
            "record_manual_refund",
            {"order_id": "00000000-0000-4000-8000-000000000001", "reference": "OM-1"},
        ),
    ):
        refused(lambda: as_user(moderator).rpc(function, args), 403, "admin_only")  # noqa: B023
        refused(lambda: as_user(owner).rpc(function, args), 403, "admin_only")  # noqa: B023
