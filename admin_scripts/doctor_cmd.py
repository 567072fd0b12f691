"""`cagnotte-admin doctor`: does a database, local or hosted, have what the project
needs? Each check is a short function answering findings (status, detail, and the
command that fixes it); the command exits 0 when all is well, 1 when something is
missing, 2 when the database cannot be reached or the command is misused.

Read-only: one read-only transaction (a savepoint per check), so that it works
through a transaction-mode pooler as the service does.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
import typer
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from rich.table import Table
from rich.text import Text

from admin_scripts import db, localstack, project
from admin_scripts.console import JSON_OPTION, cell, err, out, print_json
from admin_scripts.errors import EXIT_USAGE, connection_failed, fail
from admin_scripts.i18n import N_, _, ngettext

MANIFEST = localstack.SUPABASE_DIR / "privileges.json"
REGENERATE = "`make privileges` (cagnotte-admin doctor --write-manifest)"

# Whose privileges the manifest holds, and where.
ROLES = ("anon", "authenticated", "service_role", "supabase_auth_admin")
SCHEMAS = ("public", "private", "extensions")  # privileges on the schemas themselves
OBJECT_SCHEMAS = ("public", "private")  # tables, columns, sequences, functions

OK, INFO = "ok", "info"
PROBLEMS = ("missing", "extra", "wrong", "failed", "error")


class DoctorError(RuntimeError):
    """The command cannot run (configuration, unreachable database): exit 2."""


@dataclass
class Finding:
    status: str
    detail: str
    fix: str = ""


@dataclass
class Target:
    """The database examined, and whether it is a hosted project."""

    conn: psycopg.Connection
    hosted: bool
    # The deployment's SITE_URL (the truth for the site's address), if set here.
    site_url: str | None = None

    def rows(self, query: str, params: Any = None) -> list[dict[str, Any]]:
        return self.conn.execute(query, params).fetchall()

    def value(self, query: str, params: Any = None) -> Any:
        row = self.conn.execute(query, params).fetchone()
        return next(iter(row.values())) if row else None

    def has_table(self, name: str) -> bool:
        return bool(self.value("select to_regclass(%s) is not null", [name]))

    def has_extension(self, name: str) -> bool:
        return bool(
            self.value("select exists (select from pg_extension where extname = %s)", [name])
        )

    @property
    def migrate_fix(self) -> str:
        return "npx supabase db push" if self.hosted else "make run"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# 1. Migrations ------------------------------------------------------------------


def check_migrations(t: Target) -> list[Finding]:
    files = project.migration_files()
    if not t.has_table("supabase_migrations.schema_migrations"):
        return [Finding("missing", _("no migration history at all"), t.migrate_fix)]
    applied = {
        r["version"] for r in t.rows("select version from supabase_migrations.schema_migrations")
    }
    found = [
        Finding("missing", _("{name} not applied").format(name=name), t.migrate_fix)
        for version, name in files.items()
        if version not in applied
    ]
    found += [
        Finding(
            "extra",
            _("version {version} applied, but no file in supabase/migrations has it").format(
                version=version
            ),
            _("restore its file from git, or: {command}").format(
                command=f"npx supabase migration repair --status reverted {version}"
            ),
        )
        for version in sorted(applied - files.keys())
    ]
    return found or [Finding(OK, _("all {count} migrations applied").format(count=len(files)))]


# 2. Extensions ------------------------------------------------------------------

# What an extension needs once created again (pg_cron forgets its jobs when dropped).
AFTER_CREATE = {"pg_cron": project.SCHEDULE_JOBS}


def extension_finding(name: str, schema: str | None, actual: str | None) -> Finding:
    bare = name.strip('"')
    if actual is None:
        create = f"create extension {name}" + (f" with schema {schema};" if schema else ";")
        return Finding(
            "missing",
            _("{name} is not installed").format(name=bare),
            " ".join([create, AFTER_CREATE.get(bare, "")]).strip(),
        )
    if schema and actual != schema:
        return Finding(
            "wrong",
            _("{name} is in schema {actual}, not {schema}").format(
                name=bare, actual=actual, schema=schema
            ),
            f"alter extension {name} set schema {schema};",
        )
    return Finding(OK, _("{name} in schema {actual}").format(name=bare, actual=actual))


def check_extensions(t: Target) -> list[Finding]:
    installed = {
        r["extname"]: r["nspname"]
        for r in t.rows(
            "select e.extname, n.nspname from pg_extension as e"
            " join pg_namespace as n on n.oid = e.extnamespace"
        )
    }
    return [
        extension_finding(name, schema, installed.get(name.strip('"')))
        for name, schema in sorted(project.migration_extensions().items())
    ]


# 3. Grants ----------------------------------------------------------------------

# One line per privilege, written as GRANT and REVOKE take it: "<privilege> on <object>".
# MAINTAIN (PostgreSQL 17, part of ALL there) is left out, so that a manifest made on
# the local PostgreSQL 15 holds for a hosted 17.
PRIVILEGES_SQL = """
with roles as (select oid, rolname from pg_roles where rolname = any(%(roles)s)),
relations as (
    select c.oid, c.relname, n.nspname,
        case when c.relkind = 'S' then 'sequence' else 'table' end as kind,
        coalesce(c.relacl, acldefault(
            case when c.relkind = 'S' then 's'::"char" else 'r'::"char" end, c.relowner
        )) as acl
    from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = any(%(objects)s) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
        and not exists (select from pg_depend as d where d.classid = 'pg_class'::regclass
            and d.objid = c.oid and d.deptype = 'e')
)
select r.rolname as role, lower(a.privilege_type) || ' on schema ' || quote_ident(n.nspname)
    as privilege
