-- Notifications of monthly giving, told to the donor (in app and by email,
-- template = kind; a guest by email only): their recurring gift started (the
-- first month was paid), and it ended (canceled by the donor, the campaign
-- closed, or the card kept failing after Stripe's last retry). (Enum values
-- are added in a migration of their own: a transaction cannot use a value it
-- added.)

alter type public.notification_kind add value if not exists 'recurring_gift_started';
alter type public.notification_kind add value if not exists 'recurring_gift_ended';
