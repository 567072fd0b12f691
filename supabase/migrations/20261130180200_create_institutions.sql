-- Paying the institution directly: a hospital, a clinic, a school, a
-- university or a funeral home is paid instead of the organiser.
--
--   register_institution(...)            admins, once they checked the institution's
--                                        documents: its name, kind, city, country, the
--                                        document checked (a private Cloudinary asset
--                                        under africagnotte/institutions/) and where it
--                                        is paid (a bank account or a merchant wallet)
--   update_institution(id, ...)          admins: every detail given again, re-checked
--                                        and re-verified (verified_by, verified_at)
--   deactivate_institution(id, reason)   admins: it can no longer be chosen, and an
--                                        open payout to it is blocked (payout_blockers:
--                                        institution_deactivated) until rejected
--   set_institution_threshold(category,  admins: above this amount (minor units), a
--       currency, above)                 campaign of the category pays an institution,
--                                        not the organiser (null: no rule)
--   request_payout_to_institution(       the owner, with every check of request_payout
--       campaign, amount, institution)   (private.check_payout_request), to an active
--                                        institution
--
-- Who sees what: anyone (anon too) reads an institution's name, kind, city,
-- country and masked account, to choose one or to show it on a campaign's page.
-- Its account in full is sealed with the payout key like a payout's
-- (private.institution_accounts, with the verification: who verified it and the
-- document's reference); only the console opens it, for an admin
-- (private.institution_account_for_staff, audited). Nobody writes the table but
-- these functions: no campaign team ever edits an institution.
--
-- A payout to an institution (payout_requests.institution_id) takes the
-- institution's method, bank or operator and masks, and a copy of its sealed
-- account (private.payout_accounts): the payout keeps the account it was asked
-- for even if the institution is re-verified with another one later, and the
-- deciding admin reads it as any payout (`payouts show`). The team's
-- GET /payouts/<id>/account shows the institution's name and masks only: an
-- institution's account is not the team's to read.
--
-- The threshold counts every payout of the campaign to its organiser that is not
-- given back (requested, approved, paid) plus the new one: splitting a large
-- amount into small payouts does not get round it (institution_required).
-- Every change is audited (private.audit).

-- Types ------------------------------------------------------------------------

create type public.institution_kind as enum ('hospital', 'clinic', 'school', 'university', 'funeral_home');

-- Tables -----------------------------------------------------------------------

create table public.institutions (
    id uuid primary key default extensions.gen_random_uuid(),
    name text not null check (pg_catalog.char_length(name) between 2 and 120 and name !~ '[[:cntrl:]]'),  -- noqa: RF04
    kind public.institution_kind not null,
    city text not null check (pg_catalog.char_length(city) between 2 and 80 and city !~ '[[:cntrl:]]'),
    country public.country_code not null,
    -- where it is paid, masked (the account in full: private.institution_accounts)
    method public.payout_method not null,
    bank_name text check (pg_catalog.char_length(bank_name) between 2 and 80 and bank_name !~ '[[:cntrl:]]'),
    mobile_operator public.mobile_money_operator,
    beneficiary_mask text not null check (pg_catalog.char_length(beneficiary_mask) between 1 and 40),
    account_mask text not null check (pg_catalog.char_length(account_mask) between 4 and 40),
    verified_at timestamptz not null default pg_catalog.now(),
    -- null: active; set: it can no longer be chosen
    deactivated_at timestamptz,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    check (
        (method = 'bank_account' and bank_name is not null and mobile_operator is null)
        or (method = 'mobile_money' and mobile_operator is not null and bank_name is null)
    )
);

-- registered once: one active institution of a name in a city
create unique index institutions_one_active_name on public.institutions (
    country, pg_catalog.lower(city), pg_catalog.lower(name)
) where deactivated_at is null;

comment on table public.institutions is
'Verified institutions (hospitals, clinics, schools, universities, funeral homes) a payout may go to instead of the organiser. Written by admins only, through register_institution, update_institution and deactivate_institution.';
comment on column public.institutions.account_mask is
'The last digits of the IBAN or RIB, or the wallet''s prefix and last digits; the account in full is sealed, never exposed.';
comment on column public.institutions.deactivated_at is
'Null: it may be chosen. Set: deactivated; an open payout to it is blocked.';

-- Its account in full, sealed with the payout key, and its verification.
create table private.institution_accounts (
    institution_id uuid primary key references public.institutions (id) on delete cascade,
    key_id text not null,
    -- pgp_pub_encrypt of {"beneficiary_name", "account_number" | "phone_number"}
    ciphertext bytea not null,
    -- the document checked: a private Cloudinary asset
    document_ref text not null check (
        pg_catalog.char_length(document_ref) <= 255 and document_ref !~ '[[:cntrl:][:space:]]'
        and document_ref like 'africagnotte/institutions/%'
    ),
    verified_by uuid references public.profiles (id) on delete set null
);

create index institution_accounts_verified_by_idx on private.institution_accounts (verified_by);

create table public.category_institution_thresholds (
    category text not null references public.categories (slug) on delete cascade,
    currency text not null references public.currencies (code),
    -- payouts to the organiser above this (minor units, in total) are refused
    above bigint not null check (above >= 0),
    primary key (category, currency)
);

create index category_institution_thresholds_currency_idx on public.category_institution_thresholds (currency);

comment on table public.category_institution_thresholds is
'Above `above` (minor units of `currency`, all the campaign''s payouts to its organiser together), a campaign of `category` pays a verified institution (request_payout_to_institution). Admins set it with set_institution_threshold.';

alter table public.payout_requests
add column institution_id uuid references public.institutions (id) on delete restrict;

create index payout_requests_institution_idx on public.payout_requests (institution_id);

comment on column public.payout_requests.institution_id is
'The verified institution paid instead of the organiser (null: the organiser''s own account).';

-- Grants -----------------------------------------------------------------------

revoke all on table public.institutions, public.category_institution_thresholds
from anon, authenticated, service_role;
grant select on table public.institutions, public.category_institution_thresholds to anon, authenticated;
grant select on table public.institutions to service_role;
revoke all on table private.institution_accounts from public, anon, authenticated, service_role;

-- RLS --------------------------------------------------------------------------

alter table public.institutions enable row level security;
alter table public.category_institution_thresholds enable row level security;

create policy "anyone reads the institutions"
on public.institutions for select to anon, authenticated
using (true);

create policy "the service reads the institutions"
on public.institutions for select to service_role
using (true);

create policy "anyone reads the institution thresholds"
on public.category_institution_thresholds for select to anon, authenticated
using (true);

-- Functions: sealing -------------------------------------------------------------

-- An account sealed with the installed payout key (payout_key_missing without one).
create function private.seal_account(account jsonb, out key_id text, out ciphertext bytea)
language plpgsql
security definer
set search_path = ''
as $$
declare
    k private.payout_account_key;
begin
    select * into k from private.payout_account_key;
    if not found then
        raise exception using
            errcode = 'PT503', message = 'payout_key_missing',
            detail = 'Payout accounts cannot be taken yet: no encryption key is installed.';
    end if;
    key_id := k.key_id;
    ciphertext := extensions.pgp_pub_encrypt(pg_catalog.jsonb_strip_nulls(account)::text, k.public_key);
end;
$$;

create or replace function private.seal_payout_account(payout_id uuid, account jsonb)
returns void
language sql
security definer
set search_path = ''
as $$
    insert into private.payout_accounts (payout_id, key_id, ciphertext)
    select seal_payout_account.payout_id, s.key_id, s.ciphertext
    from private.seal_account(seal_payout_account.account) as s
$$;

-- A destination as given, cleaned (spaces and dashes out of numbers, IBANs in
-- capitals) and checked (private.check_payout_destination): the account's
-- fields, the method, bank and operator.
create function private.checked_destination(
    method public.payout_method, beneficiary_name text, bank_name text, account_number text,
    mobile_operator public.mobile_money_operator, phone_number text
)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
    beneficiary text := pg_catalog.btrim(beneficiary_name);
    bank text := pg_catalog.btrim(bank_name);
    account text := pg_catalog.upper(pg_catalog.regexp_replace(account_number, '[[:space:]-]', '', 'g'));
    phone text := pg_catalog.regexp_replace(phone_number, '[[:space:]-]', '', 'g');
begin
    perform private.check_payout_destination(method, beneficiary, bank, account, mobile_operator, phone);
    return pg_catalog.jsonb_build_object(
        'method', method, 'bank_name', bank, 'mobile_operator', mobile_operator,
        'beneficiary_name', beneficiary, 'account_number', account, 'phone_number', phone
    );
end;
$$;

-- The part of a checked destination that is sealed.
create function private.sealed_part(destination jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
    select pg_catalog.jsonb_build_object(
        'beneficiary_name', destination -> 'beneficiary_name',
        'account_number', destination -> 'account_number',
        'phone_number', destination -> 'phone_number'
    )
$$;

-- Functions: institutions ---------------------------------------------------------

create function private.assert_admin()
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    if not private.is_admin() then
        raise exception using
            errcode = 'PT403', message = 'admin_only', detail = 'Only admins register and change institutions.';
    end if;
end;
$$;

-- The institution, locked for a change (institution_not_found).
create function private.locked_institution(institution_id uuid)
returns public.institutions
language plpgsql
security definer
set search_path = ''
as $$
declare
    i public.institutions;
begin
    select * into i from public.institutions as x where x.id = locked_institution.institution_id for update;
    if not found then
        raise exception using errcode = 'PT404', message = 'institution_not_found', detail = 'No such institution.';
    end if;
    return i;
end;
$$;

-- An institution's public details, checked (invalid_institution).
create function private.check_institution(
    name text, kind public.institution_kind, city text, country text, document_ref text
)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
    problem text := case
        when name is null or pg_catalog.char_length(name) not between 2 and 120 or name ~ '[[:cntrl:]]'
            then 'The name has 2 to 120 characters.'
        when kind is null then 'The kind is hospital, clinic, school, university or funeral_home.'
        when city is null or pg_catalog.char_length(city) not between 2 and 80 or city ~ '[[:cntrl:]]'
            then 'The city has 2 to 80 characters.'
        when country is null or country !~ '^[A-Z]{2}$' then 'The country is an ISO 3166-1 code: SN, CI, ML…'
        when document_ref is null or document_ref !~ '^africagnotte/institutions/[^[:space:][:cntrl:]]{1,200}$'
            then 'The document checked is a private asset under africagnotte/institutions/.'
    end;
begin
    if problem is null then
        begin
            perform country::public.country_code;
        exception when check_violation then
            problem := 'The country is an ISO 3166-1 code: SN, CI, ML…';
        end;
    end if;
    if problem is not null then
        raise exception using errcode = 'PT422', message = 'invalid_institution', detail = problem;
    end if;
end;
$$;

-- Writes an institution's details and its sealed account, verified now by the
-- signed-in admin: a new institution (institution_id null) or a re-verified one.
create function private.write_institution(
    institution_id uuid, name text, kind public.institution_kind, city text, country text,
    document_ref text, destination jsonb
)
returns public.institutions
language plpgsql
security definer
set search_path = ''
as $$
declare
    i public.institutions;
    seal record;
begin
    name := pg_catalog.btrim(name);
    city := pg_catalog.btrim(city);
    country := pg_catalog.upper(pg_catalog.btrim(country));
    document_ref := pg_catalog.btrim(document_ref);
    perform private.check_institution(name, kind, city, country, document_ref);
    if exists (
        select 1 from public.institutions as x
        where x.deactivated_at is null and x.country = write_institution.country
            and pg_catalog.lower(x.city) = pg_catalog.lower(write_institution.city)
            and pg_catalog.lower(x.name) = pg_catalog.lower(write_institution.name)
            and x.id is distinct from write_institution.institution_id
    ) then
        raise exception using
            errcode = 'PT409', message = 'institution_exists',
            detail = 'An active institution of this name is registered in this city.';
    end if;
    select * into seal from private.seal_account(private.sealed_part(destination));
    insert into public.institutions as x (
        id, name, kind, city, country, method, bank_name, mobile_operator, beneficiary_mask, account_mask
    ) values (
        coalesce(institution_id, extensions.gen_random_uuid()), name, kind, city, country,
        (destination ->> 'method')::public.payout_method, destination ->> 'bank_name',
        (destination ->> 'mobile_operator')::public.mobile_money_operator,
        private.mask_name(destination ->> 'beneficiary_name'),
        private.mask_account_number(coalesce(destination ->> 'account_number', destination ->> 'phone_number'))
    )
    on conflict (id) do update set
        name = excluded.name, kind = excluded.kind, city = excluded.city, country = excluded.country,
        method = excluded.method, bank_name = excluded.bank_name, mobile_operator = excluded.mobile_operator,
        beneficiary_mask = excluded.beneficiary_mask, account_mask = excluded.account_mask,
        verified_at = pg_catalog.now(), updated_at = pg_catalog.now()
    returning * into i;
    insert into private.institution_accounts (institution_id, key_id, ciphertext, document_ref, verified_by)
    values (i.id, seal.key_id, seal.ciphertext, document_ref, auth.uid())
    on conflict on constraint institution_accounts_pkey do update set
        key_id = excluded.key_id, ciphertext = excluded.ciphertext,
        document_ref = excluded.document_ref, verified_by = excluded.verified_by;
    return i;
end;
$$;

create function public.register_institution(
    name text,
    kind public.institution_kind,
    city text,
    country text,
    document_ref text,
    method public.payout_method,
    beneficiary_name text,
    bank_name text default null,
    account_number text default null,
    mobile_operator public.mobile_money_operator default null,
    phone_number text default null
)
returns public.institutions
language plpgsql
security definer
set search_path = ''
as $$
declare
    i public.institutions;
begin
    perform private.assert_admin();
    i := private.write_institution(
        null, name, kind, city, country, document_ref,
        private.checked_destination(method, beneficiary_name, bank_name, account_number, mobile_operator, phone_number)
    );
    perform private.audit(
        'register_institution', 'institution', i.id::text,
        pg_catalog.jsonb_build_object('name', i.name, 'kind', i.kind, 'account', i.account_mask)
    );
    return i;
end;
$$;

comment on function public.register_institution is
'Admins: registers a verified institution with the document checked and where it is paid (sealed; masks shown).';

create function public.update_institution(
    institution_id uuid,
    name text,
    kind public.institution_kind,
    city text,
    country text,
    document_ref text,
    method public.payout_method,
    beneficiary_name text,
    bank_name text default null,
    account_number text default null,
    mobile_operator public.mobile_money_operator default null,
    phone_number text default null
)
returns public.institutions
language plpgsql
security definer
set search_path = ''
as $$
declare
    i public.institutions;
    destination jsonb;
begin
    perform private.assert_admin();
    i := private.locked_institution(institution_id);
    if i.deactivated_at is not null then
        raise exception using
            errcode = 'PT409', message = 'institution_deactivated',
            detail = 'This institution is deactivated: register it again after checking it.';
    end if;
    destination := private.checked_destination(
        method, beneficiary_name, bank_name, account_number, mobile_operator, phone_number
    );
    i := private.write_institution(i.id, name, kind, city, country, document_ref, destination);
    perform private.audit(
        'update_institution', 'institution', i.id::text,
        pg_catalog.jsonb_build_object('name', i.name, 'kind', i.kind, 'account', i.account_mask)
    );
    return i;
end;
$$;

comment on function public.update_institution is
'Admins: every detail of an active institution given again and re-verified (its account sealed anew). Open payouts keep the account they were asked for.';

create function public.deactivate_institution(institution_id uuid, reason text)
returns public.institutions
language plpgsql
security definer
set search_path = ''
as $$
declare
    i public.institutions;
begin
    perform private.assert_admin();
    reason := private.decision_reason(reason, 500);
    i := private.locked_institution(institution_id);
    if i.deactivated_at is not null then
        raise exception using
            errcode = 'PT409', message = 'institution_deactivated', detail = 'This institution is already deactivated.';
    end if;
    update public.institutions as x
    set deactivated_at = pg_catalog.now(), updated_at = pg_catalog.now()
    where x.id = i.id
    returning * into i;
    perform private.audit(
        'deactivate_institution', 'institution', i.id::text,
        pg_catalog.jsonb_build_object('reason', pg_catalog.btrim(reason))
    );
    return i;
end;
$$;

comment on function public.deactivate_institution is
'Admins: the institution can no longer be chosen; an open payout to it is blocked (institution_deactivated).';

-- An institution's sealed account and verification, for an admin (the console
-- decrypts it with the private key), audited.
create function private.institution_account_for_staff(institution_id uuid)
returns private.institution_accounts
language plpgsql
security definer
set search_path = ''
as $$
declare
    a private.institution_accounts;
begin
    perform private.assert_admin();
    select * into a from private.institution_accounts as x where x.institution_id = institution_account_for_staff.institution_id;
    if not found then
        raise exception using errcode = 'PT404', message = 'institution_not_found', detail = 'No such institution.';
    end if;
    perform private.audit('read_institution_account', 'institution', a.institution_id::text);
    return a;
end;
$$;

grant execute on function private.institution_account_for_staff(uuid) to service_role;

create function public.set_institution_threshold(category text, currency text, above bigint)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.assert_admin();
    if not exists (select 1 from public.categories as k where k.slug = set_institution_threshold.category)
        or not exists (select 1 from public.currencies as x where x.code = set_institution_threshold.currency)
        or above < 0 then
        raise exception using
            errcode = 'PT422', message = 'invalid_institution_threshold',
            detail = 'A known category and currency, and an amount of 0 or more (minor units); null removes the rule.';
    end if;
    if above is null then
        delete from public.category_institution_thresholds as t
        where t.category = set_institution_threshold.category and t.currency = set_institution_threshold.currency;
    else
        insert into public.category_institution_thresholds (category, currency, above)
        values (category, currency, above)
        on conflict on constraint category_institution_thresholds_pkey do update set above = excluded.above;
    end if;
    perform private.audit(
        'set_institution_threshold', 'category', category,
        pg_catalog.jsonb_build_object('currency', currency, 'above', above)
    );
end;
$$;

comment on function public.set_institution_threshold is
'Admins: above `above` (minor units of `currency`), payouts of campaigns of `category` go to a verified institution; null removes the rule.';

-- Functions: payouts to an institution ------------------------------------------------

-- Why an open payout cannot go on to its institution now (null: nothing): the
-- institution was deactivated since it was requested. The one home of that rule.
create function private.payout_institution_stop(institution_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
    select 'institution_deactivated'
    from public.institutions as i
    where i.id = payout_institution_stop.institution_id and i.deactivated_at is not null
$$;

-- Everything request_payout and request_payout_to_institution check before a
-- payout is requested: the owner asks, no fraud stop, a published campaign, no
-- other open payout, an amount within the balance. Returns the campaign, locked.
create function private.check_payout_request(campaign_id uuid, amount bigint)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    available bigint;
    stop text := private.payout_stop_reason(c.id);
begin
    if c.owner_id is distinct from auth.uid() then
        raise exception using errcode = 'PT403', message = 'not_campaign_owner', detail = 'Only the owner requests payouts.';
    end if;
    if stop is not null then
        raise exception using
            errcode = 'PT409', message = 'payout_blocked',
            detail = pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('reason', stop))::text;
    end if;
    if not c.is_published then
        raise exception using
            errcode = 'PT409', message = 'campaign_closed',
            detail = pg_catalog.format('A %s campaign pays nothing out.', c.status);
    end if;
    if exists (
        select 1 from public.payout_requests as x where x.campaign_id = c.id and x.status in ('requested', 'approved')
    ) then
        raise exception using
            errcode = 'PT409', message = 'payout_in_progress', detail = 'One payout request at a time.';
    end if;
    available := private.available_balance(c.id);
    if amount is null or amount <= 0 or amount > available then
        raise exception using
            errcode = 'PT409', message = 'amount_exceeds_balance',
            detail = pg_catalog.format('Available: %s (minor units of %s).', available, c.currency);
    end if;
    return c;
end;
$$;

-- Refuses a payout to the organiser that would take the campaign's payouts to
-- them above its category's threshold (category_institution_thresholds).
create function private.check_institution_threshold(c public.campaigns, amount bigint)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    above bigint;
    taken bigint;
begin
    select t.above into above
    from public.category_institution_thresholds as t
    where t.category = c.category and t.currency = c.currency;
    if above is null then
        return;
    end if;
    select coalesce(pg_catalog.sum(p.amount), 0) into taken
    from public.payout_requests as p
    where p.campaign_id = c.id and p.institution_id is null and p.status in ('requested', 'approved', 'paid');
    if taken + amount > above then
        raise exception using
            errcode = 'PT409', message = 'institution_required',
            detail = pg_catalog.format(
                'Above %s (minor units of %s) paid to the organiser, a %s campaign pays a verified institution'
                || ' (request_payout_to_institution); already requested or paid to the organiser: %s.',
                above, c.currency, c.category, taken
            );
    end if;
end;
$$;

-- Writes a checked request: the treasurers' sign-off copied, the amount
-- reserved in the ledger, audited. The caller seals its account.
create function private.open_payout(
    c public.campaigns, amount bigint, destination jsonb, beneficiary_mask text, account_mask text,
    institution_id uuid default null
)
returns public.payout_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
    treasurers uuid[] := array(
        select m.user_id from public.campaign_members as m
        where m.campaign_id = c.id and m.is_treasurer
        order by m.user_id
    );
    p public.payout_requests;
begin
    insert into public.payout_requests (
        campaign_id, requested_by, amount, currency, method, bank_name, mobile_operator,
        beneficiary_mask, account_mask, approvers, approvals_required, institution_id
    ) values (
        c.id, auth.uid(), amount, c.currency, (destination ->> 'method')::public.payout_method,
        destination ->> 'bank_name', (destination ->> 'mobile_operator')::public.mobile_money_operator,
        beneficiary_mask, account_mask, treasurers,
        -- a treasurer removed since set_treasurers cannot be waited for
        least(coalesce(c.treasurer_quorum, 1), pg_catalog.cardinality(treasurers)),
        institution_id
    )
    returning * into p;
    perform private.add_payout_entry(p, false);
    perform private.audit(
        'request_payout', 'payout', p.id::text,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('amount', p.amount, 'institution_id', institution_id))
    );
    return p;
