"""`cagnotte-admin jobs …`: the scheduled jobs, for databases without pg_cron."""

from __future__ import annotations

import time

import psycopg
import typer

from admin_scripts import db
from admin_scripts.console import JSON_OPTION, out, print_json
from admin_scripts.errors import fail
from admin_scripts.i18n import N_

app = typer.Typer(
    help=N_("Scheduled jobs (pg_cron runs them on hosted Supabase)."), no_args_is_help=True
)


def run_all(conn: psycopg.Connection) -> dict[str, int]:
    """Each job of the database's registry (private.scheduled_jobs), as pg_cron would
    run it; a job's command answers the number of rows it affected."""
    jobs = conn.execute("select job_name, command from private.scheduled_jobs order by job_name")
    return {
        job["job_name"]: next(iter(conn.execute(job["command"]).fetchone().values()))
        for job in jobs.fetchall()
    }


@app.command("run", help=N_("Run every scheduled job once (or every --watch seconds)."))
def run(
    watch: float = typer.Option(0, "--watch", min=0, help=N_("Repeat every N seconds (0: once).")),
    as_json: bool = JSON_OPTION,
) -> None:
    try:
        while True:
            with db.connect() as conn:
                results = run_all(conn)
            if as_json:
                print_json(results)
            else:
                for name, affected in results.items():
                    out.print(f"{name:20} {affected}")
            if not watch:
                return
            time.sleep(watch)
    except db.NoDatabase as exc:
        raise fail(exc) from exc
