-- Engagement: the campaign's team posts updates; signed-in people comment;
-- anyone signed in reports a campaign or a comment to the moderators.
--
-- Team: the owner and the co-organizers (campaign_members; invitations add
-- them). Updates: the team posts them, public when the campaign is; their
-- author and the owner edit them; their author, the owner and admins delete
-- them. Comments: signed-in, non-banned users comment on published campaigns;
-- authors edit and delete their own; the campaign's owner hides comments on
-- their campaign, staff hide any, admins delete any; a hidden comment is seen
-- only by its author, the owner and staff. Moderation is final for owners: the owner shows again only what the
-- owner hid (hidden_reason 'owner'), never what staff or reports hid. Staff on
-- a campaign's team act there as its owner (four eyes: they neither make
-- moderation final, delete comments, nor resolve reports on it), and on their
-- own comment as its author (they do not show it again, nor close its
-- reports). Reports: one
-- open report per reporter and target; 3 distinct open reports hide a comment
-- until a moderator decides.
--
-- Posting: a campaign that is closed (cancelled) or frozen takes no new update,
-- comment or invitation (private.takes_posts, the one home of that rule).
--
-- Rate limits (private.rate_limits, the one home of every limit, applied by
-- private.hit_rate_limit): they count attempts, not surviving rows (deleting
-- one's comments gives nothing back), in a sliding window, per subject under a
-- transaction-level advisory lock, so that parallel requests queue and each
-- sees the others' attempts:
--   comment             5 a minute per author, across campaigns
--   campaign_update     5 a day per campaign (each update emails every donor)
--   update_author      10 a day per author, across campaigns
--   invitation         50 a day per inviter, across campaigns (sends and resends)
--   report             10 an hour per reporter, across campaigns (each one
--                      lands in the moderators' queue)

-- Types ------------------------------------------------------------------------

create type public.report_reason as enum ('fraud', 'inappropriate', 'spam', 'harassment', 'misinformation', 'other');
create type public.report_status as enum ('open', 'resolved', 'dismissed');

-- Tables -----------------------------------------------------------------------

create table public.campaign_updates (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    author_id uuid default auth.uid() references public.profiles (id) on delete set null,
    -- the email's Subject: one line
    title text not null check (
        title = pg_catalog.btrim(title) and pg_catalog.char_length(title) between 3 and 120
        and private.is_single_line(title)
    ),
    body text not null check (pg_catalog.char_length(pg_catalog.btrim(body)) between 1 and 10000),
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now()
);

create index campaign_updates_campaign_idx on public.campaign_updates (campaign_id, created_at desc);
create index campaign_updates_author_id_idx on public.campaign_updates (author_id);

create table public.comments (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    author_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
    body text not null check (pg_catalog.char_length(pg_catalog.btrim(body)) between 1 and 2000),
    hidden boolean not null default false,
    -- who hid it: the owner, staff, or 'reports' (reported by several people);
    -- the owner shows again only what the owner hid
    hidden_reason text check (hidden_reason in ('owner', 'staff', 'reports')),
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    check (hidden = (hidden_reason is not null))
);

create index comments_campaign_idx on public.comments (campaign_id, created_at desc);
create index comments_author_idx on public.comments (author_id, created_at desc);

create table public.reports (
    id uuid primary key default extensions.gen_random_uuid(),
    reporter_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
    campaign_id uuid references public.campaigns (id) on delete cascade,
    comment_id uuid references public.comments (id) on delete cascade,
    reason public.report_reason not null,
    details text check (pg_catalog.char_length(details) <= 1000),
    status public.report_status not null default 'open',
    resolved_by uuid references public.profiles (id) on delete set null,
    resolved_at timestamptz,
    resolution_note text check (pg_catalog.char_length(resolution_note) <= 1000),
    created_at timestamptz not null default pg_catalog.now(),
    check ((campaign_id is null) <> (comment_id is null))
);

create unique index reports_one_open_per_campaign on public.reports (reporter_id, campaign_id)
where status = 'open' and campaign_id is not null;
create unique index reports_one_open_per_comment on public.reports (reporter_id, comment_id)
where status = 'open' and comment_id is not null;
create index reports_campaign_id_idx on public.reports (campaign_id);
create index reports_comment_id_idx on public.reports (comment_id);
create index reports_resolved_by_idx on public.reports (resolved_by);
create index reports_open_idx on public.reports (created_at) where status = 'open';

-- Rate limits --------------------------------------------------------------------------

create table private.rate_limits (
    action text primary key,
    max_count integer not null check (max_count > 0),
    per interval not null check (per > interval '0'),
    -- the PT429 error raised past the limit: a stable token and a sentence
    error text not null check (error ~ '^[a-z_]+$'),
    detail text not null
);

comment on table private.rate_limits is
'Every count-based limit: at most max_count attempts of an action per subject (a user or a campaign) in any window of length per.';

-- One row per attempt that went through; a subject's attempts older than the
-- window go at its next attempt (at most max_count rows per subject remain).
create table private.rate_limit_hits (
    id bigint generated always as identity primary key,
    action text not null references private.rate_limits (action) on update cascade on delete cascade,
    subject uuid not null,
    at timestamptz not null default pg_catalog.now()
);

create index rate_limit_hits_subject_idx on private.rate_limit_hits (action, subject, at);

insert into private.rate_limits (action, max_count, per, error, detail) values
('comment', 5, '1 minute', 'comment_rate_limited', 'At most 5 comments a minute: wait a little.'),
(
    'campaign_update', 5, '1 day', 'update_rate_limited',
    'A campaign posts at most 5 updates a day (each one emails its donors).'
),
('update_author', 10, '1 day', 'update_rate_limited', 'At most 10 updates a day in all: wait until tomorrow.'),
(
    'invitation', 50, '1 day', 'invitation_limit_reached',
    'At most 50 invitations (sends and resends) a day in all, 100 pending per campaign.'
),
('report', 10, '1 hour', 'report_rate_limited', 'At most 10 reports an hour: wait a little.');

-- Helpers --------------------------------------------------------------------------

-- Whether a campaign takes new posts (updates, comments, invitations): not once
-- it is closed (cancelled) or frozen.
create function private.takes_posts(status public.campaign_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select status not in ('cancelled', 'frozen')
$$;

comment on function private.takes_posts(public.campaign_status) is
'Whether a campaign takes new updates, comments and invitations: not once cancelled or frozen.';

-- Counts one attempt of `action` by `subject`, or refuses it (PT429, the
-- limit's own token) when its window already holds max_count attempts. The
-- advisory lock (held until commit) queues parallel attempts of one subject:
-- each counts after the previous one committed or rolled back.
create function private.hit_rate_limit(action text, subject uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    lim private.rate_limits;
begin
    select * into strict lim from private.rate_limits as r where r.action = hit_rate_limit.action;
    perform pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended('rate_limit:' || lim.action || ':' || hit_rate_limit.subject::text, 0)
    );
    if (
        select pg_catalog.count(*) from private.rate_limit_hits as h
        where
            h.action = lim.action and h.subject = hit_rate_limit.subject
            and h.at > pg_catalog.now() - lim.per
    ) >= lim.max_count then
        raise exception using errcode = 'PT429', message = lim.error, detail = lim.detail;
    end if;
    delete from private.rate_limit_hits as h
    where
        h.action = lim.action and h.subject = hit_rate_limit.subject
        and h.at <= pg_catalog.now() - lim.per;
    insert into private.rate_limit_hits (action, subject) values (lim.action, hit_rate_limit.subject);
end;
$$;

-- Grants -----------------------------------------------------------------------

revoke all on table public.campaign_updates, public.comments, public.reports
from anon, authenticated;
grant select on table public.campaign_updates, public.comments to anon, authenticated;
grant insert (campaign_id, title, body) on table public.campaign_updates to authenticated;
grant update (title, body) on table public.campaign_updates to authenticated;
grant delete on table public.campaign_updates, public.comments to authenticated;
grant insert (campaign_id, body) on table public.comments to authenticated;
grant update (body, hidden) on table public.comments to authenticated;
grant select on table public.reports to authenticated;
grant insert (campaign_id, comment_id, reason, details) on table public.reports to authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.campaign_updates enable row level security;
alter table public.comments enable row level security;
alter table public.reports enable row level security;
alter table private.rate_limits enable row level security;
alter table private.rate_limit_hits enable row level security;

create policy "nobody reaches rate limits through the API"
on private.rate_limits
as restrictive
for all
to anon, authenticated
using (false);

create policy "nobody reaches rate limit attempts through the API"
on private.rate_limit_hits
as restrictive
for all
to anon, authenticated
using (false);

create policy "anyone reads the updates of campaigns they see"
on public.campaign_updates for select to anon, authenticated
using (campaign_id in (select c.id from public.campaigns as c));

create policy "the team posts updates on its campaigns"
on public.campaign_updates for insert to authenticated
with check (author_id = (select auth.uid()) and private.is_campaign_team(campaign_id));

create policy "authors and owners edit updates"
on public.campaign_updates for update to authenticated
using (
    author_id = (select auth.uid())
    or campaign_id in (
        select c.id from public.campaigns as c
        where c.owner_id = (select auth.uid())
    )
)
with check (private.is_campaign_team(campaign_id));

create policy "authors, owners and admins delete updates"
on public.campaign_updates for delete to authenticated
using (
    (select private.is_admin())
    or author_id = (select auth.uid())
    or campaign_id in (
        select c.id from public.campaigns as c
        where c.owner_id = (select auth.uid())
    )
);

create policy "anyone reads visible comments of campaigns they see"
on public.comments for select to anon
using (not hidden and campaign_id in (select c.id from public.campaigns as c));

create policy "users read visible comments, hidden ones their author, the owner and staff"
on public.comments for select to authenticated
using (
    (select private.is_staff())
    or author_id = (select auth.uid())
    or (not hidden and campaign_id in (select c.id from public.campaigns as c))
    or campaign_id in (
        select c.id from public.campaigns as c
        where c.owner_id = (select auth.uid())
    )
);

create policy "users comment on published campaigns"
on public.comments for insert to authenticated
with check (
    author_id = (select auth.uid())
    and campaign_id in (
        select c.id from public.campaigns as c
        where c.is_published
    )
);

create policy "authors edit, owners and staff hide comments"
on public.comments for update to authenticated
using (
    (select private.is_staff())
    or author_id = (select auth.uid())
    or campaign_id in (
        select c.id from public.campaigns as c
        where c.owner_id = (select auth.uid())
    )
);

create policy "authors and admins delete comments, admins not on their own team's campaigns"
on public.comments for delete to authenticated
using (
    author_id = (select auth.uid())
    or ((select private.is_admin()) and not private.is_campaign_team(campaign_id))
);

create policy "reporters read their reports and staff all"
on public.reports for select to authenticated
using (reporter_id = (select auth.uid()) or (select private.is_staff()));

create policy "users report what they see"
on public.reports for insert to authenticated
with check (
    reporter_id = (select auth.uid())
    and (
        campaign_id in (select c.id from public.campaigns as c)
        or comment_id in (select m.id from public.comments as m)
    )
);

-- Functions ------------------------------------------------------------------------

-- A post (update or comment) by a signed-in user: the campaign must take posts
-- (private.takes_posts), and the post be within the rate limits (comments
-- per author; updates per campaign and per author, counted only for the team,
-- since the insert policy refuses everyone else). The service and operators'
-- scripts (no user) are not limited.
create function private.guard_post()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    actor uuid := auth.uid();
    c public.campaigns;
begin
    select * into c from public.campaigns as x where x.id = new.campaign_id;
    if actor is null or not found then
        return new;  -- the foreign key refuses an unknown campaign
    end if;
    -- told to those who see the campaign; the insert policies refuse everyone else
    if not private.takes_posts(c.status) and (private.is_staff() or private.is_campaign_team(c.id)) then
        raise exception using
            errcode = 'PT409', message = 'campaign_closed',
            detail = pg_catalog.format('A %s campaign takes no new %s.', c.status, pg_catalog.replace(tg_table_name, '_', ' '));
    end if;
    if tg_table_name = 'comments' then
        perform private.hit_rate_limit('comment', actor);
    elsif private.is_campaign_team(c.id) then
        perform private.hit_rate_limit('campaign_update', c.id);
        perform private.hit_rate_limit('update_author', actor);
    end if;
    return new;
end;
$$;

-- Comments: who may change what (authors the text; the owner and staff the
-- visibility, the owner only what the owner hid). Runs as the caller.
create function private.guard_comment()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    actor uuid := auth.uid();
    staff boolean;
begin
    if current_user not in ('authenticated', 'anon') then
        return new;  -- the service and operators' scripts
    end if;
    if new.body is distinct from old.body and old.author_id is distinct from actor then
        raise exception using
            errcode = 'PT403', message = 'not_comment_author', detail = 'Only its author edits a comment.';
    end if;
    -- staff on the campaign's team act as its owner there, and on their own
    -- comment as its author (four eyes)
    staff := private.is_staff() and not private.is_campaign_team(old.campaign_id)
        and old.author_id is distinct from actor;
    if staff and new.hidden and old.hidden_reason is distinct from 'staff' then
        new.hidden_reason := 'staff';  -- a moderator who hides (again) takes the decision over
    elsif new.hidden is distinct from old.hidden then
        if not staff and not exists (
            select 1 from public.campaigns as c where c.id = old.campaign_id and c.owner_id = actor
        ) then
            raise exception using
                errcode = 'PT403', message = 'not_campaign_moderator',
                detail = 'The campaign''s owner and moderators hide comments.';
        end if;
        if not staff and not new.hidden and old.hidden_reason is distinct from 'owner' then
            raise exception using
                errcode = 'PT403', message = 'hidden_by_moderation',
                detail = 'Moderation hid this comment: only a moderator shows it again.';
        end if;
        new.hidden_reason := case when new.hidden then case when staff then 'staff' else 'owner' end end;
    end if;
    return new;
end;
$$;

-- Reports on a comment: three distinct open reports hide it pending review.
-- The comment is locked first, so that reports sent at once are counted one
-- after the other (each sees the others') and the third one hides it; no key
-- update, which the reports' foreign key checks (key share) do not wait for.
create function private.hide_reported_comment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if new.comment_id is null then
        return null;
    end if;
    perform 1 from public.comments as m where m.id = new.comment_id for no key update;
    if (
        select pg_catalog.count(distinct r.reporter_id) from public.reports as r
        where r.comment_id = new.comment_id and r.status = 'open'
    ) >= 3 then
        -- reports take the decision over from the owner (who then cannot show it again)
        update public.comments as m
        set hidden = true, hidden_reason = 'reports'
        where m.id = new.comment_id and m.hidden_reason is distinct from 'staff';
    end if;
    return null;
end;
$$;

-- A report by a signed-in user counts against the reporter's limit (the
-- service and operators' scripts, no user, are not limited).
create function private.limit_reports()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if auth.uid() is not null then
        perform private.hit_rate_limit('report', auth.uid());
    end if;
    return new;
end;
$$;

-- Staff close a report: resolved (action taken) or dismissed; never on a
-- campaign of their own team, nor about their own comment (four eyes).
create function public.resolve_report(report_id uuid, status public.report_status, note text default null)
returns public.reports
language plpgsql
security definer
set search_path = ''
as $$
declare
    r public.reports;
begin
    if not private.is_staff() then
        raise exception using errcode = 'PT403', message = 'staff_only', detail = 'Only moderators and admins.';
    end if;
    if resolve_report.status = 'open' then
        raise exception using errcode = 'PT422', message = 'invalid_resolution', detail = 'resolved or dismissed.';
    end if;
    select * into r from public.reports as x
    where x.id = resolve_report.report_id and x.status = 'open'
    for update;
    if not found then
        raise exception using errcode = 'PT404', message = 'report_not_found', detail = 'No such open report.';
    end if;
    perform private.assert_independent_staff(coalesce(
        r.campaign_id, (select m.campaign_id from public.comments as m where m.id = r.comment_id)
    ));
    if exists (select 1 from public.comments as m where m.id = r.comment_id and m.author_id = auth.uid()) then
        raise exception using
            errcode = 'PT403', message = 'cannot_review_own_comment',
            detail = 'Another moderator decides on reports about your own comment.';
    end if;
    update public.reports as x
    set status = resolve_report.status, resolved_by = auth.uid(), resolved_at = pg_catalog.now(),
        resolution_note = nullif(pg_catalog.btrim(note), '')
    where x.id = r.id
    returning * into r;
    return r;
end;
$$;

grant execute on function public.resolve_report(uuid, public.report_status, text) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger campaign_members_refuse_banned_writes
before insert or update or delete on public.campaign_members
for each statement execute function private.refuse_banned_writes();

create trigger campaign_updates_refuse_banned_writes
before insert or update or delete on public.campaign_updates
for each statement execute function private.refuse_banned_writes();

create trigger campaign_updates_guard_post
before insert on public.campaign_updates
for each row execute function private.guard_post();

create trigger campaign_updates_touch_updated_at
before update on public.campaign_updates
for each row execute function private.touch_updated_at();

create trigger comments_refuse_banned_writes
before insert or update or delete on public.comments
for each statement execute function private.refuse_banned_writes();

create trigger comments_guard_post
before insert on public.comments
for each row execute function private.guard_post();

create trigger comments_guard
before update on public.comments
for each row execute function private.guard_comment();

create trigger comments_touch_updated_at
before update on public.comments
for each row execute function private.touch_updated_at();

create trigger reports_refuse_banned_writes
before insert or update or delete on public.reports
for each statement execute function private.refuse_banned_writes();

create trigger reports_limit
before insert on public.reports
for each row execute function private.limit_reports();

create trigger reports_hide_reported_comment
after insert on public.reports
for each row execute function private.hide_reported_comment();
