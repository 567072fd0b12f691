"""`python -m tests.bench --quick`: every part of the bench at tiny sizes, the
one-minute smoke `make test` runs. Its figures are the machine's and are not
asserted; that each part runs and reports them is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pgcluster
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
        timeout=240,
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
