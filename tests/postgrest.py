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


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


def _param(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) else value


def _where(
    relation: sql.Composable, filters: dict[str, Any] | None
) -> tuple[sql.Composable, list[Any]]:
    """Equality filters (PostgREST's eq.), and `is null` for None."""
    if not filters:
        return sql.SQL(""), []
    clauses, params = [], []
    for column, value in filters.items():
        target = sql.SQL("{}.{}").format(relation, sql.Identifier(column))
        if value is None:
            clauses.append(sql.SQL("{} is null").format(target))
        else:
            clauses.append(sql.SQL("{} = %s").format(target))
            params.append(_param(value))
    return sql.SQL(" where ") + sql.SQL(" and ").join(clauses), params


class PostgrestClient:
    """Requests as one JWT bearer: the anon key, the service_role key or a user's token."""

    def __init__(
        self, authenticator_url: str, jwt_secret: str, token: str, *, rollback: bool = False
    ):
        # rollback: every request ends in ROLLBACK, as with PostgREST's `Prefer: tx=rollback`
        self.rollback = rollback
        self.rowcount = -1
        self._url = authenticator_url
        self._secret = jwt_secret
        self.token = token
        self._conn: psycopg.Connection | None = None
        self._rpc_shapes: dict[str, dict[str, Any]] = {}

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
            self.rowcount = cur.rowcount
            conn.execute("rollback" if self.rollback else "commit")
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
        relation = self._relation(table)
        where, params = _where(relation, filters)
        cols = (
            sql.SQL("*")
            if columns == "*"
            else sql.SQL(", ").join(sql.Identifier(c.strip()) for c in columns.split(","))
        )
        stmt = sql.SQL("select {} from {}{}").format(cols, relation, where)
        if order:
            stmt += sql.SQL(" order by {}").format(sql.Identifier(order))
        return self.request("GET", f"/{table}", stmt, params)

    def insert(
        self, table: str, values: dict[str, Any] | list[dict[str, Any]], *, returning: bool = True
    ) -> list[dict[str, Any]]:
        """POST /<table>: the JSON body becomes rows through json_populate_recordset."""
        rows = values if isinstance(values, list) else [values]
        relation = self._relation(table)
        columns = sql.SQL(", ").join(map(sql.Identifier, rows[0]))
        stmt = sql.SQL(
            "insert into {rel} ({cols}) select {cols} from json_populate_recordset(null::{rel}, %s)"
        ).format(rel=relation, cols=columns)
        if returning:
            stmt += sql.SQL(" returning *")
        return self.request("POST", f"/{table}", stmt, [_json(rows)])

    def update(
        self, table: str, values: dict[str, Any], filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """PATCH /<table>?<filters>: the JSON body through json_populate_record."""
        relation = self._relation(table)
        where, where_params = _where(relation, filters)
        assignments = sql.SQL(", ").join(
            sql.SQL("{col} = pgrst_body.{col}").format(col=sql.Identifier(c)) for c in values
        )
        stmt = sql.SQL(
            "update {rel} set {set} from json_populate_record(null::{rel}, %s) as pgrst_body"
            "{where} returning {rel}.*"
        ).format(rel=relation, set=assignments, where=where)
        return self.request("PATCH", f"/{table}", stmt, [_json(values), *where_params])

    def delete(self, table: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
        relation = self._relation(table)
        where, params = _where(relation, filters)
        stmt = sql.SQL("delete from {}{} returning *").format(relation, where)
        return self.request("DELETE", f"/{table}", stmt, params)

    # RPC ----------------------------------------------------------------------------------

    def _rpc_shape(self, schema: str, name: str) -> dict[str, Any]:
        """Return shape and IN arguments from the catalog, like PostgREST's schema cache."""
        key = f"{schema}.{name}"
        if key not in self._rpc_shapes:
            row = (
                self._connection()
                .execute(
                    """
                select p.proretset as returns_set, t.typtype as kind,
                    coalesce((
                        select jsonb_object_agg(a.name, format_type(a.type, null))
                        from unnest(
                            coalesce(p.proallargtypes, p.proargtypes::oid[]),
                            p.proargnames,
                            coalesce(p.proargmodes, array_fill('i'::"char", array[p.pronargs]))
                        ) as a (type, name, mode)
                        where a.mode in ('i', 'b', 'v')
                    ), '{}') as args
                from pg_catalog.pg_proc p
                join pg_catalog.pg_type t on t.oid = p.prorettype
                join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                where n.nspname = %s and p.proname = %s
                limit 1
                """,
                    [schema, name],
                )
                .fetchone()
            )
            if row is None:
                raise ApiError(404, "PGRST202", f"Could not find the function {key}")
            self._rpc_shapes[key] = row
        return self._rpc_shapes[key]

    def rpc(self, function: str, args: dict[str, Any] | None = None, *, get: bool = False) -> Any:
        """POST /rpc/<function> (GET with get=True: read-only). Scalars come back bare.

        As PostgREST does, the JSON arguments are typed by the function's own
        parameter types (json_to_record) and passed by name.
        """
        schema, _, name = function.rpartition(".")
        schema = schema or "public"
        if schema not in EXPOSED_SCHEMAS:
            raise ApiError(
                406, "PGRST106", f"The schema must be one of: {', '.join(EXPOSED_SCHEMAS)}"
            )
        shape = self._rpc_shape(schema, name)
        args = args or {}
        unknown = set(args) - set(shape["args"])
        if unknown:
            raise ApiError(
                404, "PGRST202", f"Could not find the function {schema}.{name} with {sorted(args)}"
            )
        fn = sql.Identifier(schema, name)
        call = sql.SQL("{}({})").format(
            fn,
            sql.SQL(", ").join(
                sql.SQL("{k} => pgrst_args.{k}").format(k=sql.Identifier(k)) for k in args
            ),
        )
        record = sql.SQL("json_to_record(%s) as pgrst_args({})").format(
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(k), sql.SQL(shape["args"][k])) for k in args
            )
        )
        scalar = not shape["returns_set"] and shape["kind"] != "c"
        if scalar:
            stmt = sql.SQL("select {} as result from {}").format(call, record)
        else:
            stmt = sql.SQL("select pgrst_call.* from {}, lateral {} as pgrst_call").format(
                record, call
            )
        params = [_json(args)]
        if not args:
            stmt = (
                sql.SQL("select {}() as result").format(fn)
                if scalar
                else sql.SQL("select * from {}()").format(fn)
            )
            params = []
        rows = self.request("GET" if get else "POST", f"/rpc/{name}", stmt, params)
        if scalar:
            return rows[0]["result"]
        if not shape["returns_set"]:
            return rows[0] if rows and any(v is not None for v in rows[0].values()) else None
        return rows
