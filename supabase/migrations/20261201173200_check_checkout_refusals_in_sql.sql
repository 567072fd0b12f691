-- Checkout refusals the service made in Python, now the database's, each in
-- its one home (the service only relays the token, with its status from the
-- SQLSTATE: webhooks.db.as_api_error); tokens and statuses unchanged:
--
-- - email_required (422): a provider that charges no one without the donor's
--   email address. Paystack's initialize requires `email`
--   (https://paystack.com/docs/api/transaction/#initialize); Stripe and
--   CinetPay take a payment without one. That is a property of the provider,
--   private.provider_needs_email; private.create_donation refuses a pledge to
--   such a provider whose donor has no usable address (a guest who gave none,
--   an account whose address mail cannot use), before anything is written.
-- - recurring_extras_unsupported (422): a monthly gift takes no tip, covered
--   fees or pay_currency (one-off gifts do). private.start_recurring_gift
--   takes them as arguments (the checkout passes what the donor asked) and
--   refuses any, before anything is written, never starting the gift without it.

-- Functions --------------------------------------------------------------------

create function private.provider_needs_email(provider public.payment_provider)
returns boolean
language sql
immutable
set search_path = ''
as $$
    -- Paystack's initialize: `email` is required (https://paystack.com/docs/api/transaction/#initialize)
    select provider = 'paystack'
$$;

comment on function private.provider_needs_email(public.payment_provider) is
'Whether a provider charges no one without the donor''s email address (Paystack); private.create_donation refuses such a pledge without one (email_required).';

revoke execute on function private.provider_needs_email(public.payment_provider) from public;

-- private.create_donation of 20261201110200, refusing a pledge without an
-- address to a provider that needs one (email_required).
create or replace function private.create_donation(
    campaign_id uuid,
    amount bigint,
    currency text,
    provider public.payment_provider,
    donor_id uuid default null,
    donor_name text default null,
    donor_email text default null,
    message text default null,
    is_anonymous boolean default false,
    tip_amount bigint default 0,
    cover_fees boolean default false,
    payment_method text default null,
    pay_currency text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
    cur public.currencies;
    donor auth.users;
    name text := nullif(pg_catalog.btrim(pg_catalog.regexp_replace(donor_name, '[[:cntrl:]]+', ' ', 'g')), '');
    email public.email_address;
    tip bigint := coalesce(tip_amount, 0);
    gift bigint;
    d public.donations;
    attempt_id uuid;
    charged_currency text;
begin
    select * into c from public.campaigns as x where x.id = create_donation.campaign_id;
    if not found or not c.is_published then
        raise exception using
            errcode = 'PT404', message = 'campaign_not_found', detail = 'No such campaign, or not visible to you.';
    end if;
    if create_donation.currency is distinct from c.currency then
        raise exception using
            errcode = 'PT422', message = 'currency_mismatch',
            detail = format('This campaign collects %s.', c.currency);
    end if;
    perform private.check_donation_terms(c, amount);
    perform private.check_tip(amount, tip);
    gift := private.pledged_gift(c, provider, payment_method, amount, tip, cover_fees);
    perform private.check_donation_terms(c, gift);
    charged_currency := nullif(pg_catalog.upper(pay_currency), c.currency);
    select * into cur from public.currencies as k where k.code = c.currency;
    if donor_id is not null then
        select * into donor from auth.users as u where u.id = create_donation.donor_id;
        if not found then
            raise exception using errcode = 'PT401', message = 'unknown_donor', detail = 'No such user.';
        end if;
        if private.is_banned(donor.id) then
            raise exception using
                errcode = 'PT403', message = 'account_banned',
                detail = 'This account is suspended: it can read public data but not write.';
        end if;
        name := coalesce(name, (select p.display_name from public.profiles as p where p.id = donor.id));
    end if;
    begin
        email := nullif(pg_catalog.btrim(donor_email), '');
    exception when check_violation then
        raise exception using
            errcode = 'PT422', message = 'invalid_email',
            detail = 'Not an email address mail can use (name@domain.tld, ASCII).';
    end;
    if pg_catalog.char_length(name) > 80 or pg_catalog.char_length(message) > 500 then
        raise exception using
            errcode = 'PT422', message = 'field_too_long',
            detail = 'donor_name <= 80, message <= 500 characters.';
    end if;
    if email is null and donor.email is not null then
        begin  -- the account's own address, when mail can use it
            email := donor.email;
        exception when check_violation then
            email := null;
        end;
    end if;
    if email is null and private.provider_needs_email(provider) then
        raise exception using
            errcode = 'PT422', message = 'email_required',
            detail = 'This provider charges no one without the donor''s email address: a guest gives one.';
    end if;

    insert into public.donations (
        campaign_id, donor_id, amount, currency, donor_name, donor_email, message, is_anonymous,
        platform_fee_bp, tip_amount, covers_fees
    )
    values (
        c.id, donor_id, gift, c.currency, name, email,
        nullif(pg_catalog.btrim(message), ''), coalesce(is_anonymous, false),
        private.campaign_platform_fee_bp(c.id), tip, coalesce(cover_fees, false)
    )
    returning * into d;
    insert into private.payment_attempts (donation_id, provider, amount, currency, pay_currency, pay_amount)
    values (
        d.id, provider, d.amount + d.tip_amount, d.currency, charged_currency,
        private.pay_amount(provider, d.currency, charged_currency, d.amount + d.tip_amount)
    )
    returning id into attempt_id;

    return pg_catalog.jsonb_build_object(
        'donation_id', d.id,
        'attempt_id', attempt_id,
        'campaign_id', c.id,
        'amount', d.amount,
        'tip_amount', d.tip_amount,
        'charged_amount', d.amount + d.tip_amount,
        'currency', d.currency,
        'pay_currency', charged_currency,
        'exponent', cur.exponent,
        'donor_email', d.donor_email,
        'campaign_title', c.title,
        'campaign_slug', c.slug
    );
end;
$$;

-- private.start_recurring_gift of 20261201120100, given the extras a one-off
-- gift may ask (tip_amount, cover_fees, pay_currency) to refuse them
-- (recurring_extras_unsupported).
drop function private.start_recurring_gift(
    uuid, bigint, text, public.payment_provider, uuid, text, text, text, boolean, public.locale
);

create function private.start_recurring_gift(
    campaign_id uuid,
    amount bigint,
    currency text,
    provider public.payment_provider,
    donor_id uuid default null,
    donor_name text default null,
    donor_email text default null,
    message text default null,
    is_anonymous boolean default false,
    locale public.locale default null,
    tip_amount bigint default 0,
    cover_fees boolean default false,
    pay_currency text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    pledge jsonb;
    d public.donations;
    gift_id uuid;
begin
    if coalesce(tip_amount, 0) <> 0 or coalesce(cover_fees, false) or pay_currency is not null then
        raise exception using
            errcode = 'PT422', message = 'recurring_extras_unsupported',
            detail = 'A monthly gift takes no tip, covered fees or pay_currency: one-off gifts do.';
    end if;
    if provider is distinct from 'stripe' then
        raise exception using
            errcode = 'PT422', message = 'recurring_needs_card',
            detail = 'Monthly giving is by card (Stripe) only.';
    end if;
    pledge := private.create_donation(
        campaign_id => campaign_id, amount => amount, currency => currency, provider => provider,
        donor_id => donor_id, donor_name => donor_name, donor_email => donor_email, message => message,
        is_anonymous => is_anonymous
    );
    if locale is not null then
        perform private.remember_donation_locale((pledge ->> 'donation_id')::uuid, locale);
    end if;
    select * into d from public.donations as x where x.id = (pledge ->> 'donation_id')::uuid;
    insert into public.recurring_gifts (
        campaign_id, donor_id, donor_email, donor_name, is_anonymous, amount, currency, locale
    )
    values (
        d.campaign_id, d.donor_id, d.donor_email, d.donor_name, d.is_anonymous, d.amount, d.currency,
        coalesce((select f.locale from public.profiles as f where f.id = d.donor_id), locale, 'fr')
    )
    returning id into gift_id;
    insert into private.recurring_gift_refs (gift_id, first_donation_id) values (gift_id, d.id);
    perform private.audit('recurring_gift_pending', 'recurring_gift', gift_id::text, '{}');
    return pledge || pg_catalog.jsonb_build_object('recurring_gift_id', gift_id);
end;
$$;

grant execute on function private.start_recurring_gift(
    uuid, bigint, text, public.payment_provider, uuid, text, text, text, boolean, public.locale, bigint, boolean, text
) to service_role;
