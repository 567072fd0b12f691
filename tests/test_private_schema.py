"""Private stays private: no API role (anon, authenticated) holds any privilege on a
relation of schema `private`, nor executes a private function that answers about
someone else; the search reads the private index through definer functions that
return published campaigns only, and its typo correction never uses a draft's words."""

from __future__ import annotations

import pytest

from tests.postgrest import ApiError
from tests.support.identity import (
    private_functions_taking_a_uuid,
    private_relation_privileges,
)

# Private functions an API role may execute although they take a uuid, each with
# why it tells nothing about another user. Anything else that takes a uuid (a
# user's above all) is for the service role and definer functions only.
UUID_ALLOWED = {
    # a campaign's id; answers about the caller (auth.uid()) only
    "private.is_campaign_team(uuid)",
    # a campaign's id; raises when the caller is on its team, about the caller only
    "private.assert_independent_staff(uuid,uuid[])",
    # pure (immutable, reads no table): decides from the row and the viewer's own
    # facts that the policy on campaigns passes in
    "private.sees_campaign(boolean,uuid,uuid,uuid,boolean,uuid[])",
}


def test_no_api_role_holds_any_privilege_on_a_private_table_view_or_sequence(db):
    assert private_relation_privileges(db.conn) == []


def test_no_api_role_executes_a_private_function_about_another_user(db):
    assert private_functions_taking_a_uuid(db.conn) <= UUID_ALLOWED


@pytest.mark.parametrize(
    "statement",
    [
        "select private.is_admin(%s)",
        "select private.is_staff(%s)",
        "select private.is_banned(%s)",
        "select private.has_role('moderator', %s)",
        "select private.team_campaign_ids(%s)",
    ],
)
def test_a_signed_in_user_cannot_ask_about_someone_else(as_user, user, admin, statement):
    with pytest.raises(ApiError) as err:
        as_user(user).request("POST", "/attack", statement, [admin.id])
    assert err.value.code == "42501"


def test_the_callers_own_facts_still_answer(as_user, admin, user):
    assert as_user(admin).request("POST", "/q", "select private.is_admin() as a")[0]["a"] is True
    assert as_user(user).request("POST", "/q", "select private.is_admin() as a")[0]["a"] is False


def test_the_service_role_still_asks_about_any_user(service_role, admin):
    rows = service_role.request("POST", "/q", "select private.is_admin(%s) as a", [admin.id])
    assert rows[0]["a"] is True


def test_typo_correction_never_suggests_a_word_of_a_draft_or_rejected_title(
    db, anon, owner, make_campaign
):
    make_campaign(owner, "draft", title="Xylophones pour la chorale de Kindia")
    make_campaign(owner, "rejected", title="Zanzibarites pour Kolda")
    # published: the words only in its story, which typo correction does not learn
    make_campaign(
        owner,
        "active",
        title="Une chorale pour Kindia",
        story="Nous achèterons des xylophones et des zanzibarites " * 3,
    )
    words = db.sql(
        "select word from private.search_words where word in ('xylophones', 'zanzibarites')"
    )
    assert words == []
    for typo in ("xylophnes", "zanzbarites"):
        assert anon.rpc("search_campaigns", {"q": typo}, get=True) == []
    # exact words still find the published story; its title's words correct typos
    assert len(anon.rpc("search_campaigns", {"q": "xylophones"}, get=True)) == 1
    assert len(anon.rpc("search_campaigns", {"q": "chorle"}, get=True)) == 1


def test_search_reads_the_private_index_for_published_campaigns_only(
    db, anon, owner, make_campaign
):
    make_campaign(owner, "draft", title="Projet secret pour Koudougou")
    published = make_campaign(owner, "active", title="Projet ouvert pour Koudougou")
    found = anon.rpc("search_campaigns", {"q": "Koudougou"}, get=True)
    assert [c["id"] for c in found] == [published["id"]]
    hits = db.sql(
        "select campaign_id from private.search_hits("
        "private.bilingual_tsquery('koudougou'), null, null, null)"
    )
    assert [h["campaign_id"] for h in hits] == [published["id"]]
