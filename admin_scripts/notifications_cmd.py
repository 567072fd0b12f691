"""`cagnotte-admin notifications …`: the email outbox and its sender, and the
notification kinds (public.notification_kinds: each kind's payload, defined once
in SQL; `kinds --markdown` writes docs/notifications.md from it)."""

from __future__ import annotations

import secrets
import signal
import threading
from typing import Any

import psycopg
import typer
from psycopg.rows import dict_row
from rich.text import Text

import pgcluster
from admin_scripts import choices, db, mailer
from admin_scripts.choices import EmailStatus
from admin_scripts.console import JSON_OPTION, err, literal, out, print_json, warning
from admin_scripts.errors import EXIT_REFUSED, fail
from admin_scripts.i18n import N_, _

app = typer.Typer(
    help=N_("Email notifications: send the outbox, inspect it."), no_args_is_help=True
)


@app.command(
    "send",
    help=N_(
        "Deliver the due messages over SMTP (SMTP_URL), once or with --watch.\n\n"
        "Several senders may run at once: each message goes to one of them. With"
        " --watch (the Procfile's `worker`), SIGTERM stops it after the messages in hand."
    ),
)
def send(
    watch: float = typer.Option(
        0,
        "--watch",
        min=0,
        help=N_("Keep sending, looking for due messages every N seconds (0: once)."),
    ),
    batch: int = typer.Option(
        20, "--batch", min=1, max=500, help=N_("Messages claimed at a time.")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    stop = _stop_on_sigterm() if watch else threading.Event()
    try:
        smtp, mail_from = mailer.settings_from_env()
        while not stop.is_set():
            try:
                _send_rounds(smtp, mail_from, batch=batch, watch=watch, as_json=as_json, stop=stop)
                break
            except psycopg.Error as exc:
                if not watch:
                    raise fail(exc, EXIT_REFUSED) from exc
                # --watch outlives the database going away: a new connection later
                warning(_("sending failed, will retry: {reason}").format(reason=exc))
                _pause(stop, watch)
        if stop.is_set():
            err.print(_("sender stopped (SIGTERM)"))
    except (mailer.MailerConfigError, db.NoDatabase) as exc:
        raise fail(exc) from exc
    except KeyboardInterrupt:
        err.print(_("sender stopped"))


def _stop_on_sigterm() -> threading.Event:
    """Set on SIGTERM, which a PaaS sends to stop a process (SIGKILL follows after
    a grace period): a message is not left half sent, nor its report unwritten."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    return stop


def _pause(stop: threading.Event, seconds: float) -> bool:
    """Waits `seconds`, or less when stopped; whether to stop."""
    return stop.wait(seconds)


def _send_rounds(
    smtp: mailer.SmtpSettings,
    mail_from: str,
    *,
    batch: int,
    watch: float,
    as_json: bool,
    stop: threading.Event,
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
                    _("sent {sent}, to retry {retried}, failed {failed}").format(
                        sent=counts["sent"], retried=counts["retried"], failed=counts["failed"]
                    )
                )
            if not watch or _pause(stop, watch):
                return


@app.command("outbox", help=N_("List the newest outbox messages, with their delivery state."))
def outbox(
    status: EmailStatus = typer.Option(
        None, "--status", help=N_("Only this state (default: all).")
    ),
    limit: int = typer.Option(
        50, "--limit", min=1, max=10_000, help=N_("Messages shown, the newest first.")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    try:
        with db.connect() as conn:
            rows = conn.execute(
                """
                select id, status::text, attempts, to_address, template, subject,
                    created_at, next_attempt_at, sent_at,
                    coalesce(last_error, problem) as last_error
                from private.email_messages
                where %(status)s::text is null or status::text = %(status)s
                order by id desc
                limit %(limit)s
                """,
                {"status": choices.value(status), "limit": limit},
            ).fetchall()
    except db.NoDatabase as exc:
        raise fail(exc) from exc
    if as_json:
        print_json(rows)
        return
    for r in rows:  # addresses, subjects and errors carry user text: printed literally
        subject = r["subject"] or ""  # none: it cannot be sent (last_error says why)
        line = f"{r['id']:>6} {r['status']:8} {r['attempts']} {r['to_address']:32} {subject}"
        text = literal(line)
        if r["last_error"]:
            text.append_text(Text("  ").append_text(literal(r["last_error"])).stylize("dim"))
        out.print(text)


DOC_HEADER = """\
# Notification kinds

<!-- Generated from public.notification_kinds by `make notifications-doc`
     (cagnotte-admin notifications kinds --markdown): do not edit by hand. -->

Each row of `public.notifications` has a `kind` and a `payload` (jsonb) whose
fields depend on the kind. The definition of each kind lives once in the
database, in `public.notification_kinds` (readable by anyone through the API:
`GET /rest/v1/notification_kinds`), as a JSON Schema (`payload_schema`) that
every notification written is checked against. Every field is always present;
a field that may be empty says `null`. Amounts are integers in the currency's
minor units (XOF and XAF have none).
"""


def _type(definition: dict[str, Any]) -> str:
    types = definition.get("type")
    text = " or ".join(types) if isinstance(types, list) else str(types)
    if "format" in definition:
        text += f" ({definition['format']})"
    if "enum" in definition:
        text += ": " + ", ".join(f"`{v}`" for v in definition["enum"])
    return text


def _fields_table(properties: dict[str, Any], names: list[str]) -> str:
    rows = "".join(
        f"| `{n}` | {_type(properties[n])} | {properties[n].get('description', '')} |\n"
        for n in names
    )
    return "| field | type | meaning |\n| --- | --- | --- |\n" + rows


def kinds_markdown(kinds: list[dict[str, Any]]) -> str:
    """docs/notifications.md: the fields every kind carries, then each kind, who
    receives it, and its own fields."""
    properties = [row["payload_schema"]["properties"] for row in kinds]
    common = sorted(set.intersection(*(set(p) for p in properties))) if kinds else []
    parts = [DOC_HEADER, "\n## Fields of every kind\n\n"]
    if kinds:
        parts.append(_fields_table(properties[0], common))
    for row, props in zip(kinds, properties, strict=True):
        own = sorted(set(props) - set(common))
        parts.append(f"\n## `{row['kind']}`\n\n{row['description']}\n\n")
        parts.append(_fields_table(props, own) if own else "No other field.\n")
    return "".join(parts)


def notification_kinds(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """The kinds in the enum's order, with their payload's JSON Schema."""
    return conn.execute(
        "select k.kind::text as kind, k.description, k.payload_schema"
        " from public.notification_kinds as k order by k.kind"
    ).fetchall()


def fresh_notification_kinds() -> list[dict[str, Any]]:
    """The kinds as the migrations define them, from a throwaway database."""
    with pgcluster.scratch_cluster("africagnotte-kinds-") as cluster:
        pgcluster.build_database(cluster, secrets.token_hex(16), seed=False)
        with psycopg.connect(cluster.url(), row_factory=dict_row) as conn:
            return notification_kinds(conn)


@app.command(
    "kinds", help=N_("The notification kinds: who receives each, and its payload's fields.")
)
def kinds(
    markdown: bool = typer.Option(
        False, "--markdown", help=N_("Print docs/notifications.md (make notifications-doc).")
    ),
    fresh: bool = typer.Option(
        False, "--fresh", help=N_("Read them from a throwaway database built by the migrations.")
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    try:
        if fresh:
            rows = fresh_notification_kinds()
        else:
            with db.connect() as conn:
                rows = notification_kinds(conn)
    except (db.NoDatabase, pgcluster.ClusterError, psycopg.Error) as exc:
        raise fail(exc) from exc
    if markdown:
        print(kinds_markdown(rows), end="")
    elif as_json:
        print_json(rows)
    else:
        for row in rows:
            fields = ", ".join(row["payload_schema"]["properties"])
            out.print(literal(f"{row['kind']:24} {fields}"))
