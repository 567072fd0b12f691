-- Foundation: nothing is callable through the API unless a migration says so,
-- and a private schema holds helpers and service-only functions.

-- Default privileges -----------------------------------------------------------
-- PostgreSQL lets PUBLIC execute every new function, and a hosted Supabase
-- project also grants EXECUTE in public to anon and authenticated by default.
-- From here on each callable function is granted explicitly.

alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;

-- Private schema ---------------------------------------------------------------
-- Not listed in the API's exposed schemas (config.toml [api] schemas), so
-- PostgREST never serves it. The API roles may use it only because RLS policies
-- call helpers that live here; service-only functions grant EXECUTE to
-- service_role alone.

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

alter default privileges in schema private revoke execute on functions from public;

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
