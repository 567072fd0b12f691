"""What GoTrue (Supabase Auth) does to the database, for tests.

Sign-up inserts a row in auth.users; sign-in mints an HS256 access token whose
claims went through the custom access token hook registered in config.toml,
called as supabase_auth_admin; the admin API's ban sets banned_until.
"""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from admin_scripts import keys
from admin_scripts.localstack import SUPABASE_DIR


def access_token_hook() -> tuple[str, str] | None:
    """(schema, function) of the hook registered in supabase/config.toml, if enabled."""
    config = tomllib.loads((SUPABASE_DIR / "config.toml").read_text())
    hook = config.get("auth", {}).get("hook", {}).get("custom_access_token", {})
    if not hook.get("enabled"):
        return None
    # pg-functions://<database>/<schema>/<function>
    _, _, path = hook["uri"].partition("pg-functions://")
    _database, schema, function = path.split("/")
    return schema, function


@dataclass
class User:
    id: uuid.UUID
    email: str
    row: dict[str, Any]
    claims: dict[str, Any] = field(default_factory=dict)
    token: str | None = None


class GoTrue:
    def __init__(self, conn: psycopg.Connection, jwt_secret: str):
        """``conn``: a superuser connection in autocommit mode with dict rows."""
        self._conn = conn
        self._secret = jwt_secret

    def sign_up(
        self,
        email: str | None = None,
        *,
        user_metadata: dict[str, Any] | None = None,
        confirmed: bool = True,
        phone: str | None = None,
    ) -> User:
        """An email sign-up: the row GoTrue inserts (and a session if confirmed)."""
        email = (email or f"user-{uuid.uuid4().hex[:12]}@example.test").lower()
        row = self._conn.execute(
            """
            insert into auth.users (
                id, aud, role, email, phone, raw_app_meta_data, raw_user_meta_data,
                email_confirmed_at, is_anonymous, created_at, updated_at
            ) values (
                %s, 'authenticated', 'authenticated', %s, %s, %s, %s,
                case when %s then now() end, false, now(), now()
            )
            returning *
            """,
            [
                uuid.uuid4(),
                email,
                phone,
                Jsonb({"provider": "email", "providers": ["email"]}),
                Jsonb(user_metadata or {}),
                confirmed,
            ],
        ).fetchone()
        user = User(id=row["id"], email=email, row=row)
        if confirmed:
            self.sign_in(user)
        return user

    def sign_in(self, user: User, *, expires_in: int = 3600) -> User:
        """Mint the access token GoTrue would, through the registered hook."""
        conn = self._conn
        row = conn.execute("select * from auth.users where id = %s", [user.id]).fetchone()
        claims = keys.access_token_claims(row, expires_in=expires_in)
        hook = access_token_hook()
        if hook is not None:
            with conn.transaction():
                conn.execute("set local role supabase_auth_admin")
                event = {
                    "user_id": str(user.id),
                    "claims": claims,
                    "authentication_method": "password",
                }
                claims = conn.execute(
                    sql.SQL("select {}(%s) as event").format(sql.Identifier(*hook)),
                    [Jsonb(event)],
                ).fetchone()["event"]["claims"]
        user.row = row
        user.claims = claims
        user.token = keys.sign(self._secret, claims)
        return user

    def ban(self, user: User, duration: timedelta = timedelta(days=365)) -> None:
        """The admin API's ban_duration: banned_until = now + duration (0 lifts the ban)."""
        self._conn.execute(
            "update auth.users set banned_until = case when %s > interval '0' then now() + %s end,"
            " updated_at = now() where id = %s",
            [duration, duration, user.id],
        )

    def delete(self, user: User) -> None:
        """The admin API's hard delete."""
        self._conn.execute("delete from auth.users where id = %s", [user.id])
