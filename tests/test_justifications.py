"""Justified spending (issue #19, item 2): after a payout is paid, the
campaign's team writes what it paid for, line by line with a private receipt,
and publishes it; everyone sees collected / paid out / justified; the donors
are told; a payout left unjustified past its category's deadline marks the
campaign and blocks the next payout until staff clear it."""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from admin_scripts import i18n
from tests.conftest import CLOUDINARY_CLOUD, CLOUDINARY_KEY, CLOUDINARY_SECRET
from tests.postgrest import ApiError
from tests.support.cast import ACTORS, WALLET, paid_payout
from tests.test_media_uploads import sign_upload


@pytest.fixture
def payout(cast):
    """A payout of 50 000 XOF, paid."""
    return paid_payout(cast, 50_000)


def line(cast, payout, **fields):
    """add_justification_line's arguments: a pharmacy bill with its receipt."""
    return {
        "payout_id": str(payout["id"]),
        "description": "Médicaments après l'opération",
        "amount": 20_000,
        "spent_on": str(date.today() - timedelta(days=2)),
        "supplier": "Pharmacie du Fleuve",
        "receipt_ref": f"africagnotte/justifications/{cast.campaign_id}/facture-pharmacie",
        **fields,
    }


def add(cast, payout, actor="owner", **fields):
    return cast.api(actor).rpc("add_justification_line", line(cast, payout, **fields))


def published(cast, payout, **fields):
    """A line the team added and published."""
    added = add(cast, payout, **fields)
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    return added


def refusal(call) -> str:
    with pytest.raises(ApiError) as exc:
        call()
    return "denied" if exc.value.code == "42501" else exc.value.message


def outcome(call) -> str:
    try:
        call()
    except ApiError as exc:
        return "denied" if exc.code == "42501" else exc.message
    return "ok"


def spending(cast, actor="anon"):
    return cast.api(actor).rpc("campaign_spending", {"campaign_id": cast.campaign_id})


def overdue_by(db, payout, days: int) -> None:
    """The payout was paid `days` days ago (the test moves time, not the clock)."""
    db.sql(
        "update public.payout_requests set paid_at = now() - make_interval(days => %s) where id = %s",
        [days, payout["id"]],
    )


def lines_and_receipts(db, payout) -> tuple[int, int]:
    row = db.one(
        "select (select count(*) from public.justification_lines where payout_id = %s) as lines,"
        " (select count(*) from public.justification_receipts as r"
        "  join public.justification_lines as l on l.id = r.line_id where l.payout_id = %s) as receipts",
        [payout["id"], payout["id"]],
    )
    return row["lines"], row["receipts"]


# The team writes and publishes ------------------------------------------------------------


def test_the_team_writes_lines_on_a_paid_payout_and_publishes_them(cast, payout, db):
    first = add(cast, payout)
    second = add(
        cast, payout, "co_organizer", description="Nuitées à l'hôpital", amount=15_000,
        supplier="Hôpital du Point G",
        receipt_ref=f"africagnotte/justifications/{cast.campaign_id}/facture-hopital",
        public_image_ref=f"africagnotte/justifications/{cast.campaign_id}/public/facture-hopital-floutee",
    )  # fmt: skip
    assert first["status"] == second["status"] == "draft"
    assert first["currency"] == "XOF"

    result = cast.api("treasurer").rpc("publish_justification", {"payout_id": str(payout["id"])})

    assert result["justified"] == 35_000
    assert result["amount"] == 50_000
    assert result["overdue"] is False
    published = db.sql(
        "select status::text, published_by from public.justification_lines where payout_id = %s",
        [payout["id"]],
    )
    assert {r["status"] for r in published} == {"published"}
    assert {r["published_by"] for r in published} == {cast.users["treasurer"].id}
    assert db.one(
        "select count(*) as n from private.audit_log where action = 'publish_justification'"
        " and target_id = %s", [str(payout["id"])],
    )["n"] == 1  # fmt: skip


