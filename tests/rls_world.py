"""The world the RLS matrix is checked in: one of each thing the API exposes,
built the way it happens for real (through the API as its users, or the
service's SQL for payments), and one client per persona."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from localdev import tokens
from tests.conftest import CAMPAIGN
from tests.gotrue import GoTrue, User
from tests.postgrest import ApiError, PostgrestClient
from tests.support.institutions import HOSPITAL

PERSONAS = ("anon", "stranger", "owner", "co_organizer", "donor", "admin", "banned")

WALLET = {
    "method": "mobile_money",
    "beneficiary_name": "Aminata Traoré",
    "mobile_operator": "orange_money",
    "phone_number": "+22370123456",
}


@dataclass
class World:
    ids: dict[str, Any] = field(default_factory=dict)  # placeholder -> value
    users: dict[str, User] = field(default_factory=dict)  # persona -> user
    clients: dict[str, PostgrestClient] = field(default_factory=dict)  # persona -> client

    def resolve(self, value: Any, persona: str) -> Any:
        """Placeholders (":campaign", ":me", ":today") in a value, for a persona.

        ":today" is read when the case runs, not when the module is imported: a suite that
        crosses midnight UTC would otherwise date a gift before the campaign it is for."""
        if isinstance(value, dict):
            return {k: self.resolve(v, persona) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, persona) for v in value]
        if isinstance(value, str) and value.startswith(":"):
            if value == ":today":
                return datetime.now(UTC).date().isoformat()
            if value == ":me":
                user = self.users.get(persona)
                return str(user.id) if user else None
            return self.ids[value[1:]]
        if isinstance(value, str) and "{" in value:
            return value.format(**self.ids)
        return value


def build(
    conn: psycopg.Connection,
    auth_admin: psycopg.Connection,
    authenticator_url: str,
    jwt_secret: str,
) -> World:
    """``conn``: a superuser connection (autocommit, dict rows) to a fresh database;
    ``auth_admin``: GoTrue's (supabase_auth_admin) to the same."""
    gotrue = GoTrue(auth_admin, jwt_secret)
    world = World()

    def client(token: str, rollback: bool = False) -> PostgrestClient:
        return PostgrestClient(authenticator_url, jwt_secret, token, rollback=rollback)

    names = {
        "stranger": "Sékou Passant", "owner": "Aminata Traoré", "co_organizer": "Ibrahim Coulibaly",
        "donor": "Fatou Diallo", "admin": "Admin Awa", "banned": "Banni Bakary",
    }  # fmt: skip
    for persona, name in names.items():
        world.users[persona] = gotrue.sign_up(
            f"{persona}-{uuid.uuid4().hex[:6]}@example.test", user_metadata={"full_name": name}
        )
    admin = world.users["admin"]
    conn.execute("insert into public.user_roles (user_id, role) values (%s, 'admin')", [admin.id])
    gotrue.sign_in(admin)
    api = {p: client(u.token) for p, u in world.users.items()}
    owner, co, donor = (world.users[p] for p in ("owner", "co_organizer", "donor"))

    def campaign(status: str, **fields: Any) -> dict[str, Any]:
        (row,) = api["owner"].insert("campaigns", {**CAMPAIGN, **fields})
        if status != "draft":
            api["owner"].rpc("submit_campaign", {"campaign_id": row["id"]})
        if status == "active":
            api["admin"].rpc("approve_campaign", {"campaign_id": row["id"]})
        return row

    active = campaign("active")
    ids = world.ids
    ids.update(
        campaign=active["id"],
        slug=conn.execute(
            "select slug from public.campaigns where id = %s", [active["id"]]
        ).fetchone()["slug"],
        draft=campaign("draft", title="Brouillon de la famille Traoré")["id"],
        pending=campaign("pending_review", title="Puits pour Kaolack, en attente")["id"],
        owner=str(owner.id),
        co_organizer=str(co.id),
        donor=str(donor.id),
        admin=str(admin.id),
    )
    conn.execute(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [active["id"], co.id],
    )
    # A donation, credited as the payment core does it.
    pledge = conn.execute(
        "select private.create_donation(%s, 100000, 'XOF', 'stripe', %s) as p",
        [active["id"], donor.id],
    ).fetchone()["p"]
    outcome = {"kind": "payment", "status": "succeeded", "amount": 100000, "currency": "XOF",
               "donation_id": pledge["donation_id"]}  # fmt: skip
    conn.execute(
        "select private.record_payment_event('stripe', 'evt_matrix', 'x', now(), false, '{}', %s)",
        [Jsonb(outcome)],
    )
    ids["donation"] = pledge["donation_id"]
    ids["media_public_id"] = f"africagnotte/campaigns/{active['id']}/photo-aminata"
    ids["media"] = conn.execute(
        "insert into public.campaign_media (campaign_id, public_id, resource_type)"
        " values (%s, %s, 'image') returning id",
        [active["id"], ids["media_public_id"]],
    ).fetchone()["id"]
    (update,) = api["owner"].insert(
        "campaign_updates",
        {"campaign_id": active["id"], "title": "L'opération est fixée", "body": "Merci à tous."},
    )
    (comment,) = api["donor"].insert(
        "comments", {"campaign_id": active["id"], "body": "Courage à la famille !"}
    )
    (report,) = api["donor"].insert(
        "reports", {"comment_id": comment["id"], "reason": "spam", "details": "Test"}
    )
    api["owner"].insert("notification_preferences", {"kind": "new_comment", "email": False})
    invitation = api["owner"].rpc(
        "invite_to_campaign", {"campaign_id": active["id"], "email": "invitee@example.test"}
    )
    (document,) = api["owner"].insert(
        "campaign_documents",
        {
            "campaign_id": active["id"],
            "document_type": "medical_document",
            "file_ref": f"africagnotte/documents/{active['id']}/devis-hopital",
        },
    )
    api["owner"].rpc(
        "set_treasurers", {"campaign_id": active["id"], "treasurer_ids": [str(co.id)], "quorum": 1}
    )
    payout = api["owner"].rpc(
        "request_payout", {"campaign_id": active["id"], "amount": 10_000, **WALLET}
    )
    api["co_organizer"].rpc("approve_payout_as_treasurer", {"payout_id": _id(payout)})
    ids["institution"] = _id(api["admin"].rpc("register_institution", HOSPITAL))
    # An offline gift the treasurer (the co-organizer) recorded, awaiting a co-signature.
    gift = api["co_organizer"].rpc(
        "record_offline_gift",
        {"campaign_id": active["id"], "amount": 30_000, "currency": "XOF",
         "received_on": str(conn.execute("select current_date as d").fetchone()["d"]),
         "channel": "cash", "slip_ref": f"africagnotte/offline/{active['id']}/recu-obseques"},
    )  # fmt: skip
    ids["offline_gift"] = _id(gift)
    # An exchange rate admins set (the fixed parities are not rows).
    api["admin"].rpc(
        "set_exchange_rate", {"base_currency": "GBP", "quote_currency": "XOF", "rate": 780}
    )
    # A monthly gift of the donor's (the service's SQL, as its checkout opens).
    ids["recurring_gift"] = conn.execute(
        "select private.start_recurring_gift(%s, 5000, 'XOF', 'stripe', %s) ->> 'recurring_gift_id' as g",
        [active["id"], donor.id],
    ).fetchone()["g"]
    ids.update(
        update=update["id"],
        comment=comment["id"],
        report=report["id"],
        invitation=_id(invitation),
        document=document["id"],
        payout=_id(payout),
        notification=conn.execute(
            "select id from public.notifications where user_id = %s limit 1", [owner.id]
        ).fetchone()["id"],
        history=conn.execute(
            "select id from public.campaign_status_history where campaign_id = %s limit 1",
            [active["id"]],
        ).fetchone()["id"],
    )
    # An edit after approval, waiting for re-review.
    api["owner"].update(
        "campaigns", {"summary": "Résumé retouché après l'approbation"}, {"id": active["id"]}
    )
    ids["edit_review"] = conn.execute(
        "select id from public.campaign_edit_reviews where campaign_id = %s", [active["id"]]
    ).fetchone()["id"]
    # A campaign closed with refunds: its donation's refund order.
    closed = campaign("active", title="Cagnotte close par la plateforme")
    pledge = conn.execute(
        "select private.create_donation(%s, 20000, 'XOF', 'stripe', %s) as p",
        [closed["id"], donor.id],
    ).fetchone()["p"]
    conn.execute(
        "select private.record_payment_event('stripe', 'evt_matrix_closed', 'x', now(), false, '{}', %s)",
        [Jsonb({**outcome, "amount": 20000, "donation_id": pledge["donation_id"]})],
    )
    api["admin"].rpc(
        "close_campaign_with_refunds", {"campaign_id": closed["id"], "reason": "Fraude"}
    )
    ids["refund_order"] = conn.execute(
        "select id from public.refund_orders where campaign_id = %s", [closed["id"]]
    ).fetchone()["id"]
    # A campaign whose payout was paid, justified by one published line and one draft.
    justified = campaign("active", title="Cagnotte justifiée de la famille Keïta")
    conn.execute(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [justified["id"], co.id],
    )
    pledge = conn.execute(
        "select private.create_donation(%s, 50000, 'XOF', 'stripe', %s) as p",
        [justified["id"], donor.id],
    ).fetchone()["p"]
    conn.execute(
        "select private.record_payment_event('stripe', 'evt_matrix_justified', 'x', now(), false, '{}', %s)",
        [Jsonb({**outcome, "amount": 50000, "donation_id": pledge["donation_id"]})],
    )
    (proof,) = api["owner"].insert(
        "campaign_documents",
        {
            "campaign_id": justified["id"],
            "document_type": "medical_document",
            "file_ref": f"africagnotte/documents/{justified['id']}/devis",
        },
    )
    api["admin"].rpc("review_campaign_document", {"document_id": proof["id"], "status": "accepted"})
    paid = _id(
        api["owner"].rpc(
            "request_payout", {"campaign_id": justified["id"], "amount": 30_000, **WALLET}
        )
    )
    api["admin"].rpc("approve_payout", {"payout_id": paid})
    api["admin"].rpc("mark_payout_paid", {"payout_id": paid, "reference": "OM-MATRICE"})
    receipts = f"africagnotte/justifications/{justified['id']}"
    spent = {"amount": 10_000, "spent_on": "2026-11-20", "supplier": "Pharmacie du Fleuve"}
    published = api["owner"].rpc(
        "add_justification_line",
        {
            "payout_id": paid,
            "description": "Médicaments",
            "receipt_ref": f"{receipts}/recu-1",
            **spent,
        },
    )
    api["owner"].rpc("publish_justification", {"payout_id": paid})
    draft = api["owner"].rpc(
        "add_justification_line",
        {
            "payout_id": paid,
            "description": "Analyses",
            "receipt_ref": f"{receipts}/recu-2",
            **spent,
        },
    )
    ids.update(
        justified=justified["id"],
        paid_payout=paid,
        justification_line=_id(published),
        justification_draft=_id(draft),
    )
    # An organisation registered for tax receipts, running the active campaign.
    organisation = api["admin"].rpc(
        "register_organisation",
        {"legal_name": "Association de la matrice", "address": "Bamako", "rccm": "MA.BKO.1",
         "legal_mention_fr": "Mention légale", "legal_mention_en": "Legal mention"},
    )  # fmt: skip
    ids["organisation"] = organisation["id"]
    api["admin"].rpc(
        "set_campaign_organisation",
        {"campaign_id": active["id"], "organisation_id": organisation["id"]},
    )
    # A provider row free to be added again (the matrix's insert).
    conn.execute(
        "delete from public.provider_currencies where provider = 'cinetpay' and currency = 'USD'"
    )
    for c in api.values():
        c.close()
    gotrue.ban(world.users["banned"])  # after sign-in: the token is still valid

    world.clients["anon"] = client(tokens.api_key(jwt_secret, "anon"), rollback=True)
    for persona, user in world.users.items():
        world.clients[persona] = client(user.token, rollback=True)
    return world


