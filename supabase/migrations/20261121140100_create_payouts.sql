-- Payouts: the campaign's owner asks for the money collected, to a bank
-- account or a mobile-money wallet; admins approve and pay.
--
-- Balance (from the ledger only): gross donations - refunds - disputes
-- - platform fee - processor fees - payouts paid or in progress. A request
-- reserves its amount at once (ledger `payout`); cancelling, rejecting or a
-- failed payment gives it back (`payout_reversal`).
--
-- States: requested -> approved -> paid | failed; requested -> cancelled (the
-- owner); requested | approved -> rejected (an admin). One open request per
-- campaign at a time.
--
-- Controls before an admin may approve:
--   * treasurers: when the owner named co-organizers as treasurers (M of them),
--     N of them (campaigns.treasurer_quorum) approve the request first. Who and
--     how many are copied onto the request when it is made (approvers,
--     approvals_required): removing or changing treasurers later lowers
--     nothing, and the requester never signs off their own request;
--   * proofs: the campaign's category lists required documents (santé: a
--     hospital letter or quote…); each needs an accepted document;
--   * four eyes: no staff member reviews a proof or decides a payout of a
--     campaign whose team they are on (private.assert_independent_staff): an
--     admin's own payout needs another admin; nor a proof they uploaded or a
--     payout they requested or were named to sign off, even after leaving the
--     team;
--   * fraud stops (private.payout_stop_reason): nothing is requested, approved
--     or paid while the campaign is frozen or cancelled or its owner banned.
-- payout_blockers(payout_id) tells the owner exactly what is missing.
--
-- Where the money goes is personal data: encrypted at rest, masked everywhere
-- else (see "Payout accounts, encrypted at rest" below).
--
-- The platform fee is a global rate with an optional per-category rate
-- (categories.platform_fee_bp), frozen on each donation when it is pledged.
-- Every step is written to the ledger or the audit log (private.audit_log).

-- Types ------------------------------------------------------------------------

create type public.payout_status as enum ('requested', 'approved', 'paid', 'failed', 'rejected', 'cancelled');
create type public.payout_method as enum ('bank_account', 'mobile_money');
create type public.mobile_money_operator as enum (
    'orange_money', 'mtn_momo', 'moov_money', 'wave', 'free_money', 'airtel_money', 'mpesa'
);
create type public.document_status as enum ('pending', 'accepted', 'rejected');

-- Tables: fees, treasurers, proofs -----------------------------------------------------

alter table public.categories
add column platform_fee_bp integer check (platform_fee_bp between 0 and 2000);

comment on column public.categories.platform_fee_bp is
'Platform fee for this category in basis points; null: the global rate (platform_settings).';

alter table public.campaign_members add column is_treasurer boolean not null default false;

alter table public.campaigns
add column treasurer_quorum smallint check (treasurer_quorum between 1 and 20);

create table public.category_proof_requirements (
    category text not null references public.categories (slug) on delete cascade,
    document_type text not null check (document_type ~ '^[a-z][a-z_]{2,40}$'),
    label_fr text not null check (pg_catalog.char_length(label_fr) between 3 and 120),
    label_en text not null check (pg_catalog.char_length(label_en) between 3 and 120),
    primary key (category, document_type)
);

create table public.campaign_documents (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    document_type text not null check (document_type ~ '^[a-z][a-z_]{2,40}$'),
    -- the file: a private Cloudinary asset under africagnotte/documents/<campaign id>/
    file_ref text not null check (
        pg_catalog.char_length(file_ref) <= 255 and file_ref !~ '[[:cntrl:][:space:]]'
    ),
    status public.document_status not null default 'pending',
    -- null: the uploader deleted their account; the proof stays with the campaign
    uploaded_by uuid default auth.uid() references public.profiles (id) on delete set null,
    reviewed_by uuid references public.profiles (id) on delete set null,
    reviewed_at timestamptz,
    review_note text check (pg_catalog.char_length(review_note) <= 500),
    created_at timestamptz not null default pg_catalog.now(),
    check (file_ref like 'africagnotte/documents/' || campaign_id || '/%')
);

create index campaign_documents_campaign_idx on public.campaign_documents (campaign_id, document_type);
create index campaign_documents_uploaded_by_idx on public.campaign_documents (uploaded_by);
create index campaign_documents_reviewed_by_idx on public.campaign_documents (reviewed_by);

-- Tables: payouts ---------------------------------------------------------------

