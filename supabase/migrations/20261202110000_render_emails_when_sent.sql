-- Emails are rendered by their sender, not by the event that asks for them
-- (issue #21, the money path). Changes 20261121130300_create_email_outbox.sql
-- and the emails of 20261130180100_create_receipts.sql; each function below is
-- its newest body with only this changed.
--
-- Why: a payment event rendered two emails inside its transaction (the
-- organiser's donation_received, the donor's receipt): a template lookup,
-- two replace() per variable, three regexp_replace, four format_money (each a
-- regexp), a signed receipt link. That was about 60% of an event's function
-- time, spent while the campaign's row was locked, for text nobody reads
-- before the sender runs.
--
--   writing      private.enqueue_email writes one row per message, once per
--                dedupe key, with what rendering needs: template, locale,
--                address and the variables (email_outbox.vars, jsonb) as raw
--                values; subject and body stay null. No template lookup, no
--                regexp, no formatting: one insert.
--   raw values   a variable is text (a string or a number, used as is) or
--                one of these objects, formatted when rendered, in the
--                message's locale (the recipient's):
--                  {"money": <integer, minor units>, "currency": "XOF"}  private.format_money
--                  {"time": "<timestamptz>"}                             private.format_time
--                  {"path": "/c/<slug>"}                                 private.site_link
--                  {"receipt": "<receipt id>"}    the receipt's signed link (private.receipt_path)
--                A null (or an absent variable) renders empty, as before.
--                The objects are told apart by their exact keys, and no
--                notification payload field is an object (their JSON Schemas,
--                public.notification_kinds), so no payload value is taken for one.
--   rendering    private.render_email (the one home of rendering: the
--                template's text, the raw values formatted by
--                private.email_value, site_url and preferences_url, the subject
--                on one line) and private.outbox_message (a row as it is or
--                will be sent: its text once rendered, else rendered now, or
--                the reason it cannot be sent). private.claim_emails renders
--                every row it claims that has no text yet and keeps the text:
--                a message tried again is the same message. Python renders
--                nothing (admin_scripts/mailer.py sends what the claim returns).
--   when         the text is the one of the first claim: a template edited
--                between the event and the send is sent edited; the site's
--                URL and the receipt's signature are the ones of that moment.
--   unsendable   a row whose address is not a public.email_address (an
--                account's own email from Auth may break the rule; the column
--                is now text so that the event never fails on it) or whose
--                template is missing, or that cannot be rendered, is failed by
--                the claim with the reason in last_error (kept 90 days, listed
--                by `cagnotte-admin notifications outbox --status failed`);
--                the claim returns it as failed (the sender counts it and
--                sends nothing) and takes the next due rows: it never blocks
--                the others, and a batch is still full while rows are due.
--                Before, enqueue_email wrote nothing and only warned (a
--                database log line nobody reads).
--   reading      private.email_messages: the outbox with each row's subject
--                and body as sent (or as they would be sent now) and the
--                reason a row cannot be sent (problem); for the console,
--                the local scenario and the tests. Rows written before this
--                migration are rendered already and are sent as they are.
--
-- The notification's payload check (private.check_notification_payload, a
-- JSON Schema validation) stays on the hot path: it is the one guarantee that
-- what the frontend reads (docs/notifications.md) matches its definition,
-- whoever writes the notification, and it costs a small share of an event.

-- Table ------------------------------------------------------------------------

alter table private.email_outbox
alter column to_address type text,
alter column subject drop not null,
alter column body drop not null,
add column vars jsonb not null default '{}'::jsonb,
add constraint email_outbox_rendered_check check ((subject is null) = (body is null)),
add constraint email_outbox_sent_rendered_check check (status in ('pending', 'failed') or subject is not null);

comment on column private.email_outbox.vars is
'The template''s variables as raw values (amounts in minor units with their currency, times, paths), formatted when rendered.';
comment on column private.email_outbox.subject is
'Null until the sender claims the row (private.claim_emails renders it); then the text sent, every try.';

-- Rendering ----------------------------------------------------------------------

