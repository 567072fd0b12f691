"""`cagnotte-admin local …`: the embedded development stack behind `make run`."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psycopg
import typer
from psycopg.rows import dict_row
from rich.text import Text

from admin_scripts import jobs_cmd, localstack, mailcatcher, mailer
from admin_scripts.console import (
    JSON_OPTION,
    YES_OPTION,
    err,
    out,
    print_json,
    warning,
)
from admin_scripts.errors import EXIT_REFUSED, fail

app = typer.Typer(help="The embedded local stack (development only).", no_args_is_help=True)

SERVICE_BIND = f"127.0.0.1:{localstack.SERVICE_PORT}"
MAIL_EVERY = 3.0  # seconds between looks at the email outbox
# seconds between runs of the scheduled jobs, without pg_cron
JOBS_EVERY = float(os.environ.get("AFRICAGNOTTE_JOBS_EVERY", "60"))


@app.command("up")
def up() -> None:
    """Create (first time) and start the local database, apply new migrations."""
    try:
        cluster, is_new = localstack.up()
    except localstack.StackError as exc:
        raise fail(exc, EXIT_REFUSED) from exc
    err.print("new database, seeded" if is_new else "database kept, migrations up to date")
    out.print(cluster.url())


@app.command("run")
def run() -> None:
    """`make run`: the local database, the webhooks service, the emails and the jobs."""
    try:
        cluster, is_new = localstack.up()
    except localstack.StackError as exc:
        raise fail(exc, EXIT_REFUSED) from exc
    env = localstack.read_env(localstack.ENV_LOCAL)
    state = "new database, seeded" if is_new else "data kept, migrations up to date"
    err.print(Text("AfriCagnotte local stack", style="green"), f"({state})")
    out.print(f"Database URL        {cluster.url()}")
    out.print(f"JWT secret          {env['SUPABASE_JWT_SECRET']}")
    out.print(f"anon key            {env['SUPABASE_ANON_KEY']}")
    out.print(f"service_role key    {env['SUPABASE_SERVICE_ROLE_KEY']}")
    out.print(f"Webhooks service    http://{SERVICE_BIND}")
    out.print(f"  GET  http://{SERVICE_BIND}/healthz")
    out.print(f"  POST http://{SERVICE_BIND}/donations/checkout")
    out.print(f"  POST http://{SERVICE_BIND}/webhooks/stripe")
    out.print(f"Emails              {localstack.MAIL_DIR}/ (SMTP 127.0.0.1:{localstack.MAIL_PORT})")
    jobs = "pg_cron" if cluster.cron else f"this process, every {JOBS_EVERY:.0f} s"
    out.print(f"Scheduled jobs      {jobs}")
    out.print("Ctrl-C stops the service; `make stop` stops PostgreSQL.", style="dim")
    sys.stdout.flush()
    child_env = {**env, **os.environ}
    # The Procfile's `web` settings (gunicorn.conf.py), on the loopback only.
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(localstack.ROOT / "gunicorn.conf.py"),
        "--bind",
        SERVICE_BIND,
    ]
    catcher = _start_mail_catcher()
    service = subprocess.Popen(argv, env=child_env)
    try:
        _background_work(service, run_jobs=not cluster.cron, env=child_env)
    except KeyboardInterrupt:
        pass
    finally:
        service.terminate()
        service.wait(timeout=30)
        if catcher is not None:
            catcher.stop()
    err.print("service stopped; PostgreSQL keeps running (`make stop`)")


def _start_mail_catcher():
    try:
        return mailcatcher.start(localstack.MAIL_DIR, localstack.MAIL_PORT)
    except (OSError, RuntimeError) as exc:
        warning(f"local SMTP server not started ({exc})")
        return None


def _background_work(service: subprocess.Popen, *, run_jobs: bool, env: dict[str, str]) -> None:
    """While the service runs: deliver emails every few seconds and, without
    pg_cron, run the scheduled jobs every minute. A failing round is reported
    and tried again later; it never stops the stack."""
    smtp, mail_from = mailer.SmtpSettings.from_url(env["SMTP_URL"]), env["MAIL_FROM"]
    next_jobs = 0.0
    while service.poll() is None:
        try:
            with psycopg.connect(env["DATABASE_URL"], autocommit=True, row_factory=dict_row) as c:
                mailer.Sender(c, smtp, mail_from).send_all_due()
                if run_jobs and time.monotonic() >= next_jobs:
                    jobs_cmd.run_all(c)
                    next_jobs = time.monotonic() + JOBS_EVERY
        except Exception as exc:  # the stack outlives any one round (the database away, a bug)
            warning(f"background work failed, will retry: {exc}")
        time.sleep(MAIL_EVERY)


@app.command("stop")
def stop() -> None:
    """Stop the local PostgreSQL."""
    try:
        localstack.dev_cluster().stop()
    except localstack.StackError as exc:
        raise fail(exc, EXIT_REFUSED) from exc
    err.print("PostgreSQL stopped")


@app.command("reset")
def reset(yes: bool = YES_OPTION) -> None:
    """Drop the local database and rebuild it from migrations and seed."""
    if not yes:
        typer.confirm("Drop the local database and rebuild it?", abort=True)
    try:
        localstack.reset()
    except localstack.StackError as exc:
        raise fail(exc, EXIT_REFUSED) from exc
    err.print("local database rebuilt from migrations and seed")


@app.command("status")
def status(as_json: bool = JSON_OPTION) -> None:
    """Whether the local PostgreSQL exists and runs."""
    cluster = localstack.dev_cluster()
    data = {
        "data_dir": str(cluster.data_dir),
        "exists": cluster.exists,
        "running": cluster.exists and cluster.is_running(),
        "url": cluster.url(),
    }
    if as_json:
        print_json(data)
    else:
        for key, value in data.items():
            out.print(f"{key:10} {value}")
    if not data["running"]:
        raise typer.Exit(code=3)
