"""The payment core in SQL: who sees donations, service-only functions, the ledger."""

from __future__ import annotations

import itertools
import json
import uuid

import pytest
from psycopg.types.json import Jsonb

from tests.postgrest import ApiError

_events = itertools.count()


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active", goal_amount=1_000_000)


@pytest.fixture
def give(db):
    """A donation through the payment core's own functions (as the service calls them)."""

    def give(campaign, amount=5000, donor=None, *, paid=True, **fields):
        pledge = db.one(
            "select private.create_donation(campaign_id => %s, amount => %s, currency => %s,"
            " provider => 'stripe', donor_id => %s, donor_name => %s, donor_email => %s,"
            " message => %s, is_anonymous => %s, tip_amount => %s) as p",
            [
                campaign["id"],
                amount,
                campaign["currency"],
                donor.id if donor else None,
                fields.get("name"),
                fields.get("email"),
                fields.get("message"),
                fields.get("anonymous", False),
                fields.get("tip", 0),
            ],
        )["p"]
        if paid:
            outcome = {
                "kind": "payment",
                "status": "succeeded",
                "amount": amount + fields.get("tip", 0),
                "currency": campaign["currency"],
                "fee": 100,
                "donation_id": pledge["donation_id"],
            }
            result = db.one(
                "select private.record_payment_event('stripe', %s, 'checkout.session.completed', now(),"
                " false, '{}', %s) as r",
                [f"evt_{next(_events)}", Jsonb(outcome)],
            )["r"]
            assert result["outcome"] == "applied", result
        return pledge

    return give


# What the public sees -------------------------------------------------------------------------


def test_the_public_sees_succeeded_donations_with_names_amounts_and_messages(
    anon, give, campaign, user
):
    give(campaign, 5000, name="Oumar", message="Bon courage !")
    give(campaign, 7000, user)
    give(campaign, 9000, paid=False)  # pending: not shown
    rows = anon.rpc("campaign_donations", {"campaign_id": campaign["id"]}, get=True)
    assert sorted((r["donor_name"], r["amount"], r["message"]) for r in rows) == [
        ("Fatou Ndiaye", 7000, None),
        ("Oumar", 5000, "Bon courage !"),
    ]
    assert all(
        set(r)
        == {"id", "donor_name", "is_anonymous", "amount", "currency", "message", "donated_at"}
        for r in rows
    )


@pytest.mark.parametrize("viewer", ["anon", "stranger", "owner", "moderator"])
def test_an_anonymous_donation_never_reveals_its_donor(
    request, anon, as_user, give, campaign, user, owner, viewer
):
    give(campaign, 5000, user, anonymous=True, email="secret@example.sn")
    client = {
        "anon": lambda: anon,
        "stranger": lambda: as_user(request.getfixturevalue("other_user")),
        "owner": lambda: as_user(owner),
        "moderator": lambda: as_user(request.getfixturevalue("moderator")),
    }[viewer]()
    rows = client.rpc("campaign_donations", {"campaign_id": campaign["id"]})
    assert [(r["donor_name"], r["is_anonymous"]) for r in rows] == [("Anonyme", True)]
    text = json.dumps(rows, default=str)
    assert str(user.id) not in text
    assert "secret@example.sn" not in text
    assert "Fatou" not in text


def test_the_dashboard_lists_recent_donations_with_anonymity_respected(
    as_user, give, campaign, owner, user
):
    give(campaign, 5000, user, anonymous=True)
    give(campaign, 6000, name="Awa")
    board = as_user(owner).rpc("campaign_dashboard", {"campaign_id": campaign["id"]}, get=True)
    assert sorted(d["donor_name"] for d in board["recent_donations"]) == ["Anonyme", "Awa"]
    assert str(user.id) not in json.dumps(board, default=str)
    assert board["collected_amount"] == 11000
    assert [(d["count"], d["amount"]) for d in board["donations_per_day"]] == [(2, 11000)]


def test_donations_of_an_unpublished_campaign_are_not_found(anon, owner, make_campaign, as_user):
    draft = make_campaign(owner)
    with pytest.raises(ApiError) as err:
        anon.rpc("campaign_donations", {"campaign_id": draft["id"]})
    assert err.value.message == "campaign_not_found"
    assert as_user(owner).rpc("campaign_donations", {"campaign_id": draft["id"]}) == []


# The donations table ------------------------------------------------------------------------------


def test_donors_read_their_own_donations_only(as_user, give, campaign, user, other_user):
    mine = give(campaign, 5000, user)
    give(campaign, 6000, other_user)
    rows = as_user(user).get("donations")
    assert [str(r["id"]) for r in rows] == [mine["donation_id"]]


def test_campaign_owners_do_not_read_the_donations_table(as_user, give, campaign, owner, user):
    give(campaign, 5000, user)
    assert as_user(owner).get("donations") == []


def test_admins_read_every_donation(as_user, give, campaign, admin, user):
    give(campaign, 5000, user)
    give(campaign, 6000)
    assert len(as_user(admin).get("donations")) == 2


def test_anon_cannot_read_the_donations_table(anon):
    with pytest.raises(ApiError) as err:
        anon.get("donations")
    assert (err.value.status, err.value.code) == (401, "42501")


@pytest.mark.parametrize("actor", ["user", "admin"])
def test_nobody_writes_donations_through_the_api(request, db, as_user, campaign, actor):
    client = as_user(request.getfixturevalue(actor))
    with pytest.raises(ApiError) as err:
        client.insert(
            "donations",
            {
                "campaign_id": campaign["id"],
                "amount": 5000,
                "currency": "XOF",
                "platform_fee_bp": 0,
                "status": "succeeded",
            },
        )
    assert err.value.code == "42501"
    with pytest.raises(ApiError):
        client.update("donations", {"status": "succeeded"}, {"campaign_id": campaign["id"]})
    assert db.sql("select 1 from public.donations") == []


