"""Payouts: the balance from the ledger, requests by the owner, treasurers'
N-of-M approval, proof checklists per category, admin decisions; every
rule as each actor."""

from __future__ import annotations

import json
import threading

import cloudinary.utils
import psycopg
import pytest

from tests.conftest import CLOUDINARY_SECRET
from tests.postgrest import ApiError

WALLET = {
    "method": "mobile_money",
    "beneficiary_name": "Aminata Traoré",
    "mobile_operator": "orange_money",
    "phone_number": "+223 70 12 34 56",
}
BANK = {
    "method": "bank_account",
    "beneficiary_name": "Aminata Traoré",
    "bank_name": "Banque de Développement du Mali",
    "account_number": "ml03 d012 3456 7890 1234 5678 90",
}


@pytest.fixture
def campaign(owner, make_campaign, give, user):
    c = make_campaign(owner, "active")  # santé: asks for a medical document
    give(c, 100_000, user, fee=2_000)  # platform fee 5 %: 5 000; processor fee 2 000
    return c


@pytest.fixture
def request_payout(as_user, owner, campaign):
    def request(amount=50_000, who=None, destination=None, target=None):
        return as_user(who or owner).rpc(
            "request_payout",
            {
                "campaign_id": (target or campaign)["id"],
                "amount": amount,
                **(destination or WALLET),
            },
        )

    return request


@pytest.fixture
def proven(db, as_user, owner, moderator, campaign):
    """The campaign's medical document, uploaded by the owner and accepted."""
    (doc,) = as_user(owner).insert(
        "campaign_documents",
        {
            "campaign_id": str(campaign["id"]),
            "document_type": "medical_document",
            "file_ref": f"africagnotte/documents/{campaign['id']}/devis-hopital",
        },
    )
    as_user(moderator).rpc(
        "review_campaign_document", {"document_id": doc["id"], "status": "accepted"}
    )
    return doc


def balance(as_user, who, campaign):
    return as_user(who).rpc("campaign_balance", {"campaign_id": campaign["id"]})


def co_organizers(db, campaign, *users):
    for u in users:
        db.sql(
            "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
            [campaign["id"], u.id],
        )


# Balance ------------------------------------------------------------------------------------


def test_the_balance_is_the_ledger_net_of_fees(as_user, owner, campaign):
    assert balance(as_user, owner, campaign) == {
        "campaign_id": campaign["id"], "currency": "XOF", "collected": 100_000,
        "platform_fees": 5_000, "processor_fees": 2_000, "in_progress": 0, "paid_out": 0,
        "available": 93_000,
    }  # fmt: skip


def test_refunds_come_off_the_balance_with_their_share_of_fee(db, as_user, owner, campaign):
    (d,) = db.sql("select id from public.donations")
    db.sql(
        "select private.record_payment_event('stripe', 'evt_refund', 'x', now(), false, '{}',"
        " jsonb_build_object('kind', 'refund', 'donation_id', %s::uuid, 'refunded_total', 40000,"
        " 'amount', 100000, 'currency', 'XOF'))",
        [d["id"]],
    )
    b = balance(as_user, owner, campaign)
    assert (b["collected"], b["platform_fees"], b["available"]) == (60_000, 3_000, 55_000)


def test_a_category_fee_overrides_the_global_one_for_new_pledges(
    db, as_user, admin, owner, make_campaign, give, user
):
    as_user(admin).update("categories", {"platform_fee_bp": 250}, {"slug": "sante"})
    c = make_campaign(owner, "active", title="Une deuxième cagnotte santé")
    give(c, 10_001, user)
    b = balance(as_user, owner, c)
    assert (b["platform_fees"], b["available"]) == (250, 9_751)  # 2.5 % of 10 001, rounded


def test_only_admins_set_a_category_fee(as_user, owner):
    assert as_user(owner).update("categories", {"platform_fee_bp": 0}, {"slug": "sante"}) == []


