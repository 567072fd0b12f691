-- Payment providers per currency: which provider takes which currency, with
-- its own amount rules, and which one donors get when they do not choose.
-- Stripe (cards) takes every currency we accept. CinetPay (mobile money:
-- Orange Money, MTN, Moov, Wave; and cards) takes whole amounts of XOF, XAF,
-- CDF, GNF and USD, from 100 and a multiple of 5 for the CFA francs; it is the
-- default for the currencies of francophone West and Central Africa.
--
-- Each provider counts amounts in its own unit (provider_exponent: the number
-- of decimals its API counts a currency in), which may differ from the
-- currency's ISO minor unit (public.currencies.exponent): the gateways send
-- and read amounts in that unit (private.provider_exponent, in the payment
-- core), converted by private.to_minor_units.
--
-- A pledge its provider cannot charge (bounds, step, or an amount its unit
-- cannot express) is refused when its payment attempt is written (inside
-- private.create_donation), so before any provider is called and with nothing
-- left behind.
--
-- Providers' fees (public.provider_fees): what a provider keeps of a payment,
-- when its own word does not say. Stripe reports its fee (the charge's balance
-- transaction) and the payment core records that; CinetPay's API reports none,
-- so its commission is a rate in basis points per payment channel, as CinetPay
-- names its "univers" (mobile money, card, wallet), each channel listing the
-- payment_method codes CinetPay's check answers with (OM, MOMO, FLOOZ, WAVECI,
-- VISAM...). private.processor_fee applies it when the payment core credits a
-- payment: in the pledge's currency, rounded up (the platform never counts
-- more than reached it); a method no channel lists takes the provider's
-- highest rate. The fee is written to the ledger as processor_fee and is not
-- given back on refunds (neither provider returns it). Admin-managed; the
-- seeded rates are CinetPay's published commissions, to be set from the
-- merchant contract.

-- Tables -----------------------------------------------------------------------

create table public.provider_currencies (
    provider public.payment_provider not null,
    currency text not null references public.currencies (code) on delete cascade,
    -- bounds in the currency's minor units, on top of the currency's own
    min_amount bigint check (min_amount > 0),
    max_amount bigint check (max_amount > 0),
    -- amounts are a multiple of this, in minor units (5 XOF; 100 cents: whole
    -- dollars); left out, the provider's unit (private.check_provider_rule)
    amount_step bigint not null check (amount_step > 0),
    -- the decimals the provider's API counts this currency in: an amount is sent
    -- as amount * 10^(provider_exponent - currencies.exponent), and one that this
    -- does not express exactly is not payable with this provider
    provider_exponent smallint not null generated always as (
        private.provider_exponent(provider, currency)
    ) stored,
    -- the provider a donor in this currency gets unless they choose
    is_default boolean not null default false,
    active boolean not null default true,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    primary key (provider, currency),
    check (max_amount >= min_amount),
    -- the currencies CinetPay takes
    check (provider <> 'cinetpay' or currency in ('XOF', 'XAF', 'CDF', 'GNF', 'USD'))
);

comment on table public.provider_currencies is
'Which payment provider takes which currency, its amount rules, and the default per currency. Admin-managed.';
comment on column public.provider_currencies.provider_exponent is
'The decimals the provider''s API counts this currency in (private.provider_exponent): amounts are sent as amount * 10^(provider_exponent - currencies.exponent); an amount this does not express exactly is refused (amount_not_payable), and so is a step (amount_step_not_whole).';

create index provider_currencies_currency_idx on public.provider_currencies (currency);
create unique index provider_currencies_one_default_idx on public.provider_currencies (currency)
where is_default;

create table public.provider_fees (
    provider public.payment_provider not null,
    channel text not null check (channel in ('mobile_money', 'card', 'wallet')),
    -- what the provider keeps, in basis points of the payment (350 = 3.5 %)
    fee_bp integer not null check (fee_bp between 0 and 2000),
    -- the provider's payment_method codes of this channel, upper case
    payment_methods text[] not null default '{}' check (
        pg_catalog.array_position(payment_methods, null) is null
        and payment_methods::text = pg_catalog.upper(payment_methods::text)
    ),
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    primary key (provider, channel)
);

comment on table public.provider_fees is
'What a payment provider keeps of a payment, per channel, where the provider does not report it (CinetPay). Applied by private.processor_fee, rounded up; a method no row lists takes the provider''s highest rate. Admin-managed.';

-- Payments still waiting for their provider's word, for reconciliation.
create index payment_attempts_pending_idx on private.payment_attempts (provider, created_at)
where status in ('created', 'open', 'processing');

-- Grants -----------------------------------------------------------------------