-- One variable's text in a locale: text as is, or a raw value formatted.
create function private.email_value(value jsonb, locale public.locale)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
    if pg_catalog.jsonb_typeof(value) = 'object' then
        if value ? 'money' and value - 'money' - 'currency' = '{}'::jsonb then
            return private.format_money((value ->> 'money')::bigint, value ->> 'currency', locale);
        elsif value ? 'time' and value - 'time' = '{}'::jsonb then
            return private.format_time((value ->> 'time')::timestamptz, locale);
        elsif value ? 'path' and value - 'path' = '{}'::jsonb then
            return private.site_link(value ->> 'path');
        elsif value ? 'receipt' and value - 'receipt' = '{}'::jsonb then
            return private.site_link(private.receipt_path((value ->> 'receipt')::uuid));
        end if;
    end if;
    return value #>> '{}';
end;
$$;

comment on function private.email_value(jsonb, public.locale) is
'An email variable''s text in a locale: {"money", "currency"}, {"time"}, {"path"} and {"receipt"} formatted, anything else as is.';

-- Fills a template's {{placeholders}} (absent values become empty), the
-- subject on one line; site_url and preferences_url are always there. Null
-- when the template does not exist.
create or replace function private.render_email(
    template text, locale public.locale, vars jsonb, out subject text, out body text
)
returns record
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
    if not found then
        return;
    end if;
    for k, v in
        select e.key, private.email_value(e.value, render_email.locale)
        from pg_catalog.jsonb_each(
            pg_catalog.jsonb_build_object(
                'site_url', private.site_link(''), 'preferences_url', private.site_link(private.preferences_path())
            )
            || vars
        ) as e
    loop
        subject := pg_catalog.replace(subject, '{{' || k || '}}', coalesce(v, ''));
        body := pg_catalog.replace(body, '{{' || k || '}}', coalesce(v, ''));
    end loop;
    subject := pg_catalog.regexp_replace(subject, '\{\{[a-z_]+\}\}', '', 'g');
    -- every value is checked where it is written; this keeps any other off the Subject line
    subject := private.to_single_line(subject);
    body := pg_catalog.regexp_replace(body, '\{\{[a-z_]+\}\}', '', 'g');
end;
$$;

-- A row as it is sent: its text once rendered, else rendered now; or why it
-- cannot be sent (problem; subject and body null).
create function private.outbox_message(
    o private.email_outbox, out subject text, out body text, out problem text
)
returns record
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    if o.subject is not null then
        subject := o.subject;
        body := o.body;
        return;
    end if;
    begin
        perform o.to_address::public.email_address;
    exception when check_violation then
        problem := 'address_unusable: not an address mail can use (public.email_address)';
        return;
    end;
    begin
        select m.subject, m.body into subject, body from private.render_email(o.template, o.locale, o.vars) as m;
    exception when others then
        -- a raw value that is not what its kind says: this message only
        problem := pg_catalog.format('render_failed: %s', sqlerrm);
        return;
    end;
    if subject is null then
        problem := pg_catalog.format('template_missing: email template %s (%s) does not exist', o.template, o.locale);
    end if;
end;
$$;

comment on function private.outbox_message(private.email_outbox) is
'An outbox row''s subject and body as sent (rendered at claim, or now when not claimed yet), or why it cannot be sent.';

create view private.email_messages with (security_invoker = true) as
select
    o.id,
    o.dedupe_key,
    o.user_id,
    o.notification_id,
    o.to_address,
    o.locale,
    o.template,
    m.subject,
    m.body,
    m.problem,
    o.subject is not null as rendered,
    o.vars,
    o.status,
    o.attempts,
    o.max_attempts,
    o.next_attempt_at,
    o.locked_until,
    o.last_error,
    o.created_at,
    o.sent_at
from private.email_outbox as o
cross join lateral private.outbox_message(o) as m;

comment on view private.email_messages is
'The outbox as its recipients read it: each row''s subject and body as sent, or as they would be sent now (not claimed yet).';

revoke all on table private.email_messages from public, anon, authenticated;
grant select on table private.email_messages to service_role;
grant execute on function private.outbox_message(private.email_outbox) to service_role;

