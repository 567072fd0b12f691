"""Verified institutions for tests: a hospital paid by bank transfer and a
school paid to its merchant wallet, registered by an admin the real way
(public.register_institution)."""

from __future__ import annotations

from typing import Any

from tests.postgrest import PostgrestClient

HOSPITAL = {
    "name": "CHU Gabriel Touré",
    "kind": "hospital",
    "city": "Bamako",
    "country": "ML",
    "document_ref": "africagnotte/institutions/chu-gabriel-toure/agrement",
    "method": "bank_account",
    "beneficiary_name": "CHU Gabriel Touré",
    "bank_name": "Banque de Développement du Mali",
    "account_number": "ML03 D012 3456 7890 1234 5678 90",
}

SCHOOL = {
    "name": "Lycée Blaise Diagne",
    "kind": "school",
    "city": "Dakar",
    "country": "SN",
    "document_ref": "africagnotte/institutions/lycee-blaise-diagne/ninea",
    "method": "mobile_money",
    "beneficiary_name": "Lycée Blaise Diagne",
    "bank_name": None,
    "account_number": None,
    "mobile_operator": "wave",
    "phone_number": "+221 77 000 12 34",
}


def register(admin: PostgrestClient, **details: Any) -> dict[str, Any]:
    """An institution registered by `admin` (HOSPITAL unless told otherwise)."""
    return admin.rpc("register_institution", {**HOSPITAL, **details})


def to_institution(campaign_id: str, institution_id: str, amount: int):
    """A `request` for tests.support.cast.paid_payout: the owner asks for a
    payout straight to the institution."""

    def request(owner: PostgrestClient) -> dict[str, Any]:
        return owner.rpc(
            "request_payout_to_institution",
            {"campaign_id": campaign_id, "amount": amount, "institution_id": institution_id},
        )

    return request