revoke all on table public.provider_currencies from anon, authenticated;
grant select on table public.provider_currencies to anon, authenticated;
grant insert, update, delete on table public.provider_currencies to authenticated;
revoke all on table public.provider_fees from anon, authenticated;
grant select, insert, update, delete on table public.provider_fees to authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.provider_currencies enable row level security;

create policy "anyone reads active provider currencies and admins all"
on public.provider_currencies for select to anon, authenticated
using (active or (select private.is_admin()));

create policy "admins add provider currencies"
on public.provider_currencies for insert to authenticated
with check ((select private.is_admin()));

create policy "admins edit provider currencies"
on public.provider_currencies for update to authenticated
using ((select private.is_admin()))
with check ((select private.is_admin()));

create policy "admins remove provider currencies"
on public.provider_currencies for delete to authenticated
using ((select private.is_admin()));

alter table public.provider_fees enable row level security;

create policy "admins read provider fees"
on public.provider_fees for select to authenticated
using ((select private.is_admin()));

create policy "admins add provider fees"
on public.provider_fees for insert to authenticated
with check ((select private.is_admin()));

create policy "admins edit provider fees"
on public.provider_fees for update to authenticated
using ((select private.is_admin()))
with check ((select private.is_admin()));

create policy "admins remove provider fees"
on public.provider_fees for delete to authenticated
using ((select private.is_admin()));

-- Functions --------------------------------------------------------------------

-- The provider a donor in this currency gets unless they choose.
create function private.default_provider(currency text)
returns public.payment_provider
language plpgsql
stable
set search_path = ''
as $$
declare
    chosen public.payment_provider;
begin
    select r.provider into chosen
    from public.provider_currencies as r
    where r.currency = default_provider.currency and r.active
    order by r.is_default desc, r.provider
    limit 1;
    if chosen is null then
        raise exception using
            errcode = 'PT422', message = 'provider_currency_unsupported',
            detail = format('No payment provider takes %s.', currency);
    end if;
    return chosen;
end;
$$;

-- A payment attempt's amount is one its provider can charge: within its
-- bounds, a multiple of its step, and expressible in its unit.
create function private.check_provider_amount()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    rule public.provider_currencies;
    exponent smallint := (select c.exponent from public.currencies as c where c.code = new.currency);
begin
    select * into rule
    from public.provider_currencies as r
    where r.provider = new.provider and r.currency = new.currency and r.active;
    if not found then
        raise exception using
            errcode = 'PT422', message = 'provider_currency_unsupported',
            detail = format('%s does not take payments in %s.', new.provider, new.currency);
    end if;
    if new.amount < rule.min_amount or new.amount > rule.max_amount then
        raise exception using
            errcode = 'PT422', message = 'amount_out_of_bounds',
            detail = format(
                'With %s, a donation in %s is between %s and %s (minor units).',
                new.provider, new.currency, coalesce(rule.min_amount, 1), coalesce(rule.max_amount::text, 'any')
            );
    end if;
    if new.amount % rule.amount_step <> 0 then
        raise exception using
            errcode = 'PT422', message = 'amount_not_payable',
            detail = format(
                'With %s, a donation in %s is a multiple of %s (minor units).',
                new.provider, new.currency, rule.amount_step
            );
    end if;
    if private.to_minor_units(new.amount, exponent, rule.provider_exponent) is null then
        raise exception using
            errcode = 'PT422', message = 'amount_not_payable',
            detail = format(
                '%s counts %s with %s decimals: a donation in %s is a multiple of %s (minor units).',
                new.provider, new.currency, rule.provider_exponent, new.currency,
                (10 ^ (exponent - rule.provider_exponent))::bigint
            );
    end if;
    return new;
end;
$$;

-- A step is expressible in the provider's unit (CinetPay's whole units: a step
-- in dollars is whole dollars), so that the step alone decides what a pledge
-- may be; a step left out is that unit.
create function private.check_provider_rule()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    exponent smallint := (select c.exponent from public.currencies as c where c.code = new.currency);
    -- provider_exponent is computed after this trigger: its definition, then
    provider_exponent smallint := private.provider_exponent(new.provider, new.currency);
    unit bigint := (10 ^ greatest(exponent - provider_exponent, 0))::bigint;
begin
    new.amount_step := coalesce(new.amount_step, unit);
    if private.to_minor_units(new.amount_step, exponent, provider_exponent) is null then
        raise exception using
            errcode = 'PT422', message = 'amount_step_not_whole',
            detail = format(
                '%s counts %s with %s decimals: a step in %s is a multiple of %s (minor units).',
                new.provider, new.currency, provider_exponent, new.currency, unit
            );
    end if;
    return new;
end;
$$;

