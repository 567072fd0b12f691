"""`make run`: the whole backend on an embedded PostgreSQL, with no configuration.

Runs the real `cagnotte-admin local run` (what `make run` calls) on a throwaway
directory and free ports, never the developer's own stack.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import psycopg
import pytest

import pgcluster
from tests.conftest import free_port

CLI = [sys.executable, "-m", "admin_scripts.cli"]


@pytest.fixture
def stack_env() -> Iterator[dict[str, str]]:
    base = Path(tempfile.mkdtemp(prefix="africagnotte-run-"))
    env = {
        **os.environ,
        "AFRICAGNOTTE_LOCAL_DIR": str(base / ".local"),
        "AFRICAGNOTTE_ENV_FILE": str(base / ".env.local"),
        "AFRICAGNOTTE_DB_PORT": str(free_port()),
        "AFRICAGNOTTE_SERVICE_PORT": str(free_port()),
        "AFRICAGNOTTE_MAIL_PORT": str(free_port()),
    }
    env.pop("DATABASE_URL", None)
    yield env
    subprocess.run([*CLI, "local", "stop"], env=env, capture_output=True, check=False)
    pgcluster.Cluster(base_dir=base / ".local", port=0).destroy()
    shutil.rmtree(base, ignore_errors=True)


def healthz(port: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def run_until_healthy(env: dict[str, str]) -> subprocess.Popen:
    proc = subprocess.Popen(
        [*CLI, "local", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"`local run` exited {proc.returncode}: {proc.stdout.read()}{proc.stderr.read()}"
            )
        try:
            if healthz(env["AFRICAGNOTTE_SERVICE_PORT"])[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    pytest.fail("the service never became healthy")


def stop_with_ctrl_c(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=90)  # the stack kills gunicorn after 20 s
    return out


def db_url(env: dict[str, str]) -> str:
    return f"postgresql://postgres:postgres@127.0.0.1:{env['AFRICAGNOTTE_DB_PORT']}/postgres"


def test_make_run_serves_healthz_on_a_seeded_database_and_keeps_data(stack_env):
    proc = run_until_healthy(stack_env)
    status, body = healthz(stack_env["AFRICAGNOTTE_SERVICE_PORT"])
    assert (status, body) == (200, b'{"database":"ok","status":"ok"}\n')
    out = stop_with_ctrl_c(proc)
    assert proc.returncode is not None
    for shown in (db_url(stack_env), "anon key", "service_role key", "/healthz"):
        assert shown in out

    env_file = Path(stack_env["AFRICAGNOTTE_ENV_FILE"])
    first_env = env_file.read_text()
    assert "SUPABASE_JWT_SECRET=" in first_env

    with psycopg.connect(db_url(stack_env), autocommit=True) as conn:
        seeded = conn.execute("select count(*) from public.profiles").fetchone()[0]
        assert seeded >= 3
        assert (
            conn.execute("select count(*) from public.user_roles where role = 'admin'").fetchone()[
                0
            ]
            == 1
        )
        conn.execute("update public.profiles set bio = 'gardé' where display_name = 'Kwame Mensah'")
        migrations = conn.execute(
            "select count(*) from supabase_migrations.schema_migrations"
        ).fetchone()[0]

    # Second run: same database, nothing re-seeded, same secrets.
    proc = run_until_healthy(stack_env)
    stop_with_ctrl_c(proc)
    with psycopg.connect(db_url(stack_env), autocommit=True) as conn:
        assert conn.execute("select count(*) from public.profiles").fetchone()[0] == seeded
        assert (
            conn.execute(
                "select bio from public.profiles where display_name = 'Kwame Mensah'"
            ).fetchone()[0]
            == "gardé"
        )
        assert (
            conn.execute("select count(*) from supabase_migrations.schema_migrations").fetchone()[0]
            == migrations
        )
    assert env_file.read_text() == first_env


def test_make_run_delivers_emails_and_runs_the_jobs_without_pg_cron(stack_env):
    env = {**stack_env, "AFRICAGNOTTE_PG_CRON": "off", "AFRICAGNOTTE_JOBS_EVERY": "1"}
    proc = run_until_healthy(env)
    try:
        with psycopg.connect(db_url(env), autocommit=True) as conn:
            assert (
                conn.execute(
                    "select count(*) from pg_extension where extname = 'pg_cron'"
                ).fetchone()[0]
                == 0
            )
            (campaign,) = conn.execute(
                "update public.campaigns set starts_at = now() - interval '10 days',"
                " ends_at = now() - interval '1 minute'"
                " where id = (select id from public.campaigns where status = 'active' limit 1)"
                " returning id"
            ).fetchone()
            deadline = time.monotonic() + 30
            mail_dir = Path(env["AFRICAGNOTTE_LOCAL_DIR"]) / "mail"
            while time.monotonic() < deadline:
                status = conn.execute(
                    "select status::text from public.campaigns where id = %s", [campaign]
                ).fetchone()[0]
                sent = conn.execute(
                    "select count(*) from private.email_outbox where status = 'sent'"
                    " and template = 'campaign_ended_owner'"
                ).fetchone()[0]
                if status == "expired" and sent and list(mail_dir.glob("*.eml")):
                    break
                time.sleep(0.5)
            assert status == "expired"  # the expiry job ran, from `make run` itself
            assert sent == 1  # its email went out to the local SMTP server
            subjects = [
                message_from_bytes(p.read_bytes(), policy=default_policy)["Subject"]
                for p in mail_dir.glob("*.eml")
            ]
            assert any(s.startswith("Votre cagnotte « ") for s in subjects), subjects
    finally:
        out = stop_with_ctrl_c(proc)
    assert "Emails" in out
    assert str(mail_dir) in out


def test_reset_rebuilds_the_database_from_migrations_and_seed(stack_env):
    subprocess.run([*CLI, "local", "up"], env=stack_env, check=True, capture_output=True)
    with psycopg.connect(db_url(stack_env), autocommit=True) as conn:
        conn.execute("update public.profiles set bio = 'effacé bientôt'")
    subprocess.run(
        [*CLI, "local", "reset", "--yes"], env=stack_env, check=True, capture_output=True
    )
    with psycopg.connect(db_url(stack_env), autocommit=True) as conn:
        assert (
            conn.execute(
                "select count(*) from public.profiles where bio = 'effacé bientôt'"
            ).fetchone()[0]
            == 0
        )
        assert conn.execute("select count(*) from public.profiles").fetchone()[0] >= 3


def test_reset_asks_for_confirmation(stack_env):
    proc = subprocess.run(
        [*CLI, "local", "reset"], env=stack_env, input="n\n", capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert "Aborted" in proc.stdout + proc.stderr


def test_stop_stops_postgres(stack_env):
    subprocess.run([*CLI, "local", "up"], env=stack_env, check=True, capture_output=True)
    subprocess.run([*CLI, "local", "stop"], env=stack_env, check=True, capture_output=True)
    status = subprocess.run(
        [*CLI, "local", "status", "--json"], env=stack_env, capture_output=True, text=True
    )
    assert status.returncode == 3
    assert '"running": false' in status.stdout


def test_make_run_on_a_stack_made_before_the_hosted_shape_asks_for_a_reset(stack_env, monkeypatch):
    # What an earlier version left in .local/: a cluster whose superuser is postgres.
    monkeypatch.setattr(pgcluster.cluster, "SUPERUSER", "postgres")
    old = pgcluster.Cluster(
        base_dir=Path(stack_env["AFRICAGNOTTE_LOCAL_DIR"]),
        port=int(stack_env["AFRICAGNOTTE_DB_PORT"]),
    )
    old.init()
    old.start()
    monkeypatch.undo()
    run = subprocess.run([*CLI, "local", "run"], env=stack_env, capture_output=True, text=True)
    assert run.returncode == 1
    assert "make reset" in " ".join(run.stderr.split())
    subprocess.run(
        [*CLI, "local", "reset", "--yes"], env=stack_env, check=True, capture_output=True
    )
    with psycopg.connect(db_url(stack_env)) as conn:
        supers = conn.execute("select rolname from pg_roles where rolsuper").fetchall()
        assert supers == [("supabase_admin",)]
        assert conn.execute("select count(*) from public.profiles").fetchone()[0] >= 3


# The house: who needs what ----------------------------------------------------------------

# The dev extra's distributions, as their modules are imported (ruff: a binary only).
DEV_MODULES = {"aiosmtpd": "aiosmtpd", "pytest": "pytest", "pytest-timeout": "pytest_timeout",
               "hypothesis": "hypothesis", "sqlfluff": "sqlfluff", "honcho": "honcho",
               "jsonschema": "jsonschema", "schemathesis": "schemathesis", "pexpect": "pexpect",
               "pypdf": "pypdf", "psutil": "psutil"}  # fmt: skip


def dev_extra() -> set[str]:
    import re
    import tomllib

    project = tomllib.loads((pgcluster.ROOT / "pyproject.toml").read_text())["project"]
    return {
        re.split(r"[<>=\[ ]", r, maxsplit=1)[0] for r in project["optional-dependencies"]["dev"]
    }


def test_the_runtime_starts_without_the_dev_dependencies():
    """The Procfile's processes (web: the service; worker and clock: the console)
    import with every dev-only distribution missing; the console then has no
    `local` or `dev` group (the developers' package needs them)."""
    assert {"aiosmtpd", "pytest", "honcho"} <= dev_extra() <= {*DEV_MODULES, "ruff"}
    blocked = sorted(DEV_MODULES.values())
    code = (
        "import sys, json\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        "import webhooks, admin_scripts.mailer, admin_scripts.jobs_cmd\n"
        "import typer.main\n"
        "from admin_scripts.cli import app\n"
        "print(json.dumps(sorted(typer.main.get_command(app).commands)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(pgcluster.ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    groups = set(json.loads(proc.stdout))
    assert {"notifications", "jobs", "campaigns"} <= groups
    assert not groups & {"local", "dev"}


def test_the_console_has_the_local_stack_when_it_is_installed():
    from typer.main import get_command

    from admin_scripts.cli import app

    assert {"local", "dev"} <= set(get_command(app).commands)


def test_the_cluster_librarys_messages_speak_the_consoles_language(monkeypatch, tmp_path):
    from admin_scripts import i18n

    monkeypatch.setenv("LANGUAGE", "en")  # i18n.use sets it: put back afterwards
    monkeypatch.setattr(pgcluster.build, "SUPABASE_CLI", tmp_path / "missing")
    try:
        i18n.use("fr")
        with pytest.raises(pgcluster.ClusterError, match="la CLI Supabase n'est pas installée"):
            pgcluster.supabase_cli("--version")
    finally:
        i18n.use("en")
    with pytest.raises(pgcluster.ClusterError, match="the Supabase CLI is not installed"):
        pgcluster.supabase_cli("--version")
