"""The console's one settings object: the environment, else ``.env.local`` (the
local stack's), validated at start like the service's.

It is the service's settings (``webhooks.config.Settings``: the same names, the
same checks, so that the console runs the payment code as the service does)
plus what only the console reads: the Auth admin API's key, the mail sender,
the acting operator, the language and the time zone. The database is optional
here (``doctor`` names it when missing; the commands that need it say so).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import SettingsConfigDict

from admin_scripts import i18n
from admin_scripts.errors import invalid_configuration
from admin_scripts.i18n import _
from webhooks.config import Settings

# The local stack's settings file (`make run` writes it: localdev.stack).
ENV_LOCAL = Path(
    os.environ.get("AFRICAGNOTTE_ENV_FILE", Path(__file__).resolve().parent.parent / ".env.local")
)


class ConsoleSettings(Settings):
    # Environment variables win over .env.local; an empty variable counts as unset.
    model_config = SettingsConfigDict(
        extra="ignore", frozen=True, env_file=ENV_LOCAL, env_ignore_empty=True
    )

    database_url: str | None = None  # type: ignore[assignment]  (optional for the console)
    # Supabase Auth's admin API (bans, deletions): the project's URL and service key.
    supabase_service_role_key: str | None = None
    # The outbox's sender (notifications send).
    smtp_url: str | None = None
    mail_from: str | None = None
    cloudinary_api_base: str | None = None  # Cloudinary's API elsewhere (tests)
    # The acting operator (--operator), the language (--lang), the time zone.
    cagnotte_operator: str | None = None
    cagnotte_lang: str | None = None
    cagnotte_timezone: str | None = Field(default=None, min_length=1)

    @field_validator("cagnotte_lang")
    @classmethod
    def _a_language(cls, value: str | None) -> str | None:
        if value is not None and value not in i18n.LANGUAGES:
            raise ValueError(
                _("{name!r} is not one of the console's languages: {languages}").format(
                    name=value, languages=", ".join(i18n.LANGUAGES)
                )
            )
        return value

    @field_validator("cagnotte_timezone")
    @classmethod
    def _a_time_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    _("{name!r} is not a time zone (e.g. Africa/Abidjan)").format(name=value)
                ) from None
        return value


@cache
def settings() -> ConsoleSettings:
    """The settings, read once per run (the root group reads them before a
    command runs); a bad value is a usage error naming it, in the console's
    language (pydantic's words: i18n.TYPER_TEXTS)."""
    try:
        return ConsoleSettings(_env_file=ENV_LOCAL)  # read now: tests move it
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {i18n.typer_text(e['msg'])}"
            for e in exc.errors()
        )
        raise invalid_configuration(problems) from None


def raw(name: str) -> str | None:
    """One setting as written (the environment, else .env.local), before the
    settings are checked: the language, chosen before anything else runs."""
    from dotenv import dotenv_values

    value = os.environ.get(name) or (
        dotenv_values(ENV_LOCAL).get(name) if ENV_LOCAL.exists() else None
    )
    return value or None


def site_url() -> str | None:
    """SITE_URL when it is set (environment or .env.local), else None: its default
    is the service's, not the deployment's truth."""
    read = settings()
    return str(read.site_url).rstrip("/") if "site_url" in read.model_fields_set else None


def reload() -> ConsoleSettings:
    """Forgets the settings read (tests change the environment between runs)."""
    settings.cache_clear()
    return settings()
