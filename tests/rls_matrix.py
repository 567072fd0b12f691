"""The RLS matrix, as data: every table, view and function the API exposes, for
each persona, with what must happen.

Personas, in this order in every outcome string: anon (not signed in), a
signed-in stranger, the campaign's owner, its co-organizer, a donor to it, an
admin, a banned user (whose token was minted before the ban).

Outcomes: ok (the row is seen or written, the function runs), none (RLS hides
the row: nothing seen or written), denied (no privilege, 42501), or the token
of the rule that refuses (e.g. account_banned).

Tables: `row` names the target row (SQL on the table, %s for params), `set`
what an update writes, `insert` a new row's values.
A key "table:variant" checks another row of the same table. Functions: `args`
for the RPC, or `sql` for computed columns called on a row. Placeholders
(":campaign", ":me"…) are the world's ids (tests/rls_world.py).
"""

from __future__ import annotations

from tests.conftest import CAMPAIGN

# fmt: off
TABLES: dict[str, dict] = {
    "campaigns": {
        "row": "id = %s", "params": [":campaign"], "set": {"title": "Titre changé par la matrice"},
        "insert": {**CAMPAIGN, "title": "Cagnotte de la matrice"},
    },
    "campaigns:draft": {
        "row": "id = %s", "params": [":draft"], "set": {"title": "Titre changé par la matrice"},
        "insert": {**CAMPAIGN, "title": "Brouillon de la matrice"},
    },
    "campaign_documents": {
        "row": "id = %s", "params": [":document"], "set": {"file_ref": "africagnotte/documents/{campaign}/autre"},
        "insert": {"campaign_id": ":campaign", "document_type": "medical_document",
                   "file_ref": "africagnotte/documents/{campaign}/autre-devis"},
    },
    "campaign_invitations": {
        "row": "id = %s", "params": [":invitation"], "set": {"message": "Changé"},
        "insert": {"campaign_id": ":campaign", "email": "x@example.test", "role": "co_organizer",
                   "expires_at": "2030-01-01"},
    },
    "campaign_media": {
        "row": "id = %s", "params": [":media"], "set": {"position": 3},
        "insert": {"campaign_id": ":campaign", "public_id": "africagnotte/campaigns/{campaign}/autre",
                   "resource_type": "image"},
    },
    "campaign_members": {
        "row": "campaign_id = %s and user_id = %s", "params": [":campaign", ":co_organizer"],
        "set": {"role": "co_organizer"},
        "insert": {"campaign_id": ":campaign", "user_id": ":me"},
    },
    "campaign_status_history": {
        "row": "id = %s", "params": [":history"], "set": {"reason": "Changé"},
        "insert": {"campaign_id": ":campaign", "to_status": "active"},
    },
    "campaign_updates": {
        "row": "id = %s", "params": [":update"], "set": {"body": "Texte changé par la matrice"},
        "insert": {"campaign_id": ":campaign", "title": "Nouvelles", "body": "Merci !"},
    },
    "categories": {
        "row": "slug = 'sante'", "set": {"name_fr": "Nom changé"},
        "insert": {"slug": "matrice", "name_fr": "Matrice", "name_en": "Matrix"},
    },
    "category_proof_requirements": {
        "row": "category = 'sante'", "set": {"label_fr": "Libellé changé"},
        "insert": {"category": "sante", "document_type": "matrix_doc", "label_fr": "Lettre",
                   "label_en": "Letter"},
    },
    "comments:hide": {
        "row": "id = %s", "params": [":comment"], "set": {"hidden": True},
        "insert": {"campaign_id": ":campaign", "body": "Courage !"},
    },
    "comments": {
        "row": "id = %s", "params": [":comment"], "set": {"body": "Texte changé par la matrice"},
        "insert": {"campaign_id": ":campaign", "body": "Courage !"},
    },
    "currencies": {
        "row": "code = 'XOF'", "set": {"name_fr": "Nom changé"},
        "insert": {"code": "ZZZ", "name_fr": "Zed", "name_en": "Zed", "exponent": 0,
                   "min_donation": 1, "max_donation": 10, "max_goal": 100},
    },
    "donations": {
        "row": "id = %s", "params": [":donation"], "set": {"message": "Changé"},
        "insert": {"campaign_id": ":campaign", "amount": 5000, "currency": "XOF",
                   "platform_fee_bp": 0, "status": "succeeded"},
    },
    "notification_preferences": {
        "row": "user_id = %s", "params": [":owner"], "set": {"email": True},
        "insert": {"kind": "campaign_update", "email": False},
    },
    "notifications": {
        "row": "id = %s", "params": [":notification"], "set": {"read_at": "2026-11-21T10:00:00Z"},
        "insert": {"user_id": ":me", "kind": "new_comment", "dedupe_key": "matrix"},
    },
    "payout_approvals": {
        "row": "payout_id = %s", "params": [":payout"], "set": {"approved_at": "2026-11-21T10:00:00Z"},
        "insert": {"payout_id": ":payout", "treasurer_id": ":me"},
    },
    "payout_requests": {
        "row": "id = %s", "params": [":payout"], "set": {"status": "paid"},
        "insert": {"campaign_id": ":campaign", "amount": 1000, "currency": "XOF",
                   "method": "mobile_money", "mobile_operator": "wave", "beneficiary_mask": "M.",
                   "account_mask": "+221 •• ••• •• 00"},
    },
    "platform_settings": {
        "row": "id", "set": {"platform_fee_bp": 400},
        "insert": {"id": False, "platform_fee_bp": 0},
    },
    "profiles": {
        "row": "id = %s", "params": [":owner"], "set": {"display_name": "Nom changé"},
        "insert": {"id": ":me", "display_name": "Moi"},
    },
    "profiles:self": {
        "row": "id = %s", "params": [":me"], "set": {"display_name": "Nom changé"},
        "insert": {"id": ":me", "display_name": "Moi"},
    },
    "provider_currencies": {
        "row": "provider = 'cinetpay' and currency = 'XOF'", "set": {"amount_step": 10},
        "insert": {"provider": "cinetpay", "currency": "USD", "amount_step": 100},
    },
    "provider_fees": {
        "row": "provider = 'cinetpay' and channel = 'mobile_money'", "set": {"fee_bp": 300},
        "insert": {"provider": "stripe", "channel": "card", "fee_bp": 290},
    },
    "reports": {
        "row": "id = %s", "params": [":report"], "set": {"status": "dismissed"},
        "insert": {"campaign_id": ":campaign", "reason": "fraud", "details": "Faux dossier"},
    },
    "user_roles": {
        "row": "user_id = %s", "params": [":admin"], "set": {"role": "moderator"},
        "insert": {"user_id": ":me", "role": "moderator"},
    },
}

