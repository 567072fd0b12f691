-- Invitations: a campaign's owner invites people by email, as co-organizers
-- (they join the campaign's team: read it even as a draft, post updates, see
-- the dashboard, approve payouts) or simply to contribute.
--
-- Each invitation has a random token (32 bytes, sent only in the email; the
-- database keeps its SHA-256), valid 14 days. accept_invitation(token) binds it
-- to the signed-in user whose confirmed email is the invited address. The
-- owner resends (a new token: the old link stops working; at most every 10
-- minutes, 5 sends in all) and revokes pending invitations. The email goes
-- through the outbox, in the invitee's language when they have an account
-- (then they also get an in-app notification), else in the owner's.
-- Anti-abuse: at most 50 invitations a day per inviter across campaigns,
-- sends and resends alike (the 'invitation' rate limit of private.rate_limits,
-- counted under its lock), 100 pending per campaign; a closed (cancelled),
-- frozen, rejected or expired campaign invites nobody, by a new invitation or
-- a resend alike (private.assert_sends_invitation), and nobody joins a
-- closed or frozen one through an earlier invitation. The address is a
-- public.email_address (the one address rule mail shares).

-- Types ------------------------------------------------------------------------

create type public.invitation_role as enum ('co_organizer', 'contributor');
create type public.invitation_status as enum ('pending', 'accepted', 'revoked');

-- Tables -----------------------------------------------------------------------

create table public.campaign_invitations (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    email public.email_address not null check (email = pg_catalog.lower(email)),
    role public.invitation_role not null,
    message text check (pg_catalog.char_length(message) <= 500),
    status public.invitation_status not null default 'pending',
    invited_by uuid references public.profiles (id) on delete set null,
    expires_at timestamptz not null,
    send_count integer not null default 1,
    last_sent_at timestamptz not null default pg_catalog.now(),
    accepted_by uuid references public.profiles (id) on delete set null,
    responded_at timestamptz,
    created_at timestamptz not null default pg_catalog.now()
);

create unique index campaign_invitations_one_pending on public.campaign_invitations (campaign_id, email)
where status = 'pending';
create index campaign_invitations_invited_by_idx on public.campaign_invitations (invited_by, created_at);
create index campaign_invitations_accepted_by_idx on public.campaign_invitations (accepted_by);

-- The secret half, never readable through the API.
create table private.invitation_tokens (
    invitation_id uuid primary key references public.campaign_invitations (id) on delete cascade,
    token_hash bytea not null unique
);

-- Grants -----------------------------------------------------------------------

revoke all on table public.campaign_invitations from anon, authenticated;
grant select on table public.campaign_invitations to authenticated;
revoke all on table private.invitation_tokens from public, anon, authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.campaign_invitations enable row level security;
alter table private.invitation_tokens enable row level security;

create policy "the team and staff read the campaign's invitations"
on public.campaign_invitations for select to authenticated
using ((select private.is_staff()) or campaign_id in (select private.team_campaign_ids()));

-- Functions: helpers ---------------------------------------------------------------

create function private.invitation_token_hash(token text)
returns bytea
language sql
immutable
set search_path = ''
as $$
    select extensions.digest(pg_catalog.convert_to(token, 'UTF8'), 'sha256')
$$;

-- A fresh token for the invitation (replacing any earlier one), emailed with
-- the invitation; an account with that address also gets an in-app notification.
create function private.send_invitation(inv public.campaign_invitations)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    token text := pg_catalog.rtrim(
        pg_catalog.translate(pg_catalog.encode(extensions.gen_random_bytes(32), 'base64'), '+/', '-_'), '='
    );
    c public.campaigns;
    invitee record;
    inviter record;
