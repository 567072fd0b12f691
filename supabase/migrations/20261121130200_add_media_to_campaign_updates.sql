-- Campaign updates carry an optional media: one of the campaign's own images
-- or videos (uploaded through the media flow), shown with the update.
-- Removing the media leaves the update without it.

-- Tables -----------------------------------------------------------------------

alter table public.campaign_updates add column media text;

alter table public.campaign_updates
add constraint campaign_updates_media_fkey foreign key (campaign_id, media)
references public.campaign_media (campaign_id, public_id) on delete set null (media);

create index campaign_updates_campaign_id_media_idx on public.campaign_updates (campaign_id, media);

-- Grants -----------------------------------------------------------------------

grant insert (media) on table public.campaign_updates to authenticated;
grant update (media) on table public.campaign_updates to authenticated;

-- Functions ------------------------------------------------------------------------

-- The update's media delivery URLs (null without one, or when moderation hid
-- it): `select=*,media_urls`.
create function public.media_urls(campaign_update public.campaign_updates)
returns public.delivery_urls
language sql
stable
set search_path = ''
as $$
    select public.delivery_urls(m)
    from public.campaign_media as m
    where m.campaign_id = campaign_update.campaign_id and m.public_id = campaign_update.media
$$;

grant execute on function public.media_urls(public.campaign_updates) to anon, authenticated;
