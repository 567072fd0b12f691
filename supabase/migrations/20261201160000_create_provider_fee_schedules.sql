-- Providers' fee schedules (issue #20, "Done when": a quote followed by the
-- payment it quoted yields exactly the quoted net).
--
-- Rules:
-- - A row of public.provider_fees is a fee schedule of a provider for one
--   channel, in one currency (or in any currency: currency null). What the
--   provider keeps of a charge of `amount` (minor units of the currency) is
--   private.scheduled_fee, the one home of that arithmetic:
--     (amount * fee_bp / 10000 + fixed_fee when amount >= fixed_fee_from),
--     at most fee_cap, plus tax_bp of it (VAT a provider adds to its fee),
--   rounded up once (the platform never counts more than reached it).
--   A fixed part, its threshold and a cap are amounts of a currency: a row
--   naming no currency has none.
-- - private.processor_fee picks the schedule: the provider's rows for the
--   currency, each channel's own row before its any-currency one; the channel
--   that lists the payment method; else the schedule that keeps the most of
--   this amount (a quote never shows more than the beneficiary receives).
-- - The ledger books the fee the provider reports where it reports one
--   (Stripe, Paystack); the schedule counts it where it does not (CinetPay),
--   and counts it for quotes and covered fees (private.donation_fees,
--   private.gross_up), which now know the currency.
-- - Covered fees with a fixed part from a threshold (Paystack in Nigeria): the
--   net no longer grows with the gift across that threshold (a gift just above
--   it nets less than one just below), so private.gross_up searches each stretch
--   between the schedules' thresholds in turn and keeps the first gift found.
--
-- The schedules seeded here are the providers' published prices:
-- - Paystack, per country (https://support.paystack.com/hc/en-us/articles/360009973579,
--   "Transactions pricing"; Nigeria's waiver and cap:
--   https://paystack.com/faqs, "Transaction Charges"): Nigeria 1.5 % + NGN 100
--   on all local channels, the NGN 100 waived below NGN 2 500, capped at
--   NGN 2 000; Ghana 1.95 % (cards and mobile money); Kenya 2.9 % cards, 1.5 %
--   M-Pesa; South Africa 2.9 % + R1.00 cards, 2 % EFT, VAT exclusive (15 %);
--   Côte d'Ivoire 3.2 % cards, 1.95 % mobile money, VAT exclusive (18 %).
--   Local cards: a card issued abroad costs more (3.1 % to 4.5 %), which the
--   ledger books as Paystack reports it. These replace Paystack's any-currency
--   rows (20261201130000), the highest of its local rates.
-- - Stripe, for a European account
--   (https://support.stripe.com/questions/pricing-updates-for-businesses-based-in-the-european-economic-area-(eea)):
--   in EUR, the international cards' 3.25 % + EUR 0.25, its highest card price
--   (European cards pay 1.5 % to 2.5 % + EUR 0.25: the campaign then nets more
--   than quoted, never less). Other currencies keep the any-currency 2.9 %.
-- Set from the merchant contracts: admins edit the rows.

-- Tables -----------------------------------------------------------------------

alter table public.provider_fees drop constraint provider_fees_pkey;

alter table public.provider_fees
add column id bigint generated always as identity primary key,
add column currency text references public.currencies (code) on delete cascade,
add column fixed_fee bigint not null default 0 check (fixed_fee between 0 and 100000000),
add column fixed_fee_from bigint check (fixed_fee_from > 0),
add column fee_cap bigint check (fee_cap > 0),
add column tax_bp integer not null default 0 check (tax_bp between 0 and 5000),
add constraint provider_fees_amounts_have_a_currency check (
    currency is not null or (fixed_fee = 0 and fixed_fee_from is null and fee_cap is null)
);

create unique index provider_fees_schedule_idx
on public.provider_fees (provider, channel, coalesce(currency, ''));

create index provider_fees_currency_idx on public.provider_fees (currency);

comment on table public.provider_fees is
'Payment providers'' fee schedules, per channel and currency (null: any): private.scheduled_fee reads one, private.processor_fee picks it. Counted where the provider reports no fee (CinetPay), and for quotes and covered fees. Admin-managed.';
comment on column public.provider_fees.currency is
'The currency this schedule prices (null: any currency without its own row for the channel).';
comment on column public.provider_fees.fixed_fee is
'A fixed part per charge, in minor units of the currency (only with a currency).';
comment on column public.provider_fees.fixed_fee_from is
'The fixed part applies to charges of at least this amount (minor units; null: to every charge).';
comment on column public.provider_fees.fee_cap is
'The most the provider keeps of one charge before tax (minor units; null: no cap).';
comment on column public.provider_fees.tax_bp is
'Tax the provider adds to its fee (VAT), in basis points of the fee.';

-- Functions --------------------------------------------------------------------

-- What one schedule keeps of a charge of `amount` (minor units), rounded up once.
create function private.scheduled_fee(
    amount bigint, fee_bp integer, fixed_fee bigint, fixed_fee_from bigint, fee_cap bigint, tax_bp integer
)
returns bigint
language sql
immutable
set search_path = ''
as $$
    select pg_catalog.ceil(
        least(
            amount::numeric * fee_bp / 10000
            + case when amount >= coalesce(fixed_fee_from, 0) then fixed_fee else 0 end,
            fee_cap
        ) * (10000 + tax_bp) / 10000
    )::bigint
$$;

comment on function private.scheduled_fee(bigint, integer, bigint, bigint, bigint, integer) is
'What a fee schedule (a row of public.provider_fees) keeps of a charge: percentage, fixed part from its threshold, cap, then tax; rounded up.';

-- The schedules in effect for a provider's charges in `currency`: one per
-- channel, its own row for the currency before its any-currency one.
create function private.fee_schedules(provider public.payment_provider, currency text)
returns setof public.provider_fees
language sql
stable
set search_path = ''
as $$
    select distinct on (f.channel) f.*
    from public.provider_fees as f
    where
        f.provider = fee_schedules.provider
        and (f.currency = fee_schedules.currency or f.currency is null)
    order by f.channel asc, f.currency asc nulls last
$$;

comment on function private.fee_schedules(public.payment_provider, text) is
'The fee schedules (public.provider_fees) in effect for a provider''s charges in a currency: one per channel, the currency''s own before the any-currency one.';

-- The schedule a charge of `amount` in `currency` paid with `payment_method`
-- (the provider's code) is priced by: the one listing the method, else the
-- costliest for this amount (rules above); none when the provider has none.
create function private.fee_schedule(
    provider public.payment_provider, currency text, payment_method text, amount bigint
)
returns setof public.provider_fees
language sql
stable
set search_path = ''
as $$
    select s.*
    from private.fee_schedules(provider, currency) as s
    order by
        pg_catalog.upper(payment_method) = any(s.payment_methods) desc nulls last,
        private.scheduled_fee(amount, s.fee_bp, s.fixed_fee, s.fixed_fee_from, s.fee_cap, s.tax_bp) desc
    limit 1
$$;

comment on function private.fee_schedule(public.payment_provider, text, text, bigint) is
'The fee schedule a charge is priced by: the one listing its payment method, else the costliest for its amount.';

drop function private.processor_fee(public.payment_provider, text, bigint);

-- What the provider keeps of a charge, by its schedule; null when it has none.
create function private.processor_fee(
    provider public.payment_provider, currency text, payment_method text, amount bigint
)
returns bigint
language sql
stable
set search_path = ''
as $$
    select private.scheduled_fee(amount, s.fee_bp, s.fixed_fee, s.fixed_fee_from, s.fee_cap, s.tax_bp)
    from private.fee_schedule(provider, currency, payment_method, amount) as s
$$;

comment on function private.processor_fee(public.payment_provider, text, text, bigint) is
'What a provider keeps of a charge by its fee schedule (private.fee_schedule); null when it has none.';

drop function private.gross_up(public.payment_provider, text, bigint, bigint, integer, bigint);
drop function private.donation_fees(public.payment_provider, text, bigint, bigint, integer, bigint);

-- Every fee of a payment of gift + tip in `currency`, and what the campaign
-- nets: the one home of the arithmetic, for the ledger (private.credit_donation)
-- and the quote. reported_fee: the provider's own word, else its schedule
-- (private.processor_fee); never below zero nor above the charge.
create function private.donation_fees(
    provider public.payment_provider, currency text, payment_method text, gift bigint, tip bigint,
    platform_fee_bp integer, reported_fee bigint default null,
    out charged bigint, out processor_fee bigint, out campaign_fee bigint, out tip_fee bigint,
    out platform_fee bigint, out net bigint
)
language plpgsql
stable
set search_path = ''
as $$
begin
    charged := gift + coalesce(tip, 0);
    processor_fee := least(greatest(coalesce(
        reported_fee, private.processor_fee(provider, currency, payment_method, charged)
    ), 0), charged);
    select s.campaign_fee, s.tip_fee into campaign_fee, tip_fee
    from private.split_fee(processor_fee, gift, coalesce(tip, 0)) as s;
    platform_fee := private.platform_fee(gift, platform_fee_bp);
    net := gift - campaign_fee - platform_fee;
end;
$$;

-- The smallest charge, in steps of `unit`, between low and high steps (high
-- null: no bound) whose gift (charge less the tip) nets at least `wanted`,
-- where the net grows with the charge; null when none does.
create function private.smallest_charge(
    provider public.payment_provider, currency text, payment_method text, wanted bigint, tip bigint,
    platform_fee_bp integer, unit bigint, low bigint, high bigint
)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
declare
    middle bigint;
begin
    if high is null then  -- doubling: a net grows by at most one minor unit per unit of gift
        high := low;
        while (private.donation_fees(provider, currency, payment_method, high * unit - tip, tip, platform_fee_bp)).net < wanted loop
            low := high + 1;
            high := high * 2;
        end loop;
    elsif low > high or (
        private.donation_fees(provider, currency, payment_method, high * unit - tip, tip, platform_fee_bp)
    ).net < wanted then
        return null;
    end if;
    while low < high loop
        middle := (low + high) / 2;
        if (private.donation_fees(provider, currency, payment_method, middle * unit - tip, tip, platform_fee_bp)).net >= wanted then
            high := middle;
        else
            low := middle + 1;
        end if;
    end loop;
    return high * unit;
end;
$$;

-- Cover fees: the smallest gift whose net reaches `wanted`, with gift + tip a
-- multiple of the provider's step; stretch by stretch between the thresholds
-- of the provider's fixed parts in this currency (rules above).
create function private.gross_up(
    provider public.payment_provider, currency text, payment_method text, wanted bigint, tip bigint,
    platform_fee_bp integer, step bigint
)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
declare
    unit bigint := greatest(coalesce(step, 1), 1);
    low bigint := (wanted + tip + unit - 1) / unit;  -- gift >= wanted
    threshold bigint;
    found bigint;
begin
    for threshold in
        select distinct f.fixed_fee_from from public.provider_fees as f
        where
            f.provider = gross_up.provider and f.currency = gross_up.currency
            and f.fixed_fee > 0 and f.fixed_fee_from > low * unit
        order by f.fixed_fee_from
    loop
        found := private.smallest_charge(
            provider, currency, payment_method, wanted, tip, platform_fee_bp, unit, low, (threshold - 1) / unit
        );
        if found is not null then
            return found - tip;
        end if;
        low := greatest(low, (threshold + unit - 1) / unit);
    end loop;
    return private.smallest_charge(provider, currency, payment_method, wanted, tip, platform_fee_bp, unit, low, null) - tip;
end;
$$;

-- The gift a pledge asks for (as in 20261201110200), its currency now passed on.
create or replace function private.pledged_gift(
    c public.campaigns, provider public.payment_provider, payment_method text, amount bigint, tip bigint,
    cover_fees boolean
)
returns bigint
language sql
stable
set search_path = ''
as $$
    select case
        when not coalesce(cover_fees, false) then amount
        else private.gross_up(
            provider, c.currency, payment_method, amount, tip, private.campaign_platform_fee_bp(c.id),
            (
                select r.amount_step from public.provider_currencies as r
                where r.provider = pledged_gift.provider and r.currency = c.currency
            )
        )
    end
$$;

-- A payment the provider confirms (as in 20261201110200): its fees counted in
-- the donation's currency.
create or replace function private.credit_donation(
    d public.donations, attempt private.payment_attempts, outcome jsonb, occurred_at timestamptz, event_key text
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
    paid bigint := (outcome ->> 'amount')::bigint;
    paid_currency text := pg_catalog.upper(outcome ->> 'currency');
    method text := left(outcome ->> 'payment_method', 40);
    fees record;
    dispute private.payment_disputes;
begin
    if d.status not in ('pending', 'failed', 'canceled') then
        return 'ignored';  -- already credited
    end if;
    if paid_currency is distinct from coalesce(attempt.pay_currency, d.currency) or (
        case
            when attempt.pay_currency is null then paid is distinct from attempt.amount
            else paid is null or (outcome ->> 'pay_amount')::bigint is distinct from attempt.pay_amount
        end
    ) then
        update public.donations as x
        set
            needs_review = format('provider reported %s %s for a charge of %s %s', paid, paid_currency, attempt.amount, x.currency),
            updated_at = pg_catalog.now()
        where x.id = d.id;
        update private.payment_attempts as a
        set
            amount_received = paid, status = 'succeeded', payment_method = coalesce(method, a.payment_method),
            updated_at = pg_catalog.now()
        where a.id = attempt.id;
        return 'mismatch';
    end if;
    if attempt.pay_currency is not null then
        -- what settled, in the campaign's currency: the gift and the tip scaled to it
        update public.donations as x
        set
            amount = paid - (paid * x.tip_amount) / (x.amount + x.tip_amount),
            tip_amount = (paid * x.tip_amount) / (x.amount + x.tip_amount)
        where x.id = d.id
        returning * into d;
        update private.payment_attempts as a set settled_amount = paid where a.id = attempt.id;
    end if;
    select * into fees from private.donation_fees(
        attempt.provider, d.currency, outcome ->> 'payment_method', d.amount, d.tip_amount, d.platform_fee_bp,
        (outcome ->> 'fee')::bigint
    );

    update public.donations as x
    set status = 'succeeded', succeeded_at = coalesce(occurred_at, pg_catalog.now()), updated_at = pg_catalog.now()
    where x.id = d.id
    returning * into d;
    update private.payment_attempts as a
    set
        status = 'succeeded', amount_received = paid, fee_amount = coalesce(fees.processor_fee, a.fee_amount),
        payment_method = coalesce(method, a.payment_method), failure_reason = null, updated_at = pg_catalog.now()
    where a.id = attempt.id;

    perform private.add_ledger_entry(d, 'donation', d.amount, d.id::text);
    perform private.add_ledger_entry(d, 'processor_fee', -coalesce(fees.campaign_fee, 0), d.id::text);
    perform private.add_ledger_entry(d, 'tip', d.tip_amount, d.id::text);
    perform private.add_ledger_entry(d, 'tip_fee', -coalesce(fees.tip_fee, 0), d.id::text);
    perform private.adjust_platform_fee(d, event_key);

    -- What arrived before the payment itself: refunds and disputes.
    if attempt.refunded_amount > 0 then
        d := private.apply_refund(d, attempt.refunded_amount, event_key || ':refund');
    end if;
    for dispute in select * from private.payment_disputes as p where p.donation_id = d.id loop
        d := private.apply_dispute(d, dispute, event_key);
    end loop;
    return 'applied';
end;
$$;

-- The quote (as in 20261201110200): its fees counted in the campaign's currency.
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
    chosen := coalesce(provider::public.payment_provider, private.default_provider(c.currency));
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
    return row(
        c.id, c.currency, chosen, coalesce(cover_fees, false),
        gift, tip, fees.charged, fees.processor_fee, fees.campaign_fee, fees.tip_fee, bp, fees.platform_fee, fees.net,
        pay_currency, private.convert(fees.charged, c.currency, pay_currency),
        private.convert(fees.net, c.currency, pay_currency),
        rate.rate, rate.source, rate.as_of
    )::public.donation_quote;
end;
$$;

-- Data -------------------------------------------------------------------------

delete from public.provider_fees
where provider = 'paystack' and currency is null;

insert into public.provider_fees (
    provider, currency, channel, fee_bp, fixed_fee, fixed_fee_from, fee_cap, tax_bp, payment_methods
)
select
    v.provider::public.payment_provider as provider,
    v.currency,
    v.channel,
    v.fee_bp,
    v.fixed_fee,
    v.fixed_fee_from,
    v.fee_cap,
    v.tax_bp,
    case
        when v.provider = 'stripe' then '{CARD}'
        when v.channel = 'card' then '{CARD,APPLE_PAY}'
        when v.channel = 'mobile_money' then '{MOBILE_MONEY,MPESA,M_PESA}'
        when v.channel = 'bank' then '{BANK,USSD,QR,BANK_TRANSFER,EFT,DEDICATED_NUBAN,PAYATTITUDE}'
    end::text[] as payment_methods
from (
    values
    ('paystack', 'NGN', 'card', 150, 10000, 250000, 200000, 0),
    ('paystack', 'NGN', 'bank', 150, 10000, 250000, 200000, 0),
    ('paystack', 'GHS', 'card', 195, 0, null, null, 0),
    ('paystack', 'GHS', 'mobile_money', 195, 0, null, null, 0),
    ('paystack', 'KES', 'card', 290, 0, null, null, 0),
    ('paystack', 'KES', 'mobile_money', 150, 0, null, null, 0),
    ('paystack', 'ZAR', 'card', 290, 100, null, null, 1500),
    ('paystack', 'ZAR', 'bank', 200, 0, null, null, 1500),
    ('paystack', 'XOF', 'card', 320, 0, null, null, 1800),
    ('paystack', 'XOF', 'mobile_money', 195, 0, null, null, 1800),
    ('stripe', 'EUR', 'card', 325, 25, null, null, 0)
) as v (provider, currency, channel, fee_bp, fixed_fee, fixed_fee_from, fee_cap, tax_bp)
inner join public.currencies as c on v.currency = c.code
on conflict do nothing;
