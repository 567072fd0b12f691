"""The bench's data at scale: campaigns through the real triggers, their donations
through a set-based bulk path, and the proof that the bulk path leaves the state
the real money path leaves.

Every campaign is a number i and a prefix: its id is md5(prefix || i), and its
text, goal, currency, dates and donations are drawn from i alone (hashtext, not
random()), so that two campaigns of one number and two prefixes are twins.

- Campaigns: `insert … select from generate_series` into public.campaigns, every
  trigger on (the search index private.campaign_search, typo words, status
  history, slug, funded status).
- Donations: the plan of campaign i is 11 or 12 succeeded donations (10 per
  campaign on average, counting the drafts and campaigns in review, which get
  none), amounts and payment times drawn from i.
  - real path (`donate_for_real`): private.create_donation, then the Stripe
    checkout.session.completed outcome through private.record_payment_event as
    service_role, what the webhook service runs;
  - bulk path (`donate_in_bulk`): set-based inserts into public.donations,
    private.payment_attempts, private.ledger_entries (donation, processor fee,
    platform fee: fees from private.donation_fees and the platform fee rate from
    private.campaign_platform_fee_bp, once per distinct value) and
    private.campaign_daily_totals, with the row triggers and foreign-key checks
    off for those inserts only (session_replication_role = replica: the
    constraints are checked afterwards by `dangling_references`), then one UPDATE of
    the campaigns' totals with every trigger on (funded status, goal_reached_at,
    status history, notifications).
  What the bulk path does not write: the per-event messaging of the real path
  (receipts, notifications of each gift, e-mail outbox, webhook_events rows).
- `fingerprint` / `differences`: per campaign number, everything either path
  derives (campaign totals and status, its search row, status history, daily
  totals per day, ledger per kind, donations and payment attempts summed,
  private.check_ledger() rows): a sample loaded both ways must match exactly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid

import psycopg
from psycopg.types.json import Jsonb

OWNERS = 5_000  # campaign owners, at most one per campaign

OWNERS_SQL = """
insert into auth.users (id, aud, role, email, raw_user_meta_data, created_at, updated_at)
select
    md5('bench-owner-' || k)::uuid, 'authenticated', 'authenticated', 'owner' || k || '@bench.example.test',
    jsonb_build_object('full_name', 'Créateur ' || k), now(), now()
from generate_series(1, %(owners)s) as k
on conflict do nothing
"""

# Campaign i: drafts (i % 20 = 0) and campaigns in review (1) unpublished; the
# others active, published 5 to 154 days before the anchor; 2 and 3 expire once
# their donations are in (`EXPIRE_SQL`).
CAMPAIGNS_SQL = """
with
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
            1 + abs(hashtext('w1:' || i)) %% 25 as w1, 1 + abs(hashtext('w2:' || i)) %% 25 as w2,
            1 + abs(hashtext('city:' || i)) %% 20 as ci, abs(hashtext('goal:' || i)) %% 20 as g,
            %(anchor)s::timestamptz - make_interval(days => 5 + i %% 150) as published
        from generate_series(%(first)s::int, %(last)s::int) as i
    )
insert into public.campaigns (
    id, owner_id, title, summary, story, tags, category, country, city, goal_amount, currency,
    status, published_at, starts_at, ends_at
)
select
    md5(%(prefix)s || d.i)::uuid,
    md5('bench-owner-' || (1 + d.i %% %(owners)s))::uuid,
    initcap(v.w[d.w1]) || ' et ' || v.w[d.w2] || ' à ' || v.city[d.ci] || ' n°' || d.i,
    'Aidez-nous : ' || v.w[d.w1] || ' pour une famille de ' || v.city[d.ci] || '.',
    repeat('Notre histoire commence à ' || v.city[d.ci] || ' où le besoin de ' || v.w[d.w2]
        || ' est grand. Chaque don compte pour nous. ', 4),
    array[v.w[d.w2], lower(v.city[d.ci])],
    v.cat[1 + (d.i %% 11)],
    v.country[1 + (d.i %% 10)],
    v.city[d.ci],
    case when d.i %% 10 = 0 then 10000 else 25000 end * (1 + d.g),
    case when d.i %% 10 = 0 then 'EUR' when d.i %% 10 = 1 then 'XAF' else 'XOF' end,
    (case d.i %% 20 when 0 then 'draft' when 1 then 'pending_review' else 'active' end)
        ::public.campaign_status,
    case when d.i %% 20 >= 2 then d.published end,
    case when d.i %% 20 >= 2 then d.published end,
    case when d.i %% 20 >= 2 then d.published + interval '170 days'
         else %(anchor)s::timestamptz + interval '60 days' end
