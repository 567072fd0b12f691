"""Paying the institution directly: admins register verified hospitals,
schools… once; the owner asks for a payout straight to one; a category pays
an institution above an amount; no campaign team edits an institution. Every
rule as each actor."""

from __future__ import annotations

import json

import pytest

from tests.postgrest import ApiError
from tests.support.cast import ACTORS, WALLET, paid_payout
from tests.support.institutions import HOSPITAL, SCHOOL, register, to_institution


@pytest.fixture
def hospital(cast):
    return register(cast.api("admin"))


def counts(db) -> dict[str, int]:
    """What an institution or a payout writes, counted (nothing half-written)."""
    return db.sql(
        "select (select count(*) from public.institutions) as institutions,"
        " (select count(*) from private.institution_accounts) as accounts,"
        " (select count(*) from public.payout_requests) as payouts,"
        " (select count(*) from private.payout_accounts) as sealed,"
        " (select count(*) from private.ledger_entries) as ledger"
    )[0]


def refusal(actor: str, call) -> tuple[int, str]:
    with pytest.raises(ApiError) as err:
        call()
    return err.value.status, err.value.message


# Registering: admins only -------------------------------------------------------------

REGISTER = {
    "anon": (401, None),
    "donor": (403, "admin_only"),
    "owner": (403, "admin_only"),
    "co_organizer": (403, "admin_only"),
    "treasurer": (403, "admin_only"),
    "moderator": (403, "admin_only"),
    "admin": None,
    "banned": (403, "admin_only"),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_only_an_admin_registers_an_institution(db, cast, actor):
    if REGISTER[actor] is None:
        i = register(cast.api(actor))
        assert (i["name"], i["kind"], i["account_mask"]) == (
            HOSPITAL["name"],
            "hospital",
            "•••• 7890",
        )
        assert i["deactivated_at"] is None
        (sealed,) = db.sql(
            "select document_ref, verified_by from private.institution_accounts"
            " where institution_id = %s",
            [i["id"]],
        )
        assert sealed == {
            "document_ref": HOSPITAL["document_ref"],
            "verified_by": cast.users[actor].id,
        }
        (audit,) = db.sql(
            "select actor_id from private.audit_log where action = 'register_institution'"
        )
        assert audit["actor_id"] == cast.users[actor].id
        return
    before = counts(db)
    status, token = refusal(actor, lambda: register(cast.api(actor)))
    assert status == REGISTER[actor][0]
    if REGISTER[actor][1]:
        assert token == REGISTER[actor][1]
    assert counts(db) == before


def test_a_banned_admin_registers_nothing(db, cast, gotrue):
    gotrue.ban(cast.users["admin"])
    before = counts(db)
    status, token = refusal("admin", lambda: register(cast.api("admin")))
    assert (status, token) == (403, "admin_only")  # a banned admin is no admin
    assert counts(db) == before


# Reading: everyone sees names and masks, nobody the account --------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_everyone_reads_the_institutions_masked(cast, hospital, actor):
    (row,) = cast.api(actor).get("institutions", {"id": hospital["id"]})
    assert (row["name"], row["kind"], row["city"], row["country"]) == (
        "CHU Gabriel Touré", "hospital", "Bamako", "ML",
    )  # fmt: skip
    assert (row["bank_name"], row["beneficiary_mask"], row["account_mask"]) == (
        HOSPITAL["bank_name"], "C. G. T.", "•••• 7890",
    )  # fmt: skip
    text = json.dumps(row, default=str)
    assert "ML03D0123456789012345678 90" not in text
    assert "D01234567890" not in text
    assert "document_ref" not in row
    assert "verified_by" not in row


def test_the_account_is_sealed_in_the_database(db, hospital):
    (sealed,) = db.sql(
        "select ciphertext from private.institution_accounts where institution_id = %s",
        [hospital["id"]],
    )
    assert b"ML03D012" not in bytes(sealed["ciphertext"])
    assert b"Gabriel" not in bytes(sealed["ciphertext"])


@pytest.mark.parametrize("actor", ACTORS)
def test_nobody_reads_the_sealed_accounts_through_the_api(cast, hospital, actor):
    status, _ = refusal(actor, lambda: cast.api(actor).get("institution_accounts"))
    assert status in (404, 401, 403)


# Writing: never the campaign's team, nor anyone but the functions ---------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_nobody_writes_the_institutions_table_directly(db, cast, hospital, actor):
    api = cast.api(actor)
    before = db.sql("select * from public.institutions")
    for attempt in (
        lambda: api.update("institutions", {"account_mask": "•••• 0000"}, {"id": hospital["id"]}),
        lambda: api.insert(
            "institutions",
            {
                **{
                    k: HOSPITAL[k]
                    for k in ("name", "kind", "city", "country", "method", "bank_name")
                },
                "beneficiary_mask": "X.",
                "account_mask": "•••• 0000",
            },
        ),
        lambda: api.delete("institutions", {"id": hospital["id"]}),
    ):
        status, _ = refusal(actor, attempt)
        assert status in (401, 403)
    assert db.sql("select * from public.institutions") == before


UPDATE = {**REGISTER}


@pytest.mark.parametrize("actor", ACTORS)
def test_only_an_admin_re_verifies_an_institution(db, cast, hospital, actor):
    args = {
        "institution_id": hospital["id"],
        **HOSPITAL,
        "account_number": "ML99D0999999999999999999 11",
    }
    if UPDATE[actor] is None:
        i = cast.api(actor).rpc("update_institution", args)
        assert i["account_mask"] == "•••• 9911"
        assert i["verified_at"] > hospital["verified_at"]
        return
    before = db.sql("select * from public.institutions")
    sealed = db.sql("select * from private.institution_accounts")
    status, token = refusal(actor, lambda: cast.api(actor).rpc("update_institution", args))
    assert status == UPDATE[actor][0]
    if UPDATE[actor][1]:
        assert token == UPDATE[actor][1]
    assert db.sql("select * from public.institutions") == before
    assert db.sql("select * from private.institution_accounts") == sealed


@pytest.mark.parametrize("actor", ACTORS)
def test_only_an_admin_deactivates_an_institution(db, cast, hospital, actor):
    args = {"institution_id": hospital["id"], "reason": "Agrément retiré"}
    if REGISTER[actor] is None:
        i = cast.api(actor).rpc("deactivate_institution", args)
        assert i["deactivated_at"] is not None
        (audit,) = db.sql(
            "select details from private.audit_log where action = 'deactivate_institution'"
        )
        assert audit["details"] == {"reason": "Agrément retiré"}
        return
    status, _token = refusal(actor, lambda: cast.api(actor).rpc("deactivate_institution", args))
    assert status == REGISTER[actor][0]
    assert db.one("select deactivated_at from public.institutions")["deactivated_at"] is None


# Bad input: a clear token, nothing written ---------------------------------------------------


@pytest.mark.parametrize(
    ("change", "token"),
    [
        ({"account_number": "ML03-??"}, "invalid_payout_destination"),
        ({"bank_name": None}, "invalid_payout_destination"),
        ({"method": "mobile_money"}, "invalid_payout_destination"),
        ({"name": " "}, "invalid_institution"),
        ({"city": "B"}, "invalid_institution"),
        ({"country": "ZZ"}, "invalid_institution"),
        ({"document_ref": "africagnotte/documents/x"}, "invalid_institution"),
        ({"document_ref": None}, "invalid_institution"),
    ],
)
def test_bad_details_are_refused_with_nothing_written(db, cast, change, token):
    before = counts(db)
    status, message = refusal("admin", lambda: register(cast.api("admin"), **change))
    assert (status, message) == (422, token)
    assert counts(db) == before


def test_an_unknown_kind_is_refused_with_nothing_written(db, cast):
    before = counts(db)
    status, _ = refusal("admin", lambda: register(cast.api("admin"), kind="casino"))
    assert status == 400
    assert counts(db) == before


def test_the_same_institution_is_registered_once(db, cast, hospital):
    before = counts(db)
    status, token = refusal("admin", lambda: register(cast.api("admin"), name="chu gabriel touré"))
    assert (status, token) == (409, "institution_exists")
    assert counts(db) == before


def test_an_unknown_institution_is_not_found(db, cast):
    admin, unknown = cast.api("admin"), "00000000-0000-4000-8000-000000000000"
    before = counts(db)
    for call in (
        lambda: admin.rpc("update_institution", {"institution_id": unknown, **HOSPITAL}),
        lambda: admin.rpc("deactivate_institution", {"institution_id": unknown, "reason": "x y"}),
        lambda: cast.api("owner").rpc(
            "request_payout_to_institution",
            {"campaign_id": cast.campaign_id, "amount": 10_000, "institution_id": unknown},
        ),
    ):
        assert refusal("admin", call) == (404, "institution_not_found")
    assert counts(db) == before


def test_a_mobile_money_school_is_registered_with_its_wallet_masked(cast):
    school = register(cast.api("admin"), **SCHOOL)
    assert (school["method"], school["mobile_operator"], school["account_mask"]) == (
        "mobile_money", "wave", "+221 •• ••• •• 34",
    )  # fmt: skip


# A payout to the institution ------------------------------------------------------------


REQUEST = {
    "anon": (401, None),
    "donor": (403, "not_campaign_owner"),
    "owner": None,
    "co_organizer": (403, "not_campaign_owner"),
    "treasurer": (403, "not_campaign_owner"),
    "moderator": (403, "not_campaign_owner"),
    "admin": (403, "not_campaign_owner"),
    "banned": (403, "not_campaign_owner"),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_owner_asks_for_a_payout_to_an_institution(db, cast, hospital, actor):
    args = {"campaign_id": cast.campaign_id, "amount": 30_000, "institution_id": hospital["id"]}
    if REQUEST[actor] is None:
        p = cast.api(actor).rpc("request_payout_to_institution", args)
        assert (p["institution_id"], p["method"], p["bank_name"]) == (
            hospital["id"], "bank_account", HOSPITAL["bank_name"],
        )  # fmt: skip
        assert (p["beneficiary_mask"], p["account_mask"]) == ("C. G. T.", "•••• 7890")
        return
    before = counts(db)
    status, token = refusal(
        actor, lambda: cast.api(actor).rpc("request_payout_to_institution", args)
    )
    assert status == REQUEST[actor][0]
    if REQUEST[actor][1]:
        assert token in (REQUEST[actor][1], "campaign_not_found")
    assert counts(db) == before


def test_a_payout_to_a_hospital_is_approved_paid_and_names_it(db, cast, hospital):
    paid = paid_payout(
        cast, reference="VIR-2026-77",
        request=to_institution(cast.campaign_id, hospital["id"], 60_000),
    )  # fmt: skip
    assert (paid["status"], paid["institution_id"]) == ("paid", hospital["id"])
    # the payout carries a copy of the hospital's sealed account
    (copy,) = db.sql(
        "select p.ciphertext = i.ciphertext as same from private.payout_accounts as p,"
        " private.institution_accounts as i where p.payout_id = %s and i.institution_id = %s",
        [paid["id"], hospital["id"]],
    )
    assert copy["same"]
    told = [
        n["payload"]["destination"]
        for n in cast.api("owner").get("notifications", {"kind": "payout_update"})
    ]
    assert "CHU Gabriel Touré, Banque de Développement du Mali •••• 7890" in told
    (email,) = db.sql("select body from private.email_messages where template = 'payout_paid'")
    assert "CHU Gabriel Touré" in email["body"]
    assert "7890" in email["body"]
    assert "ML03D012" not in email["body"]
    team = cast.api("treasurer").get("payout_requests", {"id": paid["id"]})
    assert team[0]["institution_id"] == hospital["id"]


def test_a_deactivated_institution_cannot_be_chosen(db, cast, hospital):
    cast.api("admin").rpc(
        "deactivate_institution", {"institution_id": hospital["id"], "reason": "Compte clôturé"}
    )
    before = counts(db)
    status, token = refusal(
        "owner",
        lambda: to_institution(cast.campaign_id, hospital["id"], 10_000)(cast.api("owner")),
    )
    assert (status, token) == (409, "institution_deactivated")
    assert counts(db) == before
    # and it is no longer edited
    status, token = refusal(
        "admin",
        lambda: cast.api("admin").rpc(
            "update_institution", {"institution_id": hospital["id"], **HOSPITAL}
        ),
    )
    assert (status, token) == (409, "institution_deactivated")


def test_an_approved_payout_to_an_institution_deactivated_since_is_blocked(db, cast, hospital):
    from tests.support.cast import accepted_proofs

    owner, admin = cast.api("owner"), cast.api("admin")
    p = to_institution(cast.campaign_id, hospital["id"], 40_000)(owner)
    cast.api("treasurer").rpc("approve_payout_as_treasurer", {"payout_id": p["id"]})
    accepted_proofs(cast)
    admin.rpc("approve_payout", {"payout_id": p["id"]})
    admin.rpc("deactivate_institution", {"institution_id": hospital["id"], "reason": "Fraude"})
    blockers = owner.rpc("payout_blockers", {"payout_id": p["id"]})
    assert {"reason": "institution_deactivated"}.items() <= blockers[0].items()
    with pytest.raises(ApiError) as err:
        admin.rpc("mark_payout_paid", {"payout_id": p["id"], "reference": "VIR-1"})
    assert (err.value.status, err.value.message) == (409, "payout_blocked")
    assert json.loads(err.value.details) == [{"reason": "institution_deactivated"}]
    assert db.one("select status from public.payout_requests")["status"] == "approved"
    # rejecting gives the money back
    admin.rpc("reject_payout", {"payout_id": p["id"], "reason": "Institution désactivée"})
    assert db.one("select status from public.payout_requests")["status"] == "rejected"


def test_a_requested_payout_to_an_institution_deactivated_since_cannot_be_approved(
    db, cast, hospital
):
    from tests.support.cast import accepted_proofs

    admin = cast.api("admin")
    p = to_institution(cast.campaign_id, hospital["id"], 40_000)(cast.api("owner"))
    cast.api("treasurer").rpc("approve_payout_as_treasurer", {"payout_id": p["id"]})
    accepted_proofs(cast)
    admin.rpc("deactivate_institution", {"institution_id": hospital["id"], "reason": "Fraude"})
    with pytest.raises(ApiError) as err:
        admin.rpc("approve_payout", {"payout_id": p["id"]})
    assert (err.value.status, err.value.message) == (409, "payout_blocked")


def test_a_re_verified_institution_leaves_open_payouts_on_the_account_they_asked_for(
    db, cast, hospital
):
    p = to_institution(cast.campaign_id, hospital["id"], 10_000)(cast.api("owner"))
    cast.api("admin").rpc(
        "update_institution",
        {
            "institution_id": hospital["id"],
            **HOSPITAL,
            "account_number": "ML99D0999999999999999999 11",
        },
    )
    (row,) = db.sql(
        "select p.ciphertext = i.ciphertext as same, r.account_mask from private.payout_accounts as p"
        " join public.payout_requests as r on r.id = p.payout_id,"
        " private.institution_accounts as i where p.payout_id = %s",
        [p["id"]],
    )
    assert row == {"same": False, "account_mask": "•••• 7890"}


# The category's threshold -----------------------------------------------------------------


@pytest.fixture
def rich(cast, give):
    """The campaign has received 800 000 F CFA more (900 000 in all)."""
    give(cast.campaign, 800_000, cast.users["donor"], fee=10_000)
    return cast


def organiser(cast, amount):
    return cast.api("owner").rpc(
        "request_payout", {"campaign_id": cast.campaign_id, "amount": amount, **WALLET}
    )


def test_sante_above_500_000_xof_to_the_organiser_is_refused(db, rich):
    before = counts(db)
    with pytest.raises(ApiError) as err:
        organiser(rich, 600_000)
    assert (err.value.status, err.value.message) == (409, "institution_required")
    assert "500000" in err.value.details
    assert "XOF" in err.value.details
    assert counts(db) == before


def test_sante_below_500_000_xof_to_the_organiser_is_allowed_but_not_twice_over(db, rich):
    p = organiser(rich, 400_000)
    assert p["institution_id"] is None
    rich.api("owner").rpc("cancel_payout", {"payout_id": p["id"]})
    organiser(rich, 500_000)  # cancelled: given back, not counted
    paid_payout(
        rich, request=lambda owner: owner.get("payout_requests", {"status": "requested"})[0]
    )
    with pytest.raises(ApiError) as err:
        organiser(rich, 1_000)
    assert err.value.message == "institution_required"


def test_sante_above_500_000_xof_to_the_hospital_is_allowed(rich, hospital):
    p = to_institution(rich.campaign_id, hospital["id"], 700_000)(rich.api("owner"))
    assert (p["amount"], p["institution_id"]) == (700_000, hospital["id"])


THRESHOLD = {**REGISTER}


@pytest.mark.parametrize("actor", ACTORS)
def test_only_an_admin_sets_a_categorys_threshold(db, cast, actor):
    args = {"category": "education", "currency": "XOF", "above": 1_000_000}
    if THRESHOLD[actor] is None:
        cast.api(actor).rpc("set_institution_threshold", args)
        rows = cast.api("anon").get("category_institution_thresholds", {"category": "education"})
        assert rows == [{"category": "education", "currency": "XOF", "above": 1_000_000}]
        cast.api(actor).rpc("set_institution_threshold", {**args, "above": None})
        assert (
            cast.api("anon").get("category_institution_thresholds", {"category": "education"}) == []
        )
        return
    status, _ = refusal(actor, lambda: cast.api(actor).rpc("set_institution_threshold", args))
    assert status == THRESHOLD[actor][0]
    assert (
        db.sql("select 1 from public.category_institution_thresholds where category = 'education'")
        == []
    )


@pytest.mark.parametrize(
    "args",
    [
        {"category": "nope", "currency": "XOF", "above": 1},
        {"category": "sante", "currency": "ZZZ", "above": 1},
        {"category": "sante", "currency": "XOF", "above": -1},
    ],
)
def test_a_bad_threshold_is_refused_with_nothing_changed(db, cast, args):
    before = db.sql("select * from public.category_institution_thresholds")
    status, token = refusal(
        "admin", lambda: cast.api("admin").rpc("set_institution_threshold", args)
    )
    assert (status, token) == (422, "invalid_institution_threshold")
    assert db.sql("select * from public.category_institution_thresholds") == before


# The service: the team reads where its payout goes ---------------------------------------


def read_account(service, user, payout_id):
    return service.get(
        f"/payouts/{payout_id}/account", headers={"Authorization": f"Bearer {user.token}"}
    )


@pytest.mark.parametrize("actor", ["owner", "co_organizer", "treasurer"])
def test_the_team_reads_an_institution_payout_by_its_name_and_masks_only(
    service, cast, hospital, actor
):
    p = to_institution(cast.campaign_id, hospital["id"], 10_000)(cast.api("owner"))
    response = read_account(service, cast.users[actor], p["id"])
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["institution_name"], body["account_mask"], body["bank_name"]) == (
        "CHU Gabriel Touré", "•••• 7890", HOSPITAL["bank_name"],
    )  # fmt: skip
    assert body["account_number"] is None
    assert body["beneficiary_name"] is None
    assert "D0123456789" not in response.get_data(as_text=True)


@pytest.mark.parametrize("actor", ["donor", "moderator", "admin", "banned"])
def test_others_read_no_institution_payout_through_the_service(service, cast, hospital, actor):
    p = to_institution(cast.campaign_id, hospital["id"], 10_000)(cast.api("owner"))
    response = read_account(service, cast.users[actor], p["id"])
    assert response.status_code in (403, 404)
    assert "D0123456789" not in response.get_data(as_text=True)


def test_an_organiser_payout_still_shows_its_account_in_full_to_the_team(service, cast):
    p = cast.api("owner").rpc(
        "request_payout", {"campaign_id": cast.campaign_id, "amount": 10_000, **WALLET}
    )
    body = read_account(service, cast.users["treasurer"], p["id"]).json
    assert (body["phone_number"], body["institution_name"]) == (WALLET["phone_number"], None)


# The console ---------------------------------------------------------------------------------


def test_the_console_adds_lists_shows_and_deactivates_an_institution(db, operator_cli):
    added = operator_cli(
        "institutions", "add", "Clinique Pasteur", "--kind", "clinic", "--city", "Abidjan",
        "--country", "CI", "--document", "africagnotte/institutions/pasteur/agrement",
        "--beneficiary", "Clinique Pasteur SA", "--operator", "orange_money",
        "--phone", "+225 07 00 00 12 34", "--json", input="o\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    institution = json.loads(added.stdout)
    assert institution["account_mask"] == "+225 •• ••• •• 34"
    listed = operator_cli("institutions", "list", "--json")
    assert [r["name"] for r in json.loads(listed.stdout)] == ["Clinique Pasteur"]
    assert "0700001234" not in listed.stdout
    shown = operator_cli("institutions", "show", institution["id"][:8], "--json")
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.stdout)
    assert (view["phone_number"], view["beneficiary_name"], view["document_ref"]) == (
        "+2250700001234", "Clinique Pasteur SA", "africagnotte/institutions/pasteur/agrement",
    )  # fmt: skip
    assert db.sql(
        "select operator from private.audit_log where action = 'read_institution_account'"
    )
    gone = operator_cli(
        "institutions", "deactivate", institution["id"], "--reason", "Agrément expiré", "--yes"
    )
    assert gone.exit_code == 0, gone.output
    assert json.loads(operator_cli("institutions", "list", "--json").stdout) == []
    assert len(json.loads(operator_cli("institutions", "list", "--all", "--json").stdout)) == 1


def test_the_console_refuses_a_bad_institution_with_nothing_written(db, operator_cli):
    result = operator_cli(
        "institutions", "add", "Clinique Pasteur", "--kind", "clinic", "--city", "Abidjan",
        "--country", "CI", "--document", "africagnotte/institutions/pasteur/agrement",
        "--beneficiary", "Clinique Pasteur SA", "--bank", "SGBCI", "--account", "??", "--yes",
    )  # fmt: skip
    assert result.exit_code != 0
    assert db.sql("select 1 from public.institutions") == []


def test_the_console_sets_and_drops_a_categorys_requirement(db, operator_cli):
    result = operator_cli("institutions", "require", "education", "1 000 000", "XOF")
    assert result.exit_code == 0, result.output
    assert db.sql(
        "select above from public.category_institution_thresholds where category = 'education'"
    ) == [{"above": 1_000_000}]
    result = operator_cli("institutions", "drop-requirement", "education", "xof")
    assert result.exit_code == 0, result.output
    assert (
        db.sql("select 1 from public.category_institution_thresholds where category = 'education'")
        == []
    )


def test_payouts_show_opens_an_institution_payout_for_the_deciding_admin(
    operator_cli, cast, hospital
):
    p = to_institution(cast.campaign_id, hospital["id"], 10_000)(cast.api("owner"))
    listed = json.loads(operator_cli("payouts", "list", "--json").stdout)
    assert [r["institution"] for r in listed] == ["CHU Gabriel Touré"]
    shown = operator_cli("payouts", "show", str(p["id"]), "--json")
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.stdout)
    assert (view["institution_name"], view["account_number"]) == (
        "CHU Gabriel Touré", "ML03D01234567890123456789" + "0",
    )  # fmt: skip


def test_a_banned_owner_asks_for_nothing_even_to_a_hospital(db, cast, gotrue, hospital):
    gotrue.ban(cast.users["owner"])  # a ban freezes the owner's campaigns
    before = counts(db)
    with pytest.raises(ApiError) as err:
        to_institution(cast.campaign_id, hospital["id"], 10_000)(cast.api("owner"))
    assert (err.value.status, err.value.message) == (409, "payout_blocked")
    assert counts(db) == before


def test_a_payout_to_an_institution_is_within_the_balance(db, cast, hospital):
    before = counts(db)
    with pytest.raises(ApiError) as err:
        to_institution(cast.campaign_id, hospital["id"], 10_000_000)(cast.api("owner"))
    assert (err.value.status, err.value.message) == (409, "amount_exceeds_balance")
    assert counts(db) == before