def test_a_payout_not_yet_paid_takes_no_line(cast):
    requested = cast.api("owner").rpc(
        "request_payout", {"campaign_id": cast.campaign_id, "amount": 30_000, **WALLET}
    )
    assert refusal(lambda: add(cast, requested)) == "payout_not_paid"
    assert refusal(
        lambda: cast.api("owner").rpc("publish_justification", {"payout_id": str(requested["id"])})
    ) == "payout_not_paid"  # fmt: skip


def test_publishing_without_a_draft_is_refused(cast, payout):
    assert refusal(
        lambda: cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    ) == "nothing_to_publish"  # fmt: skip


def test_a_payout_is_justified_in_several_publications(cast, payout):
    add(cast, payout, amount=10_000)
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    add(cast, payout, amount=40_000)
    result = cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    assert result["justified"] == 50_000


# What everyone sees ------------------------------------------------------------------------


def test_anyone_sees_the_three_amounts_and_the_published_lines_never_a_receipt(cast, payout, db):
    add(cast, payout, amount=20_000)
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    draft = add(cast, payout, amount=5_000, description="Taxi pour les examens")
    collected = db.one(
        "select collected_amount from public.campaigns where id = %s", [cast.campaign_id]
    )["collected_amount"]

    for actor in ACTORS:
        assert spending(cast, actor) == {
            "campaign_id": cast.campaign["id"], "currency": "XOF", "collected": collected,
            "paid_out": 50_000, "justified": 20_000, "overdue": False,
        }, actor  # fmt: skip

    anon = cast.api("anon")
    (seen,) = anon.get("justification_lines", {"campaign_id": cast.campaign_id})
    assert seen["amount"] == 20_000
    assert seen["supplier"] == "Pharmacie du Fleuve"
    assert "receipt_ref" not in seen
    assert "file_ref" not in seen
    assert anon.get("justification_lines", {"id": draft["id"]}) == []
    assert refusal(lambda: anon.get("justification_receipts")) == "denied"
    assert cast.api("donor").get("justification_receipts") == []
    rows = anon.rpc("payout_justifications", {"campaign_id": cast.campaign_id})
    assert [(r["amount"], r["justified"], r["overdue"]) for r in rows] == [(50_000, 20_000, False)]


# (actor) -> (lines seen, drafts included, receipts seen)
READERS = {
    "anon": (1, "denied"), "donor": (1, 0), "owner": (2, 2), "co_organizer": (2, 2),
    "treasurer": (2, 2), "moderator": (2, 2), "admin": (2, 2), "banned": (1, 0),
}  # fmt: skip


def test_drafts_and_receipts_are_for_the_team_and_staff_only(cast, payout):
    add(cast, payout, amount=20_000)
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    add(cast, payout, amount=5_000)

    for actor, (lines, receipts) in READERS.items():
        client = cast.api(actor)
        assert len(client.get("justification_lines", {"campaign_id": cast.campaign_id})) == lines, (
            actor
        )
        seen = outcome(lambda c=client: c.get("justification_receipts"))
        if receipts == "denied":
            assert seen == "denied", actor
        else:
            assert len(client.get("justification_receipts")) == receipts, actor


def test_a_frozen_campaigns_lines_are_hidden_from_the_public(cast, payout):
    add(cast, payout)
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    cast.api("moderator").rpc(
        "freeze_campaign", {"campaign_id": cast.campaign_id, "reason": "Signalements"}
    )
    assert cast.api("anon").get("justification_lines", {"campaign_id": cast.campaign_id}) == []
    assert refusal(lambda: spending(cast)) == "campaign_not_found"
    assert len(cast.api("owner").get("justification_lines", {"campaign_id": cast.campaign_id})) == 1


# The donors hear of it ---------------------------------------------------------------------


