"""The operators' database connection: DATABASE_URL (environment, else .env.local)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from flask import Flask
from psycopg.rows import dict_row

from admin_scripts import localstack


class NoDatabase(RuntimeError):
    pass


def database_url() -> str:
    url = localstack.setting("DATABASE_URL")
    if not url:
        raise NoDatabase("DATABASE_URL is not set (nor in .env.local): where is the database?")
    return url


def connect() -> psycopg.Connection:
    """Autocommit; roles and claims are set per transaction (operator.acting_as), so
    that the console works through a transaction-mode pooler as the service does."""
    from webhooks.db import POOLER_SAFE

    return psycopg.connect(database_url(), row_factory=dict_row, autocommit=True, **POOLER_SAFE)


@contextmanager
def webhooks_service() -> Iterator[Flask]:
    """The webhooks service (its gateways, settings from the environment as for
    the service) on this database, for commands that do what its endpoints do."""
    from webhooks import create_app
    from webhooks.config import load_settings

    service = create_app(load_settings(database_url=database_url()))
    try:
        with service.app_context():
            yield service
    finally:
        service.extensions["db_pool"].close()
