"""What GoTrue (Supabase Auth) does to the database, for tests.

GoTrue connects as ``supabase_auth_admin`` (the owner of auth.users) and so does
this emulation; a project's triggers on auth.users therefore run as that role, as
they do on hosted. Behaviours follow supabase/auth:

* sign-up (internal/api/signup.go, signupNewUser and createNewIdentity;
  internal/models/user.go, identity.go): in one transaction, INSERT the user, UPDATE
  its role, INSERT its email identity, UPDATE raw_user_meta_data to the identity's
  data, UPDATE raw_app_meta_data's providers, and when confirmed (autoconfirm)
  UPDATE email_confirmed_at, then raw_user_meta_data's email_verified;
* sign-in mints an HS256 access token whose claims went through the custom access
  token hook registered in config.toml, called as GoTrue calls it
  (internal/hooks/hookspgfunc: ``set local statement_timeout``, then
  ``select "schema"."function"($1)``);
* the admin API's ban sets banned_until; DELETE /admin/users/<id>
  (internal/api/admin.go, adminUserDelete; one transaction) deletes the row, or
  with should_soft_delete (models/user.go, SoftDeleteUser) replaces email and
  phone by a hash, clears the password, tokens and metadata, and sets deleted_at
  (once: an already soft-deleted user is left as it is). The project's triggers
  on auth.users erase the person's data in that transaction.

Not covered: passwords (no bcrypt check), sessions and refresh tokens, one-time
tokens, MFA, SSO, the audit log, rate limits and emails.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

import pgcluster
from admin_scripts import project
from localdev import tokens

INSTANCE_ID = uuid.UUID(int=0)
HOOK_TIMEOUT_MS = 2000  # GoTrue's default for Postgres hooks


def obfuscated(user_id: uuid.UUID, value: str) -> str:
    """SoftDeleteUser's replacement for an email or phone: base64url(sha256(id + value))."""
    digest = hashlib.sha256((str(user_id) + value).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def auth_admin_connection(cluster: pgcluster.Cluster, database: str) -> psycopg.Connection:
    """A connection as GoTrue makes it: supabase_auth_admin (autocommit, dict rows)."""
    return psycopg.connect(
        cluster.url(database, user="supabase_auth_admin"), autocommit=True, row_factory=dict_row
    )


@dataclass
class User:
    id: uuid.UUID
    email: str
    row: dict[str, Any]
    claims: dict[str, Any] = field(default_factory=dict)
    token: str | None = None


class GoTrue:
    def __init__(self, conn: psycopg.Connection, jwt_secret: str):
        """``conn``: logged in as supabase_auth_admin, autocommit, dict rows."""
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
        """An email sign-up, in GoTrue's steps (and a session if confirmed)."""
        email = (email or f"user-{uuid.uuid4().hex[:12]}@example.test").lower()
        data = user_metadata or {}
        user_id = uuid.uuid4()
        with self._conn.transaction():
            self._insert_user(user_id, email, phone, data)
            self._update(user_id, "role", "authenticated")
            identity = {
                **data,
                "sub": str(user_id),
                "email": email,
                "email_verified": False,
                "phone_verified": False,
            }
            self._insert_identity(user_id, identity)
            self._update(user_id, "raw_user_meta_data", Jsonb(identity))
            self._update(
                user_id, "raw_app_meta_data", Jsonb({"provider": "email", "providers": ["email"]})
            )
            if confirmed:
                self._confirm(user_id, identity)
        row = self._row(user_id)
        user = User(id=user_id, email=email, row=row)
        if confirmed:
            self.sign_in(user)
        return user

    def _insert_user(
        self, user_id: uuid.UUID, email: str, phone: str | None, data: dict[str, Any]
    ) -> None:
        self._conn.execute(
            """
            insert into auth.users (
                instance_id, id, aud, role, email, encrypted_password, phone,
                raw_app_meta_data, raw_user_meta_data, is_sso_user, is_anonymous,
                confirmation_token, recovery_token, email_change_token_new, email_change,
                created_at, updated_at
            ) values (
                %s, %s, 'authenticated', '', %s, %s, %s, '{}', %s, false, false,
                '', '', '', '', now(), now()
            )
            """,
            [INSTANCE_ID, user_id, email, "$2a$10$" + "x" * 53, phone, Jsonb(data)],
        )

    def _insert_identity(self, user_id: uuid.UUID, identity: dict[str, Any]) -> None:
        self._conn.execute(
            "insert into auth.identities (provider_id, user_id, identity_data, provider,"
            " last_sign_in_at, created_at, updated_at)"
            " values (%s, %s, %s, 'email', now(), now(), now())",
            [str(user_id), user_id, Jsonb(identity)],
        )

    def _update(self, user_id: uuid.UUID, column: str, value: Any) -> None:
        self._conn.execute(
            sql.SQL("update auth.users set {} = %s, updated_at = now() where id = %s").format(
                sql.Identifier(column)
            ),
            [value, user_id],
        )

    def _confirm(self, user_id: uuid.UUID, identity: dict[str, Any]) -> None:
        self._conn.execute(
            "update auth.users set confirmation_token = '', email_confirmed_at = now(),"
            " updated_at = now() where id = %s",
            [user_id],
        )
        self._update(user_id, "raw_user_meta_data", Jsonb({**identity, "email_verified": True}))

    def _row(self, user_id: uuid.UUID) -> dict[str, Any]:
        return self._conn.execute("select * from auth.users where id = %s", [user_id]).fetchone()

    def sign_in(self, user: User, *, expires_in: int = 3600) -> User:
        """Mint the access token GoTrue would, through the registered hook."""
        row = self._row(user.id)
        claims = tokens.access_token_claims(row, expires_in=expires_in)
        hook = project.access_token_hook()
        if hook is not None:
            with self._conn.transaction():
                self._conn.execute(f"set local statement_timeout to '{HOOK_TIMEOUT_MS}'")
                event = {
                    "user_id": str(user.id),
                    "claims": claims,
                    "authentication_method": "password",
                }
                claims = self._conn.execute(
                    sql.SQL("select {}(%s) as event").format(sql.Identifier(*hook)),
                    [Jsonb(event)],
                ).fetchone()["event"]["claims"]
        user.row = row
        user.claims = claims
        user.token = tokens.sign(self._secret, claims)
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
        self.delete_user(user.id)

    def soft_delete(self, user: User) -> None:
        """The admin API's soft delete (should_soft_delete): the row stays, obfuscated."""
        self.delete_user(user.id, soft=True)

    def delete_user(self, user_id: uuid.UUID, *, soft: bool = False) -> bool:
        """adminUserDelete (internal/api/admin.go), in one transaction: the hard
        delete destroys the row; the soft one (models/user.go SoftDeleteUser,
        SoftDeleteUserIdentities) obfuscates it and sets deleted_at, once. False
        when there is no such user (GoTrue answers 404)."""
        row = self._row(user_id)
        if row is None:
            return False
        with self._conn.transaction():
            if not soft:
                self._conn.execute("delete from auth.users where id = %s", [user_id])
            elif row["deleted_at"] is None:
                self._soft_delete(user_id, row)
        return True

    def _soft_delete(self, user_id: uuid.UUID, row: dict[str, Any]) -> None:
        self._conn.execute(
            "update auth.users set email = %s, phone = %s, email_change = %s,"
            " phone_change = %s, encrypted_password = null, confirmation_token = '',"
            " recovery_token = '', email_change_token_current = '',"
            " email_change_token_new = '', phone_change_token = '',"
            " deleted_at = now(), updated_at = now() where id = %s",
            [
                obfuscated(user_id, row["email"] or ""),
                obfuscated(user_id, row["phone"] or "")[:15],
                obfuscated(user_id, row["email_change"] or ""),
                obfuscated(user_id, row["phone_change"] or ""),
                user_id,
            ],
        )
        self._update(user_id, "raw_user_meta_data", Jsonb({}))
        self._update(user_id, "raw_app_meta_data", Jsonb({}))
        self._conn.execute(
            "update auth.identities set identity_data = '{}', provider_id = %s where user_id = %s",
            [obfuscated(user_id, str(user_id)), user_id],
        )
