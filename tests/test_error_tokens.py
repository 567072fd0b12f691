"""Every error token is documented once, in docs/errors.md, generated from where
it is raised (the migrations and webhooks.errors.SERVICE_ERRORS), with one
status wherever it is raised; and the service answers every failure in
PostgREST's shape ``{code, message, details, hint}``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.exceptions import BadRequest, MethodNotAllowed, NotFound, RequestEntityTooLarge

from tests.support import error_catalogue
from webhooks.errors import SERVICE_ERRORS, WEB_SERVER_ERRORS, http_error_token

ROOT = Path(__file__).resolve().parents[1]
# A service token as the code raises it: ApiError("<token>", …), a class's
# token = "<token>", or a TokenError's token="<token>".
SERVICE_RAISE = re.compile(
    r'ApiError\(\s*"([a-z_]+)"|^\s+token = "([a-z_]+)"|token="([a-z_]+)"', re.M
)
WERKZEUG = [BadRequest, NotFound, MethodNotAllowed, RequestEntityTooLarge]
SHAPE = {"code", "message", "details", "hint"}


def service_source() -> str:
    return "\n".join(p.read_text() for p in sorted((ROOT / "webhooks").glob("*.py")))


def raised_by_the_service() -> set[str]:
    return {a or b or c for a, b, c in SERVICE_RAISE.findall(service_source())}


def test_docs_errors_md_is_what_make_docs_writes():
    assert error_catalogue.DOC.read_text() == error_catalogue.render(), "run `make docs`"


def test_a_token_has_one_status_wherever_it_is_raised():
    twice = {n: t.statuses for n, t in error_catalogue.all_tokens().items() if len(t.statuses) > 1}
    assert twice == {}


def test_every_token_has_a_meaning():
    assert [n for n, t in error_catalogue.all_tokens().items() if not t.meaning] == []


def test_every_token_the_service_raises_is_registered_and_every_registered_one_is_raised():
    raised = (
        raised_by_the_service()
        | {http_error_token(e()) for e in WERKZEUG}
        | {"internal_error"}
        | set(WEB_SERVER_ERRORS.values())  # gunicorn's refusals (gunicorn.conf.py)
    )
    # relayed from the database (webhooks.db.as_api_error), not raised by name
    raised.add("invalid_input")
    assert raised - set(SERVICE_ERRORS) == set(), "raised but not in SERVICE_ERRORS"
    assert set(SERVICE_ERRORS) - raised == set(), "registered but never raised"


def test_every_migration_token_is_listed_under_its_status_in_the_docs():
    rows = re.findall(r"^\| (\d{3}) \| `([a-z_]+)` \|", error_catalogue.DOC.read_text(), re.M)
    listed = {token: int(status) for status, token in rows}
    expected = {n: min(t.statuses) for n, t in error_catalogue.sql_tokens().items()}
    assert {n: listed.get(n) for n in expected} == expected


def test_the_readme_points_to_docs_errors_md_instead_of_a_second_table():
    readme = (ROOT / "README.md").read_text()
    assert "docs/errors.md" in readme
    assert "| 409 |" not in readme


# The shape -------------------------------------------------------------------------------------


def assert_shape(response, status: int, token: str) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    assert response.content_type == "application/json"
    assert set(body) == SHAPE
    assert (body["code"], body["message"]) == (f"PT{status}", token)
    return body


def test_a_service_error_is_postgrest_shaped_with_its_sentence_in_details(service):
    body = assert_shape(service.post("/webhooks/stripe", data=b"{}"), 400, "missing_signature")
    assert body["details"] == "Stripe-Signature header missing"
    assert body["hint"] is None


def test_a_field_error_lists_the_fields_in_details(service):
    response = service.post("/donations/checkout", json={"amount": "many"})
    body = assert_shape(response, 422, "invalid_request")
    fields = {d["field"] for d in body["details"]}
    assert {"amount", "campaign_id", "currency"} <= fields


def test_a_database_refusal_through_the_service_is_shaped_as_postgrest_answers_it(
    service, owner, make_campaign
):
    campaign = make_campaign(owner, "draft")
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF"},
    )
    body = assert_shape(response, 404, "campaign_not_found")  # a draft is not visible
    assert isinstance(body["details"], str)
    assert body["details"]


@pytest.mark.parametrize(
    ("method", "path", "status", "token"),
    [
        ("get", "/nowhere", 404, "not_found"),
        ("delete", "/donations/checkout", 405, "method_not_allowed"),
        ("post", "/healthz", 405, "method_not_allowed"),
    ],
)
def test_the_web_servers_own_errors_are_postgrest_shaped(service, method, path, status, token):
    response = getattr(service, method)(path)
    assert_shape(response, status, token)
    if status == 405:
        assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]


def test_a_body_over_the_limit_is_a_413_postgrest_shaped(service):
    response = service.post("/donations/checkout", data=b"x" * (1024 * 1024 + 1))
    assert_shape(response, 413, "request_entity_too_large")


def test_an_unexpected_failure_is_a_postgrest_shaped_500_without_a_traceback(
    make_app, service_settings
):
    app = make_app(**service_settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    body = assert_shape(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert body["hint"] is None
