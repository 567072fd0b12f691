"""`cagnotte-admin documents …`: the proofs payouts wait on, reviewed from a
terminal through the database's own rules, in French and in English."""

from __future__ import annotations

import functools
import json
import time
from urllib.parse import parse_qs, urlsplit

import cloudinary.utils
import pytest

from admin_scripts import errors
from admin_scripts.settings import ConsoleSettings
from tests.conftest import CLOUDINARY_CLOUD, CLOUDINARY_KEY, CLOUDINARY_SECRET


@pytest.fixture
def cli(operator_cli):
    return functools.partial(operator_cli, "documents")


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")  # santé: asks for a medical document


@pytest.fixture
def upload(as_user, owner, campaign):
    """A proof the owner uploaded (its public id at Cloudinary), pending review."""

    def add(name: str = "devis-hopital", target=None):
        target = target or campaign
        (doc,) = as_user(owner).insert(
            "campaign_documents",
            {"campaign_id": str(target["id"]), "document_type": "medical_document",
             "file_ref": f"africagnotte/documents/{target['id']}/{name}"},
        )  # fmt: skip
        return {**doc, "id": str(doc["id"]), "campaign_id": str(doc["campaign_id"])}

    return add


@pytest.fixture
def doc(upload):
    return upload()


@pytest.fixture
def cloudinary_configured(monkeypatch):
    monkeypatch.setenv(
        "CLOUDINARY_URL", f"cloudinary://{CLOUDINARY_KEY}:{CLOUDINARY_SECRET}@{CLOUDINARY_CLOUD}"
    )


def status_of(db, doc) -> dict:
    return db.one(
        "select status::text, review_note, reviewed_by from public.campaign_documents"
        " where id = %s",
        [doc["id"]],
    )


def actions(db) -> list[str]:
    return [r["action"] for r in db.sql("select action from private.audit_log order by id")]


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output


# Listing and showing --------------------------------------------------------------------------


def test_the_list_shows_what_waits_for_review_unless_another_status_is_asked(
    db, cli, as_user, moderator, upload, owner, make_campaign
):
    waiting = upload("devis")
    done = upload("ancien-devis")
    as_user(moderator).rpc(
        "review_campaign_document", {"document_id": done["id"], "status": "accepted"}
    )
    other = upload("lettre", target=make_campaign(owner, "active", title="Opération de Moussa"))

    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == [waiting["id"], other["id"]]
    accepted = json.loads(cli("list", "--status", "accepted", "--json").stdout)
    assert [r["id"] for r in accepted] == [done["id"]]
    assert len(json.loads(cli("list", "--all", "--json").stdout)) == 3
    mine = cli("list", "--all", "--campaign", str(waiting["campaign_id"])[:8], "--json")
    assert [r["id"] for r in json.loads(mine.stdout)] == [waiting["id"], done["id"]]


def test_documents_a_payout_waits_on_come_first(
    cli, as_user, upload, owner, make_campaign, give, user
):
    first = upload("devis")
    urgent_campaign = make_campaign(owner, "active", title="Opération de Moussa")
    urgent = upload("lettre", target=urgent_campaign)
    give(urgent_campaign, 50_000, user)
    as_user(owner).rpc(
        "request_payout",
        {"campaign_id": urgent_campaign["id"], "amount": 10_000, "method": "mobile_money",
         "beneficiary_name": "Aminata Traoré", "mobile_operator": "wave",
         "phone_number": "+221770000000"},
    )  # fmt: skip
    rows = json.loads(cli("list", "--json").stdout)
    assert [(r["id"], r["payout_waiting"]) for r in rows] == [
        (urgent["id"], True), (first["id"], False),
    ]  # fmt: skip


def test_the_list_speaks_french_by_default_and_english_when_asked(cli, monkeypatch, doc, campaign):
    monkeypatch.delenv("CAGNOTTE_LANG")
    monkeypatch.setenv("CAGNOTTE_TIMEZONE", "Africa/Abidjan")
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: whole cells
    french = cli("list")
    assert french.exit_code == 0, french.output
    assert "Justificatifs" in french.stdout
    assert "Lettre de l'hôpital ou devis médical" in french.stdout
    assert doc["id"][:8] in french.stdout
    assert "GMT" in french.stdout
    monkeypatch.setenv("CAGNOTTE_LANG", "en")
    english = cli("list")
    assert "Proof documents" in english.stdout
    assert "Hospital letter or medical quote" in english.stdout


