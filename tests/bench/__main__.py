"""Run the benchmarks: what runs on stderr as it runs, each part's figures as soon
as they exist, the report rewritten after each part.

    python -m tests.bench [--quick] [--scale 1m] [--report PATH] [PART ...]

PART: campaigns, donations, service, providers (default: all, in that order).
--quick: every part at tiny sizes, a one-minute smoke of every figure
(tests/test_bench.py runs it), campaign discovery at 1k, 2k and 5k campaigns.
--scale: campaign discovery at tiers of ten times up to that many campaigns
(default 100k: 10k then 100k; 1m: 10k, 100k, 1M with 10M donations). --report: where the report goes (default:
bench-report.md). A part that fails is reported with its error beside the
figures it had measured; the other parts still run, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tests.bench import campaigns, donations, memory, providers, service
from tests.bench.harness import REPORT, Report, Stack, stack
from tests.bench.progress import say, shown, step


@dataclass(frozen=True)
class Part:
    title: str
    header: tuple[str, ...]
    durable: bool  # fsync and synchronous commits on, as in production
    run: Callable[[Stack, Report, Report], None]  # (stack, its report, the memory report)


def parts(quick: bool, scale: str | None = None) -> dict[str, Part]:
    c = campaigns.sizes_for(scale, quick)
    d = donations.QUICK if quick else donations.Sizes()
    s = service.QUICK if quick else service.Sizes()
    p = providers.QUICK if quick else providers.Sizes()
    return {
        "campaigns": Part(campaigns.title(c), campaigns.HEADER, False,
                          lambda st, r, _m: campaigns.run(st, r, c)),
        "donations": Part(donations.TITLE, donations.HEADER, True,
                          lambda st, r, m: donations.run(st, r, d, m)),
        "service": Part(service.title(s), service.HEADER, True,
                        lambda st, r, m: service.run(st, r, s, m)),
        "providers": Part(providers.TITLE, providers.HEADER, True,
                          lambda st, r, m: providers.run(st, r, p, m)),
    }  # fmt: skip


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "parts", nargs="*", metavar="PART", help="campaigns, donations, service, providers"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a one-minute smoke")
    parser.add_argument(
        "--scale", metavar="N", help="campaigns at the last tier (100k, 1m); default 100k"
    )
    parser.add_argument("--report", type=Path, default=REPORT, help=f"default: {REPORT.name}")
    args = parser.parse_args(argv)
    if unknown := set(args.parts) - set(parts(False)):
        parser.error(f"unknown part: {', '.join(sorted(unknown))}")
    try:
        campaigns.sizes_for(args.scale, args.quick)
    except ValueError as error:
        parser.error(str(error))
    return args


def run_part(part: Part, report: Report, memory_report: Report) -> None:
    """Run the part on a cluster of its own; an error stops it and goes into its
    report, beside the figures it had measured."""
    start = time.monotonic()
    try:
        with ExitStack() as resources:
            with step(f"{part.title}: a throwaway cluster with the schema"):
                built = resources.enter_context(stack(durable=part.durable))
            part.run(built, report, memory_report)
    except Exception:
        say(traceback.format_exc())
        report.fail(f"after {time.monotonic() - start:.0f} s:\n{traceback.format_exc(limit=-3)}")
    except KeyboardInterrupt:
        report.fail(f"interrupted after {time.monotonic() - start:.0f} s")
        raise


def write(path: Path, head: str, reports: list[Report], memory_report: Report, left: list[str]):
    sections = [r.markdown() for r in reports]
    if memory_report.rows:
        sections.append(memory_report.markdown())
    if left:
        sections.append(f"(still to run when this was written: {', '.join(left)})\n")
    path.write_text(head + "\n".join(sections))


def main(argv: list[str]) -> int:
    args = arguments(argv)
    chosen = parts(args.quick, args.scale)
    names = args.parts or list(chosen)
    head = (
        f"# AfriCagnotte benchmarks{' (--quick: tiny sizes)' if args.quick else ''}\n\n"
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())},"
        f" {platform.node()}, Python {platform.python_version()}\n\n"
    )
    memory_report = Report("Resident memory under load", memory.HEADER)
    memory_report.notes.append(memory.NOTE)
    reports: list[Report] = []
    with shown():
        for i, name in enumerate(names):
            part = chosen[name]
            reports.append(report := Report(part.title, part.header))
            try:
                run_part(part, report, memory_report)
            except KeyboardInterrupt:
                write(args.report, head, reports, memory_report, names[i + 1 :])
                say(f"interrupted; the report so far is in {args.report}")
                return 130
            print(report.markdown(), flush=True)
            write(args.report, head, reports, memory_report, names[i + 1 :])
    if memory_report.rows:
        print(memory_report.markdown(), flush=True)
    failed = [r.title for r in reports if r.failure]
    say(f"written to {args.report}" + (f"; failed: {'; '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
