"""The RLS matrix (tests/rls_matrix.py): every exposed table and function, for
every persona and operation, does what the matrix says, through PostgREST's
own steps (role, JWT claims; each request rolled back, so all cases share one
world). A new exposed object without a row in the matrix fails the suite."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg.rows import dict_row

from tests import rls_world
from tests.gotrue import auth_admin_connection
from tests.postgrest import EXPOSED_SCHEMAS
from tests.rls_matrix import EXPECTED, FUNCTIONS, TABLES
from tests.rls_world import PERSONAS

OPERATIONS = ("select", "insert", "update", "delete")


@pytest.fixture(scope="module")
def world(cluster, databases, authenticator_password, jwt_secret) -> Iterator[rls_world.World]:
    name = databases.take()
    conn = psycopg.connect(cluster.superuser_url(name), autocommit=True, row_factory=dict_row)
    authenticator = cluster.url(name, user="authenticator", password=authenticator_password)
    auth_admin = auth_admin_connection(cluster, name)
    world = rls_world.build(conn, auth_admin, authenticator, jwt_secret)
    yield world
    for client in world.clients.values():
        client.close()
    auth_admin.close()
    conn.close()
    databases.give_back(name)


def cases() -> Iterator[object]:
    for (name, op), outcomes in EXPECTED.items():
        for persona, expected in zip(PERSONAS, outcomes.split(), strict=True):
            yield pytest.param(name, op, persona, expected, id=f"{name}-{op}-{persona}")


@pytest.mark.parametrize(("name", "op", "persona", "expected"), list(cases()))
def test_rls_matrix(world, name, op, persona, expected):
    if op == "execute":
        observed = rls_world.function_case(world, persona, name, FUNCTIONS[name])
    else:
        observed = rls_world.relation_case(world, persona, name, TABLES[name], op)
    assert observed == expected


def test_every_exposed_object_has_its_rows_in_the_matrix(db):
    schemas = list(EXPOSED_SCHEMAS)
    relations = {
        r["name"]
        for r in db.sql(
            "select c.relname as name from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
            " where n.nspname = any(%s) and c.relkind in ('r', 'p', 'v', 'm', 'f')",
            [schemas],
        )
    }
    functions = {
        r["name"]
        for r in db.sql(
            "select p.proname as name from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace"
            " where n.nspname = any(%s) and (has_function_privilege('anon', p.oid, 'execute')"
            " or has_function_privilege('authenticated', p.oid, 'execute'))",
            [schemas],
        )
    }

    assert relations == {name.partition(":")[0] for name in TABLES}
    assert functions == set(FUNCTIONS)
    assert set(EXPECTED) == {(t, op) for t in TABLES for op in OPERATIONS} | {
        (f, "execute") for f in FUNCTIONS
    }
