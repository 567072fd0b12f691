"""GET /healthz: the service is up and reaches its database."""

from __future__ import annotations

from flask import Blueprint, jsonify

from webhooks.db import connection
from webhooks.errors import ServiceUnavailable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        with connection() as conn:
            conn.execute("select 1")
    except ServiceUnavailable:
        return jsonify(status="unavailable", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
