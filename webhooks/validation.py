"""Request shapes: each route reads its JSON body through one pydantic model.

The one home of the translation of a body that does not fit: not JSON, not an
object, or nested past Python's recursion limit is 400 ``invalid_json``; a
field of the wrong type, missing or unknown is 422 ``invalid_request`` with
the fields in ``details`` (``[{"field": "target", "message": "…"}]``). The
models check shapes only (types, sizes a column holds); the rules stay in SQL.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from flask import request
from pydantic import BaseModel, Field, ValidationError

from webhooks.errors import ApiError

M = TypeVar("M", bound=BaseModel)

# What PostgreSQL's integer types hold: a bigger number is a shape error, not a 500.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


class WebhookReceived(BaseModel):
    """A provider's webhook, accepted: what the payment core or the media made of it."""

    received: bool
    outcome: str


def invalid_request(exc: ValidationError) -> ApiError:
    """A pydantic refusal as the service answers it: 422 with each field."""
    details = [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
    ]
    return ApiError("invalid_request", "invalid request", details=details)


def json_object(raw: bytes | str | None = None) -> dict[str, Any]:
    """The request's JSON object (or ``raw``'s); 400 for anything else."""
    try:
        body = json.loads(request.get_data(cache=True) if raw is None else raw)
        if not isinstance(body, dict):
            raise ValueError("not an object")
    except (ValueError, RecursionError):
        raise ApiError("invalid_json", "the body is a JSON object") from None
    return body


def parse(model: type[M], data: Any) -> M:
    """``data`` as ``model``; 422 with the fields when it does not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_request(exc) from None


def parse_json(model: type[M]) -> M:
    """The request's JSON body as ``model``."""
    return parse(model, json_object())