from draws as d, vocab as v
"""

EXPIRE_SQL = """
update public.campaigns
set status = 'expired',
    starts_at = %(anchor)s::timestamptz - interval '60 days',
    ends_at = %(anchor)s::timestamptz - interval '1 day'
where id in (
    select md5(%(prefix)s || i)::uuid from generate_series(%(first)s::int, %(last)s::int) as i
    where i %% 20 in (2, 3)
)
"""

# The donations of campaigns first..last: 11, or 12 when i % 9 = 0, for each
# published one; paid between its publication and the anchor.
PLAN_SQL = """
select
    md5(%(prefix)s || i)::uuid as campaign_id,
    md5(%(prefix)s || i || ':' || j)::uuid as donation_id,
    case when i %% 10 = 0 then 500 else 1000 end * (1 + abs(hashtext(i || ':' || j)) %% 20) as amount,
    case when i %% 10 = 0 then 'EUR' when i %% 10 = 1 then 'XAF' else 'XOF' end as currency,
    %(anchor)s::timestamptz - make_interval(days => 5 + i %% 150)
        + make_interval(secs => (5 + i %% 150) * 86400.0 * j / (n + 1)) as paid_at
from generate_series(%(first)s::int, %(last)s::int) as i,
    lateral (select 11 + (i %% 9 = 0)::int as n) as k,
    lateral generate_series(1, k.n) as j
where i %% 20 >= 2
"""

PROVIDER = "stripe"

# The bulk path, statement by statement, over one chunk of campaigns. The plan
# and the fees go to temporary tables first: fees and platform fee rates are
# asked of the project's own functions once per distinct value.
BULK_STEPS = (
    "create temporary table bulk_plan on commit drop as " + PLAN_SQL,
    """
    create temporary table bulk_rate on commit drop as
    select c.campaign_id, private.campaign_platform_fee_bp(c.campaign_id) as bp
    from (select distinct campaign_id from bulk_plan) as c
    """,
    """
    create temporary table bulk_fee on commit drop as
    select v.currency, v.amount, v.bp, f.processor_fee, f.campaign_fee, f.platform_fee
    from (
        select distinct p.currency, p.amount, r.bp
        from bulk_plan as p inner join bulk_rate as r using (campaign_id)
    ) as v,
    lateral private.donation_fees(%(provider)s, v.currency, null, v.amount, 0, v.bp) as f
    """,
    """
    create temporary table bulk_gift on commit drop as
    select p.*, r.bp, f.processor_fee, f.campaign_fee, f.platform_fee
    from bulk_plan as p
    inner join bulk_rate as r using (campaign_id)
    inner join bulk_fee as f on (f.currency, f.amount, f.bp) = (p.currency, p.amount, r.bp)
    """,
    "set local session_replication_role = replica",
    """
    insert into public.donations (
        id, campaign_id, amount, currency, status, platform_fee_bp, created_at, succeeded_at, updated_at
    )
    select donation_id, campaign_id, amount, currency, 'succeeded', bp, paid_at, paid_at, paid_at
    from bulk_gift
    """,
    """
    insert into private.payment_attempts (
        donation_id, provider, status, session_ref, amount, currency, amount_received, fee_amount,
        last_event_at, created_at, updated_at
    )
    select
        donation_id, %(provider)s, 'succeeded', 'cs_bulk_' || donation_id, amount, currency, amount,
        processor_fee, paid_at, paid_at, paid_at
    from bulk_gift
    """,
    """
    insert into private.ledger_entries (campaign_id, donation_id, kind, amount, currency, idempotency_key, created_at)
    select g.campaign_id, g.donation_id, e.kind::private.ledger_kind, e.amount, g.currency, e.idempotency_key, g.paid_at
    from bulk_gift as g,
    lateral (values
        ('donation', g.amount, g.donation_id::text),
        ('processor_fee', -g.campaign_fee, g.donation_id::text),
        ('platform_fee', -g.platform_fee, 'bulk:' || g.donation_id || ':fee0')
    ) as e (kind, amount, idempotency_key)
    where e.amount <> 0
    """,
    """
    insert into private.campaign_daily_totals as t (campaign_id, day, slot, donation_count, amount)
    select campaign_id, (paid_at at time zone 'UTC')::date, 0, count(*), sum(amount)
    from bulk_gift
    group by 1, 2
    on conflict (campaign_id, day, slot) do update
    set donation_count = t.donation_count + excluded.donation_count, amount = t.amount + excluded.amount
    """,
    "set local session_replication_role = origin",
    """
    update public.campaigns as c
    set collected_amount = c.collected_amount + g.amount, donor_count = c.donor_count + g.n
    from (select campaign_id, sum(amount) as amount, count(*) as n from bulk_gift group by 1) as g
    where c.id = g.campaign_id
    """,
)


def params(prefix: str, first: int, last: int, anchor: dt.datetime) -> dict:
    return {"prefix": prefix, "first": first, "last": last, "anchor": anchor,
            "owners": OWNERS, "provider": PROVIDER}  # fmt: skip


def anchor_now() -> dt.datetime:
    """The instant every generated date counts from (twins loaded apart stay twins)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def add_owners(conn: psycopg.Connection) -> None:
    conn.execute(OWNERS_SQL, {"owners": OWNERS})


