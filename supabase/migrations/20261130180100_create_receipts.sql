-- Receipts: every succeeded donation has a receipt, every refund a credit note.
--
--   public.organisations        organisations registered for tax receipts (legal
--                               name, RCCM / NINEA / IFU, address, legal mention
--                               fr/en); admins register them (register_organisation)
--                               and attach one to a campaign (set_campaign_organisation:
--                               never the campaign's team); anyone reads them (what
--                               a receipt shows)
--   public.receipts             one receipt per succeeded donation, issued in the
--                               transaction that credits it (a deferred trigger on
--                               donations, like donations_notify); a refund issues
--                               a credit note (kind credit_note) for the amount
--                               refunded, and so does a chargeback the platform
--                               lost (dispute_status lost: the bank gave the money
--                               back); once nothing of the gift is left the receipt
--                               is void (voided_at); a partial one leaves it valid
--   numbering                   gap-free per series and calendar year (UTC):
--                               R-2026-000001 (receipts), AV-2026-000001 (credit
--                               notes), from a counter row locked and incremented
--                               in the same transaction (private.take_receipt_number;
--                               never a sequence: a rolled-back transaction gives
--                               its number back); issued_at is read once the
--                               number is held, so dates follow numbers
--   frozen at issue             campaign title, organiser (the owner's name), amount,
--                               currency, date of the payment, provider and its
--                               reference, donor's name (on their own receipt even
--                               when they gave anonymously), locale (a signed-in
--                               donor's profile; a guest's, the language of the
--                               site they gave from: donations.locale, given at
--                               checkout; else fr), the organisation's tax fields
--                               when the campaign has one: later edits change no
--                               receipt
--   signed links                <site>/recus/<id>?sig=<hmac> (private.receipt_path):
--                               the frontend fetches the PDF from the service,
--                               GET /receipts/<id>?sig=<hmac>; the signature is an
--                               HMAC-SHA256 of the receipt's id with a random key
--                               kept in private.receipt_signing_key (never exposed);
--                               the service asks private.receipt_for_link, the one
--                               home of the check (receipt_not_found otherwise);
--                               guests and donors use the same link
--   reading                     donors read their own receipts (donations.donor_id),
--                               admins all; nobody writes (the trigger does);
--                               my_receipts() gives a signed-in donor their links
--   leaving                     an account deleted (private.erase_account) takes
--                               its name off the receipts as off the donations:
--                               the donor's, when their gift is anonymised, and
--                               the organiser's, when the campaign changes owner
--                               (amounts, dates, numbers and references stay)
--   emails                      the donor is thanked with the receipt's link
--                               (template donation_receipt) and sent the credit
--                               note's (credit_note), in the receipt's locale, to
--                               donations.donor_email, else the account's address

-- Types ------------------------------------------------------------------------

create type public.receipt_kind as enum ('receipt', 'credit_note');

-- Tables -----------------------------------------------------------------------

create table public.organisations (
    id uuid primary key default extensions.gen_random_uuid(),
    legal_name text not null check (
        legal_name = pg_catalog.btrim(legal_name)
        and pg_catalog.char_length(legal_name) between 2 and 200
        and legal_name !~ '[[:cntrl:]]'
    ),
    -- registration identifiers (at least one): trade register, Senegal's tax
    -- number, the unique tax identifier (Benin, Burkina Faso, Togo...)
    rccm text check (pg_catalog.char_length(rccm) between 1 and 60 and rccm !~ '[[:cntrl:]]'),
    ninea text check (pg_catalog.char_length(ninea) between 1 and 60 and ninea !~ '[[:cntrl:]]'),
    ifu text check (pg_catalog.char_length(ifu) between 1 and 60 and ifu !~ '[[:cntrl:]]'),
    address text not null check (pg_catalog.char_length(address) between 2 and 300),
    -- what the tax receipt says (the law that makes the gift deductible)
    legal_mention_fr text not null check (pg_catalog.char_length(legal_mention_fr) between 2 and 1000),
    legal_mention_en text not null check (pg_catalog.char_length(legal_mention_en) between 2 and 1000),
    created_by uuid default auth.uid() references auth.users (id) on delete set null,
    created_at timestamptz not null default pg_catalog.now(),
    check (num_nonnulls(rccm, ninea, ifu) > 0)
);