create table public.payout_requests (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete restrict,
    requested_by uuid references public.profiles (id) on delete set null,
    amount bigint not null check (amount > 0),
    currency text not null references public.currencies (code),
    method public.payout_method not null,
    -- The destination in clear is only what identifies no one: the bank's name
    -- or the wallet's operator, and masks made when it is requested
    -- ('A. T.', '•••• 5690', '+223 •• ••• •• 56'). The beneficiary's name and
    -- the number are encrypted in private.payout_accounts.
    bank_name text check (pg_catalog.char_length(bank_name) between 2 and 80 and bank_name !~ '[[:cntrl:]]'),
    mobile_operator public.mobile_money_operator,
    beneficiary_mask text not null check (pg_catalog.char_length(beneficiary_mask) between 1 and 40),
    account_mask text not null check (pg_catalog.char_length(account_mask) between 4 and 40),
    -- The sign-off fixed when it is requested: the treasurers then, and how many
    -- of them must approve (0: no treasurer control). Changing or removing
    -- treasurers afterwards changes neither.
    approvers uuid[] not null default '{}',
    approvals_required smallint not null default 0 check (
        approvals_required between 0 and 20 and approvals_required <= pg_catalog.cardinality(approvers)
    ),
    status public.payout_status not null default 'requested',
    decided_by uuid references public.profiles (id) on delete set null,
    approved_at timestamptz,
    paid_at timestamptz,
    reference text check (pg_catalog.char_length(pg_catalog.btrim(reference)) between 1 and 120),
    reason text check (pg_catalog.char_length(reason) <= 500),
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    check (
        (method = 'bank_account' and bank_name is not null and mobile_operator is null)
        or (method = 'mobile_money' and mobile_operator is not null and bank_name is null)
    ),
    check ((status = 'paid') = (reference is not null and paid_at is not null))
);

create unique index payout_requests_one_open on public.payout_requests (campaign_id)
where status in ('requested', 'approved');
create index payout_requests_campaign_idx on public.payout_requests (campaign_id, created_at desc);
create index payout_requests_requested_by_idx on public.payout_requests (requested_by);
create index payout_requests_decided_by_idx on public.payout_requests (decided_by);
create index payout_requests_open_idx on public.payout_requests (created_at) where status in ('requested', 'approved');
create unique index payout_requests_reference_key on public.payout_requests (reference);

create table public.payout_approvals (
    payout_id uuid not null references public.payout_requests (id) on delete cascade,
    treasurer_id uuid not null references public.profiles (id) on delete cascade,
    approved_at timestamptz not null default pg_catalog.now(),
    primary key (payout_id, treasurer_id)
);

create index payout_approvals_treasurer_id_idx on public.payout_approvals (treasurer_id);

