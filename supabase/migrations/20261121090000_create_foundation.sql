-- Foundation: the extensions the project uses, nothing callable or readable through
-- the API unless a migration says so, a private schema for helpers and service-only
-- functions, and the registry of scheduled jobs.
--
-- Runs as hosted Supabase runs migrations: as `postgres`, which is not a superuser
-- (supabase/postgres migrations/db/init-scripts/00000000000000-initial-schema.sql).

-- Extensions -------------------------------------------------------------------
-- A new hosted project has only pgcrypto, uuid-ossp, pg_stat_statements and
-- supabase_vault in `extensions`; the others are created here, in `extensions` too
-- (advisors: extension_in_public). pg_trgm and unaccent are trusted extensions.

create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists unaccent with schema extensions;

-- pg_cron runs its jobs in the one database its launcher serves (`cron.database_name`,
-- hosted: postgres; a setting only superusers may read, so the launcher's session,
-- named "pg_cron scheduler" and visible to every role, tells), and is created as Supabase documents it (docs/guides/database/extensions/
-- pg_cron: `create extension pg_cron with schema pg_catalog`). Anywhere else (a test
-- database, a PostgreSQL without pg_cron) `cagnotte-admin jobs run` runs the jobs.
do $cron$
begin
    if exists (
        select from pg_catalog.pg_stat_activity
        where application_name = 'pg_cron scheduler' and datname = pg_catalog.current_database()
    ) then
        create extension if not exists pg_cron with schema pg_catalog;
    end if;
end
$cron$;

-- Default privileges -----------------------------------------------------------
-- PostgreSQL lets PUBLIC execute every new function. Hosted projects made before
-- 2026-10-30 also grant anon, authenticated and service_role everything on new
-- objects in public; newer ones grant nothing. Either way, from here on no role gets
-- anything implicitly: each migration grants each role exactly what it needs,
-- service_role included.

alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke all on tables from anon, authenticated, service_role;
alter default privileges in schema public revoke all on sequences from anon, authenticated, service_role;
alter default privileges in schema public revoke all on functions from anon, authenticated, service_role;

-- service_role is the key of trusted servers (Supabase's "service key": it bypasses
-- RLS by design): it may read and write every table of public, and nothing more
-- unless granted. Written once here rather than on each table.
alter default privileges in schema public grant select, insert, update, delete on tables to service_role;
alter default privileges in schema public grant usage, select on sequences to service_role;

-- Private schema ---------------------------------------------------------------
-- Not listed in the API's exposed schemas (config.toml [api] schemas), so
-- PostgREST never serves it (Supabase docs, guides/api/using-custom-schemas: the
-- Data API serves only the listed schemas; guides/database/postgres/
-- row-level-security, "Use security definer functions": such functions belong
-- in a schema that is not exposed). Not being served is not a permission: a
-- schema exposed by mistake would serve whatever the API roles may touch. So:
--   * no table, view or sequence here is readable or writable by anon or
--     authenticated; what the API needs of one (the search index…) it reads
--     through a security definer function that returns only what the caller
--     may see;
--   * the API roles execute only the helpers RLS policies and row rules call,
--     and none answers about another user: each fact about an account comes
--     as helper() for the caller (auth.uid()) and helper(user_id) for the
--     service role and definer functions alone.
-- tests/test_private_schema.py walks the catalog for both rules.

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

alter default privileges in schema private revoke execute on functions from public;
alter default privileges in schema private revoke all on tables from anon, authenticated;
alter default privileges in schema private revoke all on sequences from anon, authenticated;

-- Scheduled jobs -----------------------------------------------------------------
-- One registry of the project's periodic jobs: each migration that defines a job
-- registers it with private.schedule_job. pg_cron runs them where it is installed;
-- `cagnotte-admin jobs run` runs the same commands elsewhere, and `cagnotte-admin
-- doctor` checks that pg_cron has each of them.

create table private.scheduled_jobs (
    job_name text primary key,
    schedule text not null,
    command text not null
);
alter table private.scheduled_jobs enable row level security;
comment on table private.scheduled_jobs is
'Periodic jobs of the project: pg_cron runs them where installed, `cagnotte-admin jobs run` elsewhere. Each command returns the number of rows it affected.';

create policy "nobody reaches scheduled jobs through the API"
on private.scheduled_jobs
as restrictive
for all
to anon, authenticated
using (false);

create function private.schedule_job(job_name text, schedule text, command text)
returns void
language plpgsql
set search_path = ''
as $$
begin
    insert into private.scheduled_jobs as j (job_name, schedule, command)
    values (schedule_job.job_name, schedule_job.schedule, schedule_job.command)
    on conflict on constraint scheduled_jobs_pkey
    do update set schedule = excluded.schedule, command = excluded.command;
    if exists (select from pg_catalog.pg_extension where extname = 'pg_cron') then
        -- dynamic: the cron schema exists only where pg_cron does
        execute 'select cron.schedule($1, $2, $3)'
        using schedule_job.job_name, schedule_job.schedule, schedule_job.command;
    end if;
end;
$$;
comment on function private.schedule_job(text, text, text) is
'Registers a periodic job and, where pg_cron is installed, schedules it (cron.schedule replaces a job of the same name).';

-- Shared trigger: updated_at ---------------------------------------------------

create function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    return new;
end;
$$;

-- Shared text rule: one line -------------------------------------------------------
-- User text that reaches an email header (Subject, To, a name), a log line or a
-- console row is one line: no C0 or C1 control character, no DEL, no Unicode line
-- or paragraph separator. Written once here (the character class lives only in
-- private.to_single_line): Python's email headers refuse every line break that
-- str.splitlines knows (\v \f \x1c-\x1e \x85 \u2028 \u2029 too), which
-- [[:cntrl:]] misses under C.UTF-8. Check constraints call is_single_line; code
-- that cleans text it did not choose (a sign-up name) calls to_single_line.

create function private.to_single_line(value text)
returns text
language sql
immutable
strict
parallel safe
set search_path = ''
as $$
    select pg_catalog.regexp_replace(value, '[\x01-\x1f\x7f-\x9f\u2028\u2029]+', ' ', 'g')
$$;

create function private.is_single_line(value text)
returns boolean
language sql
immutable
strict
parallel safe
set search_path = ''
as $$
    select value = private.to_single_line(value)
$$;

comment on function private.is_single_line(text) is
'Whether text may go into one line (an email header, a log line): no control character, no line or paragraph separator.';

-- Check constraints run as the writer: the roles that write user text call them.
grant execute on function private.to_single_line(text), private.is_single_line(text)
to authenticated, service_role;

-- Shared address rule -------------------------------------------------------------

-- An email address as mail sends it: a dot-atom local part (RFC 5322 atext,
-- ASCII) of at most 64 characters, @, a domain name of two or more labels
-- (letters, digits, inner hyphens, 63 characters each), 254 characters in all.
-- Stricter than the RFCs (no quoted local part, no address literal, no IDN):
-- strict enough that every address it accepts is one Python's email.headerregistry
-- and smtplib take as is.
create domain public.email_address as text
check (
    pg_catalog.char_length(value) <= 254
    and pg_catalog.char_length(pg_catalog.split_part(value, '@', 1)) <= 64
    and value ~ (
        '^[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+)*'
        || '@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$'
    )
);

comment on domain public.email_address is
'An email address that mail can use: dot-atom@domain, ASCII, at most 254 characters (the one address rule).';
