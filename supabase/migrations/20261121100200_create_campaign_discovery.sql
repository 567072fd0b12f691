-- Discovery: search, featured campaigns and a campaign by its slug (the
-- creator dashboard comes with the payment core, whose donations it lists).
-- Search and listings run as the caller, so row-level security on campaigns
-- decides visibility, and they also only ever list public statuses.

-- Search tables -------------------------------------------------------------------

-- The search index of campaigns, kept apart so that `select=*` on campaigns
-- stays light, and maintained by trigger in the same transaction (never stale).
-- document: every text field, French and English stemming over unaccented
-- text, for matching; headline: title (A), summary (B) and tags (C) only, for
-- ranking, so that ranking stays cheap however long stories are (a match in
-- the story alone ranks last); status, category, country and published_at
-- filter and order the matches before any campaign row is read. Documents are
-- stored out of line (toast_tuple_target) so that the matched rows stay narrow.
create table private.campaign_search (
    campaign_id uuid primary key references public.campaigns (id) on delete cascade,
    status public.campaign_status not null,
    is_open boolean not null generated always as (private.is_open(status)) stored,
    category text,
    country text,
    published_at timestamptz,
    headline tsvector not null,
    document tsvector not null
)
with (toast_tuple_target = 128);

alter table private.campaign_search alter column document set storage external;

create index campaign_search_document_idx on private.campaign_search using gin (document);

-- The words of titles and tags (unaccented, lower case): typo correction finds
-- the closest known word by trigram similarity.
create table private.search_words (
    word text primary key
);

create index search_words_trgm_idx on private.search_words using gin (word extensions.gin_trgm_ops);

-- No API role reads them: the index holds drafts' words too. search_campaigns
-- (which runs as the caller, RLS on campaigns deciding visibility) reads them
-- through the definer functions below, which return published campaigns only.

-- Functions: indexing ------------------------------------------------------------

create function private.bilingual_tsvector(value text, weight "char")  -- noqa: RF06
returns tsvector
language sql
immutable
parallel safe
set search_path = ''
as $$
    select
        pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.french', private.unaccent(coalesce(value, ''))), weight)
        || pg_catalog.setweight(
            pg_catalog.to_tsvector('pg_catalog.english', private.unaccent(coalesce(value, ''))), weight
        )
$$;

-- The French and the English reading of a websearch query, or just one when
-- they agree (a simpler query estimates better).
create function private.bilingual_tsquery(query text)
returns tsquery
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    fr tsquery := pg_catalog.websearch_to_tsquery('pg_catalog.french', query);
    en tsquery := pg_catalog.websearch_to_tsquery('pg_catalog.english', query);
begin
    return case when fr = en then fr else fr || en end;
end;
$$;

grant execute on function private.bilingual_tsquery(text) to anon, authenticated, service_role;

-- Keeps the campaign's search row, and teaches typo correction the words of
-- its title and tags once it is published (whether it was inserted published
-- or became so on approval) and whenever a published one changes them; a
-- draft's words are never learnt (they would tell what drafts say).
create function private.index_campaign()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    tags text := pg_catalog.array_to_string(new.tags, ' ');
    headline tsvector;
    text_changed boolean := tg_op = 'INSERT' or (new.title, new.summary, new.tags, new.story)
        is distinct from (old.title, old.summary, old.tags, old.story);
begin
    if not text_changed then
        update private.campaign_search as s
        set status = new.status, category = new.category, country = new.country, published_at = new.published_at
        where s.campaign_id = new.id;
    else
        headline := private.bilingual_tsvector(new.title, 'A')
            || private.bilingual_tsvector(new.summary, 'B')
            || private.bilingual_tsvector(tags, 'C');
        insert into private.campaign_search (
            campaign_id, status, category, country, published_at, headline, document
        )
        values (
            new.id, new.status, new.category, new.country, new.published_at,
            headline, headline || private.bilingual_tsvector(new.story, 'D')
        )
        on conflict (campaign_id) do update
        set
            status = excluded.status, category = excluded.category, country = excluded.country,
            published_at = excluded.published_at, headline = excluded.headline, document = excluded.document;
    end if;

    if private.is_published(new.status)
        and (text_changed or not private.is_published(old.status)) then
        insert into private.search_words (word)
        select distinct w.word
        from pg_catalog.regexp_split_to_table(
            pg_catalog.lower(private.unaccent(new.title || ' ' || tags)), '[^[:alnum:]]+'
        ) as w (word)
        where pg_catalog.char_length(w.word) between 3 and 40 and w.word !~ '[0-9]'
        on conflict do nothing;
    end if;
    return null;
end;
$$;

-- Functions: discovery -------------------------------------------------------------

-- What search_campaigns may read of the private tables: published campaigns'
-- matches, words and donation counts, never a draft's (definer: the tables are
-- closed to the API roles).