def test_donors_are_notified_and_emailed_in_their_language(cast, payout, db, make_user, give):
    english = make_user(user_metadata={"full_name": "John Mensah"})
    db.sql("update public.profiles set locale = 'en' where id = %s", [english.id])
    give(cast.campaign, 10_000, english)
    give(cast.campaign, 5_000)  # a guest: no account, nobody to notify
    add(cast, payout, amount=25_000)

    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})

    notes = db.sql(
        "select user_id, payload from public.notifications where kind = 'justification_published'"
    )
    assert {n["user_id"] for n in notes} == {cast.users["donor"].id, english.id}
    assert notes[0]["payload"]["amount"] == 25_000
    assert notes[0]["payload"]["payout_id"] == str(payout["id"])
    mails = {
        r["to_address"]: r
        for r in db.sql(
            "select to_address, locale::text, subject, body from private.email_messages"
            " where template = 'justification_published'"
        )
    }
    french, other = mails[cast.users["donor"].email], mails[english.email]
    assert french["locale"] == "fr"
    assert "voici à quoi a servi votre don" in french["subject"]
    assert "25\u00a0000\u00a0FCFA" in french["body"]
    assert other["locale"] == "en"
    assert "here is where your gift went" in other["subject"]
    assert "25,000\u00a0FCFA" in other["body"]
    assert not db.sql(
        "select 1 from public.notifications where kind = 'justification_published' and user_id = %s",
        [cast.users["owner"].id],
    )


def test_donors_hear_of_a_payouts_justification_once_a_day_however_often_it_is_published(
    cast, payout, db
):
    for amount in (10_000, 5_000, 1):
        add(cast, payout, amount=amount)
        cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    (note,) = db.sql(
        "select payload from public.notifications where kind = 'justification_published'"
        " and user_id = %s",
        [cast.users["donor"].id],
    )
    assert note["payload"]["amount"] == 10_000  # the first publication's
    assert (
        db.one(
            "select count(*) as n from private.email_outbox where template = 'justification_published'"
        )["n"]
        == 1
    )
    spending = cast.api("anon").rpc("campaign_spending", {"campaign_id": cast.campaign_id})
    assert spending["justified"] == 15_001  # every publication is on the page


def test_the_overdue_mark_of_a_campaign_the_caller_cannot_see_is_not_told(
    cast, db, make_campaign, anon
):
    draft = make_campaign(cast.users["owner"], "draft")
    with pytest.raises(ApiError) as exc:
        anon.rpc("justification_overdue", {"c": {"id": str(draft["id"])}})
    assert exc.value.message == "campaign_not_found"
    assert anon.rpc("justification_overdue", {"c": {"id": cast.campaign_id}}) is False


# The payout's amount, and frozen lines -----------------------------------------------------


def test_lines_never_add_up_to_more_than_the_payout(cast, payout, db):
    add(cast, payout, amount=45_000)
    assert refusal(lambda: add(cast, payout, amount=5_001)) == "justification_exceeds_payout"
    assert lines_and_receipts(db, payout) == (1, 1)
    other = add(cast, payout, amount=5_000)
    args = {k: v for k, v in line(cast, payout, amount=5_001).items() if k != "payout_id"}
    assert refusal(
        lambda: cast.api("owner").rpc("edit_justification_line", {**args, "line_id": other["id"]})
    ) == "justification_exceeds_payout"  # fmt: skip
    assert db.one("select amount from public.justification_lines where id = %s",
                  [other["id"]])["amount"] == 5_000  # fmt: skip