comment on table public.organisations is
'Organisations registered for tax receipts: what their receipts show. Anyone reads; admins register (register_organisation).';

create table public.campaign_organisations (
    campaign_id uuid primary key references public.campaigns (id) on delete cascade,
    organisation_id uuid not null references public.organisations (id) on delete restrict,
    linked_by uuid default auth.uid() references auth.users (id) on delete set null,
    linked_at timestamptz not null default pg_catalog.now()
);

comment on table public.campaign_organisations is
'The organisation a campaign is run by, whose tax fields its receipts carry. Anyone reads; admins set it (set_campaign_organisation).';

create index campaign_organisations_organisation_idx on public.campaign_organisations (organisation_id);
create index campaign_organisations_linked_by_idx on public.campaign_organisations (linked_by);
create index organisations_created_by_idx on public.organisations (created_by);

create table public.receipts (
    id uuid primary key default extensions.gen_random_uuid(),
    kind public.receipt_kind not null,
    number text not null unique,
    donation_id uuid not null references public.donations (id) on delete restrict,
    -- a credit note's receipt
    receipt_id uuid references public.receipts (id) on delete restrict,
    issued_at timestamptz not null default pg_catalog.now(),
    voided_at timestamptz,
    locale public.locale not null,
    -- frozen at issue
    campaign_id uuid not null references public.campaigns (id) on delete restrict,
    campaign_title text not null,
    organiser_name text,
    amount bigint not null check (amount > 0),
    currency text not null references public.currencies (code),
    donated_at timestamptz not null,
    provider public.payment_provider,
    provider_ref text,
    donor_name text,
    organisation_id uuid references public.organisations (id) on delete restrict,
    organisation_name text,
    organisation_rccm text,
    organisation_ninea text,
    organisation_ifu text,
    organisation_address text,
    legal_mention text,
    check ((kind = 'credit_note') = (receipt_id is not null)),
    check (kind = 'receipt' or voided_at is null)
);

comment on table public.receipts is
'Receipts of succeeded donations and credit notes of refunds, frozen at issue. Donors read their own, admins all; written only by the payment core''s trigger.';

create unique index receipts_one_per_donation_idx on public.receipts (donation_id) where kind = 'receipt';
create index receipts_donation_idx on public.receipts (donation_id, issued_at);
create index receipts_receipt_id_idx on public.receipts (receipt_id);
create index receipts_campaign_idx on public.receipts (campaign_id, issued_at);
create index receipts_currency_idx on public.receipts (currency);
create index receipts_organisation_idx on public.receipts (organisation_id);

-- The last number given per series (R, AV) and year: locked and incremented in
-- the transaction that issues (gap-free).
create table private.receipt_counters (
    series text not null check (series in ('R', 'AV')),
    issue_year integer not null check (issue_year between 2000 and 9999),
    last_number integer not null check (last_number > 0),
    primary key (series, issue_year)
);

-- One row: the key that signs receipt links (random, made here, never exposed).
create table private.receipt_signing_key (
    id boolean primary key default true check (id),
    secret bytea not null default extensions.gen_random_bytes(32)
);

insert into private.receipt_signing_key default values;

