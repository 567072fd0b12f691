"""An operator's day, end to end: `dev scenario` fills a throwaway database, then a
French-speaking admin works through it with the console (Typer's runner, in
French): the review queue, an approval, a rejection with its reason, a campaign
featured, reports resolved, a comment hidden, proof documents accepted and
refused, a payout signed off by its treasurer then approved and paid, a campaign
frozen, a spammer banned for 7 days (the local stack's stand-in of the Auth admin
API), a backup, and its restore into a blank database.

Each step is a named function taking the `Day` (the console, the database, what
the scenario made), so that a step is easy to add or change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

import pgcluster
from localdev import scenario, tokens
from tests.conftest import throwaway_cluster


@dataclass
class Day:
    """What every step works with: the console in French, the database, the
    scenario's campaigns (key -> slug) and a scratch directory."""

    cli: Callable[..., Any]
    db: Any
    campaigns: dict[str, str]
    tmp: Path
    notes: dict[str, Any] = field(default_factory=dict)

    def run(self, *args: str, input: str | None = None) -> Any:
        """A console command in French; it must succeed, without a traceback."""
        result = self.cli("--lang", "fr", *args, input=input)
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def status(self, key: str) -> str:
        return self.db.one(
            "select status::text from public.campaigns where slug = %s", [self.campaigns[key]]
        )["status"]


def act_as_member(db: Any, email: str, query: str, params: list) -> None:
    """A campaign team member's act through the API: role authenticated with the
    claims of their access token (as PostgREST runs it)."""
    with psycopg.connect(db.url, row_factory=dict_row, autocommit=True) as conn:
        user = conn.execute(
            "select id, email, phone, raw_app_meta_data, raw_user_meta_data, is_anonymous"
            " from auth.users where email = %s",
            [email],
        ).fetchone()
        with conn.transaction():
            conn.execute(
                "select set_config('request.jwt.claims', %s, true)",
                [json.dumps(tokens.access_token_claims(user))],
            )
            conn.execute("set local role authenticated")
            conn.execute(query, params)


def reasons(payout: dict[str, Any]) -> set[str]:
    """What a payout waits on, as the database says it (`--json`'s blockers)."""
    return {b["reason"] for b in payout["blockers"]}


def email(key: str) -> str:
    return f"{key}@{scenario.EMAIL_DOMAIN}"


# The steps ----------------------------------------------------------------------------


def review_queue(day: Day) -> None:
    waiting = day.json("campaigns", "list", "--status", "pending_review")
    slugs = {c["slug"] for c in waiting}
    assert {day.campaigns["tournoi-pikine"], day.campaigns["gains-faciles"]} <= slugs
    edits = day.json("campaigns", "review-queue")
    assert [e["slug"] for e in edits] == [day.campaigns["ecole-ziguinchor"]]


def approve_one(day: Day) -> None:
    day.run("campaigns", "approve", day.campaigns["tournoi-pikine"])
    assert day.status("tournoi-pikine") == "active"


def reject_one_with_a_reason(day: Day) -> None:
    reason = "Promesse de gains : ce n'est pas une cagnotte solidaire."
    day.run("campaigns", "reject", day.campaigns["gains-faciles"], "--reason", reason)
    assert day.status("gains-faciles") == "rejected"
    row = day.db.one(
        "select h.reason from public.campaign_status_history as h"
        " join public.campaigns as c on c.id = h.campaign_id"
        " where c.slug = %s order by h.created_at desc limit 1",
        [day.campaigns["gains-faciles"]],
    )
    assert row["reason"] == reason


def feature_one(day: Day) -> None:
    day.run("campaigns", "feature", day.campaigns["coeur-aminata"])
    featured = day.db.one(
        "select featured from public.campaigns where slug = %s",
        [day.campaigns["coeur-aminata"]],
    )
    assert featured["featured"]


def resolve_reports(day: Day) -> None:
    reports = day.json("reports", "list")
    about_workshop = [
        r for r in reports if r["campaign"] == day.campaigns["atelier-abobo"] and not r["comment"]
    ]
    assert len(about_workshop) == 2
    first, second = about_workshop
    day.run("reports", "resolve", first["id"][:8], "--note", "Vérifié : photos d'un catalogue.")
    day.run("reports", "resolve", second["id"][:8], "--dismiss", "--note", "Adresse vérifiée.")
    left = {r["id"] for r in day.json("reports", "list")}
    assert not {first["id"], second["id"]} & left
    day.notes["reports_resolved"] = 2


def hide_a_comment(day: Day) -> None:
    comments = day.json("comments", "list")
    (rude,) = [c for c in comments if c["body"].startswith("Arnaqueur")]
    day.run("comments", "hide", rude["id"][:8])
    row = day.db.one(
        "select hidden, hidden_reason from public.comments where id = %s", [rude["id"]]
    )
    assert (row["hidden"], row["hidden_reason"]) == (True, "staff")


