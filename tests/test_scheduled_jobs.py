"""Scheduled jobs: pg_cron schedules them where the platform preloads it
(hosted Supabase, and `make run` here); elsewhere migrations still apply."""

from __future__ import annotations

import secrets

import psycopg
import pytest

from admin_scripts import localstack
from tests.conftest import throwaway_cluster


@pytest.fixture(scope="module")
def cron_cluster():
    with throwaway_cluster(cron=True) as c:
        yield c


def test_migrations_schedule_the_expiry_job_with_pg_cron(cron_cluster):
    url = cron_cluster.url()
    localstack.build_database(url, secrets.token_hex(8), seed=False)
    with psycopg.connect(url) as conn:
        jobs = dict(conn.execute("select jobname, command from cron.job").fetchall())
        assert jobs["expire-campaigns"] == "select private.expire_campaigns()"
        assert jobs["remind-ending-campaigns"] == "select private.remind_ending_campaigns()"
        assert jobs["purge-email-outbox"] == "select private.purge_email_outbox()"
        schedule = conn.execute(
            "select schedule from cron.job where jobname = 'expire-campaigns'"
        ).fetchone()[0]
        assert schedule == "*/5 * * * *"


def test_migrations_apply_without_pg_cron(db):
    # The test template was built on a cluster without pg_cron.
    assert db.sql("select 1 from pg_extension where extname = 'pg_cron'") == []
    assert db.sql("select 1 from pg_proc where proname = 'expire_campaigns'")