def add_campaigns(conn: psycopg.Connection, prefix: str, first: int, last: int, anchor) -> None:
    """Campaigns first..last through every trigger of public.campaigns."""
    conn.execute(CAMPAIGNS_SQL, params(prefix, first, last, anchor))


def expire(conn: psycopg.Connection, prefix: str, first: int, last: int, anchor) -> None:
    conn.execute(EXPIRE_SQL, params(prefix, first, last, anchor))


def donate_in_bulk(superuser_url: str, prefix: str, first: int, last: int, anchor) -> int:
    """The donations of campaigns first..last, set-based, in one transaction (as
    supabase_admin: session_replication_role). Returns the donations added."""
    with psycopg.connect(superuser_url) as conn, conn.transaction():
        values = params(prefix, first, last, anchor)
        for sql in BULK_STEPS:
            conn.execute(sql, values if "%(" in sql else None)
        return conn.execute("select count(*) from bulk_gift").fetchone()[0]


def donate_for_real(url: str, prefix: str, first: int, last: int, anchor) -> int:
    """The same plan one donation at a time, through what the webhook service runs."""
    with psycopg.connect(url, autocommit=True) as conn:
        plan = conn.execute(PLAN_SQL, params(prefix, first, last, anchor)).fetchall()
        for campaign_id, _id, amount, currency, paid_at in plan:
            pay(conn, campaign_id, amount, currency, paid_at)
    return len(plan)


def pay(conn: psycopg.Connection, campaign_id, amount: int, currency: str, paid_at) -> None:
    """One pledge, its checkout session, and the provider's word that it was paid."""
    pledge = conn.execute(
        "select private.create_donation(%s, %s, %s, %s)", [campaign_id, amount, currency, PROVIDER]
    ).fetchone()[0]
    session = f"cs_real_{pledge['attempt_id']}"
    conn.execute(
        "update private.payment_attempts set session_ref = %s, status = 'open' where id = %s",
        [session, pledge["attempt_id"]],
    )
    outcome = {
        "kind": "payment", "status": "succeeded", "amount": pledge["amount"], "currency": currency,
        "amount_exponent": 2 if currency == "EUR" else 0, "session_ref": session,
        "donation_id": pledge["donation_id"], "attempt_id": pledge["attempt_id"],
    }  # fmt: skip
    event_id = f"evt_{uuid.uuid4().hex}"
    conn.execute("set role service_role")
    result = conn.execute(
        "select private.record_payment_event(%s, %s, 'checkout.session.completed', %s, false, %s, %s)",
        [PROVIDER, event_id, paid_at, Jsonb({"id": session}), Jsonb(outcome)],
    ).fetchone()[0]
    conn.execute("select private.acknowledge_event(%s, %s)", [PROVIDER, event_id])
    conn.execute("reset role")
    assert result["outcome"] == "applied", result


def load_both_ways(url: str, superuser_url: str, first: int, last: int, anchor,
                   real: str = "real-", bulk: str = "bulk-") -> tuple[int, int]:  # fmt: skip
    """Twin campaigns first..last under two prefixes, one donated to for real, the
    other in bulk; then both expire alike. (real donations, bulk donations)"""
    with psycopg.connect(url, autocommit=True) as conn:
        add_owners(conn)
        add_campaigns(conn, real, first, last, anchor)
        add_campaigns(conn, bulk, first, last, anchor)
    counted = (
        donate_for_real(url, real, first, last, anchor),
        donate_in_bulk(superuser_url, bulk, first, last, anchor),
    )
    with psycopg.connect(url, autocommit=True) as conn:
        expire(conn, real, first, last, anchor)
        expire(conn, bulk, first, last, anchor)
    return counted


