"""A PostgREST-faithful client for tests.

Each request does what PostgREST (v12/v13) does, on a connection made as
``authenticator`` (which carries its own role settings: statement and lock
timeouts of 8 s on hosted):

* one transaction, READ ONLY for GET/HEAD and for POST to a STABLE or IMMUTABLE
  function (src/PostgREST/Plan.hs, ``txMode``), READ WRITE otherwise;
* one ``select set_config(…, true)`` (src/PostgREST/Query.hs, ``setPgLocals``):
  ``search_path`` (the request's schema, then ``[api] extra_search_path``), the
  impersonated role's own settings, such as anon's 3 s statement_timeout
  (src/PostgREST/Config/Database.hs, ``queryRoleSettings``: roles authenticator is
  a member of, settings a user may set, values lowercased), ``role`` from the JWT,
  ``request.jwt.claims``, ``request.method``, ``request.path``, ``request.headers``,
  ``request.cookies``;
* reads return at most ``[api] max_rows`` rows (``db-max-rows``; mutations'
  returned rows are not limited);
* an UPDATE or DELETE without a filter is refused as pg-safeupdate refuses it
  (Supabase loads it for the API roles: supabase/postgres
  20260403172611_safeupdate-data-api-enable.sql);
* errors come back as PostgREST answers them: the HTTP status of
  src/PostgREST/Error.hs (``pgErrorStatus``) and ``{code, message, details, hint}``.

What it does not cover: PostgREST's URL grammar (filters other than equality,
embedding, ``select=`` renames, ``Prefer`` headers other than tx=rollback,
counting), OpenAPI, prepared statements, and the schema cache's reloads.
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

from admin_scripts import project
from localdev import tokens

API_CONFIG = project.api()
EXPOSED_SCHEMAS = tuple(API_CONFIG["schemas"])
EXTRA_SEARCH_PATH = tuple(API_CONFIG["extra_search_path"])
MAX_ROWS = int(API_CONFIG["max_rows"])
SAFEUPDATE = "{} requires a WHERE clause"  # pg-safeupdate's message, SQLSTATE 21000


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    details: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


# src/PostgREST/Error.hs, pgErrorStatus (v13): exact codes first, then classes.
EXACT_STATUS = {
    "23503": 409,
    "23505": 409,
    "25006": 405,
    "53400": 500,
    "57P01": 503,
    "P0001": 400,
    "42883": 404,
    "42P01": 404,
    "42P17": 500,
}
CLASS_STATUS = {
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


def http_status(sqlstate: str, role: str, message: str = "") -> int:
    """PostgREST's HTTP status for a PostgreSQL error."""
    if sqlstate.startswith("PT") and sqlstate[2:].isdigit():
        return int(sqlstate[2:])
    if sqlstate == "21000":  # pg-safeupdate's refusal is the client's fault
        return 400 if message.endswith("requires a WHERE clause") else 500
    if sqlstate == "22023" and message.startswith("role ") and "does not exist" in message:
        return 401
    if sqlstate == "42501":  # permission denied: 401 without a signed-in user
        return 401 if role == "anon" else 403
    if sqlstate in EXACT_STATUS:
        return EXACT_STATUS[sqlstate]
    return CLASS_STATUS.get(sqlstate[:2], 400)


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
        self._role_settings: dict[str, list[tuple[str, str]]] | None = None

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
            return tokens.decode(self._secret, self.token)
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "PGRST303", "JWT expired") from None
        except jwt.InvalidTokenError as exc:
            raise ApiError(401, "PGRST301", f"JWT invalid: {exc}") from None

    @property
    def role(self) -> str:
        return self.claims()["role"]

    def role_settings(self) -> dict[str, list[tuple[str, str]]]:
        """Each impersonable role's own settings, read once as PostgREST does at
        startup (src/PostgREST/Config/Database.hs, queryRoleSettings)."""
        if self._role_settings is None:
            rows = (
                self._connection()
                .execute(
                    """
                with setting as (
                    select r.rolname, unnest(r.rolconfig) as kv
                    from pg_catalog.pg_auth_members as m
                    join pg_catalog.pg_roles as r on r.oid = m.roleid
                    where m.member = current_user::regrole::oid
                )
                select s.rolname, split_part(s.kv, '=', 1) as name,
                    lower(substr(s.kv, strpos(s.kv, '=') + 1)) as value
                from setting as s
                join pg_catalog.pg_settings as ps on ps.name = split_part(s.kv, '=', 1)
                where ps.context = 'user'
                    or has_parameter_privilege(current_user::regrole::oid, ps.name, 'set')
                """
                )
                .fetchall()
            )
            self._role_settings = {}
            for row in rows:
                self._role_settings.setdefault(row["rolname"], []).append(
                    (row["name"], row["value"])
                )
        return self._role_settings

    def _locals(self, role: str, claims: dict[str, Any], method: str, path: str, schema: str):
        """setPgLocals: (name, value) pairs in PostgREST's order."""
        search_path = ", ".join(f'"{s}"' for s in (schema, *EXTRA_SEARCH_PATH))
        return [
            ("search_path", search_path),
            *self.role_settings().get(role, []),
            ("role", role),
            ("request.jwt.claims", json.dumps(claims)),
            ("request.method", method),
            ("request.path", path),
            ("request.headers", json.dumps({"authorization": f"Bearer {self.token}"})),
            ("request.cookies", "{}"),
        ]

    def request(
        self,
        method: str,
        path: str,
        statement: sql.Composable | str,
        params: list[Any] | None = None,
        *,
        read_only: bool | None = None,
        schema: str = "public",
    ) -> list[dict[str, Any]]:
        """One request's transaction; read-only for GET/HEAD unless said otherwise."""
        claims = self.claims()
        role = claims.get("role", "anon")
        if read_only is None:
            read_only = method in ("GET", "HEAD")
        conn = self._connection()
        conn.execute(
            "begin isolation level read committed read only"
            if read_only
            else "begin isolation level read committed read write"
        )
        try:
            settings = self._locals(role, claims, method, path, schema)
            conn.execute(
                sql.SQL("select {}").format(
                    sql.SQL(", ").join(sql.SQL("set_config(%s, %s, true)") for _ in settings)
                ),
                [v for pair in settings for v in pair],
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
            message = diag.message_primary or str(exc)
            raise ApiError(
                http_status(sqlstate, role, message),
                sqlstate,
                message,
                diag.message_detail,
                diag.message_hint,
            ) from None

    # Tables and views ---------------------------------------------------------------

    @staticmethod
    def _exposed(name: str) -> tuple[str, str]:
        """(schema, name): a schema PostgREST serves (Accept-Profile), else 406."""
        schema, _, table = name.rpartition(".")
        schema = schema or "public"
        if schema not in EXPOSED_SCHEMAS:
            raise ApiError(
                406, "PGRST106", f"The schema must be one of: {', '.join(EXPOSED_SCHEMAS)}"
            )
        return schema, table

    @classmethod
    def _relation(cls, name: str) -> sql.Composable:
        return sql.Identifier(*cls._exposed(name))

    @staticmethod
    def _safeupdate(command: str, filters: dict[str, Any]) -> None:
        """pg-safeupdate, loaded for the API roles on hosted: no filter, no write."""
        if not filters:
            raise ApiError(400, "21000", SAFEUPDATE.format(command))

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
        stmt += sql.SQL(" limit {}").format(MAX_ROWS)
        return self.request("GET", f"/{table}", stmt, params, schema=self._exposed(table)[0])

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
        self._safeupdate("UPDATE", filters)
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
        self._safeupdate("DELETE", filters)
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
                    p.provolatile in ('s', 'i') as reads_only,
                    coalesce((
                        select jsonb_object_agg(a.name, format_type(a.type, null))
                        from unnest(
                            coalesce(p.proallargtypes, p.proargtypes::oid[]),
                            p.proargnames,
                            coalesce(p.proargmodes, array_fill('i'::"char", array[p.pronargs]))
                        ) as a (type, name, mode)
                        where a.mode in ('i', 'b', 'v')
                    ), '{}') as args,
                    -- result columns holding a composite or an array of composites
                    -- (returns table / OUT arguments, or the returned composite's)
                    coalesce(array(
                        select c.name
                        from (
                            select a.name, a.type, a.n
                            from unnest(
                                p.proallargtypes, p.proargnames, p.proargmodes
                            ) with ordinality as a (type, name, mode, n)
                            where a.mode in ('o', 'b', 't')
                            union all
                            select x.attname, x.atttypid, x.attnum
                            from pg_catalog.pg_attribute x
                            where x.attrelid = t.typrelid and x.attnum > 0 and not x.attisdropped
                        ) as c (name, type, n)
                        join pg_catalog.pg_type ct on ct.oid = c.type
                        left join pg_catalog.pg_type et on et.oid = ct.typelem and ct.typlen = -1
                        where ct.typtype = 'c' or et.typtype = 'c'
                        order by c.n
                    ), '{}') as composite_columns
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
        """POST /rpc/<function> (GET with get=True). Scalars come back bare.

        As PostgREST does, the JSON arguments are typed by the function's own
        parameter types (json_to_record) and passed by name; the transaction is
        read-only for GET and for a STABLE or IMMUTABLE function.
        """
        schema, name = self._exposed(function)
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
        # PostgREST renders the whole body as JSON (json_agg): a column holding a
        # composite, or an array of them, comes back as JSON objects. Other columns
        # keep psycopg's types here, as the rest of this client does.
        nested = shape["composite_columns"]
        columns = sql.SQL("pgrst_call.*")
        if nested:
            columns += sql.SQL("").join(
                sql.SQL(", to_jsonb(pgrst_call.{c}) as {c}").format(c=sql.Identifier(c))
                for c in nested
            )
        if scalar:
            stmt = sql.SQL("select {} as result from {}").format(call, record)
        else:
            stmt = sql.SQL("select {} from {}, lateral {} as pgrst_call").format(
                columns, record, call
            )
        params = [_json(args)]
        if not args:
            stmt = (
                sql.SQL("select {}() as result").format(fn)
                if scalar
                else sql.SQL("select {} from {}() as pgrst_call").format(columns, fn)
            )
            params = []
        if shape["returns_set"]:
            stmt += sql.SQL(" limit {}").format(MAX_ROWS)
        rows = self.request(
            "GET" if get else "POST",
            f"/rpc/{name}",
            stmt,
            params,
            read_only=get or shape["reads_only"],
            schema=schema,
        )
        if scalar:
            return rows[0]["result"]
        if not shape["returns_set"]:
            # A composite the function returned as null is an object of nulls, as
            # PostgREST answers it (select pgrst_call.* expands it: PostgREST/postgrest#3694).
            return rows[0] if rows else None
        return rows
