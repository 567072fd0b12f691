"""`cagnotte-admin campaigns …`: the moderation rules, from a terminal."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from admin_scripts import errors
from admin_scripts.settings import ConsoleSettings
from tests.support import terminal


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


def test_show_json_gives_money_and_history(cli, owner, make_campaign):
    c = make_campaign(owner, "active")
    result = cli("show", c["slug"], "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["balance"]["available"] == 0
    assert [h["status"] for h in shown["history"]] == ["draft", "pending_review", "active"]
    assert (shown["media"], shown["documents"], shown["reports"], shown["freeze"]) == (
        [], [], [], None
    )  # fmt: skip


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


# A moderator's full review -------------------------------------------------------------------------


def plain(text: str) -> str:
    """Babel's no-break spaces (thousands, before the currency) as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def reviewed(db, owner, make_campaign, as_user, give, user, moderator):
    """An active campaign with a donation, a photo, a proof to review and a report,
    then frozen for the report."""
    c = make_campaign(owner, "active")
    give(c, 500_000, user)
    db.sql(
        "insert into public.campaign_media (campaign_id, public_id, resource_type)"
        " values (%s, %s, 'image')",
        [c["id"], f"africagnotte/campaigns/{c['id']}/photo-aminata"],
    )
    as_user(owner).insert(
        "campaign_documents",
        {"campaign_id": str(c["id"]), "document_type": "medical_document",
         "file_ref": f"africagnotte/documents/{c['id']}/devis"},
    )  # fmt: skip
    as_user(user).insert(
        "reports", {"campaign_id": str(c["id"]), "reason": "fraud", "details": "Photos volées"}
    )
    as_user(moderator).rpc(
        "freeze_campaign", {"campaign_id": c["id"], "reason": "Signalements de fraude"}
    )
    return c


def test_show_is_a_moderators_full_review_in_french(operator_cli, monkeypatch, reviewed):
    monkeypatch.delenv("CAGNOTTE_LANG")
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: whole cells
    result = operator_cli("campaigns", "show", reviewed["slug"])
    assert result.exit_code == 0, result.output
    shown = plain(result.stdout)
    for text in (
        reviewed["title"], reviewed["summary"], reviewed["story"], "santé, enfant", "Bamako",
        "Objectif", "2 500 000 F CFA", "500 000 F CFA (1 don)", "Historique du statut",
        "pending_review", "frozen", "Signalements de fraude", "oui, depuis le",
        f"https://res.cloudinary.com/africagnotte/image/upload/f_auto,q_auto,c_limit,w_1280/"
        f"africagnotte/campaigns/{reviewed['id']}/photo-aminata",
        "Justificatifs", "Lettre de l'hôpital ou devis médical", "pending",
        "Signalements", "la cagnotte", "fraud", "Photos volées",
    ):  # fmt: skip
        assert text in shown, text


def test_show_in_english_says_the_same(cli, monkeypatch, reviewed):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: whole cells
    shown = plain(cli("show", reviewed["slug"]).stdout)
    for text in ("Goal", "F CFA2,500,000", "F CFA500,000 (1 donation)", "Frozen", "yes, since",
                 "Hospital letter or medical quote", "Reports", "the campaign"):  # fmt: skip
        assert text in shown, text


def test_show_says_what_is_missing_as_none(operator_cli, owner, make_campaign):
    c = make_campaign(owner, "draft", summary=None, story=None)
    result = operator_cli("--lang", "fr", "campaigns", "show", str(c["id"])[:8])
    assert result.exit_code == 0, result.output
    for text in ("Gelée", "non", "Médias : aucun", "Justificatifs : aucun", "Signalements : aucun"):
        assert text in result.stdout, text


def test_list_shows_money_as_people_read_it_and_dates_in_the_locale(
    operator_cli, monkeypatch, owner, make_campaign
):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: whole cells
    monkeypatch.setenv("CAGNOTTE_TIMEZONE", "Africa/Abidjan")
    make_campaign(owner, "active", currency="EUR", goal_amount=300_000)
    french = operator_cli("--lang", "fr", "campaigns", "list")
    assert french.exit_code == 0, french.output
    assert "0,00 € / 3 000,00 €" in plain(french.stdout)
    assert "GMT" in french.stdout
    english = operator_cli("--lang", "en", "campaigns", "list")
    assert "€0.00 / €3,000.00" in english.stdout
    assert "300000" not in french.stdout + english.stdout


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_unknown_status_or_a_bad_id_is_told_without_a_traceback(operator_cli, lang):
    bogus = operator_cli("--lang", lang, "campaigns", "list", "--status", "bogus")
    assert bogus.exit_code == errors.EXIT_USAGE
    assert "pending_review" in bogus.output
    for words in (
        ["show"],
        ["freeze", "--reason", "x", "--yes"],
        ["close", "--reason", "x", "--yes"],
    ):
        for wrong in ("pas-de-cagnotte", "e54f384f"):
            result = operator_cli("--lang", lang, "campaigns", words[0], wrong, *words[1:])
            assert result.exception is None or isinstance(result.exception, SystemExit)
            assert result.exit_code == errors.EXIT_NOT_FOUND, result.output
            assert "invalid input syntax" not in result.output