-- Payout accounts, encrypted at rest -------------------------------------------
--
-- The beneficiary's name and the account or wallet number are encrypted by the
-- database itself when the owner requests a payout (pgcrypto's
-- pgp_pub_encrypt, OpenPGP) to the PUBLIC half of the platform's payout key,
-- private.payout_account_key. The private half is never in the database: the
-- service (GET /payouts/<id>/account, for the campaign's team) and the console
-- (`cagnotte-admin payouts show`, for the admin deciding) hold it in
-- PAYOUT_ACCOUNTS_PRIVATE_KEY and decrypt in Python (gpg). A dump or a backup
-- holds only ciphertext and masks. The frontend still calls request_payout.
--
-- Why not Supabase Vault: Vault stores secrets encrypted on disk but serves
-- them "in decrypted form through a Postgres view" (vault.decrypted_secrets) to
-- SQL, its key managed by the platform: whoever can run SQL as the service or
-- restore a dump on the same project reads them, and it is a store of named
-- secrets, not per-row column encryption (its per-column sibling, pgsodium's
-- Transparent Column Encryption, is "pending deprecation", not recommended by
-- Supabase). supabase_vault is also not in Debian's PostgreSQL packages, so it
-- does not run on the local platform. pgcrypto is on every hosted project.
--
-- pgcrypto encrypts to RSA or Elgamal keys only: the key is RSA (keys.py makes
-- one for local runs and tests). A new key serves new requests; each row says
-- which key sealed it (key_id).

create table private.payout_account_key (
    singleton boolean primary key default true check (singleton),
    public_key bytea not null,
    key_id text not null check (key_id ~ '^[0-9A-F]{16}$'),
    installed_at timestamptz not null default pg_catalog.now()
);

create table private.payout_accounts (
    payout_id uuid primary key references public.payout_requests (id) on delete cascade,
    key_id text not null,
    -- pgp_pub_encrypt of {"beneficiary_name", "account_number" | "phone_number"}
    ciphertext bytea not null
);

alter table private.ledger_entries
add column payout_id uuid references public.payout_requests (id) on delete restrict;

create index ledger_entries_payout_id_idx on private.ledger_entries (payout_id);

-- Who did what, for inquiries: payout steps, and every operator's action.
create table private.audit_log (
    id bigint generated always as identity primary key,
    at timestamptz not null default pg_catalog.now(),
    -- the signed-in user (auth.uid()), and the operator's name when the CLI acted
    actor_id uuid,
    operator text,
    action text not null,
    target_type text not null,
    target_id text,
    details jsonb not null default '{}'
);

create index audit_log_target_idx on private.audit_log (target_type, target_id, at);
create index audit_log_actor_idx on private.audit_log (actor_id, at);

-- Grants -----------------------------------------------------------------------

grant update (platform_fee_bp) on table public.categories to authenticated;

revoke all on table public.category_proof_requirements, public.campaign_documents, public.payout_requests,
public.payout_approvals from anon, authenticated;
grant select on table public.category_proof_requirements to anon, authenticated;
grant insert, update, delete on table public.category_proof_requirements to authenticated;
grant select, delete on table public.campaign_documents to authenticated;
grant insert (campaign_id, document_type, file_ref) on table public.campaign_documents to authenticated;
grant select on table public.payout_requests, public.payout_approvals to authenticated;

revoke all on table private.audit_log from public, anon, authenticated;
grant select on table private.audit_log to service_role;
revoke all on table private.payout_account_key, private.payout_accounts from public, anon, authenticated, service_role;

-- RLS --------------------------------------------------------------------------

alter table public.category_proof_requirements enable row level security;
alter table public.campaign_documents enable row level security;
alter table public.payout_requests enable row level security;
alter table public.payout_approvals enable row level security;
alter table private.audit_log enable row level security;

create policy "anyone reads the proof requirements"
on public.category_proof_requirements for select to anon, authenticated
using (true);

create policy "admins add proof requirements"
on public.category_proof_requirements for insert to authenticated
with check ((select private.is_admin()));

create policy "admins edit proof requirements"
on public.category_proof_requirements for update to authenticated
using ((select private.is_admin()))
with check ((select private.is_admin()));

create policy "admins remove proof requirements"
on public.category_proof_requirements for delete to authenticated
using ((select private.is_admin()));

create policy "the team and staff read the campaign's documents"
on public.campaign_documents for select to authenticated
using ((select private.is_staff()) or campaign_id in (select private.team_campaign_ids()));

create policy "the team adds documents to its campaign"
on public.campaign_documents for insert to authenticated
with check (uploaded_by = (select auth.uid()) and campaign_id in (select private.team_campaign_ids()));

create policy "the team removes its documents not yet accepted"
on public.campaign_documents for delete to authenticated
using (status <> 'accepted' and campaign_id in (select private.team_campaign_ids()));

create policy "the team and admins read the campaign's payouts"
on public.payout_requests for select to authenticated
using ((select private.is_admin()) or campaign_id in (select private.team_campaign_ids()));

create policy "the team and admins read payout approvals"
on public.payout_approvals for select to authenticated
using (
    (select private.is_admin())
    or payout_id in (
        select p.id from public.payout_requests as p
        where p.campaign_id in (select private.team_campaign_ids())
    )
);

create policy "the service reads the audit log"
on private.audit_log for select to service_role
using (true);

-- Functions: helpers ---------------------------------------------------------------

-- Records a step. The operator's name comes from the CLI's session setting.
create function private.audit(action text, target_type text, target_id text, details jsonb default '{}')
returns void
language sql
security definer
set search_path = ''
as $$
    insert into private.audit_log (actor_id, operator, action, target_type, target_id, details)
    values (
        auth.uid(), nullif(pg_catalog.current_setting('africagnotte.operator', true), ''),
        action, target_type, target_id, coalesce(details, '{}')
    )
$$;

grant execute on function private.audit(text, text, text, jsonb) to service_role;

-- Why nothing may be paid out of this campaign now (null: nothing): the fraud
-- stops. A frozen or cancelled campaign, or a banned owner, pays nothing out:
-- request_payout refuses, move_payout refuses to approve or pay (rejecting
-- and failing, which give the money back, stay possible), payout_blockers
-- lists it. The one home of that rule.
create function private.payout_stop_reason(campaign_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
    select case  -- the owner's ban first: it is why their campaigns are frozen
        when private.is_banned(c.owner_id) then 'owner_banned'
        when c.status = 'frozen' then 'campaign_frozen'
        when c.status = 'cancelled' then 'campaign_cancelled'
    end
    from public.campaigns as c
    where c.id = payout_stop_reason.campaign_id
$$;

-- Masks of a payout account, made when it is requested and shown wherever the
-- account appears (listings, exports, emails): the last digits of a number
-- ('•••• 5690'), a phone's country prefix and last digits ('+223 •• ••• •• 56'),
-- a name's initials ('A. T.').
create function private.mask_account_number(value text)
returns text
language sql
immutable
set search_path = ''
as $$
    select case
        when value like '+%' then pg_catalog.left(value, 4) || ' •• ••• •• ' || pg_catalog.right(value, 2)
        else '•••• ' || pg_catalog.right(value, 4)
    end
$$;

create function private.mask_name(value text)
returns text
language sql
immutable
set search_path = ''
as $$
    select pg_catalog.left(pg_catalog.string_agg(pg_catalog.upper(pg_catalog.left(w, 1)) || '.', ' '), 40)
    from pg_catalog.regexp_split_to_table(pg_catalog.btrim(value), '[[:space:]]+') as w
$$;

-- Installs the public half of the payout-accounts key (armored OpenPGP, RSA),
-- for the requests made from now on; returns its key id. Refuses anything
-- pgcrypto cannot encrypt to (a secret key, garbage, an ECC key). Called by the
-- console (`payouts install-key`, audited there) and the local stack's setup.
create function private.install_payout_account_key(public_key text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
    key bytea;
    id text;
begin
    begin
        key := extensions.dearmor(public_key);
        id := extensions.pgp_key_id(key);
        perform extensions.pgp_pub_encrypt('test', key);
    exception when others then
        raise exception using
            errcode = 'PT422', message = 'invalid_payout_key',
            detail = 'An armored OpenPGP public RSA key with an encryption key is expected.';
    end;
    insert into private.payout_account_key (public_key, key_id) values (key, id)
    on conflict (singleton) do update
    set public_key = excluded.public_key, key_id = excluded.key_id, installed_at = pg_catalog.now();
    return id;
end;
$$;

-- Seals a payout's account with the installed key (payout_key_missing without one).
create function private.seal_payout_account(payout_id uuid, account jsonb)
returns void
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
    insert into private.payout_accounts (payout_id, key_id, ciphertext)
    values (payout_id, k.key_id, extensions.pgp_pub_encrypt(pg_catalog.jsonb_strip_nulls(account)::text, k.public_key));
end;
$$;

-- The sealed account of a payout, for those who may read it in full (the
-- caller decrypts with the private key), audited; to anyone else the payout
-- does not exist:
--   * the campaign's team: payout_account_for_team(reader, …), the service's
--     GET /payouts/<id>/account with the reader from the user's token; not a
--     banned member (account_banned, even with a token issued before the ban);
--   * the admin deciding the payout, never one on the campaign's team (four
--     eyes): payout_account_for_staff(…) as the signed-in operator
--     (`cagnotte-admin payouts show`).
create function private.payout_account_for_team(reader uuid, payout_id uuid)
returns private.payout_accounts
language plpgsql
security definer
set search_path = ''
as $$
declare
    a private.payout_accounts;
begin
    if private.is_banned(reader) then  -- a ban stops the team's reads of it at once
        raise exception using
            errcode = 'PT403', message = 'account_banned',
            detail = 'This account is suspended: it can read public data but not payout accounts.';
    end if;
    select x.* into a
    from private.payout_accounts as x
    inner join public.payout_requests as p on x.payout_id = p.id
    where
        x.payout_id = payout_account_for_team.payout_id
        and p.campaign_id in (select private.team_campaign_ids(reader));
    if not found then
        raise exception using errcode = 'PT404', message = 'payout_not_found', detail = 'No such payout request.';
    end if;
    insert into private.audit_log (actor_id, action, target_type, target_id)
    values (reader, 'read_payout_account', 'payout', a.payout_id::text);
    return a;
end;
$$;

create function private.payout_account_for_staff(payout_id uuid)
returns private.payout_accounts
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests;
    a private.payout_accounts;
begin
    if not private.is_admin() then
        raise exception using errcode = 'PT403', message = 'admin_only', detail = 'Only admins decide payouts.';
    end if;
    p := private.visible_payout(payout_id);
    perform private.assert_independent_staff(p.campaign_id, p.requested_by || p.approvers);
    select * into a from private.payout_accounts as x where x.payout_id = p.id;
    if not found then
        raise exception using errcode = 'PT404', message = 'payout_not_found', detail = 'No such payout request.';
    end if;
    perform private.audit('read_payout_account', 'payout', p.id::text);
    return a;
end;
$$;

grant execute on function private.install_payout_account_key(text) to service_role;
grant execute on function private.payout_account_for_team(uuid, uuid) to service_role;
grant execute on function private.payout_account_for_staff(uuid) to service_role;

-- The money the campaign can still pay out (its ledger's sum).
create function private.available_balance(campaign_id uuid)
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(pg_catalog.sum(l.amount), 0)::bigint
    from private.ledger_entries as l
    where l.campaign_id = available_balance.campaign_id
$$;

-- A payout's ledger entry (out when requested, back when it does not happen).
create function private.add_payout_entry(p public.payout_requests, back boolean)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into private.ledger_entries (campaign_id, payout_id, kind, amount, currency, idempotency_key)
    values (
        p.campaign_id, p.id,
        (case when back then 'payout_reversal' else 'payout' end)::private.ledger_kind,
        case when back then p.amount else -p.amount end,
        p.currency, 'payout:' || p.id
    )
    on conflict do nothing;
end;
$$;

-- The payout, for its campaign's team and admins (else payout_not_found).
create function private.visible_payout(payout_id uuid, for_update boolean default false)
returns public.payout_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests;
begin
    if for_update then
        select * into p from public.payout_requests as x where x.id = visible_payout.payout_id for update;
    else
        select * into p from public.payout_requests as x where x.id = visible_payout.payout_id;
    end if;
    if not found or not (private.is_admin() or private.is_campaign_team(p.campaign_id)) then
        raise exception using errcode = 'PT404', message = 'payout_not_found', detail = 'No such payout request.';
    end if;
    return p;
end;
$$;

-- The payout, locked; raises unless it is in one of `allowed`.
create function private.locked_payout(payout_id uuid, allowed public.payout_status[])
returns public.payout_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests := private.visible_payout(payout_id, true);
begin
    if not p.status = any(allowed) then
        raise exception using
            errcode = 'PT409', message = 'invalid_payout_transition',
            detail = pg_catalog.format('This payout is %s.', p.status);
    end if;
    return p;
end;
$$;

create function private.notify_payout(p public.payout_requests)
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
            'destination', coalesce(p.mobile_operator::text, p.bank_name) || ' ' || p.account_mask
        ),
        'payout:' || p.id || ':' || p.status
    )
    from public.campaigns as c
    where c.id = p.campaign_id
$$;

-- Functions: what the team sees -------------------------------------------------------

-- The campaign's money, from the ledger: for its team and admins (minor units
-- of its currency). A composite type rather than jsonb, so that `supabase gen
-- types` describes every field; PostgREST answers it as one object.
create type public.campaign_balance as (
    campaign_id uuid,
    currency text,
    collected bigint,
    platform_fees bigint,
    processor_fees bigint,
    in_progress bigint,
    paid_out bigint,
    available bigint
);