FUNCTIONS: dict[str, dict] = {
    "accept_invitation": {"args": {"token": "not-a-real-token"}},
    "approve_campaign": {"args": {"campaign_id": ":pending"}},
    "approve_payout": {"args": {"payout_id": ":payout"}},
    "approve_payout_as_treasurer": {"args": {"payout_id": ":payout"}},
    "campaign_balance": {"args": {"campaign_id": ":campaign"}},
    "campaign_by_slug": {"args": {"slug": ":slug"}},
    "campaign_dashboard": {"args": {"campaign_id": ":campaign"}},
    "campaign_donations": {"args": {"campaign_id": ":campaign"}},
    "cancel_campaign": {"args": {"campaign_id": ":campaign", "reason": "Plus besoin"}},
    "cancel_payout": {"args": {"payout_id": ":payout"}},
    "cover_urls": {"sql": "select public.cover_urls(c) from public.campaigns as c where c.id = %s",
                   "params": [":campaign"]},
    "delivery_urls": {"sql": "select public.delivery_urls(m) from public.campaign_media as m"
                             " where m.id = %s", "params": [":media"]},
    "feature_campaign": {"args": {"campaign_id": ":campaign", "featured": True}},
    "featured_campaigns": {"args": {}},
    "invitation_by_token": {"args": {"token": "not-a-real-token"}},
    "invite_to_campaign": {"args": {"campaign_id": ":campaign", "email": "new@example.test",
                                    "role": "contributor"}},
    "mark_payout_failed": {"args": {"payout_id": ":payout", "reason": "Numéro inconnu"}},
    "mark_payout_paid": {"args": {"payout_id": ":payout", "reference": "OM-1"}},
    "media_urls": {"sql": "select public.media_urls(u) from public.campaign_updates as u"
                          " where u.id = %s", "params": [":update"]},
    "my_donations": {"args": {}},
    "payout_blockers": {"args": {"payout_id": ":payout"}},
    "reject_campaign": {"args": {"campaign_id": ":pending", "reason": "Photos floues"}},
    "reject_payout": {"args": {"payout_id": ":payout", "reason": "À vérifier"}},
    "reorder_campaign_media": {"args": {"campaign_id": ":campaign",
                                        "public_ids": [":media_public_id"]}},
    "request_payout": {"args": {"campaign_id": ":campaign", "amount": 1000, "method": "mobile_money",
                                "beneficiary_name": "Moi", "mobile_operator": "wave",
                                "phone_number": "+221770000000"}},
    "resend_invitation": {"args": {"invitation_id": ":invitation"}},
    "resolve_report": {"args": {"report_id": ":report", "status": "dismissed"}},
    "review_campaign_document": {"args": {"document_id": ":document", "status": "accepted"}},
    "revoke_invitation": {"args": {"invitation_id": ":invitation"}},
    "search_campaigns": {"args": {"q": "Aminata"}},
    "set_treasurers": {"args": {"campaign_id": ":campaign", "treasurer_ids": [":co_organizer"],
                                "quorum": 1}},
    "submit_campaign": {"args": {"campaign_id": ":draft"}},
}
# fmt: on

