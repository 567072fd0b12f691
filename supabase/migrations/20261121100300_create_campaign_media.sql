-- Campaign media: images and videos stored at Cloudinary, one row each. Rows
-- are inserted by the media flow (the webhooks service, on Cloudinary's
-- signed upload notification); owners reorder and remove them, and pick an
-- image as the campaign's cover.

-- Types ------------------------------------------------------------------------

create type public.media_type as enum ('image', 'video');

-- Tables -----------------------------------------------------------------------

create table public.campaign_media (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    -- Cloudinary public id (unique within our cloud), e.g. africagnotte/campaigns/<id>/abc123
    public_id text not null unique check (
        pg_catalog.char_length(public_id) between 1 and 255 and public_id !~ '[[:cntrl:][:space:]]'
    ),
    resource_type public.media_type not null,
    position integer not null default 0 check (position >= 0),
    width integer check (width > 0),
    height integer check (height > 0),
    duration numeric(8, 2) check (duration >= 0),
    bytes bigint check (bytes > 0),
    -- Hidden by moderation: only the owner and staff still see it.
    hidden boolean not null default false,
    created_at timestamptz not null default pg_catalog.now(),
    unique (campaign_id, public_id)
);

comment on table public.campaign_media is
'Cloudinary assets of a campaign. Inserted by the media flow only; owners reorder (reorder_campaign_media) and delete.';

create index campaign_media_campaign_position_idx on public.campaign_media (campaign_id, position);

-- The cover is one of the campaign's own media (an image: see the trigger).
-- Removing that media clears the cover.
alter table public.campaigns
add constraint campaigns_cover_fkey foreign key (id, cover)
references public.campaign_media (campaign_id, public_id) on delete set null (cover);

create index campaigns_id_cover_idx on public.campaigns (id, cover);

-- Grants -----------------------------------------------------------------------

revoke all on table public.campaign_media from anon, authenticated;
grant select on table public.campaign_media to anon, authenticated;
grant delete on table public.campaign_media to authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.campaign_media enable row level security;

create policy "anyone reads visible media of published campaigns"
on public.campaign_media for select to anon
using (not hidden and campaign_id in (select c.id from public.campaigns as c));

create policy "users read visible media of campaigns they see, owners and staff all"
on public.campaign_media for select to authenticated
using (
    (select private.is_staff())
    or (not hidden and campaign_id in (select c.id from public.campaigns as c))
    or campaign_id in (
        select c.id from public.campaigns as c
        where c.owner_id = (select auth.uid())
    )
);

create policy "owners remove media of their open campaigns and admins any"
on public.campaign_media for delete to authenticated
using (
    (select private.is_admin())
    or campaign_id in (
        select c.id from public.campaigns as c
        where c.owner_id = (select auth.uid()) and c.status not in ('expired', 'cancelled')
    )
);

-- Functions ----------------------------------------------------------------------

-- The cover must be a visible image of the same campaign.
create function private.check_campaign_cover()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if new.cover is not null and not exists (
        select 1 from public.campaign_media as m
        where
            m.campaign_id = new.id and m.public_id = new.cover
            and m.resource_type = 'image' and not m.hidden
    ) then
        raise exception using
            errcode = 'PT422', message = 'cover_not_campaign_image',
            detail = 'The cover is one of this campaign''s own images.';
    end if;
    return new;
end;
$$;

-- Sets the order of a campaign's media: public_ids lists all of them, first to last.
create function public.reorder_campaign_media(campaign_id uuid, public_ids text[])
returns setof public.campaign_media
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
begin
    if c.owner_id is distinct from auth.uid() and not private.is_admin() then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner', detail = 'Only the owner orders the media.';
    end if;
    perform private.assert_campaign_open(c.status);
    if public_ids is null
        or pg_catalog.cardinality(public_ids) <> (
            select pg_catalog.count(distinct p.id) from pg_catalog.unnest(public_ids) as p (id)
        )
        or (select pg_catalog.array_agg(m.public_id order by m.public_id)
            from public.campaign_media as m where m.campaign_id = c.id)
        is distinct from (select pg_catalog.array_agg(p.id order by p.id) from pg_catalog.unnest(public_ids) as p (id))
    then
        raise exception using
            errcode = 'PT422', message = 'media_list_mismatch',
            detail = 'public_ids lists each media of the campaign exactly once.';
    end if;
    update public.campaign_media as m
    set position = p.ord - 1
    from pg_catalog.unnest(public_ids) with ordinality as p (id, ord)
    where m.campaign_id = c.id and m.public_id = p.id;
    return query
    select m.* from public.campaign_media as m
    where m.campaign_id = c.id
    order by m.position;
end;
$$;

grant execute on function public.reorder_campaign_media(uuid, text[]) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger campaign_media_refuse_banned_writes
before insert or update or delete on public.campaign_media
for each statement execute function private.refuse_banned_writes();

create trigger campaigns_check_cover
before insert or update of cover on public.campaigns
for each row execute function private.check_campaign_cover();
