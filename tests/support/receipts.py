"""Receipts as a donor meets them: a gift by card through the service, a
refund, the emails in the outbox, the signed link in them, the PDF it serves."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests import stripe_fake as sf

LINK = re.compile(r"/recus/(?P<id>[0-9a-f-]{36})\?sig=(?P<sig>[A-Za-z0-9_-]+)")


def pay_by_card(donate, post_event, campaign, amount, token=None, **body):
    pledge = donate(campaign, amount, token, **body)
    evt = sf.event("checkout.session.completed", sf.checkout_session(pledge))
    assert post_event(evt).get_json()["outcome"] == "applied"
    return pledge


def refund(post_event, pledge, total, outcome="applied"):
    evt = sf.event("charge.refunded", sf.charge(pledge, amount_refunded=total, refunded=True))
    assert post_event(evt).get_json()["outcome"] == outcome


def receipts_of(db, donation_id):
    return db.sql(
        "select * from public.receipts where donation_id = %s order by issued_at, number",
        [donation_id],
    )


def emails_of(db, template):
    return db.sql(
        "select * from private.email_messages where template = %s order by id", [template]
    )


def link_in(text):
    match = LINK.search(text)
    assert match, text
    return match["id"], match["sig"]


def pdf_text(service, receipt_id, sig):
    response = service.get(f"/receipts/{receipt_id}?sig={sig}")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(page.extract_text() for page in reader.pages)


def signed_link(db, receipt_id):
    return link_in(db.one("select private.receipt_path(%s) as p", [receipt_id])["p"])