@pytest.mark.parametrize("actor", ["user", "moderator"])
def test_strangers_do_not_see_the_balance(request, as_user, campaign, actor):
    with pytest.raises(ApiError) as err:
        balance(as_user, request.getfixturevalue(actor), campaign)
    assert err.value.message == "not_campaign_owner"


def test_co_organizers_and_admins_see_the_balance(db, as_user, make_user, admin, campaign):
    helper = make_user()
    co_organizers(db, campaign, helper)
    assert balance(as_user, helper, campaign)["available"] == 93_000
    assert balance(as_user, admin, campaign)["available"] == 93_000


# Requests -----------------------------------------------------------------------------------


def test_a_request_reserves_its_amount(db, as_user, owner, campaign, request_payout):
    p = request_payout(50_000)
    assert (p["status"], p["currency"], p["account_mask"]) == (
        "requested",
        "XOF",
        "+223 •• ••• •• 56",
    )
    b = balance(as_user, owner, campaign)
    assert (b["in_progress"], b["available"]) == (50_000, 43_000)
    assert db.one("select kind::text, amount from private.ledger_entries where payout_id = %s", [p["id"]]) == {
        "kind": "payout", "amount": -50_000,
    }  # fmt: skip


def test_a_bank_destination_is_normalised_then_masked(request_payout):
    p = request_payout(destination=BANK)
    assert (p["account_mask"], p["beneficiary_mask"]) == ("•••• 7890", "A. T.")
    assert p["bank_name"] == "Banque de Développement du Mali"


def test_more_than_available_is_refused(db, request_payout):
    with pytest.raises(ApiError) as err:
        request_payout(93_001)
    assert (err.value.status, err.value.message) == (409, "amount_exceeds_balance")
    assert "93000" in err.value.details
    assert db.sql("select 1 from public.payout_requests") == []


@pytest.mark.parametrize("amount", [0, -5])
def test_nonpositive_amounts_are_refused(request_payout, amount):
    with pytest.raises(ApiError) as err:
        request_payout(amount)
    assert err.value.message == "amount_exceeds_balance"


@pytest.mark.parametrize(
    "destination",
    [
        {**WALLET, "phone_number": "70123456"},  # not E.164
        {**WALLET, "mobile_operator": None},
        {**BANK, "account_number": "12"},
        {**BANK, "mobile_operator": "wave"},  # mixed destinations
        {**WALLET, "beneficiary_name": " "},
    ],
)
def test_incoherent_destinations_are_refused_with_nothing_written(db, request_payout, destination):
    with pytest.raises(ApiError) as err:
        request_payout(destination=destination)
    assert (err.value.status, err.value.message) == (422, "invalid_payout_destination")
    assert db.sql("select 1 from public.payout_requests") == []
    assert db.sql("select 1 from private.ledger_entries where payout_id is not null") == []


def test_one_open_request_at_a_time(request_payout):
    request_payout(10_000)
    with pytest.raises(ApiError) as err:
        request_payout(10_000)
    assert (err.value.status, err.value.message) == (409, "payout_in_progress")


@pytest.mark.parametrize("actor", ["user", "admin", "co_organizer"])
def test_only_the_owner_requests(request, db, make_user, campaign, request_payout, actor):
    if actor == "co_organizer":
        who = make_user()
        co_organizers(db, campaign, who)
    else:
        who = request.getfixturevalue(actor)
    with pytest.raises(ApiError) as err:
        request_payout(who=who)
    assert err.value.message in ("not_campaign_owner", "campaign_not_found")


def test_anon_cannot_request(anon, campaign):
    with pytest.raises(ApiError) as err:
        anon.rpc("request_payout", {"campaign_id": campaign["id"], "amount": 1000, **WALLET})
    assert err.value.status == 401


def test_a_banned_owner_cannot_request(db, gotrue, campaign, request_payout, owner):
    gotrue.ban(owner)  # a ban also freezes the owner's campaigns
    with pytest.raises(ApiError) as err:
        request_payout()
    assert (err.value.status, err.value.message) == (409, "payout_blocked")
    assert {"reason": "owner_banned"} in json.loads(err.value.details)
    assert db.sql("select 1 from public.payout_requests") == []


