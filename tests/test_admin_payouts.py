"""`cagnotte-admin payouts …`: operators act as their admin account, through
the same SQL rules, and every action lands in the audit log."""

from __future__ import annotations

import functools
import json

import pytest

WALLET = {
    "method": "mobile_money",
    "beneficiary_name": "Aminata Traoré",
    "mobile_operator": "wave",
    "phone_number": "+221770000000",
}


@pytest.fixture
def campaign(owner, make_campaign, give, user):
    c = make_campaign(owner, "active", category="autre")  # no proof asked
    give(c, 100_000, user)
    return c


@pytest.fixture
def payout(as_user, owner, campaign):
    return as_user(owner).rpc(
        "request_payout", {"campaign_id": campaign["id"], "amount": 40_000, **WALLET}
    )


@pytest.fixture
def cli(operator_cli):
    return functools.partial(operator_cli, "payouts")


def test_list_shows_open_payouts_and_who_they_wait_on(cli, payout):
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["id"], row["amount"], row["waits_on"]) == (
        str(payout["id"]),
        40_000,
        "admin: approve",
    )
    assert (row["destination"], row["beneficiary_mask"]) == ("wave +221 •• ••• •• 00", "A. T.")
    assert "770000000" not in result.stdout
    assert "Aminata" not in result.stdout


def test_list_tells_missing_proofs_and_treasurers(
    db, cli, as_user, owner, make_campaign, give, user
):
    c = make_campaign(owner, "active", title="Soins urgents pour Moussa")  # santé
    give(c, 50_000, user)
    as_user(owner).rpc("request_payout", {"campaign_id": c["id"], "amount": 10_000, **WALLET})
    (row,) = json.loads(cli("list", "--json").stdout)
    assert row["waits_on"] == "owner: medical_document (missing)"


def test_a_table_for_people(cli, payout):
    result = cli("list")
    assert result.exit_code == 0
    assert "admin:" in result.stdout
    assert "1 row(s)" in result.stderr


def test_approve_then_mark_paid_with_audit(db, cli, payout, admin):
    assert cli("approve", str(payout["id"])).exit_code == 0
    result = cli("mark-paid", str(payout["id"]), "--reference", "WAVE-778", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "paid"
    audit = db.sql(
        "select action, actor_id, operator from private.audit_log where target_id = %s order by id",
        [str(payout["id"])],
    )
    assert [a["action"] for a in audit] == [
        "request_payout", "approve_payout", "payouts approve", "mark_payout_paid", "payouts mark-paid",
    ]  # fmt: skip
    assert {(a["actor_id"], a["operator"]) for a in audit[1:]} == {(admin.id, admin.email)}


def test_mark_failed_asks_for_confirmation(db, cli, payout):
    cli("approve", str(payout["id"]))
    result = cli("mark-failed", str(payout["id"]), "--reason", "Numéro inconnu", input="n\n")
    assert result.exit_code == 1
    assert db.one("select status::text from public.payout_requests")["status"] == "approved"
    result = cli("mark-failed", str(payout["id"]), "--reason", "Numéro inconnu", "--yes")
    assert result.exit_code == 0, result.output
    assert db.one("select status::text from public.payout_requests")["status"] == "failed"


def test_a_refused_step_exits_1_with_the_reason_and_writes_nothing(db, cli, payout):
    result = cli("mark-paid", str(payout["id"]), "--reference", "X")
    assert result.exit_code == 1
    assert "invalid_payout_transition" in result.stderr
    assert db.sql("select 1 from private.audit_log where action like 'payouts %%'") == []


def test_an_unknown_payout_exits_3(cli):
    result = cli("approve", "00000000-0000-0000-0000-000000000000")
    assert result.exit_code == 3
    assert "no payout_requests row has an id starting with 00000000" in result.stderr


def test_a_non_admin_operator_exits_4(cli, payout, monkeypatch, owner):
    monkeypatch.setenv("CAGNOTTE_OPERATOR", owner.email)
    result = cli("approve", str(payout["id"]))
    assert result.exit_code == 4
    assert "is not an admin" in result.stderr


def test_an_operator_must_be_named(cli, payout, monkeypatch):
    monkeypatch.delenv("CAGNOTTE_OPERATOR")
    result = cli("list")
    assert result.exit_code == 2
    assert "--operator" in result.stderr


def test_a_banned_admin_cannot_operate(cli, payout, gotrue, admin):
    gotrue.ban(admin)
    assert cli("approve", str(payout["id"])).exit_code == 4


def test_list_says_a_stopped_payout_waits_on_no_one(db, cli, payout, campaign):
    db.sql("update public.campaigns set status = 'frozen' where id = %s", [campaign["id"]])
    (row,) = json.loads(cli("list", "--json").stdout)
    assert row["waits_on"] == "stopped (campaign_frozen): reject or mark-failed"
    result = cli("approve", str(payout["id"]))
    assert result.exit_code == 1
    assert "payout_blocked" in result.stderr
    assert "campaign_frozen" in result.stderr


def test_show_opens_the_account_for_the_deciding_admin_audited(db, cli, payout, admin):
    result = cli("show", str(payout["id"]), "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["beneficiary_name"], shown["phone_number"], shown["mobile_operator"]) == (
        "Aminata Traoré", "+221770000000", "wave",
    )  # fmt: skip
    audit = db.sql(
        "select action, actor_id from private.audit_log where target_id = %s and action not like"
        " 'request%%' order by id",
        [str(payout["id"])],
    )
    assert [(a["action"], a["actor_id"]) for a in audit] == [
        ("read_payout_account", admin.id), ("payouts show", admin.id),
    ]  # fmt: skip


def test_show_is_refused_to_an_admin_on_the_campaigns_team(
    db, cli, payout, campaign, make_user, grant_role, monkeypatch
):
    insider = grant_role(make_user(), "admin")
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [campaign["id"], insider.id],
    )
    monkeypatch.setenv("CAGNOTTE_OPERATOR", insider.email)
    result = cli("show", str(payout["id"]))
    assert result.exit_code == 4
    assert "cannot_review_own_campaign" in result.stderr
    assert "770000000" not in result.output
    assert (
        db.sql(
            "select 1 from private.audit_log where action like '%%show%%' or action like 'read%%'"
        )
        == []
    )


def test_install_key_replaces_the_public_key_for_new_requests(db, cli, monkeypatch):
    from admin_scripts import keys

    fresh = keys.payout_key_pair(2048)
    monkeypatch.setenv("PAYOUT_ACCOUNTS_PRIVATE_KEY", fresh.private)
    result = cli("install-key")
    assert result.exit_code == 0, result.output
    key_id = db.one("select key_id from private.payout_account_key")["key_id"]
    assert key_id in result.stdout
    assert db.sql("select 1 from private.audit_log where action = 'payouts install-key'") != []


def test_install_key_refuses_what_is_not_a_public_key(db, cli, tmp_path, payout_keys):
    before = db.one("select key_id from private.payout_account_key")
    bad = tmp_path / "secret.asc"
    bad.write_text(payout_keys.private)  # the private half must never go to the database
    result = cli("install-key", "--public-key", str(bad))
    assert result.exit_code == 1
    assert "invalid_payout_key" in result.stderr
    assert db.one("select key_id from private.payout_account_key") == before
