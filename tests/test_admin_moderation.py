"""`cagnotte-admin reports|comments|categories|settings …` (one module per
group): the queues and the reference data, ids as prefixes, enumerations as
choices, ranges as the database states them; in French and in English."""

from __future__ import annotations

import functools
import json

import pytest


@pytest.fixture
def cli(operator_cli):
    return operator_cli


@pytest.fixture
def french(operator_cli):
    return functools.partial(operator_cli, "--lang", "fr")


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def comment(as_user, user, campaign):
    (row,) = as_user(user).insert(
        "comments", {"campaign_id": campaign["id"], "body": "Arnaque !!!"}
    )
    return row


@pytest.fixture
def report(as_user, other_user, comment):
    (row,) = as_user(other_user).insert(
        "reports", {"comment_id": comment["id"], "reason": "harassment"}
    )
    return row


def audit_actions(db):
    return [a["action"] for a in db.sql("select action from private.audit_log order by id")]


def test_reports_queue_and_resolution(db, cli, report, campaign):
    (listed,) = json.loads(cli("reports", "list", "--json").stdout)
    assert (listed["id"], listed["campaign"], listed["comment"]) == (
        str(report["id"]), campaign["slug"], "Arnaque !!!",
    )  # fmt: skip
    result = cli("reports", "resolve", str(report["id"]), "--dismiss", "--note", "Rien d'anormal")
    assert result.exit_code == 0, result.output
    assert db.one("select status::text from public.reports")["status"] == "dismissed"
    assert json.loads(cli("reports", "list", "--json").stdout) == []
    assert cli("reports", "resolve", str(report["id"])).exit_code == 3  # no longer open
    assert audit_actions(db) == ["reports resolve"]


def test_comments_hide_unhide_delete(db, cli, comment, report):
    (listed,) = json.loads(cli("comments", "list", "--reported", "--json").stdout)
    assert listed["open_reports"] == 1
    assert cli("comments", "hide", str(comment["id"])).exit_code == 0
    assert db.one("select hidden, hidden_reason from public.comments") == {
        "hidden": True,
        "hidden_reason": "staff",
    }
    assert len(json.loads(cli("comments", "list", "--hidden", "--json").stdout)) == 1
    assert cli("comments", "unhide", str(comment["id"])).exit_code == 0
    assert cli("comments", "delete", str(comment["id"]), input="n\n").exit_code == 1
    assert cli("comments", "delete", str(comment["id"]), "--yes").exit_code == 0
    assert db.sql("select 1 from public.comments") == []
    assert audit_actions(db) == ["comments hide", "comments unhide", "comments delete"]


def test_hiding_a_hidden_comment_or_showing_a_visible_one_is_refused_and_not_audited(
    db, cli, french, comment
):
    visible = cli("comments", "unhide", str(comment["id"]))
    assert visible.exit_code == 1, visible.output
    assert f"comment {comment['id']} is not hidden" in visible.stderr
    assert cli("comments", "hide", str(comment["id"])).exit_code == 0
    again = french("comments", "hide", str(comment["id"]))
    assert again.exit_code == 1, again.output
    assert f"le commentaire {comment['id']} est déjà masqué" in again.stderr
    assert audit_actions(db) == ["comments hide"]


def test_staff_take_over_a_comment_the_campaign_owner_hid(db, cli, as_user, owner, comment):
    as_user(owner).update("comments", {"hidden": True}, {"id": comment["id"]})
    assert db.one("select hidden_reason from public.comments")["hidden_reason"] == "owner"
    assert cli("comments", "hide", str(comment["id"])).exit_code == 0
    assert db.one("select hidden_reason from public.comments")["hidden_reason"] == "staff"


def test_an_unknown_comment_exits_3(cli):
    assert cli("comments", "hide", "00000000-0000-0000-0000-000000000000").exit_code == 3


def test_ids_are_taken_as_prefixes_and_a_bad_id_is_a_usage_error(db, cli, comment, report):
    assert cli("comments", "hide", str(comment["id"])[:8]).exit_code == 0
    assert db.one("select hidden from public.comments")["hidden"] is True
    assert cli("reports", "resolve", str(report["id"])[:8]).exit_code == 0
    bad = cli("comments", "hide", "pas-un-id")
    assert bad.exit_code == 2
    assert "invalid input syntax" not in bad.output


def test_an_unknown_report_status_is_refused_by_the_choices(cli, report):
    result = cli("reports", "list", "--status", "bogus")
    assert result.exit_code == 2
    assert "open" in result.output
    assert "dismissed" in result.output


def test_moderation_in_french(db, french, comment, report):
    listed = french("reports", "list")
    assert listed.exit_code == 0, listed.output
    assert "Signalements" in listed.stdout
    resolved = french("reports", "resolve", str(report["id"]), "--dismiss")
    assert resolved.stdout.strip() == f"signalement {report['id']} : classé sans suite"
    hidden = french("comments", "hide", str(comment["id"]))
    assert hidden.stderr.strip() == f"commentaire {comment['id']} masqué"
    asked = french("comments", "delete", str(comment["id"]), input="n\n")
    assert "Supprimer le commentaire" in asked.output
    assert french("categories", "list").stdout.count("Catégories") == 1


