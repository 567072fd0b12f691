-- Justified spending: after a payout is paid, the campaign's team shows what
-- the money paid for, and everyone sees collected / paid out / justified.
--
--   justification lines        matched to one PAID payout: what (description),
--                              amount (the payout's currency, minor units), the
--                              date it was spent, the supplier, a receipt (a
--                              private Cloudinary asset under
--                              africagnotte/justifications/<campaign id>/, kept in
--                              public.justification_receipts: the team and staff
--                              read it, never the public), and an optional
--                              redacted image for the public under
--                              africagnotte/justifications/<campaign id>/public/
--   add / edit / delete        the team (owner or co-organizers) writes draft
--                              lines through add_justification_line,
--                              edit_justification_line, delete_justification_line
--                              (one statement writes a line and its receipt:
--                              nothing half-written); the lines of a payout
--                              (drafts and published) never add up to more than
--                              its amount (justification_exceeds_payout)
--   publish_justification      the team publishes a payout's drafts: they become
--                              public (anyone who sees the campaign reads them)
--                              and frozen (justification_published); the donors
--                              (private.campaign_donors) are told (notification
--                              justification_published, emailed). A payout may be
--                              justified in several publications.
--   the deadline               categories.justification_days (santé 30, the
--                              others 60; null: no deadline). A paid payout is
--                              OVERDUE when it was paid more than that many days
--                              ago, its published lines do not reach its amount,
--                              and staff did not clear it. Computed from the data
--                              each time (private.payout_justification_rows, the
--                              one home of the rule), never a flag a job forgets.
--   an overdue payout          marks the campaign publicly (campaign_spending's
--                              overdue, the computed column justification_overdue
--                              on campaigns) and stops the team's next payout:
--                              private.payout_stop_reason says
--                              justification_overdue (request_payout refuses,
--                              payouts are neither approved nor paid,
--                              payout_blockers lists it)
--   the team is told           once, when a payout becomes overdue (notification
--                              justification_overdue, emailed), by the hourly
--                              job tell-overdue-justifications; the mark and the
--                              block never wait for it
--   remove_justification_line  staff take a published line down (a receipt shown
--                              unredacted, an abusive text or image), with a
--                              reason, never on the campaign's own team: it is
--                              no longer public and no longer justifies anything
--                              (the team publishes a proper one); its public
--                              image is dropped. The team sees it removed.
--   clear_justification        staff (moderators and admins), with a note, never
--                              on the campaign's team nor its requester or
--                              treasurers (four eyes): the payout is no longer
--                              overdue, for good. Audited.
--
-- campaign_spending(campaign) is for anyone who sees the campaign (anon too):
-- collected (campaigns.collected_amount, the public figure), paid out (paid
-- payouts), justified (published lines), overdue. payout_justifications(campaign)
-- lists each paid payout with its justified amount, deadline and state.
-- Uploads: the service's POST /media/signature (target justification) signs a
-- receipt (private, type authenticated) or its public image for the team only
-- (private.authorize_justification_upload).
-- Every write is audited (private.audit).

-- Types ------------------------------------------------------------------------

create type public.justification_status as enum ('draft', 'published', 'removed');

-- Tables -----------------------------------------------------------------------

alter table public.categories
add column justification_days smallint check (justification_days between 1 and 365);

comment on column public.categories.justification_days is
'Days the team has, after a payout is paid, to publish what it paid for before the campaign is marked and its next payout blocked; null: no deadline.';

update public.categories set justification_days = case when slug = 'sante' then 30 else 60 end;

create table public.justification_lines (
    id uuid primary key default extensions.gen_random_uuid(),
    payout_id uuid not null references public.payout_requests (id) on delete restrict,
    campaign_id uuid not null references public.campaigns (id) on delete restrict,
    description text not null check (
        pg_catalog.char_length(description) between 3 and 200 and description !~ '[[:cntrl:]]'
    ),
    -- minor units of the payout's currency
    amount bigint not null check (amount > 0),
    currency text not null references public.currencies (code),
    spent_on date not null,
    supplier text not null check (pg_catalog.char_length(supplier) between 2 and 120 and supplier !~ '[[:cntrl:]]'),
    -- a redacted image of the receipt, for the public (optional)
    public_image_ref text check (
        public_image_ref like 'africagnotte/justifications/' || campaign_id || '/public/%'
        and pg_catalog.char_length(public_image_ref) <= 255 and public_image_ref !~ '[[:cntrl:][:space:]]'
    ),
    status public.justification_status not null default 'draft',
    -- null: the author deleted their account; the line stays with the campaign
    created_by uuid default auth.uid() references public.profiles (id) on delete set null,
    published_by uuid references public.profiles (id) on delete set null,
    published_at timestamptz,
    -- taken down by staff (remove_justification_line)
    removed_by uuid references public.profiles (id) on delete set null,
    removed_at timestamptz,
    removed_reason text check (pg_catalog.char_length(removed_reason) <= 500),
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    check ((status = 'draft') = (published_at is null)),
    check ((status = 'removed') = (removed_at is not null and removed_reason is not null))
);

comment on table public.justification_lines is
'What a paid payout paid for, line by line: drafts seen by the campaign''s team and staff, published lines by everyone who sees the campaign. Written through add/edit/delete_justification_line and publish_justification.';

create index justification_lines_payout_idx on public.justification_lines (payout_id, status);
create index justification_lines_campaign_idx on public.justification_lines (campaign_id, status);
create index justification_lines_currency_idx on public.justification_lines (currency);
create index justification_lines_created_by_idx on public.justification_lines (created_by);
create index justification_lines_published_by_idx on public.justification_lines (published_by);
create index justification_lines_removed_by_idx on public.justification_lines (removed_by);

-- The receipt of a line: a private file, for the team and staff only.
create table public.justification_receipts (
    line_id uuid primary key references public.justification_lines (id) on delete cascade,
    campaign_id uuid not null references public.campaigns (id) on delete restrict,
    -- a private Cloudinary asset under africagnotte/justifications/<campaign id>/ (not public/)
    file_ref text not null check (
        file_ref like 'africagnotte/justifications/' || campaign_id || '/%'
        and file_ref not like 'africagnotte/justifications/' || campaign_id || '/public/%'
        and pg_catalog.char_length(file_ref) <= 255 and file_ref !~ '[[:cntrl:][:space:]]'
    ),
    created_at timestamptz not null default pg_catalog.now()
);

comment on table public.justification_receipts is
'The private receipt of each justification line (a Cloudinary asset of type authenticated): the campaign''s team and staff read it, nobody else.';

create index justification_receipts_campaign_idx on public.justification_receipts (campaign_id);

-- Staff's clearances: an overdue payout no longer blocks anything.
create table private.justification_clearances (
    payout_id uuid primary key references public.payout_requests (id) on delete cascade,
    cleared_by uuid references public.profiles (id) on delete set null,
    note text not null check (pg_catalog.char_length(note) between 1 and 500),
    cleared_at timestamptz not null default pg_catalog.now()
);

create index justification_clearances_cleared_by_idx on private.justification_clearances (cleared_by);

-- Grants and RLS ----------------------------------------------------------------

revoke all on table public.justification_lines, public.justification_receipts from anon, authenticated;
grant select on table public.justification_lines to anon, authenticated;
grant select on table public.justification_receipts to authenticated;
-- read and written by definer functions only (as private.payout_accounts)
revoke all on table private.justification_clearances from public, anon, authenticated, service_role;

alter table public.justification_lines enable row level security;
alter table public.justification_receipts enable row level security;

-- the campaign's own visibility (its RLS) decides: a frozen campaign's lines
-- are hidden from the public as the campaign is
create policy "visitors read the published lines of a campaign they see"
on public.justification_lines for select to anon
using (status = 'published' and campaign_id in (select c.id from public.campaigns as c));

create policy "users read the published lines of a campaign they see and the team and staff every line"
on public.justification_lines for select to authenticated
using (
    (status = 'published' and campaign_id in (select c.id from public.campaigns as c))
    or (select private.is_staff())
    or campaign_id in (select private.team_campaign_ids())
);

create policy "the team and staff read the campaign's receipts"
on public.justification_receipts for select to authenticated
using ((select private.is_staff()) or campaign_id in (select private.team_campaign_ids()));

-- Functions: the rule -------------------------------------------------------------

-- Each paid payout of a campaign and where its justification stands. The one
-- home of "overdue": paid more than the category's justification_days ago, its
-- published lines short of its amount, and not cleared by staff.
create type public.payout_justification as (
    payout_id uuid,
    paid_at timestamptz,
    amount bigint,
    currency text,
    justified bigint,
    due_at timestamptz,
    cleared_at timestamptz,
    overdue boolean
);

comment on type public.payout_justification is
'A paid payout''s justification: its amount, what published lines justify, the deadline (null: the category sets none), when staff cleared it, and whether it is overdue.';

create function private.payout_justification_rows(campaign_id uuid)
returns setof public.payout_justification
language sql
stable
security definer
set search_path = ''
as $$
    select
        p.id,
        p.paid_at,
        p.amount,
        p.currency,
        j.justified,
        p.paid_at + pg_catalog.make_interval(days => k.justification_days),
        x.cleared_at,
        coalesce(
            p.paid_at + pg_catalog.make_interval(days => k.justification_days) < pg_catalog.now()
            and j.justified < p.amount
            and x.cleared_at is null,
            false
        )
    from public.payout_requests as p
    inner join public.campaigns as c on p.campaign_id = c.id
    inner join public.categories as k on c.category = k.slug
    left join private.justification_clearances as x on p.id = x.payout_id
    cross join lateral (
        select coalesce(pg_catalog.sum(l.amount), 0)::bigint as justified
        from public.justification_lines as l
        where l.payout_id = p.id and l.status = 'published'
    ) as j
    where p.campaign_id = payout_justification_rows.campaign_id and p.status = 'paid'
    order by p.paid_at, p.id
$$;

-- Why nothing may be paid out of this campaign now (null: nothing). The one
-- home of that rule (20261121140100_create_payouts.sql): the fraud stops, then
-- a payout whose justification is overdue.
create or replace function private.payout_stop_reason(campaign_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
    select case  -- the owner's ban first: it is why their campaigns are frozen
        when private.is_banned(c.owner_id) then 'owner_banned'
        when c.status = 'frozen' then 'campaign_frozen'
        when c.status = 'cancelled' then 'campaign_cancelled'
        when exists (
            select 1 from private.payout_justification_rows(c.id) as j where j.overdue
        ) then 'justification_overdue'
    end
    from public.campaigns as c
    where c.id = payout_stop_reason.campaign_id
$$;

-- Functions: what everyone sees ----------------------------------------------------

create type public.campaign_spending as (
    campaign_id uuid,
    currency text,
    collected bigint,
    paid_out bigint,
    justified bigint,
    overdue boolean
);

comment on type public.campaign_spending is
'public.campaign_spending: what the campaign collected (its public total), paid out (paid payouts) and justified (published lines), in minor units of its currency, and whether a payout''s justification is overdue.';

create function public.campaign_spending(campaign_id uuid)
returns public.campaign_spending
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id);
begin
    return (
        select row(
            c.id,
            c.currency,
            c.collected_amount,
            coalesce(pg_catalog.sum(j.amount), 0)::bigint,
            coalesce(pg_catalog.sum(j.justified), 0)::bigint,
            coalesce(pg_catalog.bool_or(j.overdue), false)
        )::public.campaign_spending
        from private.payout_justification_rows(c.id) as j
    );
end;
$$;

comment on function public.campaign_spending(uuid) is
'Collected / paid out / justified and the overdue mark of a campaign, for anyone who sees it.';

create function public.payout_justifications(campaign_id uuid)
returns setof public.payout_justification
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id);
begin
    return query select * from private.payout_justification_rows(c.id);
