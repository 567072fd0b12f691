"""The service's OpenAPI description: every route of the URL map is in it, it is
served at GET /openapi.json, webhooks/openapi.json is what `make openapi`
writes, and schemathesis, generating requests from it against the service
(wired to a real database, Stripe's and CinetPay's fakes), finds no 5xx and no
answer that differs from it (status, content type, headers, body schema).

Seeded (derandomized) and bounded: SCHEMATHESIS_EXAMPLES requests per route
(PROPERTY_PROFILE=thorough, `make test-slow`, tries many more). A signed-in
owner's token is sent to the routes that take one, so that generated bodies
reach past the sign-in check; providers' webhooks are called unsigned (their
signatures are generated text) and must refuse with a documented 4xx."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, get_args

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import cinetpay_fake
from tests import stripe_fake as sf
from tests.service_process import gunicorn
from tests.support.signing import cloudinary_headers
from webhooks import openapi
from webhooks.donations import Provider

EXAMPLES = {"suite": 60, "thorough": 600}[os.environ.get("PROPERTY_PROFILE", "suite")]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,  # a 2xx with the owner's token: the same request without it is a 401
]
OPERATIONS = [(op.method.upper(), op.path) for op in openapi.OPERATIONS]
TAKING_INPUT = {
    (op.method.upper(), op.path)
    for op in openapi.OPERATIONS
    if op.body is not None or op.headers or "{" in op.path
}
SETTINGS = settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip
# Deliberate 5xx of a signed webhook: the provider's API did not conclude, retry later.
RETRY = {(502, "payment_check_inconclusive"), (503, "service_unavailable")}
STRIPE_TYPES = sorted(
    {"checkout.session.completed", "charge.refunded", "charge.dispute.created", "customer.created"}
)


def flask_rules(app) -> set[tuple[str, str]]:
    """Every (method, path) the service answers, in OpenAPI's path syntax."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        found |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_webhooks_openapi_json_is_what_make_openapi_writes():
    assert openapi.FILE.read_text() == openapi.render(), "run `make openapi`"


def test_every_route_of_the_service_is_described_and_nothing_else(app):
    assert set(OPERATIONS) == flask_rules(app)


def test_get_openapi_json_serves_the_description(service):
    response = service.get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == json.loads(openapi.FILE.read_text())
    assert response.get_json()["openapi"] == "3.1.0"


def test_each_documented_error_token_has_the_status_it_is_documented_under():
    for op in openapi.OPERATIONS:
        for status, tokens in op.errors.items():
            for token in tokens:
                assert openapi.SERVICE_ERRORS[token].status == status, (op.path, token)


def test_every_operation_reading_a_body_lists_the_web_servers_refusals_of_it():
    """A broken chunk or form is bad_request (400), a body over 1 MiB, chunked or
    not, request_entity_too_large (413), whichever route reads it."""
    for op in openapi.OPERATIONS:
        if op.body is not None:
            assert "bad_request" in op.errors[400], op.path
            assert op.errors[413] == ["request_entity_too_large"], op.path


def test_the_providers_a_checkout_or_a_quote_may_name_are_the_databases(db):
    labels = db.one("select enum_range(null::public.payment_provider)::text[] as l")["l"]
    assert list(get_args(Provider)) == labels


def test_routes_that_need_the_user_declare_bearer_security():
    paths = openapi.document()["paths"]
    assert paths["/media/signature"]["post"]["security"] == [{"bearer": []}]
    assert paths["/payouts/{payout_id}/account"]["get"]["security"] == [{"bearer": []}]
    assert {"bearer": []} in paths["/donations/checkout"]["post"]["security"]
    assert "security" not in paths["/webhooks/stripe"]["post"]


@pytest.fixture
def api(make_app, service_settings):
    """The service, its description as schemathesis reads it from GET /openapi.json."""
    app = make_app(**service_settings)
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def bearer(operation, owner) -> dict[str, str]:
    """The owner's token for the routes that take one."""
    if "security" not in operation.definition.raw:
        return {}
    return {"Authorization": f"Bearer {owner.token}"}


@pytest.mark.parametrize(
    ("method", "path", "mode"),
    [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS]
    # what can be sent wrong: a body, a header, a path segment
    + [(m, p, GenerationMode.NEGATIVE) for m, p in OPERATIONS if (m, p) in TAKING_INPUT],
)
def test_schemathesis_finds_no_5xx_and_every_answer_as_described(api, owner, method, path, mode):
    """Requests that fit the description, and requests that do not (refused with a 4xx)."""
    operation = api[path][method]
    auth = bearer(operation, owner)
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @SETTINGS
    @given(case=operation.as_strategy(mode))
    def run(case):
        case.call_and_validate(headers=auth, checks=checks)

    run()


