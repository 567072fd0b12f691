-- Paying from abroad before the provider settled: a card charged in the
-- donor's currency (payment_attempts.pay_currency) is booked at what the
-- provider settled, in the campaign's currency (20261201110200, "Paying from
-- abroad"). When Stripe has not yet attached a balance transaction to the
-- charge, that amount is unknown: the service then writes nothing and answers
-- 503 so that Stripe sends the event again (`stripe reconcile` leaves it for a
-- later run), instead of recording the payment held as a mismatch that Stripe's
-- retry would only duplicate.
--
-- This file gives the service the one question it asks the database for
-- that: whether an attempt is paid in the donor's currency.

create function private.paid_in_donor_currency(attempt_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(
        (select a.pay_currency is not null from private.payment_attempts as a where a.id = attempt_id),
        false
    )
$$;

comment on function private.paid_in_donor_currency(uuid) is
'Whether a payment attempt charges the donor in their own currency (paying from abroad): its ledger books what the provider settled, which must be known before the payment is recorded.';

revoke execute on function private.paid_in_donor_currency(uuid) from public;
grant execute on function private.paid_in_donor_currency(uuid) to service_role;
