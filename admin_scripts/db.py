"""The operators' database connection: DATABASE_URL (environment, else .env.local)."""

from __future__ import annotations

import psycopg
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
    return psycopg.connect(database_url(), row_factory=dict_row, autocommit=True)
