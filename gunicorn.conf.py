"""gunicorn's settings for the webhooks service (the Procfile's `web` process).

Everything comes from the environment a PaaS gives (Koyeb, Render, Fly, Heroku
alike), with defaults for a small instance (1 vCPU, 512 MB):

  PORT               the port the platform routes to (default 8000)
  WEB_CONCURRENCY    worker processes (default 2; the PaaS convention's name)
  GUNICORN_THREADS   threads per worker (default 4): requests mostly wait on
                     Stripe, CinetPay, Paystack or the database; keep DB_POOL_MAX_SIZE
                     (the service's pool per worker, default 10) >= this
  GUNICORN_TIMEOUT   seconds before a silent worker is restarted (default: twice
                     the slowest provider's API timeout, STRIPE_TIMEOUT,
                     CINETPAY_TIMEOUT or PAYSTACK_TIMEOUT as the service reads
                     them, plus 10 s)
  FORWARDED_ALLOW_IPS  the proxies whose X-Forwarded-* headers are trusted
                     (default *: on a PaaS only its router reaches the instance,
                     from addresses that change)

Reference: https://docs.gunicorn.org/en/stable/settings.html
"""

from __future__ import annotations

import os

from gunicorn import util

from webhooks.config import Settings
from webhooks.errors import wire_error


def _provider_timeout() -> float:
    """The slowest payment provider's API timeout, as webhooks/config.py reads it."""
    names = ("stripe_timeout", "cinetpay_timeout", "paystack_timeout")
    return max(
        float(os.environ.get(name.upper()) or Settings.model_fields[name].default) for name in names
    )


wsgi_app = "webhooks:create_app()"
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 2 * _provider_timeout() + 10)
graceful_timeout = timeout
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn 24+'s control socket lives in $HOME: one instance per container needs
# none, and several on a machine (tests) would share it.
control_socket_disable = True
# Load the app once in the master: a bad configuration stops the process at
# start (ConfigError) instead of workers failing to boot one after another.
preload_app = True


def when_ready(server) -> None:
    """The master's own connection pool (made while preloading) is closed before
    forking: connections and pool threads are never shared with workers."""
    server.app.wsgi().extensions["db_pool"].close()


def post_fork(server, worker) -> None:
    """Each worker opens its own pool."""
    from webhooks.db import init_pool

    init_pool(server.app.wsgi())


def _write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """A request gunicorn refuses before the app sees it (a broken request line,
    headers too large…) is answered in the service's one error shape, not with
    gunicorn's HTML page: gunicorn's workers call util.write_error for these
    (gunicorn/workers/base.py, Worker.handle_error), in the master's module,
    patched here before they fork."""
    util.write_nonblock(sock, wire_error(status_int, reason, mesg))


util.write_error = _write_error
