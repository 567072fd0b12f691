-- Edits after approval: the team may still rewrite a published campaign's title,
-- summary, story and cover (typos, news), and the edit shows at once, but the
-- campaign enters the moderators' re-review queue with the last approved text
-- kept beside it. A moderator (never one of the campaign's team, nor one who
-- edited that text) accepts the edit, or restores the approved text with a
-- reason the owner is told.
-- Money rules (currency, category, goal direction) never change after
-- publication: private.prepare_campaign refuses those edits outright.
--
-- One pending review per campaign: later edits join it, and the approved text
-- it keeps is the one before the first of them. Staff read every review, the
-- team its campaign's; `cagnotte-admin campaigns review-queue` lists them.

-- Types ------------------------------------------------------------------------

create type public.edit_review_status as enum ('pending', 'accepted', 'restored');

-- Tables -----------------------------------------------------------------------

create table public.campaign_edit_reviews (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    -- the last approved public text (the campaign's row holds the edited one)
    approved_title text not null,
    approved_summary text,
    approved_story text,
    approved_cover text,
    status public.edit_review_status not null default 'pending',
    edited_by uuid references public.profiles (id) on delete set null,
    -- everyone who edited the text under review: none of them decides it (four eyes)
    editors uuid[] not null default '{}',
    first_edited_at timestamptz not null default pg_catalog.now(),
    last_edited_at timestamptz not null default pg_catalog.now(),
    decided_by uuid references public.profiles (id) on delete set null,
    decided_at timestamptz,
    reason text check (pg_catalog.char_length(reason) <= 1000),
    check ((status = 'pending') = (decided_at is null))
);

comment on table public.campaign_edit_reviews is
'Re-review of a published campaign''s edited text: the approved version kept until a moderator accepts the edit or restores it.';

create unique index campaign_edit_reviews_one_pending on public.campaign_edit_reviews (campaign_id)
where status = 'pending';
create index campaign_edit_reviews_queue_idx on public.campaign_edit_reviews (first_edited_at)
where status = 'pending';
create index campaign_edit_reviews_campaign_idx on public.campaign_edit_reviews (campaign_id, first_edited_at);
create index campaign_edit_reviews_edited_by_idx on public.campaign_edit_reviews (edited_by);
create index campaign_edit_reviews_decided_by_idx on public.campaign_edit_reviews (decided_by);

-- Grants and RLS ----------------------------------------------------------------

revoke all on table public.campaign_edit_reviews from anon, authenticated;
grant select on table public.campaign_edit_reviews to authenticated;

alter table public.campaign_edit_reviews enable row level security;

create policy "staff read every edit review and the team its campaign's"
on public.campaign_edit_reviews for select to authenticated
using ((select private.is_staff()) or campaign_id in (select private.team_campaign_ids()));

-- Functions ----------------------------------------------------------------------

-- After an edit of the public text (private.prepare_campaign stamped
-- content_edited_at): the review opens with the text before it, or the open one
-- notes the new edit.
create function private.queue_campaign_edit_review()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into public.campaign_edit_reviews as r (
        campaign_id, approved_title, approved_summary, approved_story, approved_cover, edited_by, editors
    )
    values (
        old.id, old.title, old.summary, old.story, old.cover, auth.uid(),
        pg_catalog.array_remove(array[auth.uid()], null)
    )
    on conflict (campaign_id) where status = 'pending' do update
    set
        last_edited_at = pg_catalog.now(), edited_by = excluded.edited_by,
        editors = case
            when excluded.edited_by = any(r.editors) then r.editors
            else r.editors || excluded.editors
        end;
    return null;
end;
$$;

-- A moderator's decision on the pending edit: accept it, or restore the approved
-- text (a reason required, the owner told).
create function public.review_campaign_edit(campaign_id uuid, accept boolean, reason text default null)
returns public.campaign_edit_reviews
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    r public.campaign_edit_reviews;
    why text := nullif(pg_catalog.btrim(reason), '');
begin
    if not private.is_staff() then
        raise exception using
            errcode = 'PT403', message = 'staff_only', detail = 'Only moderators and admins review edits.';
    end if;
    perform private.assert_independent_staff(c.id);
    select * into r from public.campaign_edit_reviews as x
    where x.campaign_id = c.id and x.status = 'pending'
    for update;
    if not found then
        raise exception using
            errcode = 'PT404', message = 'edit_review_not_found', detail = 'This campaign has no edit waiting for review.';
    end if;
    -- an admin who edited the text (the update policy lets admins edit any
    -- campaign) does not accept their own edit
    perform private.assert_independent_staff(c.id, r.editors);
    if not coalesce(accept, false) then
        why := private.decision_reason(why);
        update public.campaigns as x
        set
            title = r.approved_title,
            summary = r.approved_summary,
            story = r.approved_story,
            -- the approved cover, unless that image is gone
            cover = (
                select m.public_id from public.campaign_media as m
                where m.campaign_id = c.id and m.public_id = r.approved_cover and m.resource_type = 'image' and not m.hidden
            )
        where x.id = c.id
        returning * into c;
    elsif pg_catalog.char_length(why) > 1000 then
        raise exception using errcode = 'PT422', message = 'reason_too_long', detail = 'At most 1000 characters.';
    end if;
    update public.campaign_edit_reviews as x
    set
        status = case when accept then 'accepted' else 'restored' end::public.edit_review_status,
        decided_by = auth.uid(), decided_at = pg_catalog.now(), reason = why
    where x.id = r.id
    returning * into r;
    perform private.audit(
        'review_campaign_edit', 'campaign', c.id::text,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('decision', r.status, 'reason', why))
    );
    if r.status = 'restored' then
        perform private.notify_campaign_decision(c, 'campaign_edit_restored', why);
    end if;
    return r;
end;
$$;

grant execute on function public.review_campaign_edit(uuid, boolean, text) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger campaigns_queue_edit_review
after update on public.campaigns
for each row when (old.content_edited_at is distinct from new.content_edited_at)
execute function private.queue_campaign_edit_review();

-- Email templates -------------------------------------------------------------------

insert into private.email_templates (key, locale, subject, body) values
(
    'campaign_edit_restored', 'fr', 'Votre modification de « {{campaign_title}} » est annulée',
    E'Bonjour {{recipient_name}},\n\nNotre équipe a relu votre modification de la cagnotte et rétabli le texte approuvé.\nMotif : {{reason}}\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_edit_restored', 'en', 'Your edit of "{{campaign_title}}" was undone',
    E'Hello {{recipient_name}},\n\nOur team reviewed your edit of the fundraiser and restored the approved text.\nReason: {{reason}}\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
);
