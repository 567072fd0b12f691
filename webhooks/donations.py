"""POST /donations/checkout: a pledge, then the provider's checkout page."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from webhooks import payments, recurring_gifts
from webhooks.auth import optional_user_id
from webhooks.validation import parse_json

bp = Blueprint("donations", __name__)


class CheckoutRequest(BaseModel):
    """The shape of the request; amounts, bounds and who may give are the database's rules."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    campaign_id: uuid.UUID
    amount: StrictInt = Field(gt=0, le=2**63 - 1)  # bigint
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    donor_name: Annotated[str, Field(max_length=200)] | None = None
    message: Annotated[str, Field(max_length=2000)] | None = None
    is_anonymous: StrictBool = False
    email: Annotated[str, Field(max_length=254)] | None = None
    # the site's language: a guest's receipt and emails are in it
    locale: Literal["fr", "en"] | None = None
    # None: the currency's default provider (mobile money for XOF, XAF, CDF, GNF)
    provider: Literal["stripe", "cinetpay"] | None = None
    # a monthly gift by card (Stripe): each month is a donation (webhooks/recurring_gifts.py)
    recurring: Literal["monthly"] | None = None


class CheckoutResponse(BaseModel):
    """The pending donation, and the provider's page where the donor pays."""

    donation_id: uuid.UUID
    provider: Literal["stripe", "cinetpay"]
    checkout_url: str
    # the monthly gift this checkout starts (recurring = monthly), else null
    recurring_gift_id: uuid.UUID | None = None


@bp.post("/donations/checkout")
def checkout():
    body = parse_json(CheckoutRequest)
    donor_id = optional_user_id()
    provider = body.provider or payments.default_provider(body.currency)
    gateway = current_app.extensions["gateways"][provider]
    if body.recurring == "monthly":
        return _monthly(body, donor_id, provider, gateway)
    gateway.require_configured()
    pledge = payments.create_pledge(
        campaign_id=body.campaign_id,
        amount=body.amount,
        currency=body.currency,
        provider=provider,
        donor_id=donor_id,
        donor_name=body.donor_name,
        donor_email=body.email,
        message=body.message,
        is_anonymous=body.is_anonymous,
        locale=body.locale,
    )
    checkout_url = gateway.open_checkout(pledge)
    answer = CheckoutResponse(
        donation_id=pledge.donation_id, provider=provider, checkout_url=checkout_url
    )
    return jsonify(answer.model_dump(mode="json")), 201


def _monthly(body: CheckoutRequest, donor_id: uuid.UUID | None, provider: str, gateway):
    """A monthly gift: the database refuses any provider but Stripe (recurring_needs_card)."""
    recurring = recurring_gifts.start(
        campaign_id=body.campaign_id,
        amount=body.amount,
        currency=body.currency,
        provider=provider,
        donor_id=donor_id,
        donor_name=body.donor_name,
        donor_email=body.email,
        message=body.message,
        is_anonymous=body.is_anonymous,
        locale=body.locale,
    )
    checkout_url = recurring_gifts.open_checkout(gateway, recurring)
    answer = CheckoutResponse(
        donation_id=recurring.pledge.donation_id,
        provider="stripe",
        checkout_url=checkout_url,
        recurring_gift_id=recurring.gift_id,
    )
    return jsonify(answer.model_dump(mode="json")), 201