end;
$$;

comment on function public.payout_justifications(uuid) is
'Each paid payout of a campaign: amount, justified (published lines), deadline, cleared, overdue. For anyone who sees the campaign.';

-- The campaign's public mark (a computed column: campaigns?select=*,justification_overdue).
create function public.justification_overdue(c public.campaigns)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    -- of the campaign the caller sees, whatever row is passed in
    select exists (
        select 1 from private.payout_justification_rows((private.visible_campaign(c.id)).id) as j where j.overdue
    )
$$;

comment on function public.justification_overdue(public.campaigns) is
'Whether a paid payout of the campaign is past its justification deadline (the public mark).';

-- Functions: the team's lines ------------------------------------------------------

-- The payout, locked, for its campaign's team, once paid: payout_not_found to
-- anyone else (admins see it: not_campaign_owner), payout_not_paid before.
create function private.justifiable_payout(payout_id uuid)
returns public.payout_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests := private.visible_payout(payout_id, true);
begin
    if not private.is_campaign_team(p.campaign_id) then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner',
            detail = 'Only the campaign''s team justifies its payouts.';
    end if;
    if p.status <> 'paid' then
        raise exception using
            errcode = 'PT409', message = 'payout_not_paid',
            detail = pg_catalog.format('Only a paid payout is justified; this one is %s.', p.status);
    end if;
    return p;
