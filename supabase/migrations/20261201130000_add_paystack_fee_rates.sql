-- Paystack in the quote (issue #20, "Done when": a quote followed by the
-- payment it quoted yields exactly the quoted net, through Paystack too).
--
-- Rules:
-- - Paystack reports its fee on each transaction (verify's `fees`) and the
--   payment core books that fee, as before. The quote (public.donation_quote)
--   and covered fees (private.gross_up) have no payment yet: they count the
--   rate of public.provider_fees, which had no Paystack rows (a Paystack quote
--   showed no processor fee). Paystack's rows are added here, one per channel
--   as its verify answer names it (`channel`: card, mobile_money, bank, ussd,
--   qr, bank_transfer, eft, apple_pay), the channel's codes in
--   payment_methods, upper case (private.processor_fee compares them so).
-- - The rates are Paystack's published local ones
--   (https://support.paystack.com/hc/en-us/articles/360009973579, "Transactions
--   pricing"): cards 1.5 % in Nigeria, 1.95 % in Ghana, 2.9 % in Kenya and South
--   Africa, 3.2 % in Côte d'Ivoire; mobile money 1.95 % in Ghana and Côte
--   d'Ivoire, 1.5 % for M-Pesa in Kenya; Nigeria's other local channels
--   (bank, USSD, QR, transfer) 1.5 %, South Africa's EFT 2 %.
-- - public.provider_fees has one rate per provider and channel, not per
--   currency: each Paystack channel takes the highest of its local rates
--   (cards 3.2 %, mobile money 1.95 %, bank channels 2 %), so that a quote
--   never shows more than the beneficiary receives; the ledger books what
--   Paystack reports, which is at most that. Like Stripe's row, only the
--   percentage is modelled: Paystack's fixed parts (NGN 100 above NGN 2 500,
--   capped at NGN 2 000; ZAR 1.00), its international card rates (3.8 % to
--   4.5 %) and VAT are not. Set from the merchant contract (admins edit the
--   rows); a quote that names no channel counts the highest (cards).
-- - A new channel name, bank, for Paystack's bank channels (the channels'
--   check widened; CinetPay's and Stripe's rows unchanged).

-- Tables -----------------------------------------------------------------------

alter table public.provider_fees drop constraint provider_fees_channel_check;

alter table public.provider_fees add constraint provider_fees_channel_check
check (channel in ('mobile_money', 'card', 'wallet', 'bank'));

-- Data -------------------------------------------------------------------------

insert into public.provider_fees (provider, channel, fee_bp, payment_methods)
values
('paystack', 'card', 320, '{CARD,APPLE_PAY}'),
('paystack', 'mobile_money', 195, '{MOBILE_MONEY,MPESA,M_PESA}'),
('paystack', 'bank', 200, '{BANK,USSD,QR,BANK_TRANSFER,EFT,DEDICATED_NUBAN,PAYATTITUDE}')
on conflict do nothing;
