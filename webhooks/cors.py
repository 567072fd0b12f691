"""Browsers on the site call the service (the checkout, upload signatures, a
payout's account, a receipt): CORS lets the allowed origins do it — the site's own
(SITE_URL) and CORS_ALLOWED_ORIGINS (Settings.browser_origins) — with their
preflights answered by flask-cors; a request from any other origin is refused
with 403 before its route runs. Providers' webhooks are called server to server
and carry no CORS headers."""

from __future__ import annotations

import re

from flask import Flask, request
from flask_cors import CORS

from webhooks.config import Settings
from webhooks.errors import ApiError

# The routes the frontend calls from the browser.
BROWSER_ROUTES = r"/(donations|media|payouts|receipts)/.*"
# What supabase-js and the site send with them.
ALLOWED_HEADERS = ["Authorization", "Content-Type", "apikey", "x-client-info"]
PREFLIGHT_MAX_AGE = 600  # seconds a browser may keep a preflight's answer


def init_cors(app: Flask, settings: Settings) -> None:
    origins = settings.browser_origins
    CORS(
        app,
        resources={BROWSER_ROUTES: {"origins": origins}},
        methods=["GET", "POST", "OPTIONS"],
        allow_headers=ALLOWED_HEADERS,
        max_age=PREFLIGHT_MAX_AGE,
        always_send=False,  # no Origin: not a browser, no CORS headers
    )

    @app.before_request
    def refuse_other_origins() -> None:
        origin = request.headers.get("Origin")
        if origin is None or not re.fullmatch(BROWSER_ROUTES, request.path):
            return
        if origin.lower() not in origins:
            raise ApiError(
                "origin_not_allowed", "This origin may not call the service from a browser."
            )