def test_show_tells_the_campaign_the_type_who_uploaded_it_when_and_its_status(
    cli, operator_cli, doc, campaign, owner, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: whole cells
    result = operator_cli("--lang", "fr", "documents", "show", doc["id"][:8])
    assert result.exit_code == 0, result.output
    for text in (campaign["slug"], "Lettre de l'hôpital ou devis médical", "Aminata Traoré",
                 "pending", "Déposé par", "Statut", doc["file_ref"]):  # fmt: skip
        assert text in result.stdout, text
    shown = json.loads(cli("show", doc["id"], "--json").stdout)
    assert (shown["campaign"], shown["status"], shown["uploaded_by"]) == (
        campaign["slug"], "pending", str(owner.id),
    )  # fmt: skip
    english = cli("show", doc["id"])
    assert "Uploaded by" in english.stdout


# Opening the file -------------------------------------------------------------------------------


def test_open_prints_a_download_link_signed_by_cloudinarys_library_for_the_minutes_asked(
    db, cli, doc, cloudinary_configured
):
    before = int(time.time())
    result = cli("open", doc["id"][:8], "--minutes", "10")
    assert result.exit_code == 0, result.output
    url = urlsplit(result.stdout.strip())
    assert (url.scheme, url.netloc, url.path) == (
        "https", "api.cloudinary.com", f"/v1_1/{CLOUDINARY_CLOUD}/image/download",
    )  # fmt: skip
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (query["public_id"], query["type"], query["api_key"]) == (
        doc["file_ref"], "authenticated", CLOUDINARY_KEY,
    )  # fmt: skip
    assert before + 600 <= int(query["expires_at"]) <= int(time.time()) + 600
    signed = {k: v for k, v in query.items() if k not in ("signature", "api_key")}
    assert query["signature"] == cloudinary.utils.api_sign_request(signed, CLOUDINARY_SECRET)
    assert "http" not in result.stderr  # the link alone on stdout, its end on stderr
    (audit,) = db.sql("select action, target_id from private.audit_log")
    assert audit == {"action": "documents open", "target_id": doc["id"]}


def test_open_without_cloudinary_says_what_to_set_and_opens_nothing(
    db, cli, doc, monkeypatch, tmp_path
):
    monkeypatch.delenv("CLOUDINARY_URL", raising=False)
    monkeypatch.setitem(ConsoleSettings.model_config, "env_file", tmp_path / ".env.local")
    result = cli("open", doc["id"])
    no_traceback(result)
    assert result.exit_code == errors.EXIT_PROVIDER
    assert "CLOUDINARY_URL" in result.stderr
    assert result.stdout == ""
    assert actions(db) == []


def test_the_link_lives_at_most_a_day(cli, doc, cloudinary_configured):
    result = cli("open", doc["id"], "--minutes", "2000")
    assert result.exit_code == errors.EXIT_USAGE
    assert "1440" in result.output


# Deciding -------------------------------------------------------------------------------------------


def test_accept_by_id_prefix_decides_through_the_database_and_is_audited(db, cli, doc, admin):
    result = cli("accept", doc["id"][:8])
    assert result.exit_code == 0, result.output
    assert status_of(db, doc) == {"status": "accepted", "review_note": None,
                                  "reviewed_by": admin.id}  # fmt: skip
    assert "Accepted" in result.stdout
    assert actions(db) == ["review_campaign_document", "documents accept"]


def test_refuse_keeps_the_reason_the_team_reads_in_its_payout_checklist(
    db, operator_cli, doc, as_user, owner, campaign, give, user
):
    result = operator_cli("--lang", "fr", "documents", "refuse", doc["id"], "--reason", "Illisible")
    assert result.exit_code == 0, result.output
    assert "Refusé" in result.stdout
    assert "Illisible" in result.stdout
    assert status_of(db, doc)["review_note"] == "Illisible"
    give(campaign, 50_000, user)
    payout = as_user(owner).rpc(
        "request_payout",
        {"campaign_id": campaign["id"], "amount": 10_000, "method": "mobile_money",
         "beneficiary_name": "Aminata Traoré", "mobile_operator": "wave",
         "phone_number": "+221770000000"},
    )  # fmt: skip
    (blocker,) = as_user(owner).rpc("payout_blockers", {"payout_id": payout["id"]})
    assert (blocker["reason"], blocker["note"]) == ("document_rejected", "Illisible")


def test_a_refusal_without_a_reason_is_a_usage_error_and_a_blank_one_the_databases_refusal(
    db, cli, doc
):
    missing = cli("refuse", doc["id"])
    no_traceback(missing)
    assert missing.exit_code == errors.EXIT_USAGE
    assert "--reason" in missing.output
    blank = cli("refuse", doc["id"], "--reason", "   ")
    no_traceback(blank)
    assert blank.exit_code == errors.EXIT_REFUSED
    assert "reason_required" in blank.stderr
    assert status_of(db, doc)["status"] == "pending"
    assert actions(db) == []


def test_an_admin_on_the_campaigns_team_cannot_review_its_proofs(db, cli, doc, admin, campaign):
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [campaign["id"], admin.id],
    )
    result = cli("accept", doc["id"])
    no_traceback(result)
    assert result.exit_code == errors.EXIT_FORBIDDEN
    assert "cannot_review_own_campaign" in result.stderr
    assert status_of(db, doc)["status"] == "pending"
    assert actions(db) == []


# Bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_bad_or_unknown_id_is_told_without_a_traceback(operator_cli, doc, lang):
    for command in ("show", "open", "accept"):
        word = operator_cli("--lang", lang, "documents", command, "bonjour")
        no_traceback(word)
        assert word.exit_code == errors.EXIT_USAGE, word.output
        unknown = operator_cli("--lang", lang, "documents", command, "e54f384f")
        no_traceback(unknown)
        assert unknown.exit_code == errors.EXIT_NOT_FOUND, unknown.output
        assert "invalid input syntax" not in unknown.output
    bad_campaign = operator_cli(
        "--lang", lang, "documents", "list", "--campaign", "pas-de-cagnotte"
    )
    assert bad_campaign.exit_code == errors.EXIT_NOT_FOUND


def test_an_ambiguous_prefix_is_a_usage_error_and_decides_nothing(db, cli, campaign, owner):
    ids = ["abcdef01-0000-4000-8000-000000000001", "abcdef01-0000-4000-8000-000000000002"]
    for i in ids:
        db.sql(
            "insert into public.campaign_documents (id, campaign_id, document_type, file_ref,"
            " uploaded_by) values (%s, %s, 'medical_document', %s, %s)",
            [i, campaign["id"], f"africagnotte/documents/{campaign['id']}/{i}", owner.id],
        )
    result = cli("accept", "abcdef01")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_USAGE
    assert ids[0] in result.stderr
    assert ids[1] in result.stderr
    assert cli("accept", "abcdef01-0000-4000-8000-000000000002").exit_code == 0
    statuses = db.sql("select status::text from public.campaign_documents order by id")
    assert [r["status"] for r in statuses] == ["pending", "accepted"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_unknown_status_is_a_usage_error_naming_the_choices(operator_cli, lang):
    result = operator_cli("--lang", lang, "documents", "list", "--status", "bogus")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_USAGE
    for choice in ("pending", "accepted", "rejected"):
        assert choice in result.output


def test_the_help_is_french_by_default(operator_cli, monkeypatch):
    monkeypatch.delenv("CAGNOTTE_LANG")
    result = operator_cli("documents", "--help")
    assert result.exit_code == 0
    assert "Justificatifs" in result.stdout


def test_a_reason_of_line_breaks_and_tabs_alone_is_no_reason(db, cli, doc):
    result = cli("refuse", doc["id"], "--reason", "\n\t \r\n")
    no_traceback(result)
    assert result.exit_code == errors.EXIT_REFUSED, result.output
    assert "reason_required" in result.stderr
    assert status_of(db, doc) == {"status": "pending", "review_note": None, "reviewed_by": None}
    assert actions(db) == []
    kept = cli("refuse", doc["id"], "--reason", "\n  vérifiez le devis, envoyez un pdf\t\n")
    assert kept.exit_code == 0, kept.output
    assert status_of(db, doc)["review_note"] == "vérifiez le devis, envoyez un pdf"  # letters kept
