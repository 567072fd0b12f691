"""Receipts and credit notes as PDF: GET /receipts/<id>?sig=<signature>.

The database decides: private.receipt_for_link checks the link's signature and
returns what the receipt froze when it was issued (receipt_not_found, 404,
otherwise). This module only lays it out (ReportLab), in the receipt's language:
number, title, campaign, organiser, donor, the amount in figures and in words,
date, provider reference, the organisation's tax fields and legal mention when
the campaign has one, and VOID / ANNULÉ on a voided receipt."""

from __future__ import annotations

import io
import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal, get_currency_name, get_currency_symbol
from flask import Blueprint, Response, request
from num2words import num2words
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from webhooks.db import connection
from webhooks.errors import ApiError

bp = Blueprint("receipts", __name__)

SIGNATURE = re.compile(r"[A-Za-z0-9_-]{1,100}")

TEXTS = {
    "fr": {
        "receipt": "Reçu de don",
        "credit_note": "Avoir",
        "number": "N°",
        "on_receipt": "Sur le reçu n°",
        "campaign": "Cagnotte",
        "organiser": "Organisateur",
        "donor": "Donateur",
        "amount": "Montant",
        "in_words": "En lettres",
        "tip": "Pourboire à AfriCagnotte (hors don)",
        "date": "Date du don",
        "issued": "Émis le",
        "reference": "Référence du paiement",
        "organisation": "Organisme bénéficiaire",
        "address": "Adresse",
        "void": "ANNULÉ",
        "anonymous": "Anonyme",
        "cfa": "francs CFA",
        "and": "et",
        "cents": "centimes",
    },
    "en": {
        "receipt": "Donation receipt",
        "credit_note": "Credit note",
        "number": "No.",
        "on_receipt": "On receipt no.",
        "campaign": "Fundraiser",
        "organiser": "Organiser",
        "donor": "Donor",
        "amount": "Amount",
        "in_words": "In words",
        "tip": "Tip to AfriCagnotte (not part of the gift)",
        "date": "Donation date",
        "issued": "Issued on",
        "reference": "Payment reference",
        "organisation": "Beneficiary organisation",
        "address": "Address",
        "void": "VOID",
        "anonymous": "Anonymous",
        "cfa": "CFA francs",
        "and": "and",
        "cents": "cents",
    },
}


def plain(text: str) -> str:
    """Babel's no-break spaces as spaces (the PDF's standard font has no U+202F)."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def amount_in_figures(amount: int, currency: str, exponent: int, locale: str) -> str:
    """``5 000 F CFA`` (fr), ``5,000 F CFA`` (en): the database's digits, CLDR's
    grouping and symbol."""
    value = Decimal(amount).scaleb(-exponent)
    pattern = "#,##0" + ("." + "0" * exponent if exponent else "")
    number = format_decimal(value, format=pattern, locale=locale, decimal_quantization=False)
    return plain(f"{number} {get_currency_symbol(currency, locale=locale)}")


def amount_in_words(amount: int, currency: str, exponent: int, locale: str) -> str:
    """``cinq mille francs CFA``; ``ten euros and fifty cents``."""
    texts = TEXTS[locale]
    units, cents = divmod(amount, 10**exponent)
    name = (
        texts["cfa"]
        if currency in ("XOF", "XAF")
        else get_currency_name(currency, count=units, locale=locale).lower()
    )
    words = f"{num2words(units, lang=locale)} {name}"
    if cents:
        words += f" {texts['and']} {num2words(cents, lang=locale)} {texts['cents']}"
    return words


def day(value: str, locale: str) -> str:
    at = datetime.fromisoformat(value)
    return at.strftime("%d/%m/%Y" if locale == "fr" else "%Y-%m-%d")


def lines_of(receipt: dict[str, Any]) -> list[tuple[str, str]]:
    """The receipt's labelled lines, in its language."""
    locale = receipt["locale"]
    t = TEXTS[locale]
    figures = amount_in_figures(receipt["amount"], receipt["currency"], receipt["exponent"], locale)
    words = amount_in_words(receipt["amount"], receipt["currency"], receipt["exponent"], locale)
    lines = [(t["number"], receipt["number"])]
    if receipt.get("receipt_number"):
        lines.append((t["on_receipt"], receipt["receipt_number"]))
    lines += [
        (t["campaign"], receipt["campaign_title"]),
        (t["organiser"], receipt["organiser_name"] or "-"),
        (t["donor"], receipt["donor_name"] or t["anonymous"]),
        (t["amount"], figures),
        (t["in_words"], words),
        *tip_line(receipt, t),
        (t["date"], day(receipt["donated_at"], locale)),
        (t["issued"], day(receipt["issued_at"], locale)),
        (t["reference"], receipt["provider_ref"] or "-"),
    ]
    if receipt.get("organisation_name"):
        lines.append((t["organisation"], receipt["organisation_name"]))
        for label in ("rccm", "ninea", "ifu"):
            if receipt.get(f"organisation_{label}"):
                lines.append((label.upper(), receipt[f"organisation_{label}"]))
        lines.append((t["address"], receipt["organisation_address"]))
    return lines


