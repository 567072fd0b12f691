"""Engagement: campaign updates, comments and reports, for every actor."""

from __future__ import annotations

import pytest

from tests.postgrest import ApiError
from tests.support.parallel import at_once, refusals


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def co_organizer(db, make_user, campaign):
    u = make_user(user_metadata={"full_name": "Co Organisatrice"})
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [campaign["id"], u.id],
    )
    return u


UPDATE = {"title": "L'opération a eu lieu", "body": "Merci à tous : Aminata se repose à l'hôpital."}


def post_update(client, campaign, **fields):
    return client.insert("campaign_updates", {"campaign_id": campaign["id"], **UPDATE, **fields})


def comment(client, campaign, body="Courage à la famille !"):
    return client.insert("comments", {"campaign_id": campaign["id"], "body": body})[0]


def age_attempts(db, by):
    """Moves every counted attempt back in time, as if `by` had passed."""
    db.sql("update private.rate_limit_hits set at = at - %s::interval", [by])


# Updates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("poster", ["owner", "co_organizer"])
def test_the_team_posts_updates_everyone_reads(request, anon, as_user, campaign, poster):
    who = request.getfixturevalue(poster)
    (row,) = post_update(as_user(who), campaign)
    assert row["author_id"] == who.id
    assert [u["title"] for u in anon.get("campaign_updates", {"campaign_id": campaign["id"]})] == [
        UPDATE["title"]
    ]


@pytest.mark.parametrize("actor", ["other_user", "moderator", "admin"])
def test_people_outside_the_team_cannot_post_updates(request, db, as_user, campaign, actor):
    with pytest.raises(ApiError) as err:
        post_update(as_user(request.getfixturevalue(actor)), campaign)
    assert (err.value.status, err.value.code) == (403, "42501")
    assert db.sql("select 1 from public.campaign_updates") == []


def test_anon_cannot_post_updates(anon, campaign):
    with pytest.raises(ApiError) as err:
        post_update(anon, campaign)
    assert err.value.status == 401


def test_a_banned_owner_cannot_post_updates(gotrue, as_user, owner, campaign):
    gotrue.ban(owner)
    with pytest.raises(ApiError) as err:
        post_update(as_user(owner), campaign)
    assert err.value.message == "account_banned"


def test_the_author_cannot_be_forged(as_user, owner, other_user, campaign):
    with pytest.raises(ApiError) as err:
        post_update(as_user(owner), campaign, author_id=str(other_user.id))
    assert err.value.code == "42501"


@pytest.mark.parametrize("status", ["cancelled", "frozen"])
def test_closed_or_frozen_campaigns_take_no_updates(db, as_user, owner, campaign, status):
    db.sql("select private.set_campaign_status(%s, %s)", [campaign["id"], status])
    with pytest.raises(ApiError) as err:
        post_update(as_user(owner), campaign)
    assert (err.value.status, err.value.message) == (409, "campaign_closed")
    assert db.sql("select 1 from public.campaign_updates") == []


@pytest.mark.parametrize("status", ["cancelled", "frozen"])
def test_closed_or_frozen_campaigns_take_no_comments(db, as_user, owner, user, campaign, status):
    comment(as_user(user), campaign)  # before
    db.sql("select private.set_campaign_status(%s, %s)", [campaign["id"], status])
    with pytest.raises(ApiError) as err:
        comment(as_user(user), campaign)
    assert (err.value.status, err.value.code) == (403, "42501")  # no longer seen by strangers
    with pytest.raises(ApiError) as err:
        comment(as_user(owner), campaign)
    assert (err.value.status, err.value.message) == (409, "campaign_closed")
    assert db.one("select count(*) as n from public.comments")["n"] == 1


