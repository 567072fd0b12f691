-- Attested offline gifts: cash handed over at a funeral or a church, or money
-- sent through a mobile-money agent, that never passed through the platform.
-- They count in the campaign's progress once a second person vouches for them,
-- shown apart from the money received online, never in what can be paid out.
--
--   record_offline_gift(campaign, amount, currency, received_on, channel,
--                       slip_ref, giver_consented, giver_name)
--                    a TREASURER of the campaign (campaign_members.is_treasurer);
--                    its owner only while it has no treasurer. The amount in
--                    the campaign's currency (minor units, 1 to the currency's
--                    max_goal); the day received (not in the future, UTC+3:
--                    the platform's easternmost countries; not before the
--                    campaign was created); cash or agent; the photo of the
--                    cash receipt or agent slip (slip_ref: a private Cloudinary
--                    asset under africagnotte/offline/<campaign id>/, each
--                    recorded once); the giver's name only when they agreed
--                    (giver_consented), else none. The gift is pending.
--   attest_offline_gift(gift)
--                    a co-signer: another treasurer, or the owner, never the
--                    one who recorded it; or staff (moderators, admins) off
--                    the campaign's team (private.assert_independent_staff).
--                    Attested: it counts in campaigns.offline_amount.
--   refuse_offline_gift(gift, reason)
--                    a would-be co-signer (as above): refused, with a reason.
--   withdraw_offline_gift(gift, reason)
--                    its recorder or the owner (on the team), or staff off the
--                    team, pending or attested: withdrawn, with a reason; an
--                    attested gift leaves campaigns.offline_amount.
--
-- The one transition function, private.move_offline_gift, checks who and
-- from which state, keeps campaigns.offline_amount (the sum of the attested
-- gifts), audits (private.audit) and tells the team (notifications, emailed).
-- Nothing is recorded nor attested on a frozen or cancelled campaign
-- (campaign_closed), nor on one not yet published; refusing and withdrawing
-- stay possible there. A banned user's token writes nothing (account_banned).
--
-- Money: an offline gift is never a donation, never a ledger entry
-- (private.ledger_entries), never in campaign_balance or
-- private.available_balance (nothing to pay out: the team holds that cash),
-- never in collected_amount, progress_bp, the funded status nor the goal's
-- notifications. The page shows it apart: campaigns.offline_amount ("dons hors
-- ligne attestés") next to collected_amount, and progress_with_offline_bp.
--
-- Reading: the campaign's team and staff read every gift (public.offline_gifts,
-- with the slip's reference); anyone reads the attested gifts of a campaign
-- they see through campaign_offline_gifts(campaign): amount, day, channel, the
-- giver's name when they agreed, never the slip.

-- Types ------------------------------------------------------------------------

create type public.offline_gift_channel as enum ('cash', 'agent');
create type public.offline_gift_status as enum ('pending', 'attested', 'refused', 'withdrawn');

-- Tables -----------------------------------------------------------------------

alter table public.campaigns
add column offline_amount bigint not null default 0 check (offline_amount >= 0);

alter table public.campaigns
add column progress_with_offline_bp bigint generated always as (
    (collected_amount + offline_amount) * 10000 / goal_amount
) stored;

comment on column public.campaigns.offline_amount is
'Attested offline gifts (cash, agents), in minor units of currency: shown apart from collected_amount, never payable (public.offline_gifts).';
comment on column public.campaigns.progress_with_offline_bp is
'(collected_amount + offline_amount) / goal_amount in basis points: the progress the page shows, offline gifts included.';

create table public.offline_gifts (
    id uuid primary key default extensions.gen_random_uuid(),
    campaign_id uuid not null references public.campaigns (id) on delete cascade,
    amount bigint not null check (amount > 0),
    currency text not null references public.currencies (code),
    received_on date not null,
    channel public.offline_gift_channel not null,
    giver_consented boolean not null default false,
    -- only when the giver agreed to be named
    giver_name text check (
        pg_catalog.char_length(giver_name) between 1 and 120 and private.is_single_line(giver_name)
    ),
    -- the photo of the cash receipt or agent slip: a private Cloudinary asset
    -- under africagnotte/offline/<campaign id>/ (team and staff only)
    slip_ref text not null unique check (
        pg_catalog.char_length(slip_ref) <= 255 and slip_ref !~ '[[:cntrl:][:space:]]'
    ),
    status public.offline_gift_status not null default 'pending',
    -- null: they deleted their account; the gift stays with the campaign
    recorded_by uuid references public.profiles (id) on delete set null,
    recorded_at timestamptz not null default pg_catalog.now(),
    attested_by uuid references public.profiles (id) on delete set null,
    attested_at timestamptz,
    refused_by uuid references public.profiles (id) on delete set null,
    refused_at timestamptz,
    withdrawn_by uuid references public.profiles (id) on delete set null,
    withdrawn_at timestamptz,
    -- why it was refused or withdrawn
    reason text check (pg_catalog.char_length(reason) <= 500),
    check (slip_ref like 'africagnotte/offline/' || campaign_id || '/%'),
    check (giver_consented or giver_name is null),
    check ((status in ('attested', 'withdrawn')) >= (attested_at is not null)),
    check ((status = 'attested') <= (attested_at is not null)),
    check ((status = 'refused') = (refused_at is not null)),
    check ((status = 'withdrawn') = (withdrawn_at is not null)),
    check ((status in ('refused', 'withdrawn')) = (reason is not null))
);

comment on table public.offline_gifts is
'Cash and agent gifts collected offline, recorded by a treasurer and attested by a second team member or staff: pending -> attested | refused; pending | attested -> withdrawn (record_offline_gift, attest_offline_gift, refuse_offline_gift, withdraw_offline_gift). Team and staff read them; the public reads attested ones through campaign_offline_gifts. Never in the ledger nor the balance.';
comment on column public.offline_gifts.slip_ref is
'The cash receipt''s or agent slip''s photo: a private Cloudinary asset (type authenticated) under africagnotte/offline/<campaign id>/.';

create index offline_gifts_campaign_idx on public.offline_gifts (campaign_id, status, received_on desc);
create index offline_gifts_pending_idx on public.offline_gifts (recorded_at) where status = 'pending';
create index offline_gifts_currency_idx on public.offline_gifts (currency);
create index offline_gifts_recorded_by_idx on public.offline_gifts (recorded_by);
create index offline_gifts_attested_by_idx on public.offline_gifts (attested_by);
create index offline_gifts_refused_by_idx on public.offline_gifts (refused_by);
create index offline_gifts_withdrawn_by_idx on public.offline_gifts (withdrawn_by);

-- What anyone reads of an attested gift.
create type public.attested_offline_gift as (
    id uuid,
    amount bigint,
    currency text,
    received_on date,
    channel public.offline_gift_channel,
    giver_name text,
    attested_at timestamptz
);

-- Grants -----------------------------------------------------------------------

revoke all on table public.offline_gifts from anon, authenticated;
grant select on table public.offline_gifts to authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.offline_gifts enable row level security;

create policy "the team and staff read the campaign's offline gifts"
on public.offline_gifts for select to authenticated
using ((select private.is_staff()) or campaign_id in (select private.team_campaign_ids()));

-- Functions: helpers -----------------------------------------------------------------

-- The treasurers of a campaign.
create function private.campaign_treasurers(campaign_id uuid)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(pg_catalog.array_agg(m.user_id order by m.added_at), '{}')
    from public.campaign_members as m
    where m.campaign_id = campaign_treasurers.campaign_id and m.is_treasurer
$$;

-- Whether `actor` may record an offline gift for the campaign (the RPC, and
-- the service before signing a slip's upload): the one home of that rule.
-- Returns the campaign; raises the reason otherwise.
create function private.assert_offline_gift_recorder(actor uuid, campaign_id uuid)
returns public.campaigns
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
    treasurers uuid[];
begin
    if private.is_banned(actor) then
        raise exception using
            errcode = 'PT403', message = 'account_banned',
            detail = 'This account is suspended: it can read public data but not write.';
    end if;
    c := private.visible_campaign(campaign_id, false, actor);
    treasurers := private.campaign_treasurers(c.id);
    if not (actor = any(treasurers) or (c.owner_id = actor and pg_catalog.cardinality(treasurers) = 0)) then
        raise exception using
            errcode = 'PT403', message = 'not_treasurer',
            detail = 'Only a treasurer of the campaign (its owner while it has none) records offline gifts.';
    end if;
    if c.status in ('frozen', 'cancelled') then
        raise exception using
            errcode = 'PT409', message = 'campaign_closed',
            detail = pg_catalog.format('A campaign that is %s takes no offline gift.', c.status);
    end if;
    if not c.is_published then
        perform private.invalid_transition('record an offline gift for', c.status);
    end if;
    return c;
end;
$$;

-- Tells the gift's news to its campaign's people who handle money (the owner,
-- the treasurers, the recorder), but not to who made it.
create function private.notify_offline_gift(g public.offline_gifts, kind public.notification_kind, recipients uuid[])
returns void
language sql
security definer
set search_path = ''
as $$
    select private.notify(
        pg_catalog.array_remove(recipients, auth.uid()), kind, c.id,
        private.campaign_payload(c) || pg_catalog.jsonb_build_object(
            'gift_id', g.id, 'amount', g.amount, 'channel', g.channel,
            'received_on', pg_catalog.to_char(g.received_on, 'YYYY-MM-DD'),
            'giver_name', g.giver_name, 'reason', g.reason, 'offline_amount', c.offline_amount
        ),
        'offline_gift:' || g.id || ':' || g.status
    )
    from public.campaigns as c
    where c.id = g.campaign_id
$$;

-- Functions: the gift's states -------------------------------------------------------

create function public.record_offline_gift(
    campaign_id uuid,
    amount bigint,
    currency text,
    received_on date,
    channel public.offline_gift_channel,
    slip_ref text,
    giver_consented boolean default false,
    giver_name text default null
)
returns public.offline_gifts
language plpgsql
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.assert_offline_gift_recorder(auth.uid(), campaign_id);
    cur public.currencies;
    name text := nullif(pg_catalog.btrim(giver_name), '');
    ref text := pg_catalog.btrim(slip_ref);
    g public.offline_gifts;
begin
    if record_offline_gift.currency is distinct from c.currency then
        raise exception using
            errcode = 'PT422', message = 'currency_mismatch', detail = pg_catalog.format('This campaign collects %s.', c.currency);
    end if;
    select * into cur from public.currencies as k where k.code = c.currency;
    if amount is null or amount < 1 or amount > cur.max_goal then
        raise exception using
            errcode = 'PT422', message = 'amount_out_of_bounds',
            detail = pg_catalog.format('An offline gift in %s is between 1 and %s (minor units).', cur.code, cur.max_goal);
    end if;
    if received_on is null or channel is null
        or received_on > ((pg_catalog.now() at time zone 'UTC') + interval '3 hours')::date
        or received_on < (c.created_at at time zone 'UTC')::date then
        raise exception using
            errcode = 'PT422', message = 'invalid_offline_gift',
            detail = 'The day received (not in the future, not before the campaign) and the channel (cash or agent) are required.';
    end if;
    if ref is null or ref !~ ('^africagnotte/offline/' || c.id || '/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,150}$') or ref ~ '\.\.' then
        raise exception using
            errcode = 'PT422', message = 'invalid_slip_ref',
            detail = 'The slip''s photo, uploaded under africagnotte/offline/<campaign id>/ (POST /media/signature, target offline_slip).';
    end if;
    if not coalesce(giver_consented, false) and name is not null then
        raise exception using
            errcode = 'PT422', message = 'giver_consent_required',
            detail = 'The giver''s name is kept only when they agreed to be named (giver_consented).';
    end if;
    if giver_consented and (name is null or pg_catalog.char_length(name) > 120 or not private.is_single_line(name)) then
        raise exception using
            errcode = 'PT422', message = 'invalid_giver_name', detail = 'The giver''s name: 1 to 120 characters on one line.';
    end if;
    begin
        insert into public.offline_gifts (
            campaign_id, amount, currency, received_on, channel, giver_consented, giver_name, slip_ref, recorded_by
        )
        values (c.id, amount, c.currency, received_on, channel, coalesce(giver_consented, false), name, ref, auth.uid())
        returning * into g;
    exception when unique_violation then
        raise exception using
            errcode = 'PT409', message = 'slip_already_recorded', detail = 'This slip already backs an offline gift.';
    end;
    perform private.audit(
        'record_offline_gift', 'offline_gift', g.id::text,
        pg_catalog.jsonb_build_object('campaign_id', c.id, 'amount', g.amount, 'currency', g.currency, 'channel', g.channel)
    );
    perform private.notify_offline_gift(
        g, 'offline_gift_to_attest', c.owner_id || private.campaign_treasurers(c.id)
    );
    return g;
end;
$$;

-- Every move of a gift after it is recorded, in one place: who may make it,
-- from which states, what it needs (a reason to refuse or withdraw; a campaign
-- neither frozen nor cancelled to attest), then campaigns.offline_amount, the
-- audit log and the team's notification.
--   attested, refused   a co-signer: a treasurer or the owner other than the
--                       recorder; staff off the team (and not the recorder)
--   withdrawn           the recorder or the owner; staff off the team
create function private.move_offline_gift(gift_id uuid, target public.offline_gift_status, note text default null)
returns public.offline_gifts
language plpgsql
security definer
set search_path = ''
as $$
declare
    g public.offline_gifts;
    c public.campaigns;
    on_team boolean;
    was public.offline_gift_status;
begin
    if private.is_banned() then
        raise exception using
            errcode = 'PT403', message = 'account_banned',
            detail = 'This account is suspended: it can read public data but not write.';
    end if;
    select * into g from public.offline_gifts as x where x.id = move_offline_gift.gift_id for update;
    if not found or not (private.is_staff() or private.is_campaign_team(g.campaign_id)) then
        raise exception using errcode = 'PT404', message = 'offline_gift_not_found', detail = 'No such offline gift.';
    end if;
    -- the campaign locked too (as the payment core locks it for its totals): its
    -- offline_amount follows
    select * into c from public.campaigns as x where x.id = g.campaign_id for no key update;
    on_team := private.is_campaign_team(c.id);
    was := g.status;

    if g.status <> 'pending' and not (target = 'withdrawn' and g.status = 'attested') then
        raise exception using
            errcode = 'PT409', message = 'invalid_offline_gift_transition',
            detail = pg_catalog.format('This offline gift is %s.', g.status);
    end if;
    if target in ('attested', 'refused') then
        if auth.uid() = g.recorded_by then
            raise exception using
                errcode = 'PT403', message = 'cannot_attest_own_gift',
                detail = 'The one who records an offline gift does not co-sign it: another treasurer, the owner or staff do.';
        end if;
        if on_team and not (c.owner_id = auth.uid() or auth.uid() = any(private.campaign_treasurers(c.id))) then
            raise exception using
                errcode = 'PT403', message = 'not_treasurer',
                detail = 'Only a treasurer or the owner of the campaign, or staff, co-sign offline gifts.';
        end if;
    elsif on_team and not (c.owner_id = auth.uid() or auth.uid() = g.recorded_by) then
        raise exception using
            errcode = 'PT403', message = 'not_offline_gift_recorder',
            detail = 'Only the one who recorded the gift, the owner or staff withdraw it.';
    end if;
    if not on_team then
        perform private.assert_independent_staff(c.id, array[g.recorded_by]);
    end if;
    if target = 'attested' and c.status in ('frozen', 'cancelled') then
        raise exception using
            errcode = 'PT409', message = 'campaign_closed',
            detail = pg_catalog.format('A campaign that is %s takes no offline gift.', c.status);
    end if;
    if target in ('refused', 'withdrawn') then
        note := private.decision_reason(note, 500);
    end if;

    update public.offline_gifts as x
    set
        status = target,
        attested_by = case when target = 'attested' then auth.uid() else x.attested_by end,
        attested_at = case when target = 'attested' then pg_catalog.now() else x.attested_at end,
        refused_by = case when target = 'refused' then auth.uid() else x.refused_by end,
        refused_at = case when target = 'refused' then pg_catalog.now() else x.refused_at end,
        withdrawn_by = case when target = 'withdrawn' then auth.uid() else x.withdrawn_by end,
        withdrawn_at = case when target = 'withdrawn' then pg_catalog.now() else x.withdrawn_at end,
        reason = case when target in ('refused', 'withdrawn') then note else x.reason end
    where x.id = g.id
    returning * into g;

    if target = 'attested' or was = 'attested' then
        update public.campaigns as x
        set offline_amount = x.offline_amount + case when target = 'attested' then g.amount else -g.amount end
        where x.id = c.id;
    end if;
    perform private.audit(
        case target when 'attested' then 'attest_offline_gift' when 'refused' then 'refuse_offline_gift'
            else 'withdraw_offline_gift' end,
        'offline_gift', g.id::text,
        pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
            'campaign_id', c.id, 'amount', g.amount, 'from', was, 'reason', g.reason
        ))
    );
    perform private.notify_offline_gift(
        g,
        case target when 'attested' then 'offline_gift_attested' when 'refused' then 'offline_gift_refused'
            else 'offline_gift_withdrawn' end::public.notification_kind,
        -- the recorder only while still on the team (the owner is already told)
        c.owner_id || private.campaign_treasurers(c.id) || array(
            select m.user_id from public.campaign_members as m where m.campaign_id = c.id and m.user_id = g.recorded_by
        )
    );
    return g;
