"""`cagnotte-admin backup` and `restore`: one file, proven by a restore."""

from __future__ import annotations

import io
import json
import tarfile

import psycopg
import pytest

from admin_scripts import localstack
from tests.conftest import throwaway_cluster


@pytest.fixture
def cli(operator_cli, db, monkeypatch):
    """pg_dump needs a session: backups use a direct connection (hosted: the direct
    or session-mode URL), not the transaction pooler."""
    monkeypatch.setenv("DATABASE_URL", db.url)
    return operator_cli


@pytest.fixture
def data(owner, make_campaign, give, user):
    c = make_campaign(owner, "active")
    give(c, 10_000, user, fee=200)
    return c


def test_backup_writes_a_file_and_proves_it_by_a_restore(db, cli, data, tmp_path):
    result = cli("backup", "--output", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (file,) = tmp_path.glob("africagnotte-*.tar")
    assert report["file"] == str(file)
    assert oct(file.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(file) as tar:
        assert sorted(tar.getnames()) == ["auth_users.dump", "manifest.json", "project.dump"]
    counts = report["row_counts"]
    assert (counts["public.donations"], counts["public.campaigns"]) == (1, 1)
    assert counts["private.ledger_entries"] == 3  # donation, platform fee, processor fee
    assert report["verified"]["differ"] == {}
    assert report["verified"]["ledger_mismatches"] == 0
    assert report["verified"]["rows"] == sum(counts.values())
    assert db.one("select action from private.audit_log")["action"] == "backup"


def test_restore_into_a_fresh_project_database(cli, data, tmp_path):
    cli("backup", "--output", str(tmp_path), "--no-verify")
    (file,) = tmp_path.glob("*.tar")
    with throwaway_cluster() as fresh:
        localstack.apply_platform(fresh, "postgres", "x")
        assert cli("restore", str(file), "--target-url", fresh.url(), input="n\n").exit_code == 1
        result = cli("restore", str(file), "--target-url", fresh.url(), "--yes")
        assert result.exit_code == 0, result.output
        with psycopg.connect(fresh.url()) as conn:
            assert conn.execute("select title from public.campaigns").fetchone()[0] == data["title"]
            # grants and policies came back with the data
            assert (
                conn.execute(
                    "select count(*) from pg_policies where tablename = 'campaigns'"
                ).fetchone()[0]
                >= 4
            )
            assert conn.execute(
                "select has_table_privilege('anon', 'public.campaigns', 'select')"
            ).fetchone()[0]
        again = cli("restore", str(file), "--target-url", fresh.url(), "--yes")
        assert again.exit_code == 1
        assert "already has the project" in again.stderr


def test_backup_is_for_admins(cli, monkeypatch, user, tmp_path):
    monkeypatch.setenv("CAGNOTTE_OPERATOR", user.email)
    assert cli("backup", "--output", str(tmp_path)).exit_code == 4
    assert list(tmp_path.iterdir()) == []


def test_restore_into_a_blank_database_creates_the_platform_first(cli, data, tmp_path):
    cli("backup", "--output", str(tmp_path), "--no-verify")
    (file,) = tmp_path.glob("*.tar")
    with throwaway_cluster() as fresh:
        localstack.create_database(fresh, "blank")  # no roles, no auth schema
        result = cli("restore", str(file), "--target-url", fresh.superuser_url("blank"), "--yes")
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        with psycopg.connect(fresh.superuser_url("blank")) as conn:
            title, owner = conn.execute(
                "select c.title, t.tableowner from public.campaigns as c"
                " join pg_tables as t on (t.schemaname, t.tablename) = ('public', 'campaigns')"
            ).fetchone()
            assert (title, owner) == (data["title"], "postgres")  # the project's, as on hosted
            assert conn.execute("select count(*) from auth.users").fetchone()[0] >= 2
            assert conn.execute(
                "select has_table_privilege('anon', 'public.campaigns', 'select')"
            ).fetchone()[0]


def test_restore_asks_first_and_never_shows_the_password(cli, data, tmp_path):
    cli("backup", "--output", str(tmp_path), "--no-verify")
    (file,) = tmp_path.glob("*.tar")
    with throwaway_cluster() as fresh:
        url = fresh.superuser_url()
        refused = cli("--lang", "fr", "restore", str(file), "--target-url", url, input="n\n")
        assert refused.exit_code == 1
        assert fresh.password not in refused.output
        assert f"postgresql://supabase_admin:****@127.0.0.1:{fresh.port}/postgres" in (
            refused.output
        )
        assert "Restaurer" in refused.output
        assert "[o/N]" in refused.output
        with psycopg.connect(url) as conn:  # nothing written: not even the platform
            assert conn.execute("select to_regnamespace('auth')").fetchone()[0] is None
        english = cli("restore", str(file), "--target-url", url, input="\n")
        assert english.exit_code == 1
        assert "Restore" in english.output
        assert "[y/N]" in english.output


def test_restore_into_a_blank_database_needs_the_platforms_superuser(cli, data, tmp_path):
    cli("backup", "--output", str(tmp_path), "--no-verify")
    (file,) = tmp_path.glob("*.tar")
    with throwaway_cluster() as fresh:
        with psycopg.connect(fresh.superuser_url(), autocommit=True) as conn:
            conn.execute("create role clerk login password 'clerk-secret'")
        url = fresh.url(user="clerk", password="clerk-secret")
        result = cli("restore", str(file), "--target-url", url, "--yes")
        assert result.exit_code == 1
        assert "no platform" in result.stderr
        assert "supabase_admin" in result.stderr
        assert "clerk-secret" not in result.output


def test_restore_into_a_database_out_of_reach_is_a_clear_error(cli, data, tmp_path):
    cli("backup", "--output", str(tmp_path), "--no-verify")
    (file,) = tmp_path.glob("*.tar")
    url = f"postgresql://postgres:hunter2@127.0.0.1:{localstack.free_port()}/postgres"
    result = cli("--lang", "fr", "restore", str(file), "--target-url", url, "--yes")
    assert result.exit_code == 5
    assert "Traceback" not in result.output
    assert "hunter2" not in result.output
    assert "postgresql://postgres:****@127.0.0.1" in result.stderr


def test_restore_of_a_file_that_is_no_backup_is_a_usage_error(cli, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_text("not a tar")
    result = cli("restore", str(junk), "--target-url", "postgresql://x@127.0.0.1/y", "--yes")
    assert result.exit_code == 2
    assert "not a backup made by" in result.stderr


def test_a_target_url_that_is_no_url_is_refused_without_showing_it(cli, tmp_path):
    manifest = json.dumps({"created_at": "2026-11-30T12:00:00+00:00", "row_counts": {}}).encode()
    file = tmp_path / "backup.tar"
    with tarfile.open(file, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    result = cli("restore", str(file), "--target-url", "admin:s3cret@db.example", "--yes")
    assert result.exit_code == 2
    assert "is not a PostgreSQL URL" in result.stderr
    assert "s3cret" not in result.output
