"""Supabase Auth's admin endpoints the console uses (bans and deletions), behind
one interface with two implementations:

- ``SupabaseAuthAdmin``: the real API through supabase-py (SUPABASE_URL and
  SUPABASE_SERVICE_ROLE_KEY). GoTrue refuses the user's sign-ins; its ban is
  also written in the console's transaction (auth.users.banned_until, as GoTrue
  writes it), so that RLS refuses the user's writes at once.
- ``LocalAuthAdmin``: the local stack has no Auth admin API; this stand-in
  writes in the console's transaction what GoTrue writes (supabase/auth,
  internal/api/admin.go: adminUserUpdate's ``ban_duration`` through
  models.User.Ban; adminUserDelete's hard delete, or SoftDeleteUser and
  SoftDeleteUserIdentities). The project's triggers on auth.users then do what
  they do on hosted (a ban freezes the user's campaigns, a deletion erases them).

``for_console()`` picks one from the settings: SUPABASE_URL set, the API (its
key needed); no SUPABASE_URL and a database on this machine that no GoTrue
serves (no auth.schema_migrations: a hosted database reached through a tunnel
has one), the stand-in; otherwise a usage error naming what to set.

The API's change is GoTrue's own transaction: when it is made but the
console's transaction then fails, ``told_if_half_done`` says so (what Auth did,
what to do), rather than an error that reads as if nothing happened.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Protocol

import psycopg
from psycopg.types.json import Jsonb

from admin_scripts.errors import (
    EXIT_PROVIDER,
    EXIT_REFUSED,
    EXIT_USAGE,
    OperatorError,
    explain,
)
from admin_scripts.i18n import _

LIFT = "none"  # GoTrue's ban_duration that lifts a ban
FOREVER = timedelta(hours=876_000)  # "for good": a hundred years, as Supabase's dashboard does

# A Go duration (time.ParseDuration), as GoTrue reads ban_duration: "168h", "2h45m", "90s".
GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
GO_DURATION = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)")


def ban_duration(duration: timedelta | None) -> str:
    """GoTrue's ``ban_duration`` for a ban lasting ``duration`` (whole hours
    when it is, else whole seconds, rounded up); None lifts the ban."""
    if duration is None:
        return LIFT
    seconds = math.ceil(duration.total_seconds())
    if seconds <= 0:
        raise ValueError("a ban lasts a positive duration")
    return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds}s"


def parse_ban_duration(text: str) -> timedelta:
    """``ban_duration`` read as GoTrue reads it: "none" (0: lifted) or a Go duration."""
    if text == LIFT:
        return timedelta(0)
    if not text or GO_DURATION.sub("", text) != "":
        raise ValueError(f"invalid format for ban duration: {text!r}")
    return timedelta(
        seconds=sum(float(n) * GO_UNITS[unit] for n, unit in GO_DURATION.findall(text))
    )


class AuthAdmin(Protocol):
    """What the console asks of Supabase Auth, in the console's transaction ``conn``."""

    name: str
    applied: int  # changes Auth made outside the console's transaction

    def ban(self, conn: psycopg.Connection, user_id: str, duration: str) -> None:
        """``duration``: GoTrue's ban_duration (``ban_duration()``)."""

    def delete_user(self, conn: psycopg.Connection, user_id: str, *, soft: bool) -> None: ...


# GoTrue's writes ------------------------------------------------------------------------------


def write_ban(conn: psycopg.Connection, user_id: str, duration: str) -> None:
    """models.User.Ban: banned_until = now + duration, or null for none (0)."""
    length = parse_ban_duration(duration)
    conn.execute(
        "update auth.users set banned_until = case when %(d)s > interval '0' then now() + %(d)s"
        " end, updated_at = now() where id = %(id)s",
        {"d": length, "id": user_id},
    )


