"""Receipts (issue #19, item 1): every succeeded donation gets a numbered receipt
(gap-free per year), emailed with a signed link the service answers with a PDF
in the donor's language; a refund issues a credit note and a full one voids the
receipt; organisations registered by admins put their tax fields on it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from tests import stripe_fake as sf
from tests.postgrest import ApiError
from tests.support.cast import ACTORS
from tests.support.paystack import paid, pay_by_paystack
from tests.support.receipts import (
    emails_of,
    link_in,
    pay_by_card,
    pdf_text,
    receipts_of,
    refund,
    signed_link,
)

YEAR = datetime.now(UTC).year

ORGANISATION = {
    "legal_name": "Association Santé pour Tous",
    "address": "Rue 12, Hamdallaye ACI 2000, Bamako",
    "legal_mention_fr": "Don ouvrant droit à réduction d'impôt (article 1er de la loi 2023-12).",
    "legal_mention_en": "Gift eligible for a tax reduction (section 1 of act 2023-12).",
    "rccm": "MA.BKO.2019.B.1234",
    "ninea": None,
    "ifu": "IFU-0012345",
}


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


# Issuing ------------------------------------------------------------------------------------


def test_a_card_and_a_mobile_money_donation_get_consecutive_receipts(
    db, service, donate, post_event, pay_by_mobile_money, notify, cinetpay_api, campaign, user
):
    card = pay_by_card(donate, post_event, campaign, 5000, user.token)
    mobile = pay_by_mobile_money(campaign, 3000)
    cinetpay_api.settle(mobile["transaction_id"], "ACCEPTED")
    assert notify(mobile["transaction_id"]).status_code == 200
    (first,) = receipts_of(db, card["donation_id"])
    (second,) = receipts_of(db, mobile["donation_id"])
    assert first["number"] == f"R-{YEAR}-000001"
    assert second["number"] == f"R-{YEAR}-000002"
    assert (first["provider"], first["provider_ref"]) == ("stripe", card["payment_intent"])
    assert second["provider"] == "cinetpay"
    assert second["provider_ref"] == mobile["transaction_id"]
    assert (first["amount"], first["currency"], first["voided_at"]) == (5000, "XOF", None)
    assert first["campaign_title"] == campaign["title"]
    assert first["organiser_name"] == "Aminata Traoré"


def test_a_paystack_receipt_shows_the_reference_we_gave_paystack_not_its_transaction_number(
    db, service, paystack_api, owner, make_campaign
):
    naira = make_campaign(owner, "active", currency="NGN", goal_amount=500_000_000)
    p = pay_by_paystack(service, paystack_api, naira, 500_000)
    assert paid(service, paystack_api, p["reference"]).status_code == 200

    (receipt,) = receipts_of(db, p["donation_id"])
    assert (receipt["provider"], receipt["provider_ref"]) == ("paystack", p["reference"])
    assert receipt["provider_ref"] != str(paystack_api.transactions[p["reference"]]["id"])


def test_the_thank_you_email_carries_the_link_to_a_pdf_of_the_receipt(
    db, service, donate, post_event, campaign, user
):
    card = pay_by_card(donate, post_event, campaign, 5000, user.token)
    (receipt,) = receipts_of(db, card["donation_id"])
    (email,) = emails_of(db, "donation_receipt")
    assert email["to_address"] == user.email
    assert receipt["number"] in email["subject"]
    receipt_id, sig = link_in(email["body"])
    assert receipt_id == str(receipt["id"])
    text = pdf_text(service, receipt_id, sig)
    for expected in (
        "Reçu de don", receipt["number"], "5 000 F CFA", "cinq mille francs CFA",
        campaign["title"], "Aminata Traoré", card["payment_intent"],
    ):  # fmt: skip
        assert expected in text
    assert "ANNULÉ" not in text


def test_an_english_donor_gets_an_english_receipt(
    db, service, donate, post_event, campaign, make_user
):
    donor = make_user(user_metadata={"full_name": "John Smith", "locale": "en"})
    card = pay_by_card(donate, post_event, campaign, 5000, donor.token)
    (receipt,) = receipts_of(db, card["donation_id"])
    assert receipt["locale"] == "en"
    (email,) = emails_of(db, "donation_receipt")
    assert email["subject"].startswith("Thank you for your donation")
    text = pdf_text(service, *link_in(email["body"]))
    for expected in ("Donation receipt", "five thousand CFA francs", "5,000 F CFA", "John Smith"):
        assert expected in text


def test_a_guest_gets_the_link_by_email_and_it_works(db, service, donate, post_event, campaign):
    card = pay_by_card(
        donate, post_event, campaign, 7500, email="awa@example.test", donor_name="Awa Ba"
    )
    (receipt,) = receipts_of(db, card["donation_id"])
    (email,) = emails_of(db, "donation_receipt")
    assert email["to_address"] == "awa@example.test"
    assert email["user_id"] is None
    text = pdf_text(service, *link_in(email["body"]))
    for expected in (receipt["number"], "Awa Ba", "sept mille cinq cents"):
        assert expected in text


def test_a_guest_from_the_english_site_gets_an_english_receipt_and_email(
    db, service, donate, post_event, pay_by_mobile_money, cinetpay_api, notify, campaign
):
    card = pay_by_card(
        donate, post_event, campaign, 7500, email="jane@example.test", donor_name="Jane Doe",
        locale="en",
    )  # fmt: skip
    mobile = pay_by_mobile_money(campaign, 3000, email="jean@example.test", locale="fr")
    cinetpay_api.settle(mobile["transaction_id"], "ACCEPTED")
    assert notify(mobile["transaction_id"]).status_code == 200
    (receipt,) = receipts_of(db, card["donation_id"])
    assert receipt["locale"] == "en"
    (french,) = receipts_of(db, mobile["donation_id"])
    assert french["locale"] == "fr"
    (email,) = [
        e for e in emails_of(db, "donation_receipt") if e["to_address"] == "jane@example.test"
    ]
    assert email["subject"].startswith("Thank you for your donation")
    text = pdf_text(service, *link_in(email["body"]))
    for expected in ("Donation receipt", "seven thousand, five hundred", "Jane Doe"):
        assert expected in text


def test_a_checkout_in_another_language_is_refused_with_nothing_written(db, service, campaign):
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF",
              "provider": "stripe", "locale": "wo"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["details"][0]["field"] == "locale"
    assert db.sql("select 1 from public.donations") == []


def test_an_anonymous_donor_is_still_named_on_their_own_receipt(
    db, donate, post_event, campaign, user
):
    card = pay_by_card(donate, post_event, campaign, 5000, user.token, is_anonymous=True)
    (receipt,) = receipts_of(db, card["donation_id"])
    name = db.one("select display_name from public.profiles where id = %s", [user.id])
    assert receipt["donor_name"] == name["display_name"] is not None


def test_a_donor_sees_the_tip_on_its_own_line_among_their_receipts(as_user, give, campaign, user):
    tipped = give(campaign, 5000, user, tip=500)
    give(campaign, 6000, user)

    rows = as_user(user).rpc("my_receipts", {})
    assert sorted((r["amount"], r["tip_amount"]) for r in rows) == [(5000, 500), (6000, 0)]
    (mine,) = as_user(user).rpc("my_receipts", {"donation_id": tipped["donation_id"]})
    assert (mine["kind"], mine["tip_amount"]) == ("receipt", 500)


@pytest.mark.parametrize("sig", ["tampered", "", None], ids=["tampered", "empty", "missing"])
def test_a_link_whose_signature_is_wrong_is_404_json(db, service, give, campaign, user, sig):
    donation = give(campaign, 5000, user)
    (receipt,) = receipts_of(db, donation["donation_id"])
    _, good = signed_link(db, receipt["id"])
    query = "" if sig is None else f"?sig={good[:-2] + 'xx' if sig == 'tampered' else sig}"
    response = service.get(f"/receipts/{receipt['id']}{query}")
    assert response.status_code == 404
    assert response.get_json()["message"] == "receipt_not_found"


def test_a_signature_opens_only_its_own_receipt(db, service, give, campaign, user):
    first, second = give(campaign, 5000, user), give(campaign, 6000, user)
    (a,) = receipts_of(db, first["donation_id"])
    (b,) = receipts_of(db, second["donation_id"])
    _, sig_a = signed_link(db, a["id"])
    for path in (f"/receipts/{b['id']}?sig={sig_a}", f"/receipts/not-a-uuid?sig={sig_a}"):
        response = service.get(path)
        assert (response.status_code, response.get_json()["message"]) == (404, "receipt_not_found")


def test_a_campaign_run_by_an_organisation_has_its_tax_fields_on_the_receipt(
    db, service, as_user, admin, give, campaign, user
):
    organisation = as_user(admin).rpc("register_organisation", ORGANISATION)
    as_user(admin).rpc(
        "set_campaign_organisation",
        {"campaign_id": str(campaign["id"]), "organisation_id": organisation["id"]},
    )
    donation = give(campaign, 5000, user)
    (receipt,) = receipts_of(db, donation["donation_id"])
    assert receipt["organisation_name"] == "Association Santé pour Tous"
    assert receipt["organisation_rccm"] == "MA.BKO.2019.B.1234"
    assert receipt["legal_mention"] == ORGANISATION["legal_mention_fr"]
    text = pdf_text(service, *signed_link(db, receipt["id"]))
    for expected in ("Association Santé pour Tous", "MA.BKO.2019.B.1234", "IFU-0012345",
                     "Hamdallaye", "réduction d'impôt"):  # fmt: skip
        assert expected in text
    assert "NINEA" not in text
    audit = db.sql("select action from private.audit_log order by id")
    assert [a["action"] for a in audit][-2:] == [
        "register_organisation", "set_campaign_organisation",
    ]  # fmt: skip


def test_a_receipt_keeps_what_it_froze_when_the_campaign_changes(db, give, campaign, user):
    donation = give(campaign, 5000, user)
    db.sql("update public.campaigns set title = 'Autre titre' where id = %s", [campaign["id"]])
    (receipt,) = receipts_of(db, donation["donation_id"])
    assert receipt["campaign_title"] == campaign["title"]


# Refunds ------------------------------------------------------------------------------------


def test_a_full_refund_voids_the_receipt_and_issues_a_credit_note(
    db, service, donate, post_event, campaign, user
):
    card = pay_by_card(donate, post_event, campaign, 5000, user.token)
    refund(post_event, card, 5000)
    receipt, note = receipts_of(db, card["donation_id"])
    assert receipt["voided_at"] is not None
    assert (note["kind"], note["number"], note["amount"]) == (
        "credit_note",
        f"AV-{YEAR}-000001",
        5000,
    )
    assert note["receipt_id"] == receipt["id"]
    (email,) = emails_of(db, "credit_note")
    assert receipt["number"] in email["body"]
    text = pdf_text(service, *link_in(email["body"]))
    for expected in ("Avoir", note["number"], receipt["number"], "cinq mille francs CFA"):
        assert expected in text
    assert "ANNULÉ" in pdf_text(service, *signed_link(db, receipt["id"]))


def test_a_partial_refund_keeps_the_receipt_and_says_the_part(
    db, donate, post_event, campaign, user
):
    card = pay_by_card(donate, post_event, campaign, 5000, user.token)
    refund(post_event, card, 2000)
    refund(post_event, card, 2000, "stale")  # the same total again: nothing more
    receipt, note = receipts_of(db, card["donation_id"])
    assert receipt["voided_at"] is None
    assert (note["number"], note["amount"]) == (f"AV-{YEAR}-000001", 2000)
    refund(post_event, card, 5000)
    receipt, _, second = receipts_of(db, card["donation_id"])
    assert receipt["voided_at"] is not None
    assert (second["number"], second["amount"]) == (f"AV-{YEAR}-000002", 3000)


def test_a_chargeback_the_platform_lost_voids_the_receipt_but_an_open_one_does_not(
    db, service, donate, post_event, campaign, user
):
    card = pay_by_card(donate, post_event, campaign, 5000, user.token)

    def dispute(status):
        evt = sf.event(
            "charge.dispute.created" if status == "needs_response" else "charge.dispute.closed",
            sf.dispute(card, "dp_receipt", status),
        )
        assert post_event(evt).get_json()["outcome"] == "applied"

    dispute("needs_response")  # open: the bank may still side with the campaign
    (receipt,) = receipts_of(db, card["donation_id"])
    assert receipt["voided_at"] is None
    dispute("lost")  # the donor has the money back: no tax receipt is left for it
    receipt, note = receipts_of(db, card["donation_id"])
    assert receipt["voided_at"] is not None
    assert (note["kind"], note["amount"], note["receipt_id"]) == (
        "credit_note",
        5000,
        receipt["id"],
    )
    assert "ANNULÉ" in pdf_text(service, *signed_link(db, receipt["id"]))
    assert note["issued_at"] >= receipt["issued_at"]
    dispute("needs_response")  # reopened, then lost again: the money is credited once
    dispute("lost")
    assert [r["kind"] for r in receipts_of(db, card["donation_id"])] == ["receipt", "credit_note"]


def test_an_organisation_running_a_hidden_campaign_is_not_told_to_visitors(
    db, anon, as_user, admin, make_campaign, owner
):
    draft = make_campaign(owner, "draft")
    organisation = as_user(admin).rpc("register_organisation", ORGANISATION)
    as_user(admin).rpc(
        "set_campaign_organisation",
        {"campaign_id": str(draft["id"]), "organisation_id": organisation["id"]},
    )
    assert anon.get("campaign_organisations", {"campaign_id": str(draft["id"])}) == []
    (link,) = as_user(owner).get("campaign_organisations", {"campaign_id": str(draft["id"])})
    assert link["organisation_id"] == organisation["id"]


# Numbering ----------------------------------------------------------------------------------


def test_numbering_has_no_gap_after_a_rolled_back_transaction(db, give, campaign, user):
    give(campaign, 5000, user)
    # a payment credited, its receipt numbered, then the transaction fails
    with psycopg.connect(db.url, row_factory=dict_row) as conn:
        pledge = conn.execute(
            "select private.create_donation(%s, 7000, 'XOF', 'stripe', %s) as p",
            [campaign["id"], user.id],
        ).fetchone()["p"]
        outcome = {"kind": "payment", "status": "succeeded", "amount": 7000, "currency": "XOF",
                   "donation_id": pledge["donation_id"]}  # fmt: skip
        conn.execute(
            "select private.record_payment_event('stripe', 'evt_lost', 'x', now(), false, '{}', %s)",
            [Jsonb(outcome)],
        )
        conn.execute("set constraints public.donations_receipts immediate")
        (numbered,) = conn.execute(
            "select number from public.receipts where donation_id = %s", [pledge["donation_id"]]
        ).fetchall()
        assert numbered["number"] == f"R-{YEAR}-000002"
        conn.rollback()
    donation = give(campaign, 6000, user)
    (receipt,) = receipts_of(db, donation["donation_id"])
    assert receipt["number"] == f"R-{YEAR}-000002"


def test_numbering_restarts_each_year_per_series(db):
    taken = [
        db.one("select private.take_receipt_number(%s, %s) as n", [series, at])["n"]
        for series, at in [
            ("R", "2027-12-31 23:59:59Z"), ("R", "2027-12-31 12:00Z"), ("R", "2028-01-01 00:00Z"),
            ("AV", "2028-01-01 00:00Z"),
        ]
    ]  # fmt: skip
    assert taken == ["R-2027-000001", "R-2027-000002", "R-2028-000001", "AV-2028-000001"]


def test_nobody_writes_receipts_or_numbers_directly(db, cast):
    receipt_id = receipts_of(db, cast.donation["donation_id"])[0]["id"]
    for actor in ("donor", "admin"):
        with pytest.raises(ApiError) as err:
            cast.api(actor).update("receipts", {"amount": 1}, {"id": str(receipt_id)})
        assert err.value.code == "42501"
        with pytest.raises(ApiError) as err:
            cast.api(actor).rpc("take_receipt_number", {"series": "R"})
        assert err.value.status == 404  # private: not in the API


# Each actor ---------------------------------------------------------------------------------


def by_actor(outcomes: str) -> dict[str, str]:
    return dict(zip(ACTORS, outcomes.split(), strict=True))


READS = by_actor("denied ok none none none none ok none")


def outcome(call):
    try:
        result = call()
    except ApiError as exc:
        return "denied" if exc.code == "42501" else exc.message
    return "ok" if result else "none"


@pytest.mark.parametrize("actor", ACTORS)
def test_who_reads_a_donors_receipt(db, cast, actor):
    rows = lambda: cast.api(actor).get("receipts", {"donation_id": cast.donation["donation_id"]})  # noqa: E731
    assert outcome(rows) == READS[actor]


MY_RECEIPTS = by_actor("denied ok none none none none none none")


@pytest.mark.parametrize("actor", ACTORS)
def test_who_gets_the_links_of_a_donation_s_receipts(service, cast, actor):
    def call():
        return cast.api(actor).rpc("my_receipts", {"donation_id": cast.donation["donation_id"]})

    assert outcome(call) == MY_RECEIPTS[actor]
    if actor == "donor":
        (row,) = call()
        assert row["number"] == f"R-{YEAR}-000001"
        assert "/recus/" in row["link"]
        text = pdf_text(service, *link_in(row["link"]))
        assert "cent mille francs CFA" in text


ADMIN_ONLY = by_actor("denied admin_only admin_only admin_only admin_only admin_only ok admin_only")


@pytest.mark.parametrize("actor", ACTORS)
def test_who_registers_an_organisation(db, cast, actor):
    assert (
        outcome(lambda: cast.api(actor).rpc("register_organisation", ORGANISATION))
        == (ADMIN_ONLY[actor])
    )
    assert len(db.sql("select 1 from public.organisations")) == (actor == "admin")


@pytest.mark.parametrize("actor", ACTORS)
def test_who_attaches_an_organisation_to_a_campaign(db, cast, actor):
    organisation = cast.api("admin").rpc("register_organisation", ORGANISATION)
    args = {"campaign_id": cast.campaign_id, "organisation_id": organisation["id"]}
    assert (
        outcome(lambda: cast.api(actor).rpc("set_campaign_organisation", args))
        == (ADMIN_ONLY[actor])
    )
    linked = db.sql("select 1 from public.campaign_organisations")
    assert len(linked) == (actor == "admin")


@pytest.mark.parametrize("actor", ACTORS)
def test_everyone_reads_the_organisations_a_receipt_names(cast, actor):
    organisation = cast.api("admin").rpc("register_organisation", ORGANISATION)
    rows = cast.api(actor).get("organisations", {"id": organisation["id"]})
    assert [r["legal_name"] for r in rows] == ["Association Santé pour Tous"]


def test_an_admin_on_the_campaigns_team_cannot_attach_an_organisation(db, cast):
    organisation = cast.api("admin").rpc("register_organisation", ORGANISATION)
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [cast.campaign_id, cast.users["admin"].id],
    )
    with pytest.raises(ApiError) as err:
        cast.api("admin").rpc(
            "set_campaign_organisation",
            {"campaign_id": cast.campaign_id, "organisation_id": organisation["id"]},
        )
    assert err.value.status == 403
    assert db.sql("select 1 from public.campaign_organisations") == []


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "token"),
    [
        ({"rccm": None, "ifu": None}, "organisation_identifier_required"),
        ({"rccm": " ", "ifu": ""}, "organisation_identifier_required"),
        ({"legal_name": "X"}, "invalid_organisation"),
        ({"legal_name": "Nom\nsur deux lignes"}, "invalid_organisation"),
        ({"address": "x" * 301}, "invalid_organisation"),
        ({"legal_mention_en": ""}, "invalid_organisation"),
    ],
)
def test_a_bad_organisation_is_refused_and_nothing_is_written(db, as_user, admin, change, token):
    with pytest.raises(ApiError) as err:
        as_user(admin).rpc("register_organisation", {**ORGANISATION, **change})
    assert (err.value.status, err.value.message) == (422, token)
    assert db.sql("select 1 from public.organisations") == []
    assert db.sql("select 1 from private.audit_log where action = 'register_organisation'") == []


def test_attaching_to_an_unknown_campaign_or_organisation_is_404(as_user, admin, campaign):
    organisation = as_user(admin).rpc("register_organisation", ORGANISATION)
    for args, token in [
        ({"campaign_id": "00000000-0000-0000-0000-000000000000",
          "organisation_id": organisation["id"]}, "campaign_not_found"),
        ({"campaign_id": str(campaign["id"]),
          "organisation_id": "00000000-0000-0000-0000-000000000000"}, "organisation_not_found"),
    ]:  # fmt: skip
        with pytest.raises(ApiError) as err:
            as_user(admin).rpc("set_campaign_organisation", args)
        assert (err.value.status, err.value.message) == (404, token)


# The operators' console ---------------------------------------------------------------------


def test_an_operator_registers_an_organisation_and_attaches_it_to_a_campaign(
    db, operator_cli, give, campaign, user
):
    result = operator_cli(
        "organisations", "register", "--legal-name", "Association Santé pour Tous",
        "--address", "Bamako", "--mention-fr", "Don déductible.", "--mention-en",
        "Deductible gift.", "--rccm", "MA.BKO.2019.B.1234", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    organisation_id = json.loads(result.stdout)["id"]
    result = operator_cli("organisations", "attach", organisation_id[:8], campaign["slug"])
    assert result.exit_code == 0, result.output
    assert "Attached" in result.stdout
    donation = give(campaign, 5000, user)
    (receipt,) = receipts_of(db, donation["donation_id"])
    assert receipt["organisation_rccm"] == "MA.BKO.2019.B.1234"
    result = operator_cli("organisations", "list", "--json")
    assert [(o["legal_name"], o["campaigns"]) for o in json.loads(result.stdout)] == [
        ("Association Santé pour Tous", 1),
    ]  # fmt: skip
    assert operator_cli("organisations", "detach", campaign["slug"]).exit_code == 0
    assert db.sql("select 1 from public.campaign_organisations") == []


def test_an_organisation_without_identifier_is_refused(db, operator_cli):
    result = operator_cli(
        "organisations", "register", "--legal-name", "Association", "--address", "Bamako",
        "--mention-fr", "Mention", "--mention-en", "Mention",
    )  # fmt: skip
    assert result.exit_code != 0
    assert "organisation_identifier_required" in result.output or "RCCM" in result.output
    assert db.sql("select 1 from public.organisations") == []


def test_an_operator_lists_a_campaigns_receipts_and_shows_one_with_its_link(
    db, service, operator_cli, give, campaign, user
):
    donation = give(campaign, 5000, user)
    give(campaign, 6000, user)
    result = operator_cli("receipts", "list", "--campaign", campaign["slug"], "--json")
    assert result.exit_code == 0, result.output
    assert [r["number"] for r in json.loads(result.stdout)] == [
        f"R-{YEAR}-000002", f"R-{YEAR}-000001",
    ]  # fmt: skip
    result = operator_cli("receipts", "list", "--donation", donation["donation_id"], "--json")
    assert [r["number"] for r in json.loads(result.stdout)] == [f"R-{YEAR}-000001"]
    result = operator_cli("receipts", "show", f"R-{YEAR}-000001")
    assert result.exit_code == 0, result.output
    assert "Aminata" in result.stdout
    shown = json.loads(operator_cli("receipts", "show", f"R-{YEAR}-000001", "--json").stdout)
    text = pdf_text(service, *link_in(shown["link"]))
    assert f"R-{YEAR}-000001" in text
    assert operator_cli("receipts", "show", "R-1999-000001").exit_code != 0


# Leaving ------------------------------------------------------------------------------------


def test_a_deleted_account_leaves_no_name_on_receipts_but_the_receipts_stay(
    db, gotrue, give, campaign, owner, user
):
    donation = give(campaign, 5000, user)
    gotrue.delete(user)
    gotrue.delete(owner)
    (receipt,) = receipts_of(db, donation["donation_id"])
    assert (receipt["donor_name"], receipt["organiser_name"]) == (None, None)
    assert (receipt["number"], receipt["amount"]) == (f"R-{YEAR}-000001", 5000)