-- The language a guest gave in (the site's, sent with the checkout): their
-- receipt and its emails are in it. Written by the service with the pledge.
alter table public.donations add column locale public.locale;

comment on column public.donations.locale is
'The language of the site the gift was made from (null: not said); a guest''s receipt follows it.';

-- Grants and RLS ----------------------------------------------------------------

revoke all on table public.organisations, public.campaign_organisations, public.receipts
from anon, authenticated, service_role;
grant select on table public.organisations, public.campaign_organisations to anon, authenticated, service_role;
grant select on table public.receipts to authenticated, service_role;
revoke all on table private.receipt_counters, private.receipt_signing_key from public, anon, authenticated, service_role;

alter table public.organisations enable row level security;
alter table public.campaign_organisations enable row level security;
alter table public.receipts enable row level security;
alter table private.receipt_counters enable row level security;
alter table private.receipt_signing_key enable row level security;

create policy "anyone reads the organisations"
on public.organisations for select to anon, authenticated, service_role
using (true);

create policy "anyone reads which organisation runs a campaign they see"
on public.campaign_organisations for select to anon, authenticated
using (campaign_id in (select c.id from public.campaigns as c));

create policy "the service reads which organisation runs a campaign"
on public.campaign_organisations for select to service_role
using (true);

create policy "donors read their own receipts and admins all"
on public.receipts for select to authenticated
using (
    (select private.is_admin())
    or exists (
        select 1 from public.donations as d
        where d.id = receipts.donation_id and d.donor_id = (select auth.uid())
    )
);

-- Counters and the key are used only by the functions below (security definer);
-- restrictive, so that no grant made by mistake ever opens them.
create policy "api roles never touch receipt counters"
on private.receipt_counters as restrictive for all to anon, authenticated, service_role
using (false)
with check (false);

create policy "api roles never read the receipt signing key"
on private.receipt_signing_key as restrictive for all to anon, authenticated, service_role
using (false)
with check (false);

create policy "the service reads receipts"
on public.receipts for select to service_role
using (true);

-- Functions: numbering and signing ------------------------------------------------

-- The next number of a series in the year of `at` (UTC): R-2026-000001. The
-- counter row stays locked until the transaction ends; a rollback gives the
-- number back.
create function private.take_receipt_number(series text, at timestamptz default pg_catalog.now())
returns text
language sql
security definer
set search_path = ''
as $$
    insert into private.receipt_counters as c (series, issue_year, last_number)
    values (series, pg_catalog.date_part('year', at at time zone 'UTC')::integer, 1)
    on conflict (series, issue_year) do update set last_number = c.last_number + 1
    returning c.series || '-' || c.issue_year::text || '-' || pg_catalog.lpad(c.last_number::text, 6, '0')
$$;

-- The signature of a receipt's link (base64url, no padding).
create function private.receipt_signature(receipt_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
    select pg_catalog.rtrim(pg_catalog.translate(pg_catalog.encode(
        extensions.hmac(pg_catalog.convert_to(receipt_id::text, 'UTF8'), k.secret, 'sha256'), 'base64'
    ), '+/', '-_'), '=')
    from private.receipt_signing_key as k
$$;

-- The frontend's page of a receipt (it downloads the PDF from the service).
create function private.receipt_path(receipt_id uuid)
returns text
language sql
stable
set search_path = ''
as $$ select '/recus/' || receipt_id::text || '?sig=' || private.receipt_signature(receipt_id) $$;

comment on function private.receipt_path(uuid) is
'The frontend''s page of a receipt, with its signature; the one home of that path.';

-- Functions: issuing -----------------------------------------------------------

-- The receipt's language: a signed-in donor's profile, else the language the
-- gift was made in, else French.
create function private.donor_locale(d public.donations)
returns public.locale
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce((select f.locale from public.profiles as f where f.id = d.donor_id), d.locale, 'fr'::public.locale)
$$;

-- The service records the language of a checkout with its pledge (same transaction).
create function private.remember_donation_locale(donation_id uuid, locale public.locale)
returns void
language sql
security definer
set search_path = ''
as $$
    update public.donations as d
    set locale = remember_donation_locale.locale
    where d.id = remember_donation_locale.donation_id and d.status = 'pending'
$$;

grant execute on function private.remember_donation_locale(uuid, public.locale) to service_role;

-- Emails a receipt or credit note to the donor: donor_email, else the account's.
create function private.email_receipt(r public.receipts, d public.donations)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    address text := coalesce(
        d.donor_email::text,
        (select u.email from auth.users as u where u.id = d.donor_id and u.email <> '')
    );
    original text := (select x.number from public.receipts as x where x.id = r.receipt_id);
begin
    if address is null then
        return;  -- a guest who left no address: the thanks page has the link
    end if;
    perform private.enqueue_email(
        d.donor_id, address, r.locale,
        case r.kind when 'receipt' then 'donation_receipt' else 'credit_note' end,
        pg_catalog.jsonb_build_object(
            'recipient_name', coalesce(r.donor_name, ''),
            'campaign_title', r.campaign_title,
            'amount', private.format_money(r.amount, r.currency, r.locale),
            'number', r.number,
            'receipt_number', coalesce(original, r.number),
            'receipt_url', private.site_link(private.receipt_path(r.id))
        ),
        'receipt:' || r.id
    );
end;
$$;

-- A donation's receipt (the existing one when it has one), frozen now.
create function private.issue_receipt(donation_id uuid, send_email boolean default true)
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
        -- what the donor's statement shows: Stripe's payment; CinetPay's transaction (the attempt)
        select
            x.provider,
            case x.provider when 'cinetpay' then x.id::text else coalesce(x.payment_ref, x.charge_ref, x.session_ref) end
                as reference
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

-- Money given back (`refunded` more: a refund, or a chargeback lost): a credit
-- note for it, copied from the receipt; the receipt is void once nothing of the
-- gift is left.
create function private.issue_credit_note(donation_id uuid, refunded bigint, send_email boolean default true)
returns public.receipts
language plpgsql
security definer
set search_path = ''
as $$
declare
    d public.donations;
    receipt public.receipts := private.issue_receipt(donation_id, send_email);
    note public.receipts;
begin
    select * into d from public.donations as x where x.id = issue_credit_note.donation_id;
    note := receipt;
    note.id := extensions.gen_random_uuid();
    note.kind := 'credit_note';
    note.number := private.take_receipt_number('AV', pg_catalog.clock_timestamp());
    note.receipt_id := receipt.id;
    note.voided_at := null;  -- a credit note is never void (its receipt may be)
    note.issued_at := pg_catalog.clock_timestamp();
    note.amount := refunded;
    insert into public.receipts select note.*;
    -- nothing of the gift is left: refunded, or taken back by a chargeback lost
    if d.refunded_amount + (case when d.dispute_status = 'lost' then d.disputed_amount else 0 end) >= d.amount then
        update public.receipts as x set voided_at = note.issued_at where x.id = receipt.id and x.voided_at is null;
    end if;
    if send_email then
        perform private.email_receipt(note, d);
    end if;
    return note;
end;
$$;

-- Trigger (deferred, at the end of the payment's transaction, in the order
-- things happened): credited -> a receipt; more given back (refunded, or taken
-- back by a chargeback lost) than the credit notes already say -> a credit note
-- for the difference. Credit notes add up to what was given back, never more
-- (a dispute reopened and lost again is not credited twice).
create function private.receipts_follow_donation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    given_back bigint := new.refunded_amount + (case when new.dispute_status = 'lost' then new.disputed_amount else 0 end);
    credited bigint;
begin
    if old.succeeded_at is null and new.succeeded_at is not null then
        perform private.issue_receipt(new.id);
    end if;
    select coalesce(pg_catalog.sum(r.amount), 0) into credited
    from public.receipts as r
    where r.donation_id = new.id and r.kind = 'credit_note';
    if given_back > credited then
        perform private.issue_credit_note(new.id, given_back - credited);
    end if;
    return null;
end;
$$;

-- Trigger: a donor's name erased from a donation (account deleted) leaves its
-- receipts too.
create function private.receipts_forget_donor()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    update public.receipts as r set donor_name = null where r.donation_id = new.id;
    return null;
end;
$$;

-- Trigger: a campaign that changes owner (the owner's account deleted) keeps no
-- former organiser's name on its receipts.
create function private.receipts_forget_organiser()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    update public.receipts as r set organiser_name = null where r.campaign_id = new.id;
    return null;
end;
$$;

-- Functions: reading -------------------------------------------------------------

-- What the service renders for a signed link: the receipt and, for a credit note,
-- its receipt's number; receipt_not_found for any other id or signature.
create function private.receipt_for_link(receipt_id uuid, signature text)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    r public.receipts;
begin
    select * into r from public.receipts as x where x.id = receipt_for_link.receipt_id;
    if not found or signature is distinct from private.receipt_signature(r.id) then
        raise exception using
            errcode = 'PT404', message = 'receipt_not_found', detail = 'No such receipt, or the link is not signed.';
    end if;
    return pg_catalog.to_jsonb(r) || pg_catalog.jsonb_build_object(
        'exponent', (select k.exponent from public.currencies as k where k.code = r.currency),
        'receipt_number', (select x.number from public.receipts as x where x.id = r.receipt_id)
    );
end;
$$;

comment on function private.receipt_for_link(uuid, text) is
'The receipt a signed link names (the service renders it as a PDF); receipt_not_found otherwise. The one check of a link.';

grant execute on function private.receipt_for_link(uuid, text) to service_role;

-- The signed-in donor's receipts and credit notes (one donation's, or all), with
-- their links.
create function public.my_receipts(donation_id uuid default null)
returns table (
    id uuid, kind public.receipt_kind, number text, donation_id uuid, campaign_title text, amount bigint,
    currency text, issued_at timestamptz, voided_at timestamptz, link text
)
language sql
stable
security definer
set search_path = ''
as $$
    select
        r.id, r.kind, r.number, r.donation_id, r.campaign_title, r.amount, r.currency, r.issued_at, r.voided_at,
        private.site_link(private.receipt_path(r.id))
    from public.receipts as r
    inner join public.donations as d on d.id = r.donation_id
    where
        d.donor_id = (select auth.uid())
        and (my_receipts.donation_id is null or r.donation_id = my_receipts.donation_id)
    order by r.issued_at desc, r.number desc
$$;

comment on function public.my_receipts(uuid) is
'The caller''s receipts and credit notes (of one donation, or all), newest first, each with its signed link.';

revoke all on function public.my_receipts(uuid) from public, anon;
grant execute on function public.my_receipts(uuid) to authenticated;

-- Functions: admins --------------------------------------------------------------

-- Registers an organisation for tax receipts (admins).
create function public.register_organisation(
    legal_name text,
    address text,
    legal_mention_fr text,
    legal_mention_en text,
    rccm text default null,
    ninea text default null,
    ifu text default null
)
returns public.organisations
language plpgsql
security definer
set search_path = ''
as $$
declare
    o public.organisations;
begin
    if not private.is_admin() then
        raise exception using errcode = 'PT403', message = 'admin_only', detail = 'Only admins register organisations.';
    end if;
    if num_nonnulls(nullif(pg_catalog.btrim(rccm), ''), nullif(pg_catalog.btrim(ninea), ''), nullif(pg_catalog.btrim(ifu), '')) = 0 then
        raise exception using
            errcode = 'PT422', message = 'organisation_identifier_required',
            detail = 'An organisation needs at least one registration identifier (RCCM, NINEA or IFU).';
    end if;
    begin
        insert into public.organisations (legal_name, rccm, ninea, ifu, address, legal_mention_fr, legal_mention_en)
        values (
            pg_catalog.btrim(legal_name), nullif(pg_catalog.btrim(rccm), ''), nullif(pg_catalog.btrim(ninea), ''),
            nullif(pg_catalog.btrim(ifu), ''), pg_catalog.btrim(address), pg_catalog.btrim(legal_mention_fr),
            pg_catalog.btrim(legal_mention_en)
        )
        returning * into o;
    exception when check_violation or not_null_violation then
        raise exception using
            errcode = 'PT422', message = 'invalid_organisation',
            detail = 'Legal name 2-200 characters, identifiers up to 60, address 2-300, legal mentions (fr, en) 2-1000, no control characters.';
    end;
    perform private.audit('register_organisation', 'organisation', o.id::text, pg_catalog.jsonb_build_object('legal_name', o.legal_name));
    return o;
end;
$$;

comment on function public.register_organisation(text, text, text, text, text, text, text) is
'Admins: registers an organisation for tax receipts (at least one of rccm, ninea, ifu).';

-- Attaches an organisation to a campaign, or detaches it (null), for the
-- receipts issued from now on (admins; never the team: private.assert_independent_staff).
create function public.set_campaign_organisation(campaign_id uuid, organisation_id uuid)
returns public.campaign_organisations
language plpgsql
security definer
set search_path = ''
as $$
declare
    link public.campaign_organisations;
begin
    if not private.is_admin() then
        raise exception using
            errcode = 'PT403', message = 'admin_only', detail = 'Only admins attach organisations to campaigns.';
    end if;
    if not exists (select 1 from public.campaigns as c where c.id = set_campaign_organisation.campaign_id) then
        raise exception using errcode = 'PT404', message = 'campaign_not_found', detail = 'No such campaign.';
    end if;
    perform private.assert_independent_staff(campaign_id);
    if organisation_id is null then
        delete from public.campaign_organisations as x where x.campaign_id = set_campaign_organisation.campaign_id
        returning * into link;
    else
        if not exists (select 1 from public.organisations as o where o.id = set_campaign_organisation.organisation_id) then
            raise exception using errcode = 'PT404', message = 'organisation_not_found', detail = 'No such organisation.';
        end if;
        insert into public.campaign_organisations (campaign_id, organisation_id)
        values (campaign_id, organisation_id)
        on conflict on constraint campaign_organisations_pkey do update
        set organisation_id = excluded.organisation_id, linked_by = excluded.linked_by, linked_at = excluded.linked_at
        returning * into link;
    end if;
    perform private.audit(
        'set_campaign_organisation', 'campaign', campaign_id::text,
        pg_catalog.jsonb_build_object('organisation_id', organisation_id)
    );
    return link;
end;
$$;

comment on function public.set_campaign_organisation(uuid, uuid) is
'Admins (off the campaign''s team): the organisation whose tax fields the campaign''s next receipts carry; null detaches it.';

revoke all on function public.register_organisation(text, text, text, text, text, text, text) from public, anon;
revoke all on function public.set_campaign_organisation(uuid, uuid) from public, anon;
grant execute on function public.register_organisation(text, text, text, text, text, text, text) to authenticated;
grant execute on function public.set_campaign_organisation(uuid, uuid) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger organisations_refuse_banned_writes
before insert or update or delete on public.organisations
for each statement execute function private.refuse_banned_writes();

create trigger campaign_organisations_refuse_banned_writes
before insert or update or delete on public.campaign_organisations
for each statement execute function private.refuse_banned_writes();

create constraint trigger donations_receipts
after update of succeeded_at, refunded_amount, dispute_status on public.donations
deferrable initially deferred
for each row when (
    (old.succeeded_at is null and new.succeeded_at is not null) or new.refunded_amount > old.refunded_amount
    or (new.dispute_status = 'lost' and old.dispute_status is distinct from 'lost')
)
execute function private.receipts_follow_donation();

create trigger donations_receipts_forget_donor
after update of donor_name on public.donations
for each row when (old.donor_name is not null and new.donor_name is null)
execute function private.receipts_forget_donor();

create trigger campaigns_receipts_forget_organiser
after update of owner_id on public.campaigns
for each row when (old.owner_id is distinct from new.owner_id)
execute function private.receipts_forget_organiser();

-- Donations credited before receipts existed get theirs (no email), in order.
select private.issue_receipt(d.id, false)
from public.donations as d
where d.succeeded_at is not null
order by d.succeeded_at, d.id;

select private.issue_credit_note(d.id, d.refunded_amount, false)
from public.donations as d
where d.succeeded_at is not null and d.refunded_amount > 0
order by d.succeeded_at, d.id;

-- Templates ----------------------------------------------------------------------

insert into private.email_templates (key, locale, subject, body) values
(
    'donation_receipt', 'fr', 'Merci pour votre don à « {{campaign_title}} » (reçu {{number}})',
    E'Bonjour {{recipient_name}},\n\nMerci pour votre don de {{amount}} à la cagnotte « {{campaign_title}} ».\nVotre reçu n° {{number}} est disponible ici :\n{{receipt_url}}\n\nL''équipe AfriCagnotte\n'
),
(
    'donation_receipt', 'en', 'Thank you for your donation to "{{campaign_title}}" (receipt {{number}})',
    E'Hello {{recipient_name}},\n\nThank you for your donation of {{amount}} to the fundraiser "{{campaign_title}}".\nYour receipt no. {{number}} is here:\n{{receipt_url}}\n\nThe AfriCagnotte team\n'
),
(
    'credit_note', 'fr', 'Remboursement de votre don à « {{campaign_title}} » (avoir {{number}})',
    E'Bonjour {{recipient_name}},\n\nVotre don à la cagnotte « {{campaign_title}} » a été remboursé de {{amount}}.\nL''avoir n° {{number}} (sur le reçu n° {{receipt_number}}) est disponible ici :\n{{receipt_url}}\n\nL''équipe AfriCagnotte\n'
),
(
    'credit_note', 'en', 'Refund of your donation to "{{campaign_title}}" (credit note {{number}})',
    E'Hello {{recipient_name}},\n\nYour donation to the fundraiser "{{campaign_title}}" was refunded {{amount}}.\nCredit note no. {{number}} (on receipt no. {{receipt_number}}) is here:\n{{receipt_url}}\n\nThe AfriCagnotte team\n'
);