@pytest.mark.parametrize("status", ["cancelled", "frozen"])
def test_a_cancelled_or_frozen_campaign_pays_nothing_out(db, campaign, request_payout, status):
    db.sql("update public.campaigns set status = %s where id = %s", [status, campaign["id"]])
    with pytest.raises(ApiError) as err:
        request_payout()
    assert (err.value.status, err.value.message) == (409, "payout_blocked")
    assert json.loads(err.value.details) == [{"reason": f"campaign_{status}"}]
    assert db.sql("select 1 from public.payout_requests") == []


def test_payouts_are_not_written_through_the_table(as_user, owner, campaign):
    with pytest.raises(ApiError) as err:
        as_user(owner).insert(
            "payout_requests",
            {
                "campaign_id": str(campaign["id"]),
                "amount": 1,
                "currency": "XOF",
                "method": "mobile_money",
                "mobile_operator": "wave",
                "beneficiary_mask": "A. T.",
                "account_mask": "+221 •• ••• •• 00",
            },
        )
    assert err.value.code == "42501"


def test_the_team_and_admins_read_payouts_others_do_not(
    db, as_user, make_user, owner, admin, user, moderator, campaign, request_payout
):
    request_payout()
    helper = make_user()
    co_organizers(db, campaign, helper)
    for who in (owner, helper, admin):
        assert len(as_user(who).get("payout_requests")) == 1
    for who in (user, moderator):
        assert as_user(who).get("payout_requests") == []


def test_the_owner_cancels_a_request_and_the_money_comes_back(
    as_user, owner, campaign, request_payout
):
    p = request_payout(50_000)
    assert as_user(owner).rpc("cancel_payout", {"payout_id": p["id"]})["status"] == "cancelled"
    assert balance(as_user, owner, campaign)["available"] == 93_000
    request_payout(93_000)  # a new request is possible


# Blockers: proofs and treasurers --------------------------------------------------------------


def test_the_owner_sees_why_a_payout_is_blocked(as_user, owner, request_payout):
    p = request_payout()
    assert as_user(owner).rpc("payout_blockers", {"payout_id": p["id"]}) == [
        {"reason": "document_missing", "document_type": "medical_document", "note": None,
         "label_fr": "Lettre de l'hôpital ou devis médical", "label_en": "Hospital letter or medical quote",
         "approvals": None, "required": None},
    ]  # fmt: skip


def test_an_admin_cannot_approve_before_the_proofs(as_user, admin, request_payout):
    p = request_payout()
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("approve_payout", {"payout_id": p["id"]})
    assert (err.value.status, err.value.message) == (409, "payout_blocked")
    assert json.loads(err.value.details)[0]["reason"] == "document_missing"


def test_a_pending_then_rejected_document_is_told_with_the_note(
    db, as_user, owner, moderator, campaign, request_payout
):
    p = request_payout()
    (doc,) = as_user(owner).insert(
        "campaign_documents",
        {"campaign_id": str(campaign["id"]), "document_type": "medical_document",
         "file_ref": f"africagnotte/documents/{campaign['id']}/flou"},
    )  # fmt: skip
    assert (
        as_user(owner).rpc("payout_blockers", {"payout_id": p["id"]})[0]["reason"]
        == "document_pending"
    )
    as_user(moderator).rpc(
        "review_campaign_document",
        {"document_id": doc["id"], "status": "rejected", "note": "Illisible"},
    )
    (blocker,) = as_user(owner).rpc("payout_blockers", {"payout_id": p["id"]})
    assert (blocker["reason"], blocker["note"]) == ("document_rejected", "Illisible")


