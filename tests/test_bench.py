"""`python -m tests.bench --quick`: every part of the bench at tiny sizes, the
one-minute smoke `make test` runs. Its figures are the machine's and are not
asserted; that each part runs and reports them is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

import pgcluster
from tests.bench import campaigns, scale
from tests.bench.harness import REPORT

PARTS = (
    "Campaign discovery",
    "Donations under load",
    "The service under load",
    "Each provider's webhooks beside the same SQL",
    "Resident memory under load",
)


def bench(report: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.bench", "--quick", "--report", str(report), *args],
        cwd=pgcluster.ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )


def sections(report: Path) -> dict[str, str]:
    """Each `## title` of the report and the text under it."""
    parts = re.split(r"^## ", report.read_text(), flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0]: part for part in parts}


def table_rows(section: str) -> list[str]:
    return [line for line in section.splitlines() if line.startswith("| ")][2:]  # no header


def test_the_quick_bench_runs_every_part_and_reports_its_figures(tmp_path):
    committed = REPORT.stat().st_mtime_ns if REPORT.exists() else None
    report = tmp_path / "bench-report.md"
    run = bench(report)
    assert run.returncode == 0, run.stderr[-3000:]
    found = sections(report)
    for title in PARTS:
        (section,) = [text for name, text in found.items() if name.startswith(title)]
        assert "This part failed" not in section, section
        assert table_rows(section), section
    memory_rows = table_rows(found["Resident memory under load"])
    assert len(memory_rows) == 5  # donations' webhooks, the service's routes, three providers
    assert "## Resident memory under load" in run.stdout  # figures printed, not only written
    assert (REPORT.stat().st_mtime_ns if REPORT.exists() else None) == committed


def test_a_part_that_fails_is_reported_with_its_error_and_the_others_still_run(tmp_path):
    report = tmp_path / "bench-report.md"
    # gunicorn.conf.py reads STRIPE_TIMEOUT as a number: gunicorn cannot start, the
    # donations part (the first to start it) fails; campaign discovery needs no service.
    run = bench(report, "donations", "campaigns", STRIPE_TIMEOUT="not-a-number")
    assert run.returncode == 1
    found = sections(report)
    donations = found["Donations under load"]
    assert "This part failed" in donations
    assert "gunicorn exited" in donations
    (discovery,) = [text for name, text in found.items() if name.startswith("Campaign discovery")]
    assert "This part failed" not in discovery
    assert table_rows(discovery)


SKEWS = {
    "daily_totals": "update private.campaign_daily_totals set amount = amount + 1"
    " where campaign_id = md5('bulk-3')::uuid and day = (select min(day)"
    " from private.campaign_daily_totals where campaign_id = md5('bulk-3')::uuid)",
    "ledger": "insert into private.ledger_entries (campaign_id, kind, amount, currency, idempotency_key)"
    " values (md5('bulk-3')::uuid, 'platform_fee', -1, 'XOF', 'skew')",
    "search": "update private.campaign_search set headline = headline || 'skew'::tsvector"
    " where campaign_id = md5('bulk-3')::uuid",
    "campaign": "update public.campaigns set donor_count = donor_count - 1"
    " where id = md5('bulk-3')::uuid",
    "donations": "update private.payment_attempts set fee_amount = fee_amount + 1 where donation_id ="
    " (select id from public.donations where campaign_id = md5('bulk-3')::uuid limit 1)",
}


def test_campaigns_donated_to_in_bulk_end_as_those_donated_to_through_the_money_path(db):
    anchor = scale.anchor_now()
    real, bulk = scale.load_both_ways(db.url, db.superuser_url, 1, 10, anchor)
    assert real == bulk == 100  # 1 in review; 2 to 10 published, 11 donations each (12 for 9)
    with psycopg.connect(db.superuser_url) as conn:
        statuses = conn.execute(
            "select array_agg(distinct status::text order by status::text) from public.campaigns"
        ).fetchone()[0]
        assert statuses == ["active", "expired", "funded", "pending_review"]
        assert scale.differences(conn, 1, 10) == []
        assert scale.dangling_references(conn) == 0
        assert conn.execute("select count(*) from private.check_ledger()").fetchone()[0] == 0


@pytest.mark.parametrize("part", SKEWS)
def test_the_comparison_of_both_paths_finds_a_bulk_twin_that_differs(db, part):
    scale.load_both_ways(db.url, db.superuser_url, 3, 3, scale.anchor_now())
    with psycopg.connect(db.superuser_url) as conn:
        assert scale.differences(conn, 3, 3) == []
        conn.execute("set session_replication_role = replica")  # no trigger mends the skew
        conn.execute(SKEWS[part])
        found = scale.differences(conn, 3, 3)
    assert any(line.startswith(f"campaign 3, {part}:") for line in found), found


def test_the_scale_argument_is_tiers_of_ten_times_up_to_it():
    assert campaigns.sizes_for("1m", quick=False).tiers == (10_000, 100_000, 1_000_000)
    assert campaigns.sizes_for(None, quick=False).tiers == (10_000, 100_000)
    assert campaigns.sizes_for("1m", quick=True).tiers == (1_000, 2_000, 5_000)
    with pytest.raises(ValueError):
        campaigns.sizes_for("lots", quick=False)
