"""`cagnotte-admin backup` and `restore`: the project's data in one
timestamped file, proven by a restore into a blank database.

The file is a tar of pg_dump archives (custom format):
  project.dump     schemas public, private and supabase_migrations (structure
                   and data, with their grants and RLS policies)
  auth_users.dump  the rows of auth.users (the platform owns the table itself)
  manifest.json    when, from where, and the row count of every table

A restore goes into a new Supabase project (the platform: roles, the auth
schema, extensions; none of our schemas yet) or into a BLANK PostgreSQL
database reached as a superuser (``supabase_admin``, as the local stack's
clusters have it): the platform is then created first, exactly as the local
stack creates it (``supabase/local/platform.sql``: the one home of what a new
hosted project has), and everything is restored as the project's ``postgres``,
which owns it as on hosted. ``backup`` proves each file by that very restore
into a throwaway PostgreSQL, comparing every table's row count and the ledger
check. Both show their progress (tables dumped, objects restored) on a terminal.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import typer
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from admin_scripts import db, i18n, localstack, operator, project
from admin_scripts.console import (
    JSON_OPTION,
    YES_OPTION,
    confirm,
    err,
    error,
    number,
    out,
    print_json,
    progress,
)
from admin_scripts.errors import (
    EXIT_REFUSED,
    EXIT_USAGE,
    OperatorError,
    connection_failed,
)
from admin_scripts.i18n import N_, _

SCHEMAS = ("public", "private", "supabase_migrations")
# The project's own role: it owns what a restore creates (as on hosted).
PROJECT_ROLE = "postgres"
TABLES_SQL = """
select n.nspname || '.' || c.relname as name
from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname = any(%s) order by 1
"""
TARGET_SQL = """
select to_regclass('public.campaigns') is not null as has_project,
    to_regclass('auth.users') is not null as has_platform,
    r.rolsuper as superuser, current_user as login,
    exists (select from pg_catalog.pg_roles where rolname = 'supabase_admin') as has_admin
from pg_catalog.pg_roles as r where r.rolname = current_user
"""
# The tools' own words untranslated (the console's LANGUAGE=fr would translate
# them): their progress lines are read, not shown.
TOOL_ENV = {"LC_ALL": "C", "LANGUAGE": ""}
# pg_dump --verbose: one line per table whose rows it writes.
DUMPED = re.compile(r"pg_dump: dumping contents of table ")
# pg_restore --verbose: one line per archive entry it restores.
RESTORED = re.compile(r"pg_restore: (creating|processing|executing) ")


def _tool(name: str) -> str:
    return str(localstack.pg_bin_dir() / name)


def _tool_lines(argv: list[str], counted: re.Pattern[str]) -> Iterator[str]:
    """Runs a PostgreSQL tool; yields its --verbose lines matching ``counted`` (the
    progress it makes); its errors become the command's (exit 1)."""
    lines: list[str] = []
    with subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True, env=os.environ | TOOL_ENV,
    ) as proc:  # fmt: skip
        for line in proc.stderr or []:
            lines.append(line.rstrip("\n"))
            if counted.match(line):
                yield line
    if proc.returncode != 0:
        problems = [line for line in lines if "error" in line.lower() or "FATAL" in line]
        raise OperatorError(
            _("{tool} failed: {reason}").format(
                tool=Path(argv[0]).name, reason="\n".join(problems or lines[-5:]).strip()
            ),
            EXIT_REFUSED,
        )


def _follow(steps: Iterator[str], *, label: str, total: int | None) -> None:
    """Runs ``steps`` to the end, with a progress bar on a terminal."""
    for _line in progress(steps, label=label, total=total):
        pass