def treasurer_signs_then_the_admin_pays(day: Day) -> None:
    payouts = {p["campaign"]: p for p in day.json("payouts", "list")}
    aminata = payouts[day.campaigns["coeur-aminata"]]
    assert "treasurer_approvals" in reasons(aminata)
    # The second treasurer signs Aminata's payout off (a team act, through the API).
    act_as_member(
        day.db, email("adjoa.mensah"),
        "select public.approve_payout_as_treasurer(%s)", [aminata["id"]],
    )  # fmt: skip
    payouts = {p["campaign"]: p for p in day.json("payouts", "list")}
    assert "treasurer_approvals" not in reasons(payouts[day.campaigns["coeur-aminata"]])
    # The well's payout: its treasurer signed, no proof needed; the admin decides and pays.
    well = payouts[day.campaigns["puits-kaffrine"]]
    assert (well["status"], reasons(well)) == ("requested", set())  # the admin decides
    day.run("payouts", "approve", well["id"][:8])
    day.run("payouts", "mark-paid", well["id"][:8], "--reference", "OM-2026-11-30-0042", "--yes")
    row = day.db.one("select status::text, reference from public.payout_requests where id = %s",
                     [well["id"]])  # fmt: skip
    assert (row["status"], row["reference"]) == ("paid", "OM-2026-11-30-0042")


def freeze_a_campaign(day: Day) -> None:
    day.run(
        "campaigns", "freeze", day.campaigns["atelier-abobo"],
        "--reason", "Signalements de fraude : justificatifs demandés à l'organisateur.", "--yes",
    )  # fmt: skip
    assert day.status("atelier-abobo") == "frozen"


def review_documents(day: Day) -> None:
    waiting = {d["campaign"]: d for d in day.json("documents", "list")}
    medical = waiting[day.campaigns["coeur-aminata"]]
    letter = waiting[day.campaigns["ecole-ziguinchor"]]
    day.run("documents", "accept", medical["id"][:8])
    reason = "Lettre illisible : merci d'envoyer un scan net."
    day.run("documents", "refuse", letter["id"][:8], "--reason", reason)
    rows = {
        r["id"]: (r["status"], r["review_note"])
        for r in day.db.sql(
            "select id::text, status::text, review_note from public.campaign_documents"
            " where id::text = any(%s)",
            [[medical["id"], letter["id"]]],
        )
    }
    assert rows[medical["id"]][0] == "accepted"
    assert rows[letter["id"]] == ("rejected", reason)


def ban_a_user_for_seven_days(day: Day) -> None:
    result = day.run(
        "users", "ban", email("bakary.sanogo"), "--for", "7d", "--reason", "Spam et arnaque.",
        "--yes",
    )  # fmt: skip
    assert "Traceback" not in result.output
    row = day.db.one(
        "select banned_until - now() between interval '6 days 23 hours' and interval '7 days'"
        " as seven_days from auth.users where email = %s",
        [email("bakary.sanogo")],
    )
    assert row["seven_days"]


def backup(day: Day) -> None:
    report = day.json("backup", "--output", str(day.tmp))
    assert report["verified"]["differ"] == {}
    day.notes["backup"] = report["file"]
    day.notes["row_counts"] = report["row_counts"]


def restore_into_a_blank_database(day: Day) -> None:
    with throwaway_cluster() as fresh:
        pgcluster.create_database(fresh, "blank")  # no roles, no auth schema: nothing
        target = fresh.superuser_url("blank")
        day.run("restore", day.notes["backup"], "--target-url", target, "--yes")
        with psycopg.connect(target) as conn:
            campaigns = conn.execute("select count(*) from public.campaigns").fetchone()[0]
            paid = conn.execute(
                "select count(*) from public.payout_requests where status = 'paid'"
            ).fetchone()[0]
    assert campaigns == day.notes["row_counts"]["public.campaigns"]
    assert paid == 1


STEPS = [
    review_queue,
    approve_one,
    reject_one_with_a_reason,
    feature_one,
    resolve_reports,
    hide_a_comment,
    review_documents,
    treasurer_signs_then_the_admin_pays,
    freeze_a_campaign,
    ban_a_user_for_seven_days,
    backup,
    restore_into_a_blank_database,
]


@pytest.fixture
def day(db, operator_cli, monkeypatch, tmp_path) -> Day:
    made = operator_cli("--lang", "fr", "dev", "scenario", "--json")
    assert made.exit_code == 0, made.output
    # The console on a direct connection (pg_dump needs a session), as on the local
    # stack: no Auth admin API configured, so bans go through its local stand-in.
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    return Day(operator_cli, db, json.loads(made.stdout)["campaigns"], tmp_path)


def test_an_operators_day_runs_end_to_end_in_french(day):
    for step in STEPS:
        step(day)
