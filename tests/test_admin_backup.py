"""`cagnotte-admin backup` and `restore`: one file, proven by a restore."""

from __future__ import annotations

import json
import tarfile

import psycopg
import pytest

import pgcluster
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
        pgcluster.apply_platform(fresh, "postgres", "x")
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
