"""`cagnotte-admin backup` and `restore`: the project's data in one
timestamped file, proven by a restore into a scratch database.

The file is a tar of pg_dump archives (custom format):
  project.dump     schemas public, private and supabase_migrations (structure
                   and data, with their grants and RLS policies)
  auth_users.dump  the rows of auth.users (the platform owns the table itself)
  manifest.json    when, from where, and the row count of every table
A restore goes into a fresh project database: the platform (roles, auth
schema, extensions) exists, our schemas do not yet. `backup` proves each file
by restoring it into a throwaway PostgreSQL with the local platform and
comparing every table's row count and the ledger check.
"""

from __future__ import annotations

import io
import json
import secrets
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import typer
from psycopg import sql
from psycopg.rows import dict_row

import pgcluster
from admin_scripts import db, operator, project
from admin_scripts.console import JSON_OPTION, YES_OPTION, err, error, out, print_json
from admin_scripts.operator import OperatorError

SCHEMAS = ("public", "private", "supabase_migrations")
COUNTS_SQL = """
select n.nspname || '.' || c.relname as name
from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname = any(%s) order by 1
"""


def _tool(name: str) -> str:
    return str(pgcluster.pg_bin_dir() / name)


def _run(argv: list[str]) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise OperatorError(f"{Path(argv[0]).name} failed: {proc.stderr.strip()}", 1)


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(COUNTS_SQL, [list(SCHEMAS)])]
        counts = {
            t: conn.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608 - catalog names
            for t in tables
        }
        counts["auth.users"] = conn.execute("select count(*) from auth.users").fetchone()[0]
    return counts


def dump(url: str, target: Path) -> dict:
    """Writes the backup file; returns its manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        project, users = Path(tmp) / "project.dump", Path(tmp) / "auth_users.dump"
        schemas = [f"--schema={s}" for s in SCHEMAS]
        _run([_tool("pg_dump"), "--format=custom", *schemas, f"--file={project}", url])
        _run([_tool("pg_dump"), "--format=custom", "--data-only", "--table=auth.users",
              f"--file={users}", url])  # fmt: skip
        manifest = {
            "created_at": datetime.now(UTC).isoformat(),
            "schemas": list(SCHEMAS),
            "row_counts": row_counts(url),
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w") as tar:
            tar.add(project, "project.dump")
            tar.add(users, "auth_users.dump")
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        target.chmod(0o600)  # it holds personal data
    return manifest


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path) as tar:
            return json.load(tar.extractfile("manifest.json"))
    except (tarfile.TarError, KeyError, ValueError) as exc:
        raise OperatorError(
            f"{path}: not a backup made by `cagnotte-admin backup` ({exc})", operator.EXIT_USAGE
        ) from exc


def _creates_schema(entry: str, names: set[str]) -> bool:
    """A `pg_restore --list` entry like `6; 2615 16386 SCHEMA - private postgres`."""
    if entry.startswith(";") or ";" not in entry:
        return False
    fields = entry.split(";", 1)[1].split()
    return fields[2:4] == ["SCHEMA", "-"] and len(fields) > 4 and fields[4] in names


def restore_into(path: Path, url: str) -> None:
    """Restores the file into a project database that has the platform and no
    project schemas yet."""
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("select to_regclass('public.campaigns') is not null").fetchone()[0]:
            raise OperatorError(
                "the target already has the project's tables: restore into a fresh database", 1
            )
        existing = {
            r[0]
            for r in conn.execute(
                "select nspname from pg_namespace where nspname = any(%s)", [list(SCHEMAS)]
            )
        }
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path) as tar:
        tar.extractall(tmp, filter="data")
        project = str(Path(tmp) / "project.dump")
        # The schemas the target already has (public, at least) are not created again.
        listing = subprocess.run(
            [_tool("pg_restore"), "--list", project], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        keep = [line for line in listing if not _creates_schema(line, existing)]
        (Path(tmp) / "restore.list").write_text("\n".join(keep) + "\n")
        _run([_tool("pg_restore"), "--data-only", "--exit-on-error", f"--dbname={url}",
              str(Path(tmp) / "auth_users.dump")])  # fmt: skip
        create_extensions(url)
        _run([_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={url}",
              f"--use-list={Path(tmp) / 'restore.list'}", project])  # fmt: skip
    schedule_jobs(url)


def create_extensions(url: str) -> None:
    """The extensions the migrations create (they live in `extensions`, which the
    dump leaves out); pg_cron is created where its launcher runs, by the platform."""
    with psycopg.connect(url, autocommit=True) as conn:
        for name, schema in project.migration_extensions().items():
            if name != "pg_cron":
                conn.execute(
                    sql.SQL("create extension if not exists {} with schema {}").format(
                        sql.Identifier(name.strip('"')), sql.Identifier(schema or "extensions")
                    )
                )


def schedule_jobs(url: str) -> None:
    """pg_cron's jobs (its cron schema is not in the dump) from the restored registry."""
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("select 1 from pg_extension where extname = 'pg_cron'").fetchone():
            conn.execute(project.SCHEDULE_JOBS)