def test_documents_live_in_the_campaigns_own_folder(as_user, owner, campaign):
    with pytest.raises(ApiError) as err:
        as_user(owner).insert(
            "campaign_documents",
            {"campaign_id": str(campaign["id"]), "document_type": "medical_document",
             "file_ref": "africagnotte/documents/someone-else/devis"},
        )  # fmt: skip
    assert err.value.code == "23514"


def test_only_staff_review_documents(as_user, owner, user, campaign):
    (doc,) = as_user(owner).insert(
        "campaign_documents",
        {"campaign_id": str(campaign["id"]), "document_type": "medical_document",
         "file_ref": f"africagnotte/documents/{campaign['id']}/devis"},
    )  # fmt: skip
    for who in (owner, user):
        with pytest.raises(ApiError) as err:
            as_user(who).rpc(
                "review_campaign_document", {"document_id": doc["id"], "status": "accepted"}
            )
        assert err.value.message == "staff_only"


def test_strangers_neither_add_nor_read_documents(as_user, user, owner, campaign, proven):
    assert as_user(user).get("campaign_documents") == []
    with pytest.raises(ApiError) as err:
        as_user(user).insert(
            "campaign_documents",
            {"campaign_id": str(campaign["id"]), "document_type": "medical_document",
             "file_ref": f"africagnotte/documents/{campaign['id']}/faux"},
        )  # fmt: skip
    assert err.value.code == "42501"


@pytest.fixture
def treasurers(db, as_user, owner, make_user, campaign):
    people = [make_user(user_metadata={"full_name": f"Trésorier {i}"}) for i in range(3)]
    co_organizers(db, campaign, *people)
    as_user(owner).rpc(
        "set_treasurers",
        {"campaign_id": campaign["id"], "treasurer_ids": [str(t.id) for t in people], "quorum": 2},
    )
    return people


def test_two_of_three_treasurers_must_approve_before_an_admin(
    as_user, admin, treasurers, proven, request_payout
):
    p = request_payout()
    (blocker,) = as_user(admin).rpc("payout_blockers", {"payout_id": p["id"]})
    assert {k: v for k, v in blocker.items() if v is not None} == {
        "reason": "treasurer_approvals", "approvals": 0, "required": 2,
    }  # fmt: skip
    as_user(treasurers[0]).rpc("approve_payout_as_treasurer", {"payout_id": p["id"]})
    as_user(treasurers[0]).rpc(
        "approve_payout_as_treasurer", {"payout_id": p["id"]}
    )  # twice counts once
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("approve_payout", {"payout_id": p["id"]})
    assert err.value.message == "payout_blocked"
    as_user(treasurers[2]).rpc("approve_payout_as_treasurer", {"payout_id": p["id"]})
    assert as_user(admin).rpc("approve_payout", {"payout_id": p["id"]})["status"] == "approved"


@pytest.mark.parametrize("actor", ["owner", "admin", "user"])
def test_only_treasurers_give_treasurer_approvals(
    request, as_user, treasurers, request_payout, actor
):
    p = request_payout()
    with pytest.raises(ApiError) as err:
        as_user(request.getfixturevalue(actor)).rpc(
            "approve_payout_as_treasurer", {"payout_id": p["id"]}
        )
    assert err.value.message in ("not_treasurer", "payout_not_found")


def test_the_sign_off_is_fixed_when_the_payout_is_requested(
    db, as_user, owner, admin, campaign, treasurers, proven, request_payout
):
    p = request_payout()
    assert (p["approvals_required"], sorted(p["approvers"])) == (
        2, sorted(t.id for t in treasurers),
    )  # fmt: skip
    # the owner removes a treasurer; another leaves
    db.sql("delete from public.campaign_members where user_id = any(%s)",
           [[treasurers[0].id, treasurers[1].id]])  # fmt: skip
    (blocker,) = as_user(owner).rpc("payout_blockers", {"payout_id": p["id"]})
    assert {k: v for k, v in blocker.items() if v is not None} == {
        "reason": "treasurer_approvals", "approvals": 0, "required": 2,
    }  # fmt: skip
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("approve_payout", {"payout_id": p["id"]})
    assert err.value.message == "payout_blocked"
    # a removed treasurer no longer reaches it: the owner cancels and asks anew
    with pytest.raises(ApiError) as err:
        as_user(treasurers[0]).rpc("approve_payout_as_treasurer", {"payout_id": p["id"]})
    assert err.value.message == "payout_not_found"
    as_user(owner).rpc("cancel_payout", {"payout_id": p["id"]})
    as_user(owner).rpc(
        "set_treasurers",
        {"campaign_id": campaign["id"], "treasurer_ids": [str(treasurers[2].id)], "quorum": 1},
    )
    again = request_payout()
    assert (again["approvals_required"], again["approvers"]) == (1, [treasurers[2].id])