def obfuscated(user_id: str, value: str) -> str:
    """SoftDeleteUser's replacement for an email or phone: base64url(sha256(id + value))."""
    digest = hashlib.sha256((str(user_id) + (value or "")).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def soft_delete(conn: psycopg.Connection, user_id: str) -> None:
    """SoftDeleteUser and SoftDeleteUserIdentities (once: deleted_at set)."""
    row = conn.execute(
        "select email, phone, email_change, phone_change from auth.users"
        " where id = %s and deleted_at is null",
        [user_id],
    ).fetchone()
    if row is None:
        return
    conn.execute(
        "update auth.users set email = %s, phone = %s, email_change = %s, phone_change = %s,"
        " encrypted_password = null, confirmation_token = '', recovery_token = '',"
        " email_change_token_current = '', email_change_token_new = '', phone_change_token = '',"
        " deleted_at = now(), updated_at = now() where id = %s",
        [
            obfuscated(user_id, row["email"]),
            obfuscated(user_id, row["phone"])[:15],
            obfuscated(user_id, row["email_change"]),
            obfuscated(user_id, row["phone_change"])[:15],
            user_id,
        ],
    )
    conn.execute(  # UpdateUserMetaData, UpdateAppMetaData: every key removed
        "update auth.users set raw_user_meta_data = %s, raw_app_meta_data = %s,"
        " updated_at = now() where id = %s",
        [Jsonb({}), Jsonb({}), user_id],
    )
    conn.execute(
        "update auth.identities set identity_data = '{}', provider_id = %s where user_id = %s",
        [obfuscated(user_id, str(user_id)), user_id],
    )


class LocalAuthAdmin:
    """The local stack's stand-in: GoTrue's writes, in the console's transaction."""

    name = "local"
    applied = 0  # every write is in the console's transaction

    def ban(self, conn: psycopg.Connection, user_id: str, duration: str) -> None:
        refuse_gotrue(conn)
        write_ban(conn, user_id, duration)

    def delete_user(self, conn: psycopg.Connection, user_id: str, *, soft: bool) -> None:
        refuse_gotrue(conn)
        if soft:
            soft_delete(conn, user_id)
        else:
            conn.execute("delete from auth.users where id = %s", [user_id])


class SupabaseAuthAdmin:
    """The Auth admin API (supabase-py); its failures as the console's errors."""

    name = "api"

    def __init__(self, url: str, key: str) -> None:
        from supabase import SupabaseException, create_client

        self.applied = 0
        try:
            self.api = create_client(url, key).auth.admin
        except SupabaseException as exc:
            raise OperatorError(
                _("SUPABASE_URL or SUPABASE_SERVICE_ROLE_KEY is not valid: {reason}").format(
                    reason=exc
                ),
                EXIT_USAGE,
            ) from None

    def ban(self, conn: psycopg.Connection, user_id: str, duration: str) -> None:
        with api_errors():
            self.api.update_user_by_id(user_id, {"ban_duration": duration})
        self.applied += 1
        write_ban(conn, user_id, duration)  # as GoTrue wrote it: RLS refuses at once

    def delete_user(self, conn: psycopg.Connection, user_id: str, *, soft: bool) -> None:
        with api_errors():
            self.api.delete_user(user_id, should_soft_delete=soft)
        self.applied += 1


@contextmanager
def told_if_half_done(auth: AuthAdmin, done: str, then: str) -> Iterator[None]:
    """A failure after Auth made its change (``done``, in GoTrue's own
    transaction) said as such: what Auth did, why the rest failed, ``then``
    what to do; the failure's exit code kept."""
    before = auth.applied
    try:
        yield
    except Exception as exc:
        if auth.applied == before:
            raise
        failure = explain(exc)
        raise OperatorError(
            _("{done}, but the database's part failed ({reason}): {then}").format(
                done=done, reason=failure, then=then
            ),
            failure.code,
        ) from exc


@contextmanager
def api_errors() -> Iterator[None]:
    """The Auth API's errors as the console's: out of reach (exit 6), refused (exit 1)."""
    from supabase_auth.errors import AuthError, AuthRetryableError

    try:
        yield
    except AuthRetryableError as exc:
        raise OperatorError(
            _(
                "the Auth admin API cannot be reached or did not answer ({reason}): check"
                " SUPABASE_URL; after a timeout the change may be made: see `users show`"
            ).format(reason=exc),
            EXIT_PROVIDER,
        ) from exc
    except AuthError as exc:
        raise OperatorError(
            _("the Auth admin API refused: {reason}").format(reason=exc), EXIT_REFUSED
        ) from exc


GOTRUE_SERVES = "select to_regclass('auth.schema_migrations') is not null as served"


def gotrue_serves(conn: psycopg.Connection) -> bool:
    """A real GoTrue serves this database (its migrations table is there)."""
    return conn.execute(GOTRUE_SERVES).fetchone()["served"]


def refuse_gotrue(conn: psycopg.Connection) -> None:
    """The stand-in never writes a database a real GoTrue serves (hosted)."""
    if gotrue_serves(conn):
        raise OperatorError(
            _(
                "Supabase Auth serves this database (auth.schema_migrations): bans and deletions"
                " go through its admin API: set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY"
                " (the project's URL and service key)"
            ),
            EXIT_USAGE,
        )


def for_console() -> AuthAdmin:
    """The Auth admin the settings call for (see the module's docstring)."""
    from admin_scripts.doctor_cmd import DoctorError, is_hosted
    from admin_scripts.settings import settings

    found = settings()
    if found.supabase_url:
        if not found.supabase_service_role_key:
            raise OperatorError(
                _(
                    "SUPABASE_URL is set but not SUPABASE_SERVICE_ROLE_KEY: the Auth admin API"
                    " needs the project's service key (environment or .env.local)"
                ),
                EXIT_USAGE,
            )
        return SupabaseAuthAdmin(str(found.supabase_url), found.supabase_service_role_key)
    try:  # no DATABASE_URL: connecting says so
        local = not found.database_url or not is_hosted(found.database_url)
    except DoctorError:
        local = False
    if not local:
        raise OperatorError(
            _(
                "bans and deletions go through Supabase Auth's admin API: set SUPABASE_URL and"
                " SUPABASE_SERVICE_ROLE_KEY (the project's URL and service key)"
            ),
            EXIT_USAGE,
        )
    from admin_scripts import db

    with db.connect() as conn:  # a tunnel to a hosted database is on this machine too
        refuse_gotrue(conn)
    return LocalAuthAdmin()