def verify(path: Path) -> dict:
    """Restores into a throwaway PostgreSQL with the local platform; compares."""
    manifest = read_manifest(path)
    with pgcluster.scratch_cluster("africagnotte-restore-") as cluster:
        url = cluster.url()
        pgcluster.apply_platform(cluster, "postgres", secrets.token_hex(16))
        restore_into(path, url)
        restored = row_counts(url)
        with psycopg.connect(url, row_factory=dict_row) as conn:
            ledger = conn.execute("select count(*) as n from private.check_ledger()")
            ledger = ledger.fetchone()["n"]
    differ = {
        t: {"backup": n, "restored": restored.get(t)}
        for t, n in manifest["row_counts"].items()
        if restored.get(t) != n
    }
    return {"tables": len(restored), "rows": sum(restored.values()), "differ": differ,
            "ledger_mismatches": ledger}  # fmt: skip


def backup(
    output: Path = typer.Option(Path("backups"), "--output", "-o", help="Folder for the file."),
    no_verify: bool = typer.Option(False, "--no-verify", help="Skip the proof restore."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Dump the project's schemas to a timestamped file, then prove it by a restore."""
    try:
        url = db.database_url()
        with db.connect() as conn:
            operator.resolve(conn)
        target = output / f"africagnotte-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar"
        manifest = dump(url, target)
        err.print(f"backup written: {target} ({target.stat().st_size:,} bytes)")
        report = {"file": str(target), "row_counts": manifest["row_counts"]}
        if not no_verify:
            err.print("restoring it into a scratch database to prove it…")
            report["verified"] = verify(target)
        operator.record("backup", file=str(target))
    except (OperatorError, db.NoDatabase) as exc:
        raise operator.fail(exc) from exc
    check = report.get("verified")
    if as_json:
        print_json(report)
    elif check:
        out.print(
            f"{target}: restore proven: {check['tables']} tables, {check['rows']:,} rows,"
            f" {len(check['differ'])} differ, {check['ledger_mismatches']} ledger mismatches"
        )
    else:
        out.print(str(target))
    if check and (check["differ"] or check["ledger_mismatches"]):
        raise typer.Exit(code=1)


def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A backup file."),
    target_url: str = typer.Option(..., "--target-url", help="A fresh project database."),
    yes: bool = YES_OPTION,
) -> None:
    """Restore a backup into a fresh project database (platform present, no tables yet)."""
    manifest = read_manifest(file)
    if not yes:
        typer.confirm(f"Restore {file} ({manifest['created_at']}) into {target_url}?", abort=True)
    try:
        restore_into(file, target_url)
    except OperatorError as exc:
        raise operator.fail(exc) from exc
    restored = row_counts(target_url)
    differ = [t for t, n in manifest["row_counts"].items() if restored.get(t) != n]
    err.print(f"restored {sum(restored.values()):,} rows in {len(restored)} tables")
    if differ:
        error(", ".join(differ), label="row counts differ")
        raise typer.Exit(code=1)
