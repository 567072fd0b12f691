"""Operators act as their own admin account: the same RPCs, grants, RLS and
rules as the admin would meet through the API, plus an audit record.

The operator is named by the root option --operator or CAGNOTTE_OPERATOR (their
account's email: ``current()``). Each action runs in one transaction: as role
`authenticated` with the operator's JWT claims (what PostgREST does), then the audit row, so that an
action without its audit record cannot happen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from admin_scripts import db, errors, i18n

# Exit codes and the one error path: admin_scripts.errors (re-exported here).
from admin_scripts.errors import (
    EXIT_FORBIDDEN,
    EXIT_NO_DATABASE,
    EXIT_NOT_FOUND,
    EXIT_PROVIDER,
    EXIT_REFUSED,
    EXIT_USAGE,
    OperatorError,
    fail,
    refusal,
)
from admin_scripts.i18n import N_, _

__all__ = [
    "EXIT_FORBIDDEN",
    "EXIT_NOT_FOUND",
    "EXIT_NO_DATABASE",
    "EXIT_PROVIDER",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "OperatorError",
    "fail",
    "refusal",
]  # fmt: skip


# The root option --operator of the run (cli.root sets it; ConsoleGroup.main
# forgets it when the run ends). Typer 0.29 runs its own Click: click's current
# context is never Typer's, so the option is kept here.
_acting: ContextVar[str | None] = ContextVar("acting", default=None)


def choose(email: str | None) -> None:
    """The acting operator of this run (the root option --operator)."""
    _acting.set(email)


def current() -> str | None:
    """The acting operator's email: the root option --operator (or
    CAGNOTTE_OPERATOR, cli.root), else the settings (outside a command)."""
    if acting := _acting.get():
        return acting
    from admin_scripts.settings import settings

    return settings().cagnotte_operator


def resolve(conn: psycopg.Connection, email: str | None = None) -> dict[str, Any]:
    """The operator's account (the acting one unless ``email``); it must be an admin."""
    email = email or current()
    if not email:
        raise OperatorError(
            _("who is acting? pass --operator EMAIL or set CAGNOTTE_OPERATOR"), EXIT_USAGE
        )
    row = conn.execute(
        "select id, email, raw_app_meta_data, raw_user_meta_data, private.is_admin(id) as admin"
        " from auth.users where lower(email) = lower(%s)",
        [email],
    ).fetchone()
    if row is None:
        raise OperatorError(
            _("no account has the email {email}: check --operator (or CAGNOTTE_OPERATOR)").format(
                email=email
            ),
            EXIT_FORBIDDEN,
        )
    if not row["admin"]:
        raise OperatorError(
            _("{email} is not an admin (or is banned): act with an admin's account").format(
                email=email
            ),
            EXIT_FORBIDDEN,
        )
    return row


@contextmanager
def acting_as(
    conn: psycopg.Connection, action: str | None = None, **details: Any
) -> Iterator[psycopg.Connection]:
    """One transaction as the acting operator; with ``action``, audited on success."""
    operator = resolve(conn)
    i18n.read_currencies(conn)  # the amounts' digits, on this connection (once per run)
    claims = {
        "sub": str(operator["id"]),
        "role": "authenticated",
        "email": operator["email"],
        "app_metadata": operator["raw_app_meta_data"] or {},
        "user_metadata": operator["raw_user_meta_data"] or {},
    }
    try:
        with conn.transaction():
            conn.execute(
                "select set_config('request.jwt.claims', %s, true),"
                " set_config('africagnotte.operator', %s, true)",
                [json.dumps(claims), operator["email"]],
            )
            conn.execute("set local role authenticated")
            yield conn
            conn.execute("set local role none")
            if action:
                conn.execute(
                    "select private.audit(%s, 'cli', %s, %s)",
                    [action, details.get("target"), Jsonb(details)],
                )
    except psycopg.Error as exc:
        if exc.diag.sqlstate is None or errors.unreachable(exc):
            raise
        raise refusal(exc, check_rule(conn, exc)) from exc


def check_rule(conn: psycopg.Connection, exc: psycopg.Error) -> str | None:
    """The violated check constraint's rule, as the database states it (the one
    home of ranges such as the platform fee's): ``CHECK (... between 0 and 2000)``."""
    diag = exc.diag
    if diag.sqlstate != "23514" or not diag.constraint_name or not diag.table_name:
        return None
    row = conn.execute(
        "select pg_get_constraintdef(c.oid) as rule from pg_catalog.pg_constraint as c"
        " where c.conname = %s and c.conrelid = to_regclass(format('%%I.%%I', %s::text, %s::text))",
        [diag.constraint_name, diag.schema_name or "public", diag.table_name],
    ).fetchone()
    return f"{row['rule']} ({diag.table_name})" if row else None