def test_a_draft_is_edited_and_deleted_by_the_team(cast, payout, db):
    draft = add(cast, payout)
    args = {k: v for k, v in line(cast, payout, amount=12_000, supplier="Pharmacie Hippodrome").items()
            if k != "payout_id"}  # fmt: skip
    edited = cast.api("co_organizer").rpc(
        "edit_justification_line", {**args, "line_id": draft["id"]}
    )
    assert edited["amount"] == 12_000
    assert edited["supplier"] == "Pharmacie Hippodrome"
    cast.api("owner").rpc(
        "edit_justification_line",
        {**args, "line_id": draft["id"], "receipt_ref": None,
         "public_image_ref": f"africagnotte/justifications/{cast.campaign_id}/public/floue"},
    )  # fmt: skip
    assert db.one("select file_ref from public.justification_receipts where line_id = %s",
                  [draft["id"]])["file_ref"].endswith("/facture-pharmacie")  # fmt: skip
    cast.api("owner").rpc("delete_justification_line", {"line_id": draft["id"]})
    assert lines_and_receipts(db, payout) == (0, 0)


def test_published_lines_are_frozen(cast, payout, db):
    published = add(cast, payout)
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    args = {k: v for k, v in line(cast, payout, amount=1_000).items() if k != "payout_id"}
    owner = cast.api("owner")
    assert refusal(
        lambda: owner.rpc("edit_justification_line", {**args, "line_id": published["id"]})
    ) == "justification_published"  # fmt: skip
    assert refusal(
        lambda: owner.rpc("delete_justification_line", {"line_id": published["id"]})
    ) == "justification_published"  # fmt: skip
    assert refusal(
        lambda: owner.update("justification_lines", {"amount": 1}, {"id": published["id"]})
    ) == "denied"  # fmt: skip
    assert refusal(lambda: owner.delete("justification_lines", {"id": published["id"]})) == "denied"
    assert db.one("select amount from public.justification_lines where id = %s",
                  [published["id"]])["amount"] == 20_000  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"description": "  "}, "description"),
        ({"description": "Ligne\nnouvelle"}, "description"),
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"spent_on": str(date.today() + timedelta(days=5))}, "future"),
        ({"spent_on": "1900-01-01"}, "before the campaign"),
        ({"supplier": "X"}, "supplier"),
        (
            {"receipt_ref": "africagnotte/justifications/00000000-0000-0000-0000-000000000000/x"},
            "receipt",
        ),
        ({"receipt_ref": "africagnotte/documents/{c}/devis"}, "receipt"),
        ({"receipt_ref": "africagnotte/justifications/{c}/public/recu"}, "receipt"),
        ({"receipt_ref": "africagnotte/justifications/{c}/../{c}x/recu"}, "receipt"),
        ({"receipt_ref": None}, "receipt"),
        ({"public_image_ref": "africagnotte/justifications/{c}/recu-en-clair"}, "public image"),
        ({"public_image_ref": "https://example.test/image.png"}, "public image"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(cast, payout, db, fields, why):
    fields = {
        k: v.format(c=cast.campaign_id) if isinstance(v, str) else v for k, v in fields.items()
    }
    with pytest.raises(ApiError) as exc:
        add(cast, payout, **fields)
    assert exc.value.message == "invalid_justification_line"
    assert why.split()[0] in (exc.value.details or "").lower() or why == "future"
    assert lines_and_receipts(db, payout) == (0, 0)


def test_staff_take_a_published_line_down_and_it_no_longer_justifies_anything(cast, payout, db):
    shown = published(cast, payout, amount=30_000, public_image_ref=(
        f"africagnotte/justifications/{cast.campaign_id}/public/facture-caviardee"))  # fmt: skip
    removed = cast.api("moderator").rpc(
        "remove_justification_line", {"line_id": shown["id"], "reason": "Nom du patient lisible"}
    )
    assert (removed["status"], removed["public_image_ref"]) == ("removed", None)
    assert cast.api("anon").get("justification_lines", {"id": shown["id"]}) == []
    (seen,) = cast.api("owner").get("justification_lines", {"id": shown["id"]})
    assert (seen["status"], seen["removed_reason"]) == ("removed", "Nom du patient lisible")
    assert spending(cast)["justified"] == 0
    # it leaves room for a proper line, and is taken down once
    published(cast, payout, amount=50_000)
    assert spending(cast)["justified"] == 50_000
    assert refusal(lambda: cast.api("admin").rpc(
        "remove_justification_line", {"line_id": shown["id"], "reason": "Encore"}
    )) == "justification_line_not_published"  # fmt: skip
    (audit,) = db.sql(
        "select details from private.audit_log where action = 'remove_justification_line'"
    )
    assert audit["details"]["reason"] == "Nom du patient lisible"


def test_staff_on_the_campaigns_team_do_not_take_its_lines_down(cast, payout, db):
    shown = published(cast, payout)
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [cast.campaign_id, cast.users["moderator"].id],
    )
    assert refusal(lambda: cast.api("moderator").rpc(
        "remove_justification_line", {"line_id": shown["id"], "reason": "Mon équipe"}
    )) == "cannot_review_own_campaign"  # fmt: skip
    assert db.one("select status::text from public.justification_lines where id = %s",
                  [shown["id"]])["status"] == "published"  # fmt: skip