def test_a_treasurer_named_after_the_request_does_not_count(
    db, as_user, owner, admin, campaign, make_user, proven, request_payout
):
    p = request_payout()  # no treasurers then
    late = make_user()
    co_organizers(db, campaign, late)
    db.sql("update public.campaign_members set is_treasurer = true where user_id = %s", [late.id])
    db.sql("update public.campaigns set treasurer_quorum = 1 where id = %s", [campaign["id"]])
    with pytest.raises(ApiError) as err:
        as_user(late).rpc("approve_payout_as_treasurer", {"payout_id": p["id"]})
    assert err.value.message == "not_treasurer"
    assert as_user(admin).rpc("payout_blockers", {"payout_id": p["id"]}) == []


def test_the_requester_never_signs_off_their_own_payout(
    db, as_user, owner, campaign, request_payout
):
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id, is_treasurer) values (%s, %s, true)",
        [campaign["id"], owner.id],
    )
    db.sql("update public.campaigns set treasurer_quorum = 1 where id = %s", [campaign["id"]])
    p = request_payout()
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc("approve_payout_as_treasurer", {"payout_id": p["id"]})
    assert (err.value.status, err.value.message) == (403, "cannot_approve_own_request")
    assert db.sql("select 1 from public.payout_approvals") == []


def test_treasurers_are_co_organizers_with_a_possible_quorum(
    db, as_user, owner, user, campaign, make_user
):
    helper = make_user()
    co_organizers(db, campaign, helper)
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc(
            "set_treasurers",
            {"campaign_id": campaign["id"], "treasurer_ids": [str(user.id)], "quorum": 1},
        )
    assert err.value.message == "treasurer_not_co_organizer"
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc(
            "set_treasurers",
            {"campaign_id": campaign["id"], "treasurer_ids": [str(helper.id)], "quorum": 2},
        )
    assert err.value.message == "invalid_quorum"


def test_only_the_owner_names_treasurers_and_not_during_a_payout(
    db, as_user, treasurers, request_payout, campaign, owner
):
    with pytest.raises(ApiError) as err:
        as_user(treasurers[0]).rpc(
            "set_treasurers", {"campaign_id": campaign["id"], "treasurer_ids": [], "quorum": None}
        )
    assert err.value.message == "not_campaign_owner"
    request_payout()
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc(
            "set_treasurers", {"campaign_id": campaign["id"], "treasurer_ids": [], "quorum": None}
        )
    assert err.value.message == "payout_in_progress"


# Admin decisions ----------------------------------------------------------------------------


@pytest.fixture
def approved(as_user, admin, proven, request_payout):
    p = request_payout(50_000)
    return as_user(admin).rpc("approve_payout", {"payout_id": p["id"]})