comment on type public.campaign_balance is
'public.campaign_balance: collected (donations net of refunds and disputes), platform and processor fees, payouts in progress and paid out, and what is available to request.';

create function public.campaign_balance(campaign_id uuid)
returns public.campaign_balance
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id);
begin
    if not private.is_admin() and not private.is_campaign_team(c.id) then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner', detail = 'The balance is for the campaign''s team.';
    end if;
    return (
        select row(
            c.id,
            c.currency,
            coalesce(pg_catalog.sum(l.amount) filter (
                where l.kind in ('donation', 'refund', 'dispute', 'dispute_reversal')
            ), 0)::bigint,
            coalesce(-pg_catalog.sum(l.amount) filter (where l.kind = 'platform_fee'), 0)::bigint,
            coalesce(-pg_catalog.sum(l.amount) filter (where l.kind = 'processor_fee'), 0)::bigint,
            (
                select coalesce(pg_catalog.sum(p.amount), 0) from public.payout_requests as p
                where p.campaign_id = c.id and p.status in ('requested', 'approved')
            )::bigint,
            (
                select coalesce(pg_catalog.sum(p.amount), 0) from public.payout_requests as p
                where p.campaign_id = c.id and p.status = 'paid'
            )::bigint,
            coalesce(pg_catalog.sum(l.amount), 0)::bigint
        )::public.campaign_balance
        from private.ledger_entries as l
        where l.campaign_id = c.id
    );