begin
    insert into private.invitation_tokens (invitation_id, token_hash)
    values (inv.id, private.invitation_token_hash(token))
    on conflict (invitation_id) do update set token_hash = excluded.token_hash;

    select * into c from public.campaigns as x where x.id = inv.campaign_id;
    select f.display_name, f.locale into inviter from public.profiles as f where f.id = inv.invited_by;
    select u.id, f.locale into invitee
    from auth.users as u
    inner join public.profiles as f on u.id = f.id
    where pg_catalog.lower(u.email) = inv.email
    limit 1;

    perform private.enqueue_email(
        invitee.id, inv.email, coalesce(invitee.locale, inviter.locale, 'fr'),
        'invitation_' || inv.role::text,
        pg_catalog.jsonb_build_object(
            'inviter_name', coalesce(inviter.display_name, 'AfriCagnotte'),
            'campaign_title', c.title,
            'campaign_url', private.site_link(private.campaign_path(c.slug)),
            'message', coalesce(inv.message, ''),
            'accept_url', private.site_link(private.invitation_path(token)),
            'expires_at', private.format_time(inv.expires_at, coalesce(invitee.locale, inviter.locale, 'fr'))
        ),
        'invitation:' || inv.id || ':' || inv.send_count
    );
    if invitee.id is not null then
        perform private.notify(
            array[invitee.id], 'invitation', c.id,
            private.campaign_payload(c) || pg_catalog.jsonb_build_object(
                'invitation_id', inv.id, 'role', inv.role, 'inviter_name', inviter.display_name
            ),
            'invitation:' || inv.id || ':' || inv.send_count
        );
    end if;
end;
$$;

-- Whether the campaign sends an invitation of this role now (a new one or a
-- resend); raises campaign_closed otherwise: not closed or frozen
-- (private.takes_posts), nor rejected or expired, and open for contributors.
create function private.assert_sends_invitation(c public.campaigns, role public.invitation_role)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
    if not private.takes_posts(c.status) or c.status in ('rejected', 'expired')
        or (role = 'contributor' and not c.is_open) then
        raise exception using
            errcode = 'PT409', message = 'campaign_closed',
            detail = pg_catalog.format('A %s campaign sends no %s invitations.', c.status, role);
    end if;
end;
$$;

-- The owner's pending invitation, locked; raises otherwise.
create function private.owned_invitation(invitation_id uuid)
returns public.campaign_invitations
language plpgsql
security definer
set search_path = ''
as $$
declare
    inv public.campaign_invitations;
begin
    select i.* into inv
    from public.campaign_invitations as i
    inner join public.campaigns as c on i.campaign_id = c.id
    where i.id = owned_invitation.invitation_id and c.owner_id = auth.uid()
    for update of i;
    if not found then
        raise exception using
            errcode = 'PT404', message = 'invitation_not_found',
            detail = 'No such invitation on a campaign you own.';
    end if;
    if inv.status <> 'pending' then
        raise exception using
            errcode = 'PT409', message = 'invitation_not_pending',
            detail = pg_catalog.format('This invitation is already %s.', inv.status);
    end if;
    return inv;
end;
$$;

-- Functions: the owner -----------------------------------------------------------------

create function public.invite_to_campaign(
    campaign_id uuid, email text, role public.invitation_role default 'co_organizer', message text default null
)
returns public.campaign_invitations
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    address public.email_address;
    inv public.campaign_invitations;
begin
    if c.owner_id is distinct from auth.uid() then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner', detail = 'Only the owner invites.';
    end if;
    perform private.assert_sends_invitation(c, role);
    begin
        address := pg_catalog.lower(pg_catalog.btrim(email));
    exception when check_violation then
        address := null;
    end;
    if address is null then
        raise exception using
            errcode = 'PT422', message = 'invalid_email',
            detail = 'Not an email address mail can use (name@domain.tld, ASCII).';
    end if;
    if exists (
        select 1 from auth.users as u
        where pg_catalog.lower(u.email) = address and (
            u.id = c.owner_id
            or (invite_to_campaign.role = 'co_organizer' and exists (
                select 1 from public.campaign_members as m where m.campaign_id = c.id and m.user_id = u.id
            ))
        )
    ) then
        raise exception using
            errcode = 'PT409', message = 'already_member', detail = 'This person is already on the team.';
    end if;
    if exists (
        select 1 from public.campaign_invitations as i
        where i.campaign_id = c.id and i.email = address and i.status = 'pending'
    ) then
        raise exception using
            errcode = 'PT409', message = 'already_invited',
            detail = 'A pending invitation exists for this address: resend it (resend_invitation).';
    end if;
    perform private.hit_rate_limit('invitation', auth.uid());  -- queues this inviter's parallel calls
    if (
        select pg_catalog.count(*) from public.campaign_invitations as i
        where i.campaign_id = c.id and i.status = 'pending'
    ) >= 100 then
        raise exception using
            errcode = 'PT429', message = 'invitation_limit_reached',
            detail = 'At most 50 invitations a day, 100 pending per campaign.';
    end if;
    insert into public.campaign_invitations (campaign_id, email, role, message, invited_by, expires_at)
    values (
        c.id, address, role, nullif(pg_catalog.btrim(message), ''), auth.uid(),
        pg_catalog.now() + interval '14 days'
    )
    returning * into inv;
    perform private.send_invitation(inv);
    return inv;
