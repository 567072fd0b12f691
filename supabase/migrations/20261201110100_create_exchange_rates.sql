-- Exchange rates (issue #20, giving from abroad): what a donor's currency is
-- worth in a campaign's, for the quote shown before paying.
--
-- Rules:
-- - EUR<->XOF and EUR<->XAF are fixed parities (1 EUR = 655.957 francs CFA,
--   both francs at par with each other): private.fixed_parity is their one
--   home; operators cannot override them.
-- - Any other pair comes from public.exchange_rates, which admins update from
--   the console (`cagnotte-admin rates set`) through public.set_exchange_rate,
--   each rate with the date it is valid for (as_of) shown in the quote; a pair
--   is read in either direction (the inverse rate of its reverse row).
-- - A pair with no rate is refused (exchange_rate_missing), never guessed.
-- - private.convert is the one conversion rule: amount * rate, in the target
--   currency's minor units (public.currencies.exponent), rounded half up.
-- Everyone reads the rates (anon too: the quote shows them); only admins write.

-- Tables -----------------------------------------------------------------------

create table public.exchange_rates (
    base_currency text not null references public.currencies (code) on delete cascade,
    quote_currency text not null references public.currencies (code) on delete cascade,
    -- 1 unit of base_currency is worth `rate` units of quote_currency (major units)
    rate numeric(20, 10) not null check (rate > 0),
    -- the day the rate is valid for, shown in quotes
    as_of date not null,
    origin text check (pg_catalog.char_length(origin) between 1 and 200),
    updated_at timestamptz not null default pg_catalog.now(),
    primary key (base_currency, quote_currency),
    check (base_currency <> quote_currency)
);

comment on table public.exchange_rates is
'Exchange rates between currencies other than the fixed parities (EUR<->XOF, EUR<->XAF): 1 base_currency = rate quote_currency, valid on as_of; origin: where the rate comes from. Everyone reads; admins write through public.set_exchange_rate, whose audit entry names who set it (never shown here: the public would learn who the admins are).';

create index exchange_rates_quote_currency_idx on public.exchange_rates (quote_currency);

-- Grants -----------------------------------------------------------------------

revoke all on table public.exchange_rates from anon, authenticated;
grant select on table public.exchange_rates to anon, authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.exchange_rates enable row level security;

create policy "anyone reads the exchange rates"
on public.exchange_rates for select to anon, authenticated
using (true);

-- Functions --------------------------------------------------------------------

-- The fixed parities: 1 EUR = 655.957 XOF = 655.957 XAF (the CFA francs'
-- pegs to the euro; XOF and XAF at par). Null for any other pair.
create function private.fixed_parity(from_currency text, to_currency text)
returns numeric
language sql
immutable
set search_path = ''
as $$
    select case
        when from_currency = 'EUR' and to_currency in ('XOF', 'XAF') then 655.957
        when from_currency in ('XOF', 'XAF') and to_currency = 'EUR' then 1 / 655.957
        when from_currency in ('XOF', 'XAF') and to_currency in ('XOF', 'XAF') then 1
    end
$$;

comment on function private.fixed_parity(text, text) is
'The fixed parities (EUR<->XOF and EUR<->XAF at 655.957, XOF<->XAF at par); null for other pairs.';

-- The fixed parities, one row per pair (for the console and the frontend).
create function public.fixed_parities()
returns table (base_currency text, quote_currency text, rate numeric)
language sql
stable
security definer
set search_path = ''
as $$
    select a.code, b.code, private.fixed_parity(a.code, b.code)
    from public.currencies as a
    cross join public.currencies as b
    where a.code < b.code and private.fixed_parity(a.code, b.code) is not null
    order by a.code, b.code
$$;

comment on function public.fixed_parities() is
'The fixed parities (1 base_currency = rate quote_currency), which no one sets: EUR<->XOF, EUR<->XAF at 655.957, XAF<->XOF at par.';

grant execute on function public.fixed_parities() to anon, authenticated;

-- The rate from one currency to another (major units), where it comes from
-- (same, fixed_parity, rates_table) and its date (null unless from the
-- table). exchange_rate_missing when none is known.
create function private.exchange_rate(
    from_currency text, to_currency text, out rate numeric, out source text, out as_of date
)
language plpgsql
stable
set search_path = ''
as $$
begin
    if from_currency = to_currency then
        rate := 1;
        source := 'same';
        return;
    end if;
    rate := private.fixed_parity(from_currency, to_currency);
    if rate is not null then
        source := 'fixed_parity';
        return;
    end if;
    select r.rate, r.as_of into rate, as_of
    from public.exchange_rates as r
    where r.base_currency = from_currency and r.quote_currency = to_currency;
    if rate is null then
        select 1 / r.rate, r.as_of into rate, as_of
        from public.exchange_rates as r
        where r.base_currency = to_currency and r.quote_currency = from_currency;
    end if;
    if rate is null then
        raise exception using
            errcode = 'PT422', message = 'exchange_rate_missing',
            detail = format('No exchange rate is known from %s to %s.', from_currency, to_currency);
    end if;
    source := 'rates_table';
end;
$$;

-- The one conversion rule: an amount in from_currency's minor units, in
-- to_currency's minor units at private.exchange_rate, rounded half up.
create function private.convert(amount bigint, from_currency text, to_currency text)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
declare
    from_exponent smallint := (select c.exponent from public.currencies as c where c.code = from_currency);
    to_exponent smallint := (select c.exponent from public.currencies as c where c.code = to_currency);
begin
    if from_exponent is null or to_exponent is null then
        raise exception using
            errcode = 'PT422', message = 'unknown_currency',
            detail = 'The currency is not one the platform takes.';
    end if;
    return pg_catalog.round(
        amount * (private.exchange_rate(from_currency, to_currency)).rate
        * (10::numeric ^ (to_exponent - from_exponent))
    )::bigint;
end;
$$;

comment on function private.convert(bigint, text, text) is
'The one conversion rule: minor units of one currency in another''s, at private.exchange_rate (fixed parity or the rates table), rounded half up.';

-- An admin sets the rate of a pair (either direction replaces the other) with
-- the date it is valid for. A fixed parity cannot be set (fixed_parity).
create function public.set_exchange_rate(
    base_currency text, quote_currency text, rate numeric, as_of date default current_date, origin text default null
)
returns public.exchange_rates
language plpgsql
security definer
set search_path = ''
as $$
declare
    r public.exchange_rates;
begin
    if not private.is_admin() then
        raise exception using
            errcode = 'PT403', message = 'admin_only', detail = 'Only an admin sets exchange rates.';
    end if;
    if not exists (select from public.currencies as c where c.code = base_currency)
        or not exists (select from public.currencies as c where c.code = quote_currency)
        or base_currency = quote_currency then
        raise exception using
            errcode = 'PT422', message = 'unknown_currency',
            detail = 'Both currencies are ones the platform takes, and differ.';
    end if;
    if private.fixed_parity(base_currency, quote_currency) is not null then
        raise exception using
            errcode = 'PT422', message = 'fixed_parity',
            detail = format('%s and %s are at a fixed parity; it cannot be set.', base_currency, quote_currency);
    end if;
    if rate is null or rate <= 0 or rate >= 10000000000 or as_of is null
        or as_of > current_date + 1 or as_of < date '2000-01-01' then
        raise exception using
            errcode = 'PT422', message = 'invalid_exchange_rate',
            detail = 'A rate is positive and below 10^10; its date is not in the future.';
    end if;
    delete from public.exchange_rates as x
    where x.base_currency = set_exchange_rate.quote_currency and x.quote_currency = set_exchange_rate.base_currency;
    insert into public.exchange_rates as x (base_currency, quote_currency, rate, as_of, origin)
    values (base_currency, quote_currency, rate, as_of, nullif(pg_catalog.btrim(origin), ''))
    on conflict on constraint exchange_rates_pkey do update
    set rate = excluded.rate, as_of = excluded.as_of, origin = excluded.origin,
        updated_at = pg_catalog.now()
    returning * into r;
    perform private.audit(
        'set_exchange_rate', 'exchange_rate', base_currency || '/' || quote_currency,
        pg_catalog.jsonb_build_object('rate', rate, 'as_of', as_of, 'origin', r.origin)
    );
    return r;
end;
$$;

comment on function public.set_exchange_rate(text, text, numeric, date, text) is
'Admins: the rate of a currency pair (1 base_currency = rate quote_currency) valid on as_of; not for the fixed parities (EUR<->XOF, EUR<->XAF).';

grant execute on function public.set_exchange_rate(text, text, numeric, date, text) to authenticated;
