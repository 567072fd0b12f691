-- Leaving the platform: deleting an account (Supabase Auth's admin API, `DELETE
-- /admin/users/<id>`, which deletes the auth.users row, or its soft delete,
-- `should_soft_delete`, which keeps the row obfuscated and sets deleted_at:
-- supabase/auth internal/api/admin.go adminUserDelete, internal/models/user.go
-- SoftDeleteUser) erases the person's identity everywhere it is stored, keeps the
-- money records the law and the ledger need, and never fails. One function does
-- it, private.erase_account, in the deleting transaction (a trigger on
-- auth.users: before the row is deleted, or when deleted_at is first set).
--
-- What goes, what stays:
--   * profile, memberships, notification preferences, the person's own
--     notifications and every email to them (outbox rows for their account or
--     address): deleted. Comments they wrote and reports they filed: deleted
--     with the profile (their words, not a money record).
--   * donations they made (by account, or as a guest with the same email): kept
--     with amount, currency, dates, campaign, status, fees and the provider's
--     references (private.payment_attempts); donor, name, email and message
--     are cleared and the gift becomes anonymous. Owners' notifications of
--     those gifts say 'Anonyme';
--     in the provider's stored events of their gifts, and in any other event
--     that carries their email (held for review, or matching no payment), the
--     payer's details (fields named for a name, email, phone number or postal
--     address: checkout customer and billing details, the mobile-money
--     number) and strings that carry the email or a name are nulled; an event
--     about one of their gifts recorded later (a refund when the campaign is
--     closed with refunds, a dispute) is stored without the payer's details
--     (private.erased_payers); emails about them, sent or not, are dropped
--     from the outbox.
--   * invitations they sent or received: deleted, with their emails and
--     notifications (the inviter's name is in them).
--   * roles: removed with the account, even the last admin's (deleting never
--     fails; the first-admin step of the README names a new admin).
--   * the audit log keeps who did what by account id; the email is replaced by
--     that id (operator, target, details).
--   * campaigns they own, one by one:
--       - never published (draft, pending_review, rejected) and without any
--         donation row: deleted;
--       - otherwise, when a co-organizer remains (not banned), the
--         longest-standing one becomes the owner (status unchanged, but a
--         published campaign with an open payout, which the leaver asked for,
--         is frozen for operators: they reject it, or unfreeze to let it be paid);
--       - otherwise the campaign is left without owner (owner_id null), and an
--         open one (or one sent back to review) is frozen for operators with the
--         reason 'owner account deleted' when it holds money (a positive
--         balance or an open payout), cancelled when it does not; an expired one
--         with money left is frozen likewise; cancelled and frozen ones stay.
--   * campaign updates they wrote (author_id null), proofs they uploaded
--     (uploaded_by null), status history and payout records (requested_by,
--     decided_by null) stay: they are the campaign's and the money's record.
--     A payout's beneficiary account stays on the payout (where the money went).
--   * a treasurer who leaves, or a co-organizer who becomes owner, no longer
--     counts as a treasurer: a campaign's quorum is lowered to the treasurers
--     left, and a payout waiting for its sign-off (requested) drops them from
--     the approvers copied onto it (an approval they gave no longer counts)
--     and needs at most the approvers left (private.drop_payout_approver), so
--     that no payout waits for an approval that can never come and no owner
--     signs off their own campaign's payout. Not a way round the sign-off:
--     only the treasurer's own account leaves, and it could have approved.
-- The deletion itself is audited (account_deleted, with what happened to the
-- campaigns; no name, no email).

-- Tables -----------------------------------------------------------------------

-- The gifts whose donor left: a provider event recorded for one later (a
-- refund when the campaign is closed with refunds, a dispute) is stored
-- without the payer's details it carries (private.forget_erased_payer).
create table private.erased_payers (
    donation_id uuid primary key references public.donations (id) on delete cascade
);

comment on table private.erased_payers is
'Gifts whose donor deleted their account: later provider events about them are stored without the payer''s details.';

revoke all on table private.erased_payers from public, anon, authenticated;

-- Indexes ----------------------------------------------------------------------

-- A guest's gifts are found by their email when they leave.
create index donations_donor_email_idx on public.donations (pg_catalog.lower(donor_email))
where donor_email is not null;

-- Functions ------------------------------------------------------------------------

-- A JSON document with each string that contains one of the needles (case
-- insensitive) replaced by `replacement`; the rest unchanged.
create function private.scrub_jsonb(doc jsonb, needles text[], replacement jsonb default 'null')
returns jsonb
language sql
immutable
set search_path = ''
as $$
    select case pg_catalog.jsonb_typeof(doc)
        when 'object' then (
            select coalesce(pg_catalog.jsonb_object_agg(e.key, private.scrub_jsonb(e.value, needles, replacement)), '{}')
            from pg_catalog.jsonb_each(doc) as e
        )
        when 'array' then (
            select coalesce(
                pg_catalog.jsonb_agg(private.scrub_jsonb(e.value, needles, replacement) order by e.ord), '[]'
            )
            from pg_catalog.jsonb_array_elements(doc) with ordinality as e (value, ord)
        )
        when 'string' then case
            when exists (
                select 1 from pg_catalog.unnest(needles) as n (needle)
                where pg_catalog.strpos(pg_catalog.lower(doc #>> '{}'), pg_catalog.lower(n.needle)) > 0
            ) then replacement
            else doc
        end
        else doc
    end
$$;

-- Where a provider's event says who paid: its fields (at any depth) named for
-- a name, an email, a phone number or a postal address (Stripe's
-- customer_details and billing_details, CinetPay's cel_phone_num,
-- cpm_phone_prefixe, customer_name…): the person, not the money.
create function private.scrub_payer_details(doc jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
    select case pg_catalog.jsonb_typeof(doc)
        when 'object' then (
            select coalesce(pg_catalog.jsonb_object_agg(
                e.key,
                case
                    when e.key ~* '(name|email|phone|address|line[12]|city|postal|zip)' then 'null'::jsonb
                    else private.scrub_payer_details(e.value)
                end
            ), '{}')
            from pg_catalog.jsonb_each(doc) as e
        )
        when 'array' then (
            select coalesce(pg_catalog.jsonb_agg(private.scrub_payer_details(e.value) order by e.ord), '[]')
            from pg_catalog.jsonb_array_elements(doc) with ordinality as e (value, ord)
        )
        else doc
    end
$$;

-- Whether the campaign still holds money: a positive balance, or a payout on its way.
create function private.holds_money(campaign_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select
        private.available_balance(holds_money.campaign_id) > 0
        or exists (
            select 1 from public.payout_requests as p
            where p.campaign_id = holds_money.campaign_id and p.status in ('requested', 'approved')
        )
$$;

-- The campaign's treasurer quorum, lowered to the treasurers it still has.
create function private.fit_treasurer_quorum(campaign_id uuid)
returns void
language sql
security definer
set search_path = ''
as $$
    update public.campaigns as c
    set treasurer_quorum = nullif(t.treasurers, 0)
    from (
        select pg_catalog.count(*) filter (where m.is_treasurer)::smallint as treasurers
        from public.campaign_members as m
        where m.campaign_id = fit_treasurer_quorum.campaign_id
    ) as t
    where c.id = fit_treasurer_quorum.campaign_id and c.treasurer_quorum > t.treasurers
$$;

-- A treasurer who no longer counts (they leave, or they become the owner) is
-- dropped from the approvers copied onto the payouts waiting for their
-- sign-off (of one campaign, or all), which then need at most the approvers
-- left: no payout waits for an approval that can never come, and no owner
-- signs off their own campaign's payout.
create function private.drop_payout_approver(approver uuid, campaign_id uuid default null)
returns void
language sql
security definer
set search_path = ''
as $$
    update public.payout_requests as p
    set
        approvers = pg_catalog.array_remove(p.approvers, drop_payout_approver.approver),
        approvals_required = least(p.approvals_required, pg_catalog.cardinality(p.approvers) - 1)
    where
        p.status = 'requested' and drop_payout_approver.approver = any(p.approvers)
        and (drop_payout_approver.campaign_id is null or p.campaign_id = drop_payout_approver.campaign_id)
$$;

-- What becomes of one campaign whose owner leaves (see the header); returns
-- deleted, handed_over, frozen, cancelled or kept.
create function private.release_campaign(c public.campaigns)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
    heir uuid;
    reason constant text := 'owner account deleted';
begin
    if c.published_at is null and c.status in ('draft', 'pending_review', 'rejected')
        and not exists (select 1 from public.donations as d where d.campaign_id = c.id) then
        delete from public.campaigns as x where x.id = c.id;
        return 'deleted';
    end if;

    select m.user_id into heir
    from public.campaign_members as m
    where m.campaign_id = c.id and m.user_id <> c.owner_id and not private.is_banned(m.user_id)
    order by m.added_at, m.user_id
    limit 1;
    if heir is not null then
        delete from public.campaign_members as m where m.campaign_id = c.id and m.user_id = heir;
        update public.campaigns as x set owner_id = heir where x.id = c.id;
        perform private.fit_treasurer_quorum(c.id);
        perform private.drop_payout_approver(heir, c.id);
        -- a payout the leaver asked for (to an account they chose) is not paid
        -- to someone whose identity is gone: operators check it first
        if c.is_published and exists (
            select 1 from public.payout_requests as p
            where p.campaign_id = c.id and p.status in ('requested', 'approved')
        ) then
            perform private.set_campaign_status(c.id, 'frozen', reason || ': open payout');
        end if;
        return 'handed_over';
    end if;

    if c.status in ('cancelled', 'frozen') or (c.status = 'expired' and not private.holds_money(c.id)) then
        update public.campaigns as x set owner_id = null where x.id = c.id;
        return 'kept';
    end if;
    if private.holds_money(c.id) then
        perform private.set_campaign_status(c.id, 'frozen', reason);
        update public.campaigns as x set owner_id = null where x.id = c.id;
        return 'frozen';
    end if;
    perform private.set_campaign_status(c.id, 'cancelled', reason);
    update public.campaigns as x set owner_id = null where x.id = c.id;
    return 'cancelled';
end;
$$;

-- Erases the identity of an account that is being deleted (see the header).
-- `email` and `names`: what the account was known by (the caller reads them
-- before they change); idempotent.
create function private.erase_account(leaving uuid, email text, names text[] default '{}')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    address text := pg_catalog.lower(nullif(pg_catalog.btrim(email), ''));
    needles text[];
    gifts uuid[];
    invitations uuid[];
    teams uuid[];
    c public.campaigns;
    campaigns jsonb := '{}'::jsonb;
    outcome text;
begin
    -- one deletion at a time (an heir cannot be leaving too), and nothing new
    -- of theirs meanwhile (a campaign being created waits, then finds no profile)
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('private.erase_account'));
    perform from public.profiles as p where p.id = leaving for update;

    -- what the person is known by: their email and every name they went by
    select pg_catalog.array_agg(distinct n.name) filter (where pg_catalog.char_length(n.name) >= 3)
    into needles
    from (
        select address as name
        union all select pg_catalog.unnest(names)
        union all select p.display_name from public.profiles as p where p.id = leaving
        union all
        select d.donor_name from public.donations as d
        where d.donor_id = leaving or pg_catalog.lower(d.donor_email) = address
    ) as n;
    needles := coalesce(needles, '{}');

    -- campaigns they own
    for c in
        select * from public.campaigns as x where x.owner_id = leaving order by x.created_at, x.id for update
    loop
        outcome := private.release_campaign(c);
        campaigns := campaigns || pg_catalog.jsonb_build_object(
            outcome, coalesce((campaigns ->> outcome)::integer, 0) + 1
        );
    end loop;

    -- their gifts: kept, anonymous
    select coalesce(pg_catalog.array_agg(d.id), '{}') into gifts
    from public.donations as d
    where d.donor_id = leaving or pg_catalog.lower(d.donor_email) = address;
    update public.donations as d
    set donor_id = null, donor_name = null, donor_email = null, message = null, is_anonymous = true
    where d.id = any(gifts);
    insert into private.erased_payers (donation_id)
    select g.id from pg_catalog.unnest(gifts) as g (id)
    on conflict do nothing;
    with told as (
        update public.notifications as n
        set payload = n.payload || '{"donor_name": "Anonyme"}'::jsonb
        from public.donations as d
        where d.id = any(gifts) and n.campaign_id = d.campaign_id and n.dedupe_key = 'donation:' || d.id
        returning n.id
    )
    delete from private.email_outbox as o where o.notification_id in (select t.id from told as t);
    -- and every event that carries their email: theirs, and those held for
    -- review or matching no payment (no donation of theirs named)
    update private.webhook_events as e
    set payload = private.scrub_jsonb(private.scrub_payer_details(e.payload), needles)
    where
        e.donation_id = any(gifts)
        or (address is not null and pg_catalog.strpos(pg_catalog.lower(e.payload::text), address) > 0);

    -- invitations they sent or received, with what was sent about them
    select coalesce(pg_catalog.array_agg(i.id), '{}') into invitations
    from public.campaign_invitations as i
    where i.invited_by = leaving or i.accepted_by = leaving or i.email = address;
    delete from public.notifications as n
    where n.kind = 'invitation' and n.payload ->> 'invitation_id' = any(invitations::text[]);
    delete from private.email_outbox as o
    where o.dedupe_key like 'invitation:%'
        and pg_catalog.split_part(o.dedupe_key, ':', 2) = any(invitations::text[]);
    delete from public.campaign_invitations as i where i.id = any(invitations);

    -- emails to them, sent or not
    delete from private.email_outbox as o
    where o.user_id = leaving or pg_catalog.lower(o.to_address) = address;

    -- the audit log: by account id, not by email
    update private.audit_log as a
    set
        operator = case when pg_catalog.lower(a.operator) = address then null else a.operator end,
        target_id = case when pg_catalog.lower(a.target_id) = address then leaving::text else a.target_id end,
        details = private.scrub_jsonb(a.details, array[address], pg_catalog.to_jsonb(leaving::text))
    where
        address is not null
        and (
            pg_catalog.lower(a.operator) = address or pg_catalog.lower(a.target_id) = address
            or pg_catalog.strpos(pg_catalog.lower(a.details::text), address) > 0
        );

    -- their teams: no longer a treasurer anywhere
    with gone as (
        delete from public.campaign_members as m where m.user_id = leaving returning m.campaign_id
    )
    select coalesce(pg_catalog.array_agg(g.campaign_id), '{}') into teams from gone as g;
    perform private.fit_treasurer_quorum(t.id) from pg_catalog.unnest(teams) as t (id);
    perform private.drop_payout_approver(leaving);

    -- the profile, and with it comments, reports, notifications, preferences
    delete from public.profiles as p where p.id = leaving;

    perform private.audit(
        'account_deleted', 'user', leaving::text, pg_catalog.jsonb_build_object('campaigns', campaigns)
    );
    return pg_catalog.jsonb_build_object('campaigns', campaigns, 'donations', pg_catalog.cardinality(gifts));
end;
$$;

comment on function private.erase_account(uuid, text, text[]) is
'Erases the identity of an account being deleted and releases its campaigns (the header of 20261130140000_create_account_deletion.sql says what goes and what stays). Called by triggers on auth.users.';

-- auth.users: before the row is deleted (hard delete), or when it is first
-- marked deleted (soft delete: the row stays, obfuscated). Reads the email and
-- the metadata's names before they change.
create function private.on_account_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.erase_account(
        old.id, old.email,
        array[old.raw_user_meta_data ->> 'full_name', old.raw_user_meta_data ->> 'name']
    );
    if tg_op = 'UPDATE' then
        delete from public.user_roles as r where r.user_id = old.id;  -- the row stays: its roles go
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end;
$$;

-- A provider event about a gift whose donor left, once the payment core has
-- named its donation: stored without the payer's details.
create function private.forget_erased_payer()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if exists (select 1 from private.erased_payers as x where x.donation_id = new.donation_id) then
        new.payload := private.scrub_payer_details(new.payload);
    end if;
    return new;
end;
$$;

-- Triggers ---------------------------------------------------------------------

create trigger webhook_events_forget_erased_payer
before update of donation_id on private.webhook_events
for each row when (new.donation_id is not null)
execute function private.forget_erased_payer();

create trigger on_auth_user_deleted
before delete on auth.users
for each row execute function private.on_account_deleted();

create trigger on_auth_user_soft_deleted
after update of deleted_at on auth.users
for each row
when (old.deleted_at is null and new.deleted_at is not null)
execute function private.on_account_deleted();