# Expected outcomes: (relation, op) or (function, "execute") -> one per persona:
#                                 anon stranger owner co_organizer donor admin banned
# fmt: off
EXPECTED: dict[tuple[str, str], str] = {
    ("campaigns", "select"): "ok ok ok ok ok ok ok",
    ("campaigns", "insert"): "denied ok ok ok ok ok account_banned",
    ("campaigns", "update"): "denied none ok none none ok account_banned",
    ("campaigns", "delete"): "denied none none none none none account_banned",
    ("campaigns:draft", "select"): "none none ok none none ok none",
    ("campaigns:draft", "insert"): "denied ok ok ok ok ok account_banned",
    ("campaigns:draft", "update"): "denied none ok none none ok account_banned",
    ("campaigns:draft", "delete"): "denied none ok none none none account_banned",
    ("campaign_documents", "select"): "denied none ok ok none ok none",
    ("campaign_documents", "insert"): "denied denied ok ok denied denied account_banned",
    ("campaign_documents", "update"): "denied denied denied denied denied denied denied",
    ("campaign_documents", "delete"): "denied none ok ok none none account_banned",
    ("campaign_invitations", "select"): "denied none ok ok none ok none",
    ("campaign_invitations", "insert"): "denied denied denied denied denied denied denied",
    ("campaign_invitations", "update"): "denied denied denied denied denied denied denied",
    ("campaign_invitations", "delete"): "denied denied denied denied denied denied denied",
    ("campaign_media", "select"): "ok ok ok ok ok ok ok",
    ("campaign_media", "insert"): "denied denied denied denied denied denied denied",
    ("campaign_media", "update"): "denied denied denied denied denied denied denied",
    ("campaign_media", "delete"): "denied none ok none none ok account_banned",
    ("campaign_members", "select"): "ok ok ok ok ok ok ok",
    ("campaign_members", "insert"): "denied denied denied denied denied denied denied",
    ("campaign_members", "update"): "denied denied denied denied denied denied denied",
    ("campaign_members", "delete"): "denied none ok ok none none account_banned",
    ("campaign_status_history", "select"): "denied none ok none none ok none",
    ("campaign_status_history", "insert"): "denied denied denied denied denied denied denied",
    ("campaign_status_history", "update"): "denied denied denied denied denied denied denied",
    ("campaign_status_history", "delete"): "denied denied denied denied denied denied denied",
    ("campaign_updates", "select"): "ok ok ok ok ok ok ok",
    ("campaign_updates", "insert"): "denied denied ok ok denied denied account_banned",
    ("campaign_updates", "update"): "denied none ok none none none account_banned",
    ("campaign_updates", "delete"): "denied none ok none none ok account_banned",
    ("categories", "select"): "ok ok ok ok ok ok ok",
    ("categories", "insert"): "denied denied denied denied denied ok account_banned",
    ("categories", "update"): "denied none none none none ok account_banned",
    ("categories", "delete"): "denied none none none none 23503 account_banned",
    ("category_proof_requirements", "select"): "ok ok ok ok ok ok ok",
    ("category_proof_requirements", "insert"): "denied denied denied denied denied ok account_banned",
    ("category_proof_requirements", "update"): "denied none none none none ok account_banned",
    ("category_proof_requirements", "delete"): "denied none none none none ok account_banned",
    ("comments:hide", "select"): "ok ok ok ok ok ok ok",
    ("comments:hide", "insert"): "denied ok ok ok ok ok account_banned",
    ("comments:hide", "update"): "denied none ok none not_campaign_moderator ok account_banned",
    ("comments:hide", "delete"): "denied none none none ok ok account_banned",
    ("comments", "select"): "ok ok ok ok ok ok ok",
    ("comments", "insert"): "denied ok ok ok ok ok account_banned",
    ("comments", "update"): "denied none not_comment_author none ok not_comment_author account_banned",
    ("comments", "delete"): "denied none none none ok ok account_banned",
    ("currencies", "select"): "ok ok ok ok ok ok ok",
    ("currencies", "insert"): "denied denied denied denied denied ok account_banned",
    ("currencies", "update"): "denied none none none none ok account_banned",
    ("currencies", "delete"): "denied none none none none 23503 account_banned",
    ("donations", "select"): "denied none none none ok ok none",
    ("donations", "insert"): "denied denied denied denied denied denied denied",
    ("donations", "update"): "denied denied denied denied denied denied denied",
    ("donations", "delete"): "denied denied denied denied denied denied denied",
    ("notification_preferences", "select"): "denied none ok none none none none",
    ("notification_preferences", "insert"): "denied ok ok ok ok ok account_banned",
    ("notification_preferences", "update"): "denied none ok none none none account_banned",
    ("notification_preferences", "delete"): "denied none ok none none none account_banned",
    ("notifications", "select"): "denied none ok none none none none",
    ("notifications", "insert"): "denied denied denied denied denied denied denied",
    ("notifications", "update"): "denied none ok none none none account_banned",
    ("notifications", "delete"): "denied none ok none none none account_banned",
    ("payout_approvals", "select"): "denied none ok ok none ok none",
    ("payout_approvals", "insert"): "denied denied denied denied denied denied denied",
    ("payout_approvals", "update"): "denied denied denied denied denied denied denied",
    ("payout_approvals", "delete"): "denied denied denied denied denied denied denied",
    ("payout_requests", "select"): "denied none ok ok none ok none",
    ("payout_requests", "insert"): "denied denied denied denied denied denied denied",
    ("payout_requests", "update"): "denied denied denied denied denied denied denied",
    ("payout_requests", "delete"): "denied denied denied denied denied denied denied",
    ("platform_settings", "select"): "ok ok ok ok ok ok ok",
    ("platform_settings", "insert"): "denied denied denied denied denied denied denied",
    ("platform_settings", "update"): "denied none none none none ok account_banned",
    ("platform_settings", "delete"): "denied denied denied denied denied denied denied",
    ("profiles", "select"): "ok ok ok ok ok ok ok",
    ("profiles", "insert"): "denied denied denied denied denied denied denied",
    ("profiles", "update"): "denied none ok none none ok account_banned",
    ("profiles", "delete"): "denied denied denied denied denied denied denied",
    ("profiles:self", "select"): "none ok ok ok ok ok ok",
    ("profiles:self", "insert"): "denied denied denied denied denied denied denied",
    ("profiles:self", "update"): "denied ok ok ok ok ok account_banned",
    ("profiles:self", "delete"): "denied denied denied denied denied denied denied",
    ("provider_currencies", "select"): "ok ok ok ok ok ok ok",
    ("provider_currencies", "insert"): "denied denied denied denied denied ok account_banned",
    ("provider_currencies", "update"): "denied none none none none ok account_banned",
    ("provider_currencies", "delete"): "denied none none none none ok account_banned",
    ("provider_fees", "select"): "denied none none none none ok none",
    ("provider_fees", "insert"): "denied denied denied denied denied ok account_banned",
    ("provider_fees", "update"): "denied none none none none ok account_banned",
    ("provider_fees", "delete"): "denied none none none none ok account_banned",
    ("reports", "select"): "denied none none none ok ok none",
    ("reports", "insert"): "denied ok ok ok ok ok account_banned",
    ("reports", "update"): "denied denied denied denied denied denied denied",
    ("reports", "delete"): "denied denied denied denied denied denied denied",
    ("user_roles", "select"): "denied none none none none ok none",
    ("user_roles", "insert"): "denied denied denied denied denied ok account_banned",
    ("user_roles", "update"): "denied denied denied denied denied denied denied",
    ("user_roles", "delete"): "denied none none none none last_admin account_banned",
    ("accept_invitation", "execute"): "denied invitation_not_found invitation_not_found invitation_not_found invitation_not_found invitation_not_found invitation_not_found",
    ("approve_campaign", "execute"): "denied campaign_not_found staff_only campaign_not_found campaign_not_found ok campaign_not_found",
    ("approve_payout", "execute"): "denied admin_only admin_only admin_only admin_only payout_blocked admin_only",
    ("approve_payout_as_treasurer", "execute"): "denied payout_not_found not_treasurer ok payout_not_found not_treasurer payout_not_found",
    ("campaign_balance", "execute"): "denied not_campaign_owner ok ok not_campaign_owner ok not_campaign_owner",
    ("campaign_by_slug", "execute"): "ok ok ok ok ok ok ok",
    ("campaign_dashboard", "execute"): "denied not_campaign_owner ok ok not_campaign_owner ok not_campaign_owner",
    ("campaign_donations", "execute"): "ok ok ok ok ok ok ok",
    ("cancel_campaign", "execute"): "denied not_campaign_owner cancel_requires_admin not_campaign_owner not_campaign_owner ok not_campaign_owner",
    ("cancel_payout", "execute"): "denied payout_not_found ok not_campaign_owner payout_not_found not_campaign_owner payout_not_found",
    ("cover_urls", "execute"): "ok ok ok ok ok ok ok",
    ("delivery_urls", "execute"): "ok ok ok ok ok ok ok",
    ("feature_campaign", "execute"): "denied admin_only admin_only admin_only admin_only ok admin_only",
    ("featured_campaigns", "execute"): "ok ok ok ok ok ok ok",
    ("invitation_by_token", "execute"): "ok ok ok ok ok ok ok",
    ("invite_to_campaign", "execute"): "denied not_campaign_owner ok not_campaign_owner not_campaign_owner not_campaign_owner not_campaign_owner",
    ("mark_payout_failed", "execute"): "denied admin_only admin_only admin_only admin_only invalid_payout_transition admin_only",
    ("mark_payout_paid", "execute"): "denied admin_only admin_only admin_only admin_only invalid_payout_transition admin_only",
    ("media_urls", "execute"): "ok ok ok ok ok ok ok",
    ("my_donations", "execute"): "denied ok ok ok ok ok ok",
    ("payout_blockers", "execute"): "denied payout_not_found ok ok payout_not_found ok payout_not_found",
    ("reject_campaign", "execute"): "denied campaign_not_found staff_only campaign_not_found campaign_not_found ok campaign_not_found",
    ("reject_payout", "execute"): "denied admin_only admin_only admin_only admin_only ok admin_only",
    ("reorder_campaign_media", "execute"): "denied not_campaign_owner ok not_campaign_owner not_campaign_owner ok not_campaign_owner",
    ("request_payout", "execute"): "denied not_campaign_owner payout_in_progress not_campaign_owner not_campaign_owner not_campaign_owner not_campaign_owner",
    ("resend_invitation", "execute"): "denied invitation_not_found resend_too_soon invitation_not_found invitation_not_found invitation_not_found invitation_not_found",
    ("resolve_report", "execute"): "denied staff_only staff_only staff_only staff_only ok staff_only",
    ("review_campaign_document", "execute"): "denied staff_only staff_only staff_only staff_only ok staff_only",
    ("revoke_invitation", "execute"): "denied invitation_not_found ok invitation_not_found invitation_not_found invitation_not_found invitation_not_found",
    ("search_campaigns", "execute"): "ok ok ok ok ok ok ok",
    ("set_treasurers", "execute"): "denied not_campaign_owner payout_in_progress not_campaign_owner not_campaign_owner not_campaign_owner not_campaign_owner",
    ("submit_campaign", "execute"): "denied campaign_not_found ok campaign_not_found campaign_not_found not_campaign_owner campaign_not_found",
}
# fmt: on
