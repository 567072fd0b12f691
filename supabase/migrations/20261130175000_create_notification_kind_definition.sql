-- Defining a notification kind, in one place: its description and its own
-- payload fields. The payload's JSON Schema is then built as every kind's is
-- (create_notification_kinds): the campaign's fields first (those of
-- goal_reached, which has no others), then the kind's own; every field
-- required, no other field allowed. Features that add a kind (after adding its
-- enum value in a migration of its own) call it once per kind.

create function private.define_notification_kind(kind public.notification_kind, description text, properties jsonb)
returns void
language sql
set search_path = ''
as $$
    insert into public.notification_kinds (kind, description, payload_schema)
    select
        define_notification_kind.kind,
        define_notification_kind.description,
        pg_catalog.jsonb_build_object(
            '$schema', 'https://json-schema.org/draft/2020-12/schema',
            'title', define_notification_kind.kind,
            'type', 'object',
            'properties', f.properties,
            'required', (
                select pg_catalog.jsonb_agg(p.name order by p.name)
                from pg_catalog.jsonb_object_keys(f.properties) as p (name)
            ),
            'additionalProperties', false
        )
    from (
        select (k.payload_schema -> 'properties') || define_notification_kind.properties as properties
        from public.notification_kinds as k
        where k.kind = 'goal_reached'
    ) as f
$$;

comment on function private.define_notification_kind(public.notification_kind, text, jsonb) is
'Adds a notification kind: its description and its own payload fields, after the campaign''s (migrations only).';
