"""GET /healthz: the service is up and reaches its database."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint, jsonify
from pydantic import BaseModel

from webhooks.db import connection
from webhooks.errors import ServiceUnavailable

bp = Blueprint("health", __name__)


class Health(BaseModel):
    """200 with ok, or 503 with unavailable (the database cannot be reached)."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]


@bp.get("/healthz")
def healthz():
    try:
        with connection() as conn:
            conn.execute("select 1")
    except ServiceUnavailable:
        return jsonify(status="unavailable", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