# Freeze and close with refunds ------------------------------------------------------------------------


def test_freeze_asks_saying_what_is_at_stake_then_freezes(
    db, operator_cli, owner, make_campaign, give, user
):
    c = make_campaign(owner, "active")
    give(c, 500_000, user)
    asked = operator_cli("--lang", "fr", "campaigns", "freeze", c["slug"], "--reason", "Fraude",
                         input="n\n")  # fmt: skip
    assert asked.exit_code == 1
    assert "500 000 F CFA, 1 don" in plain(asked.output)
    assert status_of(db, c) == "active"
    done = operator_cli("--lang", "fr", "campaigns", "freeze", c["slug"], "--reason", "Fraude",
                        "--yes")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert status_of(db, c) == "frozen"
    assert f"{c['slug']} : frozen" in done.stdout


def test_a_refused_freeze_is_explained_with_the_databases_token(db, cli, owner, make_campaign):
    c = make_campaign(owner, "draft")
    result = cli("freeze", c["slug"], "--reason", "Fraude", "--yes")
    assert result.exit_code == errors.EXIT_REFUSED
    assert "invalid_status_transition" in result.stderr
    assert db.sql("select 1 from private.audit_log") == []


def test_close_asks_with_the_money_to_refund_then_writes_the_refund_orders(
    db, operator_cli, owner, make_campaign, give, user
):
    c = make_campaign(owner, "active")
    give(c, 500_000, user)
    give(c, 250_000)
    asked = operator_cli("--lang", "fr", "campaigns", "close", c["slug"], "--reason", "Fraude",
                         input="n\n")  # fmt: skip
    assert asked.exit_code == 1
    assert "2 dons, 750 000 F CFA" in plain(asked.output)
    assert status_of(db, c) == "active"
    done = operator_cli("--lang", "fr", "campaigns", "close", c["slug"], "--reason", "Fraude",
                        "--yes")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "2 ordres de remboursement, 750 000 F CFA : 2 pending" in plain(done.stdout)
    assert status_of(db, c) == "cancelled"
    again = operator_cli("--lang", "en", "campaigns", "close", c["slug"], "--reason", "x", "--yes")
    assert again.exit_code == 0, again.output  # the orders it lacks: none
    assert "2 refund orders, F CFA750,000: 2 pending" in plain(again.stdout)


def test_closing_a_campaign_with_no_donation_says_there_is_nothing_to_refund(
    cli, owner, make_campaign
):
    c = make_campaign(owner, "active")
    result = cli("close", c["slug"], "--reason", "Doublon", "--yes")
    assert result.exit_code == 0, result.output
    assert "No donation to refund." in result.stdout


# In a real terminal ---------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def console_in_a_terminal(*args: str) -> pexpect.spawn:
    """`cagnotte-admin <args>` on a pseudo-terminal, with this test's settings
    (DATABASE_URL, CAGNOTTE_OPERATOR: the operator_cli fixture's environment)."""
    return terminal.in_terminal(*args).child


@pytest.mark.parametrize(
    ("command", "asks", "status", "says"),
    [
        ("freeze", "Geler", "frozen", ": frozen"),
        ("close", "Clôturer", "cancelled", "1 ordre de remboursement, 500 000 F CFA"),
    ],
)
def test_freeze_and_close_confirm_in_a_real_terminal(
    db, operator_cli, owner, make_campaign, give, user, command, asks, status, says
):
    c = make_campaign(owner, "active")
    give(c, 500_000, user)
    args = ("--lang", "fr", "campaigns", command, c["slug"], "--reason", "Fraude")
    no = console_in_a_terminal(*args)
    no.expect(r"\[o/N\]: ")
    assert asks in no.before
    assert "500 000 F CFA" in plain(no.before)
    assert "1 don" in no.before
    no.sendline("n")
    no.expect(pexpect.EOF)
    no.close()
    assert no.exitstatus == 1
    assert status_of(db, c) == "active"
    yes = console_in_a_terminal(*args)
    yes.expect(r"\[o/N\]: ")
    yes.sendline("o")
    yes.expect(pexpect.EOF)
    yes.close()
    assert yes.exitstatus == 0, yes.before
    assert says in plain(yes.before)
    assert "Traceback" not in yes.before
    assert status_of(db, c) == status


