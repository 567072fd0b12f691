"""Donors see where their money went (issue #19), walked end to end on one
campaign: gifts by card and by mobile money with their receipts emailed and
fetched by signed link, a payout paid straight to a verified hospital, what it
paid for published and seen by the donors, a cash gift attested by two
treasurers, the page's three amounts, a clean ledger check, and a refund that
voids its receipt."""

from __future__ import annotations

from datetime import date

from tests.support.cast import paid_payout
from tests.support.receipts import emails_of, link_in, pay_by_card, pdf_text, refund

HOSPITAL = {
    "name": "Hôpital du Mali",
    "kind": "hospital",
    "city": "Bamako",
    "country": "ML",
    "method": "bank_account",
    "beneficiary_name": "Hôpital du Mali",
    "bank_name": "Banque de Développement du Mali",
    "account_number": "ML03D01234567890123456789",
}


def give_by_mobile_money(pay_by_mobile_money, cinetpay_api, notify, campaign, amount, **body):
    pledge = pay_by_mobile_money(campaign, amount, **body)
    cinetpay_api.settle(pledge["transaction_id"], "ACCEPTED")
    assert notify(pledge["transaction_id"]).status_code == 200
    return pledge


def receipt_of(db, donation_id, kind="receipt"):
    return db.one(
        "select id::text, number, voided_at from public.receipts where donation_id = %s and kind = %s",
        [donation_id, kind],
    )


def emailed_pdf(db, service, template, receipt):
    """The receipt's email (``template``) and the PDF its signed link serves:
    (the email, the PDF's text)."""
    (email,) = [e for e in emails_of(db, template) if receipt["id"] in e["body"]]
    receipt_id, sig = link_in(email["body"])
    return email, pdf_text(service, receipt_id, sig)


def pay_the_hospital(cast, hospital_id, amount):
    return paid_payout(
        cast,
        reference="VIR-HDM-2026-07",
        request=lambda owner: owner.rpc(
            "request_payout_to_institution",
            {"campaign_id": cast.campaign_id, "amount": amount, "institution_id": hospital_id},
        ),
    )


def justify(cast, payout):
    owner = cast.api("owner")
    for description, amount, supplier in (
        ("Opération du cœur (forfait)", 120_000, "Hôpital du Mali"),
        ("Médicaments après l'opération", 30_000, "Pharmacie du Fleuve"),
    ):
        owner.rpc(
            "add_justification_line",
            {
                "payout_id": payout["id"],
                "description": description,
                "amount": amount,
                "spent_on": date.today().isoformat(),
                "supplier": supplier,
                "receipt_ref": f"africagnotte/justifications/{cast.campaign_id}/{amount}",
            },
        )
    owner.rpc("publish_justification", {"payout_id": payout["id"]})


def attest_cash_gift(cast, amount):
    gift = cast.api("treasurer").rpc(
        "record_offline_gift",
        {
            "campaign_id": cast.campaign_id,
            "amount": amount,
            "currency": "XOF",
            "received_on": date.today().isoformat(),
            "channel": "cash",
            "slip_ref": f"africagnotte/offline/{cast.campaign_id}/recu-veillee",
            "giver_consented": True,
            "giver_name": "La famille Keïta",
        },
    )
    return cast.api("second_treasurer").rpc("attest_offline_gift", {"gift_id": gift["id"]})


def test_one_campaign_shows_its_donors_where_their_money_went(
    db, service, donate, post_event, pay_by_mobile_money, cinetpay_api, notify, cast
):
    donor, campaign = cast.users["donor"], cast.campaign

    # Gifts by card (the signed-in donor) and by mobile money (a guest).
    card = pay_by_card(donate, post_event, campaign, 150_000, donor.token)
    guest = give_by_mobile_money(
        pay_by_mobile_money, cinetpay_api, notify, campaign, 250_000,
        email="guest@example.test", donor_name="Awa Sow",
    )  # fmt: skip
    later = pay_by_card(donate, post_event, campaign, 40_000, donor.token)

    # Their receipts, emailed and fetched by signed link; again from the donor's history.
    card_receipt = receipt_of(db, card["donation_id"])
    email, text = emailed_pdf(db, service, "donation_receipt", card_receipt)
    assert email["to_address"] == donor.email
    assert card_receipt["number"] in text
    assert card["payment_intent"] in text
    assert "150 000" in text
    assert "cent cinquante mille" in text
    guest_email, guest_text = emailed_pdf(
        db, service, "donation_receipt", receipt_of(db, guest["donation_id"])
    )
    assert guest_email["to_address"] == "guest@example.test"
    assert "Awa Sow" in guest_text
    assert "deux cent cinquante mille" in guest_text
    (again,) = cast.api("donor").rpc("my_receipts", {"donation_id": card["donation_id"]})
    assert link_in(again["link"]) == link_in(email["body"])

    # A payout of 300 000 XOF straight to a verified hospital.
    hospital = cast.api("admin").rpc(
        "register_institution",
        {**HOSPITAL, "document_ref": "africagnotte/institutions/hopital-du-mali/agrement"},
    )
    payout = pay_the_hospital(cast, hospital["id"], 300_000)
    assert (payout["status"], payout["institution_id"]) == ("paid", hospital["id"])
    told = cast.api("owner").get("notifications", {"kind": "payout_update"})
    assert any("Hôpital du Mali" in n["payload"]["destination"] for n in told)

    # What it paid for, published and seen by the donors.
    justify(cast, payout)
    (news,) = cast.api("donor").get("notifications", {"kind": "justification_published"})
    assert (news["campaign_id"], news["payload"]["amount"]) == (cast.campaign["id"], 150_000)

    # A cash gift at the wake, attested by two treasurers.
    assert attest_cash_gift(cast, 75_000)["status"] == "attested"

    # A refund of the later card gift voids its receipt and issues a credit note.
    refund(post_event, later, 40_000)
    assert receipt_of(db, later["donation_id"])["voided_at"] is not None
    credit_note = receipt_of(db, later["donation_id"], "credit_note")
    _, credit_text = emailed_pdf(db, service, "credit_note", credit_note)
    assert credit_note["number"] in credit_text
    assert "40 000" in credit_text

    # The page's amounts, as a visitor sees them: 100 000 + 150 000 + 250 000 given
    # online (40 000 given and refunded), 300 000 paid out, 150 000 justified, and
    # the cash apart.
    spending = cast.api("anon").rpc("campaign_spending", {"campaign_id": cast.campaign_id})
    assert (spending["collected"], spending["paid_out"], spending["justified"]) == (
        500_000, 300_000, 150_000,
    )  # fmt: skip
    assert spending["overdue"] is False
    (page,) = cast.api("anon").get("campaigns", {"id": cast.campaign_id})
    assert (page["collected_amount"], page["offline_amount"]) == (500_000, 75_000)

    # The ledger check is clean, and the cash never entered the ledger nor the balance.
    assert db.sql("select * from private.check_ledger()") == []  # its rows are what is wrong
    balance = cast.api("owner").rpc("campaign_balance", {"campaign_id": cast.campaign_id})
    assert (balance["collected"], balance["paid_out"]) == (500_000, 300_000)
