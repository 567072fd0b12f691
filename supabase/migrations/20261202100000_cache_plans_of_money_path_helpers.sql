-- The money path's small helpers in PL/pgSQL, so that their queries are planned
-- once per session instead of at every call (issue #21, the money path).
--
-- Rule: a helper that the money path calls (private.record_payment_event and
-- what it calls, once or more per payment event) and that carries
-- `set search_path = ''` is written in PL/pgSQL, not SQL. PostgreSQL never
-- inlines a SQL function that has a SET clause, and it parses and plans a SQL
-- function's body again at each call from a new statement (functions.c keeps
-- it only for the calling statement); PL/pgSQL keeps its plans for the session
-- and evaluates a plain expression without the executor. A payment event
-- called about 30 such helpers, each one planned again.
--
-- Each function keeps its name, arguments, defaults, return type, volatility,
-- strictness, SECURITY DEFINER or not, parallel safety and search_path;
-- `create or replace` keeps its grants and comment. Its body is the newest SQL
-- body, word for word, with these PL/pgSQL forms:
-- - a parameter used in a query is qualified by the function's name
--   (in PL/pgSQL a name that is both a column and a parameter is an error,
--   42702; in SQL the column won, and no body here relied on that);
-- - ON CONFLICT names its constraint (a column list there would collide with a
--   parameter of the same name: series, dedupe_key);
-- - a scalar query is `return (select ...)`: each of them returns at most one
--   row (a primary key, platform_settings' one row, fee_schedule's limit 1);
-- - a set-returning one is `return query`; INSERT ... RETURNING goes INTO a
--   variable (null when ON CONFLICT DO NOTHING inserts nothing, as before).
-- One difference no caller sees: the value of a void function (acknowledge_event,
-- notify) is '' from PL/pgSQL where SQL gave null; the service ignores it and SQL
-- callers PERFORM it or return void themselves.
-- tests/test_money_path_helpers.py proves each one equal to its SQL body.
--
-- Left in SQL on purpose: private.is_single_line (check constraints of six
-- tables), private.is_open and private.is_published (generated columns of
-- public.campaigns and private.campaign_search); they are expressions with no
-- query, and a constraint's or a generated column's function is best left as
-- it was validated.

-- Money and fees -----------------------------------------------------------------

create or replace function private.platform_fee(amount bigint, fee_bp integer)
returns bigint
language plpgsql
immutable
set search_path = ''
as $$
begin
    return (amount * fee_bp + 5000) / 10000;
end;
$$;

create or replace function private.scheduled_fee(
    amount bigint, fee_bp integer, fixed_fee bigint, fixed_fee_from bigint, fee_cap bigint, tax_bp integer
)
returns bigint
language plpgsql
immutable
set search_path = ''
as $$
begin
    return pg_catalog.ceil(
        least(
            amount::numeric * fee_bp / 10000
            + case when amount >= coalesce(fixed_fee_from, 0) then fixed_fee else 0 end,
            fee_cap
        ) * (10000 + tax_bp) / 10000
    )::bigint;
end;
$$;

create or replace function private.split_fee(
    fee bigint, gift bigint, tip bigint, out campaign_fee bigint, out tip_fee bigint
)
returns record
language plpgsql
immutable
set search_path = ''
as $$
begin
    campaign_fee := case
        when coalesce(tip, 0) = 0 then fee
        else pg_catalog.ceil(fee::numeric * gift / (gift + tip))::bigint
    end;
    tip_fee := fee - campaign_fee;
end;
$$;

create or replace function private.to_minor_units(value bigint, from_exponent integer, to_exponent integer)
returns bigint
language plpgsql
immutable
set search_path = ''
as $$
begin
    return case
        when to_minor_units.value is null then null
        when to_exponent >= from_exponent then to_minor_units.value * (10 ^ (to_exponent - from_exponent))::bigint
        when to_minor_units.value % (10 ^ (from_exponent - to_exponent))::bigint = 0
            then to_minor_units.value / (10 ^ (from_exponent - to_exponent))::bigint
    end;
end;
$$;

create or replace function private.donation_net(d public.donations)
returns bigint
language plpgsql
immutable
set search_path = ''
as $$
begin
    return case when d.status in ('succeeded', 'partially_refunded', 'refunded') then d.amount else 0 end
        - d.refunded_amount - d.disputed_amount;
