-- Quotes and checkout pages, mended after an attacker's review (issue #20).
--
-- Rules:
-- - A tip is checked in numeric (private.check_tip): a tip near the largest
--   amount overflowed bigint (a raw "bigint out of range" instead of
--   tip_out_of_bounds).
-- - An exchange rate is between 0.000001 and 1 000 000 (invalid_exchange_rate):
--   the table keeps 10 decimals, so a smaller rate was stored as 0 (a raw
--   check violation), and a rate near 10^-10 made its inverse 10^10.
-- - Paying in another currency than the campaign's is by card: Stripe is the
--   provider a donor paying in their own currency gets unless they choose
--   (private.default_provider(currency, pay_currency), the one home of that,
--   which private.pay_amount also asks), for checkout and quote alike.
-- - The quote prices what checkout charges: its charge in the donor's
--   currency is private.pay_amount's, so a quote in a currency the provider
--   cannot charge is refused as checkout refuses it (pay_currency_unsupported,
--   amount_not_payable).
-- - The tip is its own line on Stripe's page (private.provider_tip_amount).
-- - The payment page offers the channel the fees were counted for: the service
--   asks private.payment_method_schedule for the schedule the charge is priced
--   by when it lists the donor's payment method (its channel and its methods),
--   and limits the provider's page to them (CinetPay's universe, Paystack's
--   channels).
-- - A conversion beyond the largest amount (10^15 minor units) is
--   amount_out_of_bounds (private.convert), never a bigint overflow.

-- Functions --------------------------------------------------------------------

create or replace function private.check_tip(gift bigint, tip bigint)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    max_bp integer := (select s.tip_max_bp from public.platform_settings as s);
begin
    if tip is null or tip < 0 or tip > 1000000000000000 or tip::numeric * 10000 > gift::numeric * max_bp then
        raise exception using
            errcode = 'PT422', message = 'tip_out_of_bounds',
            detail = pg_catalog.format('A tip is 0 to %s %% of the gift (minor units).', max_bp / 100.0);
    end if;
end;
$$;

