"""Operators act as their own admin account: the same RPCs, grants, RLS and
rules as the admin would meet through the API, plus an audit record.

The operator is named by --operator or CAGNOTTE_OPERATOR (their account's
email). Each action runs in one transaction: as role `authenticated` with the
operator's JWT claims (what PostgREST does), then the audit row, so that an
action without its audit record cannot happen.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import typer
from psycopg import sql
from psycopg.types.json import Jsonb

from admin_scripts import db
from admin_scripts.console import error

# Exit codes shared by the operators' commands.
EXIT_REFUSED = 1  # a business rule said no (409, 422…)
EXIT_USAGE = 2  # configuration or arguments
EXIT_NOT_FOUND = 3
EXIT_FORBIDDEN = 4  # not an admin, or the rule is for someone else

OPERATOR_OPTION = typer.Option(
    None,
    "--operator",
    envvar="CAGNOTTE_OPERATOR",
    help="Your admin account's email (or CAGNOTTE_OPERATOR).",
)


class OperatorError(RuntimeError):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def refusal(exc: psycopg.Error) -> OperatorError:
    """A database refusal as the operator reads it, with its exit code."""
    diag = exc.diag
    state = diag.sqlstate or ""
    code = {"PT404": EXIT_NOT_FOUND, "PT403": EXIT_FORBIDDEN, "PT401": EXIT_FORBIDDEN}.get(
        state, EXIT_FORBIDDEN if state == "42501" else EXIT_REFUSED
    )
    detail = f" ({diag.message_detail})" if diag.message_detail else ""
    return OperatorError(f"{diag.message_primary}{detail}", code)


def resolve(conn: psycopg.Connection, email: str | None) -> dict[str, Any]:
    """The operator's account; it must be an admin."""
    if not email:
        raise OperatorError(
            "who is acting? pass --operator EMAIL or set CAGNOTTE_OPERATOR", EXIT_USAGE
        )
    row = conn.execute(
        "select id, email, raw_app_meta_data, raw_user_meta_data, private.is_admin(id) as admin"
        " from auth.users where lower(email) = lower(%s)",
        [email],
    ).fetchone()
    if row is None:
        raise OperatorError(f"no account with the email {email}", EXIT_FORBIDDEN)
    if not row["admin"]:
        raise OperatorError(f"{email} is not an admin (or is banned)", EXIT_FORBIDDEN)
    return row


@contextmanager
def acting_as(
    conn: psycopg.Connection, email: str | None, action: str | None = None, **details: Any
) -> Iterator[psycopg.Connection]:
    """One transaction as the operator; with ``action``, audited on success."""
    operator = resolve(conn, email)
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
        if exc.diag.sqlstate is None:
            raise
        raise refusal(exc) from exc


def act(email: str | None, action: str, sql: Any, params: list, target: str) -> Any:
    """Runs one audited action (``sql`` returns a column ``result``); a refusal
    becomes the command's exit."""
    try:
        with db.connect() as conn, acting_as(conn, email, action, target=target, args=params):
            row = conn.execute(sql, params).fetchone()
            if row is None:
                raise OperatorError(f"{target}: not found", EXIT_NOT_FOUND)
            return row["result"]
    except (OperatorError, db.NoDatabase) as exc:
        raise fail(exc) from exc


def call(email: str | None, action: str, function: str, *args: Any, target: str) -> Any:
    """``public.<function>(*args)`` as the operator, audited; its row as a dict."""
    query = sql.SQL("select to_jsonb({}({})) as result").format(
        sql.Identifier("public", function), sql.SQL(", ").join(sql.Placeholder() * len(args))
    )
    return act(email, action, query, list(args), target)


def record(email: str | None, action: str, **details: Any) -> None:
    """An audit record alone, for actions done outside the database (backups…)."""
    with db.connect() as conn, acting_as(conn, email, action, **details):
        pass


def fail(exc: Exception, code: int = EXIT_USAGE) -> typer.Exit:
    error(exc)
    return typer.Exit(code=getattr(exc, "code", code))