end;
$$;

-- Why the payout cannot be approved yet (no row: nothing in the way), one row
-- per blocker, the fields that do not apply null:
--   reason campaign_frozen | campaign_cancelled | owner_banned (a fraud stop)
--   reason treasurer_approvals, with approvals and required (the treasurers
--    named when it was requested; only their approvals count)
--   reason document_missing | document_pending | document_rejected, with
--    document_type, label_fr, label_en and the moderator's note
create type public.payout_blocker as (
    reason text,
    approvals integer,
    required integer,
    document_type text,
    label_fr text,
    label_en text,
    note text
);

comment on type public.payout_blocker is
'What stands in the way of a payout (public.payout_blockers): a fraud stop, missing treasurer approvals, or a proof missing, pending or rejected.';

create function public.payout_blockers(payout_id uuid)
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

-- Functions: the owner -----------------------------------------------------------------

-- Names the treasurers among the co-organizers, and how many must approve.
-- Not while a payout is open. An empty list removes the control. A request
-- copies them (payout_requests.approvers, approvals_required): what a payout
-- needs is fixed when it is requested. A snapshot treasurer who leaves the team
-- (or is removed) can no longer approve it, and the requirement stays: the
-- owner cancels the request, names treasurers again and requests anew.
create function public.set_treasurers(campaign_id uuid, treasurer_ids uuid[], quorum smallint default null)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id, true);
    named integer := coalesce(pg_catalog.cardinality(treasurer_ids), 0);