-- Writing (in the event's transaction) ----------------------------------------------

-- Writes a message to the outbox, once per dedupe key, to be rendered by its
-- sender: nothing is checked or formatted here (the claim does it).
create or replace function private.enqueue_email(
    user_id uuid, to_address text, locale public.locale, template text, vars jsonb, dedupe_key text,
    notification_id uuid default null
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into private.email_outbox (dedupe_key, user_id, notification_id, to_address, locale, template, vars)
    values (dedupe_key, user_id, notification_id, to_address, locale, template, vars)
    on conflict on constraint email_outbox_dedupe_key_key do nothing;
end;
$$;

-- A notification, emailed to its recipient unless they turned that kind off;
-- amounts, times and links stay raw (formatted when the sender renders).
create or replace function private.email_notification()
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
            'campaign_url', pg_catalog.jsonb_build_object('path', private.campaign_path(p ->> 'campaign_slug')),
            'amount', pg_catalog.jsonb_build_object('money', p -> 'amount', 'currency', p -> 'currency'),
            'goal', pg_catalog.jsonb_build_object('money', p -> 'goal_amount', 'currency', p -> 'currency'),
            'collected', pg_catalog.jsonb_build_object('money', p -> 'collected_amount', 'currency', p -> 'currency'),
            'ends_at', pg_catalog.jsonb_build_object('time', p -> 'ends_at')
        ),
        'notification:' || new.id,
        new.id
    );
    return null;
end;
$$;

-- Emails a receipt or credit note to the donor: donor_email, else the
-- account's; the amount and the signed link stay raw (formatted when sent).
create or replace function private.email_receipt(r public.receipts, d public.donations)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    address text := coalesce(
        d.donor_email::text,
        (select u.email from auth.users as u where u.id = d.donor_id and u.email <> '')
    );
    original text := case
        when r.receipt_id is not null then (select x.number from public.receipts as x where x.id = r.receipt_id)
    end;
begin
    if address is null then
        return;  -- a guest who left no address: the thanks page has the link
    end if;
    perform private.enqueue_email(
        d.donor_id, address, r.locale,
        case r.kind when 'receipt' then 'donation_receipt' else 'credit_note' end,
        pg_catalog.jsonb_build_object(
            'recipient_name', coalesce(r.donor_name, ''),
            'campaign_title', r.campaign_title,
            'amount', pg_catalog.jsonb_build_object('money', r.amount, 'currency', r.currency),
            'number', r.number,
            'receipt_number', coalesce(original, r.number),
            'receipt_url', pg_catalog.jsonb_build_object('receipt', r.id)
        ),
        'receipt:' || r.id
    );
end;
$$;

-- Sending (the sender, as service_role) -------------------------------------------

-- Takes up to `batch` due messages for `lease`: each goes to one sender only
-- (skip locked). A message whose sender died (lease over) is due again, unless
-- it has used its tries. A message not rendered yet is rendered now, once; one
-- that cannot be sent (private.outbox_message's problem) is failed with the
-- reason and returned too (status failed: the sender counts it, sends nothing),
-- and further due messages fill the batch.
create or replace function private.claim_emails(batch integer default 20, lease interval default '5 minutes')
returns setof private.email_outbox
language plpgsql
security definer
set search_path = ''
as $$
declare
    taken bigint[] := array[]::bigint[];
    refused bigint[] := array[]::bigint[];
    due bigint[];
    msg private.email_outbox;
    m record;
begin
    update private.email_outbox as o
    set status = 'failed', locked_until = null, last_error = 'sender lost while sending (lease over)'
    where o.status = 'sending' and o.locked_until < pg_catalog.now() and o.attempts >= o.max_attempts;

    loop
        due := array(
            select x.id from private.email_outbox as x
            where
                (x.status = 'pending' and x.next_attempt_at <= pg_catalog.now())
                or (x.status = 'sending' and x.locked_until < pg_catalog.now())
            order by x.next_attempt_at, x.id
            limit batch - pg_catalog.cardinality(taken)
            for update skip locked
        );
        exit when pg_catalog.cardinality(due) = 0;
        for msg in select * from private.email_outbox as x where x.id = any(due) loop
            m := private.outbox_message(msg);
            if m.problem is not null then
                update private.email_outbox as x
                set status = 'failed', locked_until = null, last_error = m.problem
                where x.id = msg.id;
                refused := refused || msg.id;
            else
                update private.email_outbox as x
                set
                    status = 'sending', attempts = x.attempts + 1, locked_until = pg_catalog.now() + lease,
                    subject = m.subject, body = m.body
                where x.id = msg.id;
                taken := taken || msg.id;
            end if;
        end loop;
        exit when pg_catalog.cardinality(taken) >= batch;
    end loop;

    return query
    select * from private.email_outbox as x where x.id = any(taken || refused) order by x.next_attempt_at, x.id;
end;
$$;