def test_my_donations_lists_every_status_with_the_campaign(as_user, give, campaign, user):
    give(campaign, 5000, user)
    give(campaign, 6000, user, paid=False)
    rows = as_user(user).rpc("my_donations", get=True)
    assert sorted((r["amount"], r["status"]) for r in rows) == [
        (5000, "succeeded"),
        (6000, "pending"),
    ]
    assert {r["campaign_slug"] for r in rows} == {campaign["slug"]}


def test_my_donations_shows_the_tip_beside_the_gift(as_user, give, campaign, user):
    give(campaign, 5000, user, tip=500)
    give(campaign, 6000, user)
    rows = as_user(user).rpc("my_donations", get=True)
    assert sorted((r["amount"], r["tip_amount"]) for r in rows) == [(5000, 500), (6000, 0)]


# Service-only functions ------------------------------------------------------------------------------

SERVICE_CALLS = [
    "select private.create_donation(gen_random_uuid(), 5000, 'XOF', 'stripe')",
    "select private.record_payment_event('stripe', 'evt_x', 'x', now(), false, '{}', '{}')",
    "select private.attach_checkout(gen_random_uuid(), 'cs_x')",
    "select private.abandon_checkout(gen_random_uuid(), 'x')",
    "select * from private.check_ledger()",
]


@pytest.mark.parametrize("call", SERVICE_CALLS)
@pytest.mark.parametrize("actor", ["anon", "user", "admin"])
def test_service_functions_are_not_executable_by_api_roles(request, anon, as_user, call, actor):
    client = anon if actor == "anon" else as_user(request.getfixturevalue(actor))
    with pytest.raises(ApiError) as err:
        client.request("POST", "/probe", call)
    assert err.value.code == "42501"


def test_service_functions_are_not_served_by_the_api(as_user, admin):
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("private.create_donation", {"campaign_id": str(uuid.uuid4())})
    assert err.value.code == "PGRST106"


# Ledger ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    ["update private.ledger_entries set amount = 1", "delete from private.ledger_entries"],
)
def test_the_ledger_is_append_only(db, give, campaign, statement):
    give(campaign)
    with pytest.raises(Exception, match="ledger_is_append_only"):
        db.sql(statement)


def test_totals_match_the_ledger(db, give, campaign):
    for amount in (500, 5000, 10_000_000):
        give(campaign, amount)
    assert db.sql("select * from private.check_ledger()") == []
    assert (
        db.one("select collected_amount from public.campaigns where id = %s", [campaign["id"]])[
            "collected_amount"
        ]
        == 10_005_500
    )


def test_check_ledger_reports_a_campaign_whose_totals_drifted(db, give, campaign):
    give(campaign)
    db.sql(
        "update public.campaigns set collected_amount = collected_amount + 1 where id = %s",
        [campaign["id"]],
    )
    (row,) = db.sql("select * from private.check_ledger()")
    assert (row["collected_amount"], row["ledger_collected"]) == (5001, 5000)


def test_check_ledger_reports_a_campaign_counting_more_than_it_received(db, give, campaign):
    give(campaign)  # 5000, processor fee 100
    db.sql(
        "insert into private.ledger_entries (campaign_id, kind, amount, currency, idempotency_key)"
        " values (%s, 'processor_fee', 100, 'XOF', 'forged')",
        [campaign["id"]],
    )
    (row,) = db.sql("select * from private.check_ledger()")
    assert (row["collected_amount"], row["ledger_collected"]) == (5000, 5000)
    assert (row["ledger_net"], row["received"]) == (5000, 4900)


def test_check_ledger_counts_refunds_and_the_fee_the_provider_kept(db, give, campaign):
    pledge = give(campaign)
    db.one(
        "select private.record_payment_event('stripe', 'evt_refund_all', 'x', now(), false, '{}',"
        " %s) as r",
        [Jsonb({"kind": "refund", "refunded_total": 5000, "currency": "XOF",
                "donation_id": pledge["donation_id"]})],
    )  # fmt: skip
    assert db.sql("select * from private.check_ledger()") == []
    balance = db.one(
        "select sum(amount) as s from private.ledger_entries where campaign_id = %s",
        [campaign["id"]],
    )["s"]
    assert balance == -100  # Stripe keeps its fee on a refund: the campaign bears it


def test_the_platform_fee_rate_is_the_one_in_force_at_pledge_time(
    db, as_user, admin, give, campaign
):
    pledge = give(campaign, 10_000, paid=False)
    as_user(admin).update("platform_settings", {"platform_fee_bp": 300}, {"id": True})
    db.one(
        "select private.record_payment_event('stripe', 'evt_rate', 'x', now(), false, '{}', %s) as r",
        [
            Jsonb(
                {
                    "kind": "payment",
                    "status": "succeeded",
                    "amount": 10_000,
                    "currency": "XOF",
                    "donation_id": pledge["donation_id"],
                }
            )
        ],
    )
    fee = db.one("select amount from private.ledger_entries where kind = 'platform_fee'")["amount"]
    assert fee == -500  # 5 % then; a new pledge would pay 3 %


def test_only_admins_change_the_platform_fee(db, anon, as_user, user):
    assert anon.get("platform_settings")[0]["platform_fee_bp"] == 500
    assert as_user(user).update("platform_settings", {"platform_fee_bp": 0}, {"id": True}) == []
    assert db.one("select platform_fee_bp from public.platform_settings")["platform_fee_bp"] == 500
