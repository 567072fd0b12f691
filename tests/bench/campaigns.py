"""Campaign discovery at scale: 100k campaigns carrying 1M donations.

For the anon home page (one category, open campaigns, most funded, 20 rows)
and for searches: median and p95 of a PostgREST-shaped request (role anon,
JWT claims, RLS on) beside the same query as a superuser (no RLS), with the
ratio; EXPLAIN shows the indexes used. Targets on 2 cores: ratio <= 1.2,
p95 <= 15 ms. `--quick`: 2,000 campaigns, 30 requests per query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg

from tests.bench.harness import Report, Stack, measure, request_runner
from tests.bench.progress import step


@dataclass(frozen=True)
class Sizes:
    campaigns: int = 100_000
    runs: int = 300  # timed requests per query and side
    warmup: int = 20


QUICK = Sizes(campaigns=2_000, runs=30, warmup=5)
OWNERS = 5_000  # campaign owners, at most one per campaign

GENERATE = """
insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
select
    extensions.gen_random_uuid(), 'authenticated', 'authenticated', 'bench' || i || '@example.test',
    jsonb_build_object('full_name', 'Créateur ' || i), now(), now()
from generate_series(1, {owners}) as i;

with
    owners as (select array_agg(id) as ids from auth.users),
    vocab as (
        select
            array['école', 'santé', 'opération', 'puits', 'cantine', 'médicaments', 'famille',
                  'orphelinat', 'mariage', 'funérailles', 'dialyse', 'bourse', 'ordinateurs',
                  'moto', 'boutique', 'champ', 'mosquée', 'église', 'inondation', 'incendie',
                  'school', 'surgery', 'water', 'clinic', 'farm'] as w,
            array['Dakar', 'Bamako', 'Abidjan', 'Ouagadougou', 'Niamey', 'Lomé', 'Cotonou',
                  'Conakry', 'Douala', 'Yaoundé', 'Kinshasa', 'Libreville', 'Thiès', 'Kaolack',
                  'Bobo-Dioulasso', 'Korhogo', 'Kayes', 'Mopti', 'Parakou', 'Kumasi'] as city,
            array['urgence', 'sante', 'education', 'familles', 'funerailles', 'religion-communaute',
                  'entrepreneuriat', 'mariage-evenements', 'environnement', 'sport-culture',
                  'autre'] as cat,
            array['SN', 'ML', 'CI', 'BF', 'NE', 'TG', 'BJ', 'GN', 'CM', 'GA'] as country
    ),
    draws as (
        select
            i,
            1 + (random() * 24)::int as w1, 1 + (random() * 24)::int as w2,
            1 + (random() * 19)::int as ci, random() as r, random() as progress
        from generate_series(1, {n}) as i
    )
insert into public.campaigns (
    owner_id, title, summary, story, tags, category, country, city, goal_amount, currency,
    collected_amount, donor_count, status, published_at, starts_at, ends_at
)
select
    o.ids[1 + (d.i % {owners})],
    initcap(v.w[d.w1]) || ' et ' || v.w[d.w2] || ' à ' || v.city[d.ci] || ' n°' || d.i,
    'Aidez-nous : ' || v.w[d.w1] || ' pour une famille de ' || v.city[d.ci] || '.',
    repeat('Notre histoire commence à ' || v.city[d.ci] || ' où le besoin de ' || v.w[d.w2]
        || ' est grand. Chaque don compte pour nous. ', 4),
    array[v.w[d.w2], lower(v.city[d.ci])],
    v.cat[1 + (d.i % 11)],
    v.country[1 + (d.i % 10)],
    v.city[d.ci],
    case when d.i % 10 = 0 then 500000 else 2000000 end,
    case when d.i % 10 = 0 then 'EUR' when d.i % 10 = 1 then 'XAF' else 'XOF' end,
    case when d.i % 20 < 2 then 0
         else (d.progress * 1.3 * case when d.i % 10 = 0 then 500000 else 2000000 end)::bigint end,
    case when d.i % 20 < 2 then 0 else (d.r * 20)::int end,
    (case d.i % 20 when 0 then 'draft' when 1 then 'pending_review'
          when 2 then 'expired' when 3 then 'expired' else 'active' end)::public.campaign_status,
    case when d.i % 20 >= 2 then now() - make_interval(days => 5 + (d.i % 150)) end,
    case when d.i % 20 >= 2 then now() - make_interval(days => 5 + (d.i % 150)) end,
    case when d.i % 20 >= 2
         then now() - make_interval(days => 5 + (d.i % 150)) + interval '170 days'
         else now() + interval '60 days' end
from draws as d, owners as o, vocab as v;

update public.campaigns
set starts_at = now() - interval '60 days', ends_at = now() - interval '1 day'
where status = 'expired';

