"""`cagnotte-admin dev scenario`: a day to rehearse, made in a throwaway database
through the platform's own paths; every listing of the console then shows it."""

from __future__ import annotations

import json

import pytest

from localdev import scenario

SCENARIO_EMAIL = f"%@{scenario.EMAIL_DOMAIN}"


@pytest.fixture
def made(operator_cli) -> dict:
    result = operator_cli("dev", "scenario", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def count(db, query: str) -> int:
    return db.one(f"select count(*) as n from ({query}) as q")["n"]


def test_the_day_holds_every_kind_of_work_an_operator_meets(db, made):
    assert count(db, "select 1 from public.campaigns where status = 'pending_review'") >= 3
    assert count(db, "select 1 from public.campaigns where status = 'active'") >= 4
    assert count(db, "select 1 from public.campaigns where status = 'draft'") >= 1
    assert (
        count(db, "select 1 from public.reports where status = 'open' and campaign_id is not null")
        >= 2
    )
    assert (
        count(db, "select 1 from public.reports where status = 'open' and comment_id is not null")
        >= 3
    )
    hidden = db.sql("select hidden_reason from public.comments where hidden order by 1")
    assert [h["hidden_reason"] for h in hidden] == ["reports", "staff"]
    assert count(db, "select 1 from public.campaign_documents where status = 'pending'") >= 2
    assert count(db, "select 1 from public.campaign_edit_reviews") >= 1
    # payouts: one still waiting on a treasurer (two must sign), one on an admin
    waiting = db.sql(
        "select p.approvals_required, count(a.*) as signed from public.payout_requests as p"
        " left join public.payout_approvals as a on a.payout_id = p.id"
        " where p.status = 'requested' group by p.id order by 1 desc"
    )
    assert [(w["approvals_required"], w["signed"]) for w in waiting] == [(2, 1), (1, 1), (0, 0)]


def test_donations_span_weeks_in_xof_and_eur_by_mobile_money_and_card(db, made):
    rows = db.sql(
        "select d.currency, a.provider::text as provider, d.created_at, d.status::text as status"
        " from public.donations as d join private.payment_attempts as a on a.donation_id = d.id"
    )
    assert {r["currency"] for r in rows} == {"XOF", "EUR"}
    assert {r["provider"] for r in rows} == {"stripe", "cinetpay"}
    assert {r["status"] for r in rows} == {"succeeded"}
    days = {r["created_at"].date() for r in rows}
    assert (max(days) - min(days)).days >= 28
    totals = db.one(
        "select sum(collected_amount) as collected from public.campaigns where currency = 'EUR'"
    )
    assert totals["collected"] > 0  # credited by the payment core, not written by hand
    assert made["counts"]["donations_XOF"] + made["counts"]["donations_EUR"] == len(rows)


def test_people_have_french_names_and_can_sign_in_with_the_printed_password(db, made):
    names = {r["display_name"] for r in db.sql("select display_name from public.profiles")}
    assert {"Aminata Traoré", "Aïssatou Bah", "Seydou Keïta"} <= names
    staff = {a["email"]: a["role"] for a in made["accounts"] if a["role"]}
    assert set(staff.values()) == {"admin", "moderator"}
    row = db.one(
        "select count(*) filter (where encrypted_password = extensions.crypt(%s,"
        " encrypted_password)) as ok, count(*) as n from auth.users where email like %s",
        [made["password"], SCENARIO_EMAIL],
    )
    assert row["ok"] == row["n"] == len(made["accounts"])


def test_it_refuses_to_run_twice_and_says_how_to_start_again(db, operator_cli, made):
    before = count(db, "select 1 from public.campaigns")
    result = operator_cli("dev", "scenario")
    assert result.exit_code == 1
    assert "local reset" in result.stderr
    assert "Traceback" not in result.output
    assert count(db, "select 1 from public.campaigns") == before


def test_a_refusal_half_way_leaves_the_database_as_it_was(db, operator_cli):
    # Without the payout accounts' key the first payout request is refused, late in the day.
    db.sql("delete from private.payout_account_key")
    result = operator_cli("dev", "scenario")
    assert result.exit_code != 0
    assert "payout_key_missing" in result.stderr
    assert "Traceback" not in result.output
    assert count(db, "select 1 from auth.users") == 1  # the operator alone
    assert count(db, "select 1 from public.campaigns") == 0


def test_it_refuses_a_database_elsewhere_as_a_usage_error(db, operator_cli, monkeypatch):
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql://postgres:secret@db.abcdefgh.supabase.co:5432/postgres"
    )
    result = operator_cli("dev", "scenario")
    assert result.exit_code == 2
    assert "local database only" in result.stderr
    assert "Traceback" not in result.output


def test_the_summary_reads_french_and_names_the_accounts(db, operator_cli):
    result = operator_cli("--lang", "fr", "dev", "scenario")
    assert result.exit_code == 0, result.output
    assert "cagnottes en attente de relecture" in result.stdout
    assert "administrateur" in result.stdout
    assert f"khadija.ndiaye@{scenario.EMAIL_DOMAIN}" in result.stdout
    assert scenario.PASSWORD in result.stderr


LISTINGS = [
    (("campaigns", "list", "--json"), "opération du cœur"),
    (("campaigns", "list", "--status", "pending_review", "--json"), "funérailles de papa"),
    (("campaigns", "review-queue", "--json"), "ziguinchor"),
    (("payouts", "list", "--json"), "treasurer"),
    (("users", "list", "--json", "--limit", "100"), scenario.EMAIL_DOMAIN),
    (("reports", "list", "--json"), "spam"),
    (("comments", "list", "--hidden", "--json"), "bit.ly/gagner-vite"),
    (("notifications", "outbox", "--json", "--limit", "500"), "invitation_co_organizer"),
    (("export", "donations"), "xof"),
    (("export", "campaigns"), "puits"),
    (("stats", "--json"), "eur"),
]


@pytest.mark.parametrize(("words", "shown"), LISTINGS, ids=[" ".join(w) for w, _s in LISTINGS])
def test_every_listing_shows_the_day(operator_cli, made, words, shown):
    result = operator_cli(*words)
    assert result.exit_code == 0, result.output
    assert shown in result.stdout.lower()
