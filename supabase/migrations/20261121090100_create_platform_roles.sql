-- Platform roles and bans: who may moderate and administer the platform, and
-- who may not write at all. Roles live in a table that only admins (or the
-- service role) write; they are never read from user_metadata, which every
-- user can edit. Bans are GoTrue's own auth.users.banned_until. A ban also
-- freezes the banned user's published campaigns (hidden, no donations, no
-- payouts), whoever bans (the console or GoTrue's admin API): trigger
-- users_freeze_banned_owners_campaigns (20261130100100_create_campaign_freezes);
-- lifting the ban leaves them frozen until an admin unfreezes them.

-- Types ------------------------------------------------------------------------

-- Declared in increasing order of power: max(role) is a user's highest role.
create type public.app_role as enum ('moderator', 'admin');

-- Tables -----------------------------------------------------------------------

create table public.user_roles (
    user_id uuid not null references auth.users (id) on delete cascade,
    role public.app_role not null,
    granted_by uuid default auth.uid() references auth.users (id) on delete set null,
    granted_at timestamptz not null default pg_catalog.now(),
    primary key (user_id, role)
);

comment on table public.user_roles is
'Platform roles (moderator, admin). Written by admins and the service role only.';

create index user_roles_granted_by_idx on public.user_roles (granted_by);

-- Helpers (used by RLS policies everywhere) --------------------------------------
-- Each fact comes in two forms: about the caller (no argument: auth.uid()),
-- which RLS policies call as anon or authenticated; and about any account (a
-- user id), which only the service role and definer functions may call, so
-- that no API role can ask whether someone else is an admin, staff or banned.

-- True when the account is banned (banned_until in the future) or
-- soft-deleted. Reads auth.users live, so a ban takes effect at once, even
-- for a token issued before it.
create function private.is_banned(user_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select exists (
        select 1
        from auth.users as u
        where
            u.id = is_banned.user_id
            and (u.banned_until > pg_catalog.now() or u.deleted_at is not null)
    )
$$;

create function private.is_banned()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select private.is_banned(auth.uid())
$$;

-- True when the user holds the role (or a stronger one) and is not banned.
create function private.has_role(required public.app_role, user_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select exists (
        select 1
        from public.user_roles as ur
        where
            ur.user_id = has_role.user_id
            and ur.role >= required
    )
    and not private.is_banned(has_role.user_id)
$$;

create function private.has_role(required public.app_role)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select private.has_role(required, auth.uid())
$$;

create function private.is_admin(user_id uuid)
returns boolean
language sql
stable
set search_path = ''
as $$
    select private.has_role('admin', user_id)
$$;

create function private.is_admin()
returns boolean
language sql
stable
set search_path = ''
as $$
    select private.has_role('admin')
$$;

-- Admins and moderators: the people who review campaigns and content.
create function private.is_staff(user_id uuid)
returns boolean
language sql
stable
set search_path = ''
as $$
    select private.has_role('moderator', user_id)
$$;

create function private.is_staff()
returns boolean
language sql
stable
set search_path = ''
as $$
    select private.has_role('moderator')
$$;

-- Bans: a statement-level trigger on every table the API can write refuses
-- any write made while the request's JWT belongs to a banned account, whatever
-- path it takes (table, view or RPC), with a stable error: SQLSTATE PT403
-- (PostgREST answers HTTP 403) and the message token account_banned.
create function private.refuse_banned_writes()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if auth.uid() is not null and private.is_banned() then
        raise exception using
            errcode = 'PT403',
            message = 'account_banned',
            detail = 'This account is suspended: it can read public data but not write.';
    end if;
    return null;
end;
$$;

grant execute on function private.is_banned(), private.has_role(public.app_role), private.is_admin(),
private.is_staff() to anon, authenticated, service_role;
grant execute on function private.is_banned(uuid), private.has_role(public.app_role, uuid), private.is_admin(uuid),
private.is_staff(uuid) to service_role;

-- Grants -----------------------------------------------------------------------

revoke all on table public.user_roles from anon, authenticated;
grant select, delete on table public.user_roles to authenticated;
grant insert (user_id, role) on table public.user_roles to authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.user_roles enable row level security;

create policy "users read their own roles and admins read all"
on public.user_roles for select to authenticated
using (user_id = (select auth.uid()) or (select private.is_admin()));

create policy "admins grant roles"
on public.user_roles for insert to authenticated
with check ((select private.is_admin()));

create policy "admins revoke roles"
on public.user_roles for delete to authenticated
using ((select private.is_admin()));

-- Triggers ---------------------------------------------------------------------

create trigger user_roles_refuse_banned_writes
before insert or update or delete on public.user_roles
for each statement execute function private.refuse_banned_writes();

-- Custom access token hook ----------------------------------------------------
-- Registered in config.toml ([auth.hook.custom_access_token]). GoTrue calls it
-- as supabase_auth_admin before minting each access token; it adds the claim
-- user_role: 'admin', 'moderator' or null. The claim is for the frontend's
-- display only: the database always checks user_roles itself.

create function private.custom_access_token_hook(event jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    highest public.app_role;
begin
    select max(ur.role) into highest
    from public.user_roles as ur
    where ur.user_id = (event ->> 'user_id')::uuid;

    return pg_catalog.jsonb_set(
        event,
        '{claims,user_role}',
        coalesce(pg_catalog.to_jsonb(highest), 'null'::jsonb)
    );
end;
$$;

grant usage on schema private to supabase_auth_admin;
grant execute on function private.custom_access_token_hook(jsonb) to supabase_auth_admin;
grant select on table public.user_roles to supabase_auth_admin;

create policy "the auth server reads roles to mint tokens"
on public.user_roles for select to supabase_auth_admin
using (true);