end;
$$;

create or replace function public.request_payout(
    campaign_id uuid,
    amount bigint,
    method public.payout_method,
    beneficiary_name text,
    bank_name text default null,
    account_number text default null,
    mobile_operator public.mobile_money_operator default null,
    phone_number text default null
)
returns public.payout_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.check_payout_request(campaign_id, amount);
    destination jsonb := private.checked_destination(
        method, beneficiary_name, bank_name, account_number, mobile_operator, phone_number
    );
    p public.payout_requests;
begin
    perform private.check_institution_threshold(c, amount);
    p := private.open_payout(
        c, amount, destination, private.mask_name(destination ->> 'beneficiary_name'),
        private.mask_account_number(coalesce(destination ->> 'account_number', destination ->> 'phone_number'))
    );
    perform private.seal_payout_account(p.id, private.sealed_part(destination));
    return p;
end;
$$;

create function public.request_payout_to_institution(campaign_id uuid, amount bigint, institution_id uuid)
returns public.payout_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.check_payout_request(campaign_id, amount);
    i public.institutions;
    p public.payout_requests;
begin
    select * into i from public.institutions as x where x.id = request_payout_to_institution.institution_id for share;
    if not found then
        raise exception using errcode = 'PT404', message = 'institution_not_found', detail = 'No such institution.';
    end if;
    if i.deactivated_at is not null then
        raise exception using
            errcode = 'PT409', message = 'institution_deactivated', detail = 'This institution can no longer be paid.';
    end if;
    p := private.open_payout(
        c, amount,
        pg_catalog.jsonb_build_object('method', i.method, 'bank_name', i.bank_name, 'mobile_operator', i.mobile_operator),
        i.beneficiary_mask, i.account_mask, i.id
    );
    -- a copy of the institution's sealed account: the payout keeps the account it was asked for
    insert into private.payout_accounts (payout_id, key_id, ciphertext)
    select p.id, a.key_id, a.ciphertext
    from private.institution_accounts as a
    where a.institution_id = i.id;
    return p;