# Per actor -----------------------------------------------------------------------------------

# outcome of each capability, per actor (in ACTORS' order)
CAPABILITIES = {
    "add_justification_line":
        "denied payout_not_found ok ok ok payout_not_found not_campaign_owner payout_not_found",
    "edit_justification_line":
        "denied justification_line_not_found ok ok ok not_campaign_owner not_campaign_owner"
        " justification_line_not_found",
    "delete_justification_line":
        "denied justification_line_not_found ok ok ok not_campaign_owner not_campaign_owner"
        " justification_line_not_found",
    "publish_justification":
        "denied payout_not_found ok ok ok payout_not_found not_campaign_owner payout_not_found",
    "clear_justification": "denied staff_only staff_only staff_only staff_only ok ok staff_only",
    "remove_justification_line":
        "denied staff_only staff_only staff_only staff_only ok ok staff_only",
    "campaign_spending": "ok ok ok ok ok ok ok ok",
    "payout_justifications": "ok ok ok ok ok ok ok ok",
}  # fmt: skip


@pytest.mark.parametrize("capability", list(CAPABILITIES))
def test_each_capability_as_every_actor(cast, payout, db, capability):
    expected = dict(zip(ACTORS, CAPABILITIES[capability].split(), strict=True))
    for actor in ACTORS:
        draft = add(cast, payout, amount=1_000)  # each try has a draft of its own
        args = {
            "add_justification_line": lambda: line(cast, payout, amount=1_000),
            "edit_justification_line": lambda d=draft: {
                **{k: v for k, v in line(cast, payout, amount=900).items() if k != "payout_id"},
                "line_id": d["id"],
            },
            "delete_justification_line": lambda d=draft: {"line_id": d["id"]},
            "publish_justification": lambda: {"payout_id": str(payout["id"])},
            "clear_justification": lambda: {"payout_id": str(payout["id"]), "note": "Vu sur place"},
            "remove_justification_line": lambda: {
                "line_id": published(cast, payout, amount=1_000)["id"],
                "reason": "Reçu en clair",
            },
            "campaign_spending": lambda: {"campaign_id": cast.campaign_id},
            "payout_justifications": lambda: {"campaign_id": cast.campaign_id},
        }[capability]()
        observed = outcome(lambda a=args, c=cast.api(actor): c.rpc(capability, a))
        assert observed == expected[actor], actor
        db.sql("delete from private.justification_clearances")
        db.sql("delete from public.justification_lines where status = 'draft'")


def test_a_banned_team_member_writes_nothing(cast, payout, gotrue, db):
    draft = add(cast, payout)
    gotrue.ban(cast.users["co_organizer"])  # the token issued before stays valid
    co = cast.api("co_organizer")
    assert refusal(lambda: add(cast, payout, "co_organizer")) == "account_banned"
    assert refusal(
        lambda: co.rpc("publish_justification", {"payout_id": str(payout["id"])})
    ) == "account_banned"  # fmt: skip
    assert refusal(lambda: co.rpc("delete_justification_line", {"line_id": draft["id"]})) == (
        "account_banned"
    )
    assert lines_and_receipts(db, payout) == (1, 1)


