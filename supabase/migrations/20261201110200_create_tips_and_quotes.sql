-- Tips, covered fees and quotes (issue #20, items 2 and 4): the net shown
-- first, and an optional tip that keeps the platform free.
--
-- Rules:
-- - A donation is a gift to the campaign (donations.amount, the only money
--   its totals, balance, receipts and payouts count) plus an optional tip to
--   the platform (donations.tip_amount, none by default; the frontend shows
--   the percentages of platform_settings.tip_suggestions_bp). The provider is
--   charged both at once: the payment attempt's amount is gift + tip.
-- - A tip is at most platform_settings.tip_max_bp of the gift
--   (tip_out_of_bounds): private.check_tip.
-- - The processor fee of the whole charge is split between the gift and the
--   tip in proportion, the gift's share rounded up (the campaign never counts
--   more than reached it): private.split_fee. The campaign bears its share
--   (ledger processor_fee), the platform the tip's (tip_fee).
-- - The platform fee is on the gift only (private.platform_fee, the one home
--   of its rounding: half up), at the campaign's rate (its category's, else
--   the global one: private.campaign_platform_fee_bp).
-- - Cover fees: the donor asks that the beneficiary receive the whole amount;
--   the gift is grossed up to the smallest one whose net (gift less its
--   processor and platform fees) reaches it, with gift + tip a multiple of the
--   provider's step: the net is exactly the amount when the step is one minor
--   unit, at most a step less one above it otherwise (private.gross_up). A
--   channel not named (CinetPay's mobile money, card, wallet) is counted at the
--   provider's highest rate, so the beneficiary never receives less.
-- - The quote (public.donation_quote, anyone) and the payment core call the
--   same functions (private.donation_fees, private.gross_up): a quote followed
--   by the payment it quoted credits exactly the quoted net to the campaign,
--   when the provider keeps the fee its rate in public.provider_fees says.
-- - The ledger: a credited payment books donation (+gift), processor_fee
--   (-the gift's share), tip (+tip) and tip_fee (-the tip's share), all on the
--   donation's campaign row; tip kinds are platform revenue
--   (private.is_platform_revenue): never in collected_amount, donor_count,
--   public.campaign_balance or private.available_balance.
-- - Refunds: the provider refunds the charge (cumulative total). A refund goes
--   to the gift first, then to the tip: a partial refund up to the gift
--   refunds only the gift, the tip last (tip_refund). A refund order (a
--   cancelled campaign) refunds what is left of both. Disputes withdraw from
--   the gift only (as before); a dispute's part beyond the gift is the
--   platform's loss.
-- - Paying from abroad (card): the charge may be in the donor's currency; the
--   ledger books what the provider settled, in the campaign's currency (rules
--   in the "Paying from abroad" section below).
-- - Receipts: a receipt's amount is the gift; the tip is its own line
--   (receipts.tip_amount, frozen at issue; the PDF shows it apart).
-- - The books (private.check_ledger): as before for the campaign, with the
--   tip and its share of the fee taken out of what the providers report; and
--   each campaign's tip entries equal its credited donations' tips less their
--   tip refunds.

-- Columns ----------------------------------------------------------------------

alter table public.donations
add column tip_amount bigint not null default 0 check (tip_amount >= 0),
add column tip_refunded bigint not null default 0,
add column covers_fees boolean not null default false,
add constraint donations_tip_refunded_check check (tip_refunded between 0 and tip_amount);

comment on column public.donations.tip_amount is
'The tip to the platform added to the gift (minor units of the donation''s currency): platform revenue, never the campaign''s.';
comment on column public.donations.tip_refunded is
'How much of the tip was refunded (a refund goes to the gift first, then to the tip).';
comment on column public.donations.covers_fees is
'The donor chose to cover the fees: amount is grossed up so that the campaign nets what the donor asked.';

-- Paying from abroad: the charge in the donor's currency (below).
alter table private.payment_attempts
add column pay_currency text references public.currencies (code),
add column pay_amount bigint check (pay_amount > 0),
add column settled_amount bigint check (settled_amount > 0),
add constraint payment_attempts_pay_check check ((pay_currency is null) = (pay_amount is null));

create index payment_attempts_pay_currency_idx on private.payment_attempts (pay_currency);

