"""The service's PostgreSQL connection pool, and database errors as HTTP errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from flask import Flask, current_app
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from webhooks.errors import ApiError, ServiceUnavailable


def init_pool(app: Flask) -> ConnectionPool:
    settings = app.config["SETTINGS"]

    def configure(conn: psycopg.Connection) -> None:
        # Least privilege: the service's SQL functions are granted to this role.
        if settings.db_role:
            conn.execute(sql.SQL("set role {}").format(sql.Identifier(settings.db_role)))

    pool = ConnectionPool(
        conninfo=str(settings.database_url),
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        timeout=settings.db_pool_timeout,
        kwargs={
            "connect_timeout": max(1, int(settings.db_pool_timeout)),
            "row_factory": dict_row,
            "autocommit": True,  # one statement, one transaction; transaction() for more
        },
        configure=configure,
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
            diag.message_detail or diag.message_primary or "refused",
            status=int(sqlstate[2:]),
            code=diag.message_primary or "refused",
        )
    if sqlstate.startswith(("22", "23")):
        return ApiError(diag.message_primary or "invalid input", status=422, code="invalid_input")
    if isinstance(exc, psycopg.DataError) and not sqlstate:
        # refused by psycopg before sending: a value no PostgreSQL type holds (a NUL in text)
        return ApiError(str(exc), status=422, code="invalid_input")
    if isinstance(exc, psycopg.OperationalError) or sqlstate.startswith(("08", "57P")):
        return ServiceUnavailable("database unavailable")
    raise exc


@contextmanager
def connection() -> Iterator[psycopg.Connection]:
    """A pooled connection in autocommit mode: each statement is its own transaction.

    A database that cannot be reached becomes ServiceUnavailable (503), so that
    senders such as Stripe retry; a refusal becomes its ApiError.
    """
    pool: ConnectionPool = current_app.extensions["db_pool"]
    try:
        with pool.connection() as conn:
            yield conn
    except PoolTimeout as exc:
        raise ServiceUnavailable("database unavailable") from exc
    except psycopg.Error as exc:
        raise as_api_error(exc) from exc
