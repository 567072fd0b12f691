-- The advisors' informational findings that can be fixed (`supabase db advisors
-- --level info`); what stays is accepted in tests/test_advisors.py with its reason.

-- Indexes ----------------------------------------------------------------------

-- unindexed_foreign_keys: a currency cannot be deleted without scanning payouts
create index payout_requests_currency_idx on public.payout_requests (currency);

-- RLS ----------------------------------------------------------------------------

-- rls_enabled_no_policy: the tokens are read and written only by the invitation
-- functions (security definer); say so, rather than leave the table without a
-- policy. Restrictive, so that no grant made by mistake ever opens it.
create policy "api roles never touch invitation tokens"
on private.invitation_tokens as restrictive for all to anon, authenticated
using (false)
with check (false);
