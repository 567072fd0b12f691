"""`cagnotte-admin campaigns …`: the moderation rules, from a terminal."""

from __future__ import annotations

import functools
import json

import pytest


@pytest.fixture
def cli(operator_cli):
    return functools.partial(operator_cli, "campaigns")


def status_of(db, campaign):
    return db.one("select status::text from public.campaigns where id = %s", [campaign["id"]])[
        "status"
    ]


def test_list_puts_campaigns_waiting_for_review_first(cli, owner, make_campaign):
    make_campaign(owner, "active", title="Déjà publiée")
    waiting = make_campaign(owner, "pending_review", title="En attente de revue")
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["status"] for r in rows] == ["pending_review", "active"]
    assert rows[0]["slug"] == waiting["slug"]
    assert (
        json.loads(cli("list", "--status", "active", "--json").stdout)[0]["title"] == "Déjà publiée"
    )


def test_show_gives_money_and_history(cli, owner, make_campaign):
    c = make_campaign(owner, "active")
    result = cli("show", c["slug"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["balance"]["available"] == 0
    assert [h["status"] for h in shown["history"]] == ["draft", "pending_review", "active"]


def test_approve_by_slug_is_audited_with_the_operator_and_the_campaigns_id(
    db, cli, owner, make_campaign, admin
):
    c = make_campaign(owner, "pending_review")
    result = cli("approve", c["slug"], "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "active"
    (audit,) = db.sql("select action, actor_id, operator, target_id from private.audit_log")
    assert audit == {"action": "campaigns approve", "actor_id": admin.id, "operator": admin.email,
                     "target_id": str(c["id"])}  # fmt: skip


def test_reject_needs_and_keeps_the_reason(db, cli, owner, make_campaign):
    c = make_campaign(owner, "pending_review")
    assert cli("reject", str(c["id"]), "--reason", "Photos floues").exit_code == 0
    assert (
        db.one("select rejection_reason from public.campaigns")["rejection_reason"]
        == "Photos floues"
    )
    assert "Photos floues" in db.one("select details from private.audit_log")["details"]["args"]


def test_feature_and_unfeature(db, cli, owner, make_campaign):
    c = make_campaign(owner, "active")
    assert cli("feature", c["slug"]).exit_code == 0
    assert db.one("select featured from public.campaigns")["featured"] is True
    assert cli("unfeature", c["slug"]).exit_code == 0
    assert db.one("select featured from public.campaigns")["featured"] is False


def test_featuring_a_draft_is_refused_with_exit_1(db, cli, owner, make_campaign):
    c = make_campaign(owner, "draft")
    result = cli("feature", c["slug"])
    assert result.exit_code == 1
    assert "campaign_not_featurable" in result.stderr
    assert db.sql("select 1 from private.audit_log") == []


def test_cancel_asks_then_cancels(db, cli, owner, make_campaign):
    c = make_campaign(owner, "active")
    assert cli("cancel", c["slug"], "--reason", "Fraude avérée", input="n\n").exit_code == 1
    assert status_of(db, c) == "active"
    assert cli("cancel", c["slug"], "--reason", "Fraude avérée", "--yes").exit_code == 0
    assert status_of(db, c) == "cancelled"


def test_an_unknown_campaign_exits_3(cli):
    result = cli("approve", "pas-de-cagnotte")
    assert result.exit_code == 3


def test_a_moderator_operator_cannot_cancel(
    cli, monkeypatch, grant_role, make_user, owner, make_campaign
):
    mod = grant_role(make_user(), "moderator")
    monkeypatch.setenv("CAGNOTTE_OPERATOR", mod.email)
    c = make_campaign(owner, "active")
    assert cli("cancel", c["slug"], "--reason", "x", "--yes").exit_code == 4
