-- A receipt's payment reference (receipts.provider_ref) is what the donor's
-- statement and the provider's dashboard know the payment by: Stripe's payment
-- intent (else its charge, else its Checkout Session), and for CinetPay and
-- Paystack the transaction reference we gave them, our attempt id
-- (20261201100100, "References": Paystack's numeric transaction id is only the
-- attempt's payment_ref). Receipts of Paystack payments showed that numeric
-- id; the rule now lives in private.payment_reference, which
-- private.issue_receipt reads. Receipts already issued are left as issued.

create function private.payment_reference(attempt private.payment_attempts)
returns text
language sql
immutable
set search_path = ''
as $$
    select case
        when attempt.provider in ('cinetpay', 'paystack') then attempt.id::text
        else coalesce(attempt.payment_ref, attempt.charge_ref, attempt.session_ref)
    end
$$;

comment on function private.payment_reference(private.payment_attempts) is
'The reference a payment is known by to its donor and its provider (what a receipt shows): Stripe''s payment intent, else its charge, else its session; the transaction reference we gave CinetPay and Paystack (the attempt id).';

revoke execute on function private.payment_reference(private.payment_attempts) from public;

-- private.issue_receipt of 20261130180100, its reference from private.payment_reference.
create or replace function private.issue_receipt(donation_id uuid, send_email boolean default true)
returns public.receipts
language plpgsql
security definer
set search_path = ''
as $$
declare
    d public.donations;
    r public.receipts;
    taken text;
begin
    select * into r from public.receipts as x where x.donation_id = issue_receipt.donation_id and x.kind = 'receipt';
    if found then
        return r;
    end if;
    select * into d from public.donations as x where x.id = issue_receipt.donation_id;
    taken := private.take_receipt_number('R', pg_catalog.clock_timestamp());
    insert into public.receipts (
        kind, number, issued_at, donation_id, locale, campaign_id, campaign_title, organiser_name, amount, currency,
        donated_at, provider, provider_ref, donor_name, organisation_id, organisation_name,
        organisation_rccm, organisation_ninea, organisation_ifu, organisation_address, legal_mention
    )
    select
        'receipt', taken, pg_catalog.clock_timestamp(), d.id, private.donor_locale(d), c.id, c.title,
        owner.display_name, d.amount, d.currency, d.succeeded_at, a.provider,
        a.reference, d.donor_name, o.id, o.legal_name,
        o.rccm, o.ninea, o.ifu, o.address,
        case private.donor_locale(d) when 'en' then o.legal_mention_en else o.legal_mention_fr end
    from public.campaigns as c
    left join public.profiles as owner on owner.id = c.owner_id
    left join public.campaign_organisations as co on co.campaign_id = c.id
    left join public.organisations as o on o.id = co.organisation_id
    left join lateral (
        select x.provider, private.payment_reference(x) as reference
        from private.payment_attempts as x
        where x.donation_id = d.id
        order by x.status = 'succeeded' desc, x.created_at desc
        limit 1
    ) as a on true
    where c.id = d.campaign_id
    returning * into r;
    if send_email then
        perform private.email_receipt(r, d);
    end if;
    return r;
end;
$$;
