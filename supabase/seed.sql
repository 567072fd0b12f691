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
