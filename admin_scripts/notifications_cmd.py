"""`cagnotte-admin notifications …`: the email outbox and its sender."""

from __future__ import annotations

import time

import psycopg
import typer
from rich.text import Text

from admin_scripts import db, mailer
from admin_scripts.console import JSON_OPTION, err, error, literal, out, print_json, warning

app = typer.Typer(help="Email notifications: send the outbox, inspect it.", no_args_is_help=True)


def _fail(exc: Exception, code: int = 2) -> typer.Exit:
    error(exc)
    return typer.Exit(code=code)


@app.command("send")
def send(
    watch: float = typer.Option(
        0, "--watch", help="Keep sending, looking for due messages every N seconds (0: once)."
    ),
    batch: int = typer.Option(20, "--batch", min=1, max=500, help="Messages claimed at a time."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Deliver the due messages over SMTP (SMTP_URL), once or with --watch.

    Several senders may run at once: each message goes to one of them.
    """
    try:
        smtp, mail_from = mailer.settings_from_env()
        while True:
            try:
                _send_rounds(smtp, mail_from, batch=batch, watch=watch, as_json=as_json)
                return
            except psycopg.Error as exc:
                if not watch:
                    raise _fail(exc, code=1) from exc
                # --watch outlives the database going away: a new connection later
                warning(f"sending failed, will retry: {exc}")
                time.sleep(watch)
    except (mailer.MailerConfigError, db.NoDatabase) as exc:
        raise _fail(exc) from exc
    except KeyboardInterrupt:
        err.print("sender stopped")


def _send_rounds(
    smtp: mailer.SmtpSettings, mail_from: str, *, batch: int, watch: float, as_json: bool
) -> None:
    """Sends what is due, once or every `watch` seconds, on one connection.
    A message that cannot be built or sent fails alone (mailer.Sender)."""
    with db.connect() as conn:
        sender = mailer.Sender(conn, smtp, mail_from, batch=batch)
        while True:
            counts = dict(sender.send_all_due())
            if as_json:
                print_json(counts)
            elif counts["claimed"] or not watch:
                out.print(
                    f"sent {counts['sent']}, to retry {counts['retried']},"
                    f" failed {counts['failed']}"
                )
            if not watch:
                return
            time.sleep(watch)


@app.command("outbox")
def outbox(
    status: str = typer.Option(
        None, "--status", help="pending, sending, sent or failed (default: all)."
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the newest outbox messages, with their delivery state."""
    if status not in (None, "pending", "sending", "sent", "failed"):
        raise _fail(ValueError(f"unknown status {status!r}"))
    try:
        with db.connect() as conn:
            rows = conn.execute(
                """
                select id, status::text, attempts, to_address, template, subject,
                    created_at, next_attempt_at, sent_at, last_error
                from private.email_outbox
                where %(status)s::text is null or status::text = %(status)s
                order by id desc
                limit %(limit)s
                """,
                {"status": status, "limit": limit},
            ).fetchall()
    except db.NoDatabase as exc:
        raise _fail(exc) from exc
    if as_json:
        print_json(rows)
        return
    for r in rows:  # addresses, subjects and errors carry user text: printed literally
        line = f"{r['id']:>6} {r['status']:8} {r['attempts']} {r['to_address']:32} {r['subject']}"
        text = literal(line)
        if r["last_error"]:
            text.append_text(Text("  ").append_text(literal(r["last_error"])).stylize("dim"))
        out.print(text)
