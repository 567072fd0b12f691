-- The payment core: pledges (donations), the provider's payment attempts, a
-- provider-neutral webhook inbox and an append-only ledger. The database owns
-- every money rule; the webhooks service verifies a provider's message,
-- translates it into a neutral outcome and calls private.record_payment_event.
--
-- Donation states: pending -> succeeded | failed | canceled (abandoned or
-- expired checkout); failed or canceled -> succeeded when the provider
-- confirms a payment after all (money received is always credited);
-- succeeded -> partially_refunded -> refunded. Disputes are a separate state
-- (dispute_status open, won, lost): an open or lost dispute withdraws the
-- disputed amount, a won dispute gives it back.
--
-- Processor fees: what the provider keeps of each credited payment, as it
-- reports it (Stripe) or, where it reports none (CinetPay), at the rate of
-- public.provider_fees for the payment's channel, rounded up; written to the
-- ledger as processor_fee when the payment is credited, and kept on refunds
-- and disputes (the providers do not return it): the campaign bears it.
--
-- Provider events are held for review when their references disagree
-- (private.refuse_disagreeing_outcome): every reference an event carries (our
-- attempt and donation ids in its metadata, Stripe's client_reference_id, a
-- campaign id, the provider's session, payment and charge ids the attempt
-- already knows, the currency) must name the payment it is applied to. A held
-- event is recorded in the inbox (outcome mismatch, its detail says why;
-- `cagnotte-admin payments held` lists them), credits nothing and changes
-- nothing else; the provider is answered 2xx, so that it stops retrying, and
-- a replay is a duplicate.
--
-- The books (private.check_ledger): campaign totals equal the ledger, and the
-- money the ledger counts for a campaign (donations net of refunds, disputes
-- and processor fees) never exceeds what reached the platform by the
-- providers' own record (each credited payment's amount received less its
-- fee, refunds and disputes), so neither does its balance.
--
-- Campaign totals: collected_amount counts money given, gross of fees, net of
-- refunds and of open or lost disputes (the sum of the ledger's donation,
-- refund, dispute and dispute_reversal entries). donor_count counts the
-- donations that still count: succeeded or partially refunded, without an
-- open or lost dispute. Both change in the same transaction as the ledger.

-- Types ------------------------------------------------------------------------

create type public.donation_status as enum (
    'pending', 'succeeded', 'failed', 'canceled', 'partially_refunded', 'refunded'
);
create type public.payment_provider as enum ('stripe', 'cinetpay');
create type public.dispute_status as enum ('open', 'won', 'lost');
create type private.attempt_status as enum ('created', 'open', 'processing', 'succeeded', 'failed', 'expired');
create type private.ledger_kind as enum (
    'donation', 'processor_fee', 'platform_fee', 'refund', 'dispute', 'dispute_reversal'
);

-- Tables -----------------------------------------------------------------------

-- One row: platform-wide settings. The platform fee is in basis points of
-- the money a donation brings (500 = 5 %).
create table public.platform_settings (
    id boolean primary key default true check (id),
    platform_fee_bp integer not null default 500 check (platform_fee_bp between 0 and 2000),
    updated_at timestamptz not null default pg_catalog.now()
);

insert into public.platform_settings default values;

create table public.donations (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete restrict,
    -- null for a guest
    donor_id uuid references public.profiles (id) on delete set null,
    amount bigint not null check (amount > 0),
    currency text not null references public.currencies (code),
    donor_name text check (
        donor_name = pg_catalog.btrim(donor_name)
        and pg_catalog.char_length(donor_name) between 1 and 80
        and donor_name !~ '[[:cntrl:]]'
    ),
    -- for the receipt (the provider mails it); never shown to anyone but the
    -- donor and admins
    donor_email public.email_address,
    message text check (pg_catalog.char_length(message) <= 500),
    is_anonymous boolean not null default false,
    status public.donation_status not null default 'pending',
    refunded_amount bigint not null default 0,
    dispute_status public.dispute_status,
    disputed_amount bigint not null default 0,
    -- the platform fee rate when the pledge was made
    platform_fee_bp integer not null,
    -- why an operator must look (e.g. the provider reported another amount)
    needs_review text,
    created_at timestamptz not null default pg_catalog.now(),
    succeeded_at timestamptz,
    updated_at timestamptz not null default pg_catalog.now(),
    check (refunded_amount >= 0 and disputed_amount >= 0 and refunded_amount + disputed_amount <= amount)
);

comment on table public.donations is
'Pledges. Written only by the payment core (private functions); donors read their own, admins all.';

create index donations_campaign_succeeded_idx on public.donations (campaign_id, succeeded_at desc);
create index donations_donor_id_idx on public.donations (donor_id, created_at desc);
create index donations_currency_idx on public.donations (currency);

