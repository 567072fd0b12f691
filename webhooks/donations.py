"""POST /donations/checkout: a pledge, then the provider's checkout page."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from webhooks import payments, recurring_gifts
from webhooks.auth import optional_user_id
from webhooks.validation import parse, parse_json

bp = Blueprint("donations", __name__)

# the providers a checkout or a quote may name (public.payment_provider; tests/test_openapi.py
# checks the two agree)
Provider = Literal["stripe", "cinetpay", "paystack"]
# a provider's payment method (OM, MOMO, VISAM…): the channel whose fee a quote counts and a
# checkout with covered fees grosses up for (none: the provider's highest rate)
PaymentMethod = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,40}$")]


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
    # None: the currency's default provider (mobile money for XOF, XAF, CDF, GNF;
    # Paystack for NGN, GHS, KES, ZAR)
    provider: Provider | None = None
    # an optional tip to the platform, minor units of the campaign's currency (bounds: SQL)
    tip_amount: StrictInt = Field(default=0, ge=0, le=2**53)
    # the donor covers the fees: amount is what the campaign nets (the gift is grossed up)
    cover_fees: StrictBool = False
    # paying from abroad: the card is charged in this currency (Stripe only)
    pay_currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    # the channel the donor chose, as in the quote (covered fees are counted for it;
    # none: the provider's highest rate); Paystack's page offers only it, others may not
    payment_method: PaymentMethod | None = None
    # a monthly gift by card (Stripe): each month is a donation (webhooks/recurring_gifts.py)
    recurring: Literal["monthly"] | None = None


class CheckoutResponse(BaseModel):
    """The pending donation, and the provider's page where the donor pays."""

    donation_id: uuid.UUID
    provider: Provider
    checkout_url: str
    # the monthly gift this checkout starts (recurring = monthly), else null
    recurring_gift_id: uuid.UUID | None = None


@bp.post("/donations/checkout")
def checkout():
    body = parse_json(CheckoutRequest)
    donor_id = optional_user_id()
    provider = body.provider or payments.default_provider(body.currency, body.pay_currency)
    gateway = current_app.extensions["gateways"][provider]
    if body.recurring == "monthly":
        return _monthly(body, donor_id, provider, gateway)
    gateway.require_configured()
    # a provider that needs the donor's address without one: email_required (the database's rule)
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
        tip_amount=body.tip_amount,
        cover_fees=body.cover_fees,
        payment_method=body.payment_method,
        pay_currency=body.pay_currency,
    )
    checkout_url = gateway.open_checkout(pledge)
    answer = CheckoutResponse(
        donation_id=pledge.donation_id, provider=provider, checkout_url=checkout_url
    )
    return jsonify(answer.model_dump(mode="json")), 201


class QuoteRequest(BaseModel):
    """The quote's query string: amounts in minor units of ``currency`` (the donor's)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    campaign_id: uuid.UUID
    amount: int = Field(gt=0, le=2**53)
    currency: Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")] | None = None
    provider: Provider | None = None
    tip_amount: int = Field(default=0, ge=0, le=2**53)
    cover_fees: bool = False
    payment_method: PaymentMethod | None = None


class Quote(BaseModel):
    """public.donation_quote: what the donor pays and what the campaign nets."""

    campaign_id: uuid.UUID
    campaign_currency: str
    provider: str
    covers_fees: bool
    gift_amount: int
    tip_amount: int
    charged_amount: int
    processor_fee: int
    campaign_processor_fee: int
    tip_processor_fee: int
    platform_fee_bp: int
    platform_fee: int
    net_amount: int
    pay_currency: str
    pay_charged_amount: int
    pay_net_amount: int
    rate: str = Field(description="1 unit of pay_currency in campaign_currency (a decimal)")
    rate_source: Literal["same", "fixed_parity", "rates_table"]
    rate_as_of: str | None = Field(description="The rate's date (rates_table only)")


@bp.get("/donations/quote")
def quote():
    query = parse(QuoteRequest, request.args.to_dict())
    answer = payments.donation_quote(**query.model_dump())
    return jsonify(Quote(**answer).model_dump(mode="json"))


def _monthly(body: CheckoutRequest, donor_id: uuid.UUID | None, provider: str, gateway):
    """A monthly gift: the database refuses any provider but Stripe (recurring_needs_card),
    and a tip, covered fees or another currency, which are for one-off gifts
    (recurring_extras_unsupported), before anything is written."""
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
        tip_amount=body.tip_amount,
        cover_fees=body.cover_fees,
        pay_currency=body.pay_currency,
    )
    checkout_url = recurring_gifts.open_checkout(gateway, recurring)
    answer = CheckoutResponse(
        donation_id=recurring.pledge.donation_id,
        provider="stripe",
        checkout_url=checkout_url,
        recurring_gift_id=recurring.gift_id,
    )
    return jsonify(answer.model_dump(mode="json")), 201