@pytest.mark.parametrize(
    "title", ["Ligne\nBcc: tous", "Retour\r", "Séparateur\u2028x", "NEL\x85x", "Tab\tx"]
)
def test_update_titles_are_one_line(db, as_user, owner, campaign, title):
    with pytest.raises(ApiError) as err:
        post_update(as_user(owner), campaign, title=title)
    assert (err.value.status, err.value.code) == (400, "23514")
    (row,) = post_update(as_user(owner), campaign)
    with pytest.raises(ApiError) as err:
        as_user(owner).update("campaign_updates", {"title": title}, {"id": row["id"]})
    assert err.value.code == "23514"


def test_a_campaign_posts_at_most_five_updates_a_day(db, as_user, owner, co_organizer, campaign):
    for i in range(5):
        post_update(as_user((owner, co_organizer)[i % 2]), campaign, title=f"Nouvelles {i}")
    for who in (owner, co_organizer):
        with pytest.raises(ApiError) as err:
            post_update(as_user(who), campaign, title="Une de trop")
        assert (err.value.status, err.value.message) == (429, "update_rate_limited")
    as_user(owner).delete("campaign_updates", {"campaign_id": str(campaign["id"])})
    with pytest.raises(ApiError) as err:  # deleting gives nothing back
        post_update(as_user(owner), campaign, title="Encore")
    assert err.value.message == "update_rate_limited"
    age_attempts(db, "25 hours")
    post_update(as_user(owner), campaign, title="Le lendemain")


def test_an_author_posts_at_most_ten_updates_a_day_across_campaigns(
    db, as_user, owner, make_campaign
):
    campaigns = [make_campaign(owner, "active") for _ in range(3)]
    for i in range(10):
        post_update(as_user(owner), campaigns[i % 3], title=f"Nouvelles {i}")
    with pytest.raises(ApiError) as err:
        post_update(as_user(owner), campaigns[2], title="Une de trop")
    assert err.value.message == "update_rate_limited"
    assert db.one("select count(*) as n from public.campaign_updates")["n"] == 10


def test_updates_posted_in_parallel_keep_to_the_limit(db, as_user, owner, campaign):
    clients = [as_user(owner) for _ in range(10)]
    results = at_once(
        [
            lambda c=c, i=i: post_update(c, campaign, title=f"Rafale {i}")
            for i, c in enumerate(clients)
        ]
    )
    assert refusals(results) == [(429, "update_rate_limited")] * 5
    assert db.one("select count(*) as n from public.campaign_updates")["n"] == 5


def test_updates_of_unpublished_campaigns_stay_private(anon, as_user, owner, make_campaign):
    draft = make_campaign(owner)
    post_update(as_user(owner), draft)
    assert anon.get("campaign_updates", {"campaign_id": draft["id"]}) == []
    assert len(as_user(owner).get("campaign_updates", {"campaign_id": draft["id"]})) == 1


def test_authors_edit_and_strangers_do_not(as_user, owner, other_user, admin, campaign):
    (row,) = post_update(as_user(owner), campaign)
    assert (
        as_user(other_user).update("campaign_updates", {"body": "piraté"}, {"id": row["id"]}) == []
    )
    assert (
        as_user(owner).update("campaign_updates", {"body": "Corrigé."}, {"id": row["id"]})[0][
            "body"
        ]
        == "Corrigé."
    )
    assert len(as_user(admin).delete("campaign_updates", {"id": row["id"]})) == 1


# Comments ------------------------------------------------------------------------------------


def test_signed_in_users_comment_and_everyone_reads(anon, as_user, user, campaign):
    row = comment(as_user(user), campaign)
    assert row["author_id"] == user.id
    assert [c["body"] for c in anon.get("comments", {"campaign_id": campaign["id"]})] == [
        "Courage à la famille !"
    ]


def test_anon_and_banned_users_cannot_comment(anon, as_user, banned_user, campaign):
    with pytest.raises(ApiError) as err:
        comment(anon, campaign)
    assert err.value.status == 401
    with pytest.raises(ApiError) as err:
        comment(as_user(banned_user), campaign)
    assert err.value.message == "account_banned"


@pytest.mark.parametrize("status", ["draft", "pending_review", "cancelled"])
def test_unpublished_campaigns_take_no_comments(as_user, owner, user, make_campaign, status):
    c = make_campaign(owner, status)
    with pytest.raises(ApiError) as err:
        comment(as_user(user), c)
    assert (err.value.status, err.value.code) == (403, "42501")