begin
    if c.owner_id is distinct from auth.uid() then
        raise exception using errcode = 'PT403', message = 'not_campaign_owner', detail = 'Only the owner names treasurers.';
    end if;
    if exists (
        select 1 from public.payout_requests as p where p.campaign_id = c.id and p.status in ('requested', 'approved')
    ) then
        raise exception using
            errcode = 'PT409', message = 'payout_in_progress', detail = 'Wait until the open payout is settled.';
    end if;
    if (
        select pg_catalog.count(distinct t.id) from pg_catalog.unnest(treasurer_ids) as t (id)
        where t.id in (select m.user_id from public.campaign_members as m where m.campaign_id = c.id)
    ) <> named or (
        select pg_catalog.count(distinct t.id) from pg_catalog.unnest(treasurer_ids) as t (id)
    ) <> named then
        raise exception using
            errcode = 'PT422', message = 'treasurer_not_co_organizer',
            detail = 'Treasurers are distinct co-organizers of the campaign.';
    end if;
    if (named = 0 and quorum is not null) or (named > 0 and (quorum is null or quorum < 1 or quorum > named)) then
        raise exception using
            errcode = 'PT422', message = 'invalid_quorum',
            detail = pg_catalog.format('The quorum is between 1 and the %s treasurers.', named);
    end if;
    update public.campaign_members as m
    set is_treasurer = m.user_id = any(treasurer_ids)
    where m.campaign_id = c.id;
    update public.campaigns as x set treasurer_quorum = quorum where x.id = c.id;
    perform private.audit(
        'set_treasurers', 'campaign', c.id::text,
        pg_catalog.jsonb_build_object('treasurers', treasurer_ids, 'quorum', quorum)
    );
end;
$$;

-- Where the money goes, checked before it is sealed (the columns cannot check
-- what they no longer hold): a beneficiary's name; a bank's name and an IBAN or
-- RIB (capitals and digits), or a mobile-money operator and an E.164 number.
create function private.check_payout_destination(
    method public.payout_method, beneficiary text, bank text, account text,
    operator public.mobile_money_operator, phone text
)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
    problem text;
begin
    problem := case
        when beneficiary is null or pg_catalog.char_length(beneficiary) not between 2 and 80
            or beneficiary ~ '[[:cntrl:]]'
            then 'The beneficiary''s name has 2 to 80 characters.'
        when method is null then 'The method is bank_account or mobile_money.'
        when method = 'bank_account' and (operator is not null or phone is not null)
            then 'A bank account takes no mobile-money operator or phone number.'
        when method = 'bank_account' and (
            bank is null or pg_catalog.char_length(bank) not between 2 and 80 or bank ~ '[[:cntrl:]]'
        ) then 'The bank''s name has 2 to 80 characters.'
        when method = 'bank_account' and (account is null or account !~ '^[A-Z0-9]{8,34}$')
            then 'The account number is an IBAN or RIB: 8 to 34 letters and digits.'
        when method = 'mobile_money' and (bank is not null or account is not null)
            then 'A mobile-money wallet takes no bank or account number.'
        when method = 'mobile_money' and operator is null then 'The mobile-money operator is missing.'
        when method = 'mobile_money' and (phone is null or phone !~ '^\+[1-9][0-9]{7,14}$')
            then 'The phone number is international (E.164): +221770000000.'
    end;
    if problem is not null then
        raise exception using errcode = 'PT422', message = 'invalid_payout_destination', detail = problem;
    end if;
end;
$$;

