"""The console in a real terminal (a pseudo-terminal driven by pexpect) and
piped: progress bars where an operator watches, nothing extra for scripts; the
destructive commands ask first, in French by default, and a refusal writes
nothing; --yes skips the question."""

from __future__ import annotations

import json
import re

import psycopg
import pytest

from admin_scripts import localstack
from tests.conftest import CLOUDINARY_CLOUD, CLOUDINARY_KEY, CLOUDINARY_SECRET, throwaway_cluster
from tests.support.cloudinary_admin import FakeAdminApi, asset
from tests.support.terminal import in_terminal, piped, unboxed

FRENCH = {"CAGNOTTE_LANG": None}  # the default language
# A Rich progress bar: its label, then done/total (MofNCompleteColumn).
BACKUP_BAR = re.compile(r"Sauvegarde : tables\s*[━╸╺ ]+\s*(\d+)/(\d+)")
RESTORE_BAR = re.compile(r"Restauration : objets\s*[━╸╺ ]+\s*(\d+)/(\d+)")


@pytest.fixture
def console_env(db, admin, owner, make_campaign, give, user, monkeypatch):
    """A database with a campaign and a donation; the admin acting (pg_dump needs a
    direct connection, not the transaction pooler)."""
    campaign = make_campaign(owner, "active")
    give(campaign, 10_000, user, fee=200)
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("CAGNOTTE_OPERATOR", admin.email)
    return campaign


@pytest.fixture
def backup_file(console_env, tmp_path):
    result = piped("backup", "--output", str(tmp_path), "--no-verify")
    assert result.returncode == 0, result.stderr
    (file,) = tmp_path.glob("*.tar")
    return file


def test_a_backup_shows_a_progress_bar_in_a_terminal(console_env, tmp_path):
    session = in_terminal("backup", "--output", str(tmp_path), "--no-verify", env=FRENCH)
    code, shown = session.finish()
    assert code == 0, shown
    done, total = BACKUP_BAR.findall(unboxed(shown).replace("\r", " "))[-1]
    assert done == total  # every table dumped, the bar full
    assert "sauvegarde écrite" in shown
    assert "Traceback" not in shown


def test_a_piped_backup_prints_no_progress_bar(console_env, tmp_path):
    result = piped("backup", "--output", str(tmp_path), "--no-verify", env=FRENCH)
    assert result.returncode == 0, result.stderr
    assert "Sauvegarde : tables" not in result.stderr
    assert "━" not in result.stderr
    assert "\x1b[" not in result.stderr  # no terminal codes in a log
    assert "sauvegarde écrite" in result.stderr
    assert result.stdout.strip().endswith(".tar")


def test_a_backup_under_json_in_a_terminal_prints_json_alone(console_env, tmp_path):
    session = in_terminal("backup", "--output", str(tmp_path), "--no-verify", "--json")
    code, shown = session.finish()
    assert code == 0, shown
    assert "Backup: tables" not in shown
    assert "━" not in shown
    report = json.loads(shown[shown.index("{") : shown.rindex("}") + 1])
    assert report["row_counts"]["public.donations"] == 1


def test_a_restore_asks_in_french_and_a_refusal_writes_nothing(backup_file):
    with throwaway_cluster() as fresh:
        localstack.create_database(fresh, "blank")
        url = fresh.superuser_url("blank")
        session = in_terminal("restore", str(backup_file), "--target-url", url, env=FRENCH)
        question = unboxed(session.expect(r"\[o/N\] "))
        assert f"Restaurer {backup_file}" in question
        assert "supabase_admin:****@" in question
        assert fresh.password not in question
        session.answer("n")
        code, shown = session.finish()
        assert code == 1
        assert fresh.password not in shown
        with psycopg.connect(url) as conn:
            assert conn.execute("select to_regnamespace('auth')").fetchone()[0] is None


def test_a_restore_answered_oui_restores_with_a_progress_bar(console_env, backup_file):
    with throwaway_cluster() as fresh:
        localstack.create_database(fresh, "blank")
        url = fresh.superuser_url("blank")
        session = in_terminal("restore", str(backup_file), "--target-url", url, env=FRENCH)
        session.expect(r"\[o/N\] ")
        session.answer("oui")
        code, shown = session.finish()
        assert code == 0, shown
        done, total = RESTORE_BAR.findall(unboxed(shown))[-1]
        assert 0 < int(done) <= int(total) + 1
        assert "lignes restaurées" in shown
        with psycopg.connect(url) as conn:
            title = conn.execute("select title from public.campaigns").fetchone()[0]
        assert title == console_env["title"]


