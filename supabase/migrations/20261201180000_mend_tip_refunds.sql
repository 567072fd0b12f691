-- Tips, refunds and disputes mended (issue #20, an attacker's review of
-- 20261201110200_create_tips_and_quotes.sql).
--
-- Rules (they replace that file's "Refunds" rule):
-- - What the provider refunded of the charge (its cumulative total) is booked
--   gift first, then tip, whatever order the events arrive in: the gift's
--   refund is the total up to the gift less what disputes withdraw from it,
--   the tip's refund the rest up to the tip less what disputes withdraw from
--   it. When a dispute is won, the gift can take more of the refund and the
--   tip's refund shrinks: a tip_refund entry gives the difference back (the
--   ledger is append-only; a positive tip_refund is that correction). Before,
--   the tip's refund only ever grew: a refund that arrived while a dispute was
--   open was booked twice once the dispute was won (private.apply_refund).
-- - A dispute withdraws from the gift first (what is neither refunded nor
--   withdrawn by another dispute), then its part beyond the gift from the tip
--   (donations.tip_disputed, payment_disputes.tip_withdrawn; tip_refund
--   entries keyed by the dispute): the donor's bank took the whole charge
--   back, and the platform's tip revenue is not counted as kept. Won, both
--   are given back. Before, the part beyond the gift was booked nowhere
--   (private.apply_dispute).
-- - A refund order refunds what is left of the gift and of the tip
--   (private.left_to_refund, the one home of that sum), also for a donation
--   whose gift is already refunded but not its whole tip: before, such a
--   donation (status refunded) got no order when its campaign was closed with
--   refunds (public.close_campaign_with_refunds, private.open_refund_order).
-- - The books (private.check_ledger): as in 20261201110200, the ledger's tip
--   entries now equal the credited donations' tips less their tip refunds and
--   tip disputes; and a campaign is reported when one of its donations has
--   more refunded (gift and tip) than its provider reports refunded
--   (payment_attempts.refunded_amount, in the campaign's currency).

-- Columns ----------------------------------------------------------------------

alter table public.donations
add column tip_disputed bigint not null default 0,
add constraint donations_tip_disputed_check check (tip_disputed >= 0 and tip_refunded + tip_disputed <= tip_amount);

comment on column public.donations.tip_disputed is
'How much of the tip open or lost disputes withdraw (a dispute''s part beyond the gift).';

alter table private.payment_disputes
add column tip_withdrawn bigint not null default 0 check (tip_withdrawn >= 0);

comment on column private.payment_disputes.tip_withdrawn is
'What the ledger currently withdraws from the tip for this dispute (its part beyond the gift).';

-- Refunds and disputes ------------------------------------------------------------

-- What a credited donation still brings, gift and tip: what a refund order
-- refunds.
create function private.left_to_refund(d public.donations)
returns bigint
language sql
immutable
set search_path = ''
as $$
    select d.amount - d.refunded_amount - d.disputed_amount + d.tip_amount - d.tip_refunded - d.tip_disputed
$$;

-- Refunds: the provider reports the cumulative amount refunded of the charge;
-- the gift is refunded first (money a dispute already withdrew cannot be
-- refunded as well), then the tip (less what disputes withdraw from it).
-- Changed from 20261201110200: the tip's refund follows the total both ways
-- (a won dispute lets the gift take more of it: the tip's excess is given back
-- by a positive tip_refund entry), and the tip's disputed part is left out.
create or replace function private.apply_refund(d public.donations, refunded_total bigint, event_key text)
returns public.donations
language plpgsql
security definer
set search_path = ''
as $$
declare
    total bigint := least(refunded_total, d.amount - d.disputed_amount);
    tip_total bigint := least(
        greatest(refunded_total - (d.amount - d.disputed_amount), 0), d.tip_amount - d.tip_disputed
    );
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
    if tip_total <> d.tip_refunded then
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
-- Changed from 20261201110200: the donation is refunded up to the attempt's
-- highest total, not the event's (an older event, arriving late, would
-- otherwise shrink the tip's refund, now that it follows the total both ways).
create or replace function private.apply_refund_outcome(
    a private.payment_attempts, d public.donations, outcome jsonb, event_key text,
    out result text, out note text
)
language plpgsql
security definer
set search_path = ''
as $$
declare
    refunded_total bigint;
    refunded public.donations;
begin
    update private.payment_attempts as x
    set refunded_amount = greatest(x.refunded_amount, (outcome ->> 'refunded_total')::bigint)
    where x.id = a.id
    returning x.refunded_amount into refunded_total;
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

-- Disputes: each dispute withdraws its amount while open or lost, nothing once
-- won: from the gift first, its part beyond the gift from the tip. Older events
-- about the same dispute are stale.
-- Changed from 20261121110000: the part beyond the gift withdraws from the tip
-- (tip_withdrawn, tip_disputed, a tip_refund entry keyed by the dispute).
create or replace function private.apply_dispute(
    d public.donations, dispute private.payment_disputes, event_key text
)
returns public.donations
language plpgsql
security definer
set search_path = ''
as $$
declare
    recorded bigint := dispute.withdrawn;
    wanted bigint := case when dispute.status in ('open', 'lost') then dispute.amount else 0 end;
    -- never more than what is neither refunded nor withdrawn by another dispute
    target bigint := least(wanted, d.amount - d.refunded_amount - (d.disputed_amount - dispute.withdrawn));
    tip_target bigint := least(
        wanted - target, d.tip_amount - d.tip_refunded - (d.tip_disputed - dispute.tip_withdrawn)
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
    perform private.add_ledger_entry(
        d, 'tip_refund', dispute.tip_withdrawn - tip_target, dispute.dispute_ref || ':' || event_key
    );
    update private.payment_disputes as p
    set withdrawn = target, tip_withdrawn = tip_target
    where p.provider = dispute.provider and p.dispute_ref = dispute.dispute_ref;
    update public.donations as x
    set
        disputed_amount = x.disputed_amount + target - recorded,
        tip_disputed = x.tip_disputed + tip_target - dispute.tip_withdrawn,
        dispute_status = dispute.status,
        updated_at = pg_catalog.now()
    where x.id = d.id
    returning * into d;
    perform private.adjust_platform_fee(d, event_key);
    return d;
end;
$$;

-- The books ------------------------------------------------------------------------

-- The books' check: campaigns whose totals differ from the ledger, whose
-- ledger counts more money than reached the platform, whose tips in the
-- ledger differ from their donations', or with a donation refunded beyond
-- what its provider reports refunded (none: all is well).
--   ledger_net  the ledger's donations, refunds, disputes and processor fees
--               (the balance before platform fees and payouts, so never less than it)
--   received    what the providers' records say reached the campaign: each
--               credited payment's amount received less its fee, refunds,
--               disputes and tip (the tip's share of the fee given back)
-- ledger_net <= received, always; the ledger's tip and tip_refund entries
-- equal the credited donations' tips less their tip refunds and tip disputes;
-- a donation's gift and tip refunds add up to at most its attempts' refunded
-- amounts.
-- Changed from 20261201110200: tip_disputed in the tips' rule; the refunds' rule.
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
            pg_catalog.sum(x.tip_amount - x.tip_refunded - x.tip_disputed)
            filter (where x.status in ('succeeded', 'partially_refunded', 'refunded'))::bigint as tips,
            pg_catalog.count(*) filter (
                where x.refunded_amount + x.tip_refunded > coalesce(p.refunded, 0)
            ) as over_refunded
        from public.donations as x
        left join lateral (
            select
                pg_catalog.sum(a.amount_received - coalesce(a.fee_amount, 0))
                filter (where a.status = 'succeeded') as received,
                pg_catalog.sum(a.refunded_amount) as refunded
            from private.payment_attempts as a
            where a.donation_id = x.id
        ) as p on true
        group by x.campaign_id
    ) as n on n.campaign_id = c.id
    where c.collected_amount <> coalesce(l.collected, 0) or c.donor_count <> coalesce(n.counted, 0)
        or coalesce(l.net, 0) > coalesce(n.received, 0) - coalesce(l.tip_fees, 0)
        or coalesce(l.tips, 0) <> coalesce(n.tips, 0)
        or coalesce(n.over_refunded, 0) > 0
$$;

-- Refund orders ----------------------------------------------------------------------

-- Refund orders (a cancelled campaign) refund what is left of the gift and of
-- the tip (private.left_to_refund): the tip is refunded with the donation.
-- Changed from 20261201110200: a refunded donation whose tip is not (wholly)
-- refunded gets its order too; the amount left is private.left_to_refund's.
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
        private.left_to_refund(d), d.currency,
        private.to_minor_units(
            case
                when a.pay_currency is null then private.left_to_refund(d)
                when private.left_to_refund(d) >= a.settled_amount then a.pay_amount
                else private.left_to_refund(d) * a.pay_amount / a.settled_amount
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
    where d.status in ('succeeded', 'partially_refunded', 'refunded') and private.left_to_refund(d) > 0
    on conflict (donation_id) do update
    set amount = excluded.amount, provider_amount = excluded.provider_amount, updated_at = pg_catalog.now()
    where public.refund_orders.status in ('pending', 'manual')
$$;

-- Changed from 20261130100100: refunded donations are looked at too (their tip
-- may be left; private.open_refund_order opens an order only for what is left).
create or replace function public.close_campaign_with_refunds(campaign_id uuid, reason text)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    why text;
    d public.donations;
begin
    if not private.is_admin() then
        raise exception using
            errcode = 'PT403', message = 'admin_only', detail = 'Only admins close campaigns with refunds.';
    end if;
    perform private.assert_independent_staff(c.id);
    -- a cancelled campaign may still hold money (cancelled without refunds): its
    -- donations get the orders they lack
    if c.status not in ('active', 'funded', 'expired', 'frozen', 'cancelled') then
        perform private.invalid_transition('close', c.status);
    end if;
    why := private.decision_reason(reason);
    perform private.reject_open_payouts(c.id, 'campaign closed: ' || why);
    if c.status <> 'cancelled' then
        c := private.set_campaign_status(c.id, 'cancelled', why);
    end if;
    for d in
        select * from public.donations as x
        where x.campaign_id = c.id and x.status in ('succeeded', 'partially_refunded', 'refunded')
        order by x.succeeded_at, x.id
        for update
    loop
        perform private.open_refund_order(d);
    end loop;
    perform private.audit(
        'close_campaign_with_refunds', 'campaign', c.id::text,
        pg_catalog.jsonb_build_object(
            'reason', why,
            'refund_orders', (select pg_catalog.count(*) from public.refund_orders as o where o.campaign_id = c.id)
        )
    );
    perform private.notify_campaign_decision(c, 'campaign_closed', why);
    return c;
end;
$$;

-- A mobile-money refund an operator made by hand: the whole charge, tip
-- included, as the provider's own refund would be.
-- Changed from 20261201110200: the refunded total is what was refunded plus
-- private.left_to_refund (so less the tip's disputed part).
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
                d.refunded_amount + d.tip_refunded + private.left_to_refund(d),
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
-- Changed from 20261201110200: what is left is private.left_to_refund's (the
-- tip's disputed part is not left); a dispute won on the tip reopens too.
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
        and private.left_to_refund(new) <= 0 then
        update public.refund_orders as o
        set status = 'refunded', refunded_at = pg_catalog.now(), error = null, updated_at = pg_catalog.now()
        where o.donation_id = new.id and o.status <> 'refunded';
    end if;
    if (old.succeeded_at is null and new.succeeded_at is not null) or new.disputed_amount < old.disputed_amount
        or new.tip_disputed < old.tip_disputed then
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

drop trigger donations_follow_refund_orders on public.donations;

create trigger donations_follow_refund_orders
after update on public.donations
for each row when (
    old.refunded_amount is distinct from new.refunded_amount or old.succeeded_at is distinct from new.succeeded_at
    or old.disputed_amount is distinct from new.disputed_amount or old.tip_refunded is distinct from new.tip_refunded
    or old.tip_disputed is distinct from new.tip_disputed
)
execute function private.follow_refund_orders();
