"""`cagnotte-admin local …`: the embedded development stack behind `make run`."""

from __future__ import annotations

import os
import sys

import typer

from admin_scripts import localstack
from admin_scripts.console import err, out, print_json

app = typer.Typer(help="The embedded local stack (development only).", no_args_is_help=True)

SERVICE_BIND = f"127.0.0.1:{localstack.SERVICE_PORT}"


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}")
    return typer.Exit(code=1)


@app.command("up")
def up() -> None:
    """Create (first time) and start the local database, apply new migrations."""
    try:
        cluster, is_new = localstack.up()
    except localstack.StackError as exc:
        raise _fail(exc) from exc
    err.print("new database, seeded" if is_new else "database kept, migrations up to date")
    out.print(cluster.url())


@app.command("run")
def run() -> None:
    """`make run`: the local database, then the webhooks service in the foreground."""
    try:
        cluster, is_new = localstack.up()
    except localstack.StackError as exc:
        raise _fail(exc) from exc
    env = localstack.read_env(localstack.ENV_LOCAL)
    state = "new database, seeded" if is_new else "data kept, migrations up to date"
    err.print(f"[green]AfriCagnotte local stack[/green] ({state})")
    out.print(f"Database URL        {cluster.url()}")
    out.print(f"JWT secret          {env['SUPABASE_JWT_SECRET']}")
    out.print(f"anon key            {env['SUPABASE_ANON_KEY']}")
    out.print(f"service_role key    {env['SUPABASE_SERVICE_ROLE_KEY']}")
    out.print(f"Webhooks service    http://{SERVICE_BIND}")
    out.print(f"  GET  http://{SERVICE_BIND}/healthz")
    out.print(f"  POST http://{SERVICE_BIND}/donations/checkout")
    out.print(f"  POST http://{SERVICE_BIND}/webhooks/stripe")
    out.print("Ctrl-C stops the service; `make stop` stops PostgreSQL.", style="dim")
    sys.stdout.flush()
    child_env = {**env, **os.environ}
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        SERVICE_BIND,
        "--workers",
        "2",
        "--access-logfile",
        "-",
        "webhooks:create_app()",
    ]
    os.execve(sys.executable, argv, child_env)  # noqa: S606 - gunicorn replaces us


@app.command("stop")
def stop() -> None:
    """Stop the local PostgreSQL."""
    try:
        localstack.dev_cluster().stop()
    except localstack.StackError as exc:
        raise _fail(exc) from exc
    err.print("PostgreSQL stopped")


@app.command("reset")
def reset(yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation.")) -> None:
    """Drop the local database and rebuild it from migrations and seed."""
    if not yes:
        typer.confirm("Drop the local database and rebuild it?", abort=True)
    try:
        localstack.reset()
    except localstack.StackError as exc:
        raise _fail(exc) from exc
    err.print("local database rebuilt from migrations and seed")


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
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
