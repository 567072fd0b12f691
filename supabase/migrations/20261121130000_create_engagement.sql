-- Engagement: the campaign's team posts updates; signed-in people comment;
-- anyone signed in reports a campaign or a comment to the moderators.
--
-- Team: the owner and the co-organizers (campaign_members; invitations add
-- them). Comments: at most 5 per minute per user; the campaign's owner hides
-- comments on their campaign, staff hide or delete any; a hidden comment is
-- seen only by its author, the owner and staff. Reports: one open report per
-- reporter and target; 3 distinct open reports hide a comment until a
-- moderator decides.

-- Types ------------------------------------------------------------------------

create type public.report_reason as enum ('fraud', 'inappropriate', 'spam', 'harassment', 'misinformation', 'other');
create type public.report_status as enum ('open', 'resolved', 'dismissed');

-- Tables -----------------------------------------------------------------------

create table public.campaign_updates (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    author_id uuid default auth.uid() references public.profiles (id) on delete set null,
    title text not null check (
        title = pg_catalog.btrim(title) and pg_catalog.char_length(title) between 3 and 120
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
    -- who hid it: the owner, staff, or 'reports' (reported by several people)
    hidden_reason text,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now()
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

-- Helpers --------------------------------------------------------------------------

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

create policy "authors and admins delete comments"
on public.comments for delete to authenticated
using (author_id = (select auth.uid()) or (select private.is_admin()));

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

-- Comments: the rate limit, and who may change what (authors the text, the
-- owner and staff the visibility). Runs as the caller.
create function private.guard_comment()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    actor uuid := auth.uid();
    moderates boolean;
begin
    if tg_op = 'INSERT' then
        if actor is not null and (
            select pg_catalog.count(*) from public.comments as m
            where m.author_id = actor and m.created_at > pg_catalog.now() - interval '1 minute'
        ) >= 5 then
            raise exception using
                errcode = 'PT429', message = 'comment_rate_limited',
                detail = 'At most 5 comments a minute: wait a little.';
        end if;
        return new;
    end if;
    if current_user not in ('authenticated', 'anon') then
        return new;  -- the service and operators
    end if;
    if new.body is distinct from old.body and old.author_id is distinct from actor then
        raise exception using
            errcode = 'PT403', message = 'not_comment_author', detail = 'Only its author edits a comment.';
    end if;
    if new.hidden is distinct from old.hidden then
        moderates := private.is_staff() or exists (
            select 1 from public.campaigns as c where c.id = old.campaign_id and c.owner_id = actor
        );
        if not moderates then
            raise exception using
                errcode = 'PT403', message = 'not_campaign_moderator',
                detail = 'The campaign''s owner and moderators hide comments.';
        end if;
        new.hidden_reason := case when new.hidden then case when private.is_staff() then 'staff' else 'owner' end end;
    end if;
    return new;
end;
$$;

-- Reports on a comment: three distinct open reports hide it pending review.
create function private.hide_reported_comment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if new.comment_id is not null and (
        select pg_catalog.count(distinct r.reporter_id) from public.reports as r
        where r.comment_id = new.comment_id and r.status = 'open'
    ) >= 3 then
        update public.comments as m
        set hidden = true, hidden_reason = 'reports'
        where m.id = new.comment_id and not m.hidden;
    end if;
    return null;
end;
$$;

-- Staff close a report: resolved (action taken) or dismissed.
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
    update public.reports as x
    set status = resolve_report.status, resolved_by = auth.uid(), resolved_at = pg_catalog.now(),
        resolution_note = nullif(pg_catalog.btrim(note), '')
    where x.id = resolve_report.report_id and x.status = 'open'
    returning * into r;
    if not found then
        raise exception using errcode = 'PT404', message = 'report_not_found', detail = 'No such open report.';
    end if;
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

create trigger campaign_updates_touch_updated_at
before update on public.campaign_updates
for each row execute function private.touch_updated_at();

create trigger comments_refuse_banned_writes
before insert or update or delete on public.comments
for each statement execute function private.refuse_banned_writes();

create trigger comments_guard
before insert or update on public.comments
for each row execute function private.guard_comment();

create trigger comments_touch_updated_at
before update on public.comments
for each row execute function private.touch_updated_at();

create trigger reports_refuse_banned_writes
before insert or update or delete on public.reports
for each statement execute function private.refuse_banned_writes();

create trigger reports_hide_reported_comment
after insert on public.reports
for each row execute function private.hide_reported_comment();