alter table public.platform_settings
add column tip_suggestions_bp integer[] not null default '{500,1000,1500}',
add column tip_max_bp integer not null default 3000 check (tip_max_bp between 0 and 10000),
add constraint platform_settings_tip_suggestions_check check (
    pg_catalog.cardinality(tip_suggestions_bp) <= 6
    and pg_catalog.array_position(tip_suggestions_bp, null) is null
    and 0 < all(tip_suggestions_bp)
    and tip_max_bp >= all(tip_suggestions_bp)
);

comment on column public.platform_settings.tip_suggestions_bp is
'The tip percentages the frontend suggests (basis points of the gift; none is chosen by default).';
comment on column public.platform_settings.tip_max_bp is
'The largest tip, in basis points of the gift.';

grant update (tip_suggestions_bp, tip_max_bp) on table public.platform_settings to authenticated;

-- Stripe's card rate, where the quote needs one (Stripe reports its actual
-- fee, which the ledger books): https://stripe.com/pricing (2.9 % for cards;
-- its fixed part per payment is not modelled). Set from the merchant contract.
insert into public.provider_fees (provider, channel, fee_bp, payment_methods)
values ('stripe', 'card', 290, '{CARD}')
on conflict do nothing;

-- Functions: the rules ------------------------------------------------------------

-- Whether a ledger kind is the platform's revenue rather than the campaign's
-- money (the tip kinds). The one home of that list.
create function private.is_platform_revenue(kind private.ledger_kind)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select kind in ('tip', 'tip_fee', 'tip_refund')
$$;

-- The platform fee on an amount: fee_bp basis points, rounded half up.
create function private.platform_fee(amount bigint, fee_bp integer)
returns bigint
language sql
immutable
set search_path = ''
as $$
    select (amount * fee_bp + 5000) / 10000
$$;

-- A processor fee split between the gift and the tip, in proportion; the
-- gift's share rounded up.
create function private.split_fee(
    fee bigint, gift bigint, tip bigint, out campaign_fee bigint, out tip_fee bigint
)
language sql
immutable
set search_path = ''
as $$
    select s.campaign_fee, fee - s.campaign_fee
    from (
        select case
            when coalesce(tip, 0) = 0 then fee
            else pg_catalog.ceil(fee::numeric * gift / (gift + tip))::bigint
        end as campaign_fee
    ) as s
$$;

-- Every fee of a payment of gift + tip, and what the campaign nets: the one
-- home of the arithmetic, for the ledger (private.credit_donation) and the
-- quote. reported_fee: the provider's own word (Stripe), else its rate
-- (private.processor_fee for the payment method; the highest rate when none
-- is named); never below zero nor above the charge.
create function private.donation_fees(
    provider public.payment_provider, payment_method text, gift bigint, tip bigint,
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
        reported_fee, private.processor_fee(provider, payment_method, charged)
    ), 0), charged);
    select s.campaign_fee, s.tip_fee into campaign_fee, tip_fee
    from private.split_fee(processor_fee, gift, coalesce(tip, 0)) as s;
    platform_fee := private.platform_fee(gift, platform_fee_bp);
    net := gift - campaign_fee - platform_fee;
end;
$$;

-- Cover fees: the smallest gift whose net reaches `wanted`, with gift + tip a
-- multiple of the provider's step (doubling, then halving: a net grows by at
-- most one minor unit per unit of gift).
create function private.gross_up(
    provider public.payment_provider, payment_method text, wanted bigint, tip bigint,
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
    high bigint := low;
    middle bigint;
begin
    while (private.donation_fees(provider, payment_method, high * unit - tip, tip, platform_fee_bp)).net < wanted loop
        low := high + 1;
        high := high * 2;
    end loop;
    while low < high loop
        middle := (low + high) / 2;
        if (private.donation_fees(provider, payment_method, middle * unit - tip, tip, platform_fee_bp)).net >= wanted then
            high := middle;
        else
            low := middle + 1;
        end if;
    end loop;
    return high * unit - tip;
end;
$$;

-- A tip is none or positive, at most tip_max_bp of the gift.
create function private.check_tip(gift bigint, tip bigint)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    max_bp integer := (select s.tip_max_bp from public.platform_settings as s);
begin
    if tip is null or tip < 0 or tip > 1000000000000000 or tip * 10000 > gift * max_bp then
        raise exception using
            errcode = 'PT422', message = 'tip_out_of_bounds',
            detail = format('A tip is 0 to %s %% of the gift (minor units).', max_bp / 100.0);
    end if;
end;
$$;

-- A campaign takes a gift of this amount now: open, and within its
-- currency's bounds.
create function private.check_donation_terms(c public.campaigns, amount bigint)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    cur public.currencies;
begin
    if not c.is_open or c.ends_at <= pg_catalog.now() then
        raise exception using
            errcode = 'PT409', message = 'campaign_not_accepting_donations',
            detail = format('A campaign that is %s does not accept donations.', c.status);
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
end;
$$;

-- The platform fee rate a new pledge to the campaign is frozen with: its
-- category's, else the global one. The one home of that rule (the pledge's
-- trigger, the quote and covered fees).
create function private.campaign_platform_fee_bp(campaign_id uuid)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(
        (
            select k.platform_fee_bp
            from public.campaigns as c
            inner join public.categories as k on c.category = k.slug
            where c.id = campaign_platform_fee_bp.campaign_id
        ),
        (select s.platform_fee_bp from public.platform_settings as s)
    )
