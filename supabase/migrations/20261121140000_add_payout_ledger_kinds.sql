-- The ledger learns payouts: `payout` takes the amount out of the campaign's
-- balance when the owner requests it (reserved while in progress, then paid),
-- `payout_reversal` gives it back when the payout is cancelled, rejected or
-- failed. (Enum values are added in a migration of their own: a transaction
-- cannot use a value it added.)

alter type private.ledger_kind add value if not exists 'payout';
alter type private.ledger_kind add value if not exists 'payout_reversal';
alter type public.notification_kind add value if not exists 'payout_update';