-- A payment attempt's amount in its provider's unit, as the gateways send it
-- (private.to_minor_units: amount * 10^(provider_exponent - exponent)).
create function private.provider_amount(attempt_id uuid)
returns bigint
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    converted bigint;
begin
    select private.to_minor_units(a.amount, c.exponent, r.provider_exponent) into converted
    from private.payment_attempts as a
    inner join public.currencies as c on a.currency = c.code
    inner join public.provider_currencies as r on a.provider = r.provider and a.currency = r.currency
    where a.id = provider_amount.attempt_id;
    if converted is null then
        raise exception using
            errcode = 'PT422', message = 'amount_not_payable',
            detail = 'This payment''s provider cannot charge its amount.';
    end if;
    return converted;
end;
$$;

comment on function private.provider_amount(uuid) is
'A payment attempt''s amount in its provider''s unit (provider_currencies.provider_exponent), as the gateways send it.';

-- What the provider keeps of a payment of `amount` (minor units) made with
-- `payment_method` (the provider's code), where the provider does not report
-- it: the rate of the channel listing the method, else the provider's highest
-- rate; rounded up. Null when no rate is set for the provider.
create function private.processor_fee(
    provider public.payment_provider, payment_method text, amount bigint
)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
declare
    rate integer;
begin
    select f.fee_bp into rate
    from public.provider_fees as f
    where f.provider = processor_fee.provider
    order by
        pg_catalog.upper(processor_fee.payment_method) = any(f.payment_methods) desc nulls last,
        f.fee_bp desc
    limit 1;
    return pg_catalog.ceil(amount::numeric * rate / 10000)::bigint;
end;
$$;

comment on function private.processor_fee(public.payment_provider, text, bigint) is
'What a provider keeps of a payment it does not report a fee for (public.provider_fees), rounded up; null when no rate is set.';

-- A currency admins add can be paid by card at once (Stripe takes them all).
create function private.offer_cards_for_new_currency()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into public.provider_currencies (provider, currency, is_default)
    values ('stripe', new.code, true)
    on conflict do nothing;
    return null;
end;
$$;

grant execute on function private.default_provider(text) to service_role;
-- authenticated: admins write provider_currencies, whose provider_exponent it computes
grant execute on function private.provider_amount(uuid) to service_role;

-- Triggers ---------------------------------------------------------------------

create trigger payment_attempts_check_provider_amount
before insert or update of provider, currency, amount on private.payment_attempts
for each row execute function private.check_provider_amount();

create trigger currencies_offer_cards
after insert on public.currencies
for each row execute function private.offer_cards_for_new_currency();

create trigger provider_currencies_check_rule
before insert or update on public.provider_currencies
for each row execute function private.check_provider_rule();

create trigger provider_currencies_refuse_banned_writes
before insert or update or delete on public.provider_currencies
for each statement execute function private.refuse_banned_writes();

create trigger provider_currencies_touch_updated_at
before update on public.provider_currencies
for each row execute function private.touch_updated_at();

create trigger provider_fees_refuse_banned_writes
before insert or update or delete on public.provider_fees
for each statement execute function private.refuse_banned_writes();

create trigger provider_fees_touch_updated_at
before update on public.provider_fees
for each row execute function private.touch_updated_at();

-- Data -------------------------------------------------------------------------
-- (after the triggers: private.check_provider_rule gives each row its step)

insert into public.provider_currencies (provider, currency, is_default)
select
    'stripe' as provider,
    c.code as currency,
    c.code not in ('XOF', 'XAF', 'CDF', 'GNF') as is_default
from public.currencies as c;

insert into public.provider_currencies (provider, currency, min_amount, amount_step, is_default)
select
    v.provider::public.payment_provider as provider,
    v.currency,
    v.min_amount,
    v.amount_step,
    v.is_default
from (
    values
    ('cinetpay', 'XOF', 100, 5, true),
    ('cinetpay', 'XAF', 100, 5, true),
    ('cinetpay', 'CDF', 40000, 100, true),
    ('cinetpay', 'GNF', null, 1, true),
    ('cinetpay', 'USD', 100, 100, false)
) as v (provider, currency, min_amount, amount_step, is_default)
inner join public.currencies as c on v.currency = c.code;

insert into public.provider_fees (provider, channel, fee_bp, payment_methods)
values
('cinetpay', 'mobile_money', 350, '{OM,OMCI,OMSN,OMBF,OMML,OMCM,OMGN,MOMO,MOMOCI,MOMOCM,MOMOBJ,MTN,FLOOZ,FLOOZBJ,FLOOZTG,MOOV,TMONEY,WAVECI,WAVESN,WAVE,AIRTEL,FREE,EMONEY}'),
('cinetpay', 'card', 450, '{VISAM,VISA,MASTERCARD,CARD,CREDIT_CARD}'),
('cinetpay', 'wallet', 350, '{WALLET,CPWALLET}');