def known_values(campaign: dict[str, Any]) -> dict[str, list[Any]]:
    """Values the routes recognise, mixed into generated bodies to get past the first refusal."""
    return {
        "campaign_id": [str(campaign["id"])],
        "currency": [campaign["currency"], "EUR"],
        "amount": [1000, 5000, 25000],
        "provider": ["stripe", "cinetpay"],
        "livemode": [False],
        "type": STRIPE_TYPES,
        "data": [
            {
                "object": {
                    "id": "cs_test_x",
                    "payment_status": "paid",
                    "amount_total": 5000,
                    "currency": "xof",
                    "metadata": {"campaign_id": str(campaign["id"])},
                    "amount_refunded": 100,
                    "charge": "ch_x",
                    "status": "won",
                    "amount": 5000,
                }
            }
        ],
        "cpm_site_id": [cinetpay_fake.SITE_ID],
        "notification_type": ["upload", "delete", "moderation"],
        "public_id": [f"africagnotte/campaigns/{campaign['id']}/x"],
        "resource_type": ["image", "video"],
    }


def mixed(data, body: Any, known: dict[str, list[Any]]) -> Any:
    """The generated body with some of its fields replaced by known values."""
    if not isinstance(body, dict):
        return body
    return {
        key: data.draw(st.sampled_from(known[key])) if key in known and data.draw(st.booleans())
        else value
        for key, value in body.items()
    }  # fmt: skip


def signed_request(path: str, body: Any) -> dict[str, Any]:
    """The request as the provider sends it, signed with its real scheme."""
    if path == "/webhooks/cinetpay":
        return {"data": body, "headers": {"x-token": cinetpay_fake.x_token(body)}}
    payload = json.dumps(body)
    if path == "/webhooks/stripe":
        headers = {"Stripe-Signature": sf.sign(payload.encode())}
    else:
        headers = cloudinary_headers(payload)
    return {"data": payload, "content_type": "application/json", "headers": headers}


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/donations/checkout"), ("POST", "/media/signature"),
     ("POST", "/webhooks/stripe"), ("POST", "/webhooks/cloudinary"),
     ("POST", "/webhooks/cinetpay")],
)  # fmt: skip
def test_schemathesis_with_known_values_and_real_signatures_finds_nothing_either(
    api, db, owner, make_campaign, method, path
):
    """Generated bodies carrying a real campaign, currency or provider (and providers'
    webhooks signed as the providers sign them) reach the database and the providers'
    fakes: still no 5xx but a provider's documented retry, and every answer as described."""
    operation = api[path][method]
    client = api.app.test_client()
    known = known_values(make_campaign(owner, "active"))
    auth = bearer(operation, owner)
    checks = [c for c in CHECKS if c is not not_a_server_error]

    @SETTINGS
    @given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        case.body = mixed(data, case.body, known)
        if path.startswith("/webhooks/"):
            response = client.post(path, **signed_request(path, case.body))
        else:
            response = case.call(headers=auth)
        if response.status_code >= 500:
            body = response.json() if callable(response.json) else response.json
            assert (response.status_code, body["message"]) in RETRY, body
        case.validate_response(response, checks=checks, headers=auth)

    run()
    assert db.sql("select * from private.check_ledger()") == []


# The checks that need data this run cannot make (a resource created by another
# operation) or judge the latency of a busy machine.
CLI_EXCLUDED = "positive_data_acceptance,use_after_free,ensure_resource_availability," \
    "object_level_authorization"  # fmt: skip


def test_schemathesis_cli_against_the_service_under_gunicorn_finds_nothing(
    service_settings, owner, make_campaign, tmp_path
):
    """`st run` as a developer runs it, against the service served by gunicorn:
    its coverage phase too (boundary values, missing required headers, methods
    the description does not list: 405 with Allow), every check."""
    make_campaign(owner, "active")
    env = {k.upper(): str(v) for k, v in service_settings.items() if k != "database_url"}
    with gunicorn(service_settings["database_url"], workers=1, threads=4, **env) as service:
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{service.base}/openapi.json",
             "--phases", "examples,coverage,fuzzing", "--max-examples", str(EXAMPLES // 2),
             "--seed", "17", "--generation-deterministic", "--checks", "all",
             "--exclude-checks", CLI_EXCLUDED, "--no-color", "--workers", "2",
             "--header", f"Authorization: Bearer {owner.token}"],
            capture_output=True, text=True, timeout=600, check=False,
            cwd=tmp_path,  # its cache (.schemathesis/) stays out of the repository
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # every operation but GET /openapi.json, which the CLI leaves out (it loaded the description)
    assert f"Tested: {len(OPERATIONS) - 1}" in run.stdout, run.stdout[-3000:]
