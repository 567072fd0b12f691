"""The service's PostgreSQL connection pool, and database errors as HTTP errors.

On hosted Supabase the service reaches the database through Supavisor in
transaction mode (port 6543): a server connection serves one transaction, then
another client's. Nothing may outlive a transaction, so the service's role is set
per transaction (``set local role``) and psycopg prepares no statement on the
server (``prepare_threshold=None``, as Supabase's "Disabling prepared statements"
guide says for psycopg).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import psycopg
from flask import Flask, current_app
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from webhooks.errors import ApiError, ServiceUnavailable

# What a connection needs to work through a transaction-mode pooler (the console's too).
POOLER_SAFE: dict[str, Any] = {"prepare_threshold": None}

# The payment code run outside the Flask app (the operators' console): its one
# connection and the statement that begins a transaction as the service's role.
_bound: ContextVar[tuple[psycopg.Connection, sql.Composable] | None] = ContextVar(
    "africagnotte_bound_connection", default=None
)


def begin_as(role: str) -> sql.Composable:
    """BEGIN and the role the transaction acts as, in one simple query."""
    return sql.SQL("begin; set local role {}").format(sql.Identifier(role))


def init_pool(app: Flask) -> ConnectionPool:
    settings = app.config["SETTINGS"]
    # Least privilege: the service's SQL functions are granted to this role.
    app.extensions["db_begin"] = begin_as(settings.db_role)
    pool = ConnectionPool(
        conninfo=str(settings.database_url),
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        timeout=settings.db_pool_timeout,
        kwargs={
            "connect_timeout": max(1, int(settings.db_pool_timeout)),
            "row_factory": dict_row,
            # transactions are begun by connection(), with the role
            "autocommit": True,
            **POOLER_SAFE,
        },
        # No check on checkout (a round trip per request): a connection broken by
        # a database restart fails its request with 503, and the pool drops it.
        open=False,
        name="africagnotte",
    )
    # Do not wait: the service starts even while the database is down, and
    # answers 503 until it is back.
    pool.open(wait=False)
    app.extensions["db_pool"] = pool
    return pool


def as_api_error(exc: psycopg.Error) -> ApiError:
    """A database refusal as the HTTP error PostgREST would answer.

    Business errors carry SQLSTATE PTxxx (HTTP xxx) and a stable token as message.
    """
    sqlstate = exc.sqlstate or ""
    diag = exc.diag
    if sqlstate.startswith("PT") and sqlstate[2:].isdigit():
        return ApiError(
            diag.message_primary or "refused",
            diag.message_detail,
            status=int(sqlstate[2:]),
            hint=diag.message_hint,
        )
    if sqlstate.startswith(("22", "23")):
        return ApiError("invalid_input", diag.message_primary or "invalid input")
    if isinstance(exc, psycopg.DataError) and not sqlstate:
        # refused by psycopg before sending: a value no PostgreSQL type holds (a NUL in text)
        return ApiError("invalid_input", str(exc))
    if isinstance(exc, psycopg.OperationalError) or sqlstate.startswith(("08", "57P")):
        return ServiceUnavailable("database unavailable")
    raise exc


@contextmanager
def bound(conn: psycopg.Connection, role: str) -> Iterator[psycopg.Connection]:
    """Runs the payment code (webhooks.payments, the gateways) outside the Flask
    app: inside this block, each ``connection()`` is a transaction on ``conn``
    (autocommit, dict rows, as the console opens it) as ``role``."""
    token = _bound.set((conn, begin_as(role)))
    try:
        yield conn
    finally:
        _bound.reset(token)


@contextmanager
def _checked_out() -> Iterator[tuple[psycopg.Connection, sql.Composable]]:
    """A connection and its BEGIN: the bound one (``bound``), else the app's pool's."""
    if (found := _bound.get()) is not None:
        yield found
        return
    pool: ConnectionPool = current_app.extensions["db_pool"]
    with pool.connection() as conn:
        yield conn, current_app.extensions["db_begin"]


@contextmanager
def connection() -> Iterator[psycopg.Connection]:
    """One transaction on a pooled connection (or the bound one: ``bound``), as the
    service's role: committed when the block ends, rolled back if it raises
    (``conn.transaction()`` inside it makes a savepoint).

    A database that cannot be reached becomes ServiceUnavailable (503), so that
    senders such as Stripe retry; a refusal becomes its ApiError.
    """
    with _as_api_errors(), _checked_out() as (conn, begin):
        # one round trip: BEGIN and the role, as a simple query
        conn.execute(begin)
        try:
            yield conn
        except BaseException:
            _end(conn, "rollback")
            raise
        _end(conn, "commit")


def transactions(*queries: tuple[str, Sequence[Any]]) -> dict[str, Any] | None:
    """Each query (with its ``%s`` parameters) in its own transaction as the service's
    role, one after the other, all sent in one round trip: one simple query of BEGIN,
    the role, the query and COMMIT for each, the parameters bound client-side (as
    literals: nothing is prepared, as through a transaction-mode pooler). A query runs
    only once those before it have committed; a refusal stops the rest, rolls back its
    own transaction and raises as ``connection()`` does. The first query's first row
    (the others' are not read).

    What ``with connection()`` blocks in a row would do in three round trips each
    (BEGIN, the query, COMMIT): a webhook's record then acknowledge
    (payments.record_event) is one round trip instead of six."""
    with _as_api_errors(), _checked_out() as (conn, begin):
        opening = begin.as_string(conn)
        script = "; ".join(f"{opening.replace('%', '%%')}; {query}; commit" for query, _ in queries)
        cur = psycopg.ClientCursor(conn)
        try:
            cur.execute(script, [arg for _, args in queries for arg in args])
        except BaseException:
            _end(conn, "rollback")
            raise
        for _ in range(opening.count(";") + 1):  # past BEGIN and the role's results
            cur.nextset()
        return cur.fetchone()


@contextmanager
def _as_api_errors() -> Iterator[None]:
    """The database's errors as the service answers them (connection(), transactions())."""
    try:
        yield
    except PoolTimeout as exc:
        raise ServiceUnavailable("database unavailable") from exc
    except psycopg.Error as exc:
        raise as_api_error(exc) from exc
    except UnicodeEncodeError:
        # psycopg encodes text as UTF-8 before sending: a lone surrogate (JSON's
        # "\ud800", which json.loads keeps) is text no PostgreSQL column holds.
        raise ApiError("invalid_input", "a text holds a lone surrogate (\\ud800…)") from None


def _end(conn: psycopg.Connection, command: str) -> None:
    """End connection()'s transaction (a broken connection has none left to end)."""
    if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        conn.execute(command)
