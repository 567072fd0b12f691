"""The cast of a campaign's story, for tests that check a capability as every
actor: one active santé campaign (XOF) and the eight people around it.

    anon          a visitor who is not signed in (the anon key)
    donor         gave 100 000 XOF (a succeeded donation through the payment core)
    owner         created the campaign
    co_organizer  on the team, not a treasurer
    treasurer     on the team, named treasurer (with second_treasurer; quorum 1)
    moderator     platform staff (moderator role)
    admin         platform staff (admin role)
    banned        a signed-in user banned after their token was issued

`ACTORS` is their order in outcome tables. `Cast.api(actor)` is that actor's
PostgREST client. `paid_payout` walks the real path of a payout to `paid`.

The `cast` fixture builds one per test (this module is a pytest plugin, named
in conftest.py); `make_cast(...)` builds one from the conftest fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.gotrue import User
from tests.postgrest import PostgrestClient

ACTORS = (
    "anon", "donor", "owner", "co_organizer", "treasurer", "moderator", "admin", "banned",
)  # fmt: skip

WALLET = {
    "method": "mobile_money",
    "beneficiary_name": "Aminata Traoré",
    "mobile_operator": "orange_money",
    "phone_number": "+22370123456",
}

NAMES = {
    "donor": "Fatou Diallo",
    "owner": "Aminata Traoré",
    "co_organizer": "Ibrahim Coulibaly",
    "treasurer": "Mariam Keïta",
    "second_treasurer": "Oumar Sangaré",
    "moderator": "Modératrice Mariam",
    "admin": "Admin Awa",
    "banned": "Banni Bakary",
}


@dataclass
class Cast:
    campaign: dict[str, Any]
    users: dict[str, User]
    clients: dict[str, PostgrestClient] = field(default_factory=dict)
    donation: dict[str, Any] | None = None

    def api(self, actor: str) -> PostgrestClient:
        return self.clients[actor]

    @property
    def campaign_id(self) -> str:
        return str(self.campaign["id"])


def make_cast(
    *,
    db: Any,
    gotrue: Any,
    anon: PostgrestClient,
    as_user: Callable[[User], PostgrestClient],
    make_user: Callable[..., User],
    grant_role: Callable[[User, str], User],
    make_campaign: Callable[..., dict[str, Any]],
    give: Callable[..., dict[str, Any]],
    **campaign_fields: Any,
) -> Cast:
    """The campaign and its eight actors, each with a client."""
    users = {actor: make_user(user_metadata={"full_name": name}) for actor, name in NAMES.items()}
    users["moderator"] = grant_role(users["moderator"], "moderator")
    users["admin"] = grant_role(users["admin"], "admin")
    campaign = make_campaign(users["owner"], "active", **campaign_fields)
    _join_team(db, campaign, users)
    as_user(users["owner"]).rpc(
        "set_treasurers",
        {
            "campaign_id": str(campaign["id"]),
            "treasurer_ids": [str(users["treasurer"].id), str(users["second_treasurer"].id)],
            "quorum": 1,
        },
    )
    donation = give(campaign, 100_000, users["donor"], fee=2_000)
    gotrue.ban(users["banned"])
    clients = {actor: as_user(user) for actor, user in users.items()}
    clients["anon"] = anon
    return Cast(campaign=campaign, users=users, clients=clients, donation=donation)


def _join_team(db: Any, campaign: dict[str, Any], users: dict[str, User]) -> None:
    for actor in ("co_organizer", "treasurer", "second_treasurer"):
        db.sql(
            "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
            [campaign["id"], users[actor].id],
        )


def accepted_proofs(cast: Cast) -> None:
    """Every proof the campaign's category asks for, uploaded by the owner and
    accepted by the moderator (what a payout needs before approval)."""
    owner, moderator = cast.api("owner"), cast.api("moderator")
    for document_type in _required_documents(cast):
        (doc,) = owner.insert(
            "campaign_documents",
            {
                "campaign_id": cast.campaign_id,
                "document_type": document_type,
                "file_ref": f"africagnotte/documents/{cast.campaign_id}/{document_type}",
            },
        )
        moderator.rpc("review_campaign_document", {"document_id": doc["id"], "status": "accepted"})


def _required_documents(cast: Cast) -> list[str]:
    rows = cast.api("anon").get(
        "category_proof_requirements", {"category": cast.campaign["category"]}
    )
    return [r["document_type"] for r in rows]


def paid_payout(
    cast: Cast,
    amount: int = 50_000,
    *,
    reference: str = "OM-2026-001",
    request: Callable[[PostgrestClient], Any] | None = None,
) -> dict[str, Any]:
    """A payout of the campaign brought to `paid` the way it happens: requested
    by the owner (to their wallet, or by `request(owner_client)`), signed off by
    a treasurer, the proofs accepted, approved and marked paid by the admin."""
    owner = cast.api("owner")
    payout = (
        request(owner)
        if request
        else owner.rpc(
            "request_payout", {"campaign_id": cast.campaign_id, "amount": amount, **WALLET}
        )
    )
    payout_id = payout["id"]
    cast.api("treasurer").rpc("approve_payout_as_treasurer", {"payout_id": payout_id})
    if not _has_accepted_proofs(cast):
        accepted_proofs(cast)
    cast.api("admin").rpc("approve_payout", {"payout_id": payout_id})
    return cast.api("admin").rpc(
        "mark_payout_paid", {"payout_id": payout_id, "reference": reference}
    )


def _has_accepted_proofs(cast: Cast) -> bool:
    return bool(
        cast.api("owner").get(
            "campaign_documents",
            {"campaign_id": cast.campaign_id, "status": "accepted"},
        )
    )


@pytest.fixture
def cast(db, gotrue, anon, as_user, make_user, grant_role, make_campaign, give) -> Cast:
    """The campaign and its eight actors, for this test."""
    return make_cast(
        db=db, gotrue=gotrue, anon=anon, as_user=as_user, make_user=make_user,
        grant_role=grant_role, make_campaign=make_campaign, give=give,
    )  # fmt: skip
