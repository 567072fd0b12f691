-- Profiles: the public face of every account, one row per auth user, created
-- when GoTrue inserts the user and deleted with it. Everything here is public
-- (no email, no phone). A user edits only their own presentation fields
-- (display_name, avatar_url, bio, country, locale: fr by default, or en), admins
-- any profile (moderation); nobody inserts or deletes one through the API.

-- Types ------------------------------------------------------------------------

-- ISO 3166-1 alpha-2, officially assigned codes, upper case.
create domain public.country_code as text
check (
    value in (
        'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT',
        'AU', 'AW', 'AX', 'AZ', 'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI',
        'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS', 'BT', 'BV', 'BW', 'BY',
        'BZ', 'CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN',
        'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ', 'DE', 'DJ', 'DK', 'DM',
        'DO', 'DZ', 'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET', 'FI', 'FJ', 'FK',
        'FM', 'FO', 'FR', 'GA', 'GB', 'GD', 'GE', 'GF', 'GG', 'GH', 'GI', 'GL',
        'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY', 'HK', 'HM',
        'HN', 'HR', 'HT', 'HU', 'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR',
        'IS', 'IT', 'JE', 'JM', 'JO', 'JP', 'KE', 'KG', 'KH', 'KI', 'KM', 'KN',
        'KP', 'KR', 'KW', 'KY', 'KZ', 'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS',
        'LT', 'LU', 'LV', 'LY', 'MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK',
        'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW',
        'MX', 'MY', 'MZ', 'NA', 'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP',
        'NR', 'NU', 'NZ', 'OM', 'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM',
        'PN', 'PR', 'PS', 'PT', 'PW', 'PY', 'QA', 'RE', 'RO', 'RS', 'RU', 'RW',
        'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM',
        'SN', 'SO', 'SR', 'SS', 'ST', 'SV', 'SX', 'SY', 'SZ', 'TC', 'TD', 'TF',
        'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW',
        'TZ', 'UA', 'UG', 'UM', 'US', 'UY', 'UZ', 'VA', 'VC', 'VE', 'VG', 'VI',
        'VN', 'VU', 'WF', 'WS', 'YE', 'YT', 'ZA', 'ZM', 'ZW'
    )
);

create type public.locale as enum ('fr', 'en');

-- Tables -----------------------------------------------------------------------

create table public.profiles (
    id uuid primary key references auth.users (id) on delete cascade,
    display_name text check (
        display_name = pg_catalog.btrim(display_name)
        and pg_catalog.char_length(display_name) between 1 and 80
        and private.is_single_line(display_name)
    ),
    avatar_url text check (
        avatar_url ~ '^https://[^[:space:]]+$'
        and pg_catalog.char_length(avatar_url) <= 2048
    ),
    bio text check (pg_catalog.char_length(bio) <= 1000),
    country public.country_code,
    locale public.locale not null default 'fr',
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now()
);

comment on table public.profiles is
'Public profile of each auth user. Created by trigger on auth.users; never inserted or deleted through the API.';

-- Grants -----------------------------------------------------------------------

revoke all on table public.profiles from anon, authenticated;
grant select on table public.profiles to anon, authenticated;
grant update (display_name, avatar_url, bio, country, locale)
on table public.profiles to authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.profiles enable row level security;

create policy "anyone reads profiles"
on public.profiles for select to anon, authenticated
using (true);

create policy "users update their own profile and admins any profile"
on public.profiles for update to authenticated
using (id = (select auth.uid()) or (select private.is_admin()))
with check (id = (select auth.uid()) or (select private.is_admin()));


-- Functions --------------------------------------------------------------------

-- Creates the profile of a user GoTrue has just inserted. Sign-up metadata is
-- user input: it is cleaned, and what does not fit is dropped rather than
-- failing the sign-up.
create function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
    name text;
    avatar text := meta ->> 'avatar_url';
begin
    name := pg_catalog.btrim(private.to_single_line(coalesce(meta ->> 'full_name', meta ->> 'name', '')));
    name := pg_catalog.btrim(pg_catalog.left(name, 80));
    if avatar !~ '^https://[^[:space:]]+$' or pg_catalog.char_length(avatar) > 2048 then
        avatar := null;
    end if;

    insert into public.profiles (id, display_name, avatar_url, locale)
    values (
        new.id,
        nullif(name, ''),
        avatar,
        case when meta ->> 'locale' = 'en' then 'en'::public.locale else 'fr'::public.locale end
    );
    return new;
end;
$$;

-- Triggers ---------------------------------------------------------------------

create trigger on_auth_user_created
after insert on auth.users
for each row execute function private.handle_new_user();

create trigger profiles_refuse_banned_writes
before insert or update or delete on public.profiles
for each statement execute function private.refuse_banned_writes();

create trigger profiles_touch_updated_at
before update on public.profiles
for each row execute function private.touch_updated_at();
