"""GET /healthz answers whether the service reaches its database."""

from __future__ import annotations

import pytest

from tests.conftest import free_port
from webhooks.config import ConfigError, load_settings


def test_healthz_is_ok_when_the_database_answers(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(make_app):
    url = f"postgresql://postgres:x@127.0.0.1:{free_port()}/postgres"
    app = make_app(database_url=url, db_pool_timeout=1, db_pool_min_size=0)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable"}


def test_unknown_route_answers_json_404(app):
    response = app.test_client().get("/nope")
    assert response.status_code == 404
    assert response.get_json()["message"] == "not_found"


def test_missing_database_url_is_a_clear_start_error(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_settings()


def test_malformed_database_url_is_a_clear_start_error():
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_settings(database_url="mysql://nope")


def test_an_empty_db_role_is_refused_rather_than_acting_as_the_login_role():
    with pytest.raises(ConfigError, match="DB_ROLE"):
        load_settings(database_url="postgresql://postgres@127.0.0.1/postgres", db_role="")


def test_the_example_environment_is_a_valid_configuration(monkeypatch):
    """.env.example, as shipped, starts the service (integrations unset)."""
    from dotenv import dotenv_values

    from pgcluster import ROOT

    for name, value in dotenv_values(ROOT / ".env.example").items():
        monkeypatch.setenv(name, value or "")
    settings = load_settings()
    assert settings.stripe_secret_key is None
    assert settings.db_role == "service_role"
