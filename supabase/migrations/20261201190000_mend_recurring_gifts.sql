-- Mends monthly giving (20261201120100_create_recurring_gifts.sql) and account
-- deletion (20261130140000_create_account_deletion.sql) after an attacker review.
-- Each function below is the newest body with only what the fault needs changed.
--
--   lock order   An invoice locked its gift, then (crediting it) its campaign;
--                a campaign's close locks the campaign (its update), then its
--                gifts (trigger end_closed_campaign_recurring_gifts): the two
--                could deadlock. private.find_recurring_gift, which every
--                Stripe event about a gift goes through, now locks the gift's
--                campaign first (for no key update, as the payment core locks
--                it for its totals), then the gift: the close's order.
--   erasure      Deleting any account, even one whose email was never
--                confirmed, claimed what guests gave with that email: it ended
--                their monthly gifts and wiped their names and emails, and
--                made their donations anonymous. Only an address the account
--                proved its own may claim a guest's records, as invitations
--                ask (auth.users.email_confirmed_at): private.verified_email
--                is that rule's one home; private.on_account_deleted gives it
--                to private.erase_account as the address (the raw email still
--                scrubs the leaver's own records, as one of their names) and
--                private.end_erased_guest_recurring_gifts matches by it.
--                erase_account finds by that address the invitations, emails
--                and provider events of someone else too: none now for an
--                unconfirmed account.
--   late month   A month paid while the gift ran was refunded when its
--                invoice.paid arrived after the gift stopped (a
--                customer.subscription.deleted delivered first): the refusal
--                looked at the gift's status now, not at when the month was
--                paid. A gift now keeps when it stopped running
--                (recurring_gifts.stopped_at: entered ending, or ended from
--                pending or active; set by private.move_recurring_gift), and
--                private.recurring_invoice_refusal (new argument paid_at: the
--                invoice.paid event's time, Stripe's `created`, whole seconds:
--                https://docs.stripe.com/api/events/object#event_object-created;
--                its four-argument form is dropped, its one caller
--                private.record_recurring_invoice passes occurred_at)
--                refuses a month of a stopped gift only when it was paid in or
--                after the second the gift stopped; a month paid before is
--                credited when its campaign still takes money, refunded as
--                before when not.

-- When a gift stopped running --------------------------------------------------------

alter table public.recurring_gifts add column stopped_at timestamptz;

comment on column public.recurring_gifts.stopped_at is
'When the gift stopped running (entered ending, or ended from pending or active); a month paid before still counts.';

-- gifts already stopped: when their audit log says, else when they ended or last changed
update public.recurring_gifts as g
set
    stopped_at = coalesce(
        (
            select min(a.at) from private.audit_log as a
            where
                a.target_type = 'recurring_gift' and a.target_id = g.id::text
                and a.action in ('recurring_gift_ending', 'recurring_gift_ended')
        ),
        g.ended_at,
        g.updated_at
    )
where g.status in ('ending', 'ended');

alter table public.recurring_gifts
add constraint recurring_gifts_stopped_at_check check ((status in ('ending', 'ended')) = (stopped_at is not null));

-- The one transition of a recurring gift: pending -> active; pending or
-- active -> ending (asked to end, with a reason) or ended; ending -> ended
-- (its reason kept unless given). Moving to where it already is changes
-- nothing; any other move is recurring_gift_not_active. Audited; the donor is
-- told once when it starts and once when it enters ending or ended.
-- Changed: stopped_at is set when it enters ending or ended, and kept.
create or replace function private.move_recurring_gift(
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
        stopped_at = case when to_status in ('ending', 'ended') then coalesce(x.stopped_at, pg_catalog.now()) end,
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

-- The lock order ----------------------------------------------------------------------

-- The gift an event is about, row-locked: by our id in the subscription's
-- metadata, else by the subscription. A row of nulls when none.
-- Changed: its campaign is locked first (for no key update, as the payment
-- core locks it for its totals), then the gift, the order of a campaign's
-- close (the campaign's update, then its gifts): an invoice credited while the
-- campaign closes cannot deadlock. A gift's campaign never changes.
create or replace function private.find_recurring_gift(gift_ref text, subscription_ref text)
returns public.recurring_gifts
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.recurring_gifts;
    found_id uuid;
    found_campaign uuid;
begin
    if gift_ref ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        select x.id, x.campaign_id into found_id, found_campaign
        from public.recurring_gifts as x where x.id = gift_ref::uuid;
    end if;
    if found_id is null and subscription_ref is not null then
        select x.id, x.campaign_id into found_id, found_campaign
        from public.recurring_gifts as x
        inner join private.recurring_gift_refs as r on x.id = r.gift_id
        where r.subscription_ref = find_recurring_gift.subscription_ref;
    end if;
    if found_id is null then
        return g;
    end if;
    perform from public.campaigns as c where c.id = found_campaign for no key update;
    select * into g from public.recurring_gifts as x where x.id = found_id for update;
    return g;
end;
$$;

-- A month paid before the gift stopped ------------------------------------------------

-- Why an invoice of a gift is not credited (to refund at Stripe): the one home
-- of that rule; no row when it is credited. The gift had stopped running when
-- the month was paid (paid_at in or after the second it stopped: Stripe's
-- times are whole seconds; its subscription is to delete: ends_subscription),
-- or its campaign takes no money now (the core's rule,
-- private.create_donation's campaign_not_accepting_donations: not open, or
-- past ends_at; a frozen campaign keeps its gifts, a closed one ends them by
-- trigger). Never for an event already recorded nor an invoice already linked
-- to its donation (a replay refunds nothing).
-- Changed: paid_at; a month paid before the gift stopped is not refused for
-- the gift's sake (its subscription is still to delete when refused).
drop function private.recurring_invoice_refusal(text, text, text, text);

create function private.recurring_invoice_refusal(
    gift_ref text, subscription_ref text, invoice_ref text, event_id text, paid_at timestamptz
)
returns table (reason text, ends_subscription boolean)
language sql
stable
security definer
set search_path = ''
as $$
    select
        case
            when s.paid_after_stop then 'the recurring gift is ' || g.status::text
            else 'the campaign is ' || c.status::text
        end,
        g.status in ('ending', 'ended')
    from public.recurring_gifts as g
    inner join public.campaigns as c on g.campaign_id = c.id
    cross join lateral (
        select
            g.stopped_at is not null
            and not coalesce(recurring_invoice_refusal.paid_at < pg_catalog.date_trunc('second', g.stopped_at), false)
            as paid_after_stop
    ) as s
    where g.id = (
        select x.id from public.recurring_gifts as x
        left join private.recurring_gift_refs as r on x.id = r.gift_id
        where x.id::text = gift_ref or r.subscription_ref = recurring_invoice_refusal.subscription_ref
        order by x.id::text = gift_ref desc
        limit 1
    )
    and (s.paid_after_stop or not c.is_open or c.ends_at <= pg_catalog.now())
    and not exists (
        select from private.webhook_events as w
        where w.provider = 'stripe' and w.event_id = recurring_invoice_refusal.event_id
    )
    and not exists (
        select from private.recurring_gift_payments as p where p.invoice_ref = recurring_invoice_refusal.invoice_ref
    )
$$;

-- no grant: only private.record_recurring_invoice (security definer) asks it
revoke execute on function private.recurring_invoice_refusal(text, text, text, text, timestamptz) from public;

-- A paid invoice of a subscription (invoice.paid): credited as the gift's
-- donation for that invoice through private.record_payment_event (outcome:
-- its payment outcome, amounts in Stripe's unit). Held (mismatch) when its
-- references disagree with the gift's; not credited (ignored) when
-- private.recurring_invoice_refusal says so, or when the month's pledge is
-- refused (private.refuse_recurring_invoice: the service refunds it before
-- this commits);
-- unknown_payment when no gift matches. Returns record_payment_event's answer
-- with the gift's id.
-- Changed: the refusal is told when the month was paid (occurred_at: the
-- invoice.paid event's created, when Stripe marked the invoice paid).
create or replace function private.record_recurring_invoice(
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
    from private.recurring_invoice_refusal(g.id::text, subscription_ref, invoice_ref, event_id, occurred_at) as r;
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


-- A leaver claims a guest's records only by a confirmed email --------------------------

-- The email a user proved theirs (auth.users.email_confirmed_at set: GoTrue's
-- confirmation, supabase/auth internal/models/user.go Confirm), lowercased;
-- null when never confirmed. The one home of the rule that only such an address
-- claims what a guest gave with it (an invitation is accepted by it too).
create function private.verified_email(u auth.users)
returns text
language sql
stable
set search_path = ''
as $$
    select case when u.email_confirmed_at is not null then pg_catalog.lower(nullif(pg_catalog.btrim(u.email), '')) end
$$;

comment on function private.verified_email(auth.users) is
'A user''s email when confirmed (email_confirmed_at), lowercased, else null: the only address that claims a guest''s gifts.';

-- auth.users: before the row is deleted (hard delete), or when it is first
-- marked deleted (soft delete: the row stays, obfuscated). Reads the email and
-- the metadata's names before they change.
-- Changed: erase_account's address is the verified email (private.verified_email):
-- an unconfirmed account claims no guest's records; its raw email is one of its
-- names, scrubbed from its own records.
create or replace function private.on_account_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.erase_account(
        old.id, private.verified_email(old),
        array[old.raw_user_meta_data ->> 'full_name', old.raw_user_meta_data ->> 'name', old.email::text]
    );
    if tg_op = 'UPDATE' then
        delete from public.user_roles as r where r.user_id = old.id;  -- the row stays: its roles go
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end;
$$;

comment on function private.erase_account(uuid, text, text[]) is
'Erases the identity of an account being deleted and releases its campaigns (the header of 20261130140000_create_account_deletion.sql says what goes and what stays). Called by triggers on auth.users. email: the account''s verified email (private.verified_email), which claims guests'' gifts, invitations, emails and events by address; null when never confirmed. names: what else it was known by.';

-- Gifts made as a guest with the leaver's email (as private.erase_account
-- treats their donations), on the same auth.users triggers as it.
-- Changed: only the leaver's verified email (private.verified_email) claims them.
create or replace function private.end_erased_guest_recurring_gifts()
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
        where g.donor_id is null and pg_catalog.lower(g.donor_email::text) = private.verified_email(old)
        order by g.id
    loop
        perform private.forget_recurring_donor(gift_id);
    end loop;
    return case when tg_op = 'DELETE' then old else new end;
end;
$$;