from pg_namespace as n
cross join lateral aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) as a
join roles as r on r.oid = a.grantee
where n.nspname = any(%(schemas)s)
union
select r.rolname, lower(a.privilege_type) || ' on ' || c.kind || ' '
    || quote_ident(c.nspname) || '.' || quote_ident(c.relname)
from relations as c
cross join lateral aclexplode(c.acl) as a
join roles as r on r.oid = a.grantee
union
select r.rolname, lower(a.privilege_type) || ' (' || quote_ident(att.attname) || ') on table '
    || quote_ident(c.nspname) || '.' || quote_ident(c.relname)
from relations as c
join pg_attribute as att on att.attrelid = c.oid and att.attnum > 0 and not att.attisdropped
cross join lateral aclexplode(att.attacl) as a
join roles as r on r.oid = a.grantee
union
select r.rolname, 'execute on ' || case when p.prokind = 'p' then 'procedure' else 'function' end
    || ' ' || p.oid::regprocedure::text
from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
cross join lateral aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) as a
join roles as r on r.oid = a.grantee
where n.nspname = any(%(objects)s)
    and not exists (select from pg_depend as d where d.classid = 'pg_proc'::regclass
        and d.objid = p.oid and d.deptype = 'e')
"""


def held_privileges(conn: psycopg.Connection) -> dict[str, list[str]]:
    """Role -> the privileges it holds (sorted), names qualified by schema."""
    with conn.transaction():
        conn.execute("set local search_path = ''")  # regprocedure qualifies every name
        cur = conn.execute(
            PRIVILEGES_SQL,
            {"roles": list(ROLES), "schemas": list(SCHEMAS), "objects": list(OBJECT_SCHEMAS)},
        )
        rows = [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in cur.fetchall()]
    return {
        role: sorted(p for r, p in rows if r == role and not p.startswith("maintain "))
        for role in ROLES
    }


def manifest_text(privileges: dict[str, list[str]]) -> str:
    document = {
        "generated": f"from a database built by supabase/migrations; regenerate: {REGENERATE}",
        "privileges": privileges,
    }
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def load_manifest(path: Path = MANIFEST) -> dict[str, list[str]]:
    try:
        return json.loads(path.read_text())["privileges"]
    except (OSError, ValueError, KeyError) as exc:
        raise DoctorError(
            _("cannot read {path} ({reason}): regenerate it with {command}").format(
                path=path, reason=exc, command=REGENERATE
            )
        ) from exc


def check_grants(t: Target) -> list[Finding]:
    expected = {(role, p) for role, ps in load_manifest().items() for p in ps}
    held = {(role, p) for role, ps in held_privileges(t.conn).items() for p in ps}
    # Revokes first: revoking a table-wide privilege also takes it from every column.
    found = [
        Finding("extra", f"{role}: {p}", f"revoke {p} from {role};")
        for role, p in sorted(held - expected)
    ]
    found += [
        Finding("missing", f"{role}: {p}", f"grant {p} to {role};")
        for role, p in sorted(expected - held)
    ]
    return found or [
        Finding(
            OK,
            _("{count} privileges of {roles} as the migrations grant them").format(
                count=len(expected), roles=", ".join(ROLES)
            ),
        )
    ]


def build_manifest() -> str:
    """The manifest of a throwaway database built by the migrations (as `make run` does)."""
    with localstack.scratch_cluster("africagnotte-privileges-") as cluster:
        localstack.build_database(cluster, secrets.token_hex(16), seed=False)
        with psycopg.connect(cluster.url()) as conn:
            return manifest_text(held_privileges(conn))


# 4. Scheduled jobs --------------------------------------------------------------

CRON_JOBS_SQL = """
select j.jobid, j.jobname, j.schedule, j.command, j.active, last.status, last.end_time,
    last.return_message
