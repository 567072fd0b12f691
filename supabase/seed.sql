-- Development seed: applied by `make run` on a new local database (and by
-- `supabase db reset` on a Supabase local stack). Reference data that
-- production needs (categories, currencies…) lives in migrations, not here.

-- Demo accounts, inserted the way GoTrue inserts a confirmed email sign-up.
-- The profile trigger creates their profiles from the metadata.
insert into auth.users (
    id, aud, role, email, raw_app_meta_data, raw_user_meta_data,
    email_confirmed_at, created_at, updated_at
)
values
(
    '00000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated',
    'admin@africagnotte.local',
    '{"provider": "email", "providers": ["email"]}',
    '{"full_name": "Awa Diop (admin)", "locale": "fr"}',
    now(), now(), now()
),
(
    '00000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated',
    'aminata@africagnotte.local',
    '{"provider": "email", "providers": ["email"]}',
    '{"full_name": "Aminata Traoré", "locale": "fr"}',
    now(), now(), now()
),
(
    '00000000-0000-4000-8000-000000000003', 'authenticated', 'authenticated',
    'kwame@africagnotte.local',
    '{"provider": "email", "providers": ["email"]}',
    '{"full_name": "Kwame Mensah", "locale": "en"}',
    now(), now(), now()
)
on conflict (id) do nothing;

update public.profiles set country = 'SN'
where id = '00000000-0000-4000-8000-000000000001';
update public.profiles set country = 'ML', bio = 'Infirmière à Bamako.'
where id = '00000000-0000-4000-8000-000000000002';
update public.profiles set country = 'GH'
where id = '00000000-0000-4000-8000-000000000003';

insert into public.user_roles (user_id, role, granted_by)
values ('00000000-0000-4000-8000-000000000001', 'admin', null)
on conflict do nothing;

-- Demo campaigns: two published (XOF and EUR), one draft.
insert into public.campaigns (
    id, owner_id, title, summary, story, goal_amount, currency, category, tags,
    country, city, status, published_at, starts_at, ends_at
)
values
(
    '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000002',
    'Soins pour Aminata à Bamako',
    'Aminata, 7 ans, doit être opérée du cœur à l''hôpital du Mali.',
    'Aminata est née avec une malformation cardiaque. Les médecins de l''hôpital du Mali peuvent '
    || 'l''opérer, mais sa famille ne peut pas payer l''opération et les médicaments.',
    2500000, 'XOF', 'sante', array['santé', 'enfant'], 'ML', 'Bamako',
    'active', now(), now(), now() + interval '30 days'
),
(
    '00000000-0000-4000-8000-0000000000c2', '00000000-0000-4000-8000-000000000003',
    'Books for the Tamale community school',
    'Our village school needs books and benches before the new term.',
    'The community school in Tamale welcomes 240 children. We want to buy reading books, '
    || 'exercise books and 30 benches before the new school year.',
    300000, 'EUR', 'education', array['school', 'books'], 'GH', 'Tamale',
    'active', now(), now(), now() + interval '60 days'
),
(
    '00000000-0000-4000-8000-0000000000c3', '00000000-0000-4000-8000-000000000002',
    'Mariage de Mariam et Ousmane',
    null, null, 1000000, 'XOF', 'mariage-evenements', '{}', 'SN', 'Dakar',
    'draft', null, null, null
)
on conflict (id) do nothing;