end;
$$;

create or replace function private.donation_counts(status public.donation_status, dispute public.dispute_status)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
    return status in ('succeeded', 'partially_refunded') and (dispute is null or dispute = 'won');
end;
$$;

create or replace function private.campaign_platform_fee_bp(campaign_id uuid)
returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    return coalesce(
        (
            select k.platform_fee_bp
            from public.campaigns as c
            inner join public.categories as k on c.category = k.slug
            where c.id = campaign_platform_fee_bp.campaign_id
        ),
        (select s.platform_fee_bp from public.platform_settings as s)
    );
end;
$$;

create or replace function private.fee_schedules(provider public.payment_provider, currency text)
returns setof public.provider_fees
language plpgsql
stable
set search_path = ''
as $$
begin
    return query
    select distinct on (f.channel) f.*
    from public.provider_fees as f
    where
        f.provider = fee_schedules.provider
        and (f.currency = fee_schedules.currency or f.currency is null)
    order by f.channel asc, f.currency asc nulls last;
end;
$$;

create or replace function private.fee_schedule(
    provider public.payment_provider, currency text, payment_method text, amount bigint
)
returns setof public.provider_fees
language plpgsql
stable
set search_path = ''
as $$
begin
    return query
    select s.*
    from private.fee_schedules(fee_schedule.provider, fee_schedule.currency) as s
    order by
        pg_catalog.upper(fee_schedule.payment_method) = any(s.payment_methods) desc nulls last,
        private.scheduled_fee(fee_schedule.amount, s.fee_bp, s.fixed_fee, s.fixed_fee_from, s.fee_cap, s.tax_bp) desc
    limit 1;
end;
$$;

create or replace function private.processor_fee(
    provider public.payment_provider, currency text, payment_method text, amount bigint
)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
begin
    -- fee_schedule returns one row at most (limit 1)
    return (
        select private.scheduled_fee(processor_fee.amount, s.fee_bp, s.fixed_fee, s.fixed_fee_from, s.fee_cap, s.tax_bp)
        from private.fee_schedule(
            processor_fee.provider, processor_fee.currency, processor_fee.payment_method, processor_fee.amount
        ) as s
    );
end;
$$;

create or replace function private.pledged_gift(
    c public.campaigns, provider public.payment_provider, payment_method text, amount bigint, tip bigint,
    cover_fees boolean
)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
begin
    return case
        when not coalesce(pledged_gift.cover_fees, false) then pledged_gift.amount
        else private.gross_up(
            pledged_gift.provider, pledged_gift.c.currency, pledged_gift.payment_method, pledged_gift.amount,
            pledged_gift.tip, private.campaign_platform_fee_bp(pledged_gift.c.id),
            (
                select r.amount_step from public.provider_currencies as r
                where r.provider = pledged_gift.provider and r.currency = pledged_gift.c.currency
            )
        )
    end;
end;
$$;

create or replace function private.format_money(amount bigint, currency text, locale public.locale)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
    -- null for an unknown currency (no row), as the SQL body's empty result
    return (
        select
            case when format_money.amount < 0 then '-' else '' end
            || pg_catalog.regexp_replace(
                (pg_catalog.abs(format_money.amount) / s.scale)::text, '(\d)(?=(\d{3})+$)',
                '\1' || case format_money.locale when 'fr' then U&'\00A0' else ',' end, 'g'
            )
            || case
                when x.exponent > 0 then
                    case format_money.locale when 'fr' then ',' else '.' end
                    || pg_catalog.lpad((pg_catalog.abs(format_money.amount) % s.scale)::text, x.exponent, '0')
                else ''
            end
            || U&'\00A0'
            || case when format_money.currency in ('XOF', 'XAF') then 'FCFA' else format_money.currency end
        from public.currencies as x
        cross join lateral (select (10 ^ x.exponent)::bigint as scale) as s
        where x.code = format_money.currency
    );
end;
$$;

-- Payment events ------------------------------------------------------------------