def test_comments_are_rate_limited(db, as_user, user, campaign):
    client = as_user(user)
    for i in range(5):
        comment(client, campaign, f"Message {i}")
    with pytest.raises(ApiError) as err:
        comment(client, campaign, "Un de trop")
    assert (err.value.status, err.value.message) == (429, "comment_rate_limited")
    age_attempts(db, "2 minutes")
    comment(client, campaign, "Plus tard")


def test_the_comment_limit_counts_across_campaigns(as_user, user, owner, make_campaign):
    client = as_user(user)
    first, second = make_campaign(owner, "active"), make_campaign(owner, "active")
    for i in range(5):
        comment(client, (first, second)[i % 2], f"Message {i}")
    with pytest.raises(ApiError) as err:
        comment(client, second, "Ailleurs")
    assert err.value.message == "comment_rate_limited"


def test_deleting_ones_comments_does_not_give_the_limit_back(db, as_user, user, campaign):
    client = as_user(user)
    for i in range(5):
        comment(client, campaign, f"Message {i}")
    client.delete("comments", {"author_id": str(user.id)})
    with pytest.raises(ApiError) as err:
        comment(client, campaign, "Encore")
    assert err.value.message == "comment_rate_limited"
    assert db.sql("select 1 from public.comments") == []


def test_comments_sent_in_parallel_keep_to_the_limit(db, as_user, user, campaign):
    clients = [as_user(user) for _ in range(12)]
    results = at_once(
        [lambda c=c, i=i: comment(c, campaign, f"Rafale {i}") for i, c in enumerate(clients)]
    )
    assert refusals(results) == [(429, "comment_rate_limited")] * 7
    assert db.one("select count(*) as n from public.comments")["n"] == 5


def test_a_refused_comment_is_not_counted(db, as_user, user, campaign):
    client = as_user(user)
    for body in ["", "x" * 2001]:
        with pytest.raises(ApiError):
            comment(client, campaign, body)
    for i in range(5):
        comment(client, campaign, f"Message {i}")


@pytest.mark.parametrize("body", ["", "   ", "x" * 2001])
def test_empty_or_oversized_comments_are_400(as_user, user, campaign, body):
    with pytest.raises(ApiError) as err:
        comment(as_user(user), campaign, body)
    assert (err.value.status, err.value.code) == (400, "23514")


def test_only_the_author_edits_a_comment(db, as_user, user, other_user, owner, campaign):
    row = comment(as_user(user), campaign)
    assert as_user(other_user).update("comments", {"body": "piraté"}, {"id": row["id"]}) == []
    with pytest.raises(ApiError) as err:
        as_user(owner).update("comments", {"body": "censuré"}, {"id": row["id"]})
    assert err.value.message == "not_comment_author"
    assert (
        as_user(user).update("comments", {"body": "Courage !"}, {"id": row["id"]})[0]["body"]
        == "Courage !"
    )


@pytest.mark.parametrize("hider", ["owner", "moderator"])
def test_the_owner_and_staff_hide_comments_from_everyone_but_author_owner_and_staff(
    request, anon, as_user, user, other_user, owner, moderator, campaign, hider
):
    row = comment(as_user(user), campaign)
    (hidden,) = as_user(request.getfixturevalue(hider)).update(
        "comments", {"hidden": True}, {"id": row["id"]}
    )
    assert hidden["hidden_reason"] == ("owner" if hider == "owner" else "staff")
    assert anon.get("comments", {"id": row["id"]}) == []
    assert as_user(other_user).get("comments", {"id": row["id"]}) == []
    for viewer in (user, owner, moderator):
        assert len(as_user(viewer).get("comments", {"id": row["id"]})) == 1