from cron.job as j
left join lateral (
    select d.status, d.end_time, d.return_message from cron.job_run_details as d
    where d.jobid = j.jobid order by d.runid desc limit 1
) as last on true
"""


def job_finding(job: dict[str, Any], cron: dict[str, Any] | None) -> Finding:
    name, schedule, command = job["job_name"], job["schedule"], job["command"]
    reschedule = (
        f"select private.schedule_job({literal(name)}, {literal(schedule)}, {literal(command)});"
    )
    if cron is None:
        missing = _("{name} ({schedule}) is not scheduled in pg_cron")
        return Finding("missing", missing.format(name=name, schedule=schedule), reschedule)
    if (cron["schedule"], cron["command"]) != (schedule, command):
        return Finding(
            "wrong",
            _("{name} runs `{actual}` at {actual_schedule}, not `{command}` at {schedule}").format(
                name=name,
                actual=cron["command"],
                actual_schedule=cron["schedule"],
                command=command,
                schedule=schedule,
            ),
            reschedule,
        )
    if not cron["active"]:
        return Finding(
            "wrong",
            _("{name} is inactive").format(name=name),
            f"select cron.alter_job({cron['jobid']}, active => true);",
        )
    last = (
        _("last run: {status} at {end}").format(status=cron["status"], end=cron["end_time"])
        if cron["status"]
        else _("not run yet")
    )
    if cron["status"] == "failed":
        message = (cron["return_message"] or "").strip().splitlines()[:1]
        return Finding(
            "failed",
            f"{name} {last}: {' '.join(message)}",
            _("find the cause by running it: {command};").format(command=command),
        )
    return Finding(OK, f"{name} ({schedule}), {last}")


def check_jobs(t: Target) -> list[Finding]:
    if not t.has_table("private.scheduled_jobs"):
        return [Finding("missing", _("no job registry (private.scheduled_jobs)"), t.migrate_fix)]
    jobs = t.rows(
        "select job_name, schedule, command from private.scheduled_jobs order by job_name"
    )
    if not t.has_extension("pg_cron"):
        return [
            Finding(
                INFO,
                _("pg_cron absent: {count} job(s) run only by `cagnotte-admin jobs run`").format(
                    count=len(jobs)
                ),
            )
        ]
    cron = {r["jobname"]: r for r in t.rows(CRON_JOBS_SQL)}
    return [job_finding(job, cron.get(job["job_name"])) for job in jobs]


# 5. The access token hook -------------------------------------------------------


HOOK_SQL = """
select p.oid::regprocedure::text as signature,
    has_schema_privilege('supabase_auth_admin', p.pronamespace, 'usage') as auth_admin_uses_schema,
    has_function_privilege('supabase_auth_admin', p.oid, 'execute') as auth_admin_executes,
    array(select r from unnest(array['anon', 'authenticated']) as r
          where has_function_privilege(r, p.oid, 'execute')) as api_roles_executing
