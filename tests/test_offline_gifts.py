"""Attested offline gifts (issue #19, item 4): cash and agent gifts collected at a
funeral or a church, recorded by a treasurer, co-signed by a second team member
or staff, then counted in the campaign's progress apart from the money received
online, never in the payable balance nor the ledger."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import cloudinary.utils
import pytest

from tests.conftest import CLOUDINARY_CLOUD, CLOUDINARY_KEY, CLOUDINARY_SECRET
from tests.postgrest import ApiError
from tests.rls_world import outcome
from tests.support.cast import ACTORS
from tests.support.offline_gifts import books, gift_args, record_gift, slip_ref


def refused(call, status: int, token: str) -> ApiError:
    with pytest.raises(ApiError) as err:
        call()
    assert (err.value.status, err.value.message) == (status, token), err.value
    return err.value


def audited(db, gift_id) -> list[dict]:
    return db.sql(
        "select action, actor_id, details from private.audit_log"
        " where target_type = 'offline_gift' and target_id = %s order by id",
        [str(gift_id)],
    )


def notified(db, gift_id) -> set[tuple[str, str]]:
    return {
        (r["kind"], str(r["user_id"]))
        for r in db.sql(
            "select kind::text, user_id from public.notifications where payload ->> 'gift_id' = %s",
            [str(gift_id)],
        )
    }


def today() -> str:
    return datetime.now(UTC).date().isoformat()


# The journey -------------------------------------------------------------------------------


def test_a_treasurer_records_a_gift_a_second_treasurer_attests_it_and_only_the_progress_moves(
    db, cast
):
    before = books(db, cast.campaign_id)
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    assert gift["status"] == "pending"
    assert str(gift["recorded_by"]) == str(cast.users["treasurer"].id)
    assert books(db, cast.campaign_id) == before  # pending: counts nowhere

    attested = cast.api("second_treasurer").rpc("attest_offline_gift", {"gift_id": gift["id"]})

    assert attested["status"] == "attested"
    assert str(attested["attested_by"]) == str(cast.users["second_treasurer"].id)
    after = books(db, cast.campaign_id)
    assert after["offline_amount"] == 50_000
    # shown apart: the online totals, the ledger and the balance do not move
    for money in ("collected_amount", "progress_bp", "entries", "ledger", "balance"):
        assert after[money] == before[money], money
    assert after["progress_with_offline_bp"] == (100_000 + 50_000) * 10_000 // 2_500_000
    assert db.sql("select * from private.check_ledger()") == []


def test_the_page_shows_attested_gifts_to_anyone_without_the_slip(db, cast):
    named = record_gift(cast.api("treasurer"), cast.campaign_id, amount=20_000)
    unnamed = record_gift(
        cast.api("treasurer"), cast.campaign_id, amount=5_000, channel="agent",
        giver_consented=False, giver_name=None,
    )  # fmt: skip
    record_gift(cast.api("treasurer"), cast.campaign_id, amount=7_000)  # stays pending
    for gift in (named, unnamed):
        cast.api("owner").rpc("attest_offline_gift", {"gift_id": gift["id"]})

    rows = cast.api("anon").rpc("campaign_offline_gifts", {"campaign_id": cast.campaign_id})

    assert sorted((r["amount"], r["channel"], r["giver_name"]) for r in rows) == [
        (5_000, "agent", None),
        (20_000, "cash", "Famille Diarra"),
    ]
    assert all("slip_ref" not in r and str(r["received_on"]) == today() for r in rows)
    campaign = cast.api("anon").get("campaigns", {"id": cast.campaign_id})[0]
    assert (campaign["collected_amount"], campaign["offline_amount"]) == (100_000, 25_000)


def test_the_team_is_told_when_a_gift_awaits_its_signature_and_when_it_is_attested(db, cast):
    u = cast.users
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    assert notified(db, gift["id"]) == {
        ("offline_gift_to_attest", str(u["owner"].id)),
        ("offline_gift_to_attest", str(u["second_treasurer"].id)),
    }
    cast.api("second_treasurer").rpc("attest_offline_gift", {"gift_id": gift["id"]})
    assert {
        (kind, who) for kind, who in notified(db, gift["id"]) if kind == "offline_gift_attested"
    } == {
        ("offline_gift_attested", str(u["owner"].id)),
        ("offline_gift_attested", str(u["treasurer"].id)),
    }
    emails = db.sql(
        "select template, locale::text, subject, body from private.email_messages"
        " where template like 'offline_gift_%%' order by id"
    )
    assert {e["template"] for e in emails} == {"offline_gift_to_attest", "offline_gift_attested"}
    assert all("50" in e["subject"] and "{{" not in e["body"] for e in emails)


def test_a_recorder_who_left_the_team_is_no_longer_told_of_their_gift(db, cast):
    u = cast.users
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    db.sql(
        "delete from public.campaign_members where campaign_id = %s and user_id = %s",
        [cast.campaign_id, u["treasurer"].id],
    )
    cast.api("second_treasurer").rpc("attest_offline_gift", {"gift_id": gift["id"]})
    told = {who for kind, who in notified(db, gift["id"]) if kind == "offline_gift_attested"}
    assert told == {str(u["owner"].id)}


def test_the_recorder_cannot_co_sign_their_own_gift(db, cast):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    treasurer = cast.api("treasurer")
    refused(lambda: treasurer.rpc("attest_offline_gift", {"gift_id": gift["id"]}),
            403, "cannot_attest_own_gift")  # fmt: skip
    refused(
        lambda: treasurer.rpc("refuse_offline_gift", {"gift_id": gift["id"], "reason": "Moi"}),
        403, "cannot_attest_own_gift",
    )  # fmt: skip
    assert books(db, cast.campaign_id)["offline_amount"] == 0


def test_staff_attest_a_gift_but_never_one_of_a_campaign_of_their_own_team(db, cast):
    first = record_gift(cast.api("treasurer"), cast.campaign_id, amount=10_000)
    assert (
        cast.api("moderator").rpc("attest_offline_gift", {"gift_id": first["id"]})["status"]
        == "attested"
    )
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [cast.campaign_id, cast.users["admin"].id],
    )
    second = record_gift(cast.api("treasurer"), cast.campaign_id, amount=10_000)
    refused(lambda: cast.api("admin").rpc("attest_offline_gift", {"gift_id": second["id"]}),
            403, "not_treasurer")  # fmt: skip
    assert books(db, cast.campaign_id)["offline_amount"] == 10_000


def test_a_refusal_is_audited_with_its_reason_and_never_counts(db, cast):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    owner = cast.api("owner")
    refused(lambda: owner.rpc("refuse_offline_gift", {"gift_id": gift["id"], "reason": "  "}),
            422, "reason_required")  # fmt: skip

    done = owner.rpc(
        "refuse_offline_gift", {"gift_id": gift["id"], "reason": "Le bordereau est illisible"}
    )

    assert (done["status"], done["reason"]) == ("refused", "Le bordereau est illisible")
    assert str(done["refused_by"]) == str(cast.users["owner"].id)
    assert [(a["action"], a["details"].get("reason")) for a in audited(db, gift["id"])] == [
        ("record_offline_gift", None),
        ("refuse_offline_gift", "Le bordereau est illisible"),
    ]
    assert books(db, cast.campaign_id)["offline_amount"] == 0
    refused(lambda: owner.rpc("attest_offline_gift", {"gift_id": gift["id"]}),
            409, "invalid_offline_gift_transition")  # fmt: skip
    assert ("offline_gift_refused", str(cast.users["treasurer"].id)) in notified(db, gift["id"])


def test_withdrawing_an_attested_gift_takes_it_out_of_the_progress_and_is_audited(db, cast):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    cast.api("second_treasurer").rpc("attest_offline_gift", {"gift_id": gift["id"]})
    before = books(db, cast.campaign_id)

    done = cast.api("treasurer").rpc(
        "withdraw_offline_gift", {"gift_id": gift["id"], "reason": "Compté deux fois"}
    )

    assert (done["status"], done["reason"]) == ("withdrawn", "Compté deux fois")
    assert done["attested_at"] is not None  # who attested it stays known
    after = books(db, cast.campaign_id)
    assert after["offline_amount"] == before["offline_amount"] - 50_000 == 0
    assert (after["ledger"], after["balance"]) == (before["ledger"], before["balance"])
    actions = [(a["action"], a["details"].get("from")) for a in audited(db, gift["id"])]
    assert actions[-1] == ("withdraw_offline_gift", "attested")
    assert cast.api("anon").rpc("campaign_offline_gifts", {"campaign_id": cast.campaign_id}) == []
    refused(
        lambda: cast.api("owner").rpc(
            "withdraw_offline_gift", {"gift_id": gift["id"], "reason": "Encore"}
        ),
        409, "invalid_offline_gift_transition",
    )  # fmt: skip


def test_the_owner_records_while_the_campaign_has_no_treasurer_and_staff_co_sign(
    db, owner, as_user, make_campaign, moderator
):
    campaign = make_campaign(owner, "active")
    gift = record_gift(as_user(owner), campaign["id"])
    refused(lambda: as_user(owner).rpc("attest_offline_gift", {"gift_id": gift["id"]}),
            403, "cannot_attest_own_gift")  # fmt: skip
    as_user(moderator).rpc("attest_offline_gift", {"gift_id": gift["id"]})
    assert books(db, campaign["id"])["offline_amount"] == 50_000


def test_a_frozen_or_cancelled_campaign_records_and_attests_nothing_but_may_withdraw(db, cast):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    cast.api("admin").rpc("freeze_campaign", {"campaign_id": cast.campaign_id, "reason": "Enquête"})
    refused(lambda: record_gift(cast.api("treasurer"), cast.campaign_id), 409, "campaign_closed")
    refused(lambda: cast.api("owner").rpc("attest_offline_gift", {"gift_id": gift["id"]}),
            409, "campaign_closed")  # fmt: skip
    cast.api("moderator").rpc("withdraw_offline_gift", {"gift_id": gift["id"], "reason": "Fraude"})
    cast.api("admin").rpc(
        "close_campaign_with_refunds", {"campaign_id": cast.campaign_id, "reason": "Fraude"}
    )
    refused(lambda: record_gift(cast.api("treasurer"), cast.campaign_id), 409, "campaign_closed")
    assert books(db, cast.campaign_id)["offline_amount"] == 0


def test_a_draft_takes_no_offline_gift(owner, as_user, make_campaign):
    draft = make_campaign(owner)
    refused(lambda: record_gift(as_user(owner), draft["id"]), 409, "invalid_status_transition")


# Bad input: a clear token, nothing written ----------------------------------------------------

TOMORROW_AND_ONE = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()

BAD_INPUT = {
    "zero": ({"amount": 0}, "amount_out_of_bounds"),
    "negative": ({"amount": -5_000}, "amount_out_of_bounds"),
    "beyond any goal": ({"amount": 10**15}, "amount_out_of_bounds"),
    "another currency": ({"currency": "EUR"}, "currency_mismatch"),
    "no currency": ({"currency": None}, "currency_mismatch"),
    "in the future": ({"received_on": TOMORROW_AND_ONE}, "invalid_offline_gift"),
    "before the campaign": ({"received_on": "2020-01-01"}, "invalid_offline_gift"),
    "no day": ({"received_on": None}, "invalid_offline_gift"),
    "no channel": ({"channel": None}, "invalid_offline_gift"),
    "no slip": ({"slip_ref": None}, "invalid_slip_ref"),
    "a public folder": ({"slip_ref": "africagnotte/campaigns/x/recu"}, "invalid_slip_ref"),
    "another campaign's folder": (
        {"slip_ref": "africagnotte/offline/00000000-0000-0000-0000-000000000000/recu"},
        "invalid_slip_ref",
    ),
    "a way out of the folder": ({"slip_ref": "{folder}/../../documents/x"}, "invalid_slip_ref"),
    "a space": ({"slip_ref": "{folder}/recu du jour"}, "invalid_slip_ref"),
    "a name without consent": ({"giver_consented": False}, "giver_consent_required"),
    "consent without a name": ({"giver_name": "  "}, "invalid_giver_name"),
    "a name on two lines": ({"giver_name": "Awa\nDiarra"}, "invalid_giver_name"),
    "a name too long": ({"giver_name": "A" * 121}, "invalid_giver_name"),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_is_refused_with_a_clear_token_and_nothing_written(db, cast, case):
    change, token = BAD_INPUT[case]
    folder = f"africagnotte/offline/{cast.campaign_id}"
    change = {k: v.format(folder=folder) if isinstance(v, str) else v for k, v in change.items()}
    audit = db.one("select count(*) as n from private.audit_log")["n"]

    err = refused(
        lambda: record_gift(cast.api("treasurer"), cast.campaign_id, **change), 422, token
    )

    assert err.code == "PT422"
    assert db.one("select count(*) as n from public.offline_gifts")["n"] == 0
    assert db.one("select count(*) as n from private.audit_log")["n"] == audit
    assert (
        db.one("select count(*) as n from public.notifications where kind::text like 'offline%%'")[
            "n"
        ]
        == 0
    )


def test_a_slip_backs_one_gift_only(db, cast):
    ref = slip_ref(cast.campaign_id, "bordereau-om-1")
    record_gift(cast.api("treasurer"), cast.campaign_id, slip_ref=ref)
    refused(lambda: record_gift(cast.api("second_treasurer"), cast.campaign_id, slip_ref=ref),
            409, "slip_already_recorded")  # fmt: skip
    assert db.one("select count(*) as n from public.offline_gifts")["n"] == 1


# Each actor -------------------------------------------------------------------------------


def table(expected: str) -> list[tuple[str, str]]:
    return list(zip(ACTORS, expected.split(), strict=True))


@pytest.mark.parametrize(
    ("actor", "expected"),
    #       anon   donor         owner         co_organizer  treasurer moderator     admin         banned
    table("denied not_treasurer not_treasurer not_treasurer ok        not_treasurer not_treasurer account_banned"),
)  # fmt: skip
def test_who_records_an_offline_gift(db, cast, actor, expected):
    assert outcome(lambda: record_gift(cast.api(actor), cast.campaign_id)) == expected
    assert db.one("select count(*) as n from public.offline_gifts")["n"] == (expected == "ok")


@pytest.mark.parametrize(
    ("actor", "expected"),
    #       anon   donor                  owner co_organizer  treasurer              moderator admin banned
    table("denied offline_gift_not_found ok    not_treasurer cannot_attest_own_gift ok        ok    account_banned"),
)  # fmt: skip
def test_who_attests_an_offline_gift(db, cast, actor, expected):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    assert (
        outcome(lambda: cast.api(actor).rpc("attest_offline_gift", {"gift_id": gift["id"]}))
        == expected
    )
    assert books(db, cast.campaign_id)["offline_amount"] == (50_000 if expected == "ok" else 0)


@pytest.mark.parametrize(
    ("actor", "expected"),
    #       anon   donor                  owner co_organizer  treasurer              moderator admin banned
    table("denied offline_gift_not_found ok    not_treasurer cannot_attest_own_gift ok        ok    account_banned"),
)  # fmt: skip
def test_who_refuses_an_offline_gift(db, cast, actor, expected):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    args = {"gift_id": gift["id"], "reason": "Montant douteux"}
    assert outcome(lambda: cast.api(actor).rpc("refuse_offline_gift", args)) == expected


@pytest.mark.parametrize(
    ("actor", "expected"),
    #       anon   donor                  owner co_organizer              treasurer moderator admin banned
    table("denied offline_gift_not_found ok    not_offline_gift_recorder ok        ok        ok    account_banned"),
)  # fmt: skip
def test_who_withdraws_an_attested_offline_gift(db, cast, actor, expected):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    cast.api("second_treasurer").rpc("attest_offline_gift", {"gift_id": gift["id"]})
    args = {"gift_id": gift["id"], "reason": "Erreur de saisie"}
    assert outcome(lambda: cast.api(actor).rpc("withdraw_offline_gift", args)) == expected
    assert books(db, cast.campaign_id)["offline_amount"] == (0 if expected == "ok" else 50_000)


@pytest.mark.parametrize(
    ("actor", "expected"),
    #       anon   donor owner co_organizer treasurer moderator admin banned
    table("denied none  ok    ok           ok        ok        ok    none"),
)  # fmt: skip
def test_who_reads_the_gifts_and_their_slips(cast, actor, expected):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    rows = []
    result = outcome(
        lambda: rows.extend(cast.api(actor).get("offline_gifts", {"id": gift["id"]})) or rows
    )
    assert result == expected
    if expected == "ok":
        assert rows[0]["slip_ref"] == gift["slip_ref"]


@pytest.mark.parametrize("actor", ACTORS)
def test_everyone_reads_the_attested_gifts_only(cast, actor):
    pending = record_gift(cast.api("treasurer"), cast.campaign_id, amount=1_000)
    attested = record_gift(cast.api("treasurer"), cast.campaign_id, amount=2_000)
    cast.api("owner").rpc("attest_offline_gift", {"gift_id": attested["id"]})
    rows = cast.api(actor).rpc("campaign_offline_gifts", {"campaign_id": cast.campaign_id})
    assert [r["id"] for r in rows] == [attested["id"]]
    assert pending["id"] not in {r["id"] for r in rows}


def test_no_one_writes_the_table_directly(cast):
    for actor in ("treasurer", "owner", "admin"):
        with pytest.raises(ApiError) as err:
            cast.api(actor).insert(
                "offline_gifts",
                {k: v for k, v in gift_args(cast.campaign_id).items() if k != "campaign_id"}
                | {"campaign_id": cast.campaign_id, "status": "attested"},
            )
        assert err.value.code == "42501"


# The console: `cagnotte-admin offline-gifts` -------------------------------------------------


@pytest.fixture
def cloudinary_configured(monkeypatch):
    monkeypatch.setenv(
        "CLOUDINARY_URL", f"cloudinary://{CLOUDINARY_KEY}:{CLOUDINARY_SECRET}@{CLOUDINARY_CLOUD}"
    )


@pytest.fixture
def cli(operator_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: whole cells
    return functools.partial(operator_cli, "--lang", "fr", "offline-gifts")


def test_the_console_lists_the_gifts_waiting_for_a_co_signature_first(cli, cast):
    attested = record_gift(cast.api("treasurer"), cast.campaign_id, amount=1_000)
    cast.api("owner").rpc("attest_offline_gift", {"gift_id": attested["id"]})
    pending = record_gift(cast.api("treasurer"), cast.campaign_id, amount=2_000)

    result = cli("list", "--json")

    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == [str(pending["id"]), str(attested["id"])]
    only = json.loads(cli("list", "--status", "attested", "--json").stdout)
    assert [r["id"] for r in only] == [str(attested["id"])]
    french = cli("list")
    assert "Dons hors ligne" in french.stdout
    assert "espèces" in french.stdout


def test_the_console_shows_a_gift_with_a_signed_link_to_its_slip_audited(
    db, cli, cast, cloudinary_configured
):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)

    result = cli("show", str(gift["id"])[:8], "--minutes", "10")

    assert result.exit_code == 0, result.output
    for text in ("Famille Diarra", "Mariam Keïta", "Enregistré par", "pending", "50"):
        assert text in result.stdout, text
    url = urlsplit(result.stdout.strip().splitlines()[-1])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (query["public_id"], query["type"]) == (gift["slip_ref"], "authenticated")
    signed = {k: v for k, v in query.items() if k not in ("signature", "api_key")}
    assert query["signature"] == cloudinary.utils.api_sign_request(signed, CLOUDINARY_SECRET)
    assert db.sql(
        "select target_id from private.audit_log where action = 'offline-gifts show'"
    ) == [{"target_id": str(gift["id"])}]


def test_staff_attest_refuse_and_withdraw_from_the_console_through_the_database(db, cli, cast):
    first = record_gift(cast.api("treasurer"), cast.campaign_id, amount=10_000)
    second = record_gift(cast.api("treasurer"), cast.campaign_id, amount=20_000)

    attested = cli("attest", str(first["id"])[:8])
    assert attested.exit_code == 0, attested.output
    assert "Attesté" in attested.stdout
    assert books(db, cast.campaign_id)["offline_amount"] == 10_000

    blank = cli("refuse", str(second["id"]), "--reason", "  ")
    assert blank.exit_code != 0
    assert "Traceback" not in blank.output
    refused_ = cli("refuse", str(second["id"]), "--reason", "Bordereau illisible")
    assert refused_.exit_code == 0, refused_.output
    assert "Bordereau illisible" in refused_.stdout

    withdrawn = cli("withdraw", str(first["id"]), "--reason", "Doublon", "--yes")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert books(db, cast.campaign_id)["offline_amount"] == 0
    actions = [r["action"] for r in db.sql("select action from private.audit_log order by id")]
    for action in ("attest_offline_gift", "offline-gifts attest", "refuse_offline_gift",
                   "offline-gifts refuse", "withdraw_offline_gift", "offline-gifts withdraw"):  # fmt: skip
        assert action in actions, action


def test_the_console_says_in_french_why_the_database_refuses(cli, cast):
    gift = record_gift(cast.api("treasurer"), cast.campaign_id)
    cli("withdraw", str(gift["id"]), "--reason", "Doublon", "--yes")
    again = cli("attest", str(gift["id"]))
    assert again.exit_code != 0
    assert "n'est plus dans un état qui le permet" in again.output
    unknown = cli("show", "00000000")
    assert "don hors ligne" in unknown.output


# The slip's upload: signed by the service for those who may record ---------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    #      anon               donor             owner             co_organizer      treasurer
    [("anon", (401, "sign_in_required")), ("donor", (403, "not_treasurer")),
     ("owner", (403, "not_treasurer")), ("co_organizer", (403, "not_treasurer")),
     ("treasurer", (200, None)), ("moderator", (403, "not_treasurer")),
     ("admin", (403, "not_treasurer")), ("banned", (403, "account_banned"))],
)  # fmt: skip
def test_who_gets_a_signed_upload_for_a_slip(service, cast, actor, expected):
    user = cast.users.get(actor)
    headers = {"Authorization": f"Bearer {user.token}"} if actor != "anon" else {}
    response = service.post(
        "/media/signature",
        json={"target": "offline_slip", "campaign_id": cast.campaign_id},
        headers=headers,
    )
    body = response.get_json()
    assert (response.status_code, body.get("message")) == expected, body
    if expected[0] == 200:
        fields = body["fields"]
        assert fields["folder"] == f"africagnotte/offline/{cast.campaign_id}"
        assert fields["type"] == "authenticated"  # private: signed links only
        assert "notification_url" not in fields
