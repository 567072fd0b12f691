"""Run every benchmark, print the report and write it to bench-report.md."""

from __future__ import annotations

import platform
import sys
import time

from tests.bench import campaigns, donations, providers, service
from tests.bench.harness import REPORT, Report, stack


def main() -> int:
    sections = []
    only = set(sys.argv[1:])  # e.g. `python -m tests.bench donations service providers`
    if not only or "campaigns" in only:
        with stack() as s:
            report = Report("Campaign discovery (100k campaigns, 1M donations)")
            campaigns.run(s, report)
            sections.append(report.markdown(campaigns.HEADER))
    if not only or "donations" in only:
        with stack(durable=True) as s:
            report = Report("Donations under load")
            donations.run(s, report)
            sections.append(report.markdown(donations.HEADER))
    if not only or "service" in only:
        with stack(durable=True) as s:
            report = Report(f"The service under load ({service.CLIENTS} concurrent clients)")
            service.run(s, report)
            sections.append(report.markdown(service.HEADER))
    if not only or "providers" in only:
        with stack(durable=True) as s:
            report = Report("Each provider's webhooks beside the same SQL")
            providers.run(s, report)
            sections.append(report.markdown(providers.HEADER))
    head = (
        f"# AfriCagnotte benchmarks\n\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())},"
        f" {platform.node()}, Python {platform.python_version()}\n\n"
    )
    text = head + "\n".join(sections)
    print(text)
    REPORT.write_text(text)
    print(f"(written to {REPORT})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