end;
$$;

comment on function public.request_payout_to_institution is
'The owner: a payout paid straight to an active verified institution (every check of request_payout; no category threshold).';

-- What a payout's notification and listings say it goes to: the institution's
-- name first when it is one, then the bank or operator and the masked account.
create function private.payout_destination(p public.payout_requests)
returns text
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce((select i.name || ', ' from public.institutions as i where i.id = p.institution_id), '')
        || coalesce(p.mobile_operator::text, p.bank_name) || ' ' || p.account_mask
$$;

create or replace function private.notify_payout(p public.payout_requests)
returns void
language sql
security definer
set search_path = ''
as $$
    select private.notify(
        array[c.owner_id], 'payout_update', c.id,
        private.campaign_payload(c) || pg_catalog.jsonb_build_object(
            'payout_id', p.id, 'status', p.status, 'amount', p.amount, 'reason', p.reason,
            'reference', p.reference,
            -- masked: notifications and emails never carry the account itself
            'destination', private.payout_destination(p)
        ),
        'payout:' || p.id || ':' || p.status
    )
    from public.campaigns as c
    where c.id = p.campaign_id
$$;

update public.notification_kinds
set
    payload_schema = pg_catalog.jsonb_set(
        payload_schema, '{properties,destination,description}',
        pg_catalog.to_jsonb(
            'The institution''s name when the payout goes to one, then the bank or operator and the masked account, e.g. "CHU Gabriel Touré, Ecobank •••• 5690" or "orange_money +223 •• ••• •• 56".'::text
        )
    )
