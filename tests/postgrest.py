"""A PostgREST-faithful client for tests.

Each request does what PostgREST does: on a connection made as
``authenticator``, one transaction (read-only for GET) that sets the role from
the JWT's ``role`` claim, ``request.jwt.claims`` (the verified JWT claims, as
JSON), ``request.method``, ``request.path`` and ``request.headers``, then runs
the statement. Errors come back as PostgREST would answer them: an HTTP status
and the body ``{code, message, details, hint}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import jwt
import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from admin_scripts import keys

EXPOSED_SCHEMAS = ("public", "graphql_public")


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    details: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def http_status(sqlstate: str, role: str) -> int:
    """PostgREST's mapping of SQLSTATE to HTTP status."""
    if sqlstate.startswith("PT") and sqlstate[2:].isdigit():
        return int(sqlstate[2:])
    exact = {
        "23503": 409,
        "23505": 409,
        "25006": 405,
        "42883": 404,
        "42P01": 404,
        "42P17": 500,
        "P0001": 400,
        "53400": 500,
    }
    if sqlstate in exact:
        return exact[sqlstate]
    if sqlstate == "42501":
        return 401 if role == "anon" else 403
    prefix = {
        "08": 503,
        "09": 500,
        "0L": 403,
        "0P": 403,
        "25": 500,
        "28": 403,
        "2D": 500,
        "38": 500,
        "39": 500,
        "3B": 500,
        "40": 500,
        "53": 503,
        "54": 500,
        "55": 500,
        "57": 500,
        "58": 500,
        "F0": 500,
        "HV": 500,
        "P0": 500,
        "XX": 500,
    }
    return prefix.get(sqlstate[:2], 400)


def _param(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) else value


def _where(filters: dict[str, Any] | None) -> tuple[sql.Composable, list[Any]]:
    """Equality filters (PostgREST's eq.), and `is null` for None."""
    if not filters:
        return sql.SQL(""), []
    clauses, params = [], []
    for column, value in filters.items():
        if value is None:
            clauses.append(sql.SQL("{} is null").format(sql.Identifier(column)))
        else:
            clauses.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
            params.append(_param(value))
    return sql.SQL(" where ") + sql.SQL(" and ").join(clauses), params