end;
$$;

create function public.attest_offline_gift(gift_id uuid)
returns public.offline_gifts
language sql
security definer
set search_path = ''
as $$
    select private.move_offline_gift(attest_offline_gift.gift_id, 'attested')
$$;

create function public.refuse_offline_gift(gift_id uuid, reason text)
returns public.offline_gifts
language sql
security definer
set search_path = ''
as $$
    select private.move_offline_gift(refuse_offline_gift.gift_id, 'refused', refuse_offline_gift.reason)
$$;

create function public.withdraw_offline_gift(gift_id uuid, reason text)
returns public.offline_gifts
language sql
security definer
set search_path = ''
as $$
    select private.move_offline_gift(withdraw_offline_gift.gift_id, 'withdrawn', withdraw_offline_gift.reason)
$$;

-- Functions: what anyone reads ----------------------------------------------------------

-- The attested offline gifts of a campaign the caller sees, newest first: no
-- slip, the giver's name only when they agreed.
create function public.campaign_offline_gifts(campaign_id uuid, page_size integer default 20, page_offset integer default 0)
returns setof public.attested_offline_gift
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    c public.campaigns := private.visible_campaign(campaign_id);
begin
    if page_size is null or page_size not between 1 and 100 or page_offset is null or page_offset not between 0 and 100000 then
        raise exception using
            errcode = 'PT400', message = 'invalid_page', detail = 'page_size is 1 to 100, page_offset 0 to 100000.';
    end if;
    return query
    select g.id, g.amount, g.currency, g.received_on, g.channel, g.giver_name, g.attested_at
    from public.offline_gifts as g
    where g.campaign_id = c.id and g.status = 'attested'
    order by g.received_on desc, g.attested_at desc, g.id
    limit page_size offset page_offset;