where kind = 'payout_update';

-- payout_blockers, as before, with institution_deactivated after the fraud stops.
create or replace function public.payout_blockers(payout_id uuid)
returns setof public.payout_blocker
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    p public.payout_requests;
    c public.campaigns;
    stop text;
    approvals integer;
begin
    p := private.visible_payout(payout_blockers.payout_id);
    select * into c from public.campaigns as x where x.id = p.campaign_id;
    stop := private.payout_stop_reason(c.id);
    if stop is not null then
        return next row(stop, null, null, null, null, null, null)::public.payout_blocker;
    end if;
    stop := private.payout_institution_stop(p.institution_id);
    if stop is not null then
        return next row(stop, null, null, null, null, null, null)::public.payout_blocker;
    end if;
    select pg_catalog.count(*) into approvals
    from public.payout_approvals as a
    where a.payout_id = p.id and a.treasurer_id = any(p.approvers);
    if approvals < p.approvals_required then
        return next row(
            'treasurer_approvals', approvals, p.approvals_required, null, null, null, null
        )::public.payout_blocker;
    end if;
    return query
    select
        case
            when d.pending then 'document_pending'
            when d.rejected then 'document_rejected'
            else 'document_missing'
        end,
        null::integer,
        null::integer,
        r.document_type,
        r.label_fr,
        r.label_en,
        d.note
    from public.category_proof_requirements as r
    left join lateral (
        select
            pg_catalog.bool_or(x.status = 'accepted') as accepted,
            pg_catalog.bool_or(x.status = 'pending') as pending,
            pg_catalog.bool_or(x.status = 'rejected') as rejected,
            (pg_catalog.array_agg(x.review_note order by x.created_at desc) filter (where x.status = 'rejected'))[1] as note
        from public.campaign_documents as x
        where x.campaign_id = c.id and x.document_type = r.document_type
    ) as d on true
    where r.category = c.category and not coalesce(d.accepted, false)
    order by r.document_type;
