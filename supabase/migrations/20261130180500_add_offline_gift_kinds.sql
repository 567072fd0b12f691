-- Notifications of attested offline gifts, told to the campaign's team (in app
-- and by email, template = kind): a gift awaits a co-signature, and it was
-- attested, refused or withdrawn. (Enum values are added in a migration of
-- their own: a transaction cannot use a value it added.)

alter type public.notification_kind add value if not exists 'offline_gift_to_attest';
alter type public.notification_kind add value if not exists 'offline_gift_attested';
alter type public.notification_kind add value if not exists 'offline_gift_refused';
alter type public.notification_kind add value if not exists 'offline_gift_withdrawn';
