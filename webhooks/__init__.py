"""AfriCagnotte webhooks service: only what needs a secret (Stripe, CinetPay, Paystack,
Cloudinary).

It verifies, translates and calls SQL; every business rule lives in Postgres.
"""

from __future__ import annotations

import io
import logging

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from webhooks.config import Settings, load_settings
from webhooks.cors import init_cors
from webhooks.db import init_pool
from webhooks.errors import register_error_handlers

MAX_BODY = 1024 * 1024  # no request body needs more


def bound_streamed_body() -> None:
    """A chunked body (no Content-Length) over MAX_BODY is a 413 as a declared one
    is: werkzeug's stream stops at the limit without saying so when the body ends
    past it (LimitedStream.readall), and the route would read its first MiB as the
    whole body. Read here, up to one byte more, and handed on with its length."""
    environ = request.environ
    if request.content_length is not None or not environ.get("wsgi.input_terminated"):
        return
    body = environ["wsgi.input"].read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise RequestEntityTooLarge()
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))


class Service(Flask):
    def make_default_options_response(self) -> Response:
        """OPTIONS (a preflight) is answered with its headers (Allow, and CORS's for the
        site) and no body: no content type either, where Flask's says text/html."""
        response = super().make_default_options_response()
        del response.headers["Content-Type"]
        return response


def create_app(settings: Settings | None = None) -> Flask:
    app = Service(__name__)
    settings = settings or load_settings()
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    # A path is the route's or not found: werkzeug would answer a doubled slash with
    # its HTML redirect page (a RoutingException bypasses the error handlers).
    app.url_map.merge_slashes = False
    app.json.ensure_ascii = False  # French text stays readable
    logging.basicConfig(level=logging.INFO)

    register_error_handlers(app)
    init_cors(app, settings)  # another origin is refused before its body is read
    app.before_request(bound_streamed_body)
    init_pool(app)

    from webhooks import (
        cinetpay_gateway,
        cloudinary_gateway,
        donations,
        health,
        openapi,
        payout_accounts,
        paystack_gateway,
        receipts,
        recurring_gifts,
        stripe_gateway,
    )

    app.extensions["gateways"] = {
        "stripe": stripe_gateway.StripeGateway(settings),
        "cinetpay": cinetpay_gateway.CinetPayGateway(settings),
        "paystack": paystack_gateway.PaystackGateway(settings),
    }
    app.register_blueprint(health.bp)
    app.register_blueprint(donations.bp)
    app.register_blueprint(stripe_gateway.bp)
    app.register_blueprint(cinetpay_gateway.bp)
    app.register_blueprint(paystack_gateway.bp)
    app.register_blueprint(cloudinary_gateway.bp)
    app.register_blueprint(payout_accounts.bp)
    app.register_blueprint(receipts.bp)
    app.register_blueprint(recurring_gifts.bp)
    app.register_blueprint(openapi.bp)
    if not settings.stripe_secret_key or not settings.stripe_webhook_secret:
        app.logger.warning("Stripe is not configured: checkouts and Stripe webhooks answer 503")
    if not settings.cinetpay_configured:
        app.logger.warning("CinetPay is not configured: mobile money answers 503")
    if not settings.paystack_configured:
        app.logger.warning("Paystack is not configured: Paystack payments answer 503")
    return app
