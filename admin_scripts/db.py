"""The operators' database connection: DATABASE_URL (environment, else .env.local)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from flask import Flask
from psycopg.rows import dict_row

from admin_scripts.errors import EXIT_NO_DATABASE, EXIT_USAGE, OperatorError, connection_failed
from admin_scripts.settings import settings


class NoDatabase(OperatorError):
    def __init__(self, message: object, code: int = EXIT_USAGE):  # no DATABASE_URL: usage
        super().__init__(str(message), code)


class DatabaseUnreachable(NoDatabase):
    """A connection that failed, with its message and exit code (a refused login
    is a usage error, a server out of reach EXIT_NO_DATABASE: errors.connection_failed)."""

    def __init__(self, failure: OperatorError):
        super().__init__(str(failure), getattr(failure, "code", EXIT_NO_DATABASE))


def database_url() -> str:
    url = settings().database_url
    if not url:
        raise NoDatabase("DATABASE_URL is not set (nor in .env.local): where is the database?")
    return url


def connect() -> psycopg.Connection:
    """Autocommit; roles and claims are set per transaction (operator.acting_as), so
    that the console works through a transaction-mode pooler as the service does."""
    from webhooks.db import POOLER_SAFE

    url = database_url()
    try:
        return psycopg.connect(url, row_factory=dict_row, autocommit=True, **POOLER_SAFE)
    except psycopg.OperationalError as exc:
        raise DatabaseUnreachable(connection_failed(exc)) from exc


def service_settings() -> dict[str, str]:
    """The service's settings as the console reads its own: the environment,
    else .env.local (so `stripe reconcile` finds the local stack's Stripe key).
    One typed settings object for the whole console is issue #18 item 4."""
    from webhooks.config import Settings

    read = settings()
    found = {name: getattr(read, name) for name in Settings.model_fields}
    given = {k: v for k, v in found.items() if k in read.model_fields_set and v is not None}
    return {**given, "database_url": database_url()}


@contextmanager
def webhooks_service() -> Iterator[Flask]:
    """The webhooks service (its gateways, settings from the environment as for
    the service) on this database, for commands that do what its endpoints do."""
    from webhooks import create_app
    from webhooks.config import load_settings

    service = create_app(load_settings(**service_settings()))
    try:
        with service.app_context():
            yield service
    finally:
        service.extensions["db_pool"].close()
