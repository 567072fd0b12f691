-- The media flow: browsers upload straight to Cloudinary with parameters the
-- webhooks service signed; Cloudinary's signed notifications register (or
-- remove, or hide) the asset here. Limits, per campaign and per asset, each
-- written once below and read by everything that applies them (the service
-- signs uploads with what private.authorize_media_upload returns):
--   * at most 20 media per campaign (private.max_media_per_campaign);
--   * images up to 10 MB; videos up to 100 MB and 3 minutes; payout documents
--     up to 10 MB (private.media_limits).
-- Folders: africagnotte/campaigns/<campaign id>/ and africagnotte/avatars/<user id>/.

-- Settings ----------------------------------------------------------------------

-- Delivery URLs are built in SQL: the (public) Cloudinary cloud name.
alter table public.platform_settings
add column media_cloud_name text not null default 'africagnotte'
check (media_cloud_name ~ '^[a-z0-9_-]{1,64}$');

grant update (media_cloud_name) on table public.platform_settings to authenticated;

-- Limits ------------------------------------------------------------------------------

create table private.media_limits (
    kind text primary key check (kind in ('image', 'video', 'document')),
    max_bytes bigint not null check (max_bytes > 0),
    -- videos only: their longest duration
    max_seconds integer check (max_seconds > 0),
    check (max_seconds is null or kind = 'video')
);

comment on table private.media_limits is
'The one home of the upload limits per kind of media (image, video, payout document): the service signs uploads with them (private.authorize_media_upload, private.media_limits) and private.register_media refuses a notified asset over them.';

insert into private.media_limits (kind, max_bytes, max_seconds) values
('image', 10000000, null),
('video', 100000000, 180),
('document', 10000000, null);

-- Functions: limits ------------------------------------------------------------------

-- A kind's limits as the service hands them to the browser: {max_bytes, max_seconds?}.
create function private.media_limits(kind text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
    select pg_catalog.jsonb_strip_nulls(
        pg_catalog.jsonb_build_object('max_bytes', l.max_bytes, 'max_seconds', l.max_seconds)
    )
    from private.media_limits as l
    where l.kind = media_limits.kind
$$;

comment on function private.media_limits(text) is
'The upload limits of a kind of media (private.media_limits), as signed uploads carry them: {max_bytes, max_seconds (videos)}; null for an unknown kind.';

-- The most media a campaign holds.
create function private.max_media_per_campaign()
returns integer
language sql
immutable
set search_path = ''
as $$
    select 20
$$;

comment on function private.max_media_per_campaign() is
'At most this many media per campaign: checked before signing an upload and again when Cloudinary notifies it.';

-- Whether `actor` may upload a media of this type to the campaign now (no
-- campaign: their avatar); raises the reason otherwise, and returns the limits
-- the upload is signed with (private.media_limits). The service asks before
-- signing an upload: the same rules as for the caller's own requests (bans,
-- visibility, roles), applied to the signed-in user it verified.
create function private.authorize_media_upload(actor uuid, campaign_id uuid, resource_type public.media_type)
returns jsonb
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
    if campaign_id is null then
        return private.media_limits(resource_type::text);
    end if;
    c := private.visible_campaign(campaign_id, false, actor);
    if c.owner_id is distinct from actor and not private.is_admin(actor) then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner', detail = 'Only the owner adds media.';
    end if;
    perform private.assert_campaign_open(c.status);
    if (select pg_catalog.count(*) from public.campaign_media as m where m.campaign_id = c.id)
        >= private.max_media_per_campaign() then
        raise exception using
            errcode = 'PT409', message = 'media_limit_reached',
            detail = format('A campaign has at most %s media.', private.max_media_per_campaign());
    end if;
    return private.media_limits(resource_type::text);
end;
$$;

-- Functions: Cloudinary's notifications ----------------------------------------------------