end;
$$;

create function public.resend_invitation(invitation_id uuid)
returns public.campaign_invitations
language plpgsql
security definer
set search_path = ''
as $$
declare
    inv public.campaign_invitations := private.owned_invitation(invitation_id);
begin
    perform private.assert_sends_invitation(
        (select c from public.campaigns as c where c.id = inv.campaign_id), inv.role
    );
    if inv.send_count >= 5 or inv.last_sent_at > pg_catalog.now() - interval '10 minutes' then
        raise exception using
            errcode = 'PT429', message = 'resend_too_soon',
            detail = 'An invitation is sent at most every 10 minutes, 5 times in all.';
    end if;
    perform private.hit_rate_limit('invitation', auth.uid());
    update public.campaign_invitations as i
    set send_count = i.send_count + 1, last_sent_at = pg_catalog.now(), expires_at = pg_catalog.now() + interval '14 days'
    where i.id = inv.id
    returning * into inv;
    perform private.send_invitation(inv);
    return inv;
end;
$$;

create function public.revoke_invitation(invitation_id uuid)
returns public.campaign_invitations
language plpgsql
security definer
set search_path = ''
as $$
declare
    inv public.campaign_invitations := private.owned_invitation(invitation_id);
begin
    update public.campaign_invitations as i
    set status = 'revoked', responded_at = pg_catalog.now()
    where i.id = inv.id
    returning * into inv;
    delete from private.invitation_tokens as t where t.invitation_id = inv.id;
    return inv;
end;
$$;

-- Functions: the invitee -------------------------------------------------------------