class PostgrestClient:
    """Requests as one JWT bearer: the anon key, the service_role key or a user's token."""

    def __init__(self, authenticator_url: str, jwt_secret: str, token: str):
        self._url = authenticator_url
        self._secret = jwt_secret
        self.token = token
        self._conn: psycopg.Connection | None = None
        self._rpc_shapes: dict[str, tuple[bool, str]] = {}

    # Connection and request -------------------------------------------------------

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._url, autocommit=True, row_factory=dict_row)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def claims(self) -> dict[str, Any]:
        try:
            return keys.decode(self._secret, self.token)
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "PGRST303", "JWT expired") from None
        except jwt.InvalidTokenError as exc:
            raise ApiError(401, "PGRST301", f"JWT invalid: {exc}") from None

    @property
    def role(self) -> str:
        return self.claims()["role"]

    def request(
        self,
        method: str,
        path: str,
        statement: sql.Composable | str,
        params: list[Any] | None = None,
    ) -> list[dict[str, Any]]:
        claims = self.claims()
        role = claims.get("role", "anon")
        read_only = method in ("GET", "HEAD")
        conn = self._connection()
        conn.execute(
            "begin isolation level read committed read only"
            if read_only
            else "begin isolation level read committed read write"
        )
        try:
            conn.execute(
                "select set_config('role', %s, true),"
                " set_config('request.jwt.claims', %s, true),"
                " set_config('request.method', %s, true),"
                " set_config('request.path', %s, true),"
                " set_config('request.headers', %s, true)",
                [
                    role,
                    json.dumps(claims),
                    method,
                    path,
                    json.dumps({"authorization": f"Bearer {self.token}"}),
                ],
            )
            cur = conn.execute(statement, params or [])
            rows = cur.fetchall() if cur.description else []
            conn.execute("commit")
            return rows
        except psycopg.Error as exc:
            conn.execute("rollback")
            diag = exc.diag
            sqlstate = diag.sqlstate or "XX000"
            raise ApiError(
                http_status(sqlstate, role),
                sqlstate,
                diag.message_primary or str(exc),
                diag.message_detail,
                diag.message_hint,
            ) from None

    # Tables and views ---------------------------------------------------------------

    @staticmethod
    def _relation(name: str) -> sql.Composable:
        schema, _, table = name.rpartition(".")
        schema = schema or "public"
        if schema not in EXPOSED_SCHEMAS:
            raise ApiError(
                406, "PGRST106", f"The schema must be one of: {', '.join(EXPOSED_SCHEMAS)}"
            )
        return sql.Identifier(schema, table)

    def get(
        self,
        table: str,
        filters: dict[str, Any] | None = None,
        *,
        columns: str = "*",
        order: str | None = None,
    ) -> list[dict[str, Any]]:
        where, params = _where(filters)
        cols = (
            sql.SQL("*")
            if columns == "*"
            else sql.SQL(", ").join(sql.Identifier(c.strip()) for c in columns.split(","))
        )
        stmt = sql.SQL("select {} from {}{}").format(cols, self._relation(table), where)
        if order:
            stmt += sql.SQL(" order by {}").format(sql.Identifier(order))
        return self.request("GET", f"/{table}", stmt, params)

    def insert(
        self, table: str, values: dict[str, Any] | list[dict[str, Any]], *, returning: bool = True
    ) -> list[dict[str, Any]]:
        rows = values if isinstance(values, list) else [values]
        columns = list(rows[0])
        stmt = sql.SQL("insert into {} ({}) values {}").format(
            self._relation(table),
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(", ").join(
                sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(columns)))
                for _ in rows
            ),
        )
        if returning:
            stmt += sql.SQL(" returning *")
        params = [_param(row[c]) for row in rows for c in columns]
        return self.request("POST", f"/{table}", stmt, params)

    def update(
        self, table: str, values: dict[str, Any], filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        where, where_params = _where(filters)
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = %s").format(sql.Identifier(c)) for c in values
        )
        stmt = sql.SQL("update {} set {}{} returning *").format(
            self._relation(table), assignments, where
        )
        params = [_param(v) for v in values.values()] + where_params
        return self.request("PATCH", f"/{table}", stmt, params)

    def delete(self, table: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
        where, params = _where(filters)
        stmt = sql.SQL("delete from {}{} returning *").format(self._relation(table), where)
        return self.request("DELETE", f"/{table}", stmt, params)

    # RPC ----------------------------------------------------------------------------------

    def _rpc_shape(self, qualified: str) -> tuple[bool, str]:
        """(returns a set, type kind) from the catalog, like PostgREST's schema cache."""
        if qualified not in self._rpc_shapes:
            conn = self._connection()
            row = conn.execute(
                "select p.proretset, t.typtype from pg_catalog.pg_proc p"
                " join pg_catalog.pg_type t on t.oid = p.prorettype"
                " join pg_catalog.pg_namespace n on n.oid = p.pronamespace"
                " where n.nspname = %s and p.proname = %s limit 1",
                qualified.split(".", 1),
            ).fetchone()
            if row is None:
                raise ApiError(404, "PGRST202", f"Could not find the function {qualified}")
            self._rpc_shapes[qualified] = (row["proretset"], row["typtype"])
        return self._rpc_shapes[qualified]

    def rpc(self, function: str, args: dict[str, Any] | None = None, *, get: bool = False) -> Any:
        """POST /rpc/<function> (GET with get=True: read-only). Scalars come back bare."""
        schema, _, name = function.rpartition(".")
        schema = schema or "public"
        if schema not in EXPOSED_SCHEMAS:
            raise ApiError(
                406, "PGRST106", f"The schema must be one of: {', '.join(EXPOSED_SCHEMAS)}"
            )
        returns_set, kind = self._rpc_shape(f"{schema}.{name}")
        args = args or {}
        call = sql.SQL("{}({})").format(
            sql.Identifier(schema, name),
            sql.SQL(", ").join(sql.SQL("{} => %s").format(sql.Identifier(k)) for k in args),
        )
        scalar = not returns_set and kind != "c"
        stmt = (
            sql.SQL("select {} as result").format(call)
            if scalar
            else sql.SQL("select * from {}").format(call)
        )
        rows = self.request(
            "GET" if get else "POST", f"/rpc/{name}", stmt, [_param(v) for v in args.values()]
        )
        if scalar:
            return rows[0]["result"]
        if not returns_set:
            return rows[0] if rows else None
        return rows
