-- Paystack, the third payment provider: cards, bank transfer, USSD and mobile
-- money (M-Pesa in Kenya, MTN and others in Ghana and Côte d'Ivoire) for
-- anglophone Africa, on the same payment core as Stripe and CinetPay.
--
-- Currencies: Paystack is the default provider for NGN, GHS, KES and ZAR (the
-- South African rand, added here), and takes XOF too, where CinetPay stays
-- the default. Stripe keeps taking every currency by card when a donor chooses it.
--
-- Units: Paystack's API counts every currency it takes in its subunit, two
-- decimals (kobo, pesewas, cents; XOF too, https://paystack.com/docs/api/#supported-currency):
-- an XOF pledge of 5000 is sent as 500000 (private.provider_exponent).
-- Minimums: Paystack's own per currency (same page): NGN 50.00, GHS 0.10,
-- KES 3.00, ZAR 1.00, XOF 1; the currency's own bounds (public.currencies)
-- apply on top and are higher.
--
-- Money rules: unchanged (the payment core's header). The service trusts no
-- Paystack webhook alone: each charge is confirmed by Paystack's verify
-- endpoint and each refund by its refund list before it counts. Paystack
-- reports its fee per transaction (the verify answer's `fees`): the payment
-- core records that fee, so there are no public.provider_fees rows for it
-- (a payment reported without a fee is recorded with none).
--
-- References: the Paystack transaction's reference is our attempt id; its
-- access code is the attempt's session_ref and its numeric id the attempt's
-- payment_ref; the metadata carries our donation id. As for the other
-- providers, an event whose references disagree is held for review.

-- Reference data ---------------------------------------------------------------

-- The rand, for South African donors (Paystack's default for it; Stripe's card
-- offer follows through private.offer_cards_for_new_currency).
insert into public.currencies (code, name_fr, name_en, exponent, min_donation, max_donation, max_goal)
values ('ZAR', 'Rand sud-africain', 'South African rand', 2, 2000, 30000000, 3000000000)
on conflict (code) do nothing;

-- Functions --------------------------------------------------------------------

-- The provider_exponent of the payment core, with Paystack: two decimals for
-- every currency it takes (its subunit: https://paystack.com/docs/api/#supported-currency).
-- The other providers' units are unchanged, so the stored provider_exponent of
-- their rows is too.
create or replace function private.provider_exponent(provider public.payment_provider, currency text)
returns smallint
language sql
immutable
set search_path = ''
as $$
    select (case
        when provider = 'cinetpay' then 0
        when provider = 'paystack' then 2
        when pg_catalog.upper(currency) in (
            'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA',
            'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'
        ) then 0
        when pg_catalog.upper(currency) in ('BHD', 'JOD', 'KWD', 'OMR', 'TND') then 3
        else 2
    end)::smallint
$$;

comment on function private.provider_exponent(public.payment_provider, text) is
'The number of decimals a provider''s API counts a currency''s amounts in (Stripe: 0 for its zero-decimal currencies, 3 for BHD, JOD, KWD, OMR and TND, 2 otherwise; CinetPay: 0, whole units; Paystack: 2, its subunits), from the providers'' documentation.';

-- Tables -----------------------------------------------------------------------

-- The currencies Paystack takes (https://paystack.com/docs/api/#supported-currency).
alter table public.provider_currencies add constraint provider_currencies_paystack_currency_check
check (provider <> 'paystack' or currency in ('NGN', 'GHS', 'KES', 'ZAR', 'XOF', 'USD'));

-- Data -------------------------------------------------------------------------

-- Paystack becomes the default where it is (Stripe stays offered by card).
update public.provider_currencies
set is_default = false
where currency in ('NGN', 'GHS', 'KES', 'ZAR') and is_default;

insert into public.provider_currencies (provider, currency, min_amount, is_default)
select
    'paystack'::public.payment_provider as provider,
    v.currency,
    v.min_amount,
    v.is_default
from (
    values
    ('NGN', 5000, true),
    ('GHS', 10, true),
    ('KES', 300, true),
    ('ZAR', 100, true),
    ('XOF', 1, false)
) as v (currency, min_amount, is_default)
inner join public.currencies as c on v.currency = c.code;