-- What the invitation page shows before sign-in (anyone holding the token): one
-- row, none for an unknown token (supabase-js: `.maybeSingle()` gives null). A
-- set of a composite type rather than jsonb, so that `supabase gen types`
-- describes every field; an unknown token answers [] rather than an object of
-- nulls (PostgREST renders a null composite so: PostgREST/postgrest#3694).
-- status is the invitation's, or 'expired' once a pending one has expired.
create type public.invitation_page as (
    campaign_id uuid,
    campaign_title text,
    campaign_slug text,
    role public.invitation_role,
    inviter_name text,
    message text,
    expires_at timestamptz,
    status text
);

comment on type public.invitation_page is
'What the invitation page shows before sign-in (public.invitation_by_token); status: pending, accepted, revoked or expired.';

create function public.invitation_by_token(token text)
returns setof public.invitation_page
language sql
stable
security definer
set search_path = ''
as $$
    select
        c.id,
        c.title,
        c.slug,
        i.role,
        f.display_name,
        i.message,
        i.expires_at,
        case when i.status = 'pending' and i.expires_at < pg_catalog.now() then 'expired' else i.status::text end
    from private.invitation_tokens as t
    inner join public.campaign_invitations as i on t.invitation_id = i.id
    inner join public.campaigns as c on i.campaign_id = c.id
    left join public.profiles as f on i.invited_by = f.id
    where t.token_hash = private.invitation_token_hash(token)
$$;

create function public.accept_invitation(token text)
returns public.campaign_invitations
language plpgsql
security definer
set search_path = ''
as $$
declare
    inv public.campaign_invitations;
    me record;
begin
    select u.id, pg_catalog.lower(u.email) as email, u.email_confirmed_at into me
    from auth.users as u where u.id = auth.uid();
    if not found then
        raise exception using
            errcode = 'PT401', message = 'not_signed_in', detail = 'Sign in with the invited address first.';
    end if;
    select i.* into inv
    from private.invitation_tokens as t
    inner join public.campaign_invitations as i on t.invitation_id = i.id
    where t.token_hash = private.invitation_token_hash(token)
    for update of i;
    if not found then
        raise exception using
            errcode = 'PT404', message = 'invitation_not_found',
            detail = 'This link is not valid (revoked, replaced by a newer email, or mistyped).';
    end if;
    if inv.status = 'accepted' then
        if inv.accepted_by = me.id then
            return inv;  -- a second click
        end if;
        raise exception using errcode = 'PT409', message = 'invitation_used', detail = 'Already accepted.';
    end if;
    if inv.expires_at < pg_catalog.now() then
        raise exception using
            errcode = 'PT410', message = 'invitation_expired', detail = 'Ask the organizer to send it again.';
    end if;
    if not private.takes_posts((select c.status from public.campaigns as c where c.id = inv.campaign_id)) then
        raise exception using
            errcode = 'PT409', message = 'campaign_closed',
            detail = 'This campaign is closed or frozen: nobody joins it now.';
    end if;
    if me.email is distinct from inv.email or me.email_confirmed_at is null then
        raise exception using
            errcode = 'PT403', message = 'invitation_email_mismatch',
            detail = 'Sign in with the confirmed address the invitation was sent to.';
    end if;
    if inv.role = 'co_organizer' then
        insert into public.campaign_members (campaign_id, user_id, role)
        values (inv.campaign_id, me.id, 'co_organizer')
        on conflict (campaign_id, user_id) do nothing;
    end if;
    update public.campaign_invitations as i
    set status = 'accepted', accepted_by = me.id, responded_at = pg_catalog.now()
    where i.id = inv.id
    returning * into inv;
    return inv;
end;
$$;

grant execute on function public.invite_to_campaign(uuid, text, public.invitation_role, text) to authenticated;
grant execute on function public.resend_invitation(uuid) to authenticated;
grant execute on function public.revoke_invitation(uuid) to authenticated;
grant execute on function public.invitation_by_token(text) to anon, authenticated;
grant execute on function public.accept_invitation(text) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger campaign_invitations_refuse_banned_writes
before insert or update or delete on public.campaign_invitations
for each statement execute function private.refuse_banned_writes();

-- Templates ----------------------------------------------------------------------

insert into private.email_templates (key, locale, subject, body) values
(
    'invitation_co_organizer', 'fr', '{{inviter_name}} vous invite à co-organiser « {{campaign_title}} »',
    E'Bonjour,\n\n{{inviter_name}} vous invite à rejoindre l''équipe de la cagnotte « {{campaign_title}} » sur AfriCagnotte : publier des actualités, suivre les dons et valider les versements.\n\n{{message}}\n\nAccepter l''invitation (valable jusqu''au {{expires_at}}) :\n{{accept_url}}\n\nConnectez-vous ou créez votre compte avec cette adresse email.\n\nL''équipe AfriCagnotte\n'
),
(
    'invitation_co_organizer', 'en', '{{inviter_name}} invites you to co-organize "{{campaign_title}}"',
    E'Hello,\n\n{{inviter_name}} invites you to join the team of the fundraiser "{{campaign_title}}" on AfriCagnotte: post updates, follow donations and approve payouts.\n\n{{message}}\n\nAccept the invitation (valid until {{expires_at}}):\n{{accept_url}}\n\nSign in or sign up with this email address.\n\nThe AfriCagnotte team\n'
),
(
    'invitation_contributor', 'fr', '{{inviter_name}} vous invite à soutenir « {{campaign_title}} »',
    E'Bonjour,\n\n{{inviter_name}} vous invite à soutenir la cagnotte « {{campaign_title}} » sur AfriCagnotte.\n\n{{message}}\n\nVoir la cagnotte : {{campaign_url}}\nAccepter l''invitation (valable jusqu''au {{expires_at}}) : {{accept_url}}\n\nL''équipe AfriCagnotte\n'
),
(
    'invitation_contributor', 'en', '{{inviter_name}} invites you to support "{{campaign_title}}"',
    E'Hello,\n\n{{inviter_name}} invites you to support the fundraiser "{{campaign_title}}" on AfriCagnotte.\n\n{{message}}\n\nSee the fundraiser: {{campaign_url}}\nAccept the invitation (valid until {{expires_at}}): {{accept_url}}\n\nThe AfriCagnotte team\n'
);