def test_authors_cannot_hide_and_strangers_cannot_touch_comments(
    as_user, user, other_user, campaign
):
    row = comment(as_user(user), campaign)
    with pytest.raises(ApiError) as err:
        as_user(user).update("comments", {"hidden": True}, {"id": row["id"]})
    assert err.value.message == "not_campaign_moderator"
    assert as_user(other_user).update("comments", {"hidden": True}, {"id": row["id"]}) == []


def hide(client, row, hidden=True):
    return client.update("comments", {"hidden": hidden}, {"id": row["id"]})


def test_the_owner_shows_again_what_the_owner_hid(as_user, user, owner, campaign):
    row = comment(as_user(user), campaign)
    hide(as_user(owner), row)
    (shown,) = hide(as_user(owner), row, False)
    assert (shown["hidden"], shown["hidden_reason"]) == (False, None)


@pytest.mark.parametrize("hider", ["moderator", "admin"])
def test_the_owner_cannot_show_again_what_staff_hid(
    db, request, as_user, user, owner, campaign, hider
):
    row = comment(as_user(user), campaign)
    hide(as_user(request.getfixturevalue(hider)), row)
    with pytest.raises(ApiError) as err:
        hide(as_user(owner), row, False)
    assert (err.value.status, err.value.message) == (403, "hidden_by_moderation")
    assert db.one("select hidden, hidden_reason from public.comments")["hidden_reason"] == "staff"
    (shown,) = hide(as_user(request.getfixturevalue(hider)), row, False)  # staff decide
    assert shown["hidden"] is False


def test_a_moderator_who_confirms_an_owners_hide_makes_it_final(
    db, as_user, user, owner, moderator, campaign
):
    row = comment(as_user(user), campaign)
    hide(as_user(owner), row)
    (confirmed,) = hide(as_user(moderator), row)
    assert confirmed["hidden_reason"] == "staff"
    with pytest.raises(ApiError) as err:
        hide(as_user(owner), row, False)
    assert err.value.message == "hidden_by_moderation"


def test_reports_take_over_a_comment_the_owner_hid(db, make_user, as_user, user, owner, campaign):
    row = comment(as_user(user), campaign)
    for reporter in [make_user() for _ in range(2)]:
        report(as_user(reporter), comment_id=row["id"])
    hide(as_user(owner), row)
    report(as_user(owner), comment_id=row["id"])  # the third report: moderators decide now
    assert db.one("select hidden_reason from public.comments")["hidden_reason"] == "reports"
    with pytest.raises(ApiError) as err:
        hide(as_user(owner), row, False)
    assert err.value.message == "hidden_by_moderation"


@pytest.fixture
def staff_owner(make_user, grant_role, make_campaign):
    """A moderator and an admin who each own an active campaign (four eyes)."""

    def make(role):
        person = grant_role(make_user(user_metadata={"full_name": "Équipe"}), role)
        return person, make_campaign(person, "active")

    return make


def test_a_moderator_on_the_team_hides_only_as_the_owner(db, make_user, as_user, user, staff_owner):
    mod, campaign = staff_owner("moderator")
    first, second = comment(as_user(user), campaign, "un"), comment(as_user(user), campaign, "deux")
    (hidden,) = hide(as_user(mod), first)
    assert hidden["hidden_reason"] == "owner"  # not final
    for reporter in [make_user() for _ in range(3)]:
        report(as_user(reporter), comment_id=second["id"])
    with pytest.raises(ApiError) as err:
        hide(as_user(mod), second, False)
    assert err.value.message == "hidden_by_moderation"


def test_staff_do_not_resolve_reports_on_their_own_campaign(
    db, as_user, user, moderator, staff_owner
):
    mod, campaign = staff_owner("moderator")
    on_campaign = report(as_user(user), campaign_id=campaign["id"])
    on_comment = report(as_user(user), comment_id=comment(as_user(user), campaign)["id"])
    for r in (on_campaign, on_comment):
        with pytest.raises(ApiError) as err:
            as_user(mod).rpc("resolve_report", {"report_id": r["id"], "status": "dismissed"})
        assert (err.value.status, err.value.message) == (403, "cannot_review_own_campaign")
    assert {r["status"] for r in db.sql("select status::text from public.reports")} == {"open"}
    as_user(moderator).rpc(
        "resolve_report", {"report_id": on_campaign["id"], "status": "dismissed"}
    )


