"""The enumerations operators type (``--status``, ``--provider``), as Typer
choices: a bad value is a usage error (exit 2) naming the choices, checked
before anything runs.

The database's enum types are the one home of these lists; each class here
names the type it mirrors (``DATABASE_TYPES``), and
tests/test_console_errors.py checks that both hold the same labels in the same
order, so that a migration adding a status fails a test until it is added here.
"""

from __future__ import annotations

from enum import StrEnum


class CampaignStatus(StrEnum):
    draft = "draft"
    pending_review = "pending_review"
    active = "active"
    funded = "funded"
    rejected = "rejected"
    expired = "expired"
    cancelled = "cancelled"
    frozen = "frozen"


class ReportStatus(StrEnum):
    open = "open"
    resolved = "resolved"
    dismissed = "dismissed"


class PayoutStatus(StrEnum):
    requested = "requested"
    approved = "approved"
    paid = "paid"
    failed = "failed"
    rejected = "rejected"
    cancelled = "cancelled"


class RefundOrderStatus(StrEnum):
    pending = "pending"
    requested = "requested"
    refunded = "refunded"
    manual = "manual"
    failed = "failed"


class EmailStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class DocumentStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class InstitutionKind(StrEnum):
    hospital = "hospital"
    clinic = "clinic"
    school = "school"
    university = "university"
    funeral_home = "funeral_home"


class MobileOperator(StrEnum):
    orange_money = "orange_money"
    mtn_momo = "mtn_momo"
    moov_money = "moov_money"
    wave = "wave"
    free_money = "free_money"
    airtel_money = "airtel_money"
    mpesa = "mpesa"


class OfflineGiftStatus(StrEnum):
    pending = "pending"
    attested = "attested"
    refused = "refused"
    withdrawn = "withdrawn"


class RecurringGiftStatus(StrEnum):
    pending = "pending"
    active = "active"
    ending = "ending"
    ended = "ended"


class PaymentProvider(StrEnum):
    stripe = "stripe"
    cinetpay = "cinetpay"
    paystack = "paystack"


DATABASE_TYPES: dict[type[StrEnum], str] = {
    CampaignStatus: "public.campaign_status",
    ReportStatus: "public.report_status",
    PayoutStatus: "public.payout_status",
    RefundOrderStatus: "public.refund_order_status",
    EmailStatus: "private.email_status",
    DocumentStatus: "public.document_status",
    OfflineGiftStatus: "public.offline_gift_status",
    RecurringGiftStatus: "public.recurring_gift_status",
    PaymentProvider: "public.payment_provider",
    InstitutionKind: "public.institution_kind",
    MobileOperator: "public.mobile_money_operator",
}


def value(choice: StrEnum | None) -> str | None:
    """The label to send to the database (None: no filter)."""
    return None if choice is None else choice.value
