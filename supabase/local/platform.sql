-- AfriCagnotte local platform: a new hosted Supabase project, before its first migration
--
-- Applied as the cluster's superuser `supabase_admin` by the local stack (`make run`,
-- `make test`) to a database that then receives the migrations through the Supabase
-- CLI as `postgres`, exactly as `supabase db push` does on a hosted project. It holds
-- only what such a project has before its first migration, and nothing our
-- migrations could create themselves. It is idempotent, and NEVER pushed.
--
-- Line by line, what a hosted project has (sources: supabase/postgres
-- migrations/db/init-scripts/00000000000000-initial-schema.sql and
-- 00000000000001-auth-schema.sql, migrations/db/migrations/*; supabase/auth
-- migrations/*; the 2026-10-30 Data API default-privileges change):
--   1. `supabase_admin` is the only superuser (the cluster's bootstrap user: initdb).
--   2. `postgres`: LOGIN NOSUPERUSER CREATEDB CREATEROLE REPLICATION BYPASSRLS, member of
--      anon, authenticated and service_role; owns schema public; creates extensions.
--   3. `anon`, `authenticated`, `service_role`: NOLOGIN INHERIT; service_role BYPASSRLS;
--      anon statement_timeout 3s, authenticated 8s (PostgREST applies them per request).
--   4. `authenticator`: LOGIN NOINHERIT, member of the three API roles,
--      statement_timeout and lock_timeout 8s (PostgREST's login role).
--   5. `supabase_auth_admin`: LOGIN NOINHERIT NOCREATEROLE (20260821154147_revoke_
--      createrole_from_auth_admin.sql), search_path auth, CREATE on the database (GoTrue).
--   6. schema `extensions` with pg_stat_statements, pgcrypto and uuid-ossp (a hosted
--      project also has supabase_vault, in schema vault, which we neither use nor
--      have); postgres may create extensions there.
--   7. schema `auth`, owned by supabase_admin (postgres may use it, not create in it:
--      20250421084701_revoke_admin_roles_from_postgres.sql); `auth.users` and
--      `auth.identities` with GoTrue's columns (supabase/auth migrations/), owned by
--      supabase_auth_admin, RLS enabled (supabase/auth 20240612123726_enable_rls_
--      update_grants.up.sql); postgres may reference them and hang triggers on them;
--      auth.uid(), auth.role(), auth.email(), auth.jwt().
--   8. supautils' privileged extensions (ansible/files/postgresql_config/supautils.conf.j2):
--      postgres may create pg_cron (forced into pg_catalog); the local stack marks it
--      trusted, PostgreSQL's own equivalent (localstack.ensure_privileged_extensions).
--      Then supautils' pg_cron after-create script, here an event trigger, grants
--      postgres the cron schema (jobs are made through cron.schedule).
--   9. the `supabase_realtime` publication, empty.
--  10. default privileges in public: the image grants anon, authenticated and
--      service_role everything on postgres's new objects (initial-schema.sql), and since
--      2026-05-30 (every project since 2026-10-30) Studio revokes the Data API's part at
--      project creation (supabase/cli internal/db/start/start.go,
--      RevokeDefaultDataApiPrivilegesSql): no select/insert/update/delete on tables, no
--      usage/select on sequences, no execute on functions. Every privilege the API, the
--      service and the console need is granted by a migration.
--  11. PostgREST's exposed schemas as `pgrst.db_schemas`, which `supabase db advisors`
--      reads to know what the API serves.
-- The authenticator's password is set by the local stack after this file.

-- 1-5. Roles ----------------------------------------------------------------------

do $roles$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'postgres') then
        create role postgres login;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
        create role anon nologin;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
        create role authenticated nologin;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
        create role service_role nologin;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
        create role authenticator login;
    end if;
    if not exists (select from pg_catalog.pg_roles where rolname = 'supabase_auth_admin') then
        create role supabase_auth_admin login;
    end if;
end
$roles$;

alter role postgres login nosuperuser createdb createrole replication bypassrls;
alter role anon nologin inherit nobypassrls;
alter role authenticated nologin inherit nobypassrls;
alter role service_role nologin inherit bypassrls;
alter role authenticator login noinherit nobypassrls;
alter role supabase_auth_admin login noinherit nocreaterole nobypassrls;

alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role supabase_auth_admin set search_path = auth;
alter role postgres set search_path = "$user", public, extensions;

grant anon to authenticator;
grant authenticated to authenticator;
grant service_role to authenticator;
grant anon to postgres;
grant authenticated to postgres;
grant service_role to postgres;

-- The database and schema public belong to the project's postgres.
do $database$
begin
    execute format('grant all on database %I to postgres', current_database());
    execute format('grant create on database %I to supabase_auth_admin', current_database());
end
$database$;
alter schema public owner to postgres;
revoke create on schema public from public;
grant usage on schema public to postgres, anon, authenticated, service_role;

-- 6. Extensions -----------------------------------------------------------------

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
grant all on schema extensions to postgres with grant option;

create extension if not exists pg_stat_statements with schema extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

-- 7. Auth (GoTrue's tables, as its migrations leave them) --------------------------

create schema if not exists auth authorization supabase_admin;
grant usage on schema auth to anon, authenticated, service_role, postgres;
grant all on schema auth to supabase_auth_admin;

create table if not exists auth.users (
    instance_id uuid,
    id uuid primary key,
    aud varchar(255),
    role varchar(255),
    email varchar(255),
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    invited_at timestamptz,
    confirmation_token varchar(255),
    confirmation_sent_at timestamptz,
    recovery_token varchar(255),
    recovery_sent_at timestamptz,
    email_change_token_new varchar(255),
    email_change varchar(255),
    email_change_sent_at timestamptz,
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamptz,
    updated_at timestamptz,
    phone text unique default null,
    phone_confirmed_at timestamptz,
    phone_change text default '',
    phone_change_token varchar(255) default '',
    phone_change_sent_at timestamptz,
    confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
    email_change_token_current varchar(255) default '',
    email_change_confirm_status smallint default 0
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
    banned_until timestamptz,
    reauthentication_token varchar(255) default '',
    reauthentication_sent_at timestamptz,
    is_sso_user boolean not null default false,
    deleted_at timestamptz,
    is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (email)
where (is_sso_user = false);
create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);

create table if not exists auth.identities (
    provider_id text not null,
    user_id uuid not null references auth.users (id) on delete cascade,
    identity_data jsonb not null,
    provider text not null,
    last_sign_in_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz,
    email text generated always as (lower(identity_data ->> 'email')) stored,
    id uuid not null default gen_random_uuid() primary key,
    constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);

alter table auth.users owner to supabase_auth_admin;
alter table auth.identities owner to supabase_auth_admin;
alter table auth.users enable row level security;
alter table auth.identities enable row level security;
-- postgres may read auth's tables, reference them and hang triggers on them (a
-- profile per user): the image's grants plus supautils' policy_grants.
grant all on auth.users, auth.identities to postgres;

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
to anon, authenticated, service_role, postgres;

-- 8. pg_cron, as supautils lets postgres create it --------------------------------
-- supautils runs a privileged extension's script as the superuser, then its
-- after-create script; for pg_cron that grants postgres the cron schema (with grant
-- option). This event trigger does the same locally.

create or replace function extensions.grant_pg_cron_access()
returns event_trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if exists (
        select from pg_catalog.pg_event_trigger_ddl_commands() as ev
        join pg_catalog.pg_extension as e on e.oid = ev.objid
        where ev.command_tag = 'CREATE EXTENSION' and e.extname = 'pg_cron'
    ) then
        grant usage on schema cron to postgres with grant option;
        grant all on all functions in schema cron to postgres with grant option;
        grant all on all tables in schema cron to postgres with grant option;
        grant all on all sequences in schema cron to postgres with grant option;
        -- Hosted then leaves postgres only SELECT on cron.job: its pg_cron (1.5+)
        -- writes jobs as the extension's owner. Debian's pg_cron 1.4 writes them as
        -- the caller of cron.schedule, so postgres keeps its writes here.
        revoke trigger on table cron.job_run_details from postgres;
    end if;
end;
$$;
revoke all on function extensions.grant_pg_cron_access() from public;

do $event_trigger$
begin
    if not exists (select from pg_catalog.pg_event_trigger where evtname = 'issue_pg_cron_access') then
        create event trigger issue_pg_cron_access on ddl_command_end
        when tag in ('CREATE EXTENSION')
        execute function extensions.grant_pg_cron_access();
    end if;
end
$event_trigger$;

-- 9. Realtime ----------------------------------------------------------------------

do $realtime$
begin
    if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
        create publication supabase_realtime;
    end if;
end
$realtime$;
alter publication supabase_realtime owner to postgres;

-- 10. Default privileges in public -------------------------------------------------

alter default privileges for role postgres in schema public
grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
grant all on sequences to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
grant all on functions to anon, authenticated, service_role;
-- Studio at project creation (the Data API no longer sees new objects by itself):
alter default privileges for role postgres in schema public
revoke select, insert, update, delete on tables from anon, authenticated, service_role;
alter default privileges for role postgres in schema public
revoke usage, select on sequences from anon, authenticated, service_role;
alter default privileges for role postgres in schema public
revoke execute on functions from anon, authenticated, service_role;

-- 11. PostgREST's exposed schemas (read by `supabase db advisors`) -----------------

do $pgrst$
begin
    execute format(
        'alter database %I set pgrst.db_schemas = %L',
        current_database(), 'public,graphql_public'
    );
end
$pgrst$;
