"""Building a Supabase-shaped database in a cluster: the local platform (as
supabase_admin), the migrations through the Supabase CLI (as postgres, like
`supabase db push`), the seed; copies of a built database; the advisors."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from pgcluster.cluster import ROOT, Cluster, ClusterError
from pgcluster.messages import _

SUPABASE_DIR = ROOT / "supabase"
PLATFORM_SQL = SUPABASE_DIR / "local" / "platform.sql"
SEED_SQL = SUPABASE_DIR / "seed.sql"
SUPABASE_CLI = ROOT / "node_modules" / ".bin" / "supabase"


def run_sql_file(url: str, path: Path) -> None:
    """Run a SQL file in one transaction (psycopg runs a parameterless script whole)."""
    with psycopg.connect(url) as conn:
        conn.execute(path.read_text())


def create_database(cluster: Cluster, name: str, template: str | None = None) -> None:
    with psycopg.connect(cluster.superuser_url(), autocommit=True) as conn:
        query = sql.SQL("create database {}").format(sql.Identifier(name))
        if template:
            query += sql.SQL(" template {}").format(sql.Identifier(template))
        conn.execute(query)


def drop_database(cluster: Cluster, name: str) -> None:
    with psycopg.connect(cluster.superuser_url(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


def clone_database(cluster: Cluster, name: str, template: str) -> None:
    """A copy of a built database, with the platform's database-level settings
    (grants and settings of the database itself, which a copy does not inherit)."""
    create_database(cluster, name, template=template)
    run_sql_file(cluster.superuser_url(name), PLATFORM_SQL)


def apply_platform(cluster: Cluster, database: str, authenticator_password: str) -> None:
    """The local platform (idempotent, as supabase_admin), then the login passwords."""
    url = cluster.superuser_url(database)
    run_sql_file(url, PLATFORM_SQL)
    with psycopg.connect(url, autocommit=True) as conn:
        passwords = {
            "postgres": cluster.password,
            "supabase_auth_admin": cluster.password,
            "authenticator": authenticator_password,
        }
        for role, password in passwords.items():
            conn.execute(
                sql.SQL("alter role {} password {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )


def has_migration_history(url: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select to_regclass('supabase_migrations.schema_migrations') is not null"
        ).fetchone()
        return bool(row and row[0])


def supabase_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the project's pinned Supabase CLI from the repository root."""
    if not SUPABASE_CLI.exists():
        raise ClusterError(_("the Supabase CLI is not installed: run `npm ci` (make does it)."))
    env = {**os.environ, "PGSSLMODE": "disable", "DO_NOT_TRACK": "1"}
    argv = [str(SUPABASE_CLI), *args, "--workdir", str(ROOT)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if check and proc.returncode != 0:
        failed = _("supabase {command} failed:").format(command=" ".join(args[:2]))
        raise ClusterError(f"{failed}\n{proc.stdout}{proc.stderr}")
    return proc


def migrate(url: str) -> None:
    """Apply pending migrations through the Supabase CLI, as on a hosted project."""
    supabase_cli("migration", "up", "--yes", f"--remote={url}")


def advisors(
    url: str, level: str = "warn", fail_on: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Supabase's security and performance advisors: the findings from ``level``
    up (JSON on stdout); non-zero exit on a finding >= fail_on (default: level)."""
    return supabase_cli(
        "db",
        "advisors",
        f"--remote={url}",
        "--type",
        "all",
        "--level",
        level,
        "--fail-on",
        fail_on or level,
        check=False,
    )


def build_database(
    cluster: Cluster,
    authenticator_password: str,
    database: str = "postgres",
    *,
    seed: bool | None = None,
) -> bool:
    """Platform (as supabase_admin), migrations (only new ones, through the Supabase
    CLI as postgres, like `supabase db push`), and the seed on a new database.

    Returns True when the database was new (and so was seeded, unless seed=False).
    """
    url = cluster.url(database)
    apply_platform(cluster, database, authenticator_password)
    is_new = not has_migration_history(url)
    migrate(url)
    if seed if seed is not None else is_new:
        run_sql_file(url, SEED_SQL)
    return is_new
