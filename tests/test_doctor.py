"""`cagnotte-admin doctor`: a database, local or hosted, checked for what the project
needs, each missing piece printed with the command that fixes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

from admin_scripts import doctor_cmd, localstack, project
from admin_scripts.cli import app

PG_CRON_FIX = (
    "create extension pg_cron with schema pg_catalog;"
    " select private.schedule_job(job_name, schedule, command) from private.scheduled_jobs;"
)
RECORD_PAYMENT_EVENT = (
    "private.record_payment_event(public.payment_provider,text,text,timestamp with time zone,"
    "boolean,jsonb,jsonb)"
)


def doctor(url: str, *args: str) -> tuple[int, list[dict], str]:
    """`cagnotte-admin doctor --json` on the database at url: exit code, findings, stderr."""
    result = CliRunner().invoke(app, ["doctor", "--database-url", url, "--json", *args])
    findings = json.loads(result.stdout) if result.stdout.strip() else []
    return result.exit_code, findings, result.stderr


def problems(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["status"] not in ("ok", "info")]


@pytest.fixture(autouse=True)
def site_url(monkeypatch, tmp_path) -> str:
    """The deployment's SITE_URL as the local stack's .env.local has it (the
    database's default copy); no .env.local of the machine's is read."""
    monkeypatch.setattr("admin_scripts.localstack.ENV_LOCAL", tmp_path / "no.env")
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:3000")
    return "http://127.0.0.1:3000"


@pytest.fixture
def healthy(hosted_cluster) -> localstack.Cluster:
    """A cluster with pg_cron whose `postgres` database the migrations built, as a
    hosted project's; each test restores what it breaks."""
    return hosted_cluster


def run_sql(url: str, *statements: str, params: list | None = None) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows: list[tuple] = []
        for statement in statements:
            cur = conn.execute(statement, params)
            rows += cur.fetchall() if cur.description else []
        return rows


@contextmanager
def broken(cluster: localstack.Cluster, breaking: str, *, fixed_by: str) -> Iterator[None]:
    """The healthy database broken as the superuser, then mended with the doctor's
    fix, run as the project's postgres (an operator's hands)."""
    run_sql(cluster.superuser_url(), breaking)
    try:
        yield
    finally:
        run_sql(cluster.url(), fixed_by)


def only_problem(cluster: localstack.Cluster, check: str, *args: str) -> dict:
    code, findings, _ = doctor(cluster.url(), *args)
    assert code == 1, findings
    (problem,) = problems(findings)
    assert problem["check"] == check, problem
    return problem


def test_a_database_built_by_the_migrations_with_pg_cron_is_well(healthy):
    code, findings, stderr = doctor(healthy.url())
    assert code == 0, problems(findings)
    assert "all is well" in stderr
    assert {f["check"] for f in findings} == set(doctor_cmd.CHECKS)
    jobs = [f for f in findings if f["check"] == "jobs"]
    assert {f["status"] for f in jobs} == {"ok"}
    assert any("expire-campaigns (*/5 * * * *)" in f["detail"] for f in jobs)


def test_json_is_a_list_of_check_status_detail_and_fix(healthy):
    _, findings, _ = doctor(healthy.url())
    assert findings
    for finding in findings:
        assert set(finding) == {"check", "status", "detail", "fix"}
        assert all(isinstance(value, str) for value in finding.values())


def test_the_table_shows_each_check_and_the_fixes_in_order(healthy, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", healthy.url())
    with broken(
        healthy,
        f"revoke execute on function {RECORD_PAYMENT_EVENT} from service_role",
        fixed_by=f"grant execute on function {RECORD_PAYMENT_EVENT} to service_role",
    ):
        result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 1
    for check in doctor_cmd.CHECKS:
        assert check in result.stdout
    fixes = result.stdout.split("Fixes, in this order:")[1]
    assert f"grant execute on function {RECORD_PAYMENT_EVENT} to service_role;" in fixes
    assert "1 problem: grants 1" in result.stderr


def test_a_deleted_migration_history_row_is_a_migration_not_applied(healthy):
    version = max(project.migration_files())
    ((row,),) = run_sql(
        healthy.superuser_url(),
        "delete from supabase_migrations.schema_migrations as m where version = %s"
        " returning to_jsonb(m)",
        params=[version],
    )
    try:
        problem = only_problem(healthy, "migrations")
        assert problem["status"] == "missing"
        assert project.migration_files()[version] in problem["detail"]
        assert problem["fix"] == "make run"
        hosted = [f for f in doctor(healthy.url(), "--hosted")[1] if f["check"] == "migrations"]
        assert hosted[0]["fix"] == "npx supabase db push"
    finally:
        run_sql(
            healthy.superuser_url(),
            "insert into supabase_migrations.schema_migrations"
            " select * from jsonb_populate_record(null::supabase_migrations.schema_migrations, %s)",
            params=[Jsonb(row)],
        )


def test_a_version_applied_without_a_file_is_reported(healthy):
    with broken(
        healthy,
        "insert into supabase_migrations.schema_migrations (version) values ('20990101000000')",
        fixed_by="delete from supabase_migrations.schema_migrations"
        " where version = '20990101000000'",
    ):
        problem = only_problem(healthy, "migrations")
    assert problem["status"] == "extra"
    assert "20990101000000" in problem["detail"]
    assert "migration repair --status reverted 20990101000000" in problem["fix"]


def test_the_extensions_checked_are_those_the_migrations_create():
    extensions = project.migration_extensions()
    assert extensions["pg_cron"] == "pg_catalog"
    assert extensions["pg_trgm"] == "extensions"


def test_a_dropped_pg_cron_is_caught_and_its_fix_schedules_the_jobs_again(healthy):
    run_sql(healthy.superuser_url(), "drop extension pg_cron")
    try:
        _, findings, _ = doctor(healthy.url())
    finally:  # the same fix, whatever the doctor said
        run_sql(healthy.url(), PG_CRON_FIX)
    (problem,) = problems(findings)
    assert problem["check"] == "extensions"
    assert problem["detail"] == "pg_cron is not installed"
    assert problem["fix"] == PG_CRON_FIX
    assert "pg_cron absent" in next(f["detail"] for f in findings if f["check"] == "jobs")
    code, findings, _ = doctor(healthy.url())
    assert code == 0, problems(findings)


def test_an_extension_in_another_schema_is_caught(healthy):
    # Moved and moved back as the superuser: a trusted extension's objects are its.
    run_sql(healthy.superuser_url(), "alter extension unaccent set schema public")
    try:
        problem = only_problem(healthy, "extensions")
    finally:
        run_sql(healthy.superuser_url(), "alter extension unaccent set schema extensions")
    assert problem["status"] == "wrong"
    assert problem["fix"] == "alter extension unaccent set schema extensions;"


def test_a_revoked_grant_is_caught_with_the_grant_that_restores_it(healthy):
    with broken(
        healthy,
        f"revoke execute on function {RECORD_PAYMENT_EVENT} from service_role",
        fixed_by=f"grant execute on function {RECORD_PAYMENT_EVENT} to service_role",
    ):
        problem = only_problem(healthy, "grants")
    assert problem["status"] == "missing"
    assert problem["detail"] == f"service_role: execute on function {RECORD_PAYMENT_EVENT}"
    assert problem["fix"] == f"grant execute on function {RECORD_PAYMENT_EVENT} to service_role;"


def test_an_extra_grant_is_caught_with_the_revoke_that_takes_it_back(healthy):
    with broken(
        healthy,
        "grant select on table private.scheduled_jobs to anon",
        fixed_by="revoke select on table private.scheduled_jobs from anon",
    ):
        problem = only_problem(healthy, "grants")
    assert problem["status"] == "extra"
    assert problem["fix"] == "revoke select on table private.scheduled_jobs from anon;"


def test_column_grants_are_checked_column_by_column(healthy):
    with broken(
        healthy,
        "revoke update (site_url) on table public.platform_settings from authenticated",
        fixed_by="grant update (site_url) on table public.platform_settings to authenticated",
    ):
        problem = only_problem(healthy, "grants")
    assert problem["fix"] == (
        "grant update (site_url) on table public.platform_settings to authenticated;"
    )


def test_the_printed_fixes_mend_the_grants(healthy):
    with broken(
        healthy,
        f"revoke execute on function {RECORD_PAYMENT_EVENT} from service_role;"
        " grant insert on table public.categories to anon",
        fixed_by=f"grant execute on function {RECORD_PAYMENT_EVENT} to service_role;"
        " revoke insert on table public.categories from anon",
    ):
        _, findings, _ = doctor(healthy.url())
        fixes = [f["fix"] for f in problems(findings)]
        assert fixes[0].startswith("revoke"), "revokes come before grants"
        run_sql(healthy.url(), *fixes)
        code, findings, _ = doctor(healthy.url())
    assert code == 0, problems(findings)


def test_the_manifest_is_what_the_migrations_grant(db):
    """supabase/privileges.json is generated; it never drifts from the migrations."""
    with psycopg.connect(db.url) as conn:
        granted = doctor_cmd.held_privileges(conn)
    stale = (
        "supabase/privileges.json differs from what the migrations grant: regenerate it with"
        f" {doctor_cmd.REGENERATE} and review the diff"
    )
    assert doctor_cmd.load_manifest() == granted, stale
    assert doctor_cmd.MANIFEST.read_text() == doctor_cmd.manifest_text(granted), stale


def test_an_unscheduled_job_is_caught_with_the_call_that_schedules_it(healthy):
    run_sql(healthy.url(), "select cron.unschedule('expire-campaigns')")
    try:
        problem = only_problem(healthy, "jobs")
    finally:
        run_sql(
            healthy.url(),
            project.SCHEDULE_JOBS,
        )
    assert problem["status"] == "missing"
    assert "expire-campaigns" in problem["detail"]
    assert problem["fix"] == (
        "select private.schedule_job('expire-campaigns', '*/5 * * * *',"
        " 'select private.expire_campaigns()');"
    )
    run_sql(healthy.url(), problem["fix"])
    assert doctor(healthy.url())[0] == 0


def test_a_job_whose_last_run_failed_is_caught(healthy):
    ((jobid,),) = run_sql(
        healthy.url(), "select jobid from cron.job where jobname = 'purge-email-outbox'"
    )
    run_sql(
        healthy.superuser_url(),
        "insert into cron.job_run_details (jobid, runid, database, username, command, status,"
        f" return_message, start_time, end_time) values ({jobid}, 9000000000, 'postgres',"
        " 'postgres', 'select private.purge_email_outbox()', 'failed',"
        " 'ERROR:  permission denied for table email_outbox', now(), now())",
    )
    try:
        problem = only_problem(healthy, "jobs")
    finally:
        run_sql(
            healthy.superuser_url(), "delete from cron.job_run_details where runid = 9000000000"
        )
    assert problem["status"] == "failed"
    assert "permission denied for table email_outbox" in problem["detail"]


def test_a_hook_the_auth_server_cannot_execute_is_caught(healthy):
    hook = "private.custom_access_token_hook(jsonb)"
    with broken(
        healthy,
        f"revoke execute on function {hook} from supabase_auth_admin",
        fixed_by=f"grant execute on function {hook} to supabase_auth_admin",
    ):
        _, findings, _ = doctor(healthy.url())
    hook_problems = [f for f in problems(findings) if f["check"] == "token hook"]
    assert hook_problems == [
        {
            "check": "token hook",
            "status": "missing",
            "detail": f"supabase_auth_admin cannot execute {hook}",
            "fix": f"grant execute on function {hook} to supabase_auth_admin;",
        }
    ]


def test_a_hook_the_api_may_execute_is_caught(healthy):
    hook = "private.custom_access_token_hook(jsonb)"
    with broken(
        healthy,
        f"grant execute on function {hook} to public",
        fixed_by=f"revoke execute on function {hook} from public",
    ):
        _, findings, _ = doctor(healthy.url())
    (problem,) = [f for f in problems(findings) if f["check"] == "token hook"]
    assert problem["detail"] == f"anon, authenticated may execute {hook}"
    assert problem["fix"] == f"revoke execute on function {hook} from public, anon, authenticated;"


def test_local_settings_are_a_finding_only_on_a_hosted_database(healthy):
    _, local, _ = doctor(healthy.url())
    settings = [f for f in local if f["check"] == "settings"]
    assert {f["status"] for f in settings} == {"info"}
    code, hosted, _ = doctor(healthy.url(), "--hosted")
    assert code == 1
    assert [(f["check"], f["status"]) for f in problems(hosted)] == [
        ("settings", "wrong"),
        ("settings", "wrong"),
    ]
    site = problems(hosted)[0]
    assert site["detail"] == "site_url is local: http://127.0.0.1:3000"
    assert site["fix"].startswith("cagnotte-admin settings set site-url https://")


def production_settings(healthy):
    """The database's settings as a production project has them, for one test."""
    return broken(
        healthy,
        "update public.platform_settings set site_url = 'https://africagnotte.org',"
        " media_cloud_name = 'africagnotte-prod'",
        fixed_by="update public.platform_settings set site_url = 'http://127.0.0.1:3000',"
        " media_cloud_name = default",
    )


def test_a_hosted_database_with_its_own_settings_is_well(healthy, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://africagnotte.org/")  # its copy has no slash
    with production_settings(healthy):
        code, findings, _ = doctor(healthy.url(), "--hosted")
    assert code == 0, problems(findings)


def test_a_hosted_site_url_over_plain_http_is_a_finding_even_when_site_url_agrees(
    healthy, monkeypatch
):
    """Invitation tokens and Auth's links travel in the emails' links: not in clear."""
    monkeypatch.setenv("SITE_URL", "http://africagnotte.org")
    with broken(
        healthy,
        "update public.platform_settings set site_url = 'http://africagnotte.org',"
        " media_cloud_name = 'africagnotte-prod'",
        fixed_by="update public.platform_settings set site_url = 'http://127.0.0.1:3000',"
        " media_cloud_name = default",
    ):
        _, local, _ = doctor(healthy.url())
        code, hosted, _ = doctor(healthy.url(), "--hosted")
    assert [(f["status"], f["detail"]) for f in local if f["check"] == "settings"] == [
        ("info", "site_url is not https: http://africagnotte.org")
    ]
    assert code == 1
    (problem,) = problems(hosted)
    assert problem == {
        "check": "settings",
        "status": "wrong",
        "detail": "site_url is not https: http://africagnotte.org",
        "fix": "cagnotte-admin settings set site-url https://africagnotte.org"
        " (and SITE_URL=https://africagnotte.org where the service and Auth run)",
    }


def test_a_site_url_copy_that_differs_from_the_deployments_is_a_finding_with_its_fix(
    healthy, monkeypatch
):
    monkeypatch.setenv("SITE_URL", "https://africagnotte.org")
    for judged in ("--local", "--hosted"):
        with broken(
            healthy,
            "update public.platform_settings set site_url = 'https://old.africagnotte.org',"
            " media_cloud_name = 'africagnotte-prod'",
            fixed_by="update public.platform_settings set site_url = 'http://127.0.0.1:3000',"
            " media_cloud_name = default",
        ):
            code, findings, _ = doctor(healthy.url(), judged)
        assert code == 1
        (problem,) = problems(findings)
        assert problem == {
            "check": "settings",
            "status": "wrong",
            "detail": "site_url https://old.africagnotte.org is not SITE_URL https://africagnotte.org",
            "fix": "cagnotte-admin settings set site-url https://africagnotte.org",
        }


def test_the_fix_the_doctor_prints_for_the_site_url_mends_it(healthy, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://africagnotte.org")
    problem = only_problem(healthy, "settings")
    assert problem["fix"] == "cagnotte-admin settings set site-url https://africagnotte.org"
    with broken(
        healthy,
        "update public.platform_settings set site_url = 'https://africagnotte.org'",
        fixed_by="update public.platform_settings set site_url = 'http://127.0.0.1:3000'",
    ):
        code, findings, _ = doctor(healthy.url())
    assert code == 0, problems(findings)


def test_without_site_url_a_hosted_database_cannot_be_compared(healthy, monkeypatch):
    monkeypatch.delenv("SITE_URL")
    _, local, _ = doctor(healthy.url())
    assert problems(local) == []
    with production_settings(healthy):
        code, hosted, _ = doctor(healthy.url(), "--hosted")
    assert code == 1
    (problem,) = problems(hosted)
    assert (problem["status"], problem["detail"]) == (
        "missing",
        "SITE_URL is not set here: site_url is not compared with the deployment's",
    )


def test_a_database_without_pg_cron_lacks_it(db):
    code, findings, _ = doctor(db.url)
    assert code == 1
    assert [(f["check"], f["detail"]) for f in problems(findings)] == [
        ("extensions", "pg_cron is not installed")
    ]


def test_an_unreachable_database_is_a_clear_error():
    url = f"postgresql://postgres:nope@127.0.0.1:{localstack.free_port()}/postgres"
    result = CliRunner().invoke(app, ["doctor", "--database-url", url])
    assert result.exit_code == 5  # errors.EXIT_NO_DATABASE
    assert result.stdout == ""
    assert "the database cannot be reached" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_wrong_password_is_a_clear_error(healthy):
    result = CliRunner().invoke(app, ["doctor", "--database-url", healthy.url(password="wrong")])
    assert result.exit_code == 2
    assert "password authentication failed" in result.stderr


def test_without_a_database_url_it_says_where_to_set_one(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("admin_scripts.localstack.ENV_LOCAL", tmp_path / "missing.env")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 2
    assert "DATABASE_URL" in result.stderr


def test_hosted_is_decided_by_the_database_host():
    assert not doctor_cmd.is_hosted("postgresql://postgres:x@127.0.0.1:54322/postgres")
    assert not doctor_cmd.is_hosted("postgresql://postgres:x@localhost/postgres")
    assert doctor_cmd.is_hosted(
        "postgresql://postgres.ref:x@aws-0-eu-west-3.pooler.supabase.com:6543/postgres"
    )


def test_a_site_url_that_is_no_url_is_a_finding_not_a_traceback(healthy):
    with broken(
        healthy,
        "update public.platform_settings set site_url = 'http://[1:2]'",
        fixed_by="update public.platform_settings set site_url = 'http://127.0.0.1:3000'",
    ):
        code, findings, stderr = doctor(healthy.url())
    assert code == 1
    assert "Traceback" not in stderr
    (problem,) = problems(findings)
    assert (problem["check"], problem["detail"]) == (
        "settings",
        "site_url is not a URL: http://[1:2]",
    )