end;
$$;

comment on function public.record_offline_gift(
    uuid, bigint, text, date, public.offline_gift_channel, text, boolean, text
) is
'A treasurer (the owner while there is none) records a cash or agent gift with its slip''s photo: pending until a second team member or staff attests it.';
comment on function public.attest_offline_gift(uuid) is
'A co-signer (another treasurer, the owner, or staff off the team) attests a pending offline gift: it then counts in campaigns.offline_amount.';
comment on function public.refuse_offline_gift(uuid, text) is
'A would-be co-signer refuses a pending offline gift, with a reason (audited).';
comment on function public.withdraw_offline_gift(uuid, text) is
'The recorder, the owner or staff withdraw a pending or attested offline gift, with a reason (audited); an attested one leaves campaigns.offline_amount.';
comment on function public.campaign_offline_gifts(uuid, integer, integer) is
'The attested offline gifts of a campaign: amount, day, channel, the giver''s name when they agreed; never the slip.';

grant execute on function private.assert_offline_gift_recorder(uuid, uuid) to service_role;
grant execute on function public.record_offline_gift(
    uuid, bigint, text, date, public.offline_gift_channel, text, boolean, text
) to authenticated;
grant execute on function public.attest_offline_gift(uuid) to authenticated;
grant execute on function public.refuse_offline_gift(uuid, text) to authenticated;
grant execute on function public.withdraw_offline_gift(uuid, text) to authenticated;
grant execute on function public.campaign_offline_gifts(uuid, integer, integer) to anon, authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger offline_gifts_refuse_banned_writes
before insert or update or delete on public.offline_gifts
for each statement execute function private.refuse_banned_writes();

