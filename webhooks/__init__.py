"""AfriCagnotte webhooks service: only what needs a secret (Stripe, Cloudinary).

It verifies, translates and calls SQL; every business rule lives in Postgres.
"""

from __future__ import annotations

import logging

from flask import Flask

from webhooks.config import Settings, load_settings
from webhooks.db import init_pool
from webhooks.errors import register_error_handlers


def create_app(settings: Settings | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SETTINGS"] = settings or load_settings()
    app.json.ensure_ascii = False  # French text stays readable
    logging.basicConfig(level=logging.INFO)

    register_error_handlers(app)
    init_pool(app)

    from webhooks import health

    app.register_blueprint(health.bp)
    return app
