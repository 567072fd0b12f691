-- A donor's own lists show the tip they gave (issue #20, "an optional tip,
-- never hidden"): public.my_donations and public.my_receipts gain tip_amount
-- beside amount (donations.tip_amount; receipts.tip_amount, frozen at issue,
-- 0 on credit notes). A function's result columns change only by dropping and
-- creating it again: same arguments, rows, order and security as in
-- 20261121110000 and 20261130180100 (security definer, the caller's own rows
-- by auth.uid(), executed by authenticated only).

drop function public.my_donations();

-- The caller's own donations, every status, with their campaign.
create function public.my_donations()
returns table (
    id uuid, campaign_id uuid, campaign_title text, campaign_slug text, amount bigint, tip_amount bigint,
    currency text, status public.donation_status, refunded_amount bigint, is_anonymous boolean, message text,
    created_at timestamptz, succeeded_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
    select
        d.id, d.campaign_id, c.title, c.slug, d.amount, d.tip_amount, d.currency, d.status, d.refunded_amount,
        d.is_anonymous, d.message, d.created_at, d.succeeded_at
    from public.donations as d
    inner join public.campaigns as c on d.campaign_id = c.id
    where d.donor_id = (select auth.uid())
    order by d.created_at desc
$$;

comment on function public.my_donations() is
'The caller''s own donations, every status, newest first, with their campaign: amount is the gift to the campaign, tip_amount the tip to the platform paid with it.';

revoke all on function public.my_donations() from public, anon;
grant execute on function public.my_donations() to authenticated;

drop function public.my_receipts(uuid);

-- The signed-in donor's receipts and credit notes (one donation's, or all), with
-- their links.
create function public.my_receipts(donation_id uuid default null)
returns table (
    id uuid, kind public.receipt_kind, number text, donation_id uuid, campaign_title text, amount bigint,
    tip_amount bigint, currency text, issued_at timestamptz, voided_at timestamptz, link text
)
language sql
stable
security definer
set search_path = ''
as $$
    select
        r.id, r.kind, r.number, r.donation_id, r.campaign_title, r.amount, r.tip_amount, r.currency, r.issued_at,
        r.voided_at, private.site_link(private.receipt_path(r.id))
    from public.receipts as r
    inner join public.donations as d on r.donation_id = d.id
    where
        d.donor_id = (select auth.uid())
        and (my_receipts.donation_id is null or r.donation_id = my_receipts.donation_id)
    order by r.issued_at desc, r.number desc
$$;

comment on function public.my_receipts(uuid) is
'The caller''s receipts and credit notes (of one donation, or all), newest first, each with its signed link; tip_amount is the tip paid with the gift (its own line, 0 on credit notes).';

revoke all on function public.my_receipts(uuid) from public, anon;
grant execute on function public.my_receipts(uuid) to authenticated;