# The deadline ------------------------------------------------------------------------------


def test_categories_set_the_deadline(db):
    days = {
        r["slug"]: r["justification_days"]
        for r in db.sql("select slug, justification_days from public.categories")
    }
    assert days["sante"] == 30
    assert days["education"] == 60
    assert days["funerailles"] == 60


def test_a_payout_left_unjustified_past_the_deadline_marks_the_campaign_and_blocks_the_next(
    cast, payout, db
):
    add(cast, payout, amount=20_000)
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    owner = cast.api("owner")
    waiting = owner.rpc(
        "request_payout", {"campaign_id": cast.campaign_id, "amount": 10_000, **WALLET}
    )
    overdue_by(db, payout, 29)
    assert spending(cast)["overdue"] is False

    overdue_by(db, payout, 31)

    assert spending(cast)["overdue"] is True
    assert db.one("select public.justification_overdue(c) as o from public.campaigns as c"
                  " where c.id = %s", [cast.campaign_id])["o"] is True  # fmt: skip
    (row,) = cast.api("anon").rpc("payout_justifications", {"campaign_id": cast.campaign_id})
    assert row["overdue"] is True
    assert row["justified"] == 20_000
    blockers = owner.rpc("payout_blockers", {"payout_id": waiting["id"]})
    assert {"reason": "justification_overdue"}.items() <= blockers[0].items()
    cast.api("treasurer").rpc("approve_payout_as_treasurer", {"payout_id": waiting["id"]})
    with pytest.raises(ApiError) as exc:
        cast.api("admin").rpc("approve_payout", {"payout_id": waiting["id"]})
    assert exc.value.message == "payout_blocked"
    owner.rpc("cancel_payout", {"payout_id": waiting["id"]})
    with pytest.raises(ApiError) as exc:
        owner.rpc("request_payout", {"campaign_id": cast.campaign_id, "amount": 10_000, **WALLET})
    assert exc.value.message == "payout_blocked"
    assert json.loads(exc.value.details) == [{"reason": "justification_overdue"}]


def test_justifying_the_whole_payout_lifts_the_mark(cast, payout, db):
    overdue_by(db, payout, 45)
    assert spending(cast)["overdue"] is True
    add(cast, payout, amount=50_000)
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    assert spending(cast)["overdue"] is False
    cast.api("owner").rpc(
        "request_payout", {"campaign_id": cast.campaign_id, "amount": 10_000, **WALLET}
    )


def test_a_category_without_deadline_never_marks(cast, payout, db):
    db.sql("update public.categories set justification_days = null where slug = 'sante'")
    overdue_by(db, payout, 400)
    assert spending(cast)["overdue"] is False


def test_staff_clear_an_overdue_payout_with_a_note_and_the_team_may_ask_again(cast, payout, db):
    overdue_by(db, payout, 31)
    moderator = cast.api("moderator")
    assert refusal(
        lambda: moderator.rpc("clear_justification", {"payout_id": str(payout["id"]), "note": " "})
    ) == "reason_required"  # fmt: skip

    cleared = moderator.rpc(
        "clear_justification",
        {"payout_id": str(payout["id"]), "note": "Factures vues à l'hôpital"},
    )

    assert cleared["overdue"] is False
    assert cleared["cleared_at"] is not None
    assert spending(cast)["overdue"] is False
    cast.api("owner").rpc(
        "request_payout", {"campaign_id": cast.campaign_id, "amount": 10_000, **WALLET}
    )
    (audit,) = db.sql(
        "select actor_id, details from private.audit_log where action = 'clear_justification'"
    )
    assert audit["actor_id"] == cast.users["moderator"].id
    assert audit["details"] == {"note": "Factures vues à l'hôpital"}
    assert refusal(
        lambda: cast.api("admin").rpc(
            "clear_justification", {"payout_id": str(payout["id"]), "note": "Encore"}
        )
    ) == "justification_already_cleared"  # fmt: skip