def tip_line(receipt: dict[str, Any], t: dict[str, str]) -> list[tuple[str, str]]:
    """The tip to the platform, its own line (never in the gift's amount); none without."""
    tip = receipt.get("tip_amount") or 0
    if not tip:
        return []
    figures = amount_in_figures(tip, receipt["currency"], receipt["exponent"], receipt["locale"])
    return [(t["tip"], figures)]


MARGIN = 20 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN


def write(pdf: Canvas, y: float, text: str, font: str, size: float, leading: float) -> float:
    """``text`` wrapped to the page's width from ``y`` down; where it ends."""
    pdf.setFont(font, size)
    for paragraph in plain(text).splitlines() or [""]:
        for line in simpleSplit(paragraph, font, size, TEXT_WIDTH):
            y -= leading
            pdf.drawString(MARGIN, y, line)
    return y


def render(receipt: dict[str, Any]) -> bytes:
    """The PDF: title, labelled lines, legal mention, the void mark."""
    t = TEXTS[receipt["locale"]]
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{t[receipt['kind']]} {receipt['number']}")
    width, height = A4
    y = write(
        pdf, height - 20 * mm, f"{t[receipt['kind']]} - AfriCagnotte", "Helvetica-Bold", 18, 10 * mm
    )
    y -= 4 * mm
    for label, value in lines_of(receipt):
        y = write(pdf, y, f"{label} : {value}", "Helvetica", 11, 7 * mm)
    if receipt.get("legal_mention"):
        write(pdf, y - 8 * mm, receipt["legal_mention"], "Helvetica-Oblique", 9, 4.5 * mm)
    if receipt.get("voided_at"):
        pdf.setFont("Helvetica-Bold", 48)
        pdf.setFillColorRGB(0.8, 0, 0)
        pdf.drawCentredString(width / 2, height / 2, t["void"])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def signed_receipt(receipt_id: str, signature: str) -> dict[str, Any]:
    """The receipt the link names, as the database checks it."""
    try:
        rid = uuid.UUID(receipt_id)
    except ValueError:
        raise ApiError("receipt_not_found", "No such receipt.") from None
    if not SIGNATURE.fullmatch(signature):  # not one the database writes (base64url)
        raise ApiError("receipt_not_found", "No such receipt.")
    with connection() as conn:
        row = conn.execute(
            "select private.receipt_for_link(%s, %s) as r", [rid, signature]
        ).fetchone()
    return row["r"]


@bp.get("/receipts/<receipt_id>")
def receipt_pdf(receipt_id: str):
    """A receipt or credit note as a PDF, for whoever holds its signed link."""
    receipt = signed_receipt(receipt_id, request.args.get("sig", ""))
    response = Response(render(receipt), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{receipt["number"]}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
