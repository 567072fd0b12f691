"""Campaign discovery as the data grows: tiers of campaigns and their donations
(default 10k then 100k campaigns; `--scale 1m`: then 1M, with 10M donations),
every discovery query measured at each tier in the same growing database.

For the anon home page (one category, open campaigns, most funded, 20 rows)
and for searches (full text, and typo correction through trigrams): median and
p95 of a PostgREST-shaped request (role anon, JWT claims, RLS on) beside the
same query as a superuser (no RLS), with the ratio; the p95 growth from the
last tier but one to the last; the plans of every statement at the last tier
(auto_explain, nested statements included). Targets on 2 cores: p95 <= 15 ms,
RLS ratio <= 1.1, p95 growth 100k -> 1M <= 1.3x.

How the data is loaded, and the proof that the bulk path for donations leaves
the state the real money path leaves: tests/bench/scale.py. `--quick`: tiers of
1k, 2k and 5k campaigns, 20 requests per query.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg

from tests.bench import scale
from tests.bench.harness import Report, Stack, Timing, request_runner
from tests.bench.progress import say, step


@dataclass(frozen=True)
class Sizes:
    tiers: tuple[int, ...] = (10_000, 100_000)
    runs: int = 300  # timed requests per query and side, at most
    warmup: int = 20
    budget_s: float = 10.0  # or fewer, past this time (at least MIN_RUNS): a slow query at 1M
    sample: int = 200  # campaign numbers loaded both ways (real and bulk) and compared
    chunk: int = 20_000  # campaigns per loading transaction
    streams: int = 2  # loading connections at once (the machine's cores)


QUICK = Sizes(tiers=(1_000, 2_000, 5_000), runs=20, warmup=3, sample=10, chunk=2_500)
MIN_RUNS = 60
P95_MS = 15.0
RLS_RATIO = 1.1
GROWTH = 1.3


def sizes_for(scale_arg: str | None, quick: bool) -> Sizes:
    """--scale 1m: tiers of ten times up to 1M campaigns (10k, 100k, 1M)."""
    if quick:
        return QUICK
    if scale_arg is None:
        return Sizes()
    top = parse_count(scale_arg)
    tiers = [top]
    while tiers[0] > 10_000:
        tiers.insert(0, tiers[0] // 10)
    return Sizes(tiers=tuple(tiers))


def parse_count(text: str) -> int:
    match = re.fullmatch(r"(\d+)([km]?)", text.strip().lower())
    if not match:
        raise ValueError(f"--scale: a count such as 100k or 1m, not {text!r}")
    return int(match[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[match[2]]


HOME_SQL = (
    "select coalesce(json_agg(t), '[]') from ("
    "select * from public.campaigns where category = %s and is_open"
    " order by progress_bp desc limit 20) as t"
)
SEARCH_SQL = (
    "select coalesce(json_agg(t), '[]') from public.search_campaigns("
    "q => %s, sort => 'relevance', page_size => 20) as t"
)
CASES = (
    ("home page: category, most funded, 20 rows", HOME_SQL, ["sante"]),
    ("search 'ecole' (full text)", SEARCH_SQL, ["ecole"]),
    ("search 'puits Kaolack'", SEARCH_SQL, ["puits Kaolack"]),
    ("search 'medicamants' (typo: trigram)", SEARCH_SQL, ["medicamants"]),
)

ANON_CLAIMS = {"role": "anon", "iss": "supabase-demo"}


def title(sizes: Sizes) -> str:
    tiers = " → ".join(f"{t:,}" for t in sizes.tiers)
    return f"Campaign discovery ({tiers} campaigns, ~10 donations each)"


def prove_bulk_path(stack: Stack, report: Report, sizes: Sizes, anchor) -> None:
    """Twin campaigns, donated to for real and in bulk; their derived state compared."""
    first, last = 1, sizes.sample
    with step(f"equality proof: {sizes.sample} campaigns' donations for real and in bulk"):
        real, bulk = scale.load_both_ways(
            stack.url, stack.cluster.superuser_url(), first, last, anchor
        )
        with psycopg.connect(stack.url) as conn:
            found = scale.differences(conn, first, last)
    report.note(
        f"bulk path checked against the real one: {sizes.sample} twin campaigns,"
        f" {real:,} donations through create_donation + record_payment_event and {bulk:,}"
        f" in bulk; derived state (totals, status, search row, status history, daily totals,"
        f" ledger per kind, donations and attempts, check_ledger) differs for"
        f" {len(found)} (campaign, part) pairs"
    )
    if found:
        raise AssertionError("the bulk path differs from the real one:\n" + "\n".join(found[:20]))


def grow(stack: Stack, first: int, last: int, sizes: Sizes, anchor) -> tuple[int, dict]:
    """Campaigns first..last and their donations, chunk by chunk on `streams`
    connections at once; (donations added, seconds per step summed over streams)."""
    chunks = scale.in_chunks(first, last, sizes.chunk)
    superuser_url = stack.cluster.superuser_url()
    done = {"campaigns": 0, "donations": 0}
    spent = {"campaigns": 0.0, "donations": 0.0, "expiry": 0.0}
    lock = threading.Lock()

    def load(chunk: tuple[int, int]) -> int:
        added, seconds = scale.load_chunk(stack.url, superuser_url, *chunk, anchor)
        with lock:
            done["campaigns"] += chunk[1] - chunk[0] + 1
            done["donations"] += added
            for step_name, s in seconds.items():
                spent[step_name] += s
        say(f"  {done['campaigns']:,} of {last - first + 1:,} campaigns,"
            f" {done['donations']:,} donations")  # fmt: skip
        return added

    with ThreadPoolExecutor(sizes.streams) as pool:
        return sum(pool.map(load, chunks)), spent


def vacuum(stack: Stack) -> None:
    """What autovacuum would have done by then: the tables discovery reads
    vacuumed (visibility map, hint bits), every table analyzed."""
    with psycopg.connect(stack.cluster.superuser_url(), autocommit=True) as conn:
        conn.execute(
            "vacuum (analyze) public.campaigns, private.campaign_search, private.search_words,"
            " private.campaign_daily_totals, public.campaign_status_history, auth.users,"
            " public.profiles"
        )
        conn.execute(
            "analyze public.donations, private.payment_attempts, private.ledger_entries,"
            " public.notifications, private.email_outbox"
        )


def load_tier(stack: Stack, report: Report, sizes: Sizes, start: int, tier: int, anchor):
    """Grow the database to `tier` campaigns (numbers start..tier)."""
    began = time.perf_counter()
    with step(f"loading campaigns {start:,} to {tier:,} and their donations"):
        added, spent = grow(stack, start, tier, sizes, anchor)
    loaded = time.perf_counter() - began
    with step("vacuum analyze"):
        vacuum(stack)
    with psycopg.connect(stack.url) as conn:
        campaigns, opened, donations = conn.execute(
            "select count(*), count(*) filter (where is_open),"
            " (select count(*) from public.donations where status = 'succeeded')"
            " from public.campaigns"
        ).fetchone()
    report.note(
        f"tier {tier:,}: {campaigns:,} campaigns ({opened:,} open), {donations:,} succeeded"
        f" donations; {tier - start + 1:,} campaigns and {added:,} donations loaded in"
        f" {loaded:.0f} s on {sizes.streams} connections (campaigns through the triggers"
        f" {spent['campaigns']:.0f} s, donations in bulk {spent['donations']:.0f} s, expiry"
        f" {spent['expiry']:.0f} s, summed over connections), vacuum analyze"
        f" {time.perf_counter() - began - loaded:.0f} s"
    )


def measure_tier(stack: Stack, report: Report, sizes: Sizes, tier: int) -> dict[str, Timing]:
    p95s = {}
    with (
        psycopg.connect(stack.authenticator_url, autocommit=True) as api,
        psycopg.connect(stack.url, autocommit=True) as su,
    ):
        for name, sql, params in CASES:
            with step(f"{tier:,}: {name}: as anon, then as superuser"):
                rls = timed(request_runner(api, "anon", ANON_CLAIMS, sql, params), sizes)
                base = timed(request_runner(su, None, ANON_CLAIMS, sql, params), sizes)
            ratio = rls.median / base.median
            report.add(
                f"{tier:,}", name, f"{rls.median:.2f}", f"{rls.p95:.2f}", f"{base.median:.2f}",
                f"{base.p95:.2f}", f"{ratio:.2f}",
                "yes" if rls.p95 <= P95_MS and ratio <= RLS_RATIO else "NO",
                f"{len(rls.samples_ms)}/{len(base.samples_ms)}",
            )  # fmt: skip
            p95s[name] = rls
    return p95s


def timed(fn, sizes: Sizes) -> Timing:
    """sizes.runs timed calls after the warm-up, or fewer once the time budget is
    spent (never fewer than MIN_RUNS)."""
    warm_until = time.perf_counter() + sizes.budget_s / 5
    for _ in range(sizes.warmup):
        fn()
        if time.perf_counter() > warm_until:
            break
    t = Timing()
    deadline = time.perf_counter() + sizes.budget_s
    while len(t.samples_ms) < sizes.runs and (
        len(t.samples_ms) < min(MIN_RUNS, sizes.runs) or time.perf_counter() < deadline
    ):
        start = time.perf_counter()
        fn()
        t.samples_ms.append((time.perf_counter() - start) * 1000)
    return t


def run(stack: Stack, report: Report, sizes: Sizes) -> None:
    anchor = scale.anchor_now()
    with psycopg.connect(stack.url, autocommit=True) as conn:
        scale.add_owners(conn)
    prove_bulk_path(stack, report, sizes, anchor)
    started = time.perf_counter()
    measured: dict[int, dict[str, Timing]] = {}
    start = 1
    for tier in sizes.tiers:
        load_tier(stack, report, sizes, start, tier, anchor)
        measured[tier] = measure_tier(stack, report, sizes, tier)
        start = tier + 1
    books(stack, report)
    growth(report, measured)
    with step("plans at the last tier"):
        plans(stack, report)
    report.note(
        f"whole run from the first campaign to the plans: {time.perf_counter() - started:.0f} s"
    )


def books(stack: Stack, report: Report) -> None:
    with (
        step("the books: private.check_ledger() and the constraints the bulk path skipped"),
        psycopg.connect(stack.cluster.superuser_url()) as conn,
    ):
        drift = conn.execute("select count(*) from private.check_ledger()").fetchone()[0]
        dangling = scale.dangling_references(conn)
    report.note(
        f"books at the last tier: private.check_ledger() returns {drift} rows;"
        f" {dangling} rows point to a missing campaign or donation"
    )
    if drift or dangling:
        raise AssertionError(f"books inconsistent: check_ledger {drift}, dangling {dangling}")


def growth(report: Report, measured: dict[int, dict[str, Timing]]) -> None:
    if len(measured) < 2:
        return
    low, high = sorted(measured)[-2:]
    for name, _sql, _params in CASES:
        before, after = measured[low][name].p95, measured[high][name].p95
        ratio = after / before
        report.note(
            f"p95 growth {low:,} → {high:,} ({name}): {before:.2f} → {after:.2f} ms,"
            f" {ratio:.2f}x (target ≤ {GROWTH}x and < {P95_MS:.0f} ms:"
            f" {'yes' if ratio <= GROWTH and after < P95_MS else 'NO'})"
        )


def plans(stack: Stack, report: Report) -> None:
    """Each query's plans as anon, nested statements included (auto_explain), on
    a warm cache; durations include auto_explain's own cost (timing every node,
    logging each nested call), higher than the request's time measured above."""
    with psycopg.connect(stack.cluster.superuser_url(), autocommit=True) as conn:
        notices: list[str] = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        conn.execute("load 'auto_explain'")
        for setting, value in (("log_analyze", "on"),
                               ("log_buffers", "on"), ("log_timing", "on"),
                               ("log_nested_statements", "on"), ("log_level", "notice")):  # fmt: skip
            conn.execute(f"set auto_explain.{setting} = {value}")
        for name, sql, params in CASES:
            conn.execute("set auto_explain.log_min_duration = -1")
            request_runner(conn, "anon", ANON_CLAIMS, sql, params)()  # warm, as when measured
            conn.execute("set auto_explain.log_min_duration = 0")
            notices.clear()
            request_runner(conn, "anon", ANON_CLAIMS, sql, params)()
            shown = [n for n in notices if " on " in n and "set_config(" not in n]  # reads a table
            report.note(f"plans of {name}:\n\n```\n" + "\n\n".join(shown).strip() + "\n```\n")


HEADER = (
    "campaigns",
    "query",
    "anon via PostgREST p50 ms",
    "p95 ms",
    "superuser (no RLS) p50 ms",
    "p95 ms",
    "RLS ratio (p50)",
    "target met",
    "requests timed (anon/superuser)",
)