create table private.payment_attempts (
    id uuid primary key default extensions.gen_random_uuid(),
    donation_id uuid not null references public.donations (id) on delete cascade,
    provider public.payment_provider not null,
    status private.attempt_status not null default 'created',
    -- Stripe: Checkout Session id, PaymentIntent id, Charge id.
    session_ref text,
    payment_ref text,
    charge_ref text,
    checkout_url text,
    -- what we asked for, and what the provider reported
    amount bigint not null,
    currency text not null,
    amount_received bigint,
    -- what the provider keeps (reported, or at public.provider_fees' rate), in minor units
    fee_amount bigint,
    -- how the donor paid, as the provider names it (CinetPay: OM, MOMO, VISAM...)
    payment_method text,
    -- the highest cumulative refunded amount the provider reported
    refunded_amount bigint not null default 0,
    failure_reason text,
    -- time of the provider's latest event applied: older status events are stale
    last_event_at timestamptz,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    unique (provider, session_ref),
    unique (provider, payment_ref),
    unique (provider, charge_ref)
);

create index payment_attempts_donation_id_idx on private.payment_attempts (donation_id);

create table private.payment_disputes (
    provider public.payment_provider not null,
    dispute_ref text not null,
    donation_id uuid not null references public.donations (id) on delete cascade,
    amount bigint not null check (amount > 0),
    status public.dispute_status not null,
    -- what the ledger currently withdraws for this dispute
    withdrawn bigint not null default 0,
    last_event_at timestamptz,
    primary key (provider, dispute_ref)
);

create index payment_disputes_donation_id_idx on private.payment_disputes (donation_id);

-- Every provider message, once: a replay changes nothing.
create table private.webhook_events (
    id bigint generated always as identity primary key,
    provider public.payment_provider not null,
    event_id text not null,
    event_type text not null,
    occurred_at timestamptz,
    livemode boolean,
    payload jsonb not null,
    received_at timestamptz not null default pg_catalog.now(),
    processed_at timestamptz,
    -- when the provider was answered, once the event was durable
    acknowledged_at timestamptz,
    outcome text check (
        outcome in ('applied', 'ignored', 'stale', 'mismatch', 'deferred', 'unknown_payment')
    ),
    detail text,
    donation_id uuid references public.donations (id) on delete set null,
    unique (provider, event_id)
);

create index webhook_events_donation_id_idx on private.webhook_events (donation_id);

-- Every movement of money, append-only. amount is signed from the
-- campaign's point of view: + money in, - money out (fees, refunds, disputes).
create table private.ledger_entries (
    id bigint generated always as identity primary key,
    campaign_id uuid not null references public.campaigns (id) on delete restrict,
    donation_id uuid references public.donations (id) on delete restrict,
    kind private.ledger_kind not null,
    amount bigint not null check (amount <> 0),
    currency text not null,
    -- what made the entry (the donation, or the provider's event): unique per kind
    idempotency_key text not null,
    created_at timestamptz not null default pg_catalog.now(),
    unique (kind, idempotency_key)
);

create index ledger_entries_campaign_id_idx on private.ledger_entries (campaign_id, kind);
create index ledger_entries_donation_id_idx on private.ledger_entries (donation_id);

-- Grants -----------------------------------------------------------------------

revoke all on table public.donations, public.platform_settings from anon, authenticated;
grant select on table public.donations to authenticated;
grant select on table public.platform_settings to anon, authenticated;
grant update (platform_fee_bp) on table public.platform_settings to authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.donations enable row level security;
alter table public.platform_settings enable row level security;

create policy "donors read their own donations and admins all"
on public.donations for select to authenticated
using (donor_id = (select auth.uid()) or (select private.is_admin()));

create policy "anyone reads the platform settings"
on public.platform_settings for select to anon, authenticated
using (true);

create policy "admins edit the platform settings"
on public.platform_settings for update to authenticated
using ((select private.is_admin()))
with check ((select private.is_admin()));

-- Functions: the providers' units ------------------------------------------------

-- The number of decimals a provider's API counts a currency's amounts in, as
-- the provider documents it. CinetPay takes whole units of every currency it
-- takes. Stripe (https://docs.stripe.com/currencies, "Minor units in API
-- amounts"): its zero-decimal currencies are sent as whole units
-- (#zero-decimal: BIF, CLP, DJF, GNF, JPY, KMF, KRW, MGA, PYG, RWF, UGX, VND,
-- VUV, XAF, XOF, XPF), its three-decimal currencies in thousandths
-- (#three-decimal: BHD, JOD, KWD, OMR, TND), every other currency in hundredths
-- (ISK, HUF and TWD included: #special-cases keeps them two-decimal in the API).
-- The one home of these lists: a provider's event amounts are read in this unit
-- (private.outcome_in_minor_units), provider_currencies.provider_exponent is
-- computed from it, and the service asks it for a currency no row names (the
-- settlement currency of a Stripe fee).
create function private.provider_exponent(provider public.payment_provider, currency text)
returns smallint
language sql
immutable
set search_path = ''
as $$
    select (case
        when provider = 'cinetpay' then 0
        when pg_catalog.upper(currency) in (
            'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA',
            'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'
        ) then 0
        when pg_catalog.upper(currency) in ('BHD', 'JOD', 'KWD', 'OMR', 'TND') then 3
        else 2
    end)::smallint
$$;

comment on function private.provider_exponent(public.payment_provider, text) is
'The number of decimals a provider''s API counts a currency''s amounts in (Stripe: 0 for its zero-decimal currencies, 3 for BHD, JOD, KWD, OMR and TND, 2 otherwise; CinetPay: 0, whole units), from the providers'' documentation.';

grant execute on function private.provider_exponent(public.payment_provider, text) to authenticated, service_role;

-- Functions: helpers ---------------------------------------------------------------

-- An amount counted with from_exponent decimals, in to_exponent decimals; null
-- when it does not convert exactly.
create function private.to_minor_units(value bigint, from_exponent integer, to_exponent integer)
returns bigint
language sql
immutable
set search_path = ''
as $$
    select case
        when value is null then null
        when to_exponent >= from_exponent then value * (10 ^ (to_exponent - from_exponent))::bigint
        when value % (10 ^ (from_exponent - to_exponent))::bigint = 0
            then value / (10 ^ (from_exponent - to_exponent))::bigint
    end
$$;

create function private.refuse_ledger_changes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    raise exception using
        errcode = 'PT409', message = 'ledger_is_append_only',
        detail = 'Ledger entries are never updated or deleted; add a correcting entry.';
end;
$$;

-- Whether a donation counts (in donor_count and the public list).
create function private.donation_counts(status public.donation_status, dispute public.dispute_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select status in ('succeeded', 'partially_refunded') and (dispute is null or dispute = 'won')
$$;

-- The same, rounded up when it does not convert exactly (a fee: the platform
-- never counts more than it received).
create function private.to_minor_units_up(value bigint, from_exponent integer, to_exponent integer)
returns bigint
language sql
immutable
set search_path = ''
as $$
    select case
        when to_exponent >= from_exponent then private.to_minor_units(value, from_exponent, to_exponent)
        else pg_catalog.ceil(value::numeric / (10 ^ (from_exponent - to_exponent))::numeric)::bigint
    end
$$;

-- Adds a ledger entry (nothing for a zero amount); the unique key makes a
-- second identical entry a no-op. Returns the amount actually added.
create function private.add_ledger_entry(
    d public.donations, kind private.ledger_kind, amount bigint, idempotency_key text
)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    added bigint;
begin
    if amount = 0 then
        return 0;
    end if;
    insert into private.ledger_entries (campaign_id, donation_id, kind, amount, currency, idempotency_key)
    values (d.campaign_id, d.id, kind, amount, d.currency, idempotency_key)
    on conflict do nothing
    returning ledger_entries.amount into added;
    return coalesce(added, 0);
end;
$$;

-- The money a donation still brings: gross when credited, less refunds and
-- open or lost disputes.
create function private.donation_net(d public.donations)
returns bigint
language sql
immutable
set search_path = ''
as $$
    select case when d.status in ('succeeded', 'partially_refunded', 'refunded') then d.amount else 0 end
        - d.refunded_amount - d.disputed_amount
$$;

-- After a donation's money changed, the platform fee follows what it still
-- brings (rounded half up to the currency's minor unit). The caller holds the
-- donation's row lock.
create function private.adjust_platform_fee(d public.donations, event_key text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    fee_target bigint := (private.donation_net(d) * d.platform_fee_bp + 5000) / 10000;
    fee_recorded bigint;
    fee_entries bigint;
begin
    select coalesce(-pg_catalog.sum(l.amount), 0), pg_catalog.count(*) into fee_recorded, fee_entries
    from private.ledger_entries as l
    where l.donation_id = d.id and l.kind = 'platform_fee';
    perform private.add_ledger_entry(d, 'platform_fee', fee_recorded - fee_target, event_key || ':fee' || fee_entries);
end;
$$;

-- The campaign's totals (and donations per day) follow a donation's change.
-- Called last in the transaction: the campaign's row lock, which concurrent
-- donations to the same campaign wait for, is held only until the commit.
create function private.apply_campaign_totals(before public.donations, after public.donations)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    collected_delta bigint := private.donation_net(after) - private.donation_net(before);
    donors_delta integer := private.donation_counts(after.status, after.dispute_status)::integer
        - private.donation_counts(before.status, before.dispute_status)::integer;
begin
    if before.succeeded_at is null and after.succeeded_at is not null then
        insert into private.campaign_daily_totals as t (campaign_id, day, slot, donation_count, amount)
        values (
            after.campaign_id, (after.succeeded_at at time zone 'UTC')::date, pg_catalog.pg_backend_pid() % 8,
            1, after.amount
        )
        on conflict (campaign_id, day, slot) do update
        set donation_count = t.donation_count + 1, amount = t.amount + excluded.amount;
    end if;
    if collected_delta <> 0 or donors_delta <> 0 then
        update public.campaigns as c
        set
            collected_amount = c.collected_amount + collected_delta,
            donor_count = c.donor_count + donors_delta
        where c.id = after.campaign_id;
    end if;
end;
$$;

-- Refunds: the provider reports the cumulative amount refunded; only a higher
-- total than the one applied changes anything (order-independent). Money a
-- dispute already withdrew cannot be refunded as well.
create function private.apply_refund(d public.donations, refunded_total bigint, event_key text)
returns public.donations
language plpgsql
security definer
set search_path = ''
as $$
declare
    total bigint := least(refunded_total, d.amount - d.disputed_amount);
begin
    if total <= d.refunded_amount or d.status not in ('succeeded', 'partially_refunded') then
        return d;
    end if;
    perform private.add_ledger_entry(d, 'refund', -(total - d.refunded_amount), event_key);
    update public.donations as x
    set
        refunded_amount = total,
        status = case when total = x.amount then 'refunded' else 'partially_refunded' end::public.donation_status,
        updated_at = pg_catalog.now()
    where x.id = d.id
    returning * into d;
    perform private.adjust_platform_fee(d, event_key);
    return d;
end;
$$;

-- Disputes: each dispute withdraws its amount while open or lost, nothing once
-- won. Older events about the same dispute are stale.
create function private.apply_dispute(d public.donations, dispute private.payment_disputes, event_key text)
returns public.donations
language plpgsql
security definer
set search_path = ''
as $$
declare
    recorded bigint := dispute.withdrawn;
    -- never more than what is neither refunded nor withdrawn by another dispute
    target bigint := least(
        case when dispute.status in ('open', 'lost') then dispute.amount else 0 end,
        d.amount - d.refunded_amount - (d.disputed_amount - dispute.withdrawn)
    );
begin
    if d.status not in ('succeeded', 'partially_refunded', 'refunded') then
        return d;  -- applied once the payment is credited
    end if;
    if target > recorded then
        perform private.add_ledger_entry(d, 'dispute', recorded - target, dispute.dispute_ref || ':' || event_key);
    elsif target < recorded then
        perform private.add_ledger_entry(
            d, 'dispute_reversal', recorded - target, dispute.dispute_ref || ':' || event_key
        );
    end if;
    update private.payment_disputes as p
    set withdrawn = target
    where p.provider = dispute.provider and p.dispute_ref = dispute.dispute_ref;
    update public.donations as x
    set
        disputed_amount = x.disputed_amount + target - recorded,
        dispute_status = dispute.status,
        updated_at = pg_catalog.now()
    where x.id = d.id
    returning * into d;
    perform private.adjust_platform_fee(d, event_key);
    return d;
end;
$$;

-- A payment the provider confirms: credit it, unless the amount or currency
-- differs from the pledge (recorded for review, never credited). The
-- processor fee is the provider's, else private.processor_fee's (its rate for
-- the payment's channel), never below zero nor above the payment.
create function private.credit_donation(
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
    fee bigint := least(greatest(coalesce(
        (outcome ->> 'fee')::bigint,
        private.processor_fee(attempt.provider, outcome ->> 'payment_method', paid)
    ), 0), paid);
    method text := left(outcome ->> 'payment_method', 40);
    dispute private.payment_disputes;
begin
    if d.status not in ('pending', 'failed', 'canceled') then
        return 'ignored';  -- already credited
    end if;
    if paid is distinct from d.amount or paid_currency is distinct from d.currency then
        update public.donations as x
        set
            needs_review = format('provider reported %s %s for a pledge of %s %s', paid, paid_currency, x.amount, x.currency),
            updated_at = pg_catalog.now()
        where x.id = d.id;
        update private.payment_attempts as a
        set
            amount_received = paid, status = 'succeeded', payment_method = coalesce(method, a.payment_method),
            updated_at = pg_catalog.now()
        where a.id = attempt.id;
        return 'mismatch';
    end if;

    update public.donations as x
    set status = 'succeeded', succeeded_at = coalesce(occurred_at, pg_catalog.now()), updated_at = pg_catalog.now()
    where x.id = d.id
    returning * into d;
    update private.payment_attempts as a
    set
        status = 'succeeded', amount_received = paid, fee_amount = coalesce(fee, a.fee_amount),
        payment_method = coalesce(method, a.payment_method), failure_reason = null, updated_at = pg_catalog.now()
    where a.id = attempt.id;

    perform private.add_ledger_entry(d, 'donation', d.amount, d.id::text);
    if fee > 0 then
        perform private.add_ledger_entry(d, 'processor_fee', -fee, d.id::text);
    end if;
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

-- Functions: called by the webhooks service (service_role only) ------------------

-- A pending donation and its payment attempt, for a checkout about to open.
create function private.create_donation(
    campaign_id uuid,
    amount bigint,
    currency text,
    provider public.payment_provider,
    donor_id uuid default null,
    donor_name text default null,
    donor_email text default null,
    message text default null,
    is_anonymous boolean default false
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
    cur public.currencies;
    donor auth.users;
    name text := nullif(pg_catalog.btrim(pg_catalog.regexp_replace(donor_name, '[[:cntrl:]]+', ' ', 'g')), '');
    email public.email_address;
    d public.donations;
    attempt_id uuid;
begin
    select * into c from public.campaigns as x where x.id = create_donation.campaign_id;
    if not found or not c.is_published then
        raise exception using
            errcode = 'PT404', message = 'campaign_not_found', detail = 'No such campaign, or not visible to you.';
    end if;
    if not c.is_open or c.ends_at <= pg_catalog.now() then
        raise exception using
            errcode = 'PT409', message = 'campaign_not_accepting_donations',
            detail = format('A campaign that is %s does not accept donations.', c.status);
    end if;
    if create_donation.currency is distinct from c.currency then
        raise exception using
            errcode = 'PT422', message = 'currency_mismatch',
            detail = format('This campaign collects %s.', c.currency);
    end if;
    select * into cur from public.currencies as k where k.code = c.currency;
    if amount is null or amount < cur.min_donation or amount > cur.max_donation then
        raise exception using
            errcode = 'PT422', message = 'amount_out_of_bounds',
            detail = format(
                'A donation in %s is between %s and %s (minor units; %s has %s decimals).',
                cur.code, cur.min_donation, cur.max_donation, cur.code, cur.exponent
            );
    end if;
    if donor_id is not null then
        select * into donor from auth.users as u where u.id = create_donation.donor_id;
        if not found then
            raise exception using errcode = 'PT401', message = 'unknown_donor', detail = 'No such user.';
        end if;
        if private.is_banned(donor.id) then
            raise exception using
                errcode = 'PT403', message = 'account_banned',
                detail = 'This account is suspended: it can read public data but not write.';
        end if;
        name := coalesce(name, (select p.display_name from public.profiles as p where p.id = donor.id));
    end if;
    begin
        email := nullif(pg_catalog.btrim(donor_email), '');
    exception when check_violation then
        raise exception using
            errcode = 'PT422', message = 'invalid_email',
            detail = 'Not an email address mail can use (name@domain.tld, ASCII).';
    end;
    if pg_catalog.char_length(name) > 80 or pg_catalog.char_length(message) > 500 then
        raise exception using
            errcode = 'PT422', message = 'field_too_long',
            detail = 'donor_name <= 80, message <= 500 characters.';
    end if;
    if email is null and donor.email is not null then
        begin  -- the account's own address, when mail can use it
            email := donor.email;
        exception when check_violation then
            email := null;
        end;
    end if;

    insert into public.donations (
        campaign_id, donor_id, amount, currency, donor_name, donor_email, message, is_anonymous,
        platform_fee_bp
    )
    values (
        c.id, donor_id, amount, c.currency, name, email,
        nullif(pg_catalog.btrim(message), ''), coalesce(is_anonymous, false),
        (select s.platform_fee_bp from public.platform_settings as s)
    )
    returning * into d;
    insert into private.payment_attempts (donation_id, provider, amount, currency)
    values (d.id, provider, d.amount, d.currency)
    returning id into attempt_id;

    return pg_catalog.jsonb_build_object(
        'donation_id', d.id,
        'attempt_id', attempt_id,
        'campaign_id', c.id,
        'amount', d.amount,
        'currency', d.currency,
        'exponent', cur.exponent,
        'donor_email', d.donor_email,
        'campaign_title', c.title,
        'campaign_slug', c.slug
    );
end;
$$;

-- The provider's checkout is open: remember its references.
create function private.attach_checkout(
    attempt_id uuid, session_ref text, checkout_url text default null, payment_ref text default null
)
returns void
language sql
security definer
set search_path = ''
as $$
    update private.payment_attempts as a
    set
        session_ref = attach_checkout.session_ref,
        checkout_url = coalesce(attach_checkout.checkout_url, a.checkout_url),
        payment_ref = coalesce(attach_checkout.payment_ref, a.payment_ref),
        status = case when a.status = 'created' then 'open'::private.attempt_status else a.status end,
        updated_at = pg_catalog.now()
    where a.id = attach_checkout.attempt_id
$$;

-- The checkout could not open (the provider refused or did not answer): the
-- pledge is canceled, never left pending.
create function private.abandon_checkout(attempt_id uuid, reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    a private.payment_attempts;
begin
    update private.payment_attempts as x
    set status = 'failed', failure_reason = left(reason, 500), updated_at = pg_catalog.now()
    where x.id = abandon_checkout.attempt_id and x.status in ('created', 'open')
    returning * into a;
    if found then
        update public.donations as d
        set status = 'canceled', updated_at = pg_catalog.now()
        where d.id = a.donation_id and d.status = 'pending';
    end if;
end;
$$;

-- The steps of private.record_payment_event (below), one function each. They run
-- inside it, as its owner: granted to no one. It locks the attempt's row
-- (find_attempt_for_outcome), then the donation's, before any step writes.

-- The event in the inbox, once: its id, or null for a replay.
create function private.payment_event_inbox(
    provider public.payment_provider,
    event_id text,
    event_type text,
    occurred_at timestamptz,
    livemode boolean,
    payload jsonb
)
returns bigint
language sql
security definer
set search_path = ''
as $$
    insert into private.webhook_events (provider, event_id, event_type, occurred_at, livemode, payload)
    values (provider, event_id, event_type, occurred_at, livemode, payload)
    on conflict do nothing
    returning id
$$;

-- The payment attempt an outcome is about, row-locked: by the provider's
-- references first, then by our metadata (attempt_id, then the donation's
-- latest attempt). A row of nulls when none of this provider's attempts matches.
create function private.find_attempt_for_outcome(provider public.payment_provider, outcome jsonb)
returns private.payment_attempts
language plpgsql
security definer
set search_path = ''
as $$
declare
    a private.payment_attempts;
    -- our ids as we send them (anything else names none of our payments, and never fails the cast)
    uuid_shape constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
begin
    select * into a from private.payment_attempts as x
    where x.provider = find_attempt_for_outcome.provider and (
        x.session_ref = outcome ->> 'session_ref'
        or x.payment_ref = outcome ->> 'payment_ref'
        or x.charge_ref = outcome ->> 'charge_ref'
    )
    order by x.created_at desc limit 1
    for update;
    if not found and outcome ->> 'attempt_id' ~ uuid_shape then
        select * into a from private.payment_attempts as x
        where x.id = (outcome ->> 'attempt_id')::uuid and x.provider = find_attempt_for_outcome.provider
        for update;
    end if;
    if not found and outcome ->> 'donation_id' ~ uuid_shape then
        select * into a from private.payment_attempts as x
        where x.donation_id = (outcome ->> 'donation_id')::uuid and x.provider = find_attempt_for_outcome.provider
        order by x.created_at desc limit 1
        for update;
    end if;
    return a;
end;
$$;

-- Why an event cannot be applied to the attempt found: unknown_payment when
-- none; mismatch (held for review) when a reference it carries names another
-- payment than the attempt's: our attempt_id, our donation_id (metadata, or
-- Stripe's client_reference_id), a campaign_id, a provider reference (session,
-- payment, charge) the attempt already knows, or the currency. The one home of
-- the agreement rule: the gateways pass every reference they saw. Nulls when
-- all agree.
create function private.refuse_disagreeing_outcome(
    a private.payment_attempts, d public.donations, outcome jsonb, out result text, out note text
)
language plpgsql
stable
set search_path = ''
as $$
declare
    ref_names text[] := array[
        'attempt_id', 'donation_id', 'client_reference_id', 'campaign_id',
        'session_ref', 'payment_ref', 'charge_ref', 'currency'
    ];
    ref_values text[] := array[
        a.id::text, a.donation_id::text, a.donation_id::text, d.campaign_id::text,
        a.session_ref, a.payment_ref, a.charge_ref, d.currency
    ];
    disagree text[];
begin
    if a.id is null then
        result := 'unknown_payment';
        note := 'no payment attempt matches this event';
        return;
    end if;
    select pg_catalog.array_agg(pg_catalog.format('%s %s (the payment''s: %s)', r.ref, r.given, r.ours))
    into disagree
    from (
        select n.ref, outcome ->> n.ref as given, n.ours
        from rows from (pg_catalog.unnest(ref_names), pg_catalog.unnest(ref_values)) as n (ref, ours)
    ) as r
    where r.given is not null and r.ours is not null
        and (case when r.ref = 'currency' then pg_catalog.upper(r.given) else r.given end) <> r.ours;
    if disagree is not null then
        result := 'mismatch';
        note := 'references disagree, held for review: ' || pg_catalog.array_to_string(disagree, '; ');
    end if;
end;
$$;

-- The outcome's amounts (amount, fee, refunded_total, dispute_amount) in the
-- currency's minor units, from amount_exponent decimals (by default the
-- provider's unit); an amount that does not convert exactly is dropped (the
-- kind's checks then refuse the event), but for the fee, rounded up.
create function private.outcome_in_minor_units(
    outcome jsonb, currency text, provider public.payment_provider
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    exponent integer;
    source_exponent integer;
begin
    select k.exponent into exponent from public.currencies as k where k.code = outcome_in_minor_units.currency;
    source_exponent := coalesce(
        (outcome ->> 'amount_exponent')::integer,
        private.provider_exponent(outcome_in_minor_units.provider, outcome_in_minor_units.currency)
    );
    if source_exponent <> exponent then
        return outcome - 'amount' - 'fee' - 'refunded_total' - 'dispute_amount'
            || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                'amount', private.to_minor_units((outcome ->> 'amount')::bigint, source_exponent, exponent),
                'fee', private.to_minor_units_up((outcome ->> 'fee')::bigint, source_exponent, exponent),
                'refunded_total',
                private.to_minor_units((outcome ->> 'refunded_total')::bigint, source_exponent, exponent),
                'dispute_amount',
                private.to_minor_units((outcome ->> 'dispute_amount')::bigint, source_exponent, exponent)
            ));
    end if;
    return outcome;
end;
$$;

-- The provider's references the attempt did not have yet are remembered
-- (known ones never change). A mismatch, and nothing remembered, when one of
-- them belongs to another payment; nulls otherwise.
create function private.remember_provider_refs(
    a private.payment_attempts, outcome jsonb, out result text, out note text
)
language plpgsql
security definer
set search_path = ''
as $$
begin
    if (a.session_ref is null and outcome ? 'session_ref')
        or (a.payment_ref is null and outcome ? 'payment_ref')
        or (a.charge_ref is null and outcome ? 'charge_ref') then
        -- a subtransaction only when there is something to remember
        begin
            update private.payment_attempts as x
            set
                session_ref = coalesce(x.session_ref, outcome ->> 'session_ref'),
                payment_ref = coalesce(x.payment_ref, outcome ->> 'payment_ref'),
                charge_ref = coalesce(x.charge_ref, outcome ->> 'charge_ref'),
                updated_at = pg_catalog.now()
            where x.id = a.id;
        exception when unique_violation then
            result := 'mismatch';
            note := 'these provider references belong to another payment';
        end;
    end if;
end;
$$;

-- Whether an outcome lacks what its kind needs (a refund its cumulative total,
-- a dispute its reference, positive amount and status), e.g. an amount dropped because
-- it does not convert to the pledge's currency.
create function private.outcome_is_incomplete(kind text, outcome jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select (kind = 'refund' and outcome ->> 'refunded_total' is null)
        or (kind = 'dispute' and (
            outcome ->> 'dispute_amount' is null or (outcome ->> 'dispute_amount')::bigint <= 0
            or outcome ->> 'dispute_ref' is null
            or outcome ->> 'dispute_status' is null or outcome ->> 'dispute_status' not in ('open', 'won', 'lost')
        ))
$$;

-- A payment outcome. Money received is always credited, whatever came before
-- (unless its amount or currency differs from the pledge: held for review).
-- Any other status is stale behind a newer event already applied, and moves
-- only a pending donation (or a failed one to canceled): never a credited one back.
create function private.apply_payment_outcome(
    a private.payment_attempts, d public.donations, outcome jsonb, occurred_at timestamptz, event_key text,
    out result text, out note text
)
language plpgsql
security definer
set search_path = ''
as $$
begin
    if outcome ->> 'status' = 'succeeded' then
        result := private.credit_donation(d, a, outcome, occurred_at, event_key);
        if result = 'mismatch' then
            note := 'amount or currency differs from the pledge; not credited';
        end if;
        update private.payment_attempts as x
        set last_event_at = greatest(x.last_event_at, occurred_at)
        where x.id = a.id;
    elsif occurred_at < a.last_event_at then
        result := 'stale';
        note := 'an event newer than this one was already applied';
    else
        select * into result, note from private.apply_payment_status(a, d, outcome, occurred_at);
    end if;
end;
$$;

-- A payment that has not succeeded (processing, failed, canceled): the
-- donation and its attempt follow it only from pending, or from failed to
-- canceled; any other move is ignored.
create function private.apply_payment_status(
    a private.payment_attempts, d public.donations, outcome jsonb, occurred_at timestamptz,
    out result text, out note text
)
language plpgsql
security definer
set search_path = ''
as $$
declare
    new_status public.donation_status := case outcome ->> 'status'
        when 'failed' then 'failed'::public.donation_status
        when 'canceled' then 'canceled'::public.donation_status
        else 'pending'::public.donation_status
    end;
begin
    if not (d.status = 'pending' or (d.status = 'failed' and new_status = 'canceled')) then
        result := 'ignored';
        note := format('a %s donation does not become %s', d.status, outcome ->> 'status');
        return;
    end if;
    update public.donations as x
    set status = new_status, updated_at = pg_catalog.now()
    where x.id = d.id;
    update private.payment_attempts as x
    set
        status = case outcome ->> 'status'
            when 'failed' then 'failed' when 'canceled' then 'expired' else 'processing'
        end::private.attempt_status,
        failure_reason = coalesce(outcome ->> 'reason', x.failure_reason),
        last_event_at = occurred_at,
        updated_at = pg_catalog.now()
    where x.id = a.id;
    result := 'applied';
end;
$$;

-- A refund outcome: the attempt keeps the highest cumulative total reported;
-- a credited donation is refunded up to it (stale when that changes nothing);
-- before the payment is credited the refund is deferred to the crediting.
create function private.apply_refund_outcome(
    a private.payment_attempts, d public.donations, outcome jsonb, event_key text,
    out result text, out note text
)
language plpgsql
security definer
set search_path = ''
as $$
declare
    refunded_total bigint := (outcome ->> 'refunded_total')::bigint;
    refunded public.donations;
begin
    update private.payment_attempts as x
    set refunded_amount = greatest(x.refunded_amount, refunded_total)
    where x.id = a.id;
    if d.status in ('succeeded', 'partially_refunded') then
        refunded := private.apply_refund(d, refunded_total, event_key);
        result := case when refunded.refunded_amount = d.refunded_amount then 'stale' else 'applied' end;
    elsif d.status = 'refunded' then
        result := 'stale';
    else
        result := 'deferred';
        note := 'applied when the payment itself is credited';
    end if;
end;
$$;

-- A dispute outcome: held when the dispute is recorded for another payment;
-- the dispute is recorded unless a newer event about it was (stale); on a credited donation it withdraws or gives back its amount, and a
-- won dispute frees money a refund was waiting for; before the payment is
-- credited it is deferred to the crediting.
create function private.apply_dispute_outcome(
    a private.payment_attempts, d public.donations, outcome jsonb, occurred_at timestamptz, event_key text,
    out result text, out note text
)
language plpgsql
security definer
set search_path = ''
as $$
declare
    dispute private.payment_disputes;
begin
    if exists (
        select from private.payment_disputes as p
        where p.provider = a.provider and p.dispute_ref = outcome ->> 'dispute_ref' and p.donation_id <> d.id
    ) then
        result := 'mismatch';
        note := 'references disagree, held for review: this dispute belongs to another payment';
        return;
    end if;
    insert into private.payment_disputes as p (provider, dispute_ref, donation_id, amount, status, last_event_at)
    values (
        a.provider, outcome ->> 'dispute_ref', d.id, (outcome ->> 'dispute_amount')::bigint,
        (outcome ->> 'dispute_status')::public.dispute_status, occurred_at
    )
    on conflict on constraint payment_disputes_pkey do update
    set amount = excluded.amount, status = excluded.status, last_event_at = excluded.last_event_at
    where p.last_event_at is null or p.last_event_at <= excluded.last_event_at
    returning * into dispute;
    if dispute.dispute_ref is null then
        result := 'stale';
        note := 'a newer event about this dispute was already applied';
    elsif d.status in ('succeeded', 'partially_refunded', 'refunded') then
        d := private.apply_dispute(d, dispute, event_key);
        perform private.apply_refund(d, a.refunded_amount, event_key || ':refund');
        result := 'applied';
    else
        result := 'deferred';
        note := 'applied when the payment itself is credited';
    end if;
end;
$$;

-- The event's outcome in the inbox, then the campaign's totals from the
-- donation as it was before the event (nothing when none was locked) to as it
-- is now: last, so that the campaign's row lock is held only until the commit.
create function private.close_payment_event(
    inbox_id bigint, result text, note text, attempt_donation_id uuid, before public.donations
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    after public.donations;
begin
    update private.webhook_events as w
    set processed_at = pg_catalog.now(), outcome = result, detail = note, donation_id = attempt_donation_id
    where w.id = inbox_id;
    if before.id is not null then
        select * into after from public.donations as x where x.id = before.id;
        perform private.apply_campaign_totals(before, after);
    end if;
end;
$$;

-- Records a provider event and applies its neutral outcome, in one
-- transaction. Returns {outcome, detail, donation_id} ({outcome: duplicate}
-- for a replay, which changes nothing).
--
-- Durability: the transaction commits asynchronously, so that the campaign's
-- row (updated last) is not held while the commit is flushed to disk: a
-- popular campaign does not make its donations wait on each other's fsync.
-- Visibility is unchanged (totals and ledger appear together), and the caller
-- acknowledges the provider only after private.acknowledge_event(): an event
-- lost in a crash before that was never acknowledged, so the provider sends it
-- again and it is applied then.
--   outcome.kind     payment | refund | dispute | ignored
--   references       attempt_id, donation_id (from metadata), client_reference_id, campaign_id,
--                    session_ref, payment_ref, charge_ref, currency: all must agree
--                    (private.refuse_disagreeing_outcome), else the event is held (mismatch)
--   amounts          in the provider's unit: amount_exponent decimals (default: the provider's
--                    unit for the currency, private.provider_exponent)
--   payment          status (processing | succeeded | failed | canceled), amount, currency, fee,
--                    payment_method (the provider's code: its channel's fee when it reports none), reason
--   refund           refunded_total (cumulative)
--   dispute          dispute_ref, dispute_status (open | won | lost), dispute_amount
--
-- Steps: the inbox (a replay stops there); the attempt, then the donation,
-- row-locked in that order; the references agree; the outcome in our minor units; the provider's
-- new references; what the kind needs; the kind's rule; the inbox records the
-- result; the campaign's totals last.
create function private.record_payment_event(
    provider public.payment_provider,
    event_id text,
    event_type text,
    occurred_at timestamptz,
    livemode boolean,
    payload jsonb,
    outcome jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    inbox_id bigint;
    kind text := coalesce(outcome ->> 'kind', 'ignored');
    event_key text := provider::text || ':' || event_id;
    a private.payment_attempts;
    -- the donation, row-locked, as it was before this event
    d public.donations;
    result text;
    note text;
begin
    perform pg_catalog.set_config('synchronous_commit', 'off', true);
    inbox_id := private.payment_event_inbox(provider, event_id, event_type, occurred_at, livemode, payload);
    if inbox_id is null then
        return pg_catalog.jsonb_build_object('outcome', 'duplicate');
    end if;

    if kind = 'ignored' then
        result := 'ignored';
    else
        a := private.find_attempt_for_outcome(provider, outcome);
        if a.id is not null then
            select * into d from public.donations as x where x.id = a.donation_id for update;
        end if;
        select * into result, note from private.refuse_disagreeing_outcome(a, d, outcome);
        if result is null then
            outcome := private.outcome_in_minor_units(outcome, d.currency, provider);
            select * into result, note from private.remember_provider_refs(a, outcome);
        end if;
        if result is null and private.outcome_is_incomplete(kind, outcome) then
            result := 'mismatch';
            note := 'the amount is missing or does not convert to the pledge''s currency';
        end if;
        if result is null then
            case kind
                when 'payment' then
                    select * into result, note from private.apply_payment_outcome(a, d, outcome, occurred_at, event_key);
                when 'refund' then
                    select * into result, note from private.apply_refund_outcome(a, d, outcome, event_key);
                when 'dispute' then
                    select * into result, note from private.apply_dispute_outcome(a, d, outcome, occurred_at, event_key);
                else
                    result := 'ignored';
                    note := format('unknown outcome kind %s', kind);
            end case;
        end if;
    end if;

    perform private.close_payment_event(inbox_id, result, note, a.donation_id, d);
    return pg_catalog.jsonb_build_object('outcome', result, 'detail', note, 'donation_id', a.donation_id);
end;
$$;

-- Records that the provider is being answered, in a synchronous commit: it
-- returns once this record, and every earlier commit (including the
-- asynchronous one of record_payment_event), is flushed to disk.
create function private.acknowledge_event(provider public.payment_provider, event_id text)
returns void
language sql
security definer
set search_path = ''
as $$
    update private.webhook_events as w
    set acknowledged_at = pg_catalog.now()
    where w.provider = acknowledge_event.provider and w.event_id = acknowledge_event.event_id
$$;

-- The books' check: campaigns whose totals differ from the ledger, or whose
-- ledger counts more money than reached the platform (none: all is well).
--   ledger_net  the ledger's donations, refunds, disputes and processor fees
--               (the balance before platform fees and payouts, so never less than it)
--   received    what the providers' records say reached the platform: each
--               credited payment's amount received less its fee, refunds and
--               disputes (payment_attempts, donations)
-- ledger_net <= received, always.
create function private.check_ledger()
returns table (
    campaign_id uuid, collected_amount bigint, ledger_collected bigint, donor_count integer,
    counted_donations bigint, ledger_net bigint, received bigint
)
language sql
stable
security definer
set search_path = ''
as $$
    select
        c.id, c.collected_amount, coalesce(l.collected, 0), c.donor_count, coalesce(n.counted, 0),
        coalesce(l.net, 0), coalesce(n.received, 0)
    from public.campaigns as c
    left join (
        select
            e.campaign_id,
            (pg_catalog.sum(e.amount) filter (where e.kind <> 'processor_fee'))::bigint as collected,
            pg_catalog.sum(e.amount)::bigint as net
        from private.ledger_entries as e
        where e.kind in ('donation', 'refund', 'dispute', 'dispute_reversal', 'processor_fee')
        group by e.campaign_id
    ) as l on l.campaign_id = c.id
    left join (
        select
            x.campaign_id,
            pg_catalog.count(*) filter (where private.donation_counts(x.status, x.dispute_status)) as counted,
            pg_catalog.sum(
                coalesce(p.received, 0) - x.refunded_amount - x.disputed_amount
            ) filter (where x.status in ('succeeded', 'partially_refunded', 'refunded'))::bigint as received
        from public.donations as x
        left join lateral (
            select pg_catalog.sum(a.amount_received - coalesce(a.fee_amount, 0)) as received
            from private.payment_attempts as a
            where a.donation_id = x.id and a.status = 'succeeded'
        ) as p on true
        group by x.campaign_id
    ) as n on n.campaign_id = c.id
    where c.collected_amount <> coalesce(l.collected, 0) or c.donor_count <> coalesce(n.counted, 0)
        or coalesce(l.net, 0) > coalesce(n.received, 0)
$$;

grant execute on function private.create_donation(
    uuid, bigint, text, public.payment_provider, uuid, text, text, text, boolean
) to service_role;
grant execute on function private.attach_checkout(uuid, text, text, text) to service_role;
grant execute on function private.abandon_checkout(uuid, text) to service_role;
grant execute on function private.record_payment_event(
    public.payment_provider, text, text, timestamptz, boolean, jsonb, jsonb
) to service_role;
grant execute on function private.check_ledger() to service_role;
grant execute on function private.acknowledge_event(public.payment_provider, text) to service_role;

-- Functions: what people see ------------------------------------------------------

-- The donations of a campaign the caller may see, as the public sees them:
-- display name (or "Anonyme"), amount, message and date. Never the donor's
-- account or email. Owners and staff see the same.
create type public.campaign_donation as (
    id uuid, donor_name text, is_anonymous boolean, amount bigint, currency text, message text, donated_at timestamptz
);

comment on type public.campaign_donation is
'A donation as the public sees it (public.campaign_donations, the dashboard''s recent_donations).';

create function public.campaign_donations(campaign_id uuid, page_size integer default 20, page_offset integer default 0)
returns setof public.campaign_donation
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id);
begin
    if page_size is null or page_size not between 1 and 100 or page_offset is null or page_offset not between 0 and 100000 then
        raise exception using
            errcode = 'PT400', message = 'invalid_page', detail = 'page_size is 1 to 100, page_offset 0 to 100000.';
    end if;
    return query
    select
        d.id,
        case when d.is_anonymous or d.donor_name is null then 'Anonyme' else d.donor_name end,
        d.is_anonymous,
        d.amount,
        d.currency,
        d.message,
        d.succeeded_at
    from public.donations as d
    where d.campaign_id = c.id and private.donation_counts(d.status, d.dispute_status)
    order by d.succeeded_at desc, d.id
    limit page_size offset page_offset;
end;
$$;

-- The caller's own donations, every status, with their campaign.
create function public.my_donations()
returns table (
    id uuid, campaign_id uuid, campaign_title text, campaign_slug text, amount bigint, currency text,
    status public.donation_status, refunded_amount bigint, is_anonymous boolean, message text,
    created_at timestamptz, succeeded_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
    select
        d.id, d.campaign_id, c.title, c.slug, d.amount, d.currency, d.status, d.refunded_amount,
        d.is_anonymous, d.message, d.created_at, d.succeeded_at
    from public.donations as d
    join public.campaigns as c on c.id = d.campaign_id
    where d.donor_id = auth.uid()
    order by d.created_at desc
$$;

-- The team's dashboard (owner, co-organizers) and staff's: totals, donations per day
-- (last 30 days) and the latest donations (anonymity respected). Typed rows
-- (composite types rather than jsonb) so that `supabase gen types` describes
-- every field for the frontend; PostgREST answers the composite as one object.
create type public.donation_day as (day date, count bigint, amount bigint);

create type public.campaign_dashboard as (
    campaign_id uuid,
    status public.campaign_status,
    currency text,
    goal_amount bigint,
    collected_amount bigint,
    donor_count integer,
    progress_bp bigint,
    goal_reached_at timestamptz,
    published_at timestamptz,
    ends_at timestamptz,
    donations_per_day public.donation_day [],
    recent_donations public.campaign_donation []
);

comment on type public.donation_day is
'One day of a campaign''s donations: how many and how much (minor units of its currency).';
comment on type public.campaign_dashboard is
'public.campaign_dashboard: totals, donations per day (last 30 days, oldest first) and the 10 latest donations.';

create function public.campaign_dashboard(campaign_id uuid)
returns public.campaign_dashboard
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id);
    board public.campaign_dashboard;
begin
    if not private.is_staff() and not private.is_campaign_team(c.id) then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner', detail = 'The dashboard is for the campaign''s team.';
    end if;
    board := row(
        c.id, c.status, c.currency, c.goal_amount, c.collected_amount, c.donor_count, c.progress_bp,
        c.goal_reached_at, c.published_at, c.ends_at,
        array(
            select row(
                s.day, pg_catalog.sum(s.donation_count)::bigint, pg_catalog.sum(s.amount)::bigint
            )::public.donation_day
            from private.campaign_daily_totals as s
            where s.campaign_id = c.id and s.day > current_date - 30
            group by s.day
            order by s.day
        ),
        array(select r from public.campaign_donations(c.id, 10, 0) as r)
    );
    return board;
end;
$$;

grant execute on function public.campaign_donations(uuid, integer, integer) to anon, authenticated;
grant execute on function public.my_donations() to authenticated;
grant execute on function public.campaign_dashboard(uuid) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger ledger_entries_append_only
before update or delete on private.ledger_entries
for each row execute function private.refuse_ledger_changes();

create trigger donations_touch_updated_at
before update on public.donations
for each row execute function private.touch_updated_at();

create trigger platform_settings_refuse_banned_writes
before insert or update or delete on public.platform_settings
for each statement execute function private.refuse_banned_writes();

create trigger platform_settings_touch_updated_at
before update on public.platform_settings
for each row execute function private.touch_updated_at();
