"""The service's OpenAPI 3.1 description, generated from the models the routes
read and answer (pydantic's JSON Schema, which is OpenAPI 3.1's dialect),
served at GET /openapi.json and written to webhooks/openapi.json by
`make openapi` (tests/test_openapi.py fails when that file is stale, and runs
schemathesis against the service with it).

Each operation lists the statuses it answers and, for each error status, the
service's tokens (webhooks.errors.SERVICE_ERRORS); routes that call the
payment core or the media rules may also answer the database's tokens
(docs/errors.md) under the statuses listed. Every error has one shape (Error)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, jsonify
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from webhooks.cinetpay_gateway import CinetPayNotification, CinetPayPing
from webhooks.cloudinary_gateway import (
    AvatarUpload,
    CampaignUpload,
    DeleteNotification,
    DocumentUpload,
    JustificationUpload,
    ModerationNotification,
    OfflineSlipUpload,
    SignedUpload,
    UploadNotification,
)
from webhooks.donations import CheckoutRequest, CheckoutResponse, Quote
from webhooks.errors import SERVICE_ERRORS
from webhooks.health import Health
from webhooks.payout_accounts import PayoutAccount
from webhooks.paystack_gateway import PaystackEvent
from webhooks.recurring_gifts import CancelRequest, CancelResponse
from webhooks.stripe_gateway import StripeEnvelope
from webhooks.validation import WebhookReceived

bp = Blueprint("openapi", __name__)
FILE = Path(__file__).with_name("openapi.json")
REF = "#/components/schemas/{model}"


class FieldError(BaseModel):
    field: str = Field(description="The field's path, dotted (`context.custom.campaign_id`).")
    message: str


class Error(BaseModel):
    """Every error, as PostgREST answers them (docs/errors.md lists the tokens)."""

    model_config = ConfigDict(
        json_schema_extra={"required": ["code", "message", "details", "hint"]}
    )
    code: str = Field(pattern=r"^PT[0-9]{3}$", description="PT<HTTP status>")
    message: str = Field(pattern=r"^[a-z_]+$", description="The stable token.")
    details: str | list[FieldError] | None = Field(
        description="An English sentence, or for invalid_request the fields that do not fit."
    )
    hint: str | None = Field(description="What to do about it, or null.")


class OpenApiDocument(BaseModel):
    """This description."""

    model_config = ConfigDict(extra="allow")
    openapi: str
    paths: dict[str, Any]


MODELS: list[type[BaseModel]] = [
    Error, CheckoutRequest, CheckoutResponse, CampaignUpload, AvatarUpload, DocumentUpload,
    OfflineSlipUpload, JustificationUpload, SignedUpload, StripeEnvelope, UploadNotification,
    DeleteNotification,
    ModerationNotification, CinetPayNotification, CinetPayPing, PaystackEvent, WebhookReceived,
    PayoutAccount,
    Health, OpenApiDocument, Quote, CancelRequest, CancelResponse,
]  # fmt: skip

# The database's refusals a route may relay (docs/errors.md), by status.
DATABASE = "or a database token (docs/errors.md)"
BODY = ["invalid_json", "bad_request"]  # bad_request: a broken chunk or form
FIELDS = ["invalid_request", "invalid_input"]
SIGNED = ["missing_signature", "invalid_signature", "invalid_payload"]


def ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    ok: tuple[int, type[BaseModel] | None]  # None: a file of ok_media
    errors: dict[int, list[str]]
    body: dict[str, Any] | None = None  # a media type's schema
    media_type: str = "application/json"
    ok_media: str = "application/json"
    query: dict[str, str] = field(default_factory=dict)  # query parameters and their meaning
    optional: tuple[str, ...] = ()  # the query parameters that may be left out
    auth: str | None = None  # None, "optional" or "required"
    headers: list[str] = field(default_factory=list)  # required headers (signatures)
    database: tuple[int, ...] = ()  # statuses that may carry a database token
    extra: dict[int, tuple[str, type[BaseModel]]] = field(default_factory=dict)


OPERATIONS = [
    Operation(
        "post", "/donations/checkout",
        "Pledge a donation; the answer names the provider's page where the donor pays.",
        (201, CheckoutResponse), auth="optional", body=ref(CheckoutRequest),
        errors={400: BODY, 401: ["invalid_token"], 403: ["origin_not_allowed"], 404: [],
                409: [], 413: ["request_entity_too_large"], 422: FIELDS,
                429: [],
                502: ["payment_provider_unavailable"], 503: ["service_unavailable"]},
        database=(401, 403, 404, 409, 422, 429),
    ),
    Operation(
        "get", "/donations/quote",
        "Before paying: what the donor pays and what the campaign nets after every fee,"
        " in the campaign's currency and the donor's, with the exchange rate and its date.",
        (200, Quote),
        query={
            "campaign_id": "The campaign (uuid).",
            "amount": "The gift, minor units of currency (cover_fees: what the campaign nets).",
            "currency": "The donor's currency (default: the campaign's).",
            "provider": "stripe or cinetpay (default: the currency's).",
            "tip_amount": "An optional tip to the platform, minor units of currency (default 0).",
            "cover_fees": "true: the donor covers the fees (default false).",
            "payment_method": "The provider's payment method the fee is counted for (e.g. OM).",
        },
        optional=("currency", "provider", "tip_amount", "cover_fees", "payment_method"),
        errors={403: ["origin_not_allowed"], 404: [], 409: [], 422: FIELDS, 429: [],
                503: ["service_unavailable"]},
        database=(404, 409, 422),
    ),
    Operation(
        "post", "/media/signature",
        "Sign one direct upload to Cloudinary (a campaign's media, an avatar, a payout's"
        " document, an offline gift's slip, a justification's receipt or public image): the"
        " browser then uploads the file itself.",
        (200, SignedUpload), auth="required",
        body={"anyOf": [ref(CampaignUpload), ref(AvatarUpload), ref(DocumentUpload),
                        ref(OfflineSlipUpload), ref(JustificationUpload)]},
        errors={400: BODY, 401: ["invalid_token", "sign_in_required"],
                403: ["origin_not_allowed"], 404: [], 409: [],
                413: ["request_entity_too_large"], 422: FIELDS, 429: [],
                503: ["service_unavailable"]},
        database=(403, 404, 409, 422, 429),
    ),
    Operation(
        "get", "/payouts/{payout_id}/account",
        "A payout's destination in full, for the campaign's team (audited).",
        (200, PayoutAccount), auth="required",
        errors={401: ["invalid_token", "sign_in_required"], 403: ["origin_not_allowed"],
                404: ["payout_not_found"],
                503: ["payout_key_missing", "payout_key_unavailable", "service_unavailable"]},
        database=(403, 404),
    ),
    Operation(
        "get", "/receipts/{receipt_id}",
        "A donation's receipt or credit note as a PDF, for whoever holds its signed link"
        " (the thank-you email's, or my_receipts').",
        (200, None), ok_media="application/pdf",
        query={"sig": "The link's signature, as the database wrote it."},
        errors={403: ["origin_not_allowed"], 404: ["receipt_not_found"],
                503: ["service_unavailable"]},
        database=(404,),
    ),
    Operation(
        "post", "/recurring-gifts/{gift_id}/cancel",
        "Cancel a monthly gift: with its signed link's sig (every email about the gift has"
        " it), or as its signed-in donor; the subscription is deleted at Stripe, then the"
        " gift is ended.",
        (200, CancelResponse), auth="optional", body=ref(CancelRequest),
        errors={400: BODY, 401: ["invalid_token"], 403: ["origin_not_allowed"],
                404: ["recurring_gift_not_found"], 409: [],
                413: ["request_entity_too_large"], 422: FIELDS, 503: ["service_unavailable"]},
        database=(403, 404, 409),
    ),
    Operation(
        "post", "/webhooks/stripe",
        "Stripe's signed events (payments, refunds, disputes) for the payment core.",
        (200, WebhookReceived), body=ref(StripeEnvelope), headers=["Stripe-Signature"],
        errors={400: [*SIGNED, "livemode_mismatch", "bad_request"],
                413: ["request_entity_too_large"], 422: FIELDS, 503: ["service_unavailable"]},
        database=(409, 422),
    ),
    Operation(
        "post", "/webhooks/cloudinary",
        "Cloudinary's signed notifications: uploads, deletions, moderation.",
        (200, WebhookReceived), headers=["X-Cld-Signature", "X-Cld-Timestamp"],
        body={"anyOf": [ref(UploadNotification), ref(DeleteNotification),
                        ref(ModerationNotification)]},
        errors={400: [*SIGNED, *BODY], 413: ["request_entity_too_large"], 422: FIELDS,
                503: ["service_unavailable"]},
        database=(409, 422),
    ),
    Operation(
        "get", "/webhooks/cinetpay", "CinetPay checks that the notification URL answers.",
        (200, CinetPayPing), errors={},
    ),
    Operation(
        "post", "/webhooks/cinetpay",
        "CinetPay's notification (x-token signed), confirmed through its payment check.",
        (200, WebhookReceived), body=ref(CinetPayNotification),
        media_type="application/x-www-form-urlencoded", headers=["x-token"],
        errors={400: [*SIGNED, "site_mismatch", "bad_request"],
                413: ["request_entity_too_large"], 422: FIELDS,
                502: ["payment_check_inconclusive"], 503: ["service_unavailable"]},
        database=(409, 422),
    ),
    Operation(
        "post", "/webhooks/paystack",
        "Paystack's webhook (x-paystack-signature: HMAC-SHA512 of the body), each charge"
        " confirmed through its verify endpoint and each refund through its refund list.",
        (200, WebhookReceived), body=ref(PaystackEvent), headers=["x-paystack-signature"],
        errors={400: [*SIGNED, *BODY], 413: ["request_entity_too_large"], 422: FIELDS,
                502: ["payment_check_inconclusive"], 503: ["service_unavailable"]},
        database=(409, 422),
    ),
    Operation(
        "get", "/healthz", "The service is up and reaches its database.", (200, Health),
        errors={}, extra={503: ("The database cannot be reached.", Health)},
    ),
    Operation(
        "get", "/openapi.json", "This description (OpenAPI 3.1).", (200, OpenApiDocument),
        errors={},
    ),
]  # fmt: skip


def _error_response(status: int, tokens: list[str], database: bool) -> dict[str, Any]:
    named = ", ".join(f"`{t}`" for t in tokens)
    words = [named] if named else []
    if database:
        words.append(DATABASE if named else "a database token (docs/errors.md)")
    for token in tokens:
        kind = SERVICE_ERRORS[token]
        assert kind.status == status, (token, kind.status, status)
    response: dict[str, Any] = {
        "description": " ".join(words) or "an error",
        "content": {"application/json": {"schema": ref(Error)}},
    }
    if status == 503:
        response["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
    return response


def _operation(op: Operation) -> dict[str, Any]:
    status, model = op.ok
    responses: dict[str, Any] = {
        str(status): {
            "description": model.__doc__.strip().splitlines()[0]
            if model and model.__doc__
            else "OK",
            "content": {
                op.ok_media: {
                    "schema": ref(model) if model else {"type": "string", "format": "binary"}
                }
            },
        }
    }
    for code, (text, body) in op.extra.items():
        responses[str(code)] = {
            "description": text,
            "content": {"application/json": {"schema": ref(body)}},
        }
    for code in sorted(set(op.errors) | set(op.database)):
        responses[str(code)] = _error_response(code, op.errors.get(code, []), code in op.database)
    spec: dict[str, Any] = {
        "operationId": f"{op.method}_{op.path.strip('/').replace('/', '_')}".replace("{", "")
        .replace("}", "")
        .replace(".", "_"),
        "summary": op.summary,
        "responses": responses,
    }
    parameters = [
        {"name": name, "in": "header", "required": True, "schema": {"type": "string"},
         "description": "The provider's signature."}
        for name in op.headers
    ]  # fmt: skip
    for name in ("payout_id", "receipt_id", "gift_id"):
        if "{" + name + "}" in op.path:
            parameters.append(
                {"name": name, "in": "path", "required": True,
                 "schema": {"type": "string", "format": "uuid"}}
            )  # fmt: skip
    parameters += [
        {"name": name, "in": "query", "required": name not in op.optional,
         "schema": {"type": "string"},
         "description": meaning}
        for name, meaning in op.query.items()
    ]  # fmt: skip
    if parameters:
        spec["parameters"] = parameters
    if op.body is not None:
        spec["requestBody"] = {"required": True, "content": {op.media_type: {"schema": op.body}}}
    if op.auth == "required":
        spec["security"] = [{"bearer": []}]
    elif op.auth == "optional":
        spec["security"] = [{}, {"bearer": []}]
    return spec


@cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of every route."""
    _, schemas = models_json_schema([(m, "validation") for m in MODELS], ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "AfriCagnotte service",
            "version": "1",
            "description": (
                "The service that holds the secrets (payment providers, Cloudinary, the"
                " payout key); everything else is the API (PostgREST). Errors: "
                "docs/errors.md."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Supabase access token (the anon key is a guest).",
                }
            },
        },
    }


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())


if __name__ == "__main__":
    FILE.write_text(render())
    print(f"wrote webhooks/{FILE.name}")
