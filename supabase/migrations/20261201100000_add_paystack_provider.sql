-- Paystack, the third payment provider (its rules: 20261201100100_create_paystack_payments.sql).
-- Its own file: a new enum value cannot be used in the transaction that adds it.

alter type public.payment_provider add value 'paystack';