end;
$$;

-- A draft line, locked, with its payout locked first (the team's, paid):
-- justification_line_not_found to anyone who does not see it, not_campaign_owner
-- to staff off the team, justification_published once published.
create function private.draft_line(line_id uuid)
returns public.justification_lines
language plpgsql
security definer
set search_path = ''
as $$
declare
    l public.justification_lines;
begin
    select * into l from public.justification_lines as x where x.id = draft_line.line_id;
    if not found or not (private.is_staff() or private.is_campaign_team(l.campaign_id)) then
        raise exception using
            errcode = 'PT404', message = 'justification_line_not_found', detail = 'No such justification line.';
    end if;
    if not private.is_campaign_team(l.campaign_id) then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner',
            detail = 'Only the campaign''s team justifies its payouts.';
    end if;
    perform private.justifiable_payout(l.payout_id);
    select * into l from public.justification_lines as x where x.id = l.id for update;
    if l.status <> 'draft' then
        raise exception using
            errcode = 'PT409', message = 'justification_published',
            detail = 'A published line is frozen.';
    end if;
    return l;
end;
$$;

-- A line's fields, checked before anything is written (the one home of their
-- rules, with the table's checks behind): invalid_justification_line, or
-- justification_exceeds_payout when the payout's lines would add up to more
-- than its amount (`other_lines`: the sum of its other lines).
create function private.check_justification_line(
    p public.payout_requests, description text, amount bigint, spent_on date, supplier text,
    receipt_ref text, public_image_ref text, other_lines bigint
)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    folder text := 'africagnotte/justifications/' || p.campaign_id || '/';
    problem text;
begin
    problem := case
        when description is null or pg_catalog.char_length(description) not between 3 and 200
            or description ~ '[[:cntrl:]]'
            then 'The description has 3 to 200 characters on one line.'
        when amount is null or amount <= 0 then 'The amount is a positive number of minor units.'
        when spent_on is null or spent_on > (pg_catalog.now() at time zone 'UTC')::date + 1
            -- a bill paid before the campaign began, then repaid by the payout, is common
            or spent_on < (
                select (c.created_at at time zone 'UTC')::date - 366 from public.campaigns as c where c.id = p.campaign_id
            )
            then 'The date the money was spent: not in the future, nor over a year before the campaign began.'
        when supplier is null or pg_catalog.char_length(supplier) not between 2 and 120 or supplier ~ '[[:cntrl:]]'
            then 'The supplier has 2 to 120 characters on one line.'
        when receipt_ref is null or receipt_ref not like folder || '_%' or receipt_ref like folder || 'public/%'
            or pg_catalog.char_length(receipt_ref) > 255 or receipt_ref ~ '[[:cntrl:][:space:]]'
            or receipt_ref like '%..%'
            then pg_catalog.format('The receipt is a private file under %s.', folder)
        when public_image_ref is not null and (
            public_image_ref not like folder || 'public/_%' or pg_catalog.char_length(public_image_ref) > 255
            or public_image_ref ~ '[[:cntrl:][:space:]]' or public_image_ref like '%..%'
        ) then pg_catalog.format('The public image is a file under %spublic/.', folder)
    end;
    if problem is not null then
        raise exception using errcode = 'PT422', message = 'invalid_justification_line', detail = problem;
    end if;
    if other_lines + amount > p.amount then
        raise exception using
            errcode = 'PT409', message = 'justification_exceeds_payout',
            detail = pg_catalog.format(
                'The lines of this payout would add up to %s; it paid %s (minor units of %s).',
                other_lines + amount, p.amount, p.currency
            );
    end if;
end;
$$;

-- What the lines of a payout add up to, but one.
create function private.justified_besides(payout_id uuid, line_id uuid default null)
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(pg_catalog.sum(l.amount), 0)::bigint
    from public.justification_lines as l
    where
        l.payout_id = justified_besides.payout_id and l.id is distinct from justified_besides.line_id
        and l.status <> 'removed'  -- a line staff took down leaves room for a proper one
$$;

create function public.add_justification_line(
    payout_id uuid,
    description text,
    amount bigint,
    spent_on date,
    supplier text,
    receipt_ref text,
    public_image_ref text default null
)
returns public.justification_lines
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests := private.justifiable_payout(payout_id);
    what text := pg_catalog.btrim(description);
    who text := pg_catalog.btrim(supplier);
    l public.justification_lines;
begin
    perform private.check_justification_line(
        p, what, amount, spent_on, who, receipt_ref, public_image_ref, private.justified_besides(p.id)
    );
    insert into public.justification_lines (
        payout_id, campaign_id, description, amount, currency, spent_on, supplier, public_image_ref
    ) values (
        p.id, p.campaign_id, what, amount, p.currency, spent_on, who, public_image_ref
    )
    returning * into l;
    insert into public.justification_receipts (line_id, campaign_id, file_ref)
    values (l.id, l.campaign_id, receipt_ref);
    perform private.audit(
        'add_justification_line', 'justification_line', l.id::text,
        pg_catalog.jsonb_build_object('payout', p.id, 'amount', l.amount)
    );
    return l;
end;
$$;

comment on function public.add_justification_line(uuid, text, bigint, date, text, text, text) is
'The team adds a draft line to a paid payout, with its private receipt (and an optional redacted public image).';

-- Edits a draft: every field as given; the receipt kept when receipt_ref is null.
create function public.edit_justification_line(
    line_id uuid,
    description text,
    amount bigint,
    spent_on date,
    supplier text,
    receipt_ref text default null,
    public_image_ref text default null
)
returns public.justification_lines
language plpgsql
security definer
set search_path = ''
as $$
declare
    l public.justification_lines := private.draft_line(line_id);
    p public.payout_requests;
    what text := pg_catalog.btrim(description);
    who text := pg_catalog.btrim(supplier);
    receipt text := coalesce(
        receipt_ref, (select r.file_ref from public.justification_receipts as r where r.line_id = l.id)
    );
begin
    select * into p from public.payout_requests as x where x.id = l.payout_id;
    perform private.check_justification_line(
        p, what, amount, spent_on, who, receipt, public_image_ref, private.justified_besides(p.id, l.id)
    );
    update public.justification_lines as x
    set description = what, amount = edit_justification_line.amount, spent_on = edit_justification_line.spent_on,
        supplier = who, public_image_ref = edit_justification_line.public_image_ref, updated_at = pg_catalog.now()
    where x.id = l.id
    returning * into l;
    update public.justification_receipts as r set file_ref = receipt where r.line_id = l.id;
    perform private.audit(
        'edit_justification_line', 'justification_line', l.id::text, pg_catalog.jsonb_build_object('amount', l.amount)
    );
    return l;
end;
$$;

comment on function public.edit_justification_line(uuid, text, bigint, date, text, text, text) is
'The team edits a draft line (published lines are frozen); a null receipt_ref keeps the receipt.';

create function public.delete_justification_line(line_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    l public.justification_lines := private.draft_line(line_id);
begin
    delete from public.justification_lines as x where x.id = l.id;
    perform private.audit(
        'delete_justification_line', 'justification_line', l.id::text,
        pg_catalog.jsonb_build_object('payout', l.payout_id, 'amount', l.amount)
    );
end;
$$;

comment on function public.delete_justification_line(uuid) is
'The team deletes a draft line (published lines are frozen).';

-- Publishes the payout's drafts: public and frozen; the donors are told.
create function public.publish_justification(payout_id uuid)
returns public.payout_justification
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests := private.justifiable_payout(payout_id);
    c public.campaigns;
    lines integer;
    total bigint;
    result public.payout_justification;
begin
    -- the lines never exceed the payout (checked as each is written, under this lock)
    with published as (
        update public.justification_lines as x
        set status = 'published', published_at = pg_catalog.now(), published_by = auth.uid(),
            updated_at = pg_catalog.now()
        where x.payout_id = p.id and x.status = 'draft'
        returning x.amount
    )
    select pg_catalog.count(*), pg_catalog.sum(u.amount) into lines, total from published as u;
    if lines = 0 then
        raise exception using
            errcode = 'PT409', message = 'nothing_to_publish', detail = 'This payout has no draft line to publish.';
    end if;
    select * into c from public.campaigns as x where x.id = p.campaign_id;
    perform private.audit(
        'publish_justification', 'payout', p.id::text,
        pg_catalog.jsonb_build_object('lines', lines, 'amount', total)
    );
    perform private.notify(
        private.campaign_donors(c.id), 'justification_published', c.id,
        private.campaign_payload(c) || pg_catalog.jsonb_build_object(
            'payout_id', p.id, 'amount', total, 'lines', lines, 'paid_out', p.amount
        ),
        -- one notice a day per payout, however many times its team publishes
        'justification:' || p.id || ':' || pg_catalog.to_char(pg_catalog.now() at time zone 'UTC', 'YYYY-MM-DD')
    );
    select * into result from private.payout_justification_rows(c.id) as j where j.payout_id = p.id;
    return result;
end;
$$;

comment on function public.publish_justification(uuid) is
'The team publishes the draft lines of a paid payout: public and frozen from then on; the campaign''s donors are notified.';

-- Functions: staff ---------------------------------------------------------------

-- Takes a published line down: staff (never on the campaign's team), with a
-- reason; the line stops justifying its payout and its public image is dropped.
create function public.remove_justification_line(line_id uuid, reason text)
returns public.justification_lines
language plpgsql
security definer
set search_path = ''
as $$
declare
    l public.justification_lines;
    why text;
begin
    if not private.is_staff() then
        raise exception using
            errcode = 'PT403', message = 'staff_only', detail = 'Only moderators and admins take a line down.';
    end if;
    select * into l from public.justification_lines as x where x.id = remove_justification_line.line_id for update;
    if not found then
        raise exception using
            errcode = 'PT404', message = 'justification_line_not_found', detail = 'No such justification line.';
    end if;
    perform private.assert_independent_staff(l.campaign_id);
    if l.status <> 'published' then
        raise exception using
            errcode = 'PT409', message = 'justification_line_not_published',
            detail = pg_catalog.format('Only a published line is taken down; this one is %s.', l.status);
    end if;
    why := private.decision_reason(reason, 500);
    update public.justification_lines as x
    set
        status = 'removed', removed_by = auth.uid(), removed_at = pg_catalog.now(), removed_reason = why,
        public_image_ref = null, updated_at = pg_catalog.now()
    where x.id = l.id
    returning * into l;
    perform private.audit(
        'remove_justification_line', 'justification_line', l.id::text,
        pg_catalog.jsonb_build_object('payout_id', l.payout_id, 'amount', l.amount, 'reason', why)
    );
    return l;
end;
$$;

comment on function public.remove_justification_line(uuid, text) is
'Staff take a published justification line down, with a reason: no longer public, no longer counted as justified.';

-- Clears a paid payout's justification for good (it is no longer overdue):
-- staff, never on the campaign's team nor its requester or treasurers, with a note.
create function public.clear_justification(payout_id uuid, note text)
returns public.payout_justification
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests;
    why text;
    result public.payout_justification;
begin
    if not private.is_staff() then
        raise exception using
            errcode = 'PT403', message = 'staff_only', detail = 'Only moderators and admins clear justifications.';
    end if;
    select * into p from public.payout_requests as x where x.id = clear_justification.payout_id for update;
    if not found then
        raise exception using errcode = 'PT404', message = 'payout_not_found', detail = 'No such payout request.';
    end if;
    perform private.assert_independent_staff(p.campaign_id, p.requested_by || p.approvers);
    if p.status <> 'paid' then
        raise exception using
            errcode = 'PT409', message = 'payout_not_paid',
            detail = pg_catalog.format('Only a paid payout is justified; this one is %s.', p.status);
    end if;
    why := private.decision_reason(note, 500);
    insert into private.justification_clearances (payout_id, cleared_by, note)
    values (p.id, auth.uid(), why)
    on conflict on constraint justification_clearances_pkey do nothing;
    if not found then
        raise exception using
            errcode = 'PT409', message = 'justification_already_cleared', detail = 'Staff already cleared this payout.';
    end if;
    perform private.audit('clear_justification', 'payout', p.id::text, pg_catalog.jsonb_build_object('note', why));
    select * into result from private.payout_justification_rows(p.campaign_id) as j where j.payout_id = p.id;
    return result;
end;
$$;

comment on function public.clear_justification(uuid, text) is
'Staff clear a paid payout''s justification (with a note, audited, four eyes): it is no longer overdue and blocks nothing.';

-- Whether `actor` may upload a receipt (or its public image) for the campaign:
-- the service asks before signing the upload; raises the reason otherwise.
create function private.authorize_justification_upload(actor uuid, campaign_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    if private.is_banned(actor) then
        raise exception using
            errcode = 'PT403', message = 'account_banned',
            detail = 'This account is suspended: it can read public data but not write.';
    end if;
    c := private.visible_campaign(campaign_id, false, actor);
    if c.id not in (select private.team_campaign_ids(actor)) then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner',
            detail = 'Only the campaign''s team justifies its payouts.';
    end if;
end;
$$;

grant execute on function private.authorize_justification_upload(uuid, uuid) to service_role;
-- Scheduled (hourly): the team of each campaign hears once that a paid payout's
-- justification is overdue (the audit log keeps that it was told). Returns how
-- many payouts it told of.
create function private.tell_overdue_justifications()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
    r record;
    told integer := 0;
begin
    for r in
        select c as campaign, j.*
        from public.campaigns as c
        cross join lateral private.payout_justification_rows(c.id) as j
        where
            c.id in (select p.campaign_id from public.payout_requests as p where p.status = 'paid')
            and j.overdue
            and not exists (
                select 1 from private.audit_log as a
                where a.target_type = 'payout' and a.target_id = j.payout_id::text
                    and a.action = 'tell_justification_overdue'
            )
        order by j.due_at
    loop
        perform private.notify(
            array[(r.campaign).owner_id] || array(
                select m.user_id from public.campaign_members as m where m.campaign_id = (r.campaign).id
            ),
            'justification_overdue', (r.campaign).id,
            private.campaign_payload(r.campaign) || pg_catalog.jsonb_build_object(
                'payout_id', r.payout_id, 'amount', r.amount, 'justified', r.justified, 'due_at', r.due_at
            ),
            'justification_overdue:' || r.payout_id
        );
        perform private.audit('tell_justification_overdue', 'payout', r.payout_id::text);
        told := told + 1;
    end loop;
    return told;
end;
$$;

grant execute on function private.tell_overdue_justifications() to service_role;

grant execute on function public.campaign_spending(uuid) to anon, authenticated;
grant execute on function public.payout_justifications(uuid) to anon, authenticated;
grant execute on function public.justification_overdue(public.campaigns) to anon, authenticated;
grant execute on function public.add_justification_line(uuid, text, bigint, date, text, text, text) to authenticated;
grant execute on function public.edit_justification_line(uuid, text, bigint, date, text, text, text) to authenticated;
grant execute on function public.delete_justification_line(uuid) to authenticated;
grant execute on function public.publish_justification(uuid) to authenticated;
grant execute on function public.clear_justification(uuid, text) to authenticated;
grant execute on function public.remove_justification_line(uuid, text) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger justification_lines_refuse_banned_writes
before insert or update or delete on public.justification_lines
for each statement execute function private.refuse_banned_writes();

create trigger justification_receipts_refuse_banned_writes
before insert or update or delete on public.justification_receipts
for each statement execute function private.refuse_banned_writes();

-- The notification kind --------------------------------------------------------------

select private.define_notification_kind(
    'justification_published',
    'To the donors, when the campaign''s team publishes what a payout paid for.',
    '{
        "payout_id": {"type": "string", "format": "uuid", "description": "The payout justified (public.payout_requests)."},
        "amount": {"type": "integer", "description": "What this publication justifies, in minor units of currency."},
        "lines": {"type": "integer", "description": "How many lines it publishes."},
        "paid_out": {"type": "integer", "description": "The payout''s amount, in minor units of currency."}
    }'
);

select private.define_notification_kind(
    'justification_overdue',
    'To the campaign''s team, once, when a paid payout is past its justification deadline (scheduled job tell-overdue-justifications).',
    '{
        "payout_id": {"type": "string", "format": "uuid", "description": "The payout left unjustified (public.payout_requests)."},
        "amount": {"type": "integer", "description": "The payout''s amount, in minor units of currency."},
        "justified": {"type": "integer", "description": "What its published lines justify, in minor units of currency."},
        "due_at": {"type": "string", "format": "date-time", "description": "When its justification was due."}
    }'
);

-- Email templates ------------------------------------------------------------------

insert into private.email_templates (key, locale, subject, body) values
(
    'justification_published', 'fr', '« {{campaign_title}} » : voici à quoi a servi votre don',
    E'Bonjour {{recipient_name}},\n\nL''équipe de la cagnotte « {{campaign_title}} » publie ses justificatifs : {{amount}} de dépenses, avec leurs fournisseurs et leurs dates.\nRetrouvez le détail sur la page de la cagnotte.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'justification_published', 'en', '"{{campaign_title}}": here is where your gift went',
    E'Hello {{recipient_name}},\n\nThe team of the fundraiser "{{campaign_title}}" publishes its receipts: {{amount}} of spending, with suppliers and dates.\nSee the details on the fundraiser''s page.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'justification_overdue', 'fr', 'Justifiez le versement de « {{campaign_title}} »',
    E'Bonjour {{recipient_name}},\n\nLe versement de {{amount}} reçu pour la cagnotte « {{campaign_title}} » n''est pas encore entièrement justifié et le délai est passé.\nLa cagnotte est signalée comme en retard auprès du public et aucun nouveau versement n''est possible tant que vous n''avez pas publié vos justificatifs (ou que notre équipe ne les a pas vérifiés).\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'justification_overdue', 'en', 'Justify the payout of "{{campaign_title}}"',
    E'Hello {{recipient_name}},\n\nThe payout of {{amount}} received for the fundraiser "{{campaign_title}}" is not fully justified yet and its deadline has passed.\nThe fundraiser is shown as overdue to the public and no new payout is possible until you publish your receipts (or our team checks them).\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
);

-- Payouts paid before teams could justify them: cleared, so that no campaign is
-- marked, nor its next payout blocked, for a rule that did not exist then.
insert into private.justification_clearances (payout_id, cleared_by, note)
select
    p.id,
    null::uuid as cleared_by,
    'Paid before justifications existed.' as note
from public.payout_requests as p
where p.status = 'paid';

-- Schedule: the team told of an overdue justification --------------------------------

select private.schedule_job(
    'tell-overdue-justifications', '27 * * * *', 'select private.tell_overdue_justifications()'
);