-- An uploaded asset: registered for its campaign (or as its user's avatar), once.
-- Returns registered, duplicate, or refused: <why> (outside our folders, a
-- closed campaign, over the limits).
create function private.register_media(
    public_id text,
    resource_type public.media_type,
    bytes bigint,
    width integer default null,
    height integer default null,
    duration numeric default null,
    campaign_hint uuid default null
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
    parts text[] := pg_catalog.regexp_match(
        public_id, '^africagnotte/(campaigns|avatars)/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/[A-Za-z0-9_-]+$'
    );
    owner_id uuid;
    c public.campaigns;
    cloud text := (select s.media_cloud_name from public.platform_settings as s);
    limits private.media_limits;
begin
    if parts is null then
        return 'refused: outside the project''s folders';
    end if;
    select * into limits from private.media_limits as l where l.kind = resource_type::text;
    if bytes is null or bytes <= 0 or bytes > limits.max_bytes then
        return 'refused: too large';
    end if;
    if coalesce(duration, 0) > limits.max_seconds then
        return 'refused: longer than ' || case
            when limits.max_seconds % 60 = 0 then format('%s minutes', limits.max_seconds / 60)
            else format('%s seconds', limits.max_seconds)
        end;
    end if;

    if parts[1] = 'avatars' then
        owner_id := parts[2]::uuid;
        if resource_type <> 'image' then
            return 'refused: an avatar is an image';
        end if;
        update public.profiles as p
        set avatar_url = format(
            'https://res.cloudinary.com/%s/image/upload/c_fill,g_face,w_256,h_256,f_auto,q_auto/%s', cloud, public_id
        )
        where p.id = owner_id;
        return case when found then 'registered' else 'refused: no such user' end;
    end if;

    if campaign_hint is not null and campaign_hint <> parts[2]::uuid then
        return 'refused: the folder and the campaign differ';
    end if;
    select * into c from public.campaigns as x where x.id = parts[2]::uuid for update;
    if not found then
        return 'refused: no such campaign';
    end if;
    if exists (select 1 from public.campaign_media as m where m.public_id = register_media.public_id) then
        return 'duplicate';
    end if;
    if c.status in ('expired', 'cancelled') then
        return 'refused: the campaign is closed';
    end if;
    if (select pg_catalog.count(*) from public.campaign_media as m where m.campaign_id = c.id)
        >= private.max_media_per_campaign() then
        return format('refused: the campaign has %s media', private.max_media_per_campaign());
    end if;
    insert into public.campaign_media (campaign_id, public_id, resource_type, position, width, height, duration, bytes)
    values (
        c.id, public_id, resource_type,
        coalesce((select pg_catalog.max(m.position) + 1 from public.campaign_media as m where m.campaign_id = c.id), 0),
        width, height, duration, bytes
    );
    return 'registered';
end;
$$;

-- A deleted asset: its row goes (and with it the cover, if it was one).
create function private.remove_media(public_id text)
returns text
language sql
security definer
set search_path = ''
as $$
    with gone as (
        delete from public.campaign_media as m where m.public_id = remove_media.public_id returning 1
    )
    select case when exists (select 1 from gone) then 'removed' else 'unknown' end
$$;

-- Moderation: a rejected asset is hidden (its owner and staff still see it).
create function private.hide_media(public_id text, hidden boolean)
returns text
language plpgsql
security definer
set search_path = ''
as $$
begin
    update public.campaign_media as m set hidden = hide_media.hidden where m.public_id = hide_media.public_id;
    if not found then
        return 'unknown';
    end if;
    if hidden then
        update public.campaigns as c set cover = null where c.cover = hide_media.public_id;
    end if;
    return 'applied';
end;
$$;

grant execute on function private.authorize_media_upload(uuid, uuid, public.media_type) to service_role;
grant execute on function private.media_limits(text) to service_role;
grant execute on function private.register_media(text, public.media_type, bigint, integer, integer, numeric, uuid)
to service_role;
grant execute on function private.remove_media(text) to service_role;
grant execute on function private.hide_media(text, boolean) to service_role;

-- Functions: delivery ------------------------------------------------------------------------

-- Ready URLs for slow and costly mobile data: f_auto (WebP/AVIF where the
-- browser takes them), q_auto (Cloudinary picks the lightest quality that looks
-- the same), c_limit to a few widths (never upscaled): 320 for lists on small
-- phones, 640 for the campaign page, 1280 for large screens; videos at 480 and
-- 720, and a poster image (the first frame) so that nothing plays until asked.
-- A computed field for PostgREST: `select=*,delivery_urls` (PostgREST selects a
-- field it does not know as "campaign_media"."delivery_urls", which PostgreSQL
-- resolves to this function: src/library/PostgREST/Plan.hs, resolveTypeOrUnknown;
-- the composite comes back as a JSON object). Images have small, medium and
-- large; videos small, medium and poster (the other one is null). A composite
-- type rather than jsonb, so that `supabase gen types` describes it.
create type public.delivery_urls as (small text, medium text, large text, poster text);

comment on type public.delivery_urls is
'Cloudinary delivery URLs of a campaign media (public.delivery_urls, cover_urls, media_urls): large for images, poster for videos.';

create function public.delivery_urls(media public.campaign_media)
returns public.delivery_urls
language sql
stable
set search_path = ''
as $$
    select case media.resource_type
        when 'image' then row(
            base || '/image/upload/f_auto,q_auto,c_limit,w_320/' || media.public_id,
            base || '/image/upload/f_auto,q_auto,c_limit,w_640/' || media.public_id,
            base || '/image/upload/f_auto,q_auto,c_limit,w_1280/' || media.public_id,
            null
        )::public.delivery_urls
        else row(
            base || '/video/upload/f_auto,q_auto,c_limit,w_480/' || media.public_id,
            base || '/video/upload/f_auto,q_auto,c_limit,w_720/' || media.public_id,
            null,
            base || '/video/upload/so_0,f_auto,q_auto,c_limit,w_640/' || media.public_id || '.jpg'
        )::public.delivery_urls
    end
    from (
        select 'https://res.cloudinary.com/' || s.media_cloud_name as base from public.platform_settings as s
    ) as settings
$$;

-- The campaign's cover, the same way (null without a cover).
create function public.cover_urls(campaign public.campaigns)
returns public.delivery_urls
language sql
stable
set search_path = ''
as $$
    select public.delivery_urls(m)
    from public.campaign_media as m
    where m.campaign_id = campaign.id and m.public_id = campaign.cover
$$;

grant execute on function public.delivery_urls(public.campaign_media) to anon, authenticated;
grant execute on function public.cover_urls(public.campaigns) to anon, authenticated;
