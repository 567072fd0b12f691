-- Monthly giving by card: a recurring gift is a Stripe subscription whose
-- every paid invoice is a donation through the payment core.
--
--   start        POST /donations/checkout with recurring = monthly: card only
--                (Stripe; any other provider: recurring_needs_card). The
--                service asks private.start_recurring_gift, which makes the
--                first month's pledge with private.create_donation (its rules:
--                campaign open, currency, amount bounds, a banned donor
--                refused) and the gift (pending), then opens a Checkout
--                Session in subscription mode naming the gift in
--                subscription_data.metadata.
--   each month   Stripe's invoice.paid (private.record_recurring_invoice): the
--                invoice's donation is the first pledge for the first invoice,
--                else a new one made by private.create_donation, linked to the
--                gift once per invoice (private.recurring_gift_payments,
--                keyed by the invoice: a replay, a second event about the same
--                invoice or a concurrent duplicate credits once: the gift's
--                row is locked first); it is credited by
--                private.record_payment_event with the invoice's payment
--                intent, charge and Stripe's fee, so receipts, notifications
--                and the books follow as for any gift. The first credited
--                invoice makes the gift active (the donor is told:
--                recurring_gift_started).
--   not credited An invoice whose gift no longer runs (ending, ended) or whose
--                campaign does not accept donations (private.recurring_invoice_refusal,
--                the core's rule: a campaign that is not open takes no money):
--                the event is recorded ignored, and the service refunds it at
--                Stripe (and deletes the subscription of a gift that no longer
--                runs) before that record commits: the decision is
--                record_recurring_invoice's, taken under the gift's lock (a
--                cancel or a close racing the invoice cannot leave an ignored
--                invoice unrefunded); a refund Stripe refuses rolls the record
--                back and answers 503, so that Stripe retries (the refund is
--                idempotent per invoice; a subscription Stripe does not delete
--                then is left to `payments end-recurring`, the gift being
--                ending). A later month whose pledge
--                private.create_donation refuses (a banned donor, amount bounds
--                changed, a campaign no longer visible: any PT4xx) is not
--                credited either: recorded ignored with the refusal's token,
--                refunded, its subscription deleted, the gift ending
--                (donation_refused). An invoice naming another
--                campaign than its gift's, or a subscription other than the
--                one the gift knows, is held for review (outcome mismatch),
--                credited nothing.
--   ending       Statuses: pending (checkout open) -> active (first month paid)
--                -> ending (asked to end: the subscription is still live at
--                Stripe) -> ended; pending or active may end at once when Stripe
--                says the subscription is gone. private.move_recurring_gift
--                is the one transition function: it checks the move, audits
--                (private.audit) and tells the donor once (recurring_gift_ended,
--                with the reason) when the gift enters ending or ended.
--                Reasons: canceled_by_donor (their account:
--                cancel_recurring_gift(gift), or the signed link of every email
--                about the gift: <site>/dons-mensuels/<id>?sig=<hmac>, the
--                frontend POSTs the sig to the service's
--                POST /recurring-gifts/<id>/cancel; HMAC-SHA256 of the gift's
--                id with a random key kept in private.recurring_gift_signing_key),
--                campaign_closed (a trigger on campaigns: a campaign that is
--                neither open nor frozen ends its gifts), payment_failed (Stripe
--                retried per its settings, then deleted the subscription:
--                customer.subscription.deleted with cancellation_details.reason
--                payment_failed), canceled_at_provider (deleted at Stripe for
--                another reason), checkout_abandoned (the Checkout Session
--                expired unpaid: its first pledge is canceled; the donor is not
--                told, the gift never began), donation_refused (the payment
--                core refused a month's pledge, see above).
--                The subscriptions of ending gifts are deleted at Stripe by the
--                service (at once for a donor's cancel; on the next invoice
--                otherwise) and by `cagnotte-admin payments end-recurring`
--                (schedulable); customer.subscription.deleted ends the gift too
--                (idempotent).
--   erasure      A donor's account deleted (hard or soft; the profile's on
--                delete set null empties donor_id), or a guest gift made with
--                the leaver's email (triggers on auth.users, as
--                private.erase_account): the gift forgets donor_email and
--                donor_name and is ending (canceled_by_donor), untold (nobody
--                left to tell); `payments end-recurring` deletes its
--                subscription, and a month billed meanwhile is refunded.
--   failures     invoice.payment_failed notes the attempt (failed_payments,
--                last_failure_at); nothing else changes until Stripe's last
--                retry deletes the subscription.
--   reading      the donor reads their own gifts, admins all
--                (public.recurring_gifts); the Stripe subscription and customer
--                ids are private (private.recurring_gift_refs). The team sees
--                the donations as any donation, never the gift.

-- Types ------------------------------------------------------------------------

create type public.recurring_gift_status as enum ('pending', 'active', 'ending', 'ended');
create type public.recurring_gift_end_reason as enum (
    'canceled_by_donor', 'campaign_closed', 'payment_failed', 'canceled_at_provider', 'checkout_abandoned',
    'donation_refused'
);