# What either path derives for campaign i under a prefix, ids and clocks left out.
FINGERPRINT_SQL = """
with c as (select * from public.campaigns where id = md5(%(prefix)s || %(i)s)::uuid)
select jsonb_build_object(
    'campaign', (select jsonb_build_object(
        'collected_amount', c.collected_amount, 'donor_count', c.donor_count, 'status', c.status,
        'progress_bp', c.progress_bp, 'goal_reached', c.goal_reached_at is not null,
        'published_at', c.published_at, 'title', c.title, 'slug', left(c.slug, -9)) from c),
    'search', (select jsonb_build_object(
        'status', s.status, 'is_open', s.is_open, 'category', s.category, 'country', s.country,
        'published_at', s.published_at, 'headline', s.headline::text, 'document', s.document::text)
        from private.campaign_search as s, c where s.campaign_id = c.id),
    'status_history', (select jsonb_agg(jsonb_build_array(h.from_status, h.to_status) order by h.id)
        from public.campaign_status_history as h, c where h.campaign_id = c.id),
    'daily_totals', (select jsonb_object_agg(t.day, jsonb_build_array(t.n, t.amount)) from (
        select t.day, sum(t.donation_count) as n, sum(t.amount) as amount
        from private.campaign_daily_totals as t, c where t.campaign_id = c.id group by t.day) as t),
    'ledger', (select jsonb_object_agg(l.kind, jsonb_build_array(l.n, l.amount)) from (
        select e.kind, count(*) as n, sum(e.amount) as amount
        from private.ledger_entries as e, c where e.campaign_id = c.id group by e.kind) as l),
    'donations', (select jsonb_agg(jsonb_build_array(
            d.status, d.amount, d.currency, d.platform_fee_bp, d.succeeded_at, d.refunded_amount,
            d.tip_amount, a.provider, a.status, a.amount, a.amount_received, a.fee_amount)
            order by d.succeeded_at, d.amount)
        from public.donations as d
        inner join private.payment_attempts as a on a.donation_id = d.id, c
        where d.campaign_id = c.id)
)
"""


def fingerprint(conn: psycopg.Connection, prefix: str, i: int, drift: dict) -> dict:
    """drift: private.check_ledger()'s rows by campaign id (one call for all)."""
    found = conn.execute(FINGERPRINT_SQL, {"prefix": prefix, "i": i}).fetchone()[0]
    found["check_ledger"] = drift.get(uuid.UUID(hashlib.md5(f"{prefix}{i}".encode()).hexdigest()))
    return found


def differences(conn: psycopg.Connection, first: int, last: int,
                real: str = "real-", bulk: str = "bulk-") -> list[str]:  # fmt: skip
    """Where the bulk twin of a campaign differs from the real one: one line per
    campaign number and part (empty: the same state)."""
    drift = dict(conn.execute(
        "select k.campaign_id, to_jsonb(k) - 'campaign_id' from private.check_ledger() as k"
    ).fetchall())  # fmt: skip
    found = []
    for i in range(first, last + 1):
        a, b = fingerprint(conn, real, i, drift), fingerprint(conn, bulk, i, drift)
        if a["campaign"] is None:
            found.append(f"campaign {i}: no real twin")
        found += [
            f"campaign {i}, {part}: real {json.dumps(a[part])[:300]} bulk {json.dumps(b[part])[:300]}"
            for part in a
            if a[part] != b[part]
        ]
    return found


# Every foreign key the bulk inserts skipped, checked afterwards (one anti-join each).
DANGLING_SQL = """
select
    (select count(*) from public.donations as d
     where not exists (select from public.campaigns as c where c.id = d.campaign_id))
    + (select count(*) from private.payment_attempts as a
       where not exists (select from public.donations as d where d.id = a.donation_id))
    + (select count(*) from private.ledger_entries as e
       where not exists (select from public.campaigns as c where c.id = e.campaign_id)
          or (e.donation_id is not null
              and not exists (select from public.donations as d where d.id = e.donation_id)))
    + (select count(*) from private.campaign_daily_totals as t
       where not exists (select from public.campaigns as c where c.id = t.campaign_id))
"""


def dangling_references(conn: psycopg.Connection) -> int:
    return conn.execute(DANGLING_SQL).fetchone()[0]


def in_chunks(first: int, last: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size - 1, last)) for a in range(first, last + 1, size)]


def load_chunk(url: str, superuser_url: str, first: int, last: int, anchor,
               prefix: str = "c") -> tuple[int, dict[str, float]]:  # fmt: skip
    """Campaigns first..last through the triggers, their donations in bulk, then
    expiry; (donations added, seconds per step).
    A deadlock between two loading streams (search words both learn) retries the
    campaigns' insert."""
    began = time.perf_counter()
    for attempt in range(5):
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                add_campaigns(conn, prefix, first, last, anchor)
            break
        except psycopg.errors.DeadlockDetected:
            if attempt == 4:
                raise
    campaigns_done = time.perf_counter()
    added = donate_in_bulk(superuser_url, prefix, first, last, anchor)
    donations_done = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        expire(conn, prefix, first, last, anchor)
    return added, {
        "campaigns": campaigns_done - began,
        "donations": donations_done - campaigns_done,
        "expiry": time.perf_counter() - donations_done,
    }
