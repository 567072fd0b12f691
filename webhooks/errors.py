"""One error shape: the service answers every failure as PostgREST does.

``{"code": "PT409", "message": "<token>", "details": …, "hint": …}``, the four
keys always present, so that the frontend reads the service's errors and the
API's (supabase-js) alike:

- ``message``: the stable token (snake_case) the frontend translates;
- ``code``: ``PT<status>``, the SQLSTATE PostgREST shows for our SQL's
  ``raise … errcode = 'PTxxx'`` (src/PostgREST/Error.hs answers the SQLSTATE as
  ``code``): the service uses it for every answer, its own tokens too;
- ``details``: the English sentence (PostgREST's ``details`` holds our SQL's
  ``detail =``), or for ``invalid_request`` the list of fields that do not fit
  (``[{"field": "amount", "message": "…"}]``);
- ``hint``: what to do about it, or null (SQL's ``hint =`` passes through).

SERVICE_ERRORS is the one home of the service's own tokens and their statuses:
an ApiError names a token and gets its status from there; docs/errors.md lists
them beside the SQL's (`make docs`, checked by tests/test_error_tokens.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorKind:
    status: int
    meaning: str


SERVICE_ERRORS: dict[str, ErrorKind] = {
    # the request itself
    "invalid_json": ErrorKind(400, "The body is not a JSON object."),
    "invalid_request": ErrorKind(
        422, "A field is missing, unknown or of the wrong type: `details` lists each field."
    ),
    "invalid_input": ErrorKind(
        422,
        "The database refused a value no column holds (a NUL character, a lone surrogate,"
        " a number too big).",
    ),
    "bad_request": ErrorKind(
        400, "The web server could not read the request (a broken form, chunk or request line)."
    ),
    "uri_too_long": ErrorKind(414, "The request line is longer than the web server reads."),
    "expectation_failed": ErrorKind(417, "An Expect header other than 100-continue."),
    "request_header_fields_too_large": ErrorKind(
        431, "A header is longer, or there are more headers, than the web server reads."
    ),
    "not_implemented": ErrorKind(501, "A Transfer-Encoding the web server does not read."),
    "not_found": ErrorKind(404, "No such route."),
    "method_not_allowed": ErrorKind(405, "The route does not answer this method."),
    "request_entity_too_large": ErrorKind(413, "The body is larger than 1 MiB."),
    "origin_not_allowed": ErrorKind(
        403, "A browser on another origin than the site's (CORS) called a browser route."
    ),
    # who is calling
    "invalid_token": ErrorKind(
        401, "The Authorization header is not a valid Supabase access token (or the anon key)."
    ),
    "sign_in_required": ErrorKind(401, "The route needs a signed-in user's access token."),
    "payout_not_found": ErrorKind(404, "No such payout request (the SQL answers it too)."),
    "receipt_not_found": ErrorKind(
        404, "No such receipt, or its link's signature is wrong (the SQL answers it too)."
    ),
    "recurring_gift_not_found": ErrorKind(
        404, "No such monthly gift, or its link's signature is wrong (the SQL answers it too)."
    ),
    # providers' webhooks
    "missing_signature": ErrorKind(400, "The provider's signature header is missing."),
    "invalid_signature": ErrorKind(
        400, "The provider's signature does not verify (or is too old): nothing is read."
    ),
    "invalid_payload": ErrorKind(400, "A signed body that is not the provider's event."),
    "livemode_mismatch": ErrorKind(400, "A live-mode Stripe event on a test-mode service."),
    "site_mismatch": ErrorKind(400, "A CinetPay notification for another site."),
    # the service cannot conclude now
    "payment_provider_unavailable": ErrorKind(
        502, "The payment provider refused or did not answer a checkout: nothing was charged."
    ),
    "payment_check_inconclusive": ErrorKind(
        502,
        "The provider's check (CinetPay's payment check, Paystack's verify) says nothing yet:"
        " the provider retries its notification.",
    ),
    "service_unavailable": ErrorKind(
        503,
        "The database or a provider's API is unavailable, or the feature is not configured:"
        " retry later (Retry-After).",
    ),
    "payout_key_missing": ErrorKind(
        503, "No payout-account key is installed (`cagnotte-admin payouts install-key`)."
    ),
    "payout_key_unavailable": ErrorKind(
        503, "The payout key cannot open this account, or gpg is not usable here."
    ),
    "internal_error": ErrorKind(500, "A bug: the service logged it."),
}


class ApiError(Exception):
    """A failure answered with a token: a service token (its status from
    SERVICE_ERRORS) or a database token (its status from its PTxxx SQLSTATE)."""

    token = "bad_request"

    def __init__(
        self,
        token: str | None = None,
        sentence: str | None = None,
        *,
        status: int | None = None,
        details: Any = None,
        hint: str | None = None,
    ):
        self.token = token or self.token
        super().__init__(f"{self.token}: {sentence}")
        self.status = status if status is not None else SERVICE_ERRORS[self.token].status
        self.sentence = sentence
        self.details = details if details is not None else sentence
        self.hint = hint

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.token, self.details, self.hint)


class TokenError(ApiError):
    """An ApiError whose token is its class's (unless named): raised with a sentence."""

    def __init__(self, sentence: str | None = None, *, token: str | None = None, **kwargs: Any):
        super().__init__(token, sentence, **kwargs)


class ServiceUnavailable(TokenError):
    token = "service_unavailable"


def error_body(status: int, token: str, details: Any = None, hint: str | None = None) -> dict:
    """PostgREST's error body."""
    return {"code": f"PT{status}", "message": token, "details": details, "hint": hint}


def http_error_token(exc: HTTPException) -> str:
    """Werkzeug's errors (404, 405, 413…) by their name: ``method_not_allowed``."""
    return (exc.name or "error").lower().replace(" ", "_")


# What gunicorn refuses before the app sees a request (gunicorn/workers/base.py,
# Worker.handle_error), by its status; anything else it refuses is bad_request.
WEB_SERVER_ERRORS = {
    400: "bad_request",
    414: "uri_too_long",
    417: "expectation_failed",
    431: "request_header_fields_too_large",
    501: "not_implemented",
    500: "internal_error",
}


def wire_error(status: int, reason: str, message: str) -> bytes:
    """A request the web server (gunicorn) refused before the app saw it (a broken
    request line, headers too large…), answered in the one shape: the whole HTTP
    answer, for gunicorn.conf.py to write instead of gunicorn's HTML page."""
    if status not in WEB_SERVER_ERRORS:  # a proxy line or TLS refusal: neither is used
        status, reason = 400, "Bad Request"
    body = json.dumps(error_body(status, WEB_SERVER_ERRORS[status], message or None)).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        response = jsonify(exc.body())
        if exc.status == 503:
            response.headers["Retry-After"] = "5"
        return response, exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        response = exc.get_response()  # keeps Allow on a 405
        response.set_data(
            app.json.dumps(error_body(status, http_error_token(exc), exc.description))
        )
        response.content_type = "application/json"
        return response, status

    @app.errorhandler(ParseException)
    def _unreadable_body(exc: ParseException):
        # gunicorn reads a chunked body as the route reads it: a broken chunk is the client's
        return jsonify(error_body(400, "bad_request", f"unreadable body: {exc}")), 400

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return jsonify(error_body(500, "internal_error", "internal error")), 500
