-- Reference data: campaign categories and the currencies money is counted in.
-- Both are admin-managed and read by everyone. Every amount in the project is
-- a bigint in the currency's minor units (XOF and XAF have none: 5000 XOF is
-- 5000, never 500000).

-- Tables -----------------------------------------------------------------------

create table public.categories (
    slug text primary key check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and pg_catalog.char_length(slug) <= 40),
    name_fr text not null check (pg_catalog.char_length(name_fr) between 1 and 60),
    name_en text not null check (pg_catalog.char_length(name_en) between 1 and 60),
    position integer not null default 0,
    active boolean not null default true,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now()
);

comment on table public.categories is 'Campaign categories. Admins manage them; everyone reads the active ones.';

create table public.currencies (
    code text primary key check (code ~ '^[A-Z]{3}$'),
    name_fr text not null,
    name_en text not null,
    -- ISO 4217 minor unit: amounts are stored as amount * 10^exponent.
    exponent smallint not null check (exponent between 0 and 3),
    min_donation bigint not null check (min_donation > 0),
    max_donation bigint not null,
    max_goal bigint not null,
    active boolean not null default true,
    created_at timestamptz not null default pg_catalog.now(),
    updated_at timestamptz not null default pg_catalog.now(),
    check (max_donation >= min_donation),
    check (max_goal >= min_donation)
);

comment on table public.currencies is
'Currencies accepted for campaigns; amounts are bigint minor units (exponent). Admin-managed.';

-- Reference rows -----------------------------------------------------------------

insert into public.categories (slug, name_fr, name_en, position) values
('urgence', 'Urgence', 'Emergency', 10),
('sante', 'Santé', 'Health', 20),
('education', 'Éducation', 'Education', 30),
('familles', 'Familles', 'Families', 40),
('funerailles', 'Funérailles', 'Funerals', 50),
('religion-communaute', 'Religion et communauté', 'Faith and community', 60),
('entrepreneuriat', 'Entrepreneuriat', 'Entrepreneurship', 70),
('mariage-evenements', 'Mariage et événements', 'Weddings and events', 80),
('environnement', 'Environnement', 'Environment', 90),
('sport-culture', 'Sport et culture', 'Sport and culture', 100),
('autre', 'Autre', 'Other', 1000);

-- Bounds: a donation from about 1 EUR (or 500 FCFA, 100 KES…) up to about
-- 15 000 EUR; a goal up to about 1.5 million EUR.
insert into public.currencies (code, name_fr, name_en, exponent, min_donation, max_donation, max_goal) values
('XOF', 'Franc CFA (BCEAO)', 'West African CFA franc', 0, 500, 10000000, 1000000000),
('XAF', 'Franc CFA (BEAC)', 'Central African CFA franc', 0, 500, 10000000, 1000000000),
('EUR', 'Euro', 'Euro', 2, 100, 1500000, 150000000),
('USD', 'Dollar américain', 'US dollar', 2, 100, 1500000, 150000000),
('GBP', 'Livre sterling', 'Pound sterling', 2, 100, 1300000, 130000000),
('CAD', 'Dollar canadien', 'Canadian dollar', 2, 150, 2000000, 200000000),
('MAD', 'Dirham marocain', 'Moroccan dirham', 2, 1000, 15000000, 1500000000),
('NGN', 'Naira', 'Nigerian naira', 2, 100000, 2000000000, 200000000000),
('GHS', 'Cedi', 'Ghanaian cedi', 2, 1000, 20000000, 2000000000),
('KES', 'Shilling kényan', 'Kenyan shilling', 2, 10000, 200000000, 20000000000),
('CDF', 'Franc congolais', 'Congolese franc', 2, 200000, 4000000000, 400000000000),
('GNF', 'Franc guinéen', 'Guinean franc', 0, 5000, 150000000, 15000000000);

-- Grants -----------------------------------------------------------------------

revoke all on table public.categories, public.currencies from anon, authenticated;
grant select on table public.categories, public.currencies to anon, authenticated;
grant insert, update, delete on table public.categories to authenticated;
grant insert, delete on table public.currencies to authenticated;
-- A currency's code and exponent never change: every amount stored in it is read
-- through them (amount * 10^exponent).
grant update (name_fr, name_en, min_donation, max_donation, max_goal, active)
on table public.currencies to authenticated;

-- RLS --------------------------------------------------------------------------

alter table public.categories enable row level security;
alter table public.currencies enable row level security;

create policy "anyone reads active categories and admins all"
on public.categories for select to anon, authenticated
using (active or (select private.is_admin()));

create policy "admins add categories"
on public.categories for insert to authenticated
with check ((select private.is_admin()));

create policy "admins edit categories"
on public.categories for update to authenticated
using ((select private.is_admin()))
with check ((select private.is_admin()));

create policy "admins remove categories"
on public.categories for delete to authenticated
using ((select private.is_admin()));

create policy "anyone reads active currencies and admins all"
on public.currencies for select to anon, authenticated
using (active or (select private.is_admin()));

create policy "admins add currencies"
on public.currencies for insert to authenticated
with check ((select private.is_admin()));

create policy "admins edit currencies"
on public.currencies for update to authenticated
using ((select private.is_admin()))
with check ((select private.is_admin()));

create policy "admins remove currencies"
on public.currencies for delete to authenticated
using ((select private.is_admin()));

-- Triggers ---------------------------------------------------------------------

create trigger categories_refuse_banned_writes
before insert or update or delete on public.categories
for each statement execute function private.refuse_banned_writes();

create trigger categories_touch_updated_at
before update on public.categories
for each row execute function private.touch_updated_at();

create trigger currencies_refuse_banned_writes
before insert or update or delete on public.currencies
for each statement execute function private.refuse_banned_writes();

create trigger currencies_touch_updated_at
before update on public.currencies
for each row execute function private.touch_updated_at();
