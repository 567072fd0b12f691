-- Notifications of operators' decisions on a campaign, told to its owner (in
-- app and by email, template = kind): frozen (why), unfrozen, closed with
-- refunds, and a re-reviewed edit restored to the approved text (why). (Enum
-- values are added in a migration of their own: a transaction cannot use a
-- value it added.)

alter type public.notification_kind add value if not exists 'campaign_frozen';
alter type public.notification_kind add value if not exists 'campaign_unfrozen';
alter type public.notification_kind add value if not exists 'campaign_closed';
alter type public.notification_kind add value if not exists 'campaign_edit_restored';