def test_categories_add_fee_and_disable(db, cli):
    assert (
        cli("categories", "add", "agriculture", "--fr", "Agriculture", "--en", "Farming").exit_code
        == 0
    )
    assert cli("categories", "set-fee", "agriculture", "300").exit_code == 0
    assert cli("categories", "disable", "agriculture").exit_code == 0
    rows = {r["slug"]: r for r in json.loads(cli("categories", "list", "--json").stdout)}
    assert (rows["agriculture"]["platform_fee_bp"], rows["agriculture"]["active"]) == (300, False)
    assert rows["sante"]["proofs"] == ["medical_document"]
    assert cli("categories", "set-fee", "agriculture", "--clear").exit_code == 0
    assert (
        db.one("select platform_fee_bp from public.categories where slug = 'agriculture'")[
            "platform_fee_bp"
        ]
        is None
    )


def test_adding_a_category_that_exists_says_so_in_the_operators_language(db, cli, french):
    result = cli("categories", "add", "sante", "--fr", "Santé", "--en", "Health")
    assert result.exit_code == 1, result.output
    assert "category sante exists already" in result.stderr
    assert "duplicate key" not in result.output
    in_french = french("categories", "add", "sante", "--fr", "Santé", "--en", "Health")
    assert "la catégorie sante existe déjà" in in_french.stderr
    assert audit_actions(db) == []


def test_a_category_position_beyond_an_integer_is_a_usage_error_stating_the_range(db, cli):
    result = cli("categories", "add", "agri", "--fr", "A", "--en", "F", "--position", "99999999999")
    assert result.exit_code == 2, result.output
    assert "2147483647" in result.output
    assert "integer out of range" not in result.output
    assert db.sql("select 1 from public.categories where slug = 'agri'") == []


def test_a_fee_out_of_bounds_is_refused_with_the_databases_range(db, cli):
    result = cli("categories", "set-fee", "sante", "5000")
    assert result.exit_code == 1
    assert "5000 is out of range: the database allows 0 to 2000 basis points" in result.stderr
    assert "(0% to 20%)" in result.stderr
    assert (
        db.one("select platform_fee_bp from public.categories where slug = 'sante'")[
            "platform_fee_bp"
        ]
        is None
    )


def test_settings_show_and_set(db, cli):
    assert json.loads(cli("settings", "show", "--json").stdout)["platform_fee_bp"] == 500
    assert cli("settings", "set", "platform-fee", "450").exit_code == 0
    assert cli("settings", "set", "site-url", "https://africagnotte.org").exit_code == 0
    shown = json.loads(cli("settings", "show", "--json").stdout)
    assert (shown["platform_fee_bp"], shown["site_url"]) == (450, "https://africagnotte.org")
    assert cli("settings", "set", "site-url", "pas une url").exit_code == 1
    assert cli("settings", "set", "colour", "red").exit_code == 2
    assert audit_actions(db) == ["settings set platform-fee", "settings set site-url"]


def test_a_platform_fee_out_of_range_states_the_databases_range(db, cli):
    result = cli("settings", "set", "platform-fee", "20000")
    assert result.exit_code == 1
    assert "20000 is out of range: the database allows 0 to 2000 basis points" in result.stderr
    assert "Traceback" not in result.output
    not_a_number = cli("settings", "set", "platform-fee", "cinq")
    assert not_a_number.exit_code == 2
    assert "basis points" in not_a_number.output
    assert json.loads(cli("settings", "show", "--json").stdout)["platform_fee_bp"] == 500
    assert audit_actions(db) == []


@pytest.mark.parametrize("fee", ["99999999999", "3000000000"])
def test_a_fee_beyond_any_integer_states_the_range_too(db, cli, fee):
    for args in (["settings", "set", "platform-fee", fee], ["categories", "set-fee", "sante", fee]):
        result = cli(*args)
        assert result.exit_code == 1, result.output
        assert f"{fee} is out of range: the database allows 0 to 2000 basis points" in result.stderr
    assert json.loads(cli("settings", "show", "--json").stdout)["platform_fee_bp"] == 500
    assert audit_actions(db) == []


def test_the_site_url_defaults_to_the_deployments(db, cli, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://africagnotte.sn/")
    assert cli("settings", "set", "site-url").exit_code == 0
    assert json.loads(cli("settings", "show", "--json").stdout)["site_url"] == (
        "https://africagnotte.sn"
    )


def test_settings_in_french(db, french):
    shown = french("settings", "show")
    assert shown.exit_code == 0, shown.output
    assert "commission de la plateforme" in shown.stdout
    refused = french("settings", "set", "platform-fee", "20000")
    assert refused.exit_code == 1
    assert "hors limites" in refused.stderr
    assert "0 à 2000 points de base" in refused.stderr


def test_the_console_is_for_admins_even_moderators_are_refused(
    cli, monkeypatch, grant_role, make_user, report
):
    mod = grant_role(make_user(), "moderator")
    monkeypatch.setenv("CAGNOTTE_OPERATOR", mod.email)
    assert cli("reports", "list").exit_code == 4
    assert cli("settings", "set", "platform-fee", "0").exit_code == 4
