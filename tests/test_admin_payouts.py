"""`cagnotte-admin payouts …`: operators act as their admin account, through
the same SQL rules, and every action lands in the audit log."""

from __future__ import annotations

import functools
import json

import pytest

from admin_scripts import keys

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
    assert "1 row" in result.stderr


def test_approve_then_mark_paid_with_audit(db, cli, payout, admin):
    assert cli("approve", str(payout["id"])).exit_code == 0
    result = cli("mark-paid", str(payout["id"]), "--reference", "WAVE-778", "--yes", "--json")
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
    result = cli("mark-paid", str(payout["id"]), "--reference", "X", "--yes")
    assert result.exit_code == 1
    assert "invalid_payout_transition" in result.stderr
    assert db.sql("select 1 from private.audit_log where action like 'payouts %%'") == []


def test_an_unknown_payout_exits_3(cli):
    result = cli("approve", "00000000-0000-0000-0000-000000000000")
    assert result.exit_code == 3
    assert "payout: no id starts with 00000000" in result.stderr


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
    fresh = keys.payout_key_pair(2048)
    monkeypatch.setenv("PAYOUT_ACCOUNTS_PRIVATE_KEY", fresh.private)
    result = cli("install-key", "--yes")
    assert result.exit_code == 0, result.output
    key_id = db.one("select key_id from private.payout_account_key")["key_id"]
    assert key_id in result.stdout
    assert db.sql("select 1 from private.audit_log where action = 'payouts install-key'") != []


def test_install_key_refuses_what_is_not_a_public_key(db, cli, tmp_path, payout_keys):
    before = db.one("select key_id from private.payout_account_key")
    bad = tmp_path / "secret.asc"
    bad.write_text(payout_keys.private)  # the private half must never go to the database
    result = cli("install-key", "--public-key", str(bad), "--yes")
    assert result.exit_code == 1
    assert "invalid_payout_key" in result.stderr
    assert db.one("select key_id from private.payout_account_key") == before


