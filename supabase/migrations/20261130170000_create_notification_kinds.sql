-- Notification kinds: what each kind of public.notifications tells, to whom,
-- and its payload's fields, defined once as a JSON Schema (draft 2020-12) per
-- kind. The frontend reads public.notification_kinds (anyone may: it holds no
-- data) to know, or to generate types for, each kind's payload; the database
-- checks every notification written against its kind's schema (a trigger), so
-- a producer cannot drift from the definition. docs/notifications.md is
-- generated from this table (`make notifications-doc`).
--
-- Every payload carries the campaign's fields (private.campaign_payload), then
-- its kind's own. Every field is always present (required); a field that may
-- be empty is typed ["…", "null"]. Amounts are integers in the currency's
-- minor units (XOF and XAF have none). No additional field is allowed.
--
-- The schemas use a subset of JSON Schema that private.json_schema_errors
-- checks: type (one or a list; integer is a number without a fraction), enum,
-- format (uuid, date-time), and for objects properties, required and
-- additionalProperties: false.

-- Tables -----------------------------------------------------------------------

create table public.notification_kinds (
    kind public.notification_kind primary key,
    -- who receives it and when
    description text not null,
    payload_schema jsonb not null check (
        payload_schema ->> 'type' = 'object' and pg_catalog.jsonb_typeof(payload_schema -> 'properties') = 'object'
    )
);

comment on table public.notification_kinds is
'Each notification kind: who receives it, when, and its payload''s JSON Schema (checked on every notification written). Read-only reference data.';
comment on column public.notification_kinds.payload_schema is
'JSON Schema (draft 2020-12) of public.notifications.payload for this kind: every property required, nullable ones typed [..., "null"], no other property.';

-- Grants -----------------------------------------------------------------------

revoke all on table public.notification_kinds from anon, authenticated, service_role;
grant select on table public.notification_kinds to anon, authenticated, service_role;

-- RLS --------------------------------------------------------------------------

alter table public.notification_kinds enable row level security;

create policy "anyone reads the notification kinds"
on public.notification_kinds for select to anon, authenticated
using (true);

create policy "the service reads the notification kinds"
on public.notification_kinds for select to service_role
using (true);

-- Functions ----------------------------------------------------------------------

-- The ways `doc` breaks `schema` (empty: none), each as "<path>: <problem>".
create function private.json_schema_errors(schema jsonb, doc jsonb, path text default '$')
returns text[]
language plpgsql
immutable
set search_path = ''
as $$
declare
    types jsonb := case pg_catalog.jsonb_typeof(schema -> 'type')
        when 'array' then schema -> 'type'
        when 'string' then pg_catalog.jsonb_build_array(schema -> 'type')
    end;
    actual text := pg_catalog.jsonb_typeof(doc);
    errors text[] := array[]::text[];
    field text;
begin
    if types is not null and not (
        types ? actual or (actual = 'number' and types ? 'integer' and doc::text ~ '^-?[0-9]+$')
    ) then
        return array[pg_catalog.format('%s: %s is not of type %s', path, actual, types)];
    end if;
    if schema ? 'enum' and not (schema -> 'enum') @> pg_catalog.jsonb_build_array(doc) then
        errors := errors || pg_catalog.format('%s: %s is not one of %s', path, doc, schema -> 'enum');
    end if;
    if actual = 'string' and not coalesce(doc #>> '{}' ~ case schema ->> 'format'
        when 'uuid' then '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        when 'date-time' then '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$'
    end, true) then
        errors := errors || pg_catalog.format('%s: %s is not a %s', path, doc, schema ->> 'format');
    end if;
    if actual = 'object' then
        for field in
            select r.value from pg_catalog.jsonb_array_elements_text(schema -> 'required') as r (value)
            where not doc ? r.value
        loop
            errors := errors || pg_catalog.format('%s.%s: missing', path, field);
        end loop;
        for field in select pg_catalog.jsonb_object_keys(doc) loop
            if schema -> 'properties' ? field then
                errors := errors || private.json_schema_errors(
                    schema -> 'properties' -> field, doc -> field, path || '.' || field
                );
            elsif schema -> 'additionalProperties' = 'false' then
                errors := errors || pg_catalog.format('%s.%s: not a field of this payload', path, field);
            end if;
        end loop;
    end if;
    return errors;