def masked(url: str) -> str:
    """A connection string as the operator may see it: its password (in the URL or
    a parameter) replaced by ``****``."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:  # its message quotes the text, password included
        raise OperatorError(
            _(
                "--target-url is not a PostgreSQL URL: write"
                " postgresql://user:password@host:port/database"
            ),
            EXIT_USAGE,
        ) from None
    user, password = params.pop("user", ""), params.pop("password", None)
    host, port, dbname = params.pop("host", ""), params.pop("port", ""), params.pop("dbname", "")
    login = f"{user}{':****' if password is not None else ''}@" if user or password else ""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"postgresql://{login}{host}{':' + str(port) if port else ''}/{dbname}" + (
        f"?{query}" if query else ""
    )


def _connect(url: str, role: str | None = None) -> psycopg.Connection:
    """A connection to the backup's source or a restore's target (``role``: set
    after login); a failure names the database by its masked URL."""
    try:
        conn = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as exc:
        failure = connection_failed(exc)
        raise OperatorError(
            _("cannot connect to {target}: {reason}").format(target=masked(url), reason=failure),
            failure.code,
        ) from exc
    if role:
        conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))
    return conn


def tables(url: str) -> list[str]:
    with _connect(url) as conn:
        return [r[0] for r in conn.execute(TABLES_SQL, [list(SCHEMAS)])]


def row_counts(url: str) -> dict[str, int]:
    with _connect(url) as conn:
        counts = {
            t: conn.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608 - catalog names
            for t in [r[0] for r in conn.execute(TABLES_SQL, [list(SCHEMAS)])]
        }
        counts["auth.users"] = conn.execute("select count(*) from auth.users").fetchone()[0]
    return counts


def dump(url: str, target: Path) -> dict:
    """Writes the backup file (a progress bar counts the tables); returns its manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        project_file, users = Path(tmp) / "project.dump", Path(tmp) / "auth_users.dump"
        schemas = [f"--schema={s}" for s in SCHEMAS]

        def dumped() -> Iterator[str]:
            yield from _tool_lines([_tool("pg_dump"), "--verbose", "--format=custom", *schemas,
                                    f"--file={project_file}", url], DUMPED)  # fmt: skip
            yield from _tool_lines([_tool("pg_dump"), "--verbose", "--format=custom",
                                    "--data-only", "--table=auth.users", f"--file={users}", url],
                                   DUMPED)  # fmt: skip

        _follow(dumped(), label=_("Backup: tables"), total=len(tables(url)) + 1)
        manifest = {
            "created_at": datetime.now(UTC).isoformat(),
            "schemas": list(SCHEMAS),
            "row_counts": row_counts(url),
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w") as tar:
            tar.add(project_file, "project.dump")
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
            _("{path}: not a backup made by `cagnotte-admin backup` ({reason})").format(
                path=path, reason=exc
            ),
            EXIT_USAGE,
        ) from exc


def _creates_schema(entry: str, names: set[str]) -> bool:
    """A `pg_restore --list` entry like `6; 2615 16386 SCHEMA - private postgres`."""
    if entry.startswith(";") or ";" not in entry:
        return False
    fields = entry.split(";", 1)[1].split()
    return fields[2:4] == ["SCHEMA", "-"] and len(fields) > 4 and fields[4] in names


def prepare_target(url: str) -> str | None:
    """Checks the target and gives a blank database the platform; the role to
    restore as (the project's, when logged in as a superuser), or None (the login
    is the project's role itself, as on a new hosted project)."""
    with _connect(url) as conn:
        target = conn.cursor(row_factory=dict_row).execute(TARGET_SQL).fetchone()
    if target["has_project"]:
        raise OperatorError(
            _("the target already has the project's tables: restore into a blank database"),
            EXIT_REFUSED,
        )
    if not target["has_platform"]:
        if not target["superuser"] or target["login"] == PROJECT_ROLE or not target["has_admin"]:
            raise OperatorError(
                _(
                    "the target has no platform (no auth schema): restore into a new Supabase"
                    " project, or into a blank database reached as the superuser supabase_admin"
                    " (the platform is then created as the local stack does)"
                ),
                EXIT_REFUSED,
            )
        err.print(_("blank database: creating the platform (supabase/local/platform.sql)…"))
        localstack.run_sql_file(url, localstack.PLATFORM_SQL)
    return PROJECT_ROLE if target["superuser"] else None


def restore_into(path: Path, url: str) -> None:
    """Restores the file into a blank database or a new project (see the module's
    docstring), with a progress bar counting the objects restored."""
    role = prepare_target(url)
    as_role = [f"--role={role}"] if role else []
    with _connect(url) as conn:
        existing = {
            r[0]
            for r in conn.execute(
                "select nspname from pg_namespace where nspname = any(%s)", [list(SCHEMAS)]
            )
        }
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path) as tar:
        tar.extractall(tmp, filter="data")
        project_file = str(Path(tmp) / "project.dump")
        # The schemas the target already has (public, at least) are not created again.
        listing = subprocess.run(
            [_tool("pg_restore"), "--list", project_file],
            capture_output=True, text=True, check=True,
        ).stdout.splitlines()  # fmt: skip
        keep = [line for line in listing if not _creates_schema(line, existing)]
        (Path(tmp) / "restore.list").write_text("\n".join(keep) + "\n")
        entries = sum(1 for line in keep if line.strip() and not line.startswith(";"))
        users = str(Path(tmp) / "auth_users.dump")

        def restored() -> Iterator[str]:
            yield from _tool_lines([_tool("pg_restore"), "--verbose", "--data-only",
                                    "--exit-on-error", *as_role, f"--dbname={url}", users],
                                   RESTORED)  # fmt: skip
            create_extensions(url, role)
            yield from _tool_lines([_tool("pg_restore"), "--verbose", "--no-owner",
                                    "--exit-on-error", *as_role, f"--dbname={url}",
                                    f"--use-list={Path(tmp) / 'restore.list'}", project_file],
                                   RESTORED)  # fmt: skip

        _follow(restored(), label=_("Restore: objects"), total=entries + 1)
    schedule_jobs(url, role)