def plain(text: str) -> str:
    """Babel's narrow and non-breaking spaces as plain ones, and the lines joined
    (a prompt or a table wraps)."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def status_of(db, payout) -> str:
    return db.one("select status::text from public.payout_requests where id = %s", [payout["id"]])[
        "status"
    ]


def in_french(operator_cli, *args: str, input: str | None = None):
    return operator_cli("--lang", "fr", "payouts", *args, input=input)


def test_amounts_are_shown_as_people_read_them_in_french_and_english(operator_cli, cli, payout):
    french = in_french(operator_cli, "list")
    assert french.exit_code == 0, french.output
    assert "40 000 F CFA" in plain(french.stdout)
    assert "40000" not in french.stdout
    assert "demandé" in french.stdout  # the status, in French (JSON keeps the label)
    (row,) = json.loads(in_french(operator_cli, "list", "--json").stdout)
    assert row["waits_on"] == "admin : approuver"
    english = cli("list")
    assert "F CFA40,000" in plain(english.stdout)
    # JSON keeps integer minor units with the currency
    (row,) = json.loads(cli("list", "--json").stdout)
    assert (row["amount"], row["currency"]) == (40_000, "XOF")


def test_mark_paid_refuses_without_confirmation_and_pays_with_yes(db, operator_cli, cli, payout):
    cli("approve", str(payout["id"]))
    refused = in_french(operator_cli, "mark-paid", str(payout["id"]), "--reference", "W-1",
                        input="n\n")  # fmt: skip
    assert refused.exit_code == 1
    prompt = plain(refused.stderr)  # chatter: stdout stays data
    assert "40 000 F CFA" in prompt
    assert "A. T." in prompt
    assert "W-1" in prompt
    assert "irréversible" in prompt
    assert status_of(db, payout) == "approved"
    assert db.sql("select 1 from private.audit_log where action = 'payouts mark-paid'") == []
    english = cli("mark-paid", str(payout["id"]), "--reference", "W-1", input="n\n")
    assert english.exit_code == 1
    assert "F CFA40,000" in plain(english.stderr)
    assert "cannot be undone" in english.stderr
    assert status_of(db, payout) == "approved"
    confirmed = cli("mark-paid", str(payout["id"]), "--reference", "W-1", input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert status_of(db, payout) == "paid"


def test_mark_paid_with_yes_asks_nothing(db, cli, payout):
    cli("approve", str(payout["id"]))
    result = cli("mark-paid", str(payout["id"])[:8], "--reference", "W-2", "--yes")
    assert result.exit_code == 0, result.output
    assert "?" not in result.stdout
    assert status_of(db, payout) == "paid"


@pytest.mark.parametrize("typed", ["40000", "40 000", "40\u202f000"])
def test_mark_paid_checks_the_amount_the_operator_typed(db, operator_cli, cli, payout, typed):
    cli("approve", str(payout["id"]))
    result = in_french(operator_cli, "mark-paid", str(payout["id"]), "--reference", "W-3",
                       "--amount", typed, "--yes")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert status_of(db, payout) == "paid"


def test_mark_paid_refuses_another_amount_and_records_nothing(db, operator_cli, cli, payout):
    cli("approve", str(payout["id"]))
    result = in_french(operator_cli, "mark-paid", str(payout["id"]), "--reference", "W-4",
                       "--amount", "4 000", "--yes")  # fmt: skip
    assert result.exit_code == 1
    assert "4 000 F CFA" in plain(result.stderr)
    assert "40 000 F CFA" in plain(result.stderr)
    assert "Traceback" not in result.output
    assert status_of(db, payout) == "approved"


@pytest.mark.parametrize("typed", ["quarante mille", "400,5", "-5", ""])
def test_a_bad_amount_is_a_usage_error(db, cli, payout, typed):
    cli("approve", str(payout["id"]))
    result = cli("mark-paid", str(payout["id"]), "--reference", "W-5", "--amount", typed, "--yes")
    assert result.exit_code == 2, result.output
    assert "--amount" in result.output
    assert "Traceback" not in result.output
    assert status_of(db, payout) == "approved"


@pytest.mark.parametrize("command", ["approve", "mark-paid", "mark-failed", "reject", "show"])
def test_a_bad_id_is_a_usage_error_in_french(operator_cli, payout, command):
    extra = {"mark-paid": ["--reference", "X"], "mark-failed": ["--reason", "X"],
             "reject": ["--reason", "X"]}.get(command, [])  # fmt: skip
    yes = ["--yes"] if extra else []
    result = in_french(operator_cli, command, "e54f384z", *extra, *yes)
    assert result.exit_code == 2, result.output
    assert "e54f384z" in result.stderr
    assert "invalid input syntax" not in result.output
    assert "Traceback" not in result.output


def test_an_unknown_status_is_a_usage_error_naming_the_choices(cli, payout):
    result = cli("list", "--status", "bogus")
    assert result.exit_code == 2
    assert "requested" in result.output
    assert "paid" in result.output


def test_reject_shows_the_amount_and_asks(db, operator_cli, payout):
    result = in_french(operator_cli, "reject", str(payout["id"]), "--reason", "Doublon",
                       input="n\n")  # fmt: skip
    assert result.exit_code == 1
    assert "40 000 F CFA" in plain(result.stderr)
    assert status_of(db, payout) == "requested"


def test_install_key_asks_before_replacing_the_key(db, cli, monkeypatch):
    before = db.one("select key_id from private.payout_account_key")
    monkeypatch.setenv("PAYOUT_ACCOUNTS_PRIVATE_KEY", keys.payout_key_pair(2048).private)
    assert cli("install-key", input="n\n").exit_code == 1
    assert db.one("select key_id from private.payout_account_key") == before


def test_show_prints_the_amount_as_money(operator_cli, payout):
    result = in_french(operator_cli, "show", str(payout["id"]))
    assert result.exit_code == 0, result.output
    assert "montant : 40 000 F CFA" in plain(result.stdout)
    assert "bénéficiaire : Aminata Traoré" in plain(result.stdout)


def test_a_down_database_is_one_line_and_exit_5(cli, monkeypatch):
    import pgcluster

    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{pgcluster.free_port()}/x")
    result = cli("list")
    assert result.exit_code == 5
    assert "Traceback" not in result.output


def test_mark_paid_asks_in_a_real_terminal_and_pays_on_yes(db, cli, payout):
    from tests.support import terminal

    cli("approve", str(payout["id"]))
    session = terminal.in_terminal(
        "payouts", "mark-paid", str(payout["id"])[:8], "--reference", "WAVE-9",
        env={"CAGNOTTE_LANG": "fr"},
    )  # fmt: skip
    prompt = session.expect("irréversible.")
    assert "40 000 F CFA" in plain(prompt)
    assert status_of(db, payout) == "approved"  # nothing before the answer
    session.answer("y")
    code, shown = session.finish()
    assert code == 0, shown
    assert status_of(db, payout) == "paid"


def test_mark_paid_in_a_real_terminal_does_nothing_on_no(db, cli, payout):
    from tests.support import terminal

    cli("approve", str(payout["id"]))
    session = terminal.in_terminal(
        "payouts", "mark-paid", str(payout["id"]), "--reference", "WAVE-9", env={}
    )
    session.expect("cannot be undone.")
    session.answer("n")
    code, _shown = session.finish()
    assert code == 1
    assert status_of(db, payout) == "approved"
