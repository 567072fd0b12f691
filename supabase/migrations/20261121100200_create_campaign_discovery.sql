-- Discovery: search, featured campaigns, a campaign by its slug, and the
-- creator dashboard. Search and listings run as the caller, so row-level
-- security on campaigns decides visibility, and they also only ever list
-- public statuses.

-- Functions ----------------------------------------------------------------------

-- search_campaigns: French and English full-text search, accent-insensitive
-- (ecole finds École), typo-tolerant (trigram word similarity on title and
-- tags), weighted title > summary > tags > story.
--   q           free text (websearch syntax: "quoted phrase", -exclude, or), ≤ 200 chars
--   category    category slug
--   country     ISO 3166-1 alpha-2
--   status      active, funded or expired; by default open campaigns (active and funded)
--   sort        relevance (default; newest without q), newest, most_funded (progress
--               toward the goal, currency-neutral), most_donors, ending_soon,
--               trending (donations in the last 7 days)
--   page_size   1 to 50 (default 20); page_offset 0 to 1000
create function public.search_campaigns(
    q text default null,
    category text default null,
    country text default null,
    status public.campaign_status default null,
    sort text default 'relevance',
    page_size integer default 20,
    page_offset integer default 0
)
returns setof public.campaigns
language plpgsql
stable
set search_path = ''
set "pg_trgm.word_similarity_threshold" = '0.5'
as $$
declare
    needle text := nullif(pg_catalog.btrim(q), '');
    statuses public.campaign_status[];
    tsq tsquery;
    order_by text;
    from_clause text := 'public.campaigns as c';
    where_clause text := 'c.status = any($3)';
begin
    if pg_catalog.char_length(needle) > 200 then
        raise exception using errcode = 'PT400', message = 'query_too_long', detail = 'At most 200 characters.';
    end if;
    if sort is null or sort not in ('relevance', 'newest', 'most_funded', 'most_donors', 'ending_soon', 'trending') then
        raise exception using
            errcode = 'PT400', message = 'invalid_sort',
            detail = 'sort is one of relevance, newest, most_funded, most_donors, ending_soon, trending.';
    end if;
    if page_size is null or page_size not between 1 and 50 then
        raise exception using errcode = 'PT400', message = 'invalid_page_size', detail = 'page_size is 1 to 50.';
    end if;
    if page_offset is null or page_offset not between 0 and 1000 then
        raise exception using errcode = 'PT400', message = 'invalid_page_offset', detail = 'page_offset is 0 to 1000.';
    end if;
    if country is not null and country !~ '^[A-Z]{2}$' then
        raise exception using
            errcode = 'PT400', message = 'invalid_country', detail = 'country is an ISO 3166-1 alpha-2 code.';
    end if;
    if status is null then
        statuses := '{active,funded}';
    elsif status in ('active', 'funded', 'expired') then
        statuses := array[status];
    else
        raise exception using
            errcode = 'PT400', message = 'invalid_status', detail = 'status is active, funded or expired.';
    end if;

    if needle is not null then
        needle := pg_catalog.lower(private.unaccent(needle));
        tsq := pg_catalog.websearch_to_tsquery('pg_catalog.french', needle)
            || pg_catalog.websearch_to_tsquery('pg_catalog.english', needle);
        from_clause := from_clause || ' join private.campaign_search as s on s.campaign_id = c.id';
        where_clause := where_clause
            || ' and (s.document operator(pg_catalog.@@) $1'
            || ' or $2 operator(extensions.<%) s.search_text)';
    end if;
    where_clause := where_clause
        || ' and ($4::text is null or c.category = $4)'
        || ' and ($5::text is null or c.country::text = $5)';

    order_by := case sort
        when 'relevance' then case
            when needle is null then 'c.published_at desc, c.id'
            else 'pg_catalog.ts_rank_cd(s.document, $1) + extensions.word_similarity($2, s.search_text) desc, c.id'
        end
        when 'newest' then 'c.published_at desc, c.id'
        when 'most_funded' then 'c.progress_bp desc, c.id'
        when 'most_donors' then 'c.donor_count desc, c.id'
        when 'ending_soon' then 'c.ends_at, c.id'
        when 'trending' then 'recent.donations desc nulls last, c.published_at desc, c.id'
    end;
    if sort = 'trending' then
        from_clause := from_clause || ' left join lateral ('
            || 'select pg_catalog.sum(t.donation_count) as donations from private.campaign_daily_totals as t'
            || ' where t.campaign_id = c.id and t.day > current_date - 7) as recent on true';
    end if;
    if sort = 'ending_soon' then
        where_clause := where_clause || ' and c.ends_at > pg_catalog.now()';
    end if;

    return query execute format(
        'select c.* from %s where %s order by %s limit $6 offset $7', from_clause, where_clause, order_by
    ) using tsq, needle, statuses, category, country, page_size, page_offset;
end;
$$;

create function public.featured_campaigns(page_size integer default 12)
returns setof public.campaigns
language sql
stable
set search_path = ''
as $$
    select c.*
    from public.campaigns as c
    where c.featured and c.status in ('active', 'funded')
    order by c.published_at desc, c.id
    limit least(greatest(coalesce(page_size, 12), 1), 50)
$$;

-- A campaign by its slug, if the caller may see it (campaign_not_found otherwise).
create function public.campaign_by_slug(slug text)
returns public.campaigns
language plpgsql
stable
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    select * into c from public.campaigns as x where x.slug = campaign_by_slug.slug;
    if not found then
        raise exception using
            errcode = 'PT404', message = 'campaign_not_found', detail = 'No such campaign, or not visible to you.';
    end if;
    return c;
end;
$$;

-- The creator dashboard: totals, donations per day (last 30 days) and the
-- latest donations, for the owner and staff. Donations come with the payment
-- core, which completes recent_donations.
create function public.campaign_dashboard(campaign_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    c public.campaigns;
begin
    select * into c from public.campaigns as x where x.id = campaign_dashboard.campaign_id;
    if not found or not (
        c.status in ('active', 'funded', 'expired') or c.owner_id = auth.uid() or private.is_staff()
    ) then
        raise exception using
            errcode = 'PT404', message = 'campaign_not_found', detail = 'No such campaign, or not visible to you.';
    end if;
    if c.owner_id is distinct from auth.uid() and not private.is_staff() then
        raise exception using
            errcode = 'PT403', message = 'not_campaign_owner', detail = 'The dashboard is for the campaign''s team.';
    end if;
    return pg_catalog.jsonb_build_object(
        'campaign_id', c.id,
        'status', c.status,
        'currency', c.currency,
        'goal_amount', c.goal_amount,
        'collected_amount', c.collected_amount,
        'donor_count', c.donor_count,
        'progress_bp', c.progress_bp,
        'goal_reached_at', c.goal_reached_at,
        'published_at', c.published_at,
        'ends_at', c.ends_at,
        'donations_per_day', coalesce((
            select pg_catalog.jsonb_agg(
                pg_catalog.jsonb_build_object('day', t.day, 'count', t.donation_count, 'amount', t.amount)
                order by t.day
            )
            from private.campaign_daily_totals as t
            where t.campaign_id = c.id and t.day > current_date - 30
        ), '[]'::jsonb),
        'recent_donations', '[]'::jsonb
    );
end;
$$;

grant execute on function public.search_campaigns(text, text, text, public.campaign_status, text, integer, integer)
to anon, authenticated;
grant execute on function public.featured_campaigns(integer) to anon, authenticated;
grant execute on function public.campaign_by_slug(text) to anon, authenticated;
grant execute on function public.campaign_dashboard(uuid) to authenticated;
