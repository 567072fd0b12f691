"""The operators' database connection (DATABASE_URL), and the service's payment
code run on it: settings from ``admin_scripts.settings`` (the environment, else
.env.local), no Flask app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg
from psycopg.rows import dict_row

from admin_scripts.errors import (
    EXIT_NO_DATABASE,
    EXIT_PROVIDER,
    EXIT_USAGE,
    OperatorError,
    connection_failed,
)
from admin_scripts.i18n import _
from admin_scripts.settings import settings

if TYPE_CHECKING:
    from webhooks.cinetpay_gateway import CinetPayGateway
    from webhooks.paystack_gateway import PaystackGateway
    from webhooks.stripe_gateway import StripeGateway

# The providers as operators read their names.
PROVIDER_NAMES = {"stripe": "Stripe", "cinetpay": "CinetPay", "paystack": "Paystack"}


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
        raise NoDatabase(
            _("DATABASE_URL is not set (in the environment or .env.local): where is the database?")
        )
    return str(url)


def connect() -> psycopg.Connection:
    """Autocommit; roles and claims are set per transaction (operator.acting_as), so
    that the console works through a transaction-mode pooler as the service does."""
    from webhooks.db import POOLER_SAFE

    url = database_url()
    try:
        return psycopg.connect(url, row_factory=dict_row, autocommit=True, **POOLER_SAFE)
    except psycopg.OperationalError as exc:
        raise DatabaseUnreachable(connection_failed(exc)) from exc


# The payment code ------------------------------------------------------------------------------


def require_provider(provider: str) -> None:
    """A provider the console may call: its settings are all there (exit 6
    naming the missing ones otherwise)."""
    missing = settings().missing_settings(provider)
    if missing:
        raise OperatorError(
            _(
                "{provider} is not configured: set {names} (in the environment or .env.local),"
                " then run the command again"
            ).format(provider=PROVIDER_NAMES[provider], names=", ".join(missing)),
            EXIT_PROVIDER,
        )


def stripe_gateway() -> StripeGateway:
    """The service's Stripe gateway, built from the console's settings."""
    from webhooks.stripe_gateway import StripeGateway

    require_provider("stripe")
    return StripeGateway(settings())


def cinetpay_gateway() -> CinetPayGateway:
    """The service's CinetPay gateway, built from the console's settings."""
    from webhooks.cinetpay_gateway import CinetPayGateway

    require_provider("cinetpay")
    return CinetPayGateway(settings())


def paystack_gateway() -> PaystackGateway:
    """The service's Paystack gateway, built from the console's settings."""
    from webhooks.paystack_gateway import PaystackGateway

    require_provider("paystack")
    return PaystackGateway(settings())


@contextmanager
def payment_code(conn: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """Inside this block the service's payment code (webhooks.payments, the
    gateways' record and expire) writes through ``conn``, each call one
    transaction as the service's role (DB_ROLE), as the service does on its pool."""
    from webhooks import db as service_db

    with service_db.bound(conn, settings().db_role):
        yield conn
