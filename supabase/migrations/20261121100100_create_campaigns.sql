-- Campaigns: what people raise money for, and the life each one goes through.
--
-- The life of a campaign: every status and every move the code makes, whatever
-- makes it (this diagram is the one home of the picture; tests/test_readme.py
-- checks it names every status and every status the code moves a campaign to).
-- Each move goes through private.set_campaign_status, or the totals
-- (private.prepare_campaign) and expiry (private.expire_campaigns), and is kept
-- in campaign_status_history (who, from, to, when, reason).
--
--   stateDiagram-v2
--     [*] --> draft: insert (owner)
--     draft --> pending_review: submit_campaign (owner)
--     rejected --> pending_review: submit_campaign (owner, after edits)
--     pending_review --> active: approve_campaign (staff; publishes)
--     pending_review --> rejected: reject_campaign (staff, reason)
--     active --> funded: collected_amount reaches goal_amount
--     funded --> active: collected_amount below goal_amount (goal raised, refund, dispute)
--     active --> expired: ends_at passed (private.expire_campaigns)
--     funded --> expired: ends_at passed (private.expire_campaigns)
--     draft --> cancelled: cancel_campaign (owner or admin)
--     pending_review --> cancelled: cancel_campaign (owner or admin)
--     rejected --> cancelled: cancel_campaign (owner or admin)
--     active --> cancelled: cancel_campaign (owner without donations, else admin); close_campaign_with_refunds (admin); owner leaves holding no money
--     funded --> cancelled: cancel_campaign or close_campaign_with_refunds (admin); owner leaves holding no money
--     expired --> cancelled: close_campaign_with_refunds (admin)
--     frozen --> cancelled: cancel_campaign or close_campaign_with_refunds (admin)
--     active --> frozen: freeze_campaign (staff, reason); owner banned; owner leaves holding money
--     funded --> frozen: freeze_campaign (staff, reason); owner banned; owner leaves holding money
--     expired --> frozen: freeze_campaign (staff, reason); owner banned; owner leaves holding money
--     frozen --> active: unfreeze_campaign (admin; owner not banned, not gone)
--     frozen --> funded: unfreeze_campaign (admin; the totals reach the goal)
--     frozen --> expired: unfreeze_campaign (admin; ends_at passed)
--     draft --> [*]: owner leaves (never published, no donation)
--     pending_review --> [*]: owner leaves (never published, no donation)
--     rejected --> [*]: owner leaves (never published, no donation)
--
-- "Owner leaves" is private.release_campaign (20261130140000_create_account_deletion),
-- when no co-organizer inherits the campaign; an heir keeps the status, but a
-- published campaign with an open payout is frozen for operators. A cancelled
-- campaign closed with refunds stays cancelled (it gets the refund orders it lacks).
-- Approval publishes: published_at (first time only), starts_at = now() and
-- ends_at (the owner's, or 30 days). The slug follows the title until the first
-- publication, then never changes.
--
-- Public statuses (what anon and strangers see): active, funded, expired.
-- Drafts, campaigns under review, rejected, frozen and cancelled ones are seen only by
-- their team (the owner and co-organizers, whom invitations add) and by staff
-- (moderators and admins): private.sees_campaign, the one home of that rule.
-- Material edits after first publication (published_at set), whoever edits
-- through the API (owners, co-organizers and staff alike; private.prepare_campaign):
--   * currency and category never change (currency_locked, category_locked): the
--     proofs a payout needs follow the category, and each donation's platform fee
--     is frozen at pledge time (donations.platform_fee_bp, from the category then);
--   * the goal may be raised, never lowered (goal_cannot_decrease), nor below what
--     was collected (goal_below_collected);
--   * title, summary, story and cover stay editable but each change sends the
--     campaign to the moderators' re-review queue, the last approved version kept
--     (public.campaign_edit_reviews: a moderator accepts the edit or restores it);
--   * there is no campaign-level beneficiary: each payout request names its own
--     (payout_requests.beneficiary_name), decided per payout.
-- Frozen campaigns (freeze_campaign, or the owner's ban) take no edits, donations
-- or payouts until unfrozen or closed with refunds (20261130100100_create_campaign_freezes).
-- Durations: a campaign runs from 1 to 180 days after publication (30 by
-- default). Keep-it-all: a funded campaign keeps accepting donations until
-- ends_at; while open, its status follows the totals (funded when
-- collected_amount reaches goal_amount, active again below it).

-- Types ------------------------------------------------------------------------

create type public.campaign_status as enum (
    'draft', 'pending_review', 'active', 'funded', 'rejected', 'expired', 'cancelled', 'frozen'
);
create type public.member_role as enum ('co_organizer');

-- The two sets of statuses every rule speaks of, written here only: published
-- (seen by everyone) and open (accepting donations, featurable, listed by default).
-- Campaigns carry both as generated columns (is_published, is_open) that policies,
-- indexes and functions read; the frontend lists open campaigns with
-- `is_open=eq.true` (partial indexes serve it), never with a status list of its own.
create function private.is_published(status public.campaign_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select status in ('active', 'funded', 'expired')
$$;

create function private.is_open(status public.campaign_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select status in ('active', 'funded')
$$;

comment on function private.is_published(public.campaign_status) is
'Published statuses, seen by everyone: active, funded, expired.';
comment on function private.is_open(public.campaign_status) is
'Open statuses, accepting donations until ends_at: active, funded.';

-- Text helpers -------------------------------------------------------------------

-- unaccent() is only stable (its dictionary could change); we pin the dictionary
-- so that it can feed indexes and stored search documents.
create function private.unaccent(value text)
returns text
language sql
immutable
strict
parallel safe
set search_path = ''
as $$
    select extensions.unaccent('extensions.unaccent'::regdictionary, value)
$$;

create function private.slugify(value text)
returns text
language sql
immutable
strict
parallel safe
set search_path = ''
as $$
    select pg_catalog.btrim(
        pg_catalog.regexp_replace(pg_catalog.lower(private.unaccent(value)), '[^a-z0-9]+', '-', 'g'),
        '-'
    )
$$;

-- Tags: lower case, trimmed, inner spaces folded, duplicates dropped (first
-- occurrence kept).
create function private.normalize_tags(tags text[])
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
    select coalesce(pg_catalog.array_agg(tag order by first_seen), '{}')
    from (
        select norm.tag, pg_catalog.min(raw.ord) as first_seen
        from pg_catalog.unnest(tags) with ordinality as raw (value, ord)
        cross join lateral (
            select pg_catalog.lower(pg_catalog.btrim(pg_catalog.regexp_replace(raw.value, '\s+', ' ', 'g'))) as tag
        ) as norm
        where norm.tag <> ''
        group by norm.tag
    ) as distinct_tags
$$;

-- At most 10 tags of 1 to 30 letters, digits, spaces or hyphens.
create function private.tags_are_valid(tags text[])
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
    select
        coalesce(pg_catalog.cardinality(tags), 0) <= 10
        and not exists (
            select 1
            from pg_catalog.unnest(tags) as t (tag)
            where t.tag is null or t.tag !~ '^[[:alnum:]]([[:alnum:] -]{0,28}[[:alnum:]])?$'
        )
$$;

-- Tables -----------------------------------------------------------------------

create table public.campaigns (
    id uuid primary key default extensions.gen_random_uuid(),
    -- null: the owner deleted their account (private.erase_account)
    owner_id uuid default auth.uid() references public.profiles (id) on delete set null,
    -- Never the client's: private.prepare_campaign sets it on insert (from the title and
    -- id) and keeps it stable once published; clients hold no insert or update
    -- privilege on it. The default (a valid slug, never kept: the trigger replaces
    -- it) only tells PostgREST's clients and `supabase gen types` that an insert
    -- need not carry it.
    slug text not null unique default (
        'cagnotte-' || pg_catalog.left(pg_catalog.replace(extensions.gen_random_uuid()::text, '-', ''), 8)
    ),
    title text not null check (
        title = pg_catalog.btrim(title)
        and pg_catalog.char_length(title) between 5 and 120
        and private.is_single_line(title)
    ),
    summary text check (pg_catalog.char_length(summary) <= 280),
    story text check (pg_catalog.char_length(story) <= 20000),
    goal_amount bigint not null check (goal_amount > 0),
    currency text not null references public.currencies (code),
    category text references public.categories (slug),
    -- normalised and validated by the prepare trigger (private.tags_are_valid)
    tags text[] not null default '{}',
    country public.country_code,
    city text check (pg_catalog.char_length(city) between 1 and 80),
    cover text,
    starts_at timestamptz,
    ends_at timestamptz,
    status public.campaign_status not null default 'draft',
    is_published boolean not null generated always as (private.is_published(status)) stored,
    is_open boolean not null generated always as (private.is_open(status)) stored,
    rejection_reason text check (pg_catalog.char_length(rejection_reason) <= 1000),
    featured boolean not null default false,
    collected_amount bigint not null default 0 check (collected_amount >= 0),
    donor_count integer not null default 0 check (donor_count >= 0),
    -- Progress toward the goal in basis points (10000 = 100 %): currency-neutral,
    -- so that campaigns in XOF and in EUR sort together by how funded they are.
    progress_bp bigint generated always as (collected_amount * 10000 / goal_amount) stored,
    goal_reached_at timestamptz,
    published_at timestamptz,
    -- the team's last edit of the public text after publication (set by the prepare trigger)
    content_edited_at timestamptz,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    check (
        starts_at is null
        or (ends_at >= starts_at + interval '1 day' and ends_at <= starts_at + interval '180 days')
    ),
    check (featured = false or is_open),
    -- only a closed campaign outlives its owner's account (private.erase_account)
    constraint campaigns_owned_or_closed check (owner_id is not null or status in ('cancelled', 'expired', 'frozen'))
);

comment on table public.campaigns is
'Fundraising campaigns. Status changes go through RPC (submit_campaign, approve_campaign, reject_campaign, cancel_campaign, freeze_campaign, unfreeze_campaign, close_campaign_with_refunds).';
comment on column public.campaigns.progress_bp is 'collected_amount / goal_amount in basis points (10000 = 100 %).';

create index campaigns_owner_id_idx on public.campaigns (owner_id);
create index campaigns_currency_idx on public.campaigns (currency);
create index campaigns_category_idx on public.campaigns (category);
-- Discovery: open campaigns by category and by the sorts of search_campaigns.
create index campaigns_open_category_progress_idx on public.campaigns (category, progress_bp desc, id)
where is_open;
create index campaigns_open_progress_idx on public.campaigns (progress_bp desc, id)
where is_open;
create index campaigns_open_published_idx on public.campaigns (published_at desc, id)
where is_open;
create index campaigns_open_donors_idx on public.campaigns (donor_count desc, id)
where is_open;
create index campaigns_open_ends_at_idx on public.campaigns (ends_at, id)
where is_open;
create index campaigns_featured_idx on public.campaigns (published_at desc)
where featured;

-- Every status change, whoever made it.
create table public.campaign_status_history (
    id bigint generated always as identity primary key,
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    from_status public.campaign_status,
    to_status public.campaign_status not null,
    actor_id uuid references auth.users (id) on delete set null,
    reason text,
    created_at timestamptz not null default pg_catalog.now()
);

comment on table public.campaign_status_history is
'Audit of campaign status changes (actor null: the system, e.g. expiry or goal reached).';

create index campaign_status_history_campaign_id_idx on public.campaign_status_history (campaign_id, created_at);
create index campaign_status_history_actor_id_idx on public.campaign_status_history (actor_id);

-- Donations per campaign and day, maintained by the payment core (Donations):
-- the trending sort and the creator dashboard read it. Concurrent donations to
-- one campaign add to different slots (one per database session), so that a
-- popular campaign does not make them wait for each other; readers sum slots.
-- The campaign's team beyond its owner: co-organizers (invitations add them).
create table public.campaign_members (
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    user_id uuid not null references public.profiles (id) on delete cascade,
    role public.member_role not null default 'co_organizer',
    added_at timestamptz not null default pg_catalog.now(),
    primary key (campaign_id, user_id)
);

create index campaign_members_user_id_idx on public.campaign_members (user_id);

create table private.campaign_daily_totals (
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    day date not null,
    slot smallint not null default 0,
    donation_count integer not null default 0,
    amount bigint not null default 0,
    primary key (campaign_id, day, slot)
);

create index campaign_daily_totals_day_idx on private.campaign_daily_totals (day, campaign_id);

-- Grants -----------------------------------------------------------------------

revoke all on table public.campaigns, public.campaign_status_history, public.campaign_members
from anon, authenticated;
grant select on table public.campaigns, public.campaign_members to anon, authenticated;
grant insert (
    title, summary, story, goal_amount, currency, category, tags, country, city, ends_at
) on table public.campaigns to authenticated;
grant update (
    title, summary, story, goal_amount, currency, category, tags, country, city, ends_at, cover
) on table public.campaigns to authenticated;
grant delete on table public.campaigns, public.campaign_members to authenticated;
grant select on table public.campaign_status_history to authenticated;

-- No API role reads it: the trending sort of search_campaigns reads it through
-- private.recent_donation_counts (published campaigns only).

-- The team and who sees a campaign ------------------------------------------------

-- The campaigns whose team the user is on (owner or co-organizer); definer, so
-- that policies on campaigns can use it without recursing through members.
-- Any user's: for the service and definer functions only; the caller's (no
-- argument): for policies, so that no API role lists someone else's drafts.
create function private.team_campaign_ids(viewer uuid)
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
    select c.id from public.campaigns as c where c.owner_id = viewer
    union all
    select m.campaign_id from public.campaign_members as m where m.user_id = viewer
$$;

create function private.team_campaign_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
    select private.team_campaign_ids(auth.uid())
$$;

-- Whether the signed-in user is on the campaign's team.
create function private.is_campaign_team(campaign_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select is_campaign_team.campaign_id in (select private.team_campaign_ids(auth.uid()))
$$;

-- Who sees a campaign: everyone once it is published; its team and staff whatever
-- its status. The one home of that rule: the select policy on campaigns and
-- private.visible_campaign (every RPC) call it, with the viewer's staff-ness and
-- team (private.team_campaign_ids) computed by the caller, once per statement.
create function private.sees_campaign(
    is_published boolean,
    campaign_id uuid,
    owner_id uuid,
    viewer uuid,
    viewer_is_staff boolean,
    viewer_team uuid[]
)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select coalesce(  -- no viewer (anon) is false, never null
        is_published
        or viewer_is_staff
        or sees_campaign.owner_id = viewer  -- also a row being inserted, not yet in the team
        or sees_campaign.campaign_id = any(viewer_team),
        false
    )
$$;

-- Four eyes: no staff member decides on a campaign, a document or a payout of a
-- campaign whose team they are on (owner or co-organizer), nor on what they
-- had a hand in (`involved`: a payout's requester and named treasurers, a
-- proof's uploader, an edit's authors), even after leaving the team; another
-- staff member must. The one home of that rule: campaign reviews, freezes,
-- closes, edit reviews, document reviews and every payout decision call it
-- (from definer functions: no API role executes it).
create function private.assert_independent_staff(campaign_id uuid, involved uuid[] default '{}')
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    if private.is_campaign_team(assert_independent_staff.campaign_id)
        or auth.uid() = any(coalesce(involved, '{}')) then
        raise exception using
            errcode = 'PT403', message = 'cannot_review_own_campaign',
            detail = 'Staff do not decide on a campaign of their own team; another staff member must.';
    end if;
end;
$$;

grant execute on function private.is_published(public.campaign_status) to anon, authenticated, service_role;
grant execute on function private.is_open(public.campaign_status) to anon, authenticated, service_role;
grant execute on function private.team_campaign_ids() to authenticated, service_role;
grant execute on function private.team_campaign_ids(uuid) to service_role;
grant execute on function private.is_campaign_team(uuid) to anon, authenticated, service_role;
grant execute on function private.sees_campaign(boolean, uuid, uuid, uuid, boolean, uuid[])
to anon, authenticated, service_role;

-- RLS --------------------------------------------------------------------------

alter table public.campaigns enable row level security;
alter table public.campaign_status_history enable row level security;
alter table public.campaign_members enable row level security;

create policy "anyone reads published campaigns"
on public.campaigns for select to anon
using (is_published);

create policy "users read published campaigns, their team's and staff all"
on public.campaigns for select to authenticated
using (
    -- is_published first, the rule's own first term: the rows a listing reads are
    -- published, and skip the call
    is_published
    or private.sees_campaign(
        is_published, id, owner_id,
        (select auth.uid()), (select private.is_staff()), (select array(select private.team_campaign_ids()))
    )
);

create policy "anyone reads the teams of campaigns they see"
on public.campaign_members for select to anon, authenticated
using (campaign_id in (select c.id from public.campaigns as c));

create policy "owners remove co-organizers and members leave"
on public.campaign_members for delete to authenticated
using (
    user_id = (select auth.uid())
    or campaign_id in (
        select c.id from public.campaigns as c
        where c.owner_id = (select auth.uid())
    )
);

create policy "users create their own draft campaigns"
on public.campaigns for insert to authenticated
with check (owner_id = (select auth.uid()) and status = 'draft');

create policy "owners edit their campaigns and admins any campaign"
on public.campaigns for update to authenticated
using (owner_id = (select auth.uid()) or (select private.is_admin()))
with check (owner_id = (select auth.uid()) or (select private.is_admin()));

create policy "owners delete their drafts"
on public.campaigns for delete to authenticated
using (owner_id = (select auth.uid()) and status = 'draft');

create policy "owners and staff read the status history"
on public.campaign_status_history for select to authenticated
using (
    (select private.is_staff())
    or campaign_id in (
        select c.id from public.campaigns as c
        where c.owner_id = (select auth.uid())
    )
);

-- Functions: row rules ------------------------------------------------------------

-- Before insert or update: normalised tags, the slug, amount bounds, the rules
-- of owners' edits, and the funded status that follows the totals.
create function private.prepare_campaign()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    cur public.currencies;
    is_user_edit boolean := current_user in ('authenticated', 'anon');
begin
    if tg_op = 'INSERT' or new.tags is distinct from old.tags then
        new.tags := private.normalize_tags(new.tags);
        if not private.tags_are_valid(new.tags) then
            raise exception using
                errcode = 'PT422', message = 'invalid_tags',
                detail = 'At most 10 tags of 1 to 30 letters, digits, spaces or hyphens.';
        end if;
    end if;

    -- Slug: from the title until first published, then stable.
    if tg_op = 'INSERT' or (old.published_at is null and new.title is distinct from old.title) then
        new.slug := pg_catalog.left(coalesce(nullif(private.slugify(new.title), ''), 'cagnotte'), 60)
            || '-' || pg_catalog.left(pg_catalog.replace(new.id::text, '-', ''), 8);
    elsif tg_op = 'UPDATE' then
        new.slug := old.slug;
    end if;

    if tg_op = 'UPDATE' and is_user_edit then
        perform private.assert_campaign_open(old.status);
        if new.currency is distinct from old.currency and old.published_at is not null then
            raise exception using
                errcode = 'PT409', message = 'currency_locked',
                detail = 'The currency of a published campaign cannot change.';
        end if;
        if new.category is distinct from old.category and old.published_at is not null then
            raise exception using
                errcode = 'PT409', message = 'category_locked',
                detail = 'The category of a published campaign cannot change: payout proofs and fees follow it.';
        end if;
        if new.goal_amount < old.collected_amount then
            raise exception using
                errcode = 'PT422', message = 'goal_below_collected',
                detail = format('The goal cannot go below the %s already collected.', old.collected_amount);
        end if;
        if new.goal_amount < old.goal_amount and old.published_at is not null then
            raise exception using
                errcode = 'PT409', message = 'goal_cannot_decrease',
                detail = 'The goal of a published campaign may be raised, never lowered.';
        end if;
    end if;

    -- The public text changed after publication: the edit goes to re-review
    -- (the campaigns_queue_edit_review trigger keeps the approved version).
    if tg_op = 'UPDATE' and is_user_edit and old.published_at is not null
        and (new.title, new.summary, new.story, new.cover)
        is distinct from (old.title, old.summary, old.story, old.cover) then
        new.content_edited_at := pg_catalog.clock_timestamp();
    end if;

    if tg_op = 'INSERT' or new.goal_amount is distinct from old.goal_amount
        or new.currency is distinct from old.currency then
        select * into cur from public.currencies as c where c.code = new.currency;
        if not found or not cur.active then
            raise exception using
                errcode = 'PT422', message = 'currency_not_accepted',
                detail = format('Currency %s is not accepted.', new.currency);
        end if;
        if new.goal_amount < cur.min_donation or new.goal_amount > cur.max_goal then
            raise exception using
                errcode = 'PT422', message = 'goal_out_of_bounds',
                detail = format(
                    'A goal in %s is between %s and %s (minor units).',
                    cur.code, cur.min_donation, cur.max_goal
                );
        end if;
    end if;

    if new.category is not null and (tg_op = 'INSERT' or new.category is distinct from old.category)
        and not exists (select 1 from public.categories as k where k.slug = new.category and k.active) then
        raise exception using
            errcode = 'PT422', message = 'category_not_available',
            detail = format('No active category %L.', new.category);
    end if;

    -- Owners choose the end within bounds (operators are held by the check
    -- constraint only).
    if is_user_edit and new.ends_at is not null
        and (tg_op = 'INSERT' or new.ends_at is distinct from old.ends_at) then
        perform private.check_campaign_end(new.ends_at, new.starts_at);
    end if;

    -- Open campaigns: funded exactly when the goal is reached.
    if private.is_open(new.status) then
        new.status := case
            when new.collected_amount >= new.goal_amount then 'funded'::public.campaign_status
            else 'active'::public.campaign_status
        end;
        if new.status = 'funded' and new.goal_reached_at is null then
            new.goal_reached_at := pg_catalog.now();
        end if;
    end if;
    if not private.is_open(new.status) then
        new.featured := false;
    end if;
    return new;
end;
$$;

-- An end date is in the future, 1 to 180 days after the start (now, if not
-- started yet).
create function private.check_campaign_end(ends_at timestamptz, starts_at timestamptz)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    start timestamptz := coalesce(starts_at, pg_catalog.now());
begin
    if ends_at <= pg_catalog.now() or ends_at < start + interval '1 day'
        or ends_at > start + interval '180 days' then
        raise exception using
            errcode = 'PT422', message = 'campaign_end_out_of_bounds',
            detail = 'A campaign ends 1 to 180 days after it starts (publication).';
    end if;
end;
$$;

-- Expired and cancelled campaigns are closed, frozen ones held: nothing about
-- them changes.
create function private.assert_campaign_open(status public.campaign_status)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
    if status in ('expired', 'cancelled', 'frozen') then
        raise exception using
            errcode = 'PT409', message = 'campaign_closed',
            detail = format('A campaign that is %s can no longer be edited.', status);
    end if;
end;
$$;

create function private.record_campaign_status()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if tg_op = 'INSERT' or new.status is distinct from old.status then
        insert into public.campaign_status_history (campaign_id, from_status, to_status, actor_id, reason)
        values (
            new.id,
            case when tg_op = 'UPDATE' then old.status end,
            new.status,
            auth.uid(),
            nullif(pg_catalog.current_setting('africagnotte.status_reason', true), '')
        );
    end if;
    return null;
end;
$$;

-- Functions: the status machine --------------------------------------------------

-- The campaign if the viewer (by default the caller) may see it, locked for
-- update on request; otherwise campaign_not_found: a draft's existence is not
-- revealed.
create function private.visible_campaign(
    campaign_id uuid, for_update boolean default false, viewer uuid default auth.uid()
)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    if for_update then
        select * into c from public.campaigns as x where x.id = visible_campaign.campaign_id for update;
    else
        select * into c from public.campaigns as x where x.id = visible_campaign.campaign_id;
    end if;
    if not found or not private.sees_campaign(
        c.is_published, c.id, c.owner_id,
        viewer, private.is_staff(viewer), array(select private.team_campaign_ids(viewer))
    ) then
        raise exception using
            errcode = 'PT404', message = 'campaign_not_found',
            detail = 'No such campaign, or not visible to you.';
    end if;
    return c;
end;
$$;

create function private.invalid_transition(action text, status public.campaign_status)
returns void
language plpgsql
set search_path = ''
as $$
begin
    raise exception using
        errcode = 'PT409', message = 'invalid_status_transition',
        detail = format('Cannot %s a campaign that is %s.', action, status);
end;
$$;

-- A decision's reason, the one home of its rule: trimmed of white space (line
-- breaks and tabs too: a reason of blank lines says nothing), 1 to max_length
-- characters (the column that keeps it), else reason_required or
-- reason_too_long (PT422). Campaigns' and edits' reasons hold 1000 characters,
-- payouts' and documents' 500.
create function private.decision_reason(reason text, max_length integer default 1000)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
    why text := nullif(pg_catalog.btrim(reason, E' \t\n\r\f\x0b\u00a0\u2028\u2029\u202f\u3000'), '');
begin
    if why is null then
        raise exception using errcode = 'PT422', message = 'reason_required', detail = 'Say why, for the owner and the audit.';
    end if;
    if pg_catalog.char_length(why) > max_length then
        raise exception using
            errcode = 'PT422', message = 'reason_too_long', detail = format('At most %s characters.', max_length);
    end if;
    return why;
end;
$$;

-- A reason that may be left out: null when blank, else as decision_reason.
create function private.optional_reason(reason text, max_length integer default 1000)
returns text
language sql
immutable
set search_path = ''
as $$
    select case when nullif(pg_catalog.btrim(reason), '') is not null
        then private.decision_reason(reason, max_length) end;
$$;

-- Applies a status change with its reason (recorded by the history trigger).
create function private.set_campaign_status(
    campaign_id uuid, status public.campaign_status, reason text default null
)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    perform pg_catalog.set_config('africagnotte.status_reason', coalesce(reason, ''), true);
    update public.campaigns as x
    set status = set_campaign_status.status
    where x.id = set_campaign_status.campaign_id
    returning * into c;
    perform pg_catalog.set_config('africagnotte.status_reason', '', true);
    return c;
end;
$$;

create function public.submit_campaign(campaign_id uuid)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    missing text[] := '{}'::text[];
begin
    if c.owner_id is distinct from auth.uid() then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner',
            detail = 'Only the owner submits a campaign for review.';
    end if;
    if c.status not in ('draft', 'rejected') then
        perform private.invalid_transition('submit', c.status);
    end if;
    if c.summary is null or pg_catalog.btrim(c.summary) = '' then
        missing := missing || 'summary'::text;
    end if;
    if c.story is null or pg_catalog.char_length(pg_catalog.btrim(c.story)) < 50 then
        missing := missing || 'story'::text;
    end if;
    if c.category is null or not exists (
        select 1 from public.categories as k where k.slug = c.category and k.active
    ) then
        missing := missing || 'category'::text;
    end if;
    if c.country is null then
        missing := missing || 'country'::text;
    end if;
    if pg_catalog.cardinality(missing) > 0 then
        raise exception using
            errcode = 'PT422', message = 'campaign_incomplete',
            detail = 'Missing or too short: ' || pg_catalog.array_to_string(missing, ', '),
            hint = 'A story has at least 50 characters; the category must be active.';
    end if;
    if c.ends_at is not null then
        perform private.check_campaign_end(c.ends_at, null);
    end if;
    return private.set_campaign_status(c.id, 'pending_review');
end;
$$;

create function public.approve_campaign(campaign_id uuid)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    ends timestamptz;
begin
    if not private.is_staff() then
        raise exception using
            errcode = 'PT403', message = 'staff_only', detail = 'Only moderators and admins review campaigns.';
    end if;
    perform private.assert_independent_staff(c.id);
    if c.status <> 'pending_review' then
        perform private.invalid_transition('approve', c.status);
    end if;
    if private.is_banned(c.owner_id) then
        raise exception using
            errcode = 'PT409', message = 'owner_banned',
            detail = 'The owner of this campaign is banned: it cannot be published.';
    end if;
    ends := coalesce(c.ends_at, pg_catalog.now() + interval '30 days');
    perform private.check_campaign_end(ends, pg_catalog.now());
    update public.campaigns as x
    set
        starts_at = pg_catalog.now(),
        ends_at = ends,
        published_at = coalesce(x.published_at, pg_catalog.now()),
        rejection_reason = null
    where x.id = c.id;
    return private.set_campaign_status(c.id, 'active');
end;
$$;

create function public.reject_campaign(campaign_id uuid, reason text)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    why text;
begin
    if not private.is_staff() then
        raise exception using
            errcode = 'PT403', message = 'staff_only', detail = 'Only moderators and admins review campaigns.';
    end if;
    perform private.assert_independent_staff(c.id);
    if c.status <> 'pending_review' then
        perform private.invalid_transition('reject', c.status);
    end if;
    why := private.decision_reason(reason);
    update public.campaigns as x set rejection_reason = why where x.id = c.id;
    return private.set_campaign_status(c.id, 'rejected', why);
end;
$$;

create function public.cancel_campaign(campaign_id uuid, reason text default null)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    -- an admin on the campaign's team cancels as a team member (four eyes)
    by_admin boolean := private.is_admin() and not private.is_campaign_team(c.id);
    why text;
begin
    if c.owner_id is distinct from auth.uid() and not by_admin then
        if private.is_admin() then
            perform private.assert_independent_staff(c.id);
        end if;
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner',
            detail = 'Only the owner or an admin cancels a campaign.';
    end if;
    -- Owners stop what has not collected; admins also funded and frozen campaigns
    -- (money is then refunded by close_campaign_with_refunds, or kept on purpose).
    if c.status not in ('draft', 'pending_review', 'rejected', 'active')
        and not (by_admin and c.status in ('funded', 'frozen')) then
        perform private.invalid_transition('cancel', c.status);
    end if;
    if c.status = 'active' and (c.donor_count > 0 or c.collected_amount > 0) and not by_admin then
        raise exception using
            errcode = 'PT403', message = 'cancel_requires_admin',
            detail = 'A campaign that has received donations is cancelled by an admin.',
            hint = 'Contact support: donors may need refunds.';
    end if;
    why := private.optional_reason(reason);
    -- Open payouts do not survive the campaign.
    perform private.reject_open_payouts(c.id, coalesce(why, 'campaign cancelled'));
    return private.set_campaign_status(c.id, 'cancelled', why);
end;
$$;

create function public.feature_campaign(campaign_id uuid, featured boolean default true)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
begin
    if not private.is_admin() then
        raise exception using errcode = 'PT403', message = 'admin_only', detail = 'Only admins feature campaigns.';
    end if;
    perform private.assert_independent_staff(c.id);
    if feature_campaign.featured and not c.is_open then
        raise exception using
            errcode = 'PT409', message = 'campaign_not_featurable',
            detail = format('A campaign that is %s cannot be featured.', c.status);
    end if;
    update public.campaigns as x
    set featured = feature_campaign.featured
    where x.id = c.id
    returning * into c;
    return c;
end;
$$;

-- Active or funded campaigns whose end has passed become expired. Idempotent;
-- scheduled every 5 minutes by pg_cron where available, and run by
-- `cagnotte-admin jobs run` otherwise. Returns how many expired.
create function private.expire_campaigns()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
    expired integer;
begin
    perform pg_catalog.set_config('africagnotte.status_reason', 'ends_at passed', true);
    update public.campaigns as c
    set status = 'expired'
    where c.is_open and c.ends_at <= pg_catalog.now();
    get diagnostics expired = row_count;
    perform pg_catalog.set_config('africagnotte.status_reason', '', true);
    return expired;
end;
$$;

grant execute on function public.submit_campaign(uuid) to authenticated;
grant execute on function public.approve_campaign(uuid) to authenticated;
grant execute on function public.reject_campaign(uuid, text) to authenticated;
grant execute on function public.cancel_campaign(uuid, text) to authenticated;
grant execute on function public.feature_campaign(uuid, boolean) to authenticated;
grant execute on function private.expire_campaigns() to service_role;
-- Row rules run as the caller (triggers, check constraints).
grant execute on function private.unaccent(text) to anon, authenticated, service_role;
grant execute on function private.slugify(text) to anon, authenticated, service_role;
grant execute on function private.normalize_tags(text[]) to anon, authenticated, service_role;
grant execute on function private.tags_are_valid(text[]) to anon, authenticated, service_role;
grant execute on function private.check_campaign_end(timestamptz, timestamptz) to authenticated, service_role;
grant execute on function private.assert_campaign_open(public.campaign_status) to authenticated, service_role;

-- Triggers ---------------------------------------------------------------------

create trigger campaigns_refuse_banned_writes
before insert or update or delete on public.campaigns
for each statement execute function private.refuse_banned_writes();

create trigger campaigns_prepare
before insert or update on public.campaigns
for each row execute function private.prepare_campaign();

create trigger campaigns_touch_updated_at
before update on public.campaigns
for each row execute function private.touch_updated_at();

create trigger campaigns_record_creation
after insert on public.campaigns
for each row execute function private.record_campaign_status();

-- Not `update of status`: the funded status also follows the totals.
create trigger campaigns_record_status
after update on public.campaigns
for each row when (old.status is distinct from new.status)
execute function private.record_campaign_status();

-- Realtime: progress bars update live ---------------------------------------------

alter publication supabase_realtime add table public.campaigns;

-- Schedule: expire campaigns ------------------------------------------------------

select private.schedule_job('expire-campaigns', '*/5 * * * *', 'select private.expire_campaigns()');