create function public.request_payout(
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
    c public.campaigns := private.visible_campaign(campaign_id, true);
    available bigint;
    stop text := private.payout_stop_reason(c.id);
    beneficiary text := pg_catalog.btrim(beneficiary_name);
    bank text := pg_catalog.btrim(bank_name);
    account text := pg_catalog.upper(pg_catalog.regexp_replace(account_number, '[[:space:]-]', '', 'g'));
    phone text := pg_catalog.regexp_replace(phone_number, '[[:space:]-]', '', 'g');
    treasurers uuid[];
    p public.payout_requests;
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
    perform private.check_payout_destination(method, beneficiary, bank, account, mobile_operator, phone);
    treasurers := array(
        select m.user_id from public.campaign_members as m
        where m.campaign_id = c.id and m.is_treasurer
        order by m.user_id
    );
    insert into public.payout_requests (
        campaign_id, requested_by, amount, currency, method, bank_name, mobile_operator,
        beneficiary_mask, account_mask, approvers, approvals_required
    ) values (
        c.id, auth.uid(), amount, c.currency, method, bank, mobile_operator,
        private.mask_name(beneficiary), private.mask_account_number(coalesce(account, phone)), treasurers,
        -- a treasurer removed since set_treasurers cannot be waited for
        least(coalesce(c.treasurer_quorum, 1), pg_catalog.cardinality(treasurers))
    )
    returning * into p;
    perform private.seal_payout_account(
        p.id,
        pg_catalog.jsonb_build_object('beneficiary_name', beneficiary, 'account_number', account, 'phone_number', phone)
    );
    perform private.add_payout_entry(p, false);
    perform private.audit('request_payout', 'payout', p.id::text, pg_catalog.jsonb_build_object('amount', p.amount));
    return p;
end;
$$;

-- Functions: treasurers ------------------------------------------------------------------

-- A team act, not a staff decision: one of the treasurers named when the payout
-- was requested signs it off; never the one who requested it.

create function public.approve_payout_as_treasurer(payout_id uuid)
returns public.payout_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
    p public.payout_requests := private.locked_payout(payout_id, '{requested}');
begin
    -- named then and still on the team (an admin sees the payout off the team)
    if not auth.uid() = any(p.approvers) or not private.is_campaign_team(p.campaign_id) then
        raise exception using
            errcode = 'PT403', message = 'not_treasurer',
            detail = 'Only the treasurers named when the payout was requested, still on the team.';
    end if;
    if p.requested_by = auth.uid() then
        raise exception using
            errcode = 'PT403', message = 'cannot_approve_own_request',
            detail = 'The one who requests a payout does not sign it off.';
    end if;
    insert into public.payout_approvals (payout_id, treasurer_id) values (p.id, auth.uid())
    on conflict do nothing;
    perform private.audit('approve_payout_as_treasurer', 'payout', p.id::text);
    return p;
end;
$$;

-- Functions: decisions -------------------------------------------------------------

-- Every move of a request after it is made, in one place: who may make it
-- (the owner cancels, admins decide, never an admin on the campaign's team:
-- an admin's own payout needs another admin), from which states, what it
-- needs (a reason, the transfer's reference, no blockers before approval, no
-- fraud stop before approval or payment), then the
-- ledger (money back when it will not be paid), the audit log and the owner's
-- notification.
create function private.move_payout(payout_id uuid, target public.payout_status, note text default null)
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
    stop := case when target in ('approved', 'paid') then private.payout_stop_reason(p.campaign_id) end;
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

create function public.cancel_payout(payout_id uuid)
returns public.payout_requests
language sql
security definer
set search_path = ''
as $$
    select private.move_payout(cancel_payout.payout_id, 'cancelled')
$$;

create function public.approve_payout(payout_id uuid)
returns public.payout_requests
language sql
security definer
set search_path = ''
as $$
    select private.move_payout(approve_payout.payout_id, 'approved')
$$;

create function public.reject_payout(payout_id uuid, reason text)
returns public.payout_requests
language sql
security definer
set search_path = ''
as $$
    select private.move_payout(reject_payout.payout_id, 'rejected', reject_payout.reason)
$$;

create function public.mark_payout_paid(payout_id uuid, reference text)
returns public.payout_requests
language sql
security definer
set search_path = ''
as $$
    select private.move_payout(mark_payout_paid.payout_id, 'paid', mark_payout_paid.reference)
$$;

create function public.mark_payout_failed(payout_id uuid, reason text)
returns public.payout_requests
language sql
security definer
set search_path = ''
as $$
    select private.move_payout(mark_payout_failed.payout_id, 'failed', mark_payout_failed.reason)
$$;

-- Staff review the proofs, never those of a campaign of their own team.
create function public.review_campaign_document(document_id uuid, status public.document_status, note text default null)
returns public.campaign_documents
language plpgsql
security definer
set search_path = ''
as $$
declare
    d public.campaign_documents;
begin
    if not private.is_staff() then
        raise exception using errcode = 'PT403', message = 'staff_only', detail = 'Only moderators and admins.';
    end if;
    if review_campaign_document.status = 'pending' then
        raise exception using errcode = 'PT422', message = 'invalid_review', detail = 'accepted or rejected.';
    end if;
    note := case when review_campaign_document.status = 'rejected'
        then private.decision_reason(note, 500) else private.optional_reason(note, 500) end;
    select * into d from public.campaign_documents as x where x.id = review_campaign_document.document_id for update;
    if not found then
        raise exception using errcode = 'PT404', message = 'document_not_found', detail = 'No such document.';
    end if;
    -- nor the proof they uploaded, even off the team since
    perform private.assert_independent_staff(d.campaign_id, array[d.uploaded_by]);
    update public.campaign_documents as x
    set status = review_campaign_document.status, reviewed_by = auth.uid(), reviewed_at = pg_catalog.now(),
        review_note = nullif(pg_catalog.btrim(note), '')
    where x.id = d.id
    returning * into d;
    perform private.audit(
        'review_campaign_document', 'document', d.id::text,
        pg_catalog.jsonb_build_object('status', d.status, 'note', d.review_note)
    );
    return d;
end;
$$;

-- Whether `actor` may upload a proof of this type for the campaign (the
-- service asks before signing a private upload); raises the reason otherwise.
create function private.authorize_document_upload(actor uuid, campaign_id uuid, document_type text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    if private.is_banned(actor) then
        raise exception using
            errcode = 'PT403', message = 'account_banned',
            detail = 'This account is suspended: it can read public data but not write.';
    end if;
    c := private.visible_campaign(campaign_id, false, actor);
    if c.id not in (select private.team_campaign_ids(actor)) then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner', detail = 'Only the campaign''s team adds proofs.';
    end if;
    if not exists (
        select 1 from public.category_proof_requirements as r
        where r.category = c.category and r.document_type = authorize_document_upload.document_type
    ) then
        raise exception using
            errcode = 'PT422', message = 'document_type_not_required',
            detail = 'The campaign''s category does not ask for this document.';
    end if;
end;
$$;

grant execute on function private.authorize_document_upload(uuid, uuid, text) to service_role;

-- The platform fee frozen on a new pledge: its category's rate, else the global one.
create function private.category_platform_fee()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    new.platform_fee_bp := coalesce((
        select k.platform_fee_bp
        from public.campaigns as c
        inner join public.categories as k on c.category = k.slug
        where c.id = new.campaign_id
    ), new.platform_fee_bp);
    return new;
end;
$$;

grant execute on function public.campaign_balance(uuid) to authenticated;
grant execute on function public.payout_blockers(uuid) to authenticated;
grant execute on function public.set_treasurers(uuid, uuid[], smallint) to authenticated;
grant execute on function public.request_payout(
    uuid, bigint, public.payout_method, text, text, text, public.mobile_money_operator, text
) to authenticated;
grant execute on function public.cancel_payout(uuid) to authenticated;
grant execute on function public.approve_payout_as_treasurer(uuid) to authenticated;
grant execute on function public.approve_payout(uuid) to authenticated;
grant execute on function public.reject_payout(uuid, text) to authenticated;
grant execute on function public.mark_payout_paid(uuid, text) to authenticated;
grant execute on function public.mark_payout_failed(uuid, text) to authenticated;
grant execute on function public.review_campaign_document(uuid, public.document_status, text) to authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger category_proof_requirements_refuse_banned_writes
before insert or update or delete on public.category_proof_requirements
for each statement execute function private.refuse_banned_writes();

create trigger campaign_documents_refuse_banned_writes
before insert or update or delete on public.campaign_documents
for each statement execute function private.refuse_banned_writes();

create trigger payout_requests_refuse_banned_writes
before insert or update or delete on public.payout_requests
for each statement execute function private.refuse_banned_writes();

create trigger payout_approvals_refuse_banned_writes
before insert or update or delete on public.payout_approvals
for each statement execute function private.refuse_banned_writes();

create trigger donations_category_platform_fee
before insert on public.donations
for each row execute function private.category_platform_fee();

-- Reference data: the proofs each category asks for -------------------------------------

insert into public.category_proof_requirements (category, document_type, label_fr, label_en) values
('sante', 'medical_document', 'Lettre de l''hôpital ou devis médical', 'Hospital letter or medical quote'),
('funerailles', 'death_notice', 'Avis ou certificat de décès', 'Death notice or certificate'),
('education', 'school_letter', 'Lettre de l''établissement ou facture de scolarité', 'School letter or tuition invoice'),
('urgence', 'identity_document', 'Pièce d''identité du bénéficiaire', 'Beneficiary''s identity document');

-- Email templates: payout news ------------------------------------------------------------

insert into private.email_templates (key, locale, subject, body) values
(
    'payout_approved', 'fr', 'Votre versement pour « {{campaign_title}} » : validé',
    E'Bonjour {{recipient_name}},\n\nVotre demande de versement de {{amount}} pour « {{campaign_title}} » est validée.\nVers : {{destination}}\nLe virement suit sous peu.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'payout_approved', 'en', 'Your payout for "{{campaign_title}}": approved',
    E'Hello {{recipient_name}},\n\nYour payout request of {{amount}} for "{{campaign_title}}" is approved.\nTo: {{destination}}\nThe transfer follows shortly.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'payout_paid', 'fr', 'Votre versement pour « {{campaign_title}} » : effectué',
    E'Bonjour {{recipient_name}},\n\nVotre demande de versement de {{amount}} pour « {{campaign_title}} » est réglée.\nVers : {{destination}}\nRéférence du virement : {{reference}}\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'payout_paid', 'en', 'Your payout for "{{campaign_title}}": paid',
    E'Hello {{recipient_name}},\n\nYour payout request of {{amount}} for "{{campaign_title}}" is paid.\nTo: {{destination}}\nTransfer reference: {{reference}}\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'payout_failed', 'fr', 'Votre versement pour « {{campaign_title}} » : en échec',
    E'Bonjour {{recipient_name}},\n\nVotre demande de versement de {{amount}} pour « {{campaign_title}} » est en échec.\nVers : {{destination}}\nMotif : {{reason}}\nLe montant est de nouveau disponible : vérifiez le compte de destination et demandez un nouveau versement.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'payout_failed', 'en', 'Your payout for "{{campaign_title}}": failed',
    E'Hello {{recipient_name}},\n\nYour payout request of {{amount}} for "{{campaign_title}}" is failed.\nTo: {{destination}}\nReason: {{reason}}\nThe amount is available again: check the destination account and request a new payout.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'payout_rejected', 'fr', 'Votre versement pour « {{campaign_title}} » : refusé',
    E'Bonjour {{recipient_name}},\n\nVotre demande de versement de {{amount}} pour « {{campaign_title}} » est refusée.\nMotif : {{reason}}\nLe montant est de nouveau disponible.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'payout_rejected', 'en', 'Your payout for "{{campaign_title}}": rejected',
    E'Hello {{recipient_name}},\n\nYour payout request of {{amount}} for "{{campaign_title}}" is rejected.\nReason: {{reason}}\nThe amount is available again.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
);
