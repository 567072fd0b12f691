"""Each notification kind's payload, defined once (public.notification_kinds, a
JSON Schema per kind): every kind has its definition, every kind produced
through its real path matches it (checked by an independent JSON Schema
implementation), the database refuses a payload that drifts from it, and
docs/notifications.md is generated from it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import psycopg
import pytest
from jsonschema import Draft202012Validator
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

from admin_scripts import notifications_cmd
from admin_scripts.cli import app
from tests.postgrest import ApiError

DOC = Path(__file__).resolve().parents[1] / "docs" / "notifications.md"
WALLET = {
    "method": "mobile_money",
    "beneficiary_name": "Aminata Traoré",
    "mobile_operator": "orange_money",
    "phone_number": "+22370123456",
}


def definitions(db) -> dict[str, dict]:
    return {
        r["kind"]: r["payload_schema"]
        for r in db.sql("select kind::text, payload_schema from public.notification_kinds")
    }


def stored(db) -> list[dict]:
    return db.sql("select kind::text, payload from public.notifications order by created_at")


# The definitions ------------------------------------------------------------------------


def test_every_notification_kind_has_exactly_one_definition(db):
    kinds = db.one("select enum_range(null::public.notification_kind)::text[] as k")["k"]
    assert sorted(definitions(db)) == sorted(kinds)


def test_each_definition_is_a_valid_json_schema_naming_every_field_required(db):
    for kind, schema in definitions(db).items():
        Draft202012Validator.check_schema(schema)
        assert schema["title"] == kind
        assert sorted(schema["required"]) == sorted(schema["properties"]), kind
        assert schema["additionalProperties"] is False, kind
        for name, field in schema["properties"].items():
            assert field.get("description"), f"{kind}.{name} has no description"


def test_anyone_reads_the_notification_kinds_through_the_api_and_nobody_writes_them(
    anon, user, as_user
):
    rows = anon.get("notification_kinds")
    assert {r["kind"] for r in rows} >= {"donation_received", "payout_update", "invitation"}
    with pytest.raises(ApiError) as err:
        as_user(user).update("notification_kinds", {"description": "x"}, {"kind": "invitation"})
    assert err.value.status in (401, 403)


# Produced through their real paths ----------------------------------------------------


def produce_every_kind(db, as_user, give, make_campaign, owner, user, other_user, moderator, admin):
    """Each kind of notification, made by the event that makes it in production."""
    campaign = make_campaign(owner, "active", goal_amount=50_000, category="autre")
    give(campaign, 4_000, user, anonymous=True)  # donation_received
    give(campaign, 46_000, other_user)  # donation_received, goal_reached
    as_user(owner).insert(  # campaign_update
        "campaign_updates", {"campaign_id": campaign["id"], "title": "Nouvelles", "body": "Merci !"}
    )
    as_user(user).insert("comments", {"campaign_id": campaign["id"], "body": "Courage !"})
    as_user(owner).rpc(  # invitation: the invitee has an account
        "invite_to_campaign",
        {"campaign_id": campaign["id"], "email": other_user.email, "role": "co_organizer"},
    )
    payout = as_user(owner).rpc(  # payout_update (requested)
        "request_payout", {"campaign_id": campaign["id"], "amount": 10_000, **WALLET}
    )
    as_user(admin).rpc(  # payout_update (rejected)
        "reject_payout", {"payout_id": payout["id"], "reason": "À vérifier"}
    )
    paid = as_user(owner).rpc(  # payout_update (requested, approved, paid)
        "request_payout", {"campaign_id": campaign["id"], "amount": 10_000, **WALLET}
    )
    as_user(admin).rpc("approve_payout", {"payout_id": paid["id"]})
    as_user(admin).rpc("mark_payout_paid", {"payout_id": paid["id"], "reference": "OM-NOTIF"})
    as_user(owner).rpc(  # justification_published, to the donors
        "add_justification_line",
        {"payout_id": paid["id"], "description": "Ciment", "amount": 4_000,
         "spent_on": "2026-11-20", "supplier": "Quincaillerie du marché",
         "receipt_ref": f"africagnotte/justifications/{campaign['id']}/facture"},
    )  # fmt: skip
    as_user(owner).rpc("publish_justification", {"payout_id": paid["id"]})
    db.sql(  # justification_overdue: the rest unjustified past the category's 60 days
        "update public.payout_requests set paid_at = now() - interval '61 days' where id = %s",
        [paid["id"]],
    )
    db.sql("select private.tell_overdue_justifications()")
    as_user(owner).update(  # an edit after approval, re-reviewed and undone
        "campaigns", {"summary": "Résumé retouché après l'approbation"}, {"id": campaign["id"]}
    )
    as_user(moderator).rpc(  # campaign_edit_restored
        "review_campaign_edit", {"campaign_id": campaign["id"], "accept": False, "reason": "Non"}
    )
    as_user(admin).rpc("freeze_campaign", {"campaign_id": campaign["id"], "reason": "Signalements"})
    as_user(admin).rpc("unfreeze_campaign", {"campaign_id": campaign["id"], "note": "Vérifiée"})
    as_user(admin).rpc(  # campaign_closed
        "close_campaign_with_refunds", {"campaign_id": campaign["id"], "reason": "Fraude"}
    )

    # offline gifts: a treasurer records them, the owner co-signs or refuses
    gifts = make_campaign(owner, "active", title="Obsèques de Papa Diarra")
    db.sql("insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
           [gifts["id"], other_user.id])  # fmt: skip
    as_user(owner).rpc(
        "set_treasurers",
        {"campaign_id": gifts["id"], "treasurer_ids": [str(other_user.id)], "quorum": 1},
    )
    for name in ("recu-1", "recu-2"):  # offline_gift_to_attest
        as_user(other_user).rpc(
            "record_offline_gift",
            {"campaign_id": gifts["id"], "amount": 25_000, "currency": "XOF",
             "received_on": str(db.one("select current_date as d")["d"]), "channel": "cash",
             "slip_ref": f"africagnotte/offline/{gifts['id']}/{name}", "giver_consented": True,
             "giver_name": "Famille Diarra"},
        )  # fmt: skip
    first, second = db.sql(
        "select id from public.offline_gifts where campaign_id = %s order by slip_ref",
        [gifts["id"]],
    )
    as_user(owner).rpc("attest_offline_gift", {"gift_id": first["id"]})  # offline_gift_attested
    as_user(owner).rpc(  # offline_gift_refused
        "refuse_offline_gift", {"gift_id": second["id"], "reason": "Illisible"}
    )
    as_user(other_user).rpc(  # offline_gift_withdrawn
        "withdraw_offline_gift", {"gift_id": first["id"], "reason": "Doublon"}
    )

    # monthly giving: a gift's first month paid (recurring_gift_started), then its donor
    # cancels it (recurring_gift_ended)
    monthly = make_campaign(owner, "active", title="Un don chaque mois pour l'école")
    gift = db.one(
        "select private.start_recurring_gift(%s, 5000, 'XOF', 'stripe', %s) ->> 'recurring_gift_id'"
        " as g", [monthly["id"], user.id],
    )["g"]  # fmt: skip
    db.sql("select private.move_recurring_gift(%s, 'active')", [gift])
    as_user(user).rpc("cancel_recurring_gift", {"gift_id": gift})

    for decision in ("approve_campaign", "reject_campaign"):  # moderation_decision, both ways
        pending = make_campaign(owner, "pending_review")
        args = {"campaign_id": pending["id"]}
        if decision == "reject_campaign":
            args["reason"] = "Photos floues"
        as_user(moderator).rpc(decision, args)

    ending = make_campaign(owner, "active")
    give(ending, 1_000, user)
    db.sql("update public.campaigns set ends_at = now() + interval '47 hours' where id = %s",
           [ending["id"]])  # fmt: skip
    db.sql("select private.remind_ending_campaigns()")  # campaign_ending
    db.sql(
        "update public.campaigns set starts_at = now() - interval '3 days',"
        " ends_at = now() - interval '1 second' where id = %s", [ending["id"]],
    )  # fmt: skip
    db.sql("select private.expire_campaigns()")  # campaign_ended


def test_every_kind_produced_through_its_real_path_matches_its_definition(
    db, as_user, give, make_campaign, owner, user, other_user, moderator, admin
):
    produce_every_kind(db, as_user, give, make_campaign, owner, user, other_user, moderator, admin)
    schemas = definitions(db)
    notifications = stored(db)
    assert {n["kind"] for n in notifications} == set(schemas), "a kind was not produced"
    for n in notifications:
        problems = [
            e.message for e in Draft202012Validator(schemas[n["kind"]]).iter_errors(n["payload"])
        ]
        assert problems == [], (n["kind"], n["payload"])
    decisions = {
        n["payload"]["decision"] for n in notifications if n["kind"] == "moderation_decision"
    }
    assert decisions == {"active", "rejected"}


def test_a_payload_anonymised_when_a_donor_leaves_still_matches_its_definition(
    db, gotrue, give, make_campaign, owner, user
):
    campaign = make_campaign(owner, "active")
    give(campaign, 2_000, user)
    gotrue.delete(user)
    [n] = [n for n in stored(db) if n["kind"] == "donation_received"]
    assert n["payload"]["donor_name"] == "Anonyme"
    assert Draft202012Validator(definitions(db)["donation_received"]).is_valid(n["payload"])


# Drift is refused ----------------------------------------------------------------------------


def valid_payload(db, kind: str) -> dict:
    """A payload of this kind, made from its definition (every field, a value of its type)."""
    examples = {"string": "texte", "integer": 1000, "boolean": True}
    payload = {}
    for name, field in definitions(db)[kind]["properties"].items():
        types = field["type"] if isinstance(field["type"], list) else [field["type"]]
        if "enum" in field:
            payload[name] = field["enum"][0]
        elif field.get("format") == "uuid":
            payload[name] = "7b0c5c1e-0f7a-4c8e-9a51-3d2f8c6b1a90"
        elif field.get("format") == "date-time":
            payload[name] = "2026-12-01T10:00:00+00:00"
        else:
            payload[name] = examples[types[0]]
    return payload


def drifts(payload: dict) -> dict[str, dict]:
    """Payloads a producer could write by mistake, each breaking the definition one way."""
    missing = copy.deepcopy(payload)
    del missing["campaign_title"]
    return {
        "missing": missing,
        "extra": {**payload, "donor_email": "fatou@example.test"},
        "wrong type": {**payload, "amount": "1000"},
        "fraction": {**payload, "amount": 10.5},
        "null where not nullable": {**payload, "donor_name": None},
        "not an object": [payload],
    }


def notify(db, recipient, kind: str, payload) -> None:
    db.sql(
        "select private.notify(array[%s]::uuid[], %s::public.notification_kind, null, %s, %s)",
        [recipient.id, kind, Jsonb(payload), f"test:{kind}"],
    )


def test_a_payload_made_from_its_definition_is_written(db, user):
    for kind in definitions(db):
        notify(db, user, kind, valid_payload(db, kind))
    assert len(stored(db)) == len(definitions(db))


@pytest.mark.parametrize(
    "drift",
    ["missing", "extra", "wrong type", "fraction", "null where not nullable", "not an object"],
)
def test_a_payload_that_drifts_from_its_definition_is_refused_and_nothing_is_written(
    db, user, drift
):
    payload = drifts(valid_payload(db, "donation_received"))[drift]
    schema = definitions(db)["donation_received"]
    assert not Draft202012Validator(schema).is_valid(payload)  # JSON Schema agrees: a drift
    with pytest.raises(psycopg.errors.CheckViolation) as err:
        notify(db, user, "donation_received", payload)
    assert err.value.diag.message_primary == "notification_payload_invalid"
    assert "donation_received" in err.value.diag.message_detail
    assert stored(db) == []


def test_the_refusal_names_each_field_at_fault(db, user):
    payload = {**valid_payload(db, "payout_update"), "status": "lost", "payout_id": "nope"}
    del payload["amount"]
    with pytest.raises(psycopg.errors.CheckViolation) as err:
        notify(db, user, "payout_update", payload)
    detail = err.value.diag.message_detail
    assert "$.amount: missing" in detail
    assert '$.status: "lost" is not one of' in detail
    assert '$.payout_id: "nope" is not a uuid' in detail


def test_changing_a_stored_payload_is_checked_too(db, user):
    notify(db, user, "goal_reached", valid_payload(db, "goal_reached"))
    with pytest.raises(psycopg.errors.CheckViolation):
        db.sql("update public.notifications set payload = payload - 'currency'")


# The generated page ------------------------------------------------------------------------


def test_docs_notifications_md_is_generated_from_the_definitions(db):
    with psycopg.connect(db.url, row_factory=dict_row) as conn:
        expected = notifications_cmd.kinds_markdown(notifications_cmd.notification_kinds(conn))
    assert DOC.read_text() == expected, "stale: run `make notifications-doc`"


def test_the_generated_page_lists_every_kind_and_each_of_its_fields(db):
    text = DOC.read_text()
    for kind, schema in definitions(db).items():
        section = text.split(f"## `{kind}`", 1)[1].split("\n## ", 1)[0]
        common = text.split("## Fields of every kind", 1)[1].split("\n## ", 1)[0]
        for name in schema["properties"]:
            assert f"| `{name}` |" in section + common, (kind, name)


def test_the_kinds_command_lists_each_kind_with_its_fields(db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db.url)
    listed = CliRunner().invoke(app, ["notifications", "kinds", "--json"])
    assert listed.exit_code == 0, listed.output
    assert {r["kind"]: r["payload_schema"] for r in json.loads(listed.stdout)} == definitions(db)
    page = CliRunner().invoke(app, ["notifications", "kinds", "--markdown"])
    assert page.stdout == DOC.read_text()


def test_the_kinds_command_without_a_database_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / "none")
    result = CliRunner().invoke(app, ["notifications", "kinds"])
    assert result.exit_code == 2
    assert "DATABASE_URL" in result.output