def act(action: str, sql: Any, params: list, target: str) -> Any:
    """Runs one audited action (``sql`` returns a column ``result``); a refusal
    becomes the command's exit."""
    try:
        with db.connect() as conn, acting_as(conn, action, target=target, args=params):
            row = conn.execute(sql, params).fetchone()
            if row is None:
                raise OperatorError(_("{target}: not found").format(target=target), EXIT_NOT_FOUND)
            return row["result"]
    except (OperatorError, db.NoDatabase) as exc:
        raise fail(exc) from exc


def call(action: str, function: str, *args: Any, target: str) -> Any:
    """``public.<function>(*args)`` as the operator, audited; its row as a dict."""
    query = sql.SQL("select to_jsonb({}({})) as result").format(
        sql.Identifier("public", function), sql.SQL(", ").join(sql.Placeholder() * len(args))
    )
    return act(action, query, list(args), target)


# A uuid or its first characters (hex digits and dashes).
ID_PREFIX = re.compile(r"[0-9a-f][0-9a-f-]{0,35}")
SHOWN_MATCHES = 5


def full_id(table: str, text: str, *, slug: bool = False) -> str:
    """The id of the one ``public.<table>`` row whose uuid is ``text`` or starts
    with it (or, with ``slug``, whose slug is ``text``): the one way every
    command reads an id. Unknown: exit 3; ambiguous or not an id: exit 2."""
    with db.connect() as conn:
        return find_id(conn, table, text, slug=slug)


# What a table's row is to an operator (messages name it, never the table).
ROW_NAMES = {
    "campaigns": N_("campaign"),
    "justification_lines": N_("justification line"),
    "campaign_documents": N_("proof document"),
    "comments": N_("comment"),
    "reports": N_("report"),
    "payout_requests": N_("payout"),
    "institutions": N_("institution"),
    "refund_orders": N_("refund order"),
    "offline_gifts": N_("offline gift"),
    "receipts": N_("receipt"),
    "organisations": N_("organisation"),
    "donations": N_("donation"),
    "auth.users": N_("account"),
}


def row_name(table: str) -> str:
    return _(ROW_NAMES[table]) if table in ROW_NAMES else table


def find_id(conn: psycopg.Connection, table: str, text: str, *, slug: bool = False) -> str:
    """full_id on an open connection; ``table`` may be qualified (``auth.users``)."""
    name = sql.Identifier(*(table.split(".") if "." in table else ("public", table)))
    wanted = text.strip().lower()
    if slug and (found := _by_slug(conn, name, text.strip())):
        return found
    if not ID_PREFIX.fullmatch(wanted) and slug:
        raise OperatorError(
            _("{thing}: no slug nor id is {text!r}").format(thing=row_name(table), text=text),
            EXIT_NOT_FOUND,
        )
    if not ID_PREFIX.fullmatch(wanted):
        raise OperatorError(
            _("{text!r} is not an id: give the uuid or its first characters").format(text=text),
            EXIT_USAGE,
        )
    ids = [r["id"] for r in conn.execute(
        sql.SQL("select id::text as id from {} where id::text like %s order by id limit %s")
        .format(name), [wanted + "%", SHOWN_MATCHES + 1],
    )]  # fmt: skip
    if not ids:
        raise OperatorError(
            _("{thing}: no id starts with {prefix}").format(thing=row_name(table), prefix=wanted),
            EXIT_NOT_FOUND,
        )
    if len(ids) > 1:
        more = ", …" if len(ids) > SHOWN_MATCHES else ""
        raise OperatorError(
            _("{prefix} is ambiguous: it starts the ids {ids}; give more characters").format(
                prefix=wanted, ids=", ".join(ids[:SHOWN_MATCHES]) + more
            ),
            EXIT_USAGE,
        )
    return ids[0]


def _by_slug(conn: psycopg.Connection, table: sql.Identifier, slug: str) -> str | None:
    query = sql.SQL("select id::text as id from {} where slug = %s")
    row = conn.execute(query.format(table), [slug]).fetchone()
    return row["id"] if row else None


def record(action: str, **details: Any) -> None:
    """An audit record alone, for actions done outside the database (backups…)."""
    with db.connect() as conn, acting_as(conn, action, **details):
        pass