def test_yes_skips_the_question(backup_file):
    with throwaway_cluster() as fresh:
        localstack.create_database(fresh, "blank")
        url = fresh.superuser_url("blank")
        session = in_terminal("restore", str(backup_file), "--target-url", url, "--yes")
        code, shown = session.finish()
        assert code == 0, shown
        assert "[y/N]" not in shown
        assert "[o/N]" not in shown
        assert "restored" in shown


def test_a_question_without_an_answer_in_a_script_is_a_refusal(backup_file):
    with throwaway_cluster() as fresh:
        localstack.create_database(fresh, "blank")
        url = fresh.superuser_url("blank")
        result = piped("restore", str(backup_file), "--target-url", url, env=FRENCH)
        assert result.returncode == 1
        assert result.stdout == ""  # the question went to stderr: stdout stays data
        assert "[o/N]" in result.stderr
        with psycopg.connect(url) as conn:
            assert conn.execute("select to_regnamespace('auth')").fetchone()[0] is None


@pytest.fixture
def cloud(console_env, db, monkeypatch):
    """Two orphans at a local Cloudinary Admin API, one asset a row references."""
    kept = f"africagnotte/campaigns/{console_env['id']}/kept"
    db.sql("select private.register_media(%s, 'image', 1000)", [kept])
    fake = FakeAdminApi([
        asset(kept),
        asset(f"africagnotte/campaigns/{console_env['id']}/orphan1"),
        asset(f"africagnotte/campaigns/{console_env['id']}/orphan2", "video"),
    ])  # fmt: skip
    server = fake.serve()
    monkeypatch.setenv(
        "CLOUDINARY_URL", f"cloudinary://{CLOUDINARY_KEY}:{CLOUDINARY_SECRET}@{CLOUDINARY_CLOUD}"
    )
    monkeypatch.setenv("CLOUDINARY_API_BASE", f"http://127.0.0.1:{server.server_address[1]}")
    yield fake
    server.shutdown()


def test_purging_orphans_asks_first_and_a_non_deletes_nothing(db, cloud, admin):
    session = in_terminal(
        "--operator", admin.email, "media", "purge-orphans", "--apply", env=FRENCH
    )
    question = unboxed(session.expect(r"\[o/N\] "))
    assert "Supprimer définitivement 2 fichiers chez Cloudinary ?" in question
    session.answer("non")
    code, _shown = session.finish()
    assert code == 1
    assert len(cloud.assets) == 3
    assert not [r for r in cloud.requests if r[0] == "DELETE"]
    assert db.one("select count(*) as n from private.audit_log")["n"] == 0


def test_purging_orphans_with_yes_asks_nothing(db, cloud, admin):
    session = in_terminal(
        "--operator", admin.email, "media", "purge-orphans", "--apply", "--yes", env=FRENCH
    )
    code, shown = session.finish()
    assert code == 0, shown
    assert "[o/N]" not in shown
    assert "2 orphelins supprimés" in shown
    assert [a["public_id"].rsplit("/", 1)[1] for a in cloud.assets] == ["kept"]


EXPORT_BAR = re.compile(r"Export des dons\s*[━╸╺ ]*\s*(\d+)")


def test_an_export_to_a_file_counts_its_rows_in_a_terminal(console_env, tmp_path):
    target = tmp_path / "dons.csv"
    session = in_terminal("export", "donations", "--output", str(target), env=FRENCH)
    code, shown = session.finish()
    assert code == 0, shown
    assert EXPORT_BAR.findall(unboxed(shown))[-1] == "1"
    assert "1 don exporté dans" in unboxed(shown)
    assert len(target.read_text().splitlines()) == 2


def test_a_piped_export_is_csv_alone(console_env):
    result = piped("export", "donations", "--since", "2026-01-01", env=FRENCH)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("id,created_at,")
    assert "Export des dons" not in result.stderr
    assert result.stderr.strip() == "1 don exporté"


def test_a_date_typed_the_french_way_is_refused_in_a_terminal(console_env):
    session = in_terminal("export", "donations", "--since", "01/11/2026", env=FRENCH)
    code, shown = session.finish()
    assert code == 2
    assert "'01/11/2026'" in unboxed(shown)
    assert "2026-11-30" in unboxed(shown)
    assert "Traceback" not in shown