end;
$$;

comment on function private.json_schema_errors(jsonb, jsonb, text) is
'The ways a JSON document breaks a JSON Schema (the subset public.notification_kinds uses): empty when it matches.';

-- A notification's payload matches its kind's definition, or it is not written.
create function private.check_notification_payload()
returns trigger
language plpgsql
stable
set search_path = ''
as $$
declare
    schema jsonb := (select k.payload_schema from public.notification_kinds as k where k.kind = new.kind);
    errors text[];
begin
    if schema is null then
        raise exception using
            errcode = '23514', message = 'notification_payload_invalid',
            detail = pg_catalog.format('The notification kind %s has no definition in public.notification_kinds.', new.kind);
    end if;
    errors := private.json_schema_errors(schema, new.payload);
    if pg_catalog.cardinality(errors) > 0 then
        raise exception using
            errcode = '23514', message = 'notification_payload_invalid',
            detail = pg_catalog.format(
                'A %s notification''s payload breaks its definition: %s.', new.kind, pg_catalog.array_to_string(errors, '; ')
            );
    end if;
    return new;
end;
$$;

-- Triggers ---------------------------------------------------------------------

create trigger notifications_check_payload
before insert or update of kind, payload on public.notifications
for each row execute function private.check_notification_payload();

-- The kinds ------------------------------------------------------------------------

with
campaign (properties) as (
    select pg_catalog.jsonb_build_object(
        'campaign_title', pg_catalog.jsonb_build_object('type', 'string', 'description', 'The campaign''s title.'),
        'campaign_slug', pg_catalog.jsonb_build_object(
            'type', 'string', 'description', 'The campaign''s slug: its page is /c/{slug} on the site.'
        ),
        'currency', pg_catalog.jsonb_build_object(
            'type', 'string', 'description', 'ISO 4217 code of the campaign''s amounts (public.currencies).'
        ),
        'goal_amount', pg_catalog.jsonb_build_object(
            'type', 'integer', 'description', 'The campaign''s goal, in minor units of currency.'
        ),
        'collected_amount', pg_catalog.jsonb_build_object(
            'type', 'integer', 'description', 'What the campaign has collected, in minor units of currency.'
        )
    )
),

-- fields several kinds share
shared (field) as (
    select pg_catalog.jsonb_build_object(
        'amount', '{"type": "integer", "description": "The amount, in minor units of currency."}'::jsonb,
        'reason', '{"type": ["string", "null"], "description": "Why, as the operator wrote it (null: none given)."}'::jsonb,
        'campaign_status', pg_catalog.jsonb_build_object(
            'type', 'string', 'enum', pg_catalog.to_jsonb(pg_catalog.enum_range(null::public.campaign_status)),
            'description', 'The campaign''s status after the decision.'
        )
    )
),

