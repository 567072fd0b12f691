"""POST /donations/checkout: a pledge, then the provider's checkout page."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Literal

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from webhooks import payments
from webhooks.auth import optional_user_id
from webhooks.errors import ApiError

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
    # None: the currency's default provider (mobile money for XOF, XAF, CDF, GNF)
    provider: Literal["stripe", "cinetpay"] | None = None


def json_object() -> dict:
    """The request's JSON object; 400 for anything else: not JSON, not an object,
    or nested past Python's recursion limit."""
    try:
        body = json.loads(request.get_data(cache=True))
        if not isinstance(body, dict):
            raise ValueError("not an object")
    except (ValueError, RecursionError):
        raise ApiError("the body is a JSON object", status=400, code="invalid_json") from None
    return body


def parse_json(model: type[BaseModel]) -> BaseModel:
    body = json_object()
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        raise ApiError(
            "invalid request", status=422, code="invalid_request", details=details
        ) from None


@bp.post("/donations/checkout")
def checkout():
    body = parse_json(CheckoutRequest)
    donor_id = optional_user_id()
    provider = body.provider or payments.default_provider(body.currency)
    gateway = current_app.extensions["gateways"][provider]
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
    )
    checkout_url = gateway.open_checkout(pledge)
    return (
        jsonify(donation_id=str(pledge.donation_id), provider=provider, checkout_url=checkout_url),
        201,
    )
