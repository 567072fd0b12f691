-- Emails: the same events as the in-app notifications, written to an outbox
-- (private schema: never exposed to the API) in the recipient's language, then
-- delivered over SMTP by `cagnotte-admin notifications send`.
--
--   notification_preferences  a user turns the email of a kind off (on by default);
--                             invitations are always emailed (someone asked for them)
--   private.email_templates   subject and body per template and locale (fr, en),
--                             with {{placeholders}}; operators may reword them
--   private.email_outbox      one row per message, rendered when the event happens;
--                             a sender claims due rows (skip locked, with a lease),
--                             then marks them sent, or retries with backoff
--                             (1, 4, 16, 64 minutes…) until failed after 5 tries
-- Links point to the frontend at platform_settings.site_url, the database's copy
-- of the deployment's SITE_URL (the one truth: the service reads it, config.toml's
-- Auth reads env(SITE_URL), `cagnotte-admin doctor` reports a copy that differs
-- and `cagnotte-admin settings set site-url` mends it). The frontend's pages have
-- one home each, here (private.site_link and the *_path functions below): the
-- emails and the service's payment return pages (webhooks/payments.py) use them:
--   /c/<slug>                       a campaign (private.campaign_path)
--   /c/<slug>/merci?don=<donation>  back from a provider's checkout (or
--   /c/<slug>?don=<donation>&annule=1  cancelled: private.donation_return_path)
--   /invitations/accept?token=<t>   an invitation (private.invitation_path)
--   /parametres/notifications       the email preferences (private.preferences_path)
--
-- Headers: every address mail uses is a public.email_address (the one address
-- rule, in the foundation migration, shared with invitations and donors'
-- receipt addresses: what it accepts, Python's email parser accepts); every
-- text that reaches a Subject is one line (private.is_single_line, checked
-- where it is written). An address that
-- breaks the rule (an account's own email from Auth) is not mailed; the sender
-- fails a message it still cannot build and goes on with the others.

-- Types ------------------------------------------------------------------------

create type private.email_status as enum ('pending', 'sending', 'sent', 'failed');

-- Settings ----------------------------------------------------------------------

-- site_url is an origin (http or https, a host name or a bracketed IPv6
-- address, a port) and an optional path of RFC 3986 path characters, without a
-- trailing slash (links append /c/<slug>...): no userinfo, query, fragment,
-- backslash or quote, any of which would send every link elsewhere than the site
-- (https://site.org@evil.example, https://site.org?x=/c/<slug>).
alter table public.platform_settings
add column site_url text not null default 'http://127.0.0.1:3000'
check (
    site_url
    ~* '^https?://([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?(/[-a-z0-9._~!$&()*+,;=:@%/]*[-a-z0-9._~!$&()*+,;=:@%])?$'
);

grant update (site_url) on table public.platform_settings to authenticated;

-- The frontend's pages (paths from the site's root), and a link to one of them.
create function private.campaign_path(slug text)
returns text
language sql
immutable
set search_path = ''
as $$ select '/c/' || slug $$;

create function private.donation_return_path(slug text, donation_id uuid, cancelled boolean default false)
returns text
language sql
immutable
set search_path = ''
as $$
    select case
        when cancelled then private.campaign_path(slug) || '?don=' || donation_id::text || '&annule=1'
        else private.campaign_path(slug) || '/merci?don=' || donation_id::text
    end
$$;

create function private.invitation_path(token text)
returns text
language sql
immutable
set search_path = ''
as $$ select '/invitations/accept?token=' || token $$;

create function private.preferences_path()
returns text
language sql
immutable
set search_path = ''
as $$ select '/parametres/notifications' $$;

create function private.site_link(path text)
returns text
language sql
stable
set search_path = ''
as $$ select s.site_url || path from public.platform_settings as s $$;

comment on function private.campaign_path(text) is
'The frontend''s page of a campaign, from the site''s root; the one home of that path.';
comment on function private.donation_return_path(text, uuid, boolean) is
'Where a donor comes back from a provider''s checkout: the thanks page, or the campaign when they cancelled.';
comment on function private.site_link(text) is
'A link to a page of the frontend: platform_settings.site_url (the copy of SITE_URL) and the path.';

-- The service builds its return URLs on its own SITE_URL with these paths.
grant execute on function private.campaign_path(text), private.donation_return_path(text, uuid, boolean)
to service_role;

-- Tables -----------------------------------------------------------------------

create table public.notification_preferences (
    user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
    kind public.notification_kind not null check (kind <> 'invitation'),
    email boolean not null default true,
    updated_at timestamptz not null default pg_catalog.now(),
    primary key (user_id, kind)
);

comment on table public.notification_preferences is
'Which notification kinds a user also receives by email. No row: emailed. Invitations are always emailed.';

create table private.email_templates (
    key text not null,
    locale public.locale not null,
    subject text not null check (private.is_single_line(subject)),
    body text not null,
    primary key (key, locale)
);

create table private.email_outbox (
    id bigint generated always as identity primary key,
    -- the event and recipient: a message is written once
    dedupe_key text not null unique,
    user_id uuid references public.profiles (id) on delete cascade,
    notification_id uuid references public.notifications (id) on delete set null,
    to_address public.email_address not null,
    locale public.locale not null,
    template text not null,
    subject text not null check (private.is_single_line(subject)),
    body text not null,
    status private.email_status not null default 'pending',
    attempts smallint not null default 0,
    max_attempts smallint not null default 5 check (max_attempts > 0),
    next_attempt_at timestamptz not null default pg_catalog.now(),
    -- while sending: the claim lapses then (a sender that died)
    locked_until timestamptz,
    last_error text,
    created_at timestamptz not null default pg_catalog.now(),
    sent_at timestamptz,
    check ((status = 'sending') = (locked_until is not null))
);

create index email_outbox_due_idx on private.email_outbox (next_attempt_at) where status = 'pending';
create index email_outbox_leased_idx on private.email_outbox (locked_until) where status = 'sending';
create index email_outbox_user_id_idx on private.email_outbox (user_id);
create index email_outbox_notification_id_idx on private.email_outbox (notification_id);
create index email_outbox_finished_idx on private.email_outbox (created_at) where status in ('sent', 'failed');

-- Grants -----------------------------------------------------------------------

revoke all on table public.notification_preferences from anon, authenticated;
grant select, delete on table public.notification_preferences to authenticated;
grant insert (kind, email) on table public.notification_preferences to authenticated;
grant update (kind, email) on table public.notification_preferences to authenticated;

revoke all on table private.email_templates, private.email_outbox from public, anon, authenticated;
grant select, insert, update, delete on table private.email_templates to service_role;
grant select on table private.email_outbox to service_role;

-- RLS --------------------------------------------------------------------------

alter table public.notification_preferences enable row level security;
alter table private.email_templates enable row level security;
alter table private.email_outbox enable row level security;

create policy "users read their own preferences"
on public.notification_preferences for select to authenticated
using (user_id = (select auth.uid()));

create policy "users set their own preferences"
on public.notification_preferences for insert to authenticated
with check (user_id = (select auth.uid()));

create policy "users change their own preferences"
on public.notification_preferences for update to authenticated
using (user_id = (select auth.uid()))
with check (user_id = (select auth.uid()));

create policy "users reset their own preferences"
on public.notification_preferences for delete to authenticated
using (user_id = (select auth.uid()));

create policy "the service manages email templates"
on private.email_templates for all to service_role
using (true)
with check (true);

create policy "the service reads the outbox"
on private.email_outbox for select to service_role
using (true);

-- Functions: rendering -----------------------------------------------------------

-- 1234567 XOF -> "1 234 567 FCFA" (fr) or "1,234,567 FCFA" (en); 1050 EUR -> "10,50 EUR".
create function private.format_money(amount bigint, currency text, locale public.locale)
returns text
language sql
stable
set search_path = ''
as $$
    select
        case when amount < 0 then '-' else '' end
        || pg_catalog.regexp_replace(
            (pg_catalog.abs(amount) / scale)::text, '(\d)(?=(\d{3})+$)',
            '\1' || case locale when 'fr' then U&'\00A0' else ',' end, 'g'
        )
        || case
            when x.exponent > 0 then
                case locale when 'fr' then ',' else '.' end
                || pg_catalog.lpad((pg_catalog.abs(amount) % scale)::text, x.exponent, '0')
            else ''
        end
        || U&'\00A0' || case when currency in ('XOF', 'XAF') then 'FCFA' else currency end
    from public.currencies as x
    cross join lateral (select (10 ^ x.exponent)::bigint as scale) as s
    where x.code = currency
$$;

create function private.format_time(at timestamptz, locale public.locale)
returns text
language sql
stable
set search_path = ''
as $$
    select pg_catalog.to_char(
        at at time zone 'UTC',
        case locale when 'fr' then 'DD/MM/YYYY "à" HH24:MI "UTC"' else 'FMMonth DD, YYYY, HH24:MI "UTC"' end
    )
$$;

-- Fills a template's {{placeholders}} (absent values become empty), the
-- subject on one line. Null when the template does not exist.
create function private.render_email(
    template text, locale public.locale, vars jsonb, out subject text, out body text
)
language plpgsql
stable
set search_path = ''
as $$
declare
    k text;
    v text;
begin
    select t.subject, t.body into subject, body
    from private.email_templates as t
    where t.key = template and t.locale = render_email.locale;
    for k, v in select * from pg_catalog.jsonb_each_text(vars) loop
        subject := pg_catalog.replace(subject, '{{' || k || '}}', coalesce(v, ''));
        body := pg_catalog.replace(body, '{{' || k || '}}', coalesce(v, ''));
    end loop;
    subject := pg_catalog.regexp_replace(subject, '\{\{[a-z_]+\}\}', '', 'g');
    -- every value is checked where it is written; this keeps any other off the Subject line
    subject := private.to_single_line(subject);
    body := pg_catalog.regexp_replace(body, '\{\{[a-z_]+\}\}', '', 'g');
end;
$$;

-- Writes a message to the outbox, rendered now; once per dedupe key. An
-- address mail cannot use is not written (a warning says so): the event that
-- asked for the email still happens.
create function private.enqueue_email(
    user_id uuid, to_address text, locale public.locale, template text, vars jsonb, dedupe_key text,
    notification_id uuid default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    msg record;
begin
    begin
        perform to_address::public.email_address;
    exception when check_violation then
        -- the address stays out of the log (personal data, and maybe a line break)
        raise warning 'an address mail cannot use: % not written', dedupe_key;
        return;
    end;
    msg := private.render_email(
        template, locale,
        pg_catalog.jsonb_build_object(
            'site_url', private.site_link(''), 'preferences_url', private.site_link(private.preferences_path())
        )
        || vars
    );
    if msg.subject is null then
        raise warning 'email template % (%) is missing: % not written', template, locale, dedupe_key;
        return;
    end if;
    insert into private.email_outbox (
        dedupe_key, user_id, notification_id, to_address, locale, template, subject, body
    ) values (
        dedupe_key, user_id, notification_id, to_address, locale, template, msg.subject, msg.body
    )
    on conflict on constraint email_outbox_dedupe_key_key do nothing;
end;
$$;

-- A notification, emailed to its recipient unless they turned that kind off.
create function private.email_notification()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    recipient record;
    p jsonb := new.payload;
    is_owner boolean;
    template text;
begin
    if new.kind = 'invitation' or exists (
        select 1 from public.notification_preferences as x
        where x.user_id = new.user_id and x.kind = new.kind and not x.email
    ) then
        return null;  -- invitations send their own email, with the link
    end if;
    select u.email, f.locale, f.display_name into recipient
    from auth.users as u
    inner join public.profiles as f on u.id = f.id
    where u.id = new.user_id and u.email is not null and u.email <> '';
    if not found then
        return null;
    end if;
    is_owner := exists (select 1 from public.campaigns as c where c.id = new.campaign_id and c.owner_id = new.user_id);
    template := case
        when new.kind in ('goal_reached', 'campaign_ended') then
            new.kind::text || case when is_owner then '_owner' else '_donor' end
        when new.kind = 'moderation_decision' then
            case when p ->> 'decision' = 'active' then 'campaign_approved' else 'campaign_rejected' end
        when new.kind::text = 'payout_update' then 'payout_' || (p ->> 'status')
        else new.kind::text
    end;
    perform private.enqueue_email(
        new.user_id, recipient.email, recipient.locale, template,
        p || pg_catalog.jsonb_build_object(
            'recipient_name', coalesce(recipient.display_name, ''),
            'campaign_url', private.site_link(private.campaign_path(p ->> 'campaign_slug')),
            'amount', private.format_money((p ->> 'amount')::bigint, p ->> 'currency', recipient.locale),
            'goal', private.format_money((p ->> 'goal_amount')::bigint, p ->> 'currency', recipient.locale),
            'collected', private.format_money((p ->> 'collected_amount')::bigint, p ->> 'currency', recipient.locale),
            'ends_at', private.format_time((p ->> 'ends_at')::timestamptz, recipient.locale)
        ),
        'notification:' || new.id,
        new.id
    );
    return null;
end;
$$;

-- Functions: delivery (the sender, as service_role) -----------------------------------

-- Takes up to `batch` due messages for `lease`: each goes to one sender only
-- (skip locked). A message whose sender died (lease over) is due again, unless
-- it has used its tries.
create function private.claim_emails(batch integer default 20, lease interval default '5 minutes')
returns setof private.email_outbox
language plpgsql
security definer
set search_path = ''
as $$
begin
    update private.email_outbox as o
    set status = 'failed', locked_until = null, last_error = 'sender lost while sending (lease over)'
    where o.status = 'sending' and o.locked_until < pg_catalog.now() and o.attempts >= o.max_attempts;

    return query
    update private.email_outbox as o
    set status = 'sending', attempts = o.attempts + 1, locked_until = pg_catalog.now() + lease
    where o.id in (
        select x.id from private.email_outbox as x
        where
            (x.status = 'pending' and x.next_attempt_at <= pg_catalog.now())
            or (x.status = 'sending' and x.locked_until < pg_catalog.now())
        order by x.next_attempt_at, x.id
        limit batch
        for update skip locked
    )
    returning o.*;
end;
$$;

-- The SMTP server took the message.
create function private.email_sent(email_id bigint)
returns void
language sql
security definer
set search_path = ''
as $$
    update private.email_outbox as o
    set status = 'sent', sent_at = pg_catalog.now(), locked_until = null, last_error = null
    where o.id = email_id and o.status = 'sending'
$$;

-- It did not: due again after 1, 4, 16, 64… minutes (at most a day), failed
-- after max_attempts tries or at once when the refusal is permanent.
create function private.email_not_sent(email_id bigint, error text, permanent boolean default false)
returns private.email_status
language sql
security definer
set search_path = ''
as $$
    update private.email_outbox as o
    set
        status = case when permanent or o.attempts >= o.max_attempts then 'failed' else 'pending' end::private.email_status,
        next_attempt_at = pg_catalog.now() + least(interval '1 minute' * (4 ^ (o.attempts - 1)), interval '1 day'),
        locked_until = null,
        last_error = pg_catalog.left(error, 1000)
    where o.id = email_id and o.status = 'sending'
    returning o.status
$$;

-- Scheduled: sent messages are kept 30 days, failed ones 90 (for inquiries).
create function private.purge_email_outbox()
returns integer
language sql
security definer
set search_path = ''
as $$
    with purged as (
        delete from private.email_outbox as o
        where
            (o.status = 'sent' and o.created_at < pg_catalog.now() - interval '30 days')
            or (o.status = 'failed' and o.created_at < pg_catalog.now() - interval '90 days')
        returning 1
    )
    select pg_catalog.count(*)::integer from purged
$$;

grant execute on function private.claim_emails(integer, interval) to service_role;
grant execute on function private.email_sent(bigint) to service_role;
grant execute on function private.email_not_sent(bigint, text, boolean) to service_role;
grant execute on function private.purge_email_outbox() to service_role;

-- Triggers ---------------------------------------------------------------------

create trigger notification_preferences_refuse_banned_writes
before insert or update or delete on public.notification_preferences
for each statement execute function private.refuse_banned_writes();

create trigger notification_preferences_touch_updated_at
before update on public.notification_preferences
for each row execute function private.touch_updated_at();

create trigger notifications_email
after insert on public.notifications
for each row execute function private.email_notification();

-- A donation's notification waits for the end of its transaction, so that it
-- tells the campaign's totals with this donation in them.
drop trigger donations_notify on public.donations;

create constraint trigger donations_notify
after update of status on public.donations
deferrable initially deferred
for each row when (old.succeeded_at is null and new.succeeded_at is not null)
execute function private.notify_donation();

-- Templates ----------------------------------------------------------------------

insert into private.email_templates (key, locale, subject, body) values
(
    'donation_received', 'fr', 'Nouveau don de {{amount}} pour « {{campaign_title}} »',
    E'Bonjour {{recipient_name}},\n\n{{donor_name}} vient de donner {{amount}} à votre cagnotte « {{campaign_title}} ».\nCollecté : {{collected}} sur un objectif de {{goal}}.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'donation_received', 'en', 'New donation of {{amount}} to "{{campaign_title}}"',
    E'Hello {{recipient_name}},\n\n{{donor_name}} just gave {{amount}} to your fundraiser "{{campaign_title}}".\nRaised: {{collected}} of a {{goal}} goal.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'goal_reached_owner', 'fr', 'Objectif atteint pour « {{campaign_title}} » !',
    E'Bonjour {{recipient_name}},\n\nFélicitations : votre cagnotte « {{campaign_title}} » a atteint son objectif de {{goal}}.\nCollecté : {{collected}}. Pensez à remercier vos donateurs avec une actualité.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'goal_reached_owner', 'en', '"{{campaign_title}}" reached its goal!',
    E'Hello {{recipient_name}},\n\nCongratulations: your fundraiser "{{campaign_title}}" reached its {{goal}} goal.\nRaised: {{collected}}. Thank your donors with an update.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'goal_reached_donor', 'fr', '« {{campaign_title}} » a atteint son objectif grâce à vous',
    E'Bonjour {{recipient_name}},\n\nLa cagnotte « {{campaign_title}} » que vous soutenez a atteint son objectif de {{goal}}. Merci !\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'goal_reached_donor', 'en', '"{{campaign_title}}" reached its goal thanks to you',
    E'Hello {{recipient_name}},\n\nThe fundraiser "{{campaign_title}}" you support reached its {{goal}} goal. Thank you!\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'campaign_ending', 'fr', '« {{campaign_title}} » se termine dans moins de 48 heures',
    E'Bonjour {{recipient_name}},\n\nVotre cagnotte « {{campaign_title}} » se termine le {{ends_at}}.\nCollecté : {{collected}} sur {{goal}}. Un dernier partage peut faire la différence.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_ending', 'en', '"{{campaign_title}}" ends in less than 48 hours',
    E'Hello {{recipient_name}},\n\nYour fundraiser "{{campaign_title}}" ends on {{ends_at}}.\nRaised: {{collected}} of {{goal}}. One more share can make the difference.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'campaign_ended_owner', 'fr', 'Votre cagnotte « {{campaign_title}} » est terminée',
    E'Bonjour {{recipient_name}},\n\nVotre cagnotte « {{campaign_title}} » est terminée : {{collected}} collectés sur un objectif de {{goal}}.\nVous pouvez maintenant demander le versement des fonds.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_ended_owner', 'en', 'Your fundraiser "{{campaign_title}}" has ended',
    E'Hello {{recipient_name}},\n\nYour fundraiser "{{campaign_title}}" has ended: {{collected}} raised of a {{goal}} goal.\nYou can now request the payout.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'campaign_ended_donor', 'fr', 'La cagnotte « {{campaign_title}} » est terminée',
    E'Bonjour {{recipient_name}},\n\nLa cagnotte « {{campaign_title}} » que vous avez soutenue est terminée : {{collected}} collectés sur un objectif de {{goal}}. Merci pour votre générosité.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_ended_donor', 'en', 'The fundraiser "{{campaign_title}}" has ended',
    E'Hello {{recipient_name}},\n\nThe fundraiser "{{campaign_title}}" you supported has ended: {{collected}} raised of a {{goal}} goal. Thank you for your generosity.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'campaign_update', 'fr', 'Des nouvelles de « {{campaign_title}} » : {{title}}',
    E'Bonjour {{recipient_name}},\n\nLa cagnotte « {{campaign_title}} » que vous soutenez a publié une actualité : « {{title}} ».\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_update', 'en', 'News from "{{campaign_title}}": {{title}}',
    E'Hello {{recipient_name}},\n\nThe fundraiser "{{campaign_title}}" you support posted an update: "{{title}}".\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'campaign_approved', 'fr', 'Votre cagnotte « {{campaign_title}} » est en ligne',
    E'Bonjour {{recipient_name}},\n\nBonne nouvelle : votre cagnotte « {{campaign_title}} » a été validée et reçoit désormais des dons.\nPartagez-la avec vos proches.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_approved', 'en', 'Your fundraiser "{{campaign_title}}" is live',
    E'Hello {{recipient_name}},\n\nGood news: your fundraiser "{{campaign_title}}" was approved and now accepts donations.\nShare it with your friends and family.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'campaign_rejected', 'fr', 'Votre cagnotte « {{campaign_title}} » doit être modifiée',
    E'Bonjour {{recipient_name}},\n\nVotre cagnotte « {{campaign_title}} » n''a pas été validée.\nMotif : {{reason}}\nModifiez-la puis soumettez-la à nouveau.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'campaign_rejected', 'en', 'Your fundraiser "{{campaign_title}}" needs changes',
    E'Hello {{recipient_name}},\n\nYour fundraiser "{{campaign_title}}" was not approved.\nReason: {{reason}}\nEdit it, then submit it again.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'new_comment', 'fr', 'Nouveau commentaire sur « {{campaign_title}} »',
    E'Bonjour {{recipient_name}},\n\nQuelqu''un a commenté votre cagnotte « {{campaign_title}} ».\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'new_comment', 'en', 'New comment on "{{campaign_title}}"',
    E'Hello {{recipient_name}},\n\nSomeone commented on your fundraiser "{{campaign_title}}".\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
);

-- Schedule: outbox housekeeping ----------

select private.schedule_job('purge-email-outbox', '17 3 * * *', 'select private.purge_email_outbox()');
