-- Notifications of justified spending (in app, and emailed: template = kind):
-- the donors of a campaign hear when its team publishes what a payout paid for;
-- the team hears once when a paid payout's justification becomes overdue.
-- (Enum values are added in a migration of their own: a transaction cannot use
-- a value it added.)

alter type public.notification_kind add value if not exists 'justification_published';
alter type public.notification_kind add value if not exists 'justification_overdue';
