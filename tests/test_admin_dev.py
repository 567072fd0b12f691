"""`cagnotte-admin dev donate`: docs/local-development.md's local donation, end to end over HTTP."""

from __future__ import annotations

import json
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from typer.testing import CliRunner

from admin_scripts.cli import app


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def running_service(make_app, service_settings):
    """The service on a real HTTP port (what `make run` serves)."""
    server = make_server("127.0.0.1", 0, make_app(**service_settings), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_dev_donate_pays_a_pledge_through_a_signed_stripe_event(
    db, monkeypatch, running_service, owner, make_campaign
):
    from tests import stripe_fake

    c = make_campaign(owner, "active")
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", stripe_fake.WEBHOOK_SECRET)
    result = CliRunner().invoke(
        app,
        [
            "dev",
            "donate",
            "--campaign",
            c["slug"],
            "--amount",
            "5000",
            "--service",
            running_service,
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["webhook"] == {"received": True, "outcome": "applied"}
    assert out["campaign"]["collected_amount"] == 5000


def test_dev_donate_reports_the_databases_refusal(
    db, monkeypatch, running_service, owner, make_campaign
):
    c = make_campaign(owner, "active")
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    result = CliRunner().invoke(
        app,
        ["dev", "donate", "--campaign", c["slug"], "--amount", "100", "--service", running_service],
    )
    assert result.exit_code == 1
    assert "amount_out_of_bounds" in result.stderr


def test_dev_donate_reads_the_amount_as_people_write_it_and_refuses_words(
    db, monkeypatch, owner, make_campaign
):
    c = make_campaign(owner, "active")
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    args = ["--lang", "fr", "dev", "donate", "--campaign", c["slug"], "--amount", "cinq mille"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "cinq mille" in result.output
    assert "Traceback" not in result.output
    assert db.sql("select 1 from public.donations") == []


def test_dev_donate_names_an_unknown_campaign_in_french(db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    args = ["--lang", "fr", "dev", "donate", "--campaign", "nulle-part", "--amount", "5 000"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3
    assert "aucune cagnotte n'a le slug 'nulle-part'" in result.stderr
