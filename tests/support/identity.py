"""Where a person's identity is still stored, and what the API roles can reach in
the private schema: catalog walks shared by the account-deletion, private-schema
and attack tests."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

API_ROLES = ("anon", "authenticated")

# Every column that can hold text: text-like types, JSON, and arrays of text.
TEXT_COLUMNS = """
select c.table_schema as schema, c.table_name as table, c.column_name as column
from information_schema.columns as c
join information_schema.tables as t
    on t.table_schema = c.table_schema and t.table_name = c.table_name
where c.table_schema in ('public', 'private') and t.table_type = 'BASE TABLE'
    and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')
         or c.udt_name = 'citext'
         or (c.data_type = 'ARRAY' and c.udt_name in ('_text', '_varchar')))
order by 1, 2, 3
"""


def rows_holding(conn: psycopg.Connection, *needles: str) -> list[str]:
    """Every ``schema.table.column`` of public and private where some row's value
    contains one of the needles (case-insensitive): where an identity lingers."""
    found = []
    for col in conn.execute(TEXT_COLUMNS).fetchall():
        schema, table, column = (col[k] for k in ("schema", "table", "column"))
        query = sql.SQL(
            "select exists (select 1 from {}.{} where {}::text ilike any(%s)) as hit"
        ).format(sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column))
        patterns = ["%" + n.replace("%", r"\%").replace("_", r"\_") + "%" for n in needles]
        if conn.execute(query, [patterns]).fetchone()["hit"]:
            found.append(f"{schema}.{table}.{column}")
    return found


def private_relation_privileges(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Each relation of schema private (table, view, sequence…) on which an API
    role holds any privilege, on the relation or on one of its columns."""
    return conn.execute(
        """
        select r.rolname as role, c.relkind::text as kind, c.relname as relation
        from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
        cross join pg_roles as r
        where n.nspname = 'private' and r.rolname = any(%s)
            and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
            and (
                case when c.relkind = 'S'
                    then has_sequence_privilege(r.oid, c.oid, 'usage, select, update')
                    else has_table_privilege(
                        r.oid, c.oid, 'select, insert, update, delete, truncate, references, trigger'
                    )
                    or has_any_column_privilege(r.oid, c.oid, 'select, insert, update, references')
                end
            )
        order by 1, 3
        """,
        [list(API_ROLES)],
    ).fetchall()


def private_functions_taking_a_uuid(conn: psycopg.Connection) -> set[str]:
    """The private functions an API role may execute that take a uuid (a user's,
    a campaign's…), as ``name(argument types)``."""
    rows = conn.execute(
        """
        select distinct p.oid::regprocedure::text as fn
        from pg_proc as p
        join pg_namespace as n on n.oid = p.pronamespace
        cross join pg_roles as r
        where n.nspname = 'private' and r.rolname = any(%s)
            and has_function_privilege(r.oid, p.oid, 'execute')
            and ('uuid'::regtype = any(p.proargtypes::oid[]) or 'uuid[]'::regtype = any(p.proargtypes::oid[]))
        """,
        [list(API_ROLES)],
    ).fetchall()
    return {r["fn"] for r in rows}