def test_a_paid_payout_stays_out_of_the_balance(db, as_user, admin, owner, campaign, approved):
    paid = as_user(admin).rpc(
        "mark_payout_paid", {"payout_id": approved["id"], "reference": "OM-2026-001"}
    )
    assert (paid["status"], paid["reference"]) == ("paid", "OM-2026-001")
    b = balance(as_user, owner, campaign)
    assert (b["paid_out"], b["in_progress"], b["available"]) == (50_000, 0, 43_000)
    kinds = [
        n["payload"]["status"]
        for n in as_user(owner).get("notifications", {"kind": "payout_update"})
    ]
    assert sorted(kinds) == ["approved", "paid"]
    (mail,) = db.sql(
        "select subject, body from private.email_messages where template = 'payout_paid'"
    )
    assert mail["subject"] == "Votre versement pour « Soins pour Aminata à Bamako » : effectué"
    assert "Référence du virement : OM-2026-001" in mail["body"]
    assert "Vers : orange_money +223 •• ••• •• 56" in mail["body"]  # masked, never in full
    assert "70123456" not in mail["body"]


def test_a_failed_payout_returns_the_money(db, as_user, admin, owner, campaign, approved):
    failed = as_user(admin).rpc(
        "mark_payout_failed", {"payout_id": approved["id"], "reason": "Numéro inconnu"}
    )
    assert failed["status"] == "failed"
    assert balance(as_user, owner, campaign)["available"] == 93_000
    assert db.sql(
        "select kind::text, amount from private.ledger_entries where payout_id = %s order by id",
        [approved["id"]],
    ) == [{"kind": "payout", "amount": -50_000}, {"kind": "payout_reversal", "amount": 50_000}]
    (mail,) = db.sql(
        "select subject from private.email_messages where template = 'payout_failed' and body like '%%Numéro inconnu%%'"
    )
    assert mail["subject"] == "Votre versement pour « Soins pour Aminata à Bamako » : en échec"


def test_a_rejected_request_returns_the_money_and_needs_a_reason(
    as_user, admin, owner, campaign, request_payout
):
    p = request_payout(50_000)
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("reject_payout", {"payout_id": p["id"], "reason": " "})
    assert err.value.message == "reason_required"
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("reject_payout", {"payout_id": p["id"], "reason": "x" * 501})
    assert (err.value.status, err.value.message) == (422, "reason_too_long")
    as_user(admin).rpc("reject_payout", {"payout_id": p["id"], "reason": "Bénéficiaire à vérifier"})
    assert balance(as_user, owner, campaign)["available"] == 93_000


def test_paid_needs_a_reference_and_an_approval_first(as_user, admin, request_payout, proven):
    p = request_payout()
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("mark_payout_paid", {"payout_id": p["id"], "reference": "X1"})
    assert (err.value.status, err.value.message) == (409, "invalid_payout_transition")
    as_user(admin).rpc("approve_payout", {"payout_id": p["id"]})
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("mark_payout_paid", {"payout_id": p["id"], "reference": ""})
    assert err.value.message == "reference_required"


def test_settled_payouts_do_not_move_again(as_user, admin, owner, approved):
    as_user(admin).rpc("mark_payout_paid", {"payout_id": approved["id"], "reference": "VIR-1"})
    for fn, args in (
        ("mark_payout_failed", {"reason": "oups"}),
        ("reject_payout", {"reason": "oups"}),
        ("approve_payout", {}),
    ):
        with pytest.raises(ApiError) as err:
            as_user(admin).rpc(fn, {"payout_id": approved["id"], **args})
        assert err.value.message == "invalid_payout_transition"
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc("cancel_payout", {"payout_id": approved["id"]})
    assert err.value.message == "invalid_payout_transition"


@pytest.mark.parametrize("actor", ["owner", "moderator", "user"])
@pytest.mark.parametrize(
    "fn", ["approve_payout", "mark_payout_paid", "mark_payout_failed", "reject_payout"]
)
def test_only_admins_decide(request, as_user, proven, request_payout, actor, fn):
    p = request_payout()
    with pytest.raises(ApiError) as err:
        as_user(request.getfixturevalue(actor)).rpc(
            fn,
            {
                "payout_id": p["id"],
                **({"reference": "R"} if fn == "mark_payout_paid" else {}),
                **({"reason": "r"} if fn in ("mark_payout_failed", "reject_payout") else {}),
            },
        )
    assert (err.value.status, err.value.message) == (403, "admin_only")