def _id(result: Any) -> str:
    """An RPC's returned row (or id) as the id."""
    return str(result["id"]) if isinstance(result, dict) else str(result)


# Running one case ---------------------------------------------------------------------------


def outcome(run: Any) -> str:
    """ok (rows seen or written, or the function ran), none (RLS hid every row),
    denied (no privilege: 42501), or the refusal's token (a rule said no)."""
    try:
        result = run()
    except ApiError as exc:
        if exc.code == "42501":
            return "denied"
        return exc.message if exc.code.startswith("PT") else exc.code
    return "ok" if result else "none"


def relation_case(world: World, persona: str, name: str, spec: dict, op: str) -> str:
    client = world.clients[persona]
    table = sql.Identifier("public", spec.get("table", name.partition(":")[0]))
    where = sql.SQL(spec["row"])
    params = [world.resolve(v, persona) for v in spec.get("params", [])]
    if op == "select":
        stmt = sql.SQL("select 1 from {} where {}").format(table, where)
        return outcome(lambda: client.request("GET", "/", stmt, params))
    if op == "update":
        values = world.resolve(spec["set"], persona)
        stmt = sql.SQL("update {} set {} where {}").format(
            table,
            sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in values),
            where,
        )
        params = [*values.values(), *params]
    elif op == "delete":
        stmt = sql.SQL("delete from {} where {}").format(table, where)
    else:
        values = world.resolve(spec["insert"], persona)
        stmt = sql.SQL("insert into {} ({}) values ({})").format(
            table,
            sql.SQL(", ").join(map(sql.Identifier, values)),
            sql.SQL(", ").join(sql.Placeholder() * len(values)),
        )
        params = list(values.values())

    def write() -> int:
        client.request("POST", "/", stmt, params)
        return client.rowcount

    return outcome(write)


def function_case(world: World, persona: str, name: str, spec: dict) -> str:
    client = world.clients[persona]
    if "sql" in spec:  # computed columns: called on a row
        stmt = sql.SQL(spec["sql"])
        params = [world.resolve(v, persona) for v in spec.get("params", [])]
        return outcome(lambda: client.request("GET", "/", stmt, params))

    def call() -> Any:
        client.rpc(name.partition(":")[0], world.resolve(spec.get("args", {}), persona))
        return True

    return outcome(call)