insert into private.campaign_daily_totals (campaign_id, day, donation_count, amount)
select c.id, current_date - d, 1 + c.donor_count / 5, c.collected_amount / 5
from public.campaigns as c cross join generate_series(0, 28, 7) as d
where c.donor_count > 0;
"""

HOME_SQL = (
    "select coalesce(json_agg(t), '[]') from ("
    "select * from public.campaigns where category = %s and is_open"
    " order by progress_bp desc limit 20) as t"
)
SEARCH_SQL = (
    "select coalesce(json_agg(t), '[]') from public.search_campaigns("
    "q => %s, sort => 'relevance', page_size => 20) as t"
)

ANON_CLAIMS = {"role": "anon", "iss": "supabase-demo"}


def explain(conn: psycopg.Connection, sql: str, params: list, role: str = "anon") -> str:
    conn.execute("begin read only")
    conn.execute(
        "select set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
        [role, '{"role": "anon"}'],
    )
    plan = "\n".join(r[0] for r in conn.execute("explain (analyze, costs off) " + sql, params))
    conn.execute("rollback")
    return plan


def title(sizes: Sizes) -> str:
    return (
        f"Campaign discovery ({sizes.campaigns:,} campaigns, ~{sizes.campaigns * 10:,} donations)"
    )


def load(stack: Stack, report: Report, sizes: Sizes) -> None:
    owners = min(OWNERS, sizes.campaigns)
    with psycopg.connect(stack.url, autocommit=True) as conn:
        start = time.perf_counter()
        with step(f"loading {sizes.campaigns:,} campaigns through the triggers"):
            conn.execute(
                GENERATE.replace("{n}", str(sizes.campaigns)).replace("{owners}", str(owners))
            )
        with step("vacuum analyze"):
            conn.execute("vacuum analyze")
        loaded = time.perf_counter() - start
        counts = conn.execute(
            "select count(*), (select sum(donation_count) from private.campaign_daily_totals),"
            " count(*) filter (where is_open) from public.campaigns"
        ).fetchone()
        report.note(
            f"data: {counts[0]:,} campaigns ({counts[2]:,} open), {counts[1]:,} donations"
            f" in daily totals; generated through the real triggers in {loaded:.0f} s"
        )


def run(stack: Stack, report: Report, sizes: Sizes) -> None:
    load(stack, report, sizes)
    cases = [
        ("home page: category, most funded, 20 rows", HOME_SQL, ["sante"]),
        ("search 'ecole' (full text, ~4% match)", SEARCH_SQL, ["ecole"]),
        ("search 'puits Kaolack'", SEARCH_SQL, ["puits Kaolack"]),
        ("search 'medicamants' (typo: trigram)", SEARCH_SQL, ["medicamants"]),
    ]
    with (
        psycopg.connect(stack.authenticator_url, autocommit=True) as api,
        psycopg.connect(stack.url, autocommit=True) as su,
    ):
        for name, sql, params in cases:
            with step(f"{name}: {sizes.runs} requests as anon, {sizes.runs} as superuser"):
                anon = request_runner(api, "anon", ANON_CLAIMS, sql, params)
                rls = measure(anon, sizes.runs, sizes.warmup)
                superuser = request_runner(su, None, ANON_CLAIMS, sql, params)
                base = measure(superuser, sizes.runs, sizes.warmup)
            report.add(
                name,
                f"{rls.median:.2f}",
                f"{rls.p95:.2f}",
                f"{base.median:.2f}",
                f"{base.p95:.2f}",
                f"{rls.median / base.median:.2f}",
                "yes" if rls.p95 <= 15 and rls.median / base.median <= 1.2 else "NO",
            )
        with step("plans"):
            plans(su, report)


def plans(su: psycopg.Connection, report: Report) -> None:
    plan = explain(su, HOME_SQL, ["sante"])
    used = [line.strip() for line in plan.splitlines() if "Index" in line]
    report.note("home page plan (as anon): " + "; ".join(used))
    plan = explain(
        su,
        "select s.campaign_id from private.campaign_search as s"
        " where s.document @@ private.bilingual_tsquery('ecole')"
        " and s.is_open"
        " order by ts_rank(s.headline, private.bilingual_tsquery('ecole')) desc limit 20",
        [],
        role="postgres",  # the index table is private: anon reads it through private.search_hits
    )
    used = [line.strip() for line in plan.splitlines() if "Index" in line]
    report.note("search plan (matches ranked in the index table): " + "; ".join(used))


HEADER = (
    "query",
    "anon via PostgREST p50 ms",
    "p95 ms",
    "superuser (no RLS) p50 ms",
    "p95 ms",
    "RLS ratio (p50)",
    "target met",
)