def test_an_admin_does_not_delete_comments_on_their_own_campaign(
    db, as_user, user, admin, staff_owner
):
    boss, campaign = staff_owner("admin")
    row = comment(as_user(user), campaign)
    assert as_user(boss).delete("comments", {"id": row["id"]}) == []
    assert len(as_user(admin).delete("comments", {"id": row["id"]})) == 1


def test_authors_and_admins_delete_comments_owners_do_not(
    db, as_user, user, owner, admin, campaign
):
    first, second = comment(as_user(user), campaign, "un"), comment(as_user(user), campaign, "deux")
    assert as_user(owner).delete("comments", {"id": first["id"]}) == []
    assert len(as_user(user).delete("comments", {"id": first["id"]})) == 1
    assert len(as_user(admin).delete("comments", {"id": second["id"]})) == 1


# Reports -------------------------------------------------------------------------------------


def report(client, **target):
    return client.insert("reports", {**target, "reason": "fraud", "details": "Photos volées."})[0]


def test_reports_are_read_by_their_reporter_and_staff(
    as_user, user, other_user, moderator, campaign
):
    row = report(as_user(user), campaign_id=campaign["id"])
    assert [r["id"] for r in as_user(user).get("reports")] == [row["id"]]
    assert as_user(other_user).get("reports") == []
    assert [r["id"] for r in as_user(moderator).get("reports")] == [row["id"]]


def test_one_open_report_per_reporter_and_target(as_user, user, moderator, campaign):
    row = report(as_user(user), campaign_id=campaign["id"])
    with pytest.raises(ApiError) as err:
        report(as_user(user), campaign_id=campaign["id"])
    assert (err.value.status, err.value.code) == (409, "23505")
    as_user(moderator).rpc("resolve_report", {"report_id": row["id"], "status": "dismissed"})
    report(as_user(user), campaign_id=campaign["id"])


def test_a_report_names_exactly_one_target(as_user, user, campaign):
    row = comment(as_user(user), campaign)
    with pytest.raises(ApiError) as err:
        report(as_user(user), campaign_id=campaign["id"], comment_id=row["id"])
    assert (err.value.status, err.value.code) == (400, "23514")


def test_unpublished_campaigns_cannot_be_reported_by_strangers(as_user, owner, user, make_campaign):
    draft = make_campaign(owner)
    with pytest.raises(ApiError) as err:
        report(as_user(user), campaign_id=draft["id"])
    assert err.value.code == "42501"


def test_three_distinct_reports_hide_a_comment(db, make_user, as_user, user, campaign):
    row = comment(as_user(user), campaign)
    reporters = [make_user() for _ in range(3)]
    for i, reporter in enumerate(reporters):
        report(as_user(reporter), comment_id=row["id"])
        hidden = db.one(
            "select hidden, hidden_reason from public.comments where id = %s", [row["id"]]
        )
        assert hidden["hidden"] is (i == 2)
    assert hidden["hidden_reason"] == "reports"


def test_three_reports_sent_in_parallel_still_hide_the_comment(
    db, make_user, as_user, user, campaign
):
    row = comment(as_user(user), campaign)
    # widen the race: each report's transaction lingers after its count, before commit
    db.sql(
        "create function private.linger() returns trigger language plpgsql as"
        " $$ begin perform pg_sleep(0.3); return null; end $$;"
        " create trigger zz_linger after insert on public.reports"
        " for each row execute function private.linger()"
    )
    clients = [as_user(make_user()) for _ in range(4)]
    results = at_once([lambda c=c: report(c, comment_id=row["id"]) for c in clients])
    assert refusals(results) == []
    hidden = db.one("select hidden, hidden_reason from public.comments where id = %s", [row["id"]])
    assert hidden == {"hidden": True, "hidden_reason": "reports"}


