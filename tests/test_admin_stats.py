"""`cagnotte-admin stats` and `export`: figures and CSV for operators."""

from __future__ import annotations

import csv
import io
import json

import pytest


@pytest.fixture
def cli(operator_cli):
    return operator_cli


@pytest.fixture
def activity(owner, make_campaign, give, user, other_user):
    a = make_campaign(owner, "active")
    b = make_campaign(owner, "active", title="École pour Koffi", category="education", country="CI")
    make_campaign(owner, "draft", title="Brouillon")
    give(a, 10_000, user, fee=300)
    give(a, 5_000, other_user, anonymous=True)
    give(b, 2_000, user)
    return a, b


def test_stats_as_json(cli, activity):
    result = cli("stats", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["users"]["total"] >= 4
    assert {r["status"]: r["campaigns"] for r in data["campaigns_by_status"]} == {
        "active": 2,
        "draft": 1,
    }
    assert {r["category"]: r["open"] for r in data["campaigns_by_category"]} == {
        "sante": 1,
        "education": 1,
    }
    assert {r["country"] for r in data["campaigns_by_country"]} == {"ML", "CI"}
    (xof,) = data["money"]
    assert (xof["currency"], xof["collected"], xof["platform_fees"], xof["processor_fees"], xof["donations"]) == (
        "XOF", 17_000, 850, 300, 3,
    )  # fmt: skip
    (today,) = data["per_day"]
    assert (today["donations"], today["amount"]) == (3, 17_000)


def test_stats_for_people_has_tables_and_a_chart(cli, activity):
    result = cli("stats")
    assert result.exit_code == 0, result.output
    assert "Campaigns by category" in result.stdout
    assert "Donations per day (XOF" in result.stdout


def test_stats_are_for_admins(cli, monkeypatch, user):
    monkeypatch.setenv("CAGNOTTE_OPERATOR", user.email)
    assert cli("stats").exit_code == 4


def test_export_donations_as_csv_without_anonymous_names(db, cli, activity):
    result = cli("export", "donations")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3
    assert sorted((r["amount"], r["donor_name"]) for r in rows) == [
        ("10000", "Fatou Ndiaye"), ("2000", "Fatou Ndiaye"), ("5000", ""),
    ]  # fmt: skip
    assert "3 donations exported" in result.stderr
    assert db.one("select action from private.audit_log")["action"] == "export donations"


def test_export_campaigns_to_a_file_since_a_date(cli, activity, tmp_path):
    target = tmp_path / "campaigns.csv"
    assert cli("export", "campaigns", "--output", str(target)).exit_code == 0
    assert len(list(csv.DictReader(target.open()))) == 3
    result = cli("export", "campaigns", "--since", "2999-01-01")
    assert list(csv.DictReader(io.StringIO(result.stdout))) == []


def test_a_bad_date_is_a_clear_error(cli):
    result = cli("export", "donations", "--since", "hier")
    assert result.exit_code == 2  # a data exception (SQLSTATE 22xxx) is a usage error
    assert "invalid input syntax" in result.stderr
