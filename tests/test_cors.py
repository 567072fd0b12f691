"""Browsers call the service from the site: CORS for the allowed origins (the
site's and CORS_ALLOWED_ORIGINS), preflights answered, every other origin
refused before anything is written; providers' webhooks carry no CORS."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import SITE_URL
from webhooks.config import ConfigError, load_settings

SITE = SITE_URL.rstrip("/")
PREVIEW = "https://preview.africagnotte.test"
EVIL = "https://africagnotte.evil.example"


@pytest.fixture
def browser_service(make_app, service_settings):
    return make_app(**service_settings, cors_allowed_origins=f" {PREVIEW} ,").test_client()


def preflight(client, path: str, origin: str, method: str = "POST"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type, apikey",
        },
    )


@pytest.mark.parametrize("origin", [SITE, PREVIEW])
@pytest.mark.parametrize(
    ("path", "method"),
    [("/donations/checkout", "POST"), ("/media/signature", "POST"), ("/payouts/x/account", "GET")],
)
def test_the_sites_preflights_are_answered(browser_service, origin, path, method):
    response = preflight(browser_service, path, origin, method)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert method in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type", "apikey"} <= {h.strip() for h in allowed.split(",")}
    assert "Origin" in response.headers.get("Vary", "")


def test_a_preflight_from_another_origin_is_refused(browser_service):
    response = preflight(browser_service, "/donations/checkout", EVIL)
    assert response.status_code == 403
    assert response.get_json()["message"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_sites_requests_carry_cors_headers_even_when_refused_by_a_rule(browser_service):
    response = browser_service.post(
        "/donations/checkout", json={"amount": "beaucoup"}, headers={"Origin": SITE}
    )
    assert response.status_code == 422  # the browser can read why
    assert response.headers["Access-Control-Allow-Origin"] == SITE


def test_a_request_from_another_origin_writes_nothing(db, browser_service, owner, make_campaign):
    campaign = make_campaign(owner, "active")
    response = browser_service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF",
              "provider": "stripe", "email": "awa@example.test"},
        headers={"Origin": EVIL},
    )  # fmt: skip
    assert response.status_code == 403
    assert response.get_json()["message"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert db.sql("select 1 from public.donations") == []


def test_the_same_request_from_the_site_goes_through(db, browser_service, owner, make_campaign):
    campaign = make_campaign(owner, "active")
    response = browser_service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF",
              "provider": "stripe", "email": "awa@example.test"},
        headers={"Origin": SITE},
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    assert response.headers["Access-Control-Allow-Origin"] == SITE


def test_requests_without_an_origin_are_not_browsers_and_pass(browser_service):
    response = browser_service.get(f"/payouts/{uuid.uuid4()}/account")
    assert response.status_code == 401  # the route's own answer
    assert "Access-Control-Allow-Origin" not in response.headers


def test_providers_webhooks_carry_no_cors_whatever_the_origin(browser_service):
    for origin in (SITE, EVIL):
        response = browser_service.post("/webhooks/stripe", data="{}", headers={"Origin": origin})
        assert response.status_code == 400
        assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize(
    "value", ["https://ok.test/path", "javascript:alert(1)", "*", "https://a.test,ftp://b.test"]
)
def test_a_listed_origin_that_is_not_an_origin_stops_the_service_starting(value):
    with pytest.raises(ConfigError, match="CORS_ALLOWED_ORIGINS"):
        load_settings(database_url="postgresql://x@127.0.0.1/x", cors_allowed_origins=value)


@pytest.mark.parametrize(
    "value",
    [
        "https://africagnotte.org@evil.example",
        "https://user:pw@africagnotte.org",
        "https://africagnotte.org/?next=x",
        "https://africagnotte.org/#top",
    ],
)
def test_a_site_url_that_is_not_an_origin_and_a_path_stops_the_service_starting(value):
    with pytest.raises(ConfigError, match="SITE_URL"):
        load_settings(database_url="postgresql://x@127.0.0.1/x", site_url=value)
