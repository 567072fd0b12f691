"""`cagnotte-admin jobs run`: the scheduled jobs where pg_cron is absent."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from admin_scripts.cli import app


def test_jobs_run_expires_campaigns_past_their_end(db, owner, make_campaign, monkeypatch):
    c = make_campaign(owner, "active")
    db.sql(
        "update public.campaigns set starts_at = now() - interval '2 days',"
        " ends_at = now() - interval '1 minute' where id = %s",
        [c["id"]],
    )
    monkeypatch.setenv("DATABASE_URL", db.url)
    result = CliRunner().invoke(app, ["jobs", "run", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "expire-campaigns": 1,
        "remind-ending-campaigns": 0,
        "purge-email-outbox": 0,
        "tell-overdue-justifications": 0,
    }
    assert db.one("select status::text from public.campaigns where id = %s", [c["id"]])[
        "status"
    ] == ("expired")


def test_jobs_run_without_a_database_url_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / "missing.env")
    result = CliRunner().invoke(app, ["jobs", "run"])
    assert result.exit_code == 2
    assert "DATABASE_URL" in result.stderr


def test_jobs_speak_french_by_default_and_english_when_asked(monkeypatch):
    monkeypatch.delenv("CAGNOTTE_LANG", raising=False)
    french = CliRunner().invoke(app, ["jobs", "run", "--help"])
    assert "Exécuter chaque tâche planifiée une fois" in french.stdout
    english = CliRunner().invoke(app, ["--lang", "en", "jobs", "run", "--help"])
    assert "Run every scheduled job once" in english.stdout


def test_jobs_run_with_the_database_down_is_a_clear_error(monkeypatch):
    from pgcluster import free_port

    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres:x@127.0.0.1:{free_port()}/postgres")
    result = CliRunner().invoke(app, ["--lang", "fr", "jobs", "run"])
    assert result.exit_code == 5
    assert "Traceback" not in result.output
