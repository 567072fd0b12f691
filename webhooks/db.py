"""The service's PostgreSQL connection pool."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from flask import Flask, current_app
from psycopg_pool import ConnectionPool, PoolTimeout

from webhooks.errors import ServiceUnavailable


def init_pool(app: Flask) -> ConnectionPool:
    settings = app.config["SETTINGS"]
    pool = ConnectionPool(
        conninfo=str(settings.database_url),
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        timeout=settings.db_pool_timeout,
        kwargs={"connect_timeout": max(1, int(settings.db_pool_timeout))},
        open=False,
        name="africagnotte",
    )
    # Do not wait: the service starts even while the database is down, and
    # answers 503 until it is back.
    pool.open(wait=False)
    app.extensions["db_pool"] = pool
    return pool


@contextmanager
def transaction() -> Iterator[psycopg.Connection]:
    """One connection, one transaction: committed when the block ends without error.

    A database that cannot be reached becomes ServiceUnavailable (503), so that
    senders such as Stripe retry.
    """
    pool: ConnectionPool = current_app.extensions["db_pool"]
    try:
        with pool.connection() as conn, conn.transaction():
            yield conn
    except (PoolTimeout, psycopg.OperationalError) as exc:
        raise ServiceUnavailable("database unavailable") from exc