-- Notification kinds --------------------------------------------------------------------

with
gift (properties) as (
    select pg_catalog.jsonb_build_object(
        'gift_id', '{"type": "string", "format": "uuid", "description": "The gift (public.offline_gifts)."}'::jsonb,
        'amount', '{"type": "integer", "description": "The gift, in minor units of currency."}'::jsonb,
        'channel', pg_catalog.jsonb_build_object(
            'type', 'string', 'enum', pg_catalog.to_jsonb(pg_catalog.enum_range(null::public.offline_gift_channel)),
            'description', 'cash, or a mobile-money agent.'
        ),
        'received_on', '{"type": "string", "description": "The day it was received (YYYY-MM-DD)."}'::jsonb,
        'giver_name', '{"type": ["string", "null"], "description": "The giver''s name, when they agreed to be named."}'::jsonb,
        'reason', '{"type": ["string", "null"], "description": "Why it was refused or withdrawn (null: otherwise)."}'::jsonb,
        'offline_amount', '{"type": "integer", "description": "The campaign''s attested offline gifts after this step, in minor units of currency."}'::jsonb
    )
),

kind (kind, description) as (
    values
    (
        'offline_gift_to_attest',
        'To the campaign''s owner and treasurers but its recorder, when a treasurer records an offline gift: it awaits a co-signature.'
    ),
    (
        'offline_gift_attested',
        'To the campaign''s owner, treasurers and the gift''s recorder (not who attested), when an offline gift is attested.'
    ),
    (
        'offline_gift_refused',
        'To the campaign''s owner, treasurers and the gift''s recorder (not who refused), when an offline gift is refused.'
    ),
    (
        'offline_gift_withdrawn',
        'To the campaign''s owner, treasurers and the gift''s recorder (not who withdrew), when an offline gift is withdrawn.'
    )
)