def test_staff_on_the_team_do_not_clear_its_payouts(cast, payout, db):
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [cast.campaign_id, cast.users["moderator"].id],
    )
    assert refusal(
        lambda: cast.api("moderator").rpc(
            "clear_justification", {"payout_id": str(payout["id"]), "note": "Ça ira"}
        )
    ) == "cannot_review_own_campaign"  # fmt: skip
    assert db.sql("select 1 from private.justification_clearances") == []


def test_a_payout_not_paid_is_not_cleared(cast):
    requested = cast.api("owner").rpc(
        "request_payout", {"campaign_id": cast.campaign_id, "amount": 30_000, **WALLET}
    )
    assert refusal(
        lambda: cast.api("admin").rpc(
            "clear_justification", {"payout_id": requested["id"], "note": "Rien"}
        )
    ) == "payout_not_paid"  # fmt: skip


# The operators' console ----------------------------------------------------------------------


@pytest.fixture
def cli(operator_cli):
    yield functools.partial(operator_cli, "justifications")
    i18n.use("en")  # the suite speaks English: a French run here does not leak


def test_the_console_lists_overdue_payouts_first(cast, payout, db, cli, operator_cli, monkeypatch):
    add(cast, payout, amount=20_000)
    cast.api("owner").rpc("publish_justification", {"payout_id": str(payout["id"])})
    overdue_by(db, payout, 40)

    result = cli("list", "--json")

    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["payout_id"] == str(payout["id"])
    assert row["overdue"] is True
    assert (row["amount"], row["justified"], row["currency"]) == (50_000, 20_000, "XOF")
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: whole cells
    french = operator_cli("--lang", "fr", "justifications", "list")
    assert french.exit_code == 0, french.output
    assert "en retard" in french.stdout
    assert cast.campaign["slug"] in french.stdout


def test_the_console_shows_lines_with_signed_receipt_links_and_audits_it(
    cast, payout, db, cli, monkeypatch
):
    monkeypatch.setenv(
        "CLOUDINARY_URL", f"cloudinary://{CLOUDINARY_KEY}:{CLOUDINARY_SECRET}@{CLOUDINARY_CLOUD}"
    )
    add(cast, payout, amount=20_000)

    result = cli("show", str(payout["id"])[:8], "--json")

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    (line_,) = shown["lines"]
    assert line_["receipt_ref"].endswith("/facture-pharmacie")
    assert line_["status"] == "draft"
    url = urlsplit(line_["receipt_url"])
    query = parse_qs(url.query)
    assert query["public_id"] == [line_["receipt_ref"]]
    assert query["type"] == ["authenticated"]
    assert "signature" in query
    assert db.one(
        "select count(*) as n from private.audit_log where action = 'justifications show'"
        " and target_id = %s",
        [str(payout["id"])],
    )["n"] == 1  # fmt: skip


def test_the_console_clears_a_payout_with_a_note(cast, payout, db, cli, operator_cli):
    overdue_by(db, payout, 40)

    result = cli("clear", str(payout["id"]), "--note", "Factures vérifiées à l'hôpital")

    assert result.exit_code == 0, result.output
    assert str(payout["id"])[:8] in result.stdout
    assert spending(cast)["overdue"] is False
    (clearance,) = db.sql("select note from private.justification_clearances")
    assert clearance["note"] == "Factures vérifiées à l'hôpital"
    again = operator_cli(
        "--lang", "fr", "justifications", "clear", str(payout["id"]), "--note", "Encore"
    )
    assert again.exit_code != 0
    assert "a déjà levé" in again.output