end;
$$;

-- move_payout, as before, with the institution's stop next to the fraud stops
-- (nothing approved or paid to an institution deactivated since).
create or replace function private.move_payout(payout_id uuid, target public.payout_status, note text default null)
returns public.payout_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests;
    allowed public.payout_status[];
    stop text;
    blockers jsonb;
    note_given boolean := nullif(pg_catalog.btrim(note), '') is not null;
begin
    if target = 'cancelled' then
        allowed := '{requested}';
    elsif target = 'approved' then
        allowed := '{requested}';
    elsif target = 'rejected' then
        allowed := '{requested,approved}';
    else  -- paid, failed
        allowed := '{approved}';
    end if;
    if target <> 'cancelled' and not private.is_admin() then
        raise exception using errcode = 'PT403', message = 'admin_only', detail = 'Only admins decide payouts.';
    end if;
    p := private.locked_payout(payout_id, allowed);
    if target <> 'cancelled' then
        -- its requester and treasurers never decide it, even off the team since
        perform private.assert_independent_staff(p.campaign_id, p.requested_by || p.approvers);
    end if;
    stop := case when target in ('approved', 'paid') then coalesce(
        private.payout_stop_reason(p.campaign_id), private.payout_institution_stop(p.institution_id)
    ) end;
    if stop is not null then
        raise exception using
            errcode = 'PT409', message = 'payout_blocked',
            detail = pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('reason', stop))::text;
    end if;
    if target = 'cancelled' and p.campaign_id not in (
        select c.id from public.campaigns as c where c.owner_id = auth.uid()
    ) then
        raise exception using errcode = 'PT403', message = 'not_campaign_owner', detail = 'Only the owner cancels.';
    end if;
    if target in ('rejected', 'failed') then
        note := private.decision_reason(note, 500);
    end if;
    if target = 'paid' and not note_given then
        raise exception using
            errcode = 'PT422', message = 'reference_required', detail = 'The bank or mobile-money transfer reference.';
    end if;
    if target = 'approved' then
        select pg_catalog.jsonb_agg(pg_catalog.to_jsonb(b)) into blockers from public.payout_blockers(p.id) as b;
        if blockers is not null then
            raise exception using errcode = 'PT409', message = 'payout_blocked', detail = blockers::text;
        end if;
    end if;

    update public.payout_requests as x
    set
        status = target,
        decided_by = case when target in ('approved', 'rejected') then auth.uid() else x.decided_by end,
        approved_at = case when target = 'approved' then pg_catalog.now() else x.approved_at end,
        paid_at = case when target = 'paid' then pg_catalog.now() else x.paid_at end,
        reference = case when target = 'paid' then pg_catalog.btrim(note) else x.reference end,
        reason = case when target in ('rejected', 'failed') then pg_catalog.btrim(note) else x.reason end,
        updated_at = pg_catalog.now()
    where x.id = p.id
    returning * into p;

    if target in ('cancelled', 'rejected', 'failed') then
        perform private.add_payout_entry(p, true);
    end if;
    perform private.audit(
        case target
            when 'cancelled' then 'cancel_payout'
            when 'approved' then 'approve_payout'
            when 'rejected' then 'reject_payout'
            when 'paid' then 'mark_payout_paid'
            else 'mark_payout_failed'
        end,
        'payout', p.id::text,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('reason', p.reason, 'reference', p.reference))
    );
    if target <> 'cancelled' then
        perform private.notify_payout(p);
    end if;
    return p;
end;
$$;

grant execute on function public.register_institution(
    text, public.institution_kind, text, text, text, public.payout_method, text, text, text,
    public.mobile_money_operator, text
) to authenticated;
grant execute on function public.update_institution(
    uuid, text, public.institution_kind, text, text, text, public.payout_method, text, text, text,
    public.mobile_money_operator, text
) to authenticated;
grant execute on function public.deactivate_institution(uuid, text) to authenticated;
grant execute on function public.set_institution_threshold(text, text, bigint) to authenticated;
grant execute on function public.request_payout_to_institution(uuid, bigint, uuid) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger institutions_refuse_banned_writes
before insert or update or delete on public.institutions
for each statement execute function private.refuse_banned_writes();

create trigger category_institution_thresholds_refuse_banned_writes
before insert or update or delete on public.category_institution_thresholds
for each statement execute function private.refuse_banned_writes();

-- Reference data: santé pays the hospital above 500 000 F CFA ---------------------

insert into public.category_institution_thresholds (category, currency, above) values
('sante', 'XOF', 500000);