-- The published campaigns matching a full-text query, with the rank of their
-- headline; status null: open campaigns.
create function private.search_hits(
    tsq tsquery, status public.campaign_status, category text, country text
)
returns table (campaign_id uuid, rank real, published_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
    select s.campaign_id, pg_catalog.ts_rank(s.headline, tsq), s.published_at
    from private.campaign_search as s
    where
        s.document operator(pg_catalog.@@) tsq
        and (
            (search_hits.status is null and s.is_open)
            or (s.status = search_hits.status and private.is_published(s.status))
        )
        and (search_hits.category is null or s.category = search_hits.category)
        and (search_hits.country is null or s.country = search_hits.country)
$$;

-- The known word closest to a token (typos), from published titles and tags
-- only (private.index_campaign learns no other); null when none is close.
create function private.closest_search_word(token text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
    select w.word
    from private.search_words as w
    where
        pg_catalog.char_length(token) >= 3
        and w.word operator(extensions.%) pg_catalog.regexp_replace(token, '[^[:alnum:]]+', '', 'g')
    order by extensions.similarity(w.word, token) desc, w.word
    limit 1
$$;

-- Donations of the last 7 days per published campaign (the trending sort).
create function private.recent_donation_counts()
returns table (campaign_id uuid, donations bigint)
language sql
stable
security definer
set search_path = ''
as $$
    select t.campaign_id, pg_catalog.sum(t.donation_count)::bigint
    from private.campaign_daily_totals as t
    inner join public.campaigns as c on t.campaign_id = c.id
    where t.day > current_date - 7 and c.is_published
    group by t.campaign_id
$$;

grant execute on function private.search_hits(tsquery, public.campaign_status, text, text),
private.closest_search_word(text), private.recent_donation_counts()
to anon, authenticated, service_role;


-- search_campaigns: French and English full-text search, accent-insensitive
-- (ecole finds École), typo-tolerant (when nothing matches, each word is
-- replaced by the closest word of the titles and tags), weighted
-- title > summary > tags > story.
--   q           free text (websearch syntax: "quoted phrase", -exclude, or), <= 200 chars
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
set max_parallel_workers_per_gather = 0
as $$
declare
    needle text := nullif(pg_catalog.btrim(q), '');
    corrected text;
    tsq tsquery;
    listed integer;
    order_by text;
    from_clause text := 'public.campaigns as c';
    where_clause text := ' and ($4::text is null or c.category = $4)'
        || ' and ($5::text is null or c.country::text = $5)';
    query text;
    hits text;
    listed_any boolean;
    -- on campaigns (c) and on the search index (s) alike
    status_filter text := case when status is null then 'is_open' else 'status = $3' end;
begin
    -- pg_trgm's threshold for typo correction, for this request's transaction. Not a
    -- SET clause: PostgreSQL 15+ refuses a non-superuser (postgres, on hosted, in
    -- migrations and pg_restore) a function SET of a setting whose library is not
    -- loaded in that session yet.
    perform pg_catalog.set_config('pg_trgm.similarity_threshold', '0.35', true);
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
    if status is not null and not private.is_published(status) then
        raise exception using
            errcode = 'PT400', message = 'invalid_status', detail = 'status is active, funded or expired.';
    end if;
    where_clause := 'c.' || status_filter || where_clause;  -- open campaigns by default

    order_by := case sort
        when 'relevance' then 'c.published_at desc, c.id'
        when 'newest' then 'c.published_at desc, c.id'
        when 'most_funded' then 'c.progress_bp desc, c.id'
        when 'most_donors' then 'c.donor_count desc, c.id'
        when 'ending_soon' then 'c.ends_at, c.id'
        when 'trending' then 'recent.donations desc nulls last, c.published_at desc, c.id'
    end;
    if sort = 'trending' then
        from_clause := from_clause
            || ' left join private.recent_donation_counts() as recent on recent.campaign_id = c.id';
    end if;
    if sort = 'ending_soon' then
        where_clause := where_clause || ' and c.ends_at > pg_catalog.now()';
    end if;

    if needle is null then
        query := format(
            'select c.* from %s where %s order by %s limit $6 offset $7', from_clause, where_clause, order_by
        );
        return query execute query using tsq, needle, status, category, country, page_size, page_offset;
        return;
    end if;

    -- Full text: the matches are filtered (and, by relevance, ranked and cut to
    -- the page) in the search index before campaign rows are read.
    hits := 'select s.campaign_id, s.rank, s.published_at from private.search_hits($1, $3, $4, $5) as s';
    if sort = 'relevance' then
        query := 'select c.* from (' || hits
            || ' order by s.rank desc, s.published_at desc nulls last, s.campaign_id limit $6 offset $7) as h'
            || ' join public.campaigns as c on c.id = h.campaign_id'
            || ' order by h.rank desc, h.published_at desc nulls last, h.campaign_id';
    else
        query := format(
            'select c.* from %s join (%s) as h on h.campaign_id = c.id where %s order by %s limit $6 offset $7',
            from_clause, hits, where_clause, order_by
        );
    end if;
    needle := pg_catalog.lower(private.unaccent(needle));
    tsq := private.bilingual_tsquery(needle);
    return query execute query using tsq, needle, status, category, country, page_size, page_offset;
    get diagnostics listed = row_count;
    if listed > 0 or needle is null then
        return;
    end if;

    -- Nothing found: if nothing matches at all, try again with each word
    -- replaced by the closest known word (typos), once.
    execute 'select exists (' || hits || ')' into strict listed_any using tsq, needle, status, category, country;
    if listed_any then
        return;
    end if;
    select pg_catalog.string_agg(coalesce(best.word, token.value), ' ' order by token.ord)
    into corrected
    from pg_catalog.regexp_split_to_table(needle, '\s+') with ordinality as token (value, ord)
    left join lateral (select private.closest_search_word(token.value) as word) as best on true;
    if corrected is distinct from needle then
        tsq := private.bilingual_tsquery(corrected);
        return query execute query using tsq, corrected, status, category, country, page_size, page_offset;
    end if;
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
    where c.featured and c.is_open
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

grant execute on function public.search_campaigns(text, text, text, public.campaign_status, text, integer, integer)
to anon, authenticated;
grant execute on function public.featured_campaigns(integer) to anon, authenticated;
grant execute on function public.campaign_by_slug(text) to anon, authenticated;

-- Triggers ---------------------------------------------------------------------

create trigger campaigns_index
after insert or update of title, summary, tags, story, status, category, country, published_at
on public.campaigns
for each row execute function private.index_campaign();
