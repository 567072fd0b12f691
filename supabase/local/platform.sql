-- AfriCagnotte local platform
--
-- What this file emulates: the pieces of a hosted Supabase database that our
-- migrations rely on and that a bare PostgreSQL 15 does not have:
--   * the API roles anon, authenticated, service_role, the login role
--     authenticator (PostgREST) and supabase_auth_admin (GoTrue, runs the
--     custom access token hook);
--   * the auth schema: auth.users (Supabase's column names, only the columns
--     we use) and auth.uid(), auth.role(), auth.email(), auth.jwt() reading the
--     JSON request.jwt.claims setting like Supabase's own functions;
--   * the extensions schema with the extensions we use;
--   * the supabase_realtime publication;
--   * the default privileges a hosted project gives the API roles in public
--     (tables, sequences and functions reachable without explicit grants),
--     so that our migrations are tested against the permissive cloud default;
--   * pgrst.db_schemas, so that Supabase's advisors scan the exposed schemas.
--
-- It is applied by the local stack (`make run`, `make test`) before the
-- migrations, and is idempotent. It is NEVER pushed to a hosted project: a
-- hosted project already has all of this (and more).

-- Roles -----------------------------------------------------------------------

do $roles$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
        create role anon nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
        create role authenticated nologin noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
        create role service_role nologin noinherit bypassrls;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
        create role authenticator login noinherit;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_auth_admin') then
        create role supabase_auth_admin login noinherit createrole;
    end if;
end
$roles$;

grant anon to authenticator;
grant authenticated to authenticator;
grant service_role to authenticator;

-- Extensions ------------------------------------------------------------------

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists unaccent with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

-- Auth schema -----------------------------------------------------------------

create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
    id uuid primary key,
    aud varchar(255),
    role varchar(255),
    email varchar(255),
    phone text unique default null,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    email_confirmed_at timestamptz,
    banned_until timestamptz,
    is_anonymous boolean not null default false,
    deleted_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz
);
alter table auth.users owner to supabase_auth_admin;
create unique index if not exists users_email_partial_key on auth.users (email);

create or replace function auth.uid() returns uuid
language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
to anon, authenticated, service_role;

-- Realtime --------------------------------------------------------------------

do $realtime$
begin
    if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
    end if;
end
$realtime$;

-- Cloud default privileges in public ------------------------------------------

grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public
grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public
grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public
grant all on functions to anon, authenticated, service_role;

-- PostgREST exposed schemas (read by `supabase db advisors`) ------------------

do $pgrst$
begin
    execute format(
        'alter database %I set pgrst.db_schemas = %L',
        current_database(), 'public,graphql_public'
    );
end
$pgrst$;
