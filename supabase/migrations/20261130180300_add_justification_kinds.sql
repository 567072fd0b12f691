-- Notifications of justified spending: the donors of a campaign hear when its
-- team publishes what a payout paid for (in app, and emailed: template = kind).
-- (Enum values are added in a migration of their own: a transaction cannot use
-- a value it added.)

alter type public.notification_kind add value if not exists 'justification_published';