select private.define_notification_kind(k.kind::public.notification_kind, k.description, g.properties)
from kind as k
cross join gift as g;

-- Email templates: the team hears of each step -------------------------------------------

insert into private.email_templates (key, locale, subject, body) values
(
    'offline_gift_to_attest', 'fr', 'Un don hors ligne de {{amount}} attend votre signature',
    E'Bonjour {{recipient_name}},\n\nUn trésorier de la cagnotte « {{campaign_title}} » a enregistré un don hors ligne de {{amount}}, reçu le {{received_on}}.\nVérifiez le reçu ou le bordereau, puis attestez-le ou refusez-le : il ne compte dans la progression qu''une fois attesté.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'offline_gift_to_attest', 'en', 'An offline gift of {{amount}} awaits your signature',
    E'Hello {{recipient_name}},\n\nA treasurer of the fundraiser "{{campaign_title}}" recorded an offline gift of {{amount}}, received on {{received_on}}.\nCheck the receipt or slip, then attest or refuse it: it counts in the progress only once attested.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'offline_gift_attested', 'fr', 'Don hors ligne de {{amount}} attesté pour « {{campaign_title}} »',
    E'Bonjour {{recipient_name}},\n\nLe don hors ligne de {{amount}} reçu le {{received_on}} pour « {{campaign_title}} » est attesté : il compte désormais dans les dons hors ligne attestés de la cagnotte, à part de l''argent reçu en ligne.\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'offline_gift_attested', 'en', 'Offline gift of {{amount}} attested for "{{campaign_title}}"',
    E'Hello {{recipient_name}},\n\nThe offline gift of {{amount}} received on {{received_on}} for "{{campaign_title}}" is attested: it now counts in the fundraiser''s attested offline gifts, apart from the money received online.\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'offline_gift_refused', 'fr', 'Don hors ligne de {{amount}} refusé pour « {{campaign_title}} »',
    E'Bonjour {{recipient_name}},\n\nLe don hors ligne de {{amount}} reçu le {{received_on}} pour « {{campaign_title}} » n''est pas attesté.\nMotif : {{reason}}\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'offline_gift_refused', 'en', 'Offline gift of {{amount}} refused for "{{campaign_title}}"',
    E'Hello {{recipient_name}},\n\nThe offline gift of {{amount}} received on {{received_on}} for "{{campaign_title}}" is not attested.\nReason: {{reason}}\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
),
(
    'offline_gift_withdrawn', 'fr', 'Don hors ligne de {{amount}} retiré de « {{campaign_title}} »',
    E'Bonjour {{recipient_name}},\n\nLe don hors ligne de {{amount}} reçu le {{received_on}} est retiré de la cagnotte « {{campaign_title}} » : il ne compte plus dans sa progression.\nMotif : {{reason}}\n\n{{campaign_url}}\n\nL''équipe AfriCagnotte\nVos préférences : {{preferences_url}}\n'
),
(
    'offline_gift_withdrawn', 'en', 'Offline gift of {{amount}} withdrawn from "{{campaign_title}}"',
    E'Hello {{recipient_name}},\n\nThe offline gift of {{amount}} received on {{received_on}} is withdrawn from the fundraiser "{{campaign_title}}": it no longer counts in its progress.\nReason: {{reason}}\n\n{{campaign_url}}\n\nThe AfriCagnotte team\nYour preferences: {{preferences_url}}\n'
);