# What an attacker may type, and what the operator must still read -----------------------------


def test_show_prints_control_and_bidirectional_characters_of_a_campaigns_text_as_escapes(
    db, cli, owner, make_campaign, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "80")
    c = make_campaign(owner, "active")
    db.sql(
        "update public.campaigns set title = %s, summary = %s, city = %s where id = %s",
        ["Soins pour \u202eAminata [red]x[/red]", "Résumé \x1b[2J [link=https://evil.test]ici[/link]",
         "Bam\u2066ako", c["id"]],
    )  # fmt: skip
    result = cli("show", c["slug"])
    assert result.exit_code == 0, result.output
    for raw in ("\u202e", "\x1b", "\u2066"):
        assert raw not in result.stdout, repr(raw)
    for shown in ("Soins pour \\u202eAminata [red]x[/red]", "\\x1b[2J [link=https://evil.test]ici",
                  "Bam\\u2066ako"):  # fmt: skip
        assert shown in result.stdout, shown


def test_a_confirmation_asks_on_stderr_so_that_the_json_on_stdout_stays_data(
    db, operator_cli, owner, make_campaign, give, user
):
    c = make_campaign(owner, "active")
    give(c, 500_000, user)
    args = ["--lang", "fr", "campaigns", "freeze", c["slug"], "--reason", "Fraude", "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "admin_scripts.cli", *args], cwd=ROOT, env=dict(os.environ),
        input="y\n", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Geler" in done.stderr
    assert json.loads(done.stdout)["status"] == "frozen"


def test_close_with_refund_without_stripe_says_what_to_set_and_closes_nothing(
    db, cli, operator_cli, owner, make_campaign, give, user, monkeypatch, tmp_path
):
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    monkeypatch.setitem(ConsoleSettings.model_config, "env_file", tmp_path / ".env.local")
    c = make_campaign(owner, "active")
    give(c, 500_000, user)
    result = cli("close", c["slug"], "--reason", "Fraude", "--refund", "--yes")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == errors.EXIT_PROVIDER, result.output
    assert "STRIPE_SECRET_KEY" in result.stderr
    french = operator_cli("--lang", "fr", "campaigns", "close", c["slug"], "--reason", "Fraude",
                          "--refund", "--yes")  # fmt: skip
    assert french.exit_code == errors.EXIT_PROVIDER
    assert "clôturez sans --refund" in french.stderr
    assert status_of(db, c) == "active"
    assert db.sql("select 1 from public.refund_orders") == []
    assert db.sql("select 1 from private.audit_log") == []


def test_a_story_typed_in_a_browser_reads_line_by_line_and_a_lone_carriage_return_stays_escaped(
    db, cli, owner, make_campaign
):
    c = make_campaign(owner, "active")
    db.sql(  # a textarea sends CRLF line breaks; a lone CR would overwrite the line on screen
        "update public.campaigns set story = %s where id = %s",
        ["Aminata est née avec une malformation.\r\nLes médecins peuvent l'opérer.\r\n\r\n"
         "Merci !\rFAUX", c["id"]],
    )  # fmt: skip
    result = cli("show", c["slug"])
    assert result.exit_code == 0, result.output
    assert "malformation.\nLes médecins peuvent l'opérer.\n\nMerci !\\rFAUX" in result.stdout
    assert "\r" not in result.stdout


@pytest.mark.parametrize("command", ["show", "approve", "reject", "freeze", "close", "review-edit"])
def test_every_command_says_in_french_how_to_name_the_campaign(operator_cli, command):
    result = operator_cli("--lang", "fr", "campaigns", command, "--help")
    assert result.exit_code == 0, result.output
    assert "Le slug de la cagnotte" in " ".join(result.stdout.split())


def test_a_report_about_a_comment_shows_the_comment_so_that_the_moderator_can_judge_it(
    operator_cli, owner, make_campaign, as_user, user, other_user, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: whole cells
    c = make_campaign(owner, "active")
    (comment,) = as_user(user).insert(
        "comments", {"campaign_id": str(c["id"]), "body": "Arnaque !!! Envoyez plutôt au 77 000"}
    )
    as_user(other_user).insert("reports", {"comment_id": comment["id"], "reason": "spam"})
    french = operator_cli("--lang", "fr", "campaigns", "show", c["slug"])
    assert french.exit_code == 0, french.output
    assert "un commentaire : « Arnaque !!! Envoyez plutôt au 77 000 »" in french.stdout
    shown = json.loads(operator_cli("campaigns", "show", c["slug"], "--json").stdout)
    assert [r["comment"] for r in shown["reports"]] == ["Arnaque !!! Envoyez plutôt au 77 000"]
