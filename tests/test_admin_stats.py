"""`cagnotte-admin stats` and `export`: figures and CSV for operators."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from psycopg.types.json import Jsonb

from admin_scripts import i18n
from tests.support.terminal import unboxed


@pytest.fixture
def cli(operator_cli):
    return operator_cli


@pytest.fixture
def activity(owner, make_campaign, give, user, other_user):
    a = make_campaign(owner, "active")
    b = make_campaign(owner, "active", title="École pour Koffi", category="education", country="CI")
    make_campaign(owner, "draft", title="Brouillon")
    give(a, 10_000, user, fee=300, tip=1_000)  # the fee: 273 the gift's, 27 the tip's
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
        "XOF", 17_000, 850, 273, 3,
    )  # fmt: skip
    assert xof["tips"] == 1_000 - 27  # platform revenue, never in what campaigns collected
    (today,) = data["per_day"]
    assert (today["donations"], today["amount"]) == (3, 17_000)


def test_stats_for_people_has_tables_and_a_chart(cli, activity):
    result = cli("stats")
    assert result.exit_code == 0, result.output
    assert "Campaigns by category" in result.stdout
    assert "Donations per day (XOF)" in result.stdout
    assert i18n.money(17_000, "XOF") in result.stdout  # F CFA17,000: not minor units


def test_stats_in_french_show_money_with_the_currencys_digits(cli, activity):
    result = cli("--lang", "fr", "stats", "--no-chart")
    assert result.exit_code == 0, result.output
    assert "Cagnottes par catégorie" in result.stdout
    assert "17\u202f000\xa0F\u202fCFA" in result.stdout  # 17 000 F CFA
    assert "Dons par jour" not in result.stdout


def give_in(db, campaign, amount, currency, event):
    """A donation in ``currency`` credited through the payment core."""
    p = db.one(
        "select private.create_donation(campaign_id => %s, amount => %s, currency => %s,"
        " provider => 'stripe') as p",
        [campaign["id"], amount, currency],
    )["p"]
    outcome = {"kind": "payment", "status": "succeeded", "amount": amount, "currency": currency,
               "donation_id": p["donation_id"]}  # fmt: skip
    db.one(
        "select private.record_payment_event('stripe', %s, 'x', now(), false, '{}', %s) as r",
        [event, Jsonb(outcome)],
    )


@pytest.fixture
def two_currencies(db, owner, make_campaign, give, user):
    """XOF today, EUR today and 10 days ago: days between without donations."""
    xof = make_campaign(owner, "active")
    eur = make_campaign(owner, "active", title="Puits à Thiès", currency="EUR", goal_amount=500_000)
    give_in(db, eur, 5_050, "EUR", "evt_eur_old")
    db.sql(
        "update private.campaign_daily_totals set day = current_date - 10 where campaign_id = %s",
        [eur["id"]],
    )
    give_in(db, eur, 10_000, "EUR", "evt_eur_today")
    give(xof, 2_500_000, user)
    return xof, eur


def test_the_chart_covers_every_currency_every_day_in_80_columns(db, cli, two_currencies):
    result = cli("stats", "--days", "14")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "Donations per day (XOF)" in result.stdout
    assert "Donations per day (EUR)" in result.stdout
    start = next(i for i, line in enumerate(lines) if "Donations per day (XOF)" in line)
    assert max(len(line) for line in lines[start:]) <= 80
    # every day of the period is on the axis, from 13 days ago to today
    today = db.one("select current_date as d")["d"]
    first = (today - timedelta(days=13)).strftime("%d/%m")
    assert first in "\n".join(lines[start:])
    json_days = json.loads(cli("stats", "--days", "14", "--json").stdout)["per_day"]
    assert set(json_days[0]) == {"day", "currency", "donations", "amount"}  # shape unchanged


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


@pytest.mark.parametrize("day", ["01/11/2026", "30/11/2026", "hier"])
def test_a_date_not_in_iso_8601_is_refused_with_what_to_write(db, cli, activity, day):
    result = cli("export", "donations", "--since", day)
    assert result.exit_code == 2
    assert "is not an ISO 8601 date: write 2026-11-30" in unboxed(result.stderr)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert db.one("select count(*) as n from private.audit_log")["n"] == 0


def test_a_bad_date_is_refused_in_french(cli):
    result = cli("--lang", "fr", "export", "donations", "--since", "30/11/2026")
    assert result.exit_code == 2
    shown = unboxed(result.stderr)
    # i18n.parse_when's sentence (the shared module's, translated with it): the
    # refused text and the form to write are there, without a traceback
    assert "'30/11/2026'" in shown
    assert "2026-11-30" in shown
    assert "Traceback" not in result.output


def test_export_since_an_iso_date_in_the_operators_zone(db, cli, activity, monkeypatch):
    monkeypatch.setenv("CAGNOTTE_TIMEZONE", "Africa/Abidjan")
    today = db.one("select (now() at time zone 'UTC')::date as d")["d"]
    since = cli("export", "donations", "--since", today.isoformat())
    assert since.exit_code == 0, since.output
    assert len(list(csv.DictReader(io.StringIO(since.stdout)))) == 3
    later = cli("export", "donations", "--since", f"{today + timedelta(days=1)}T00:00+00:00")
    assert list(csv.DictReader(io.StringIO(later.stdout))) == []
    assert db.one("select details->>'since' as s from private.audit_log order by id desc limit 1")[
        "s"
    ].startswith(str(today + timedelta(days=1)))


def test_export_in_french(cli, activity):
    result = cli("--lang", "fr", "export", "donations")
    assert result.exit_code == 0, result.output
    assert "3 dons exportés" in result.stderr


def test_stats_with_the_database_down_is_a_clear_error(cli, monkeypatch):
    from pgcluster import free_port

    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres:x@127.0.0.1:{free_port()}/postgres")
    for args in (["stats"], ["export", "donations"], ["--lang", "fr", "stats"]):
        result = cli(*args)
        assert result.exit_code == 5, result.output
        assert "Traceback" not in result.output