-- Tables -----------------------------------------------------------------------

create table public.recurring_gifts (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete restrict,
    -- null for a guest
    donor_id uuid references public.profiles (id) on delete set null,
    donor_email public.email_address,
    donor_name text,
    is_anonymous boolean not null default false,
    -- each month, in minor units of currency (the campaign's)
    amount bigint not null check (amount > 0),
    currency text not null references public.currencies (code),
    -- a guest's emails and receipts are in it
    locale public.locale not null default 'fr',
    status public.recurring_gift_status not null default 'pending',
    end_reason public.recurring_gift_end_reason,
    -- failed renewals Stripe reported since the last paid one
    failed_payments integer not null default 0 check (failed_payments >= 0),
    last_failure_at timestamptz,
    created_at timestamptz not null default pg_catalog.now(),
    started_at timestamptz,
    ended_at timestamptz,
    updated_at timestamptz not null default pg_catalog.now(),
    check ((status in ('ending', 'ended')) = (end_reason is not null)),
    check ((status = 'ended') = (ended_at is not null))
);

comment on table public.recurring_gifts is
'Monthly gifts by card (Stripe subscriptions); each paid month is a donation. Written only by private functions; donors read their own, admins all.';

create index recurring_gifts_campaign_id_idx on public.recurring_gifts (campaign_id, status);
create index recurring_gifts_donor_id_idx on public.recurring_gifts (donor_id);
create index recurring_gifts_currency_idx on public.recurring_gifts (currency);

-- Stripe's references of a gift: never exposed.
create table private.recurring_gift_refs (
    gift_id uuid primary key references public.recurring_gifts (id) on delete cascade,
    first_donation_id uuid not null unique references public.donations (id) on delete restrict,
    session_ref text unique,
    subscription_ref text unique,
    customer_ref text
);

-- One donation per invoice of a gift.
create table private.recurring_gift_payments (
    invoice_ref text primary key,
    gift_id uuid not null references public.recurring_gifts (id) on delete cascade,
    donation_id uuid not null unique references public.donations (id) on delete restrict,
    created_at timestamptz not null default pg_catalog.now()
);

create index recurring_gift_payments_gift_id_idx on private.recurring_gift_payments (gift_id);

-- One row: the key of the cancel links' signatures.
create table private.recurring_gift_signing_key (
    id boolean primary key default true check (id),
    secret bytea not null default extensions.gen_random_bytes(32)
);

insert into private.recurring_gift_signing_key default values;

-- Grants -----------------------------------------------------------------------

revoke all on table public.recurring_gifts from anon, authenticated, service_role;
grant select on table public.recurring_gifts to authenticated;
grant select on table public.recurring_gifts to service_role;

-- RLS --------------------------------------------------------------------------

alter table public.recurring_gifts enable row level security;
alter table private.recurring_gift_refs enable row level security;
alter table private.recurring_gift_payments enable row level security;
alter table private.recurring_gift_signing_key enable row level security;

create policy "donors read their own recurring gifts and admins all"
on public.recurring_gifts for select to authenticated
using (donor_id = (select auth.uid()) or (select private.is_admin()));

create policy "the service reads recurring gifts"
on public.recurring_gifts for select to service_role
using (true);

-- restrictive, so that no grant made by mistake ever opens them.
create policy "api roles never touch recurring gifts' stripe references"
on private.recurring_gift_refs as restrictive for all to anon, authenticated, service_role
using (false)
with check (false);

create policy "api roles never touch recurring gifts' invoices"
on private.recurring_gift_payments as restrictive for all to anon, authenticated, service_role
using (false)
with check (false);

create policy "api roles never read the recurring gift signing key"
on private.recurring_gift_signing_key as restrictive for all to anon, authenticated, service_role
using (false)
with check (false);

-- Functions: signed links --------------------------------------------------------

-- The one home of a signed link's signature: HMAC-SHA256 of an id with a key,
-- in base64url without padding. The receipts' links (private.receipt_signature)
-- are signed by it too, each kind of link with its own key.
create function private.link_signature(id uuid, secret bytea)
returns text
language sql
immutable
set search_path = ''
as $$
    select pg_catalog.rtrim(pg_catalog.translate(pg_catalog.encode(
        extensions.hmac(pg_catalog.convert_to(id::text, 'UTF8'), secret, 'sha256'), 'base64'
    ), '+/', '-_'), '=')
$$;

create or replace function private.receipt_signature(receipt_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$ select private.link_signature(receipt_id, k.secret) from private.receipt_signing_key as k $$;

-- The signature of a gift's cancel link.
create function private.recurring_gift_signature(gift_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$ select private.link_signature(gift_id, k.secret) from private.recurring_gift_signing_key as k $$;

-- The frontend's page of a gift, where its donor may cancel it.
create function private.recurring_gift_path(gift_id uuid)
returns text
language sql
stable
set search_path = ''
as $$ select '/dons-mensuels/' || gift_id::text || '?sig=' || private.recurring_gift_signature(gift_id) $$;

comment on function private.recurring_gift_path(uuid) is
'The frontend''s page of a recurring gift, with its signature (its cancel link); the one home of that path.';

-- Functions: the transition ----------------------------------------------------------

-- Tells the donor (a signed-in donor in app and by email, a guest by email).
create function private.tell_recurring_donor(g public.recurring_gifts, kind public.notification_kind)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
    payload jsonb;
begin
    select * into c from public.campaigns as x where x.id = g.campaign_id;
    payload := private.campaign_payload(c) || pg_catalog.jsonb_build_object(
        'gift_id', g.id,
        'amount', g.amount,
        'reason', g.end_reason,
        'cancel_url', private.site_link(private.recurring_gift_path(g.id))
    );
    if g.donor_id is not null then
        perform private.notify(array[g.donor_id], kind, g.campaign_id, payload, 'recurring_gift:' || g.id || ':' || kind);
    elsif g.donor_email is not null then
        perform private.enqueue_email(
            null, g.donor_email, g.locale, kind::text,
            payload || pg_catalog.jsonb_build_object(
                'recipient_name', coalesce(g.donor_name, ''),
                'campaign_url', private.site_link(private.campaign_path(c.slug)),
                'amount', private.format_money(g.amount, g.currency, g.locale)
            ),
            'recurring_gift:' || g.id || ':' || kind
        );
    end if;
end;
$$;

-- The one transition of a recurring gift: pending -> active; pending or
-- active -> ending (asked to end, with a reason) or ended; ending -> ended
-- (its reason kept unless given). Moving to where it already is changes
-- nothing; any other move is recurring_gift_not_active. Audited; the donor is
-- told once when it starts and once when it enters ending or ended.
create function private.move_recurring_gift(
    gift_id uuid, to_status public.recurring_gift_status, reason public.recurring_gift_end_reason default null
)
returns public.recurring_gifts
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.recurring_gifts;
    was public.recurring_gift_status;
begin
    select * into g from public.recurring_gifts as x where x.id = move_recurring_gift.gift_id for update;
    if not found then
        raise exception using
            errcode = 'PT404', message = 'recurring_gift_not_found', detail = 'No such recurring gift.';
    end if;
    was := g.status;
    if was = to_status or (was = 'ended' and to_status = 'ending') then
        return g;
    end if;
    if not (
        (was = 'pending' and to_status in ('active', 'ending', 'ended'))
        or (was = 'active' and to_status in ('ending', 'ended'))
        or (was = 'ending' and to_status = 'ended')
    ) then
        raise exception using
            errcode = 'PT409', message = 'recurring_gift_not_active',
            detail = format('A %s recurring gift does not become %s.', was, to_status);
    end if;
    update public.recurring_gifts as x
    set
        status = to_status,
        end_reason = case when to_status in ('ending', 'ended') then coalesce(x.end_reason, reason, 'canceled_at_provider') end,
        started_at = case when to_status = 'active' then pg_catalog.now() else x.started_at end,
        ended_at = case when to_status = 'ended' then pg_catalog.now() end,
        updated_at = pg_catalog.now()
    where x.id = g.id
    returning * into g;
    perform private.audit(
        'recurring_gift_' || to_status::text, 'recurring_gift', g.id::text,
        pg_catalog.jsonb_build_object('from', was, 'reason', g.end_reason)
    );
    if to_status = 'active' then
        perform private.tell_recurring_donor(g, 'recurring_gift_started');
    elsif was in ('pending', 'active') and g.end_reason <> 'checkout_abandoned' then
        perform private.tell_recurring_donor(g, 'recurring_gift_ended');
    end if;
    return g;
end;
$$;

-- Functions: checkout (the service, service_role) ----------------------------------------

-- A recurring gift and its first month's pledge (private.create_donation's
-- rules); the pledge as create_donation returns it, with the gift's id. Card
-- only (Stripe).
create function private.start_recurring_gift(
    campaign_id uuid,
    amount bigint,
    currency text,
    provider public.payment_provider,
    donor_id uuid default null,
    donor_name text default null,
    donor_email text default null,
    message text default null,
    is_anonymous boolean default false,
    locale public.locale default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    pledge jsonb;
    d public.donations;
    gift_id uuid;
begin
    if provider is distinct from 'stripe' then
        raise exception using
            errcode = 'PT422', message = 'recurring_needs_card',
            detail = 'Monthly giving is by card (Stripe) only.';
    end if;
    pledge := private.create_donation(
        campaign_id => campaign_id, amount => amount, currency => currency, provider => provider,
        donor_id => donor_id, donor_name => donor_name, donor_email => donor_email, message => message,
        is_anonymous => is_anonymous
    );
    if locale is not null then
        perform private.remember_donation_locale((pledge ->> 'donation_id')::uuid, locale);
    end if;
    select * into d from public.donations as x where x.id = (pledge ->> 'donation_id')::uuid;
    insert into public.recurring_gifts (
        campaign_id, donor_id, donor_email, donor_name, is_anonymous, amount, currency, locale
    )
    values (
        d.campaign_id, d.donor_id, d.donor_email, d.donor_name, d.is_anonymous, d.amount, d.currency,
        coalesce((select f.locale from public.profiles as f where f.id = d.donor_id), locale, 'fr')
    )
    returning id into gift_id;
    insert into private.recurring_gift_refs (gift_id, first_donation_id) values (gift_id, d.id);
    perform private.audit('recurring_gift_pending', 'recurring_gift', gift_id::text, '{}');
    return pledge || pg_catalog.jsonb_build_object('recurring_gift_id', gift_id);
end;
$$;

-- The subscription's Checkout Session is open.
create function private.attach_recurring_checkout(
    gift_id uuid, attempt_id uuid, session_ref text, checkout_url text
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.attach_checkout(attempt_id, session_ref, checkout_url);
    update private.recurring_gift_refs as r
    set session_ref = attach_recurring_checkout.session_ref
    where r.gift_id = attach_recurring_checkout.gift_id;
end;
$$;

-- Functions: Stripe's events (the service, service_role) ---------------------------------

-- The gift an event is about, row-locked: by our id in the subscription's
-- metadata, else by the subscription. A row of nulls when none.
create function private.find_recurring_gift(gift_ref text, subscription_ref text)
returns public.recurring_gifts
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.recurring_gifts;
begin
    if gift_ref ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        select * into g from public.recurring_gifts as x where x.id = gift_ref::uuid for update;
    end if;
    if g.id is null and subscription_ref is not null then
        select x.* into g
        from public.recurring_gifts as x
        inner join private.recurring_gift_refs as r on x.id = r.gift_id
        where r.subscription_ref = find_recurring_gift.subscription_ref
        for update of x;
    end if;
    return g;
end;
$$;

-- Why an invoice of a gift is not credited (to refund at Stripe): the one home
-- of that rule; no row when it is credited. The gift no longer runs (its
-- subscription is to delete: ends_subscription), or its campaign takes no
-- money now (the core's rule, private.create_donation's
-- campaign_not_accepting_donations: not open, or past ends_at; a frozen
-- campaign keeps its gifts, a closed one ends them by trigger). Never for an
-- event already recorded nor an invoice already linked to its donation (a
-- replay refunds nothing).
create function private.recurring_invoice_refusal(
    gift_ref text, subscription_ref text, invoice_ref text, event_id text
)
returns table (reason text, ends_subscription boolean)
language sql
stable
security definer
set search_path = ''
as $$
    select
        case
            when g.status in ('ending', 'ended') then 'the recurring gift is ' || g.status::text
            else 'the campaign is ' || c.status::text
        end,
        g.status in ('ending', 'ended')
    from public.recurring_gifts as g
    inner join public.campaigns as c on g.campaign_id = c.id
    where g.id = (
        select x.id from public.recurring_gifts as x
        left join private.recurring_gift_refs as r on x.id = r.gift_id
        where x.id::text = gift_ref or r.subscription_ref = recurring_invoice_refusal.subscription_ref
        order by x.id::text = gift_ref desc
        limit 1
    )
    and (g.status in ('ending', 'ended') or not c.is_open or c.ends_at <= pg_catalog.now())
    and not exists (
        select from private.webhook_events as w
        where w.provider = 'stripe' and w.event_id = recurring_invoice_refusal.event_id
    )
    and not exists (
        select from private.recurring_gift_payments as p where p.invoice_ref = recurring_invoice_refusal.invoice_ref
    )
$$;

-- An event recorded in the inbox with its outcome, nothing else changed
-- ({outcome: duplicate} for a replay).
create function private.record_recurring_event_only(
    event_id text, event_type text, occurred_at timestamptz, livemode boolean, payload jsonb,
    result text, note text, gift_id uuid default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    inbox_id bigint := private.payment_event_inbox('stripe', event_id, event_type, occurred_at, livemode, payload);
begin
    if inbox_id is null then
        return pg_catalog.jsonb_build_object('outcome', 'duplicate');
    end if;
    perform private.close_payment_event(inbox_id, result, note, null, null::public.donations);
    return pg_catalog.jsonb_build_object('outcome', result, 'detail', note, 'recurring_gift_id', gift_id);
end;
$$;

-- Why an invoice's references disagree with its gift's (held), or null; the
-- gift learns its subscription and customer on its first invoice.
create function private.refuse_disagreeing_invoice(
    g public.recurring_gifts, campaign_ref text, subscription_ref text, customer_ref text
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
    r private.recurring_gift_refs;
begin
    select * into r from private.recurring_gift_refs as x where x.gift_id = g.id;
    if campaign_ref is distinct from g.campaign_id::text and campaign_ref is not null then
        return format('campaign %s (the gift''s: %s)', campaign_ref, g.campaign_id);
    end if;
    if r.subscription_ref is not null and subscription_ref is distinct from r.subscription_ref then
        return format('subscription %s (the gift''s: %s)', subscription_ref, r.subscription_ref);
    end if;
    if r.subscription_ref is null then
        begin
            update private.recurring_gift_refs as x
            set subscription_ref = refuse_disagreeing_invoice.subscription_ref,
                customer_ref = refuse_disagreeing_invoice.customer_ref
            where x.gift_id = g.id;
        exception when unique_violation then
            return 'this subscription belongs to another recurring gift';
        end;
    end if;
    return null;
end;
$$;

-- The donation of an invoice: the one already linked to it; for the gift's
-- first invoice, the first pledge; else a new pledge (private.create_donation).
create function private.recurring_invoice_donation(g public.recurring_gifts, invoice_ref text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
    found_id uuid;
    pledge jsonb;
begin
    select p.donation_id into found_id from private.recurring_gift_payments as p
    where p.invoice_ref = recurring_invoice_donation.invoice_ref;
    if found_id is not null then
        return found_id;
    end if;
    select r.first_donation_id into found_id
    from private.recurring_gift_refs as r
    where r.gift_id = g.id
        and not exists (select from private.recurring_gift_payments as p where p.donation_id = r.first_donation_id);
    if found_id is null then
        pledge := private.create_donation(
            campaign_id => g.campaign_id, amount => g.amount, currency => g.currency, provider => 'stripe',
            donor_id => g.donor_id, donor_name => g.donor_name, donor_email => g.donor_email,
            is_anonymous => g.is_anonymous
        );
        found_id := (pledge ->> 'donation_id')::uuid;
        if g.donor_id is null then
            perform private.remember_donation_locale(found_id, g.locale);
        end if;
    end if;
    insert into private.recurring_gift_payments (invoice_ref, gift_id, donation_id)
    values (invoice_ref, g.id, found_id);
    return found_id;
end;
$$;

-- An invoice not credited: recorded ignored, with what the service must do
-- before it commits (refund: true; ends_subscription: delete the subscription
-- at Stripe; reason).
create function private.refuse_recurring_invoice(
    event_id text, event_type text, occurred_at timestamptz, livemode boolean, payload jsonb,
    gift_id uuid, reason text, ends_subscription boolean
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    answer jsonb := private.record_recurring_event_only(
        event_id, event_type, occurred_at, livemode, payload, 'ignored',
        'not credited, refunded at Stripe: ' || reason, gift_id
    );
begin
    if answer ->> 'outcome' <> 'ignored' then
        return answer;
    end if;
    return answer || pg_catalog.jsonb_build_object(
        'refund', true, 'ends_subscription', ends_subscription, 'reason', reason
    );
end;
$$;

-- A paid invoice of a subscription (invoice.paid): credited as the gift's
-- donation for that invoice through private.record_payment_event (outcome:
-- its payment outcome, amounts in Stripe's unit). Held (mismatch) when its
-- references disagree with the gift's; not credited (ignored) when
-- private.recurring_invoice_refusal says so, or when the month's pledge is
-- refused (private.refuse_recurring_invoice: the service refunds it before
-- this commits);
-- unknown_payment when no gift matches. Returns record_payment_event's answer
-- with the gift's id.
create function private.record_recurring_invoice(
    event_id text,
    event_type text,
    occurred_at timestamptz,
    livemode boolean,
    payload jsonb,
    gift_ref text,
    campaign_ref text,
    subscription_ref text,
    customer_ref text,
    invoice_ref text,
    outcome jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.recurring_gifts;
    donation_id uuid;
    disagreement text;
    refusal text;
    ends boolean;
    result jsonb;
begin
    if exists (select from private.webhook_events as w where w.provider = 'stripe' and w.event_id = record_recurring_invoice.event_id) then
        return pg_catalog.jsonb_build_object('outcome', 'duplicate');
    end if;
    g := private.find_recurring_gift(gift_ref, subscription_ref);
    if g.id is null or invoice_ref is null then
        return private.record_recurring_event_only(
            event_id, event_type, occurred_at, livemode, payload, 'unknown_payment',
            'no recurring gift matches this invoice'
        );
    end if;
    disagreement := private.refuse_disagreeing_invoice(g, campaign_ref, subscription_ref, customer_ref);
    if disagreement is not null then
        return private.record_recurring_event_only(
            event_id, event_type, occurred_at, livemode, payload, 'mismatch',
            'references disagree, held for review: ' || disagreement, g.id
        );
    end if;
    select r.reason, r.ends_subscription into refusal, ends
    from private.recurring_invoice_refusal(g.id::text, subscription_ref, invoice_ref, event_id) as r;
    if refusal is null then
        -- a month's pledge the payment core refuses (PT4xx) is not credited: the gift ends
        begin
            donation_id := private.recurring_invoice_donation(g, invoice_ref);
        exception when others then
            if sqlstate not like 'PT4%' then
                raise;
            end if;
            refusal := sqlerrm;
            ends := true;
            perform private.move_recurring_gift(g.id, 'ending', 'donation_refused');
        end;
    end if;
    if refusal is not null then
        return private.refuse_recurring_invoice(
            event_id, event_type, occurred_at, livemode, payload, g.id, refusal, ends
        );
    end if;
    result := private.record_payment_event(
        'stripe', event_id, event_type, occurred_at, livemode, payload,
        outcome - 'attempt_id' || pg_catalog.jsonb_build_object('donation_id', donation_id, 'campaign_id', g.campaign_id)
    );
    if result ->> 'outcome' = 'applied' then
        update public.recurring_gifts as x
        set failed_payments = 0, updated_at = pg_catalog.now()
        where x.id = g.id and x.failed_payments > 0;
        if g.status = 'pending' then
            perform private.move_recurring_gift(g.id, 'active');
        end if;
    end if;
    return result || pg_catalog.jsonb_build_object('recurring_gift_id', g.id);
end;
$$;

-- A failed renewal (invoice.payment_failed): noted on the gift; Stripe retries.
create function private.note_recurring_failure(
    event_id text, event_type text, occurred_at timestamptz, livemode boolean, payload jsonb,
    gift_ref text, subscription_ref text, attempt_count integer
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.recurring_gifts;
    answer jsonb;
begin
    g := private.find_recurring_gift(gift_ref, subscription_ref);
    if g.id is null then
        return private.record_recurring_event_only(
            event_id, event_type, occurred_at, livemode, payload, 'unknown_payment', 'no recurring gift matches this invoice'
        );
    end if;
    answer := private.record_recurring_event_only(
        event_id, event_type, occurred_at, livemode, payload, 'applied',
        format('renewal attempt %s failed; Stripe retries', attempt_count), g.id
    );
    if answer ->> 'outcome' = 'applied' then
        update public.recurring_gifts as x
        set
            failed_payments = greatest(x.failed_payments + 1, coalesce(attempt_count, 0)),
            last_failure_at = greatest(x.last_failure_at, occurred_at),
            updated_at = pg_catalog.now()
        where x.id = g.id;
    end if;
    return answer;
end;
$$;

-- The subscription is gone at Stripe (customer.subscription.deleted, or the
-- service deleted it): the gift ends. cancellation_reason is Stripe's
-- cancellation_details.reason: payment_failed ends it for that reason; any
-- other keeps the reason the gift was ending for, else canceled_at_provider.
create function private.end_recurring_subscription(
    event_id text, event_type text, occurred_at timestamptz, livemode boolean, payload jsonb,
    gift_ref text, subscription_ref text, cancellation_reason text
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.recurring_gifts;
    answer jsonb;
begin
    g := private.find_recurring_gift(gift_ref, subscription_ref);
    if g.id is null then
        return private.record_recurring_event_only(
            event_id, event_type, occurred_at, livemode, payload, 'unknown_payment',
            'no recurring gift matches this subscription'
        );
    end if;
    answer := private.record_recurring_event_only(
        event_id, event_type, occurred_at, livemode, payload,
        case when g.status = 'ended' then 'stale' else 'applied' end, 'subscription deleted at Stripe', g.id
    );
    if answer ->> 'outcome' = 'applied' then
        perform private.move_recurring_gift(
            g.id, 'ended',
            case when cancellation_reason = 'payment_failed' then 'payment_failed' end::public.recurring_gift_end_reason
        );
    end if;
    return answer;
end;
$$;

-- The service deleted the subscription at Stripe: the ending gift is ended.
create function private.end_recurring_gift(gift_id uuid)
returns public.recurring_gifts
language sql
security definer
set search_path = ''
as $$ select private.move_recurring_gift(gift_id, 'ended') $$;

-- A donor's cancel through the service: by the signed link (sig) or as the
-- signed-in donor (user_id); the gift is ending, with its subscription to
-- delete at Stripe. recurring_gift_not_found for anyone else (or a wrong sig).
create function private.request_recurring_gift_cancel(gift_id uuid, sig text, user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.recurring_gifts;
begin
    select * into g from public.recurring_gifts as x where x.id = request_recurring_gift_cancel.gift_id;
    if not found or not (
        (sig is not null and sig = private.recurring_gift_signature(g.id))
        or (user_id is not null and user_id = g.donor_id)
    ) then
        raise exception using
            errcode = 'PT404', message = 'recurring_gift_not_found',
            detail = 'No such recurring gift, or the link''s signature is wrong.';
    end if;
    if user_id is not null and private.is_banned(user_id) and sig is null then
        raise exception using
            errcode = 'PT403', message = 'account_banned',
            detail = 'This account is suspended: it can read public data but not write.';
    end if;
    g := private.move_recurring_gift(g.id, 'ending', 'canceled_by_donor');
    return pg_catalog.jsonb_build_object(
        'recurring_gift_id', g.id, 'status', g.status, 'end_reason', g.end_reason,
        'subscription_ref', (select r.subscription_ref from private.recurring_gift_refs as r where r.gift_id = g.id)
    );
end;
$$;

-- The ending gifts whose subscriptions are still to delete at Stripe (oldest first).
create function private.recurring_gifts_to_end(max_rows integer default 100)
returns table (recurring_gift_id uuid, subscription_ref text, end_reason public.recurring_gift_end_reason)
language sql
stable
security definer
set search_path = ''
as $$
    select g.id, r.subscription_ref, g.end_reason
    from public.recurring_gifts as g
    inner join private.recurring_gift_refs as r on g.id = r.gift_id
    where g.status = 'ending'
    order by g.updated_at, g.id
    limit max_rows
$$;

grant execute on function private.start_recurring_gift(
    uuid, bigint, text, public.payment_provider, uuid, text, text, text, boolean, public.locale
) to service_role;
grant execute on function private.attach_recurring_checkout(uuid, uuid, text, text) to service_role;
grant execute on function private.recurring_invoice_refusal(text, text, text, text) to service_role;
grant execute on function private.record_recurring_invoice(
    text, text, timestamptz, boolean, jsonb, text, text, text, text, text, jsonb
) to service_role;
grant execute on function private.note_recurring_failure(
    text, text, timestamptz, boolean, jsonb, text, text, integer
) to service_role;
grant execute on function private.end_recurring_subscription(
    text, text, timestamptz, boolean, jsonb, text, text, text
) to service_role;
grant execute on function private.end_recurring_gift(uuid) to service_role;
grant execute on function private.request_recurring_gift_cancel(uuid, text, uuid) to service_role;
grant execute on function private.recurring_gifts_to_end(integer) to service_role;

-- Functions: the donor (the API) ---------------------------------------------------------

-- The donor cancels their own gift from their account: it is ending (the
-- service, or `cagnotte-admin payments end-recurring`, deletes the subscription
-- at Stripe, then it is ended). Admins may cancel any.
create function public.cancel_recurring_gift(gift_id uuid)
returns public.recurring_gifts
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.recurring_gifts;
begin
    select * into g from public.recurring_gifts as x where x.id = cancel_recurring_gift.gift_id;
    if not found or not (g.donor_id = auth.uid() or private.is_admin()) then
        raise exception using
            errcode = 'PT404', message = 'recurring_gift_not_found', detail = 'No such recurring gift.';
    end if;
    if private.is_banned() then
        raise exception using
            errcode = 'PT403', message = 'account_banned',
            detail = 'This account is suspended: it can read public data but not write.';
    end if;
    return private.move_recurring_gift(g.id, 'ending', 'canceled_by_donor');
end;
$$;

comment on function public.cancel_recurring_gift(uuid) is
'Cancels a monthly gift: its donor (or an admin). It is ending until its Stripe subscription is deleted, then ended.';

grant execute on function public.cancel_recurring_gift(uuid) to authenticated;

-- Triggers ---------------------------------------------------------------------

-- A gift whose checkout never completed (its first pledge canceled: the
-- Checkout Session expired) ends, checkout_abandoned, untold: it never began
-- (one its donor already cancelled keeps that reason).
create function private.end_abandoned_recurring_gift()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    gift_id uuid;
begin
    select r.gift_id into gift_id
    from private.recurring_gift_refs as r
    inner join public.recurring_gifts as g on r.gift_id = g.id
    where r.first_donation_id = new.id and g.status in ('pending', 'ending') and r.subscription_ref is null;
    if gift_id is not null then
        perform private.move_recurring_gift(gift_id, 'ended', 'checkout_abandoned');
    end if;
    return null;
end;
$$;

create trigger donations_end_abandoned_recurring_gifts
after update of status on public.donations
for each row when (new.status = 'canceled' and old.status is distinct from new.status)
execute function private.end_abandoned_recurring_gift();

-- A campaign that closes (neither open nor frozen: expired, cancelled...) ends
-- its recurring gifts: they are ending, and their donors are told.
create function private.end_closed_campaign_recurring_gifts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    gift_id uuid;
begin
    if new.is_open or new.status = 'frozen' then
        return null;
    end if;
    for gift_id in
        select g.id from public.recurring_gifts as g
        where g.campaign_id = new.id and g.status in ('pending', 'active')
        order by g.id
    loop
        perform private.move_recurring_gift(gift_id, 'ending', 'campaign_closed');
    end loop;
    return null;
end;
$$;

create trigger campaigns_end_recurring_gifts
after update of status on public.campaigns
for each row when (old.status is distinct from new.status)
execute function private.end_closed_campaign_recurring_gifts();

-- A gift whose donor left (their account deleted): it forgets who they were
-- and is ending, untold (nobody left to tell).
create function private.forget_recurring_donor(gift_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.recurring_gifts;
begin
    update public.recurring_gifts as x
    set donor_email = null, donor_name = null, updated_at = pg_catalog.now()
    where x.id = forget_recurring_donor.gift_id
    returning * into g;
    if g.status in ('pending', 'active') then
        perform private.move_recurring_gift(g.id, 'ending', 'canceled_by_donor');
    end if;
end;
$$;

-- Their account's gifts: donor_id emptied by the profile's on delete set null.
create function private.end_erased_donor_recurring_gift()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.forget_recurring_donor(new.id);
    return null;
end;
$$;

create trigger recurring_gifts_end_when_donor_erased
after update of donor_id on public.recurring_gifts
for each row when (old.donor_id is not null and new.donor_id is null)
execute function private.end_erased_donor_recurring_gift();

-- Gifts made as a guest with the leaver's email (as private.erase_account
-- treats their donations), on the same auth.users triggers as it.
create function private.end_erased_guest_recurring_gifts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    gift_id uuid;
begin
    for gift_id in
        select g.id from public.recurring_gifts as g
        where g.donor_id is null and pg_catalog.lower(g.donor_email::text) = pg_catalog.lower(old.email::text)
        order by g.id
    loop
        perform private.forget_recurring_donor(gift_id);
    end loop;
    return case when tg_op = 'DELETE' then old else new end;
end;
$$;

create trigger on_auth_user_deleted_end_guest_recurring_gifts
before delete on auth.users
for each row execute function private.end_erased_guest_recurring_gifts();

create trigger on_auth_user_soft_deleted_end_guest_recurring_gifts
after update of deleted_at on auth.users
for each row
when (old.deleted_at is null and new.deleted_at is not null)
execute function private.end_erased_guest_recurring_gifts();

create trigger recurring_gifts_refuse_banned_writes
before insert or update or delete on public.recurring_gifts
for each statement execute function private.refuse_banned_writes();

-- Notification kinds --------------------------------------------------------------------

with
gift (properties) as (
    select pg_catalog.jsonb_build_object(
        'gift_id', '{"type": "string", "format": "uuid", "description": "The gift (public.recurring_gifts)."}'::jsonb,
        'amount', '{"type": "integer", "description": "Each month''s gift, in minor units of currency."}'::jsonb,
        'reason', pg_catalog.jsonb_build_object(
            'type', pg_catalog.jsonb_build_array('string', 'null'),
            'enum', pg_catalog.to_jsonb(pg_catalog.enum_range(null::public.recurring_gift_end_reason)) || 'null'::jsonb,
            'description', 'Why it ended (null: it started).'
        ),
        'cancel_url', '{"type": "string", "description": "The signed page where the donor cancels it."}'::jsonb
    )
),

kind (kind, description) as (
    values
    ('recurring_gift_started', 'To the donor, when the first month of their monthly gift is paid.'),
    (
        'recurring_gift_ended',
        'To the donor, when their monthly gift ends: canceled by them, the campaign closed, or the card kept failing.'
    )
)

select private.define_notification_kind(k.kind::public.notification_kind, k.description, g.properties)
from kind as k
cross join gift as g;

-- Email templates --------------------------------------------------------------------------

insert into private.email_templates (key, locale, subject, body) values
(
    'recurring_gift_started', 'fr', 'Votre don mensuel de {{amount}} pour « {{campaign_title}} » a commencé',
    E'Bonjour {{recipient_name}},\n\nMerci ! Votre don mensuel de {{amount}} pour la cagnotte « {{campaign_title}} » a commencé : le premier mois est payé, les suivants le seront chaque mois par carte, avec un reçu à chaque fois.\nVous pouvez l''arrêter quand vous voulez : {{cancel_url}}\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'recurring_gift_started', 'en', 'Your monthly gift of {{amount}} to "{{campaign_title}}" has started',
    E'Hello {{recipient_name}},\n\nThank you! Your monthly gift of {{amount}} to the fundraiser "{{campaign_title}}" has started: the first month is paid, the next ones will be charged to your card each month, with a receipt each time.\nYou can stop it whenever you like: {{cancel_url}}\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'recurring_gift_ended', 'fr', 'Votre don mensuel pour « {{campaign_title}} » s''arrête',
    E'Bonjour {{recipient_name}},\n\nVotre don mensuel de {{amount}} pour la cagnotte « {{campaign_title}} » s''arrête : plus rien ne sera prélevé.\nMotif : {{reason}} (canceled_by_donor : vous l''avez arrêté ; campaign_closed : la cagnotte est close ; payment_failed : votre carte a été refusée plusieurs fois ; donation_refused : le don du mois a été refusé et remboursé).\nMerci pour vos dons.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'recurring_gift_ended', 'en', 'Your monthly gift to "{{campaign_title}}" is ending',
    E'Hello {{recipient_name}},\n\nYour monthly gift of {{amount}} to the fundraiser "{{campaign_title}}" is ending: nothing more will be charged.\nReason: {{reason}} (canceled_by_donor: you stopped it; campaign_closed: the fundraiser is closed; payment_failed: your card was declined several times; donation_refused: this month''s gift was refused and refunded).\nThank you for your gifts.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
);
