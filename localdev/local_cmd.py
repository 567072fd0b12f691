"""`cagnotte-admin local …`: the developers' embedded stack behind `make run`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg
import typer
from psycopg.rows import dict_row
from rich.text import Text

import pgcluster
from admin_scripts import jobs_cmd, mailer
from admin_scripts.console import (
    JSON_OPTION,
    YES_OPTION,
    confirm,
    err,
    out,
    print_json,
    warning,
)
from admin_scripts.errors import EXIT_REFUSED, fail
from admin_scripts.i18n import N_, _
from localdev import mailcatcher, stack

app = typer.Typer(help=N_("The embedded local stack (development only)."), no_args_is_help=True)

SERVICE_BIND = f"127.0.0.1:{stack.SERVICE_PORT}"
MAIL_EVERY = 3.0  # seconds between looks at the email outbox
STOP_WITHIN = 20.0  # seconds gunicorn has to stop before it is killed
# seconds between runs of the scheduled jobs, without pg_cron
JOBS_EVERY = float(os.environ.get("AFRICAGNOTTE_JOBS_EVERY", "60"))


@app.command(
    "up", help=N_("Create (first time) and start the local database, apply new migrations.")
)
def up() -> None:
    try:
        cluster, is_new = stack.up()
    except pgcluster.ClusterError as exc:
        raise fail(exc, EXIT_REFUSED) from exc
    err.print(_("new database, seeded") if is_new else _("database kept, migrations up to date"))
    out.print(cluster.url())


@app.command(
    "run", help=N_("`make run`: the local database, the webhooks service, the emails and the jobs.")
)
def run() -> None:
    try:
        cluster, is_new = stack.up()
    except pgcluster.ClusterError as exc:
        raise fail(exc, EXIT_REFUSED) from exc
    env = stack.read_env(stack.ENV_LOCAL)
    state = _("new database, seeded") if is_new else _("data kept, migrations up to date")
    err.print(Text(_("AfriCagnotte local stack"), style="green"), f"({state})")
    every = _("this process, every {seconds} s").format(seconds=f"{JOBS_EVERY:.0f}")
    lines = [
        (_("Database URL"), cluster.url()),
        (_("JWT secret"), env["SUPABASE_JWT_SECRET"]),
        (_("anon key"), env["SUPABASE_ANON_KEY"]),
        (_("service_role key"), env["SUPABASE_SERVICE_ROLE_KEY"]),
        (_("Webhooks service"), f"http://{SERVICE_BIND}"),
        ("", f"GET  http://{SERVICE_BIND}/healthz"),
        ("", f"POST http://{SERVICE_BIND}/donations/checkout"),
        ("", f"POST http://{SERVICE_BIND}/webhooks/stripe"),
        (_("Emails"), f"{stack.MAIL_DIR}/ (SMTP 127.0.0.1:{stack.MAIL_PORT})"),
        (_("Scheduled jobs"), "pg_cron" if cluster.cron else every),
    ]
    width = max(len(label) for label, _value in lines) + 2
    for label, value in lines:
        out.print(f"{label:{width}}{value}" if label else f"  {value}")
    out.print(_("Ctrl-C stops the service; `make stop` stops PostgreSQL."), style="dim")
    out.print(_("A day to rehearse: cagnotte-admin dev scenario"), style="dim")
    sys.stdout.flush()
    child_env = {**env, **os.environ}
    # The Procfile's `web` settings (gunicorn.conf.py), on the loopback only.
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(pgcluster.ROOT / "gunicorn.conf.py"),
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
        _stop_service(service)
        if catcher is not None:
            catcher.stop()
    err.print(_("service stopped; PostgreSQL keeps running (`make stop`)"))


def _stop_service(service: subprocess.Popen) -> None:
    """Stop gunicorn as Ctrl-C in a terminal does (SIGINT: its quick shutdown;
    SIGTERM would wait up to its graceful timeout for workers), and kill it if
    it has not gone after a while. The signal's meanings:
    https://docs.gunicorn.org/en/stable/signals.html"""
    if service.poll() is None:
        service.send_signal(signal.SIGINT)
    try:
        service.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        service.kill()
        service.wait()


def _start_mail_catcher():
    try:
        return mailcatcher.start(stack.MAIL_DIR, stack.MAIL_PORT)
    except (OSError, RuntimeError) as exc:
        warning(_("local SMTP server not started ({reason})").format(reason=exc))
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
            warning(_("background work failed, will retry: {reason}").format(reason=exc))
        time.sleep(MAIL_EVERY)


@app.command("stop", help=N_("Stop the local PostgreSQL."))
def stop() -> None:
    try:
        stack.dev_cluster().stop()
    except pgcluster.ClusterError as exc:
        raise fail(exc, EXIT_REFUSED) from exc
    err.print(_("PostgreSQL stopped"))


@app.command("reset", help=N_("Drop the local database and rebuild it from migrations and seed."))
def reset(yes: bool = YES_OPTION) -> None:
    if not yes:
        confirm(_("Drop the local database and rebuild it?"))
    try:
        stack.reset()
    except pgcluster.ClusterError as exc:
        raise fail(exc, EXIT_REFUSED) from exc
    err.print(_("local database rebuilt from migrations and seed"))


@app.command("status", help=N_("Whether the local PostgreSQL exists and runs."))
def status(as_json: bool = JSON_OPTION) -> None:
    cluster = stack.dev_cluster()
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
