-- In-app notifications: created in SQL by the events they tell about, each
-- exactly once (a unique key per recipient and event), read and marked read
-- only by their recipient, and live through Realtime. Each kind (who hears of
-- what, and its payload's fields) is defined once in public.notification_kinds
-- (20261130170000_create_notification_kinds.sql), which every notification
-- written is checked against; docs/notifications.md lists them.

-- Types ------------------------------------------------------------------------

create type public.notification_kind as enum (
    'donation_received', 'goal_reached', 'campaign_ending', 'campaign_ended',
    'campaign_update', 'moderation_decision', 'new_comment', 'invitation'
);

-- Tables -----------------------------------------------------------------------

create table public.notifications (
    id uuid primary key default extensions.gen_random_uuid(),
    user_id uuid not null references public.profiles (id) on delete cascade,
    kind public.notification_kind not null,
    campaign_id uuid references public.campaigns (id) on delete cascade,
    -- what the frontend shows (title, amounts…), never another person's private data
    payload jsonb not null default '{}',
    -- the event, so that each is told once per recipient
    dedupe_key text not null,
    read_at timestamptz,
    created_at timestamptz not null default pg_catalog.now(),
    unique (user_id, dedupe_key)
);

create index notifications_user_unread_idx on public.notifications (user_id, created_at desc);
create index notifications_campaign_id_idx on public.notifications (campaign_id);

-- Grants -----------------------------------------------------------------------

revoke all on table public.notifications from anon, authenticated;
grant select, delete on table public.notifications to authenticated;
grant update (read_at) on table public.notifications to authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.notifications enable row level security;

create policy "users read their own notifications"
on public.notifications for select to authenticated
using (user_id = (select auth.uid()));

create policy "users mark their own notifications read"
on public.notifications for update to authenticated
using (user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));

create policy "users delete their own notifications"
on public.notifications for delete to authenticated
using (user_id = (select auth.uid()));

-- Functions ------------------------------------------------------------------------

-- Tells the recipients once: a second call with the same key adds nothing.
create function private.notify(
    recipients uuid[], kind public.notification_kind, campaign_id uuid, payload jsonb, dedupe_key text
)
returns void
language sql
security definer
set search_path = ''
as $$
    insert into public.notifications (user_id, kind, campaign_id, payload, dedupe_key)
    select distinct r.user_id, kind, campaign_id, payload, dedupe_key
    from pg_catalog.unnest(recipients) as r (user_id)
    where r.user_id is not null
    on conflict (user_id, dedupe_key) do nothing
$$;

-- The people who gave to a campaign and whose gift still counts.
create function private.campaign_donors(campaign_id uuid)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(pg_catalog.array_agg(distinct d.donor_id), '{}')
    from public.donations as d
    where
        d.campaign_id = campaign_donors.campaign_id and d.donor_id is not null
        and private.donation_counts(d.status, d.dispute_status)
$$;

create function private.campaign_payload(c public.campaigns)
returns jsonb
language sql
stable
set search_path = ''
as $$
    select pg_catalog.jsonb_build_object(
        'campaign_title', c.title, 'campaign_slug', c.slug, 'currency', c.currency,
        'goal_amount', c.goal_amount, 'collected_amount', c.collected_amount
    )
$$;

-- Donations: the owner hears of each credited one (anonymity respected).
create function private.notify_donation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    select * into c from public.campaigns as x where x.id = new.campaign_id;
    perform private.notify(
        array[c.owner_id], 'donation_received', c.id,
        private.campaign_payload(c) || pg_catalog.jsonb_build_object(
            'amount', new.amount,
            'donor_name', case when new.is_anonymous or new.donor_name is null then 'Anonyme' else new.donor_name end
        ),
        'donation:' || new.id
    );
    return null;
end;
$$;

-- Campaigns: goal reached, moderation decisions, the end.
create function private.notify_campaign_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if old.goal_reached_at is null and new.goal_reached_at is not null then
        perform private.notify(
            array[new.owner_id] || private.campaign_donors(new.id), 'goal_reached', new.id,
            private.campaign_payload(new), 'goal_reached:' || new.id
        );
    end if;
    if old.status = 'pending_review' and new.status in ('active', 'rejected') then
        perform private.notify(
            array[new.owner_id], 'moderation_decision', new.id,
            private.campaign_payload(new) || pg_catalog.jsonb_build_object(
                'decision', new.status, 'reason', new.rejection_reason
            ),
            'moderation:' || new.id || ':' || pg_catalog.to_char(pg_catalog.now(), 'YYYYMMDDHH24MISSUS')
        );
    end if;
    if private.is_open(old.status) and new.status = 'expired' then
        perform private.notify(
            array[new.owner_id] || private.campaign_donors(new.id), 'campaign_ended', new.id,
            private.campaign_payload(new) || pg_catalog.jsonb_build_object('funded', new.goal_reached_at is not null),
            'ended:' || new.id
        );
    end if;
    return null;
end;
$$;

create function private.notify_campaign_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    select * into c from public.campaigns as x where x.id = new.campaign_id;
    perform private.notify(
        private.campaign_donors(c.id), 'campaign_update', c.id,
        private.campaign_payload(c) || pg_catalog.jsonb_build_object('update_id', new.id, 'title', new.title),
        'update:' || new.id
    );
    return null;
end;
$$;

create function private.notify_comment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    select * into c from public.campaigns as x where x.id = new.campaign_id;
    if c.owner_id is distinct from new.author_id then
        perform private.notify(
            array[c.owner_id], 'new_comment', c.id,
            private.campaign_payload(c) || pg_catalog.jsonb_build_object('comment_id', new.id),
            'comment:' || new.id
        );
    end if;
    return null;
end;
$$;

-- Scheduled: owners hear 48 hours before their campaign ends. Idempotent.
create function private.remind_ending_campaigns()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
    reminded integer := 0;
begin
    for c in
        select * from public.campaigns as x
        where
            x.is_open
            and x.ends_at between pg_catalog.now() and pg_catalog.now() + interval '48 hours'
    loop
        perform private.notify(
            array[c.owner_id], 'campaign_ending', c.id,
            private.campaign_payload(c) || pg_catalog.jsonb_build_object('ends_at', c.ends_at),
            'ending:' || c.id || ':' || c.ends_at
        );
        reminded := reminded + 1;
    end loop;
    return reminded;
end;
$$;

grant execute on function private.remind_ending_campaigns() to service_role;

-- Triggers ---------------------------------------------------------------------

create trigger notifications_refuse_banned_writes
before insert or update or delete on public.notifications
for each statement execute function private.refuse_banned_writes();

create trigger donations_notify
after update of status on public.donations
for each row when (old.succeeded_at is null and new.succeeded_at is not null)
execute function private.notify_donation();

create trigger campaigns_notify
after update on public.campaigns
for each row when (
    old.goal_reached_at is distinct from new.goal_reached_at or old.status is distinct from new.status
)
execute function private.notify_campaign_change();

create trigger campaign_updates_notify
after insert on public.campaign_updates
for each row execute function private.notify_campaign_update();

create trigger comments_notify
after insert on public.comments
for each row execute function private.notify_comment();

-- Realtime: the bell updates live (Realtime applies the select policy) ---------------

alter publication supabase_realtime add table public.notifications;

-- Schedule: 48-hour reminders ------------

select private.schedule_job('remind-ending-campaigns', '7 * * * *', 'select private.remind_ending_campaigns()');