create or replace function private.payment_event_inbox(
    provider public.payment_provider, event_id text, event_type text, occurred_at timestamptz, livemode boolean,
    payload jsonb
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    inserted_id bigint;
begin
    insert into private.webhook_events (provider, event_id, event_type, occurred_at, livemode, payload)
    values (
        payment_event_inbox.provider, payment_event_inbox.event_id, payment_event_inbox.event_type,
        payment_event_inbox.occurred_at, payment_event_inbox.livemode, payment_event_inbox.payload
    )
    on conflict do nothing
    returning id into inserted_id;
    return inserted_id;
end;
$$;

create or replace function private.acknowledge_event(provider public.payment_provider, event_id text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    update private.webhook_events as w
    set acknowledged_at = pg_catalog.now()
    where w.provider = acknowledge_event.provider and w.event_id = acknowledge_event.event_id;
end;
$$;

create or replace function private.outcome_is_incomplete(kind text, outcome jsonb)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
    return (kind = 'refund' and outcome ->> 'refunded_total' is null)
        or (kind = 'dispute' and (
            outcome ->> 'dispute_amount' is null or (outcome ->> 'dispute_amount')::bigint <= 0
            or outcome ->> 'dispute_ref' is null
            or outcome ->> 'dispute_status' is null or outcome ->> 'dispute_status' not in ('open', 'won', 'lost')
        ));
end;
$$;

create or replace function private.payment_reference(attempt private.payment_attempts)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
    return case
        when attempt.provider in ('cinetpay', 'paystack') then attempt.id::text
        else coalesce(attempt.payment_ref, attempt.charge_ref, attempt.session_ref)
    end;
end;
$$;

create or replace function private.provider_needs_email(provider public.payment_provider)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
    -- Paystack's initialize: `email` is required (https://paystack.com/docs/api/transaction/#initialize)
    return provider = 'paystack';
end;
$$;

create or replace function private.take_receipt_number(series text, at timestamptz default pg_catalog.now())
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
    receipt_number text;
begin
    insert into private.receipt_counters as c (series, issue_year, last_number)
    values (
        take_receipt_number.series,
        pg_catalog.date_part('year', take_receipt_number.at at time zone 'UTC')::integer, 1
    )
    on conflict on constraint receipt_counters_pkey do update set last_number = c.last_number + 1
    returning c.series || '-' || c.issue_year::text || '-' || pg_catalog.lpad(c.last_number::text, 6, '0')
    into receipt_number;
    return receipt_number;
end;
$$;

-- Messages ------------------------------------------------------------------------

create or replace function private.donor_locale(d public.donations)
returns public.locale
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    return coalesce(
        (select f.locale from public.profiles as f where f.id = donor_locale.d.donor_id),
        donor_locale.d.locale, 'fr'::public.locale
    );
end;
$$;

create or replace function private.campaign_payload(c public.campaigns)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    return pg_catalog.jsonb_build_object(
        'campaign_title', c.title, 'campaign_slug', c.slug, 'currency', c.currency,
        'goal_amount', c.goal_amount, 'collected_amount', c.collected_amount
    );
end;
$$;

create or replace function private.campaign_path(slug text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
    return '/c/' || slug;
end;
$$;

create or replace function private.site_link(path text)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
    -- platform_settings has one row (its key is the constant true)
    return (select s.site_url || site_link.path from public.platform_settings as s);
end;
$$;

create or replace function private.format_time(at timestamptz, locale public.locale)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
    return pg_catalog.to_char(
        format_time.at at time zone 'UTC',
        case format_time.locale when 'fr' then 'DD/MM/YYYY "à" HH24:MI "UTC"' else 'FMMonth DD, YYYY, HH24:MI "UTC"' end
    );
end;
$$;

create or replace function private.to_single_line(value text)
returns text
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
begin
    return pg_catalog.regexp_replace(to_single_line.value, '[\x01-\x1f\x7f-\x9f\u2028\u2029]+', ' ', 'g');
end;
$$;

create or replace function private.notify(
    recipients uuid[], kind public.notification_kind, campaign_id uuid, payload jsonb, dedupe_key text
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into public.notifications (user_id, kind, campaign_id, payload, dedupe_key)
    select distinct r.user_id, notify.kind, notify.campaign_id, notify.payload, notify.dedupe_key
    from pg_catalog.unnest(notify.recipients) as r (user_id)
    where r.user_id is not null
    on conflict on constraint notifications_user_id_dedupe_key_key do nothing;
end;
$$;