from pg_proc as p
where p.oid = to_regprocedure(quote_ident(%s) || '.' || quote_ident(%s) || '(jsonb)')
"""


def check_hook(t: Target) -> list[Finding]:
    registered = project.access_token_hook()
    if registered is None:
        return [Finding(INFO, _("no access token hook enabled in config.toml"))]
    schema, name = registered
    hook = t.conn.execute(HOOK_SQL, registered).fetchone()
    if hook is None:
        absent = _("{function}, registered in config.toml, does not exist")
        return [
            Finding("missing", absent.format(function=f"{schema}.{name}(jsonb)"), t.migrate_fix)
        ]
    sig, api_roles = hook["signature"], ", ".join(hook["api_roles_executing"])
    rules = [
        (
            not hook["auth_admin_uses_schema"],
            Finding(
                "missing",
                _("supabase_auth_admin cannot use schema {schema}").format(schema=schema),
                f"grant usage on schema {schema} to supabase_auth_admin;",
            ),
        ),
        (
            not hook["auth_admin_executes"],
            Finding(
                "missing",
                _("supabase_auth_admin cannot execute {function}").format(function=sig),
                f"grant execute on function {sig} to supabase_auth_admin;",
            ),
        ),
        (
            bool(api_roles),
            Finding(
                "extra",
                _("{roles} may execute {function}").format(roles=api_roles, function=sig),
                f"revoke execute on function {sig} from public, {api_roles};",
            ),
        ),
    ]
    pushed = " (config.toml: npx supabase config push)" if t.hosted else ""
    found = [finding for broken, finding in rules if broken]
    fine = _("{function}: GoTrue may call it, the API may not").format(function=sig)
    return found or [Finding(OK, fine + pushed)]


# 6. Platform settings -----------------------------------------------------------

LOCAL_HOST = re.compile(
    r"^(localhost|127(\.\d+){3}|\[?::1\]?|0\.0\.0\.0|.+\.local|.+\.localhost)$", re.I
)
PLACEHOLDER_CLOUD = re.compile(r"(^|[-_])(local|test|demo|example|placeholder)($|[-_])", re.I)


def site_host(url: str) -> str | None:
    """The host of a URL; None when it is no URL."""
    try:
        return urlparse(url).hostname
    except ValueError:
        return None


SETTINGS_SQL = """
select s.site_url, s.media_cloud_name,
    (select c.column_default from information_schema.columns as c
     where c.table_schema = 'public' and c.table_name = 'platform_settings'
        and c.column_name = 'media_cloud_name') as cloud_default