def test_every_step_is_in_the_audit_log(db, as_user, admin, approved):
    as_user(admin).rpc("mark_payout_paid", {"payout_id": approved["id"], "reference": "VIR-9"})
    steps = db.sql(
        "select action, actor_id from private.audit_log where target_id = %s order by id",
        [str(approved["id"])],
    )
    assert [s["action"] for s in steps] == ["request_payout", "approve_payout", "mark_payout_paid"]
    assert steps[-1]["actor_id"] == admin.id


def test_concurrent_requests_never_overdraw(db, owner, campaign):
    results = []

    def ask():
        with psycopg.connect(db.url, autocommit=True) as conn:
            conn.execute(
                "select set_config('request.jwt.claims', %s, false)",
                [json.dumps({"sub": str(owner.id), "role": "authenticated"})],
            )
            try:
                conn.execute(
                    "select public.request_payout(%s, 60000, 'mobile_money', 'Aminata', null, null, 'wave', '+221770000000')",
                    [campaign["id"]],
                )
                results.append("ok")
            except psycopg.Error as exc:
                results.append(exc.diag.message_primary)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count("ok") == 1
    assert db.one("select sum(amount) as s from private.ledger_entries")["s"] >= 0


# Proof uploads: private, signed by the service for the campaign's team ------------------------


def sign_document(service, who, campaign, document_type="medical_document"):
    return service.post(
        "/media/signature",
        json={
            "target": "document",
            "campaign_id": str(campaign["id"]),
            "document_type": document_type,
        },
        headers={"Authorization": f"Bearer {who.token}"} if who else {},
    )


def test_the_team_gets_a_private_upload_signed_for_a_required_proof(
    db, service, owner, make_user, campaign
):
    helper = make_user()
    co_organizers(db, campaign, helper)
    for who in (owner, helper):
        response = sign_document(service, who, campaign)
        assert response.status_code == 200, response.get_json()
        fields = response.get_json()["fields"]
        assert (fields["type"], fields["folder"]) == (
            "authenticated",
            f"africagnotte/documents/{campaign['id']}",
        )
        assert "notification_url" not in fields
        assert "pdf" in fields["allowed_formats"]
        unsigned = {k: v for k, v in fields.items() if k not in ("api_key", "signature")}
        assert fields["signature"] == cloudinary.utils.api_sign_request(unsigned, CLOUDINARY_SECRET)


@pytest.mark.parametrize(
    ("actor", "status", "code"),
    [("user", 403, "not_campaign_owner"), ("anon", 401, "sign_in_required")],
)
def test_strangers_get_no_proof_upload(request, service, campaign, actor, status, code):
    who = None if actor == "anon" else request.getfixturevalue(actor)
    response = sign_document(service, who, campaign)
    assert (response.status_code, response.get_json()["message"]) == (status, code)


def test_only_the_proofs_the_category_asks_for(service, owner, campaign):
    response = sign_document(service, owner, campaign, "death_notice")
    assert (response.status_code, response.get_json()["message"]) == (
        422,
        "document_type_not_required",
    )


# Four eyes: no staff member decides where they are on the team --------------------------------


def test_an_admins_own_payout_needs_another_admin(
    db, as_user, make_user, grant_role, make_campaign, give, user
):
    admin_owner = grant_role(make_user(), "admin")
    c = make_campaign(admin_owner, "active", category="autre")
    give(c, 10_000, user)
    p = as_user(admin_owner).rpc(
        "request_payout", {"campaign_id": c["id"], "amount": 5_000, **WALLET}
    )
    for fn, args in (("approve_payout", {}), ("reject_payout", {"reason": "moi"})):
        with pytest.raises(ApiError) as err:
            as_user(admin_owner).rpc(fn, {"payout_id": p["id"], **args})
        assert (err.value.status, err.value.message) == (403, "cannot_review_own_campaign")
    other = grant_role(make_user(), "admin")
    assert as_user(other).rpc("approve_payout", {"payout_id": p["id"]})["status"] == "approved"
    for fn, args in (
        ("mark_payout_paid", {"reference": "W-1"}),
        ("mark_payout_failed", {"reason": "x"}),
    ):
        with pytest.raises(ApiError) as err:
            as_user(admin_owner).rpc(fn, {"payout_id": p["id"], **args})
        assert err.value.message == "cannot_review_own_campaign"
    assert db.one("select status::text from public.payout_requests")["status"] == "approved"


