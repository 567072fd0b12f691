"""Supabase's own advisors (security and performance lints) gate the schema."""

from __future__ import annotations

from admin_scripts import localstack


def test_supabase_advisors_report_no_warning(db, authenticator_password):
    # database settings (pgrst.db_schemas) are not copied from the template
    localstack.apply_platform(db.url, authenticator_password)
    proc = localstack.advisors(db.url)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_advisors_gate_catches_an_exposed_table_without_rls(db, authenticator_password):
    # database settings are not copied from the template: the platform sets them again
    localstack.apply_platform(db.url, authenticator_password)
    db.sql("create table public.leaky (id bigint primary key, secret text)")
    proc = localstack.advisors(db.url)
    assert proc.returncode != 0
    assert "rls_disabled_in_public" in proc.stdout + proc.stderr