def test_only_staff_resolve_reports(as_user, user, owner, moderator, campaign):
    row = report(as_user(user), campaign_id=campaign["id"])
    for outsider in (user, owner):
        with pytest.raises(ApiError) as err:
            as_user(outsider).rpc("resolve_report", {"report_id": row["id"], "status": "resolved"})
        assert (err.value.status, err.value.message) == (403, "staff_only")
    done = as_user(moderator).rpc(
        "resolve_report", {"report_id": row["id"], "status": "resolved", "note": "Retirée"}
    )
    assert (done["status"], done["resolved_by"], done["resolution_note"]) == (
        "resolved",
        moderator.id,
        "Retirée",
    )
    with pytest.raises(ApiError) as err:
        as_user(moderator).rpc("resolve_report", {"report_id": row["id"], "status": "dismissed"})
    assert err.value.message == "report_not_found"


def test_nobody_edits_reports_through_the_table(as_user, user, admin, campaign):
    row = report(as_user(user), campaign_id=campaign["id"])
    for client in (as_user(user), as_user(admin)):
        with pytest.raises(ApiError) as err:
            client.update("reports", {"status": "resolved"}, {"id": row["id"]})
        assert err.value.code == "42501"


# Update media -----------------------------------------------------------------------------


@pytest.fixture
def photo(db, campaign):
    return db.one(
        "insert into public.campaign_media (campaign_id, public_id, resource_type, width, height,"
        " bytes) values (%s, %s, 'image', 1200, 800, 250000) returning *",
        [campaign["id"], f"africagnotte/campaigns/{campaign['id']}/apres-operation"],
    )


def test_an_update_shows_one_of_the_campaigns_media(anon, as_user, owner, campaign, photo):
    (row,) = post_update(as_user(owner), campaign, media=photo["public_id"])
    (shown,) = anon.request(
        "GET",
        "/campaign_updates",
        "select to_jsonb(public.media_urls(u)) as urls from public.campaign_updates u where id = %s",
        [row["id"]],
    )
    assert shown["urls"]["medium"].endswith(
        "/image/upload/f_auto,q_auto,c_limit,w_640/" + photo["public_id"]
    )


def test_an_update_cannot_borrow_another_campaigns_media(
    as_user, owner, make_campaign, campaign, photo
):
    mine = make_campaign(owner, "active", title="Une autre cagnotte d'Aminata")
    with pytest.raises(ApiError) as err:
        post_update(as_user(owner), mine, media=photo["public_id"])
    assert (err.value.status, err.value.code) == (409, "23503")


def test_removing_the_media_leaves_the_update_without_it(db, as_user, owner, campaign, photo):
    (row,) = post_update(as_user(owner), campaign, media=photo["public_id"])
    as_user(owner).delete("campaign_media", {"id": photo["id"]})
    assert db.one("select media from public.campaign_updates where id = %s", [row["id"]]) == {
        "media": None
    }
    assert db.one("select count(*) as n from public.campaign_updates")["n"] == 1


# Co-organizers ------------------------------------------------------------------------------


def test_co_organizers_see_the_dashboard_and_strangers_do_not(
    as_user, campaign, co_organizer, user
):
    board = as_user(co_organizer).rpc("campaign_dashboard", {"campaign_id": campaign["id"]})
    assert board["campaign_id"] == campaign["id"]
    with pytest.raises(ApiError) as err:
        as_user(user).rpc("campaign_dashboard", {"campaign_id": campaign["id"]})
    assert err.value.message == "not_campaign_owner"


def test_co_organizers_read_their_draft_campaign_and_strangers_do_not(
    db, as_user, owner, make_campaign, make_user, user
):
    draft = make_campaign(owner, "draft")
    helper = make_user()
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [draft["id"], helper.id],
    )
    assert [c["id"] for c in as_user(helper).get("campaigns", {"id": draft["id"]})] == [draft["id"]]
    assert as_user(user).get("campaigns", {"id": draft["id"]}) == []
    (row,) = post_update(as_user(helper), draft)
    assert row["campaign_id"] == draft["id"]