def test_an_admin_co_organizer_does_not_decide_the_campaigns_payout(
    db, as_user, make_user, grant_role, proven, request_payout, campaign
):
    insider = grant_role(make_user(), "admin")
    co_organizers(db, campaign, insider)
    p = request_payout()
    with pytest.raises(ApiError) as err:
        as_user(insider).rpc("approve_payout", {"payout_id": p["id"]})
    assert err.value.message == "cannot_review_own_campaign"
    assert db.one("select status::text from public.payout_requests")["status"] == "requested"


def test_a_moderator_does_not_review_the_proofs_of_their_own_campaign(
    db, as_user, make_user, grant_role, make_campaign
):
    mod_owner = grant_role(make_user(), "moderator")
    c = make_campaign(mod_owner, "active")
    (doc,) = as_user(mod_owner).insert(
        "campaign_documents",
        {"campaign_id": str(c["id"]), "document_type": "medical_document",
         "file_ref": f"africagnotte/documents/{c['id']}/lettre"},
    )  # fmt: skip
    with pytest.raises(ApiError) as err:
        as_user(mod_owner).rpc(
            "review_campaign_document", {"document_id": doc["id"], "status": "accepted"}
        )
    assert (err.value.status, err.value.message) == (403, "cannot_review_own_campaign")
    assert db.one("select status::text, reviewed_by from public.campaign_documents") == {
        "status": "pending", "reviewed_by": None,
    }  # fmt: skip


# Fraud stops: a frozen or cancelled campaign, a banned owner ---------------------------------


def stop(db, gotrue, campaign, owner, how):
    if how == "owner_banned":
        gotrue.ban(owner)
    else:
        status = how.removeprefix("campaign_")
        db.sql("update public.campaigns set status = %s where id = %s", [status, campaign["id"]])


@pytest.mark.parametrize("how", ["campaign_frozen", "campaign_cancelled", "owner_banned"])
def test_a_stopped_campaigns_payout_is_neither_approved_nor_paid(
    db, gotrue, as_user, admin, owner, campaign, proven, request_payout, how
):
    waiting = request_payout(10_000)
    stop(db, gotrue, campaign, owner, how)
    (blocker,) = as_user(admin).rpc("payout_blockers", {"payout_id": waiting["id"]})
    assert {k: v for k, v in blocker.items() if v is not None} == {"reason": how}
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("approve_payout", {"payout_id": waiting["id"]})
    assert (err.value.status, err.value.message) == (409, "payout_blocked")
    assert json.loads(err.value.details) == [{"reason": how}]
    assert db.one("select status::text from public.payout_requests")["status"] == "requested"


@pytest.mark.parametrize("how", ["campaign_frozen", "campaign_cancelled", "owner_banned"])
def test_an_approved_payout_of_a_stopped_campaign_is_not_paid_but_can_fail(
    db, gotrue, as_user, admin, owner, campaign, approved, how
):
    stop(db, gotrue, campaign, owner, how)
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("mark_payout_paid", {"payout_id": approved["id"], "reference": "V-1"})
    assert (err.value.message, json.loads(err.value.details)) == (
        "payout_blocked",
        [{"reason": how}],
    )
    assert db.one("select status::text from public.payout_requests")["status"] == "approved"
    failed = as_user(admin).rpc(
        "mark_payout_failed", {"payout_id": approved["id"], "reason": "Cagnotte suspendue"}
    )
    assert failed["status"] == "failed"  # the money goes back to the campaign's balance
