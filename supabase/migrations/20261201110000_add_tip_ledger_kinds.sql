-- The ledger learns tips (issue #20): `tip` is the platform's revenue a donor
-- added to a donation, `tip_fee` the share of the provider's processor fee
-- that the tip bears, `tip_refund` a tip given back. They are booked on the
-- donation's campaign row for traceability but are never the campaign's
-- money (private.is_platform_revenue). (Enum values are added in a migration
-- of their own: a transaction cannot use a value it added.)

alter type private.ledger_kind add value if not exists 'tip';
alter type private.ledger_kind add value if not exists 'tip_fee';
alter type private.ledger_kind add value if not exists 'tip_refund';