def create_extensions(url: str, role: str | None = None) -> None:
    """The extensions the migrations create (they live in `extensions`, which the
    dump leaves out); pg_cron is created where its launcher runs, by the platform."""
    with _connect(url, role) as conn:
        for name, schema in project.migration_extensions().items():
            if name != "pg_cron":
                conn.execute(
                    sql.SQL("create extension if not exists {} with schema {}").format(
                        sql.Identifier(name.strip('"')), sql.Identifier(schema or "extensions")
                    )
                )


def schedule_jobs(url: str, role: str | None = None) -> None:
    """pg_cron's jobs (its cron schema is not in the dump) from the restored registry."""
    with _connect(url, role) as conn:
        if conn.execute("select 1 from pg_extension where extname = 'pg_cron'").fetchone():
            conn.execute(project.SCHEDULE_JOBS)


def verify(path: Path) -> dict:
    """Restores into the blank database of a throwaway PostgreSQL (the platform
    created as for any blank database); compares."""
    manifest = read_manifest(path)
    with localstack.scratch_cluster("africagnotte-restore-") as cluster:
        url = cluster.superuser_url()
        restore_into(path, url)
        restored = row_counts(url)
        with _connect(url) as conn:
            ledger = conn.execute("select count(*) from private.check_ledger()").fetchone()[0]
    differ = {
        t: {"backup": n, "restored": restored.get(t)}
        for t, n in manifest["row_counts"].items()
        if restored.get(t) != n
    }
    return {"tables": len(restored), "rows": sum(restored.values()), "differ": differ,
            "ledger_mismatches": ledger}  # fmt: skip


BACKUP_HELP = N_("Dump the project's schemas to a timestamped file, then prove it by a restore.")
RESTORE_HELP = N_("Restore a backup into a new project or a blank database (never over data).")


def backup(
    output: Path = typer.Option(Path("backups"), "--output", "-o", help=N_("Folder for the file.")),
    no_verify: bool = typer.Option(False, "--no-verify", help=N_("Skip the proof restore.")),
    as_json: bool = JSON_OPTION,
) -> None:
    url = db.database_url()
    with db.connect() as conn:
        operator.resolve(conn)
    target = output / f"africagnotte-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar"
    manifest = dump(url, target)
    err.print(
        _("backup written: {file} ({size} bytes)").format(
            file=target, size=number(target.stat().st_size)
        )
    )
    report = {"file": str(target), "row_counts": manifest["row_counts"]}
    if not no_verify:
        err.print(_("restoring it into a blank scratch database to prove it…"))
        report["verified"] = verify(target)
    operator.record("backup", file=str(target))
    check = report.get("verified")
    if as_json:
        print_json(report)
    elif check:
        out.print(
            _(
                "{file}: restore proven: {tables} tables, {rows} rows, {differ} differ,"
                " {mismatches} ledger mismatches"
            ).format(
                file=target,
                tables=check["tables"],
                rows=number(check["rows"]),
                differ=len(check["differ"]),
                mismatches=check["ledger_mismatches"],
            )
        )
    else:
        out.print(str(target))
    if check and (check["differ"] or check["ledger_mismatches"]):
        raise typer.Exit(code=EXIT_REFUSED)


def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=N_("A backup file.")),
    target_url: str = typer.Option(
        ...,
        "--target-url",
        help=N_(
            "A new project's database, or a blank database as the superuser supabase_admin"
            " (the platform is then created)."
        ),
    ),
    yes: bool = YES_OPTION,
) -> None:
    manifest = read_manifest(file)
    made = i18n.when(datetime.fromisoformat(manifest["created_at"]))
    confirm(
        _("Restore {file} (made {made}) into {target}?").format(
            file=file, made=made, target=masked(target_url)
        ),
        yes=yes,
    )
    restore_into(file, target_url)
    restored = row_counts(target_url)
    differ = [t for t, n in manifest["row_counts"].items() if restored.get(t) != n]
    err.print(
        _("restored {rows} rows in {tables} tables").format(
            rows=number(sum(restored.values())), tables=len(restored)
        )
    )
    if differ:
        error(", ".join(differ), label=_("row counts differ"))
        raise typer.Exit(code=EXIT_REFUSED)