from public.platform_settings as s
"""


def check_settings(t: Target) -> list[Finding]:
    if not t.has_table("public.platform_settings"):
        return [Finding("missing", _("no public.platform_settings"), t.migrate_fix)]
    rows = t.rows(SETTINGS_SQL)
    if not rows:
        return [Finding("missing", _("public.platform_settings has no row"), t.migrate_fix)]
    site, cloud, cloud_default = rows[0].values()
    site, cloud = site or "", cloud or ""
    local = "wrong" if t.hosted else INFO
    found = []
    host = site_host(site)
    if host is None:
        found.append(
            Finding(
                "wrong",
                _("site_url is not a URL: {site}").format(site=site),
                "cagnotte-admin settings set site-url https://<the frontend>",
            )
        )
    elif LOCAL_HOST.match(host):
        found.append(
            Finding(
                local,
                _("site_url is local: {site}").format(site=site),
                "cagnotte-admin settings set site-url https://<the frontend>",
            )
        )
    elif urlparse(site).scheme != "https":
        # the emails' links carry invitation tokens, and Auth's are built on SITE_URL
        secure = "https" + site.removeprefix("http")
        found.append(
            Finding(
                local,
                _("site_url is not https: {site}").format(site=site),
                f"cagnotte-admin settings set site-url {secure}"
                + _(" (and SITE_URL={secure} where the service and Auth run)").format(
                    secure=secure
                ),
            )
        )
    if PLACEHOLDER_CLOUD.search(cloud) or (cloud_default and literal(cloud) in cloud_default):
        found.append(
            Finding(
                local,
                _(
                    "media_cloud_name is a placeholder (the default or a local name): {cloud}"
                ).format(cloud=cloud),
                "cagnotte-admin settings set media-cloud-name <the Cloudinary cloud>",
            )
        )
    if host is not None:  # a URL, to compare with the deployment's
        found += site_copy_findings(t, site)
    return found or [
        Finding(OK, _("site_url {site}, media_cloud_name {cloud}").format(site=site, cloud=cloud))
    ]


def site_copy_findings(t: Target, site: str) -> list[Finding]:
    """The database's site_url is a copy of the deployment's SITE_URL (the truth:
    the service reads it, config.toml's Auth reads env(SITE_URL)); a copy that
    differs sends the emails' links elsewhere than Auth's and the payments'."""
    if not t.site_url:
        return [
            Finding(
                "missing" if t.hosted else INFO,
                _("SITE_URL is not set here: site_url is not compared with the deployment's"),
                _("export SITE_URL=https://<the frontend> (the service's value), run doctor again"),
            )
        ]
    truth = t.site_url.rstrip("/")
    if site != truth:
        return [
            Finding(
                "wrong",
                _("site_url {site} is not SITE_URL {truth}").format(site=site, truth=truth),
                f"cagnotte-admin settings set site-url {truth}",
            )
        ]
    return []


# The command --------------------------------------------------------------------

CHECKS: dict[str, Callable[[Target], list[Finding]]] = {
    "migrations": check_migrations,
    "extensions": check_extensions,
    "grants": check_grants,
    "jobs": check_jobs,
    "token hook": check_hook,
    "settings": check_settings,
}


def is_hosted(url: str) -> bool:
    """A database anywhere but this machine (loopback or a local socket)."""
    try:
        host = conninfo_to_dict(url).get("host") or ""
    except psycopg.ProgrammingError as exc:
        raise DoctorError(_("not a database URL: {reason}").format(reason=exc)) from exc
    hosts = [h for h in str(host).split(",") if h]
    if not hosts:
        return False

    def loopback(h: str) -> bool:
        if h.startswith("/") or h.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(h.strip("[]")).is_loopback
        except ValueError:
            return False

    return not all(loopback(h) for h in hosts)


def run_check(t: Target, check: str, function: Callable[[Target], list[Finding]]) -> list[dict]:
    try:
        with t.conn.transaction():
            findings = function(t)
    except psycopg.OperationalError:
        raise
    except psycopg.Error as exc:
        message = (exc.diag.message_primary or str(exc)).splitlines()[0]
        findings = [Finding("error", _("could not check: {reason}").format(reason=message))]
    except Exception as exc:  # a value this check did not expect: said, not a traceback
        reason = f"{type(exc).__name__}: {exc}"
        findings = [Finding("error", _("could not check: {reason}").format(reason=reason))]
    return [{"check": check, **asdict(f)} for f in findings]


def examine(url: str, hosted: bool | None) -> list[dict]:
    """Every check's findings on the database at ``url``."""
    from webhooks.db import POOLER_SAFE

    hosted = is_hosted(url) if hosted is None else hosted
    try:
        with psycopg.connect(
            url, row_factory=dict_row, autocommit=True, connect_timeout=10, **POOLER_SAFE
        ) as conn:
            conn.read_only = True
            t = Target(conn, hosted, localstack.setting("SITE_URL"))
            with conn.transaction():
                conn.execute("set local search_path = ''")  # every name printed qualified
                return [
                    f for check, function in CHECKS.items() for f in run_check(t, check, function)
                ]
    except psycopg.OperationalError as exc:
        raise db.DatabaseUnreachable(connection_failed(exc)) from exc


STYLE = {OK: "green", INFO: "cyan"}


def report(findings: list[dict], target: str) -> None:
    table = Table(title=_("doctor: {target}").format(target=target))
    for header in (_("check"), _("status"), _("detail"), _("fix")):
        table.add_column(header, overflow="fold")
    previous = None
    for f in findings:
        if previous and f["check"] != previous:
            table.add_section()
        style = STYLE.get(f["status"], "red")
        check = f["check"] if f["check"] != previous else ""
        table.add_row(
            cell(check),
            Text(f["status"], style=style),
            cell(f["detail"]),
            Text(f["fix"] or "-"),
        )
        previous = f["check"]
    out.print(table)
    fixes = list(dict.fromkeys(f["fix"] for f in findings if f["status"] in PROBLEMS and f["fix"]))
    if fixes:
        out.print(_("Fixes, in this order:"), style="bold")
        for fix in fixes:
            out.print(fix, markup=False, highlight=False)


def summary(findings: list[dict]) -> Text:
    problems = [f for f in findings if f["status"] in PROBLEMS]
    if not problems:
        checks = _(" ({count} checks)").format(count=len(CHECKS))
        return Text.assemble((_("all is well"), "green"), checks)
    per_check = dict.fromkeys(f["check"] for f in problems)
    counts = ", ".join(f"{c} {sum(f['check'] == c for f in problems)}" for c in per_check)
    found = ngettext("{count} problem", "{count} problems", len(problems))
    return Text.assemble((found.format(count=len(problems)), "red"), f": {counts}")


def redact(url: str) -> str:
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "?"
    return (
        f"{info.get('host', _('local socket'))}:{info.get('port', 5432)}/{info.get('dbname', '')}"
    )


DOCTOR_HELP = N_(
    "Check a database (local or hosted) for what the project needs; print each missing piece"
    " with the command that fixes it. Exit 0: all is well, 1: something is missing, 2: usage,"
    " configuration, or the database cannot be reached."
)


def doctor(
    database_url: str | None = typer.Option(
        None, "--database-url", help=N_("The database to examine (default: DATABASE_URL).")
    ),
    as_json: bool = JSON_OPTION,
    hosted: bool | None = typer.Option(
        None,
        "--hosted/--local",
        help=N_("Judge it as a hosted project or a local one (default: by its host)."),
    ),
    write_manifest: bool = typer.Option(
        False,
        "--write-manifest",
        help=N_(
            "Rebuild supabase/privileges.json from a throwaway database built by the migrations."
        ),
    ),
) -> None:
    try:
        if write_manifest:
            MANIFEST.write_text(build_manifest())
            err.print(_("wrote {file}").format(file=MANIFEST.relative_to(localstack.ROOT)))
            return
        url = database_url or db.database_url()
        findings = examine(url, hosted)
    except (
        DoctorError,
        project.ProjectError,
        db.NoDatabase,
        localstack.StackError,
        psycopg.Error,
    ) as exc:
        raise fail(exc, EXIT_USAGE) from exc
    if as_json:
        print_json(findings)
    else:
        judged = _("hosted") if (is_hosted(url) if hosted is None else hosted) else _("local")
        report(findings, f"{redact(url)} ({judged})")
    err.print(summary(findings))
    raise typer.Exit(code=1 if any(f["status"] in PROBLEMS for f in findings) else 0)