def test_the_console_takes_a_line_down_after_asking(cast, payout, db, cli, operator_cli):
    shown = published(cast, payout)

    kept = cli("remove", str(shown["id"])[:8], "--reason", "Reçu en clair", input="n\n")
    assert kept.exit_code != 0
    assert spending(cast)["justified"] == 20_000
    french = operator_cli(
        "--lang", "fr", "justifications", "remove", str(shown["id"]), "--reason", "Reçu en clair",
        "--yes",
    )  # fmt: skip

    assert french.exit_code == 0, french.output
    assert "ne justifie plus son versement" in french.stdout
    assert spending(cast)["justified"] == 0
    (audit,) = db.sql(
        "select operator from private.audit_log where action = 'remove_justification_line'"
    )
    assert audit["operator"] is not None


# Uploads: the service signs receipts for the team -----------------------------------------


def sign(service, cast, actor, **body):
    token = None if actor == "anon" else cast.users[actor].token
    return sign_upload(service, token, target="justification", campaign_id=cast.campaign_id, **body)


def test_the_team_gets_a_private_upload_for_a_receipt_and_a_public_one_for_its_image(cast, service):
    receipt = sign(service, cast, "co_organizer")
    assert receipt.status_code == 200, receipt.get_json()
    fields = receipt.get_json()["fields"]
    assert fields["folder"] == f"africagnotte/justifications/{cast.campaign_id}"
    assert fields["type"] == "authenticated"
    image = sign(service, cast, "owner", visibility="public")
    assert image.status_code == 200, image.get_json()
    fields = image.get_json()["fields"]
    assert fields["folder"] == f"africagnotte/justifications/{cast.campaign_id}/public"
    assert "type" not in fields


SIGNERS = {
    "anon": (401, "sign_in_required"), "donor": (403, "not_campaign_owner"),
    "owner": (200, None), "co_organizer": (200, None), "treasurer": (200, None),
    "moderator": (403, "not_campaign_owner"), "admin": (403, "not_campaign_owner"),
    "banned": (403, "account_banned"),
}  # fmt: skip


def test_only_the_team_gets_an_upload_signed_for_a_receipt(cast, service):
    for actor, (status, token) in SIGNERS.items():
        response = sign(service, cast, actor)
        assert response.status_code == status, (actor, response.get_json())
        if token:
            assert response.get_json()["message"] == token, actor
            assert "signature" not in response.get_json(), actor


def test_the_payouts_listing_says_an_overdue_justification_is_what_a_payout_waits_on(
    cast, payout, db, operator_cli, monkeypatch
):
    waiting = cast.api("owner").rpc(
        "request_payout", {"campaign_id": cast.campaign_id, "amount": 10_000, **WALLET}
    )
    overdue_by(db, payout, 31)
    monkeypatch.setenv("COLUMNS", "1000")  # one line per row: whole cells

    result = operator_cli("payouts", "list")

    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.stdout.splitlines() if str(waiting["id"])[:8] in line]
    assert "staff: justifications clear" in row


def test_the_team_is_told_once_when_a_justification_becomes_overdue(cast, payout, db):
    assert db.one("select private.tell_overdue_justifications() as n")["n"] == 0
    overdue_by(db, payout, 31)

    assert db.one("select private.tell_overdue_justifications() as n")["n"] == 1
    assert db.one("select private.tell_overdue_justifications() as n")["n"] == 0

    notes = db.sql(
        "select user_id, payload from public.notifications where kind = 'justification_overdue'"
    )
    team = {cast.users[a].id for a in ("owner", "co_organizer", "treasurer", "second_treasurer")}
    assert {n["user_id"] for n in notes} == team
    assert notes[0]["payload"]["payout_id"] == str(payout["id"])
    assert (notes[0]["payload"]["amount"], notes[0]["payload"]["justified"]) == (50_000, 0)
    (mail,) = db.sql(
        "select subject, body from private.email_messages where template = 'justification_overdue'"
        " and to_address = %s",
        [cast.users["owner"].email],
    )
    assert "Justifiez le versement" in mail["subject"]
    assert "50\u00a0000\u00a0FCFA" in mail["body"]