kind (kind, description, properties) as (
    select
        v.kind,
        v.description,
        v.properties
    from shared as s
    cross join lateral (
        values
        (
            'donation_received', 'To the owner, for each credited donation.',
            pg_catalog.jsonb_build_object(
                'amount', s.field -> 'amount',
                'donor_name', '{"type": "string", "description": "The donor''s name, or \"Anonyme\" (anonymous gift, no name, or the donor left)."}'::jsonb
            )
        ),
        ('goal_reached', 'To the owner and the donors, once, when the campaign reaches its goal.', '{}'::jsonb),
        (
            'campaign_ending', 'To the owner, 48 hours before the campaign ends (scheduled job remind-ending-campaigns).',
            '{"ends_at": {"type": "string", "format": "date-time", "description": "When the campaign ends."}}'
        ),
        (
            'campaign_ended', 'To the owner and the donors, when the campaign expires, funded or not.',
            '{"funded": {"type": "boolean", "description": "Whether it reached its goal."}}'
        ),
        (
            'campaign_update', 'To the donors, for each update the team posts.',
            '{"update_id": {"type": "string", "format": "uuid", "description": "The update (public.campaign_updates)."},
          "title": {"type": "string", "description": "The update''s title."}}'
        ),
        (
            'moderation_decision', 'To the owner, when moderation approves or rejects the campaign.',
            pg_catalog.jsonb_build_object(
                'decision', '{"type": "string", "enum": ["active", "rejected"], "description": "active: approved and published; rejected."}'::jsonb,
                'reason', s.field -> 'reason'
            )
        ),
        (
            'new_comment', 'To the owner, for each comment by someone else.',
            '{"comment_id": {"type": "string", "format": "uuid", "description": "The comment (public.comments)."}}'
        ),
        (
            'invitation', 'To an invitee who has an account, for each invitation sent (and resent) to their email.',
            pg_catalog.jsonb_build_object(
                'invitation_id', '{"type": "string", "format": "uuid", "description": "The invitation (public.campaign_invitations)."}'::jsonb,
                'role', pg_catalog.jsonb_build_object(
                    'type', 'string', 'enum', pg_catalog.to_jsonb(pg_catalog.enum_range(null::public.invitation_role)),
                    'description', 'The role offered.'
                ),
                'inviter_name', '{"type": ["string", "null"], "description": "The inviter''s display name (null: none)."}'::jsonb
            )
        ),
        (
            'payout_update', 'To the owner, at each step of a payout (requested, approved, paid, failed, rejected, cancelled).',
            pg_catalog.jsonb_build_object(
                'payout_id', '{"type": "string", "format": "uuid", "description": "The payout (public.payout_requests)."}'::jsonb,
                'status', pg_catalog.jsonb_build_object(
                    'type', 'string', 'enum', pg_catalog.to_jsonb(pg_catalog.enum_range(null::public.payout_status)),
                    'description', 'The payout''s new status.'
                ),
                'amount', s.field -> 'amount',
                'reason', s.field -> 'reason',
                'reference', '{"type": ["string", "null"], "description": "The transfer''s reference, once paid."}'::jsonb,
                'destination', '{"type": "string", "description": "The bank or operator and the masked account, e.g. \"orange_money +223 •• ••• •• 56\"."}'::jsonb
            )
        ),
        (
            'campaign_frozen', 'To the owner, when an operator freezes the campaign.',
            pg_catalog.jsonb_build_object(
                'reason', s.field -> 'reason',
                'status', s.field -> 'campaign_status'
            )
        ),
        (
            'campaign_unfrozen', 'To the owner, when an operator unfreezes the campaign.',
            pg_catalog.jsonb_build_object(
                'reason', s.field -> 'reason',
                'status', s.field -> 'campaign_status'
            )
        ),
        (
            'campaign_closed', 'To the owner, when an operator closes the campaign and refunds its donors.',
            pg_catalog.jsonb_build_object(
                'reason', s.field -> 'reason',
                'status', s.field -> 'campaign_status'
            )
        ),
        (
            'campaign_edit_restored', 'To the owner, when a re-reviewed edit is undone: the approved text is restored.',
            pg_catalog.jsonb_build_object(
                'reason', s.field -> 'reason',
                'status', s.field -> 'campaign_status'
            )
        )
    ) as v (kind, description, properties)
)

insert into public.notification_kinds (kind, description, payload_schema)
select
    k.kind::public.notification_kind as kind,
    k.description,
    pg_catalog.jsonb_build_object(
        '$schema', 'https://json-schema.org/draft/2020-12/schema',
        'title', k.kind,
        'type', 'object',
        'properties', c.properties || k.properties,
        'required', (
            select pg_catalog.jsonb_agg(p.name order by p.name)
            from pg_catalog.jsonb_object_keys(c.properties || k.properties) as p (name)
        ),
        'additionalProperties', false
    ) as payload_schema
from kind as k
cross join campaign as c;
