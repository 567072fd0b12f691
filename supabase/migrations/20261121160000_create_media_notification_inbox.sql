-- Cloudinary notifications are applied once: a signed notification replayed
-- (inside its two hours of validity) changes nothing, e.g. an upload
-- notification played again after the asset was deleted.

-- Tables -----------------------------------------------------------------------

create table private.media_notifications (
    -- X-Cld-Signature: the hash of the body and its timestamp, one per notification
    signature text primary key,
    received_at timestamptz not null default pg_catalog.now()
);

create index media_notifications_received_at_idx on private.media_notifications (received_at);

comment on table private.media_notifications is
'Signatures of the Cloudinary notifications applied in the last day (replays are duplicates).';

-- Grants -----------------------------------------------------------------------

revoke all on table private.media_notifications from public, anon, authenticated;

-- Functions --------------------------------------------------------------------

-- True the first time a notification is seen; forgets those too old to verify.
create function private.first_media_notification(signature text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
    delete from private.media_notifications as n
    where n.received_at < pg_catalog.now() - interval '1 day';
    insert into private.media_notifications (signature)
    values (first_media_notification.signature)
    on conflict do nothing;
    return found;
end;
$$;

grant execute on function private.first_media_notification(text) to service_role;
