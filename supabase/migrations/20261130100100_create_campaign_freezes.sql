-- Stopping a fraud: operators freeze a campaign, then unfreeze it or close it
-- with refunds.
--
--   freeze_campaign(campaign, reason)      staff (moderators and admins): a published
--                                          campaign (active, funded, expired) becomes
--                                          frozen: hidden from discovery (not published),
--                                          no donations (not open), no edits
--                                          (private.assert_campaign_open), no payouts
--                                          (the payouts' decisions read the status)
--   unfreeze_campaign(campaign, note)      admins: back to active or funded (the totals
--                                          decide), or expired when ends_at passed;
--                                          never while the owner is banned, nor
--                                          once the owner deleted their account
--   close_campaign_with_refunds(c, reason) admins: the campaign is cancelled, its open
--                                          payouts rejected, and one refund order is
--                                          written per credited donation not yet refunded
--                                          (also for a campaign cancelled earlier
--                                          without refunds: the orders it lacks)
--   a ban                                  freezes every published campaign of the
--                                          banned user (trigger on auth.users, whoever
--                                          bans: the console or GoTrue's admin API)
--
-- Every decision: staff never decide on a campaign of their own team
-- (private.assert_independent_staff); the status moves through
-- private.set_campaign_status (the history keeps actor and reason); the audit log
-- (private.audit) records it; the owner is told why (a notification, emailed).
--
-- Money that arrives after a freeze is recorded (it reached the provider): a
-- credited donation on a frozen campaign, refunded if the campaign is closed.
-- A payment credited on a cancelled campaign gets its refund order at once.
--
-- Refund orders (public.refund_orders, admins only): Stripe orders start pending,
-- the console asks Stripe's Refund API (idempotency key: the order's id) and
-- records the request (record_refund_request: requested, or failed); the refund
-- reaches the ledger through Stripe's charge.refunded webhook, which marks the
-- order refunded. Mobile-money (CinetPay) orders start manual: an operator sends
-- the money back by hand and records it (record_manual_refund), which writes the
-- refund through the payment core (private.record_payment_event, a refund
-- outcome): ledger and totals follow as for any provider refund.
--
-- A payout already paid is not taken back: refunds of a campaign whose money was
-- paid out make its balance negative (the platform's loss, visible in the ledger).

-- Types ------------------------------------------------------------------------

create type public.refund_order_status as enum ('pending', 'requested', 'refunded', 'manual', 'failed');

-- Tables -----------------------------------------------------------------------

create table public.refund_orders (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete restrict,
    donation_id uuid not null unique references public.donations (id) on delete restrict,
    provider public.payment_provider not null,
    -- the provider's payment to refund (Stripe: PaymentIntent or Charge; CinetPay: transaction)
    payment_ref text,
    -- what is left to refund when the order was written, in the currency's minor units
    amount bigint not null check (amount > 0),
    currency text not null references public.currencies (code),
    -- the same in the provider's unit (private.provider_exponent)
    provider_amount bigint,
    status public.refund_order_status not null,
    -- Stripe's refund id, or the reference of a manual mobile-money transfer
    provider_refund_id text check (
        pg_catalog.char_length(provider_refund_id) between 1 and 120 and provider_refund_id !~ '[[:cntrl:]]'
    ),
    error text check (pg_catalog.char_length(error) <= 500),
    created_by uuid default auth.uid() references auth.users (id) on delete set null,
    created_at timestamptz not null default pg_catalog.now(),
    requested_at timestamptz,
    refunded_at timestamptz,
    updated_at timestamptz not null default pg_catalog.now(),
    check ((status = 'refunded') = (refunded_at is not null))
);

comment on table public.refund_orders is
'One refund per credited donation of a campaign closed with refunds. Stripe: pending -> requested -> refunded (webhook) | failed; CinetPay: manual -> refunded (record_manual_refund). Admins only.';

create index refund_orders_campaign_idx on public.refund_orders (campaign_id, status);
create index refund_orders_open_idx on public.refund_orders (created_at) where status <> 'refunded';
create index refund_orders_created_by_idx on public.refund_orders (created_by);
create index refund_orders_currency_idx on public.refund_orders (currency);

-- Grants and RLS ----------------------------------------------------------------

revoke all on table public.refund_orders from anon, authenticated;
grant select on table public.refund_orders to authenticated;

alter table public.refund_orders enable row level security;

-- four eyes: an admin on the campaign's team does not see (so the console does
-- not send to the provider) the refunds of that campaign
create policy "admins read refund orders of campaigns off their team"
on public.refund_orders for select to authenticated
using ((select private.is_admin()) and campaign_id not in (select private.team_campaign_ids()));

-- Functions: helpers -----------------------------------------------------------------

-- Open payouts of a campaign that stops are rejected (money back to its balance),
-- by an admin; anyone else is told to wait for them.
create function private.reject_open_payouts(campaign_id uuid, reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests;
begin
    for p in
        select * from public.payout_requests as x
        where x.campaign_id = reject_open_payouts.campaign_id and x.status in ('requested', 'approved')
        order by x.created_at
    loop
        if not private.is_admin() then
            raise exception using
                errcode = 'PT409', message = 'payout_in_progress',
                detail = 'Cancel the open payout first, or ask an admin.';
        end if;
        perform private.move_payout(p.id, 'rejected', pg_catalog.left(reason, 500));
    end loop;
end;
$$;

-- Tells the owner of an operator's decision (in app, and emailed: template = kind).
create function private.notify_campaign_decision(
    c public.campaigns, kind public.notification_kind, reason text
)
returns void
language sql
security definer
set search_path = ''
as $$
    select private.notify(
        array[c.owner_id], kind, c.id,
        private.campaign_payload(c) || pg_catalog.jsonb_build_object('reason', reason, 'status', c.status),
        kind::text || ':' || c.id || ':' || pg_catalog.to_char(pg_catalog.clock_timestamp(), 'YYYYMMDDHH24MISSUS')
    )
$$;

-- The freeze itself (the callers check who may): status, audit, the owner told.
create function private.apply_freeze(campaign_id uuid, reason text)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    c := private.set_campaign_status(campaign_id, 'frozen', reason);
    perform private.audit('freeze_campaign', 'campaign', c.id::text, pg_catalog.jsonb_build_object('reason', reason));
    perform private.notify_campaign_decision(c, 'campaign_frozen', reason);
    return c;
end;
$$;

-- A refund order for what a credited donation still brings (none when nothing
-- is left): Stripe's pending, CinetPay's manual. An order not yet sent (pending,
-- manual) follows what is left (a dispute won gives money back); a failed one
-- keeps its amount (Stripe's idempotency key is bound to it).
create function private.open_refund_order(d public.donations)
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
        d.amount - d.refunded_amount - d.disputed_amount, d.currency,
        private.to_minor_units(
            d.amount - d.refunded_amount - d.disputed_amount, k.exponent,
            private.provider_exponent(a.provider, d.currency)
        ),
        (case when a.provider = 'stripe' then 'pending' else 'manual' end)::public.refund_order_status
    from (
        select x.* from private.payment_attempts as x
        where x.donation_id = d.id
        order by x.status = 'succeeded' desc, x.created_at desc
        limit 1
    ) as a
    inner join public.currencies as k on k.code = d.currency
    where d.status in ('succeeded', 'partially_refunded') and d.amount - d.refunded_amount - d.disputed_amount > 0
    on conflict (donation_id) do update
    set amount = excluded.amount, provider_amount = excluded.provider_amount, updated_at = pg_catalog.now()
    where public.refund_orders.status in ('pending', 'manual')
$$;

-- The refund order, locked, for an admin off the campaign's team
-- (refund_order_not_found otherwise).
create function private.locked_refund_order(order_id uuid)
returns public.refund_orders
language plpgsql
security definer
set search_path = ''
as $$
declare
    o public.refund_orders;
begin
    if not private.is_admin() then
        raise exception using errcode = 'PT403', message = 'admin_only', detail = 'Only admins handle refunds.';
    end if;
    select * into o from public.refund_orders as x where x.id = locked_refund_order.order_id for update;
    if not found then
        raise exception using errcode = 'PT404', message = 'refund_order_not_found', detail = 'No such refund order.';
    end if;
    perform private.assert_independent_staff(o.campaign_id);
    return o;
end;
$$;

-- Functions: the decisions ------------------------------------------------------------

create function public.freeze_campaign(campaign_id uuid, reason text)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
begin
    if not private.is_staff() then
        raise exception using
            errcode = 'PT403', message = 'staff_only', detail = 'Only moderators and admins freeze campaigns.';
    end if;
    perform private.assert_independent_staff(c.id);
    if not c.is_published then
        perform private.invalid_transition('freeze', c.status);
    end if;
    return private.apply_freeze(c.id, private.decision_reason(reason));
end;
$$;

create function public.unfreeze_campaign(campaign_id uuid, note text)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    why text;
begin
    if not private.is_admin() then
        raise exception using errcode = 'PT403', message = 'admin_only', detail = 'Only admins unfreeze campaigns.';
    end if;
    perform private.assert_independent_staff(c.id);
    if c.status <> 'frozen' then
        perform private.invalid_transition('unfreeze', c.status);
    end if;
    if private.is_banned(c.owner_id) then
        raise exception using
            errcode = 'PT409', message = 'owner_banned',
            detail = 'The owner of this campaign is banned: lift the ban first, or close it with refunds.';
    end if;
    -- frozen because its owner deleted their account (private.release_campaign):
    -- nobody could run it nor ask for its money
    if c.owner_id is null then
        raise exception using
            errcode = 'PT409', message = 'campaign_without_owner',
            detail = 'The owner of this campaign deleted their account: close it with refunds.';
    end if;
    why := private.decision_reason(note);
    -- active becomes funded when the totals say so (private.prepare_campaign)
    c := private.set_campaign_status(
        c.id, case when c.ends_at <= pg_catalog.now() then 'expired' else 'active' end::public.campaign_status, why
    );
    perform private.audit('unfreeze_campaign', 'campaign', c.id::text, pg_catalog.jsonb_build_object('note', why));
    perform private.notify_campaign_decision(c, 'campaign_unfrozen', why);
    return c;
end;
$$;

create function public.close_campaign_with_refunds(campaign_id uuid, reason text)
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
        where x.campaign_id = c.id and x.status in ('succeeded', 'partially_refunded')
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

-- The console asked the provider for the refund: its refund id (requested), or
-- the provider's refusal (failed; asked again later). An order the webhook
-- already marked refunded only learns the refund id.
create function public.record_refund_request(order_id uuid, provider_refund_id text, error text default null)
returns public.refund_orders
language plpgsql
security definer
set search_path = ''
as $$
declare
    o public.refund_orders := private.locked_refund_order(order_id);
    ref text := nullif(pg_catalog.btrim(provider_refund_id), '');
begin
    if ref is null and nullif(pg_catalog.btrim(error), '') is null then
        raise exception using
            errcode = 'PT422', message = 'reference_required', detail = 'The provider''s refund id, or its error.';
    end if;
    if o.status = 'refunded' and ref is not null then
        update public.refund_orders as x
        set provider_refund_id = coalesce(x.provider_refund_id, ref), updated_at = pg_catalog.now()
        where x.id = o.id
        returning * into o;
        return o;
    end if;
    if o.status not in ('pending', 'failed') or o.provider <> 'stripe' then
        raise exception using
            errcode = 'PT409', message = 'invalid_refund_transition',
            detail = pg_catalog.format('This %s refund order is %s.', o.provider, o.status);
    end if;
    update public.refund_orders as x
    set
        status = case when ref is not null then 'requested' else 'failed' end::public.refund_order_status,
        provider_refund_id = ref,
        error = case when ref is null then pg_catalog.left(pg_catalog.btrim(record_refund_request.error), 500) end,
        requested_at = pg_catalog.now(),
        updated_at = pg_catalog.now()
    where x.id = o.id
    returning * into o;
    perform private.audit(
        'request_refund', 'refund_order', o.id::text,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('refund_id', ref, 'error', o.error))
    );
    return o;
end;
$$;

-- A mobile-money refund an operator made by hand: the refund is written through
-- the payment core, as the provider's own refund would be (the rest of the
-- donation, once: the event id is the order's).
create function public.record_manual_refund(order_id uuid, reference text)
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
                d.amount - d.disputed_amount,
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

-- Functions: triggers --------------------------------------------------------------------

-- Refund orders follow their donation: refunded once nothing is left to refund;
-- a payment credited on a cancelled campaign gets its order at once, and so does
-- money a dispute gives back there (a won dispute).
create function private.follow_refund_orders()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    campaign_status public.campaign_status;
begin
    if new.refunded_amount > old.refunded_amount and new.amount - new.refunded_amount - new.disputed_amount <= 0 then
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

-- A ban freezes the banned user's published campaigns.
create function private.freeze_banned_owners_campaigns()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    campaign_id uuid;
begin
    for campaign_id in
        select c.id from public.campaigns as c
        where c.owner_id = new.id and c.is_published
        order by c.created_at
        for update
    loop
        perform private.apply_freeze(campaign_id, 'owner banned');
    end loop;
    return null;
end;
$$;

grant execute on function public.freeze_campaign(uuid, text) to authenticated;
grant execute on function public.unfreeze_campaign(uuid, text) to authenticated;
grant execute on function public.close_campaign_with_refunds(uuid, text) to authenticated;
grant execute on function public.record_refund_request(uuid, text, text) to authenticated;
grant execute on function public.record_manual_refund(uuid, text) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger donations_follow_refund_orders
after update on public.donations
for each row when (
    old.refunded_amount is distinct from new.refunded_amount or old.succeeded_at is distinct from new.succeeded_at
    or old.disputed_amount is distinct from new.disputed_amount
)
execute function private.follow_refund_orders();

create trigger users_freeze_banned_owners_campaigns
after update of banned_until on auth.users
for each row when (
    new.banned_until > pg_catalog.now()
    and (old.banned_until is null or old.banned_until <= pg_catalog.now())
)
execute function private.freeze_banned_owners_campaigns();

-- Email templates: the owner hears of each decision -----------------------------------------

insert into private.email_templates (key, locale, subject, body) values
(
    'campaign_frozen', 'fr', 'Votre cagnotte « {{campaign_title}} » est suspendue',
    E'Bonjour {{recipient_name}},\n\nVotre cagnotte « {{campaign_title}} » est suspendue par notre équipe : elle n''apparaît plus dans les recherches, ne reçoit plus de dons et aucun versement n''est possible.\nMotif : {{reason}}\nRépondez à ce message pour nous aider à vérifier la situation.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_frozen', 'en', 'Your fundraiser "{{campaign_title}}" is on hold',
    E'Hello {{recipient_name}},\n\nYour fundraiser "{{campaign_title}}" is on hold by our team: it no longer shows in search, takes no donations and no payout is possible.\nReason: {{reason}}\nReply to this message to help us check the situation.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'campaign_unfrozen', 'fr', 'Votre cagnotte « {{campaign_title}} » est rétablie',
    E'Bonjour {{recipient_name}},\n\nVotre cagnotte « {{campaign_title}} » est de nouveau visible.\nNote de notre équipe : {{reason}}\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_unfrozen', 'en', 'Your fundraiser "{{campaign_title}}" is back',
    E'Hello {{recipient_name}},\n\nYour fundraiser "{{campaign_title}}" is visible again.\nNote from our team: {{reason}}\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'campaign_closed', 'fr', 'Votre cagnotte « {{campaign_title}} » est close',
    E'Bonjour {{recipient_name}},\n\nVotre cagnotte « {{campaign_title}} » est close par notre équipe et ses dons sont remboursés aux donateurs.\nMotif : {{reason}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_closed', 'en', 'Your fundraiser "{{campaign_title}}" is closed',
    E'Hello {{recipient_name}},\n\nYour fundraiser "{{campaign_title}}" is closed by our team and its donations are refunded to the donors.\nReason: {{reason}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
);