-- An admin sets a rate (as in 20261201110100), within bounds the table keeps.
create or replace function public.set_exchange_rate(
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
    if rate is null or rate < 0.000001 or rate > 1000000 or as_of is null
        or as_of > current_date + 1 or as_of < date '2000-01-01' then
        raise exception using
            errcode = 'PT422', message = 'invalid_exchange_rate',
            detail = 'A rate is between 0.000001 and 1000000; its date is not in the future.';
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

-- The provider a donor gets unless they choose: paying in their own currency
-- (pay_currency, not the campaign's) is by card, through Stripe; else the
-- campaign currency's default (private.default_provider(text)).
create function private.default_provider(currency text, pay_currency text)
returns public.payment_provider
language sql
stable
set search_path = ''
as $$
    select case
        when pay_currency is not null and pg_catalog.upper(pay_currency) <> currency
            then 'stripe'::public.payment_provider
        else private.default_provider(currency)
    end
$$;

comment on function private.default_provider(text, text) is
'The provider a donor gets unless they choose: Stripe (cards) when paying in another currency than the campaign''s, else the currency''s default.';

grant execute on function private.default_provider(text, text) to service_role;

-- The charge in the donor's currency (as in 20261201110200), the card rule
-- asked of private.default_provider.
create or replace function private.pay_amount(
    provider public.payment_provider, campaign_currency text, pay_currency text, amount bigint
)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
declare
    charged bigint;
begin
    if pay_currency is null or pg_catalog.upper(pay_currency) = campaign_currency then
        return null;
    end if;
    if provider <> private.default_provider(campaign_currency, pay_currency) or not exists (
        select from public.provider_currencies as r
        where r.provider = pay_amount.provider and r.currency = pg_catalog.upper(pay_currency) and r.active
    ) then
        raise exception using
            errcode = 'PT422', message = 'pay_currency_unsupported',
            detail = 'Paying in another currency than the campaign''s is by card, in a currency it takes.';
    end if;
    charged := private.convert(amount, campaign_currency, pg_catalog.upper(pay_currency));
    if not exists (
        select from public.provider_currencies as r
        where r.provider = pay_amount.provider and r.currency = pg_catalog.upper(pay_currency)
            and charged >= coalesce(r.min_amount, 1) and charged <= coalesce(r.max_amount, charged)
            and charged % r.amount_step = 0
    ) then
        raise exception using
            errcode = 'PT422', message = 'amount_not_payable',
            detail = pg_catalog.format('%s %s cannot be charged by card.', charged, pg_catalog.upper(pay_currency));
    end if;
    return charged;
end;
$$;

-- The fee schedule a pledge's charge is priced by, when it lists the donor's
-- payment method (private.fee_schedule, the same choice as the fees): its
-- channel and the methods priced alike; none when no schedule lists it (the
-- fees were then counted at the costliest).
create function private.payment_method_schedule(
    provider public.payment_provider, currency text, payment_method text, amount bigint
)
returns table (channel text, payment_methods text[])
language sql
stable
security definer
set search_path = ''
as $$
    select s.channel, s.payment_methods
    from private.fee_schedule(provider, currency, payment_method, amount) as s
    where pg_catalog.upper(payment_method) = any(s.payment_methods)
$$;

comment on function private.payment_method_schedule(public.payment_provider, text, text, bigint) is
'The fee schedule a charge is priced by when it lists the payment method (its channel and the methods priced alike), for the service to limit the provider''s payment page to them.';

revoke execute on function private.payment_method_schedule(public.payment_provider, text, text, bigint) from public;
grant execute on function private.payment_method_schedule(public.payment_provider, text, text, bigint) to service_role;

-- A conversion (as in 20261201110100) whose result is beyond the largest
-- amount is refused as out of bounds, never a bigint overflow.
create or replace function private.convert(amount bigint, from_currency text, to_currency text)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
declare
    from_exponent smallint := (select c.exponent from public.currencies as c where c.code = from_currency);
    to_exponent smallint := (select c.exponent from public.currencies as c where c.code = to_currency);
    converted numeric;
begin
    if from_exponent is null or to_exponent is null then
        raise exception using
            errcode = 'PT422', message = 'unknown_currency',
            detail = 'The currency is not one the platform takes.';
    end if;
    converted := pg_catalog.round(
        amount * (private.exchange_rate(from_currency, to_currency)).rate
        * (10::numeric ^ (to_exponent - from_exponent))
    );
    if pg_catalog.abs(converted) > 1000000000000000 then
        raise exception using
            errcode = 'PT422', message = 'amount_out_of_bounds',
            detail = pg_catalog.format('%s %s is beyond the largest amount in %s.', amount, from_currency, to_currency);
    end if;
    return converted::bigint;
end;
$$;

-- The quote (as in 20261201160000): the provider by private.default_provider
-- with the donor's currency, the charge in it by private.pay_amount.
create or replace function public.donation_quote(
    campaign_id uuid,
    amount bigint,
    currency text default null,
    provider text default null,
    tip_amount bigint default 0,
    cover_fees boolean default false,
    payment_method text default null
)
returns public.donation_quote
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id);
    pay_currency text := pg_catalog.upper(coalesce(currency, c.currency));
    chosen public.payment_provider;
    wanted bigint;
    tip bigint;
    gift bigint;
    fees record;
    rate record;
    bp integer := private.campaign_platform_fee_bp(c.id);
    pay_charged bigint;
begin
    if amount is null or amount <= 0 or amount > 1000000000000000 then
        raise exception using
            errcode = 'PT422', message = 'amount_out_of_bounds', detail = 'The amount is a positive number of minor units.';
    end if;
    if tip_amount is not null and (tip_amount < 0 or tip_amount > 1000000000000000) then
        perform private.check_tip(1, tip_amount);
    end if;
    if provider is not null and not provider = any(pg_catalog.enum_range(null::public.payment_provider)::text []) then
        raise exception using
            errcode = 'PT422', message = 'provider_currency_unsupported', detail = 'No such payment provider.';
    end if;
    chosen := coalesce(provider::public.payment_provider, private.default_provider(c.currency, pay_currency));
    if not exists (
        select from public.provider_currencies as r
        where r.provider = chosen and r.currency = c.currency and r.active
    ) then
        raise exception using
            errcode = 'PT422', message = 'provider_currency_unsupported',
            detail = format('%s does not take payments in %s.', chosen, c.currency);
    end if;
    wanted := private.convert(amount, pay_currency, c.currency);
    select * into rate from private.exchange_rate(pay_currency, c.currency);
    tip := private.convert(coalesce(tip_amount, 0), pay_currency, c.currency);
    perform private.check_donation_terms(c, wanted);
    perform private.check_tip(wanted, tip);
    gift := private.pledged_gift(c, chosen, payment_method, wanted, tip, cover_fees);
    perform private.check_donation_terms(c, gift);
    select * into fees from private.donation_fees(chosen, c.currency, payment_method, gift, tip, bp);
    pay_charged := coalesce(private.pay_amount(chosen, c.currency, pay_currency, fees.charged), fees.charged);
    return row(
        c.id, c.currency, chosen, coalesce(cover_fees, false),
        gift, tip, fees.charged, fees.processor_fee, fees.campaign_fee, fees.tip_fee, bp, fees.platform_fee, fees.net,
        pay_currency, pay_charged,
        private.convert(fees.net, c.currency, pay_currency),
        rate.rate, rate.source, rate.as_of
    )::public.donation_quote;
end;
$$;

-- The tip's part of a payment attempt's charge, in its provider's unit and the
-- charge's currency (the donor's when they pay in theirs): the payment page
-- shows it as its own line, never folded into the gift. 0 without a tip.
create function private.provider_tip_amount(attempt_id uuid)
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(
        private.to_minor_units(
            case
                when a.pay_currency is null then d.tip_amount
                else private.convert(d.tip_amount, a.currency, a.pay_currency)
            end,
            c.exponent, private.provider_exponent(a.provider, c.code)
        ),
        0
    )
    from private.payment_attempts as a
    inner join public.donations as d on a.donation_id = d.id
    inner join public.currencies as c on c.code = coalesce(a.pay_currency, a.currency)
    where a.id = provider_tip_amount.attempt_id
$$;

comment on function private.provider_tip_amount(uuid) is
'The tip''s part of an attempt''s charge, in its provider''s unit: the payment page''s own line for the tip.';

revoke execute on function private.provider_tip_amount(uuid) from public;
grant execute on function private.provider_tip_amount(uuid) to service_role;