$$;

create or replace function private.category_platform_fee()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    new.platform_fee_bp := private.campaign_platform_fee_bp(new.campaign_id);
    return new;
end;
$$;

-- The gift a pledge asks for: the amount, or with covered fees the amount
-- grossed up (private.gross_up, at the campaign's platform fee and the
-- provider's step for its currency).
create function private.pledged_gift(
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
            provider, payment_method, amount, tip, private.campaign_platform_fee_bp(c.id),
            (
                select r.amount_step from public.provider_currencies as r
                where r.provider = pledged_gift.provider and r.currency = c.currency
            )
        )
    end
$$;

-- Functions: the payment core, with tips ------------------------------------------

create or replace function private.adjust_platform_fee(d public.donations, event_key text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    fee_target bigint := private.platform_fee(private.donation_net(d), d.platform_fee_bp);
    fee_recorded bigint;
    fee_entries bigint;
begin
    select coalesce(-pg_catalog.sum(l.amount), 0), pg_catalog.count(*) into fee_recorded, fee_entries
    from private.ledger_entries as l
    where l.donation_id = d.id and l.kind = 'platform_fee';
    perform private.add_ledger_entry(d, 'platform_fee', fee_recorded - fee_target, event_key || ':fee' || fee_entries);
end;
$$;

-- A pending donation and its payment attempt, for a checkout about to open.
-- tip_amount: the tip to the platform (minor units of the campaign's
-- currency); cover_fees: amount is what the campaign should net, the gift is
-- grossed up; payment_method: the channel counted for covered fees (none: the
-- provider's highest rate). The provider is charged gift + tip.
drop function private.create_donation(uuid, bigint, text, public.payment_provider, uuid, text, text, text, boolean);

create function private.create_donation(
    campaign_id uuid,
    amount bigint,
    currency text,
    provider public.payment_provider,
    donor_id uuid default null,
    donor_name text default null,
    donor_email text default null,
    message text default null,
    is_anonymous boolean default false,
    tip_amount bigint default 0,
    cover_fees boolean default false,
    payment_method text default null,
    pay_currency text default null
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
    tip bigint := coalesce(tip_amount, 0);
    gift bigint;
    d public.donations;
    attempt_id uuid;
    charged_currency text;
begin
    select * into c from public.campaigns as x where x.id = create_donation.campaign_id;
    if not found or not c.is_published then
        raise exception using
            errcode = 'PT404', message = 'campaign_not_found', detail = 'No such campaign, or not visible to you.';
    end if;
    if create_donation.currency is distinct from c.currency then
        raise exception using
            errcode = 'PT422', message = 'currency_mismatch',
            detail = format('This campaign collects %s.', c.currency);
    end if;
    perform private.check_donation_terms(c, amount);
    perform private.check_tip(amount, tip);
    gift := private.pledged_gift(c, provider, payment_method, amount, tip, cover_fees);
    perform private.check_donation_terms(c, gift);
    charged_currency := nullif(pg_catalog.upper(pay_currency), c.currency);
    select * into cur from public.currencies as k where k.code = c.currency;
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
        platform_fee_bp, tip_amount, covers_fees
    )
    values (
        c.id, donor_id, gift, c.currency, name, email,
        nullif(pg_catalog.btrim(message), ''), coalesce(is_anonymous, false),
        private.campaign_platform_fee_bp(c.id), tip, coalesce(cover_fees, false)
    )
    returning * into d;
    insert into private.payment_attempts (donation_id, provider, amount, currency, pay_currency, pay_amount)
    values (
        d.id, provider, d.amount + d.tip_amount, d.currency, charged_currency,
        private.pay_amount(provider, d.currency, charged_currency, d.amount + d.tip_amount)
    )
    returning id into attempt_id;

    return pg_catalog.jsonb_build_object(
        'donation_id', d.id,
        'attempt_id', attempt_id,
        'campaign_id', c.id,
        'amount', d.amount,
        'tip_amount', d.tip_amount,
        'charged_amount', d.amount + d.tip_amount,
        'currency', d.currency,
        'pay_currency', charged_currency,
        'exponent', cur.exponent,
        'donor_email', d.donor_email,
        'campaign_title', c.title,
        'campaign_slug', c.slug
    );
end;
$$;

grant execute on function private.create_donation(
    uuid, bigint, text, public.payment_provider, uuid, text, text, text, boolean, bigint, boolean, text, text
) to service_role;

-- A payment the provider confirms: credit it, unless the amount or currency
-- differs from the charge (gift + tip; recorded for review, never credited).
-- The fees follow private.donation_fees: the campaign books the gift and its
-- share of the processor fee, the platform the tip and its share.
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
        attempt.provider, outcome ->> 'payment_method', d.amount, d.tip_amount, d.platform_fee_bp,
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

-- Refunds: the provider reports the cumulative amount refunded of the charge;
-- only a higher total than the one applied changes anything (order-independent).
-- The gift is refunded first (money a dispute already withdrew cannot be
-- refunded as well), then the tip.
create or replace function private.apply_refund(d public.donations, refunded_total bigint, event_key text)
returns public.donations
language plpgsql
security definer
set search_path = ''
as $$
declare
    total bigint := least(refunded_total, d.amount - d.disputed_amount);
    tip_total bigint := least(greatest(refunded_total - (d.amount - d.disputed_amount), 0), d.tip_amount);
begin
    if d.status not in ('succeeded', 'partially_refunded', 'refunded') then
        return d;
    end if;
    if total > d.refunded_amount and d.status <> 'refunded' then
        perform private.add_ledger_entry(d, 'refund', -(total - d.refunded_amount), event_key);
        update public.donations as x
        set
            refunded_amount = total,
            status = case when total = x.amount then 'refunded' else 'partially_refunded' end::public.donation_status,
            updated_at = pg_catalog.now()
        where x.id = d.id
        returning * into d;
        perform private.adjust_platform_fee(d, event_key);
    end if;
    if tip_total > d.tip_refunded then
        perform private.add_ledger_entry(d, 'tip_refund', -(tip_total - d.tip_refunded), event_key);
        update public.donations as x
        set tip_refunded = tip_total, updated_at = pg_catalog.now()
        where x.id = d.id
        returning * into d;
    end if;
    return d;
end;
$$;

-- A refund outcome: the attempt keeps the highest cumulative total reported;
-- a credited donation is refunded up to it, gift then tip (stale when that
-- changes nothing); before the payment is credited the refund is deferred to
-- the crediting.
create or replace function private.apply_refund_outcome(
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
    if d.status in ('succeeded', 'partially_refunded', 'refunded') then
        refunded := private.apply_refund(d, refunded_total, event_key);
        result := case
            when refunded.refunded_amount = d.refunded_amount and refunded.tip_refunded = d.tip_refunded then 'stale'
            else 'applied'
        end;
    else
        result := 'deferred';
        note := 'applied when the payment itself is credited';
    end if;
end;
$$;

-- The books' check: campaigns whose totals differ from the ledger, whose
-- ledger counts more money than reached the platform, or whose tips in the
-- ledger differ from their donations' (none: all is well).
--   ledger_net  the ledger's donations, refunds, disputes and processor fees
--               (the balance before platform fees and payouts, so never less than it)
--   received    what the providers' records say reached the campaign: each
--               credited payment's amount received less its fee, refunds,
--               disputes and tip (the tip's share of the fee given back)
-- ledger_net <= received, always; the ledger's tip and tip_refund entries
-- equal the credited donations' tips less their tip refunds.
create or replace function private.check_ledger()
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
        coalesce(l.net, 0), coalesce(n.received, 0) - coalesce(l.tip_fees, 0)
    from public.campaigns as c
    left join (
        select
            e.campaign_id,
            (pg_catalog.sum(e.amount) filter (
                where e.kind in ('donation', 'refund', 'dispute', 'dispute_reversal')
            ))::bigint as collected,
            (pg_catalog.sum(e.amount) filter (
                where e.kind in ('donation', 'refund', 'dispute', 'dispute_reversal', 'processor_fee')
            ))::bigint as net,
            (pg_catalog.sum(e.amount) filter (where e.kind in ('tip', 'tip_refund')))::bigint as tips,
            (pg_catalog.sum(e.amount) filter (where e.kind = 'tip_fee'))::bigint as tip_fees
        from private.ledger_entries as e
        group by e.campaign_id
    ) as l on l.campaign_id = c.id
    left join (
        select
            x.campaign_id,
            pg_catalog.count(*) filter (where private.donation_counts(x.status, x.dispute_status)) as counted,
            pg_catalog.sum(
                coalesce(p.received, 0) - x.refunded_amount - x.disputed_amount - x.tip_amount
            ) filter (where x.status in ('succeeded', 'partially_refunded', 'refunded'))::bigint as received,
            pg_catalog.sum(x.tip_amount - x.tip_refunded)
            filter (where x.status in ('succeeded', 'partially_refunded', 'refunded'))::bigint as tips
        from public.donations as x
        left join lateral (
            select pg_catalog.sum(a.amount_received - coalesce(a.fee_amount, 0)) as received
            from private.payment_attempts as a
            where a.donation_id = x.id and a.status = 'succeeded'
        ) as p on true
        group by x.campaign_id
    ) as n on n.campaign_id = c.id
    where c.collected_amount <> coalesce(l.collected, 0) or c.donor_count <> coalesce(n.counted, 0)
        or coalesce(l.net, 0) > coalesce(n.received, 0) - coalesce(l.tip_fees, 0)
        or coalesce(l.tips, 0) <> coalesce(n.tips, 0)
$$;

-- The money the campaign can still pay out (its ledger's sum, tips aside).
create or replace function private.available_balance(campaign_id uuid)
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(pg_catalog.sum(l.amount), 0)::bigint
    from private.ledger_entries as l
    where l.campaign_id = available_balance.campaign_id and not private.is_platform_revenue(l.kind)
$$;

-- The campaign's money, from the ledger, tips aside (platform revenue).
create or replace function public.campaign_balance(campaign_id uuid)
returns public.campaign_balance
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id);
begin
    if not private.is_admin() and not private.is_campaign_team(c.id) then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner', detail = 'The balance is for the campaign''s team.';
    end if;
    return (
        select row(
            c.id,
            c.currency,
            coalesce(pg_catalog.sum(l.amount) filter (
                where l.kind in ('donation', 'refund', 'dispute', 'dispute_reversal')
            ), 0)::bigint,
            coalesce(-pg_catalog.sum(l.amount) filter (where l.kind = 'platform_fee'), 0)::bigint,
            coalesce(-pg_catalog.sum(l.amount) filter (where l.kind = 'processor_fee'), 0)::bigint,
            (
                select coalesce(pg_catalog.sum(p.amount), 0) from public.payout_requests as p
                where p.campaign_id = c.id and p.status in ('requested', 'approved')
            )::bigint,
            (
                select coalesce(pg_catalog.sum(p.amount), 0) from public.payout_requests as p
                where p.campaign_id = c.id and p.status = 'paid'
            )::bigint,
            coalesce(pg_catalog.sum(l.amount), 0)::bigint
        )::public.campaign_balance
        from private.ledger_entries as l
        where l.campaign_id = c.id and not private.is_platform_revenue(l.kind)
    );
end;
$$;


-- Refund orders (a cancelled campaign) refund what is left of the gift and of
-- the tip: the tip is refunded with the donation.
create or replace function private.open_refund_order(d public.donations)
returns void
language sql
security definer
set search_path = ''
as $$
    insert into public.refund_orders (
        campaign_id, donation_id, provider, payment_ref, amount, currency, provider_amount, status
    )
    select
        d.campaign_id, d.id, a.provider, coalesce(a.payment_ref, a.charge_ref, a.session_ref),
        d.amount - d.refunded_amount - d.disputed_amount + d.tip_amount - d.tip_refunded, d.currency,
        private.to_minor_units(
            case
                when a.pay_currency is null
                    then d.amount - d.refunded_amount - d.disputed_amount + d.tip_amount - d.tip_refunded
                when d.amount - d.refunded_amount - d.disputed_amount + d.tip_amount - d.tip_refunded
                    >= a.settled_amount then a.pay_amount
                else (d.amount - d.refunded_amount - d.disputed_amount + d.tip_amount - d.tip_refunded)
                    * a.pay_amount / a.settled_amount
            end,
            (select p.exponent from public.currencies as p where p.code = coalesce(a.pay_currency, d.currency)),
            private.provider_exponent(a.provider, coalesce(a.pay_currency, d.currency))
        ),
        (case when a.provider = 'stripe' then 'pending' else 'manual' end)::public.refund_order_status
    from (
        select x.* from private.payment_attempts as x
        where x.donation_id = d.id
        order by x.status = 'succeeded' desc, x.created_at desc
        limit 1
    ) as a
    inner join public.currencies as k on k.code = d.currency
    where d.status in ('succeeded', 'partially_refunded') and d.amount - d.refunded_amount - d.disputed_amount + d.tip_amount - d.tip_refunded > 0
    on conflict (donation_id) do update
    set amount = excluded.amount, provider_amount = excluded.provider_amount, updated_at = pg_catalog.now()
    where public.refund_orders.status in ('pending', 'manual')
$$;

-- A mobile-money refund an operator made by hand: the whole charge, tip
-- included, as the provider's own refund would be.
create or replace function public.record_manual_refund(order_id uuid, reference text)
returns public.refund_orders
language plpgsql
security definer
set search_path = ''
as $$
declare
    o public.refund_orders := private.locked_refund_order(order_id);
    ref text := nullif(pg_catalog.btrim(reference), '');
    d public.donations;
    attempt_id uuid;
    result jsonb;
begin
    if o.status <> 'manual' then
        raise exception using
            errcode = 'PT409', message = 'invalid_refund_transition',
            detail = pg_catalog.format('This %s refund order is %s.', o.provider, o.status);
    end if;
    if ref is null or pg_catalog.char_length(ref) > 120 or ref ~ '[[:cntrl:]]' then
        raise exception using
            errcode = 'PT422', message = 'reference_required',
            detail = 'The reference of the mobile-money transfer (1 to 120 characters).';
    end if;
    select * into d from public.donations as x where x.id = o.donation_id;
    select a.id into attempt_id from private.payment_attempts as a
    where a.donation_id = d.id and a.provider = o.provider
    order by a.status = 'succeeded' desc, a.created_at desc
    limit 1;
    result := private.record_payment_event(
        o.provider, 'manual_refund:' || o.id, 'manual_refund', pg_catalog.now(), null,
        pg_catalog.jsonb_build_object(
            'refund_order_id', o.id, 'reference', ref,
            'operator', nullif(pg_catalog.current_setting('africagnotte.operator', true), '')
        ),
        pg_catalog.jsonb_build_object(
            'kind', 'refund', 'attempt_id', attempt_id, 'donation_id', d.id,
            'refunded_total', private.to_minor_units(
                d.amount - d.disputed_amount + d.tip_amount,
                (select k.exponent from public.currencies as k where k.code = d.currency),
                private.provider_exponent(o.provider, d.currency)
            )
        )
    );
    if result ->> 'outcome' is distinct from 'applied' then
        raise exception using
            errcode = 'PT409', message = 'refund_not_recorded', detail = result::text;
    end if;
    update public.refund_orders as x
    set provider_refund_id = ref, updated_at = pg_catalog.now()
    where x.id = o.id
    returning * into o;
    perform private.audit('record_manual_refund', 'refund_order', o.id::text, pg_catalog.jsonb_build_object('reference', ref));
    return o;
end;
$$;

-- Refund orders follow their donation: refunded once nothing is left of the
-- gift nor of the tip.
create or replace function private.follow_refund_orders()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    campaign_status public.campaign_status;
begin
    if (new.refunded_amount > old.refunded_amount or new.tip_refunded > old.tip_refunded)
        and new.amount - new.refunded_amount - new.disputed_amount <= 0 and new.tip_refunded = new.tip_amount then
        update public.refund_orders as o
        set status = 'refunded', refunded_at = pg_catalog.now(), error = null, updated_at = pg_catalog.now()
        where o.donation_id = new.id and o.status <> 'refunded';
    end if;
    if (old.succeeded_at is null and new.succeeded_at is not null) or new.disputed_amount < old.disputed_amount then
        -- locked as its totals will be, then read: a close under way commits
        -- first (its scan did not see this money), and its status is seen
        select c.status into campaign_status from public.campaigns as c where c.id = new.campaign_id
        for no key update;
        if campaign_status = 'cancelled' then
            perform private.open_refund_order(new);
        end if;
    end if;
    return null;
end;
$$;

-- Functions: the quote ----------------------------------------------------------

create type public.donation_quote as (
    campaign_id uuid,
    campaign_currency text,
    provider public.payment_provider,
    covers_fees boolean,
    -- in the campaign's currency (minor units)
    gift_amount bigint,
    tip_amount bigint,
    charged_amount bigint,
    processor_fee bigint,
    campaign_processor_fee bigint,
    tip_processor_fee bigint,
    platform_fee_bp integer,
    platform_fee bigint,
    net_amount bigint,
    -- in the donor's currency (minor units)
    pay_currency text,
    pay_charged_amount bigint,
    pay_net_amount bigint,
    -- 1 unit of pay_currency in campaign_currency, where it comes from
    -- (same, fixed_parity, rates_table) and its date (rates_table only)
    rate numeric,
    rate_source text,
    rate_as_of date
);

comment on type public.donation_quote is
'public.donation_quote: what a donor pays and what the campaign nets, after every fee, in the campaign''s currency and the donor''s.';

-- The quote, for anyone (anon too), before paying: the one home of what a
-- donation costs and brings. amount and tip_amount are in `currency` (the
-- donor's; the campaign's when null), converted to the campaign's by
-- private.convert; with cover_fees, amount is what the campaign should net.
-- provider: the currency's default when null; payment_method: the channel the
-- fee is counted for (none: the provider's highest rate). The charge is made in
-- the campaign's currency: a checkout of gift_amount (tip_amount, no
-- cover_fees) credits exactly net_amount when the provider keeps its rate.
create function public.donation_quote(
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
    select * into fees from private.donation_fees(chosen, payment_method, gift, tip, bp);
    return row(
        c.id, c.currency, chosen, coalesce(cover_fees, false),
        gift, tip, fees.charged, fees.processor_fee, fees.campaign_fee, fees.tip_fee, bp, fees.platform_fee, fees.net,
        pay_currency, private.convert(fees.charged, c.currency, pay_currency),
        private.convert(fees.net, c.currency, pay_currency),
        rate.rate, rate.source, rate.as_of
    )::public.donation_quote;
end;
$$;

comment on function public.donation_quote(uuid, bigint, text, text, bigint, boolean, text) is
'Anyone: before paying, what the donor pays (their currency and the campaign''s), the processor and platform fees, the tip, and what the campaign nets, with the exchange rate used and its date.';

grant execute on function public.donation_quote(uuid, bigint, text, text, bigint, boolean, text)
to anon, authenticated, service_role;

-- Receipts: the receipt's amount is the gift to the campaign; the tip is its
-- own line (frozen at issue, as the rest).
alter table public.receipts
add column tip_amount bigint not null default 0 check (tip_amount >= 0);

comment on column public.receipts.tip_amount is
'The tip to the platform paid with the gift (a receipt''s own line, not part of amount); 0 on credit notes.';

create function private.receipt_takes_the_tip()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if new.kind = 'receipt' then
        new.tip_amount := coalesce(
            (select d.tip_amount from public.donations as d where d.id = new.donation_id), 0
        );
    end if;
    return new;
end;
$$;

create trigger receipts_take_the_tip
before insert on public.receipts
for each row execute function private.receipt_takes_the_tip();

-- Refund orders follow the tip's refund too.
drop trigger donations_follow_refund_orders on public.donations;

create trigger donations_follow_refund_orders
after update on public.donations
for each row when (
    old.refunded_amount is distinct from new.refunded_amount or old.succeeded_at is distinct from new.succeeded_at
    or old.disputed_amount is distinct from new.disputed_amount or old.tip_refunded is distinct from new.tip_refunded
)
execute function private.follow_refund_orders();


-- Paying from abroad ---------------------------------------------------------------
-- A card donor may pay in their own currency (pay_currency) for a campaign in
-- another: the attempt keeps the pledge in the campaign's currency (amount:
-- gift + tip) and the charge in the donor's (pay_amount, converted at
-- private.convert: the quote's rate). Stripe only. When paid, the ledger books
-- what the provider settled (its balance transaction: amount and currency,
-- after its own exchange rate), in the campaign's currency (the settlement's
-- currency converted by private.convert: the fixed parity for EUR<->XOF/XAF):
-- settled_amount. The gift and the tip are scaled to it in proportion (the
-- tip rounded down). Later amounts in the donor's currency (fee, refunds,
-- disputes) are converted at the rate applied, settled_amount / pay_amount (a
-- whole charge is exactly settled_amount; a part rounded down, a fee up). An
-- event that cannot be converted (no settlement reported, a settlement
-- currency the platform does not know, a refund before the payment is
-- credited) is held for review (mismatch). A refund order for such a charge
-- asks the provider for the pay currency's amount.


-- An amount of a charge in the donor's currency, in the campaign's at the rate
-- the provider applied (the whole charge: exactly what settled); rounded down,
-- or up for a fee.
create function private.at_settled_rate(a private.payment_attempts, amount bigint, up boolean default false)
returns bigint
language sql
immutable
set search_path = ''
as $$
    select case
        when amount is null or a.settled_amount is null then null
        when amount >= a.pay_amount then a.settled_amount
        when up then pg_catalog.ceil(amount::numeric * a.settled_amount / a.pay_amount)::bigint
        else (amount * a.settled_amount) / a.pay_amount
    end
$$;

-- The settlement a provider reports (settled_amount in its unit of
-- settled_currency), in the campaign's currency; null when it cannot be
-- converted.
create function private.settled_in(outcome jsonb, campaign_currency text, provider public.payment_provider)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
declare
    settled_currency text := pg_catalog.upper(outcome ->> 'settled_currency');
    exponent smallint := (select k.exponent from public.currencies as k where k.code = settled_currency);
begin
    if outcome ->> 'settled_amount' is null or exponent is null then
        return null;
    end if;
    return private.convert(
        private.to_minor_units(
            (outcome ->> 'settled_amount')::bigint, private.provider_exponent(provider, settled_currency), exponent
        ),
        settled_currency, campaign_currency
    );
exception when sqlstate 'PT422' then
    return null;  -- no rate known: held for review
end;
$$;

-- A charge in the donor's currency: the outcome's amounts in the campaign's
-- (pay_amount keeps the charge as the provider reported it). Unchanged for a
-- charge in the campaign's currency.
create function private.outcome_in_campaign_currency(
    a private.payment_attempts, outcome jsonb, campaign_currency text, provider public.payment_provider
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    applied private.payment_attempts := a;
begin
    if a.pay_currency is null then
        return outcome;
    end if;
    applied.settled_amount := coalesce(a.settled_amount, private.settled_in(outcome, campaign_currency, provider));
    return outcome - 'amount' - 'fee' - 'refunded_total' - 'dispute_amount'
        || pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'pay_amount', (outcome ->> 'amount')::bigint,
            'amount', private.at_settled_rate(applied, (outcome ->> 'amount')::bigint),
            'fee', private.at_settled_rate(applied, (outcome ->> 'fee')::bigint, true),
            'refunded_total', private.at_settled_rate(applied, (outcome ->> 'refunded_total')::bigint),
            'dispute_amount', private.at_settled_rate(applied, (outcome ->> 'dispute_amount')::bigint)
        ));
end;
$$;

-- A payment attempt's amount in its provider's unit, as the gateways send it:
-- the charge in the donor's currency when they pay in theirs.
create or replace function private.provider_amount(attempt_id uuid)
returns bigint
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    converted bigint;
begin
    select private.to_minor_units(
        coalesce(a.pay_amount, a.amount), c.exponent, private.provider_exponent(a.provider, c.code)
    ) into converted
    from private.payment_attempts as a
    inner join public.currencies as c on c.code = coalesce(a.pay_currency, a.currency)
    inner join public.provider_currencies as r on a.provider = r.provider and c.code = r.currency
    where a.id = provider_amount.attempt_id;
    if converted is null then
        raise exception using
            errcode = 'PT422', message = 'amount_not_payable',
            detail = 'This payment''s provider cannot charge its amount.';
    end if;
    return converted;
end;
$$;

-- The charge in the donor's currency for a pledge of `amount` (gift + tip) in
-- the campaign's: by card only, in a currency the provider takes, within its
-- bounds. Null when the donor pays in the campaign's currency.
create function private.pay_amount(
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
    if provider <> 'stripe' or not exists (
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
            detail = format('%s %s cannot be charged by card.', charged, pg_catalog.upper(pay_currency));
    end if;
    return charged;
end;
$$;

create or replace function private.refuse_disagreeing_outcome(
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
        a.session_ref, a.payment_ref, a.charge_ref, coalesce(a.pay_currency, d.currency)
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

create or replace function private.record_payment_event(
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
            outcome := private.outcome_in_minor_units(outcome, coalesce(a.pay_currency, d.currency), provider);
            outcome := private.outcome_in_campaign_currency(a, outcome, d.currency, provider);
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
