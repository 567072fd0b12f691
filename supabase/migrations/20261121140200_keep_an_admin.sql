-- The platform keeps an admin: revoking the last admin role (through the API
-- or the operators' console) is refused, so that nobody locks the operators
-- out; an admin banned or soft-deleted counts for none (private.is_admin). Deleting the account itself still takes its roles with it, even the
-- last admin's: deleting an account never fails (private.erase_account); the
-- README's first-admin step then names a new one.

-- Functions ------------------------------------------------------------------------

create function private.keep_an_admin()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if exists (
        select 1 from removed as r
        inner join auth.users as u  -- revoked, not gone with its account (deleted or soft-deleted)
            on r.user_id = u.id and u.deleted_at is null
        where r.role = 'admin'
    )
        and not exists (  -- a banned or soft-deleted admin is no admin (private.is_admin)
            select 1 from public.user_roles as u
            where u.role = 'admin' and not private.is_banned(u.user_id)
        ) then
        raise exception using
            errcode = 'PT409', message = 'last_admin',
            detail = 'Grant the admin role to someone else first.';
    end if;
    return null;
end;
$$;

-- Triggers ---------------------------------------------------------------------

create trigger user_roles_keep_an_admin
after delete on public.user_roles
referencing old table as removed
for each statement execute function private.keep_an_admin();
