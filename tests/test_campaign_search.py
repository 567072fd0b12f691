"""Discovery: search quality (accents, typos, French and English), sorts,
filters, validation, hostile input; featured campaigns."""

from __future__ import annotations

import pytest

from tests.postgrest import ApiError


@pytest.fixture
def publish(db, owner):
    """An active campaign inserted directly (the search is under test, not the review)."""

    def make(title: str, **fields):
        row = {
            "summary": None,
            "story": None,
            "tags": [],
            "category": "sante",
            "country": "SN",
            "goal_amount": 1_000_000,
            "currency": "XOF",
            "collected_amount": 0,
            "donor_count": 0,
            "status": "active",
            "published_days_ago": 1,
            "ends_in_days": 20,
            **fields,
        }
        return db.one(
            """
            insert into public.campaigns (
                owner_id, title, summary, story, tags, category, country, goal_amount, currency,
                collected_amount, donor_count, status, published_at, starts_at, ends_at
            ) values (
                %(owner)s, %(title)s, %(summary)s, %(story)s, %(tags)s, %(category)s, %(country)s,
                %(goal_amount)s, %(currency)s, %(collected_amount)s, %(donor_count)s, %(status)s,
                now() - make_interval(days => %(published_days_ago)s),
                now() - make_interval(days => %(published_days_ago)s),
                now() + make_interval(days => %(ends_in_days)s)
            ) returning *
            """,
            {**row, "title": title, "owner": owner.id},
        )

    return make


def ids(rows):
    return [r["id"] for r in rows]


def search(client, **args):
    return ids(client.rpc("search_campaigns", args, get=True))


# Quality ---------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["ecole", "École", "ÉCOLE", "écoles", "kaolack"])
def test_search_is_accent_and_case_insensitive(anon, publish, q):
    target = publish("Construire une école à Kaolack")
    publish("Soins pour Moussa")
    assert search(anon, q=q) == [target["id"]]


def test_accented_query_finds_unaccented_text(anon, publish):
    target = publish("Cantine scolaire de l'ecole de Thies")
    assert search(anon, q="école Thiès") == [target["id"]]


@pytest.mark.parametrize(
    "q", ["medicamants", "médicamments", "Bamaco", "dialise", "medicament bamaco"]
)
def test_search_tolerates_typos(anon, publish, q):
    target = publish("Médicaments et dialyse pour Fanta à Bamako")
    publish("Un puits pour le village de Ndiaganiao")
    assert target["id"] in search(anon, q=q)


def test_typo_correction_learns_no_word_of_a_draft(db, anon, owner, make_campaign):
    make_campaign(owner, title="Xylophones pour la chorale de Kindia")
    learnt = db.sql("select word from private.search_words where word = 'xylophones'")
    assert learnt == []
    assert search(anon, q="xylophnes") == []


def test_french_stemming_matches_word_forms(anon, publish):
    target = publish("Aidez Awa", summary="Deux opérations chirurgicales sont nécessaires.")
    assert search(anon, q="opération chirurgicale") == [target["id"]]


def test_english_stemming_matches_word_forms(anon, publish):
    target = publish(
        "Help Kofi go back to school", story="He missed two years of schooling after the floods."
    )
    assert search(anon, q="schools") == [target["id"]]
    assert search(anon, q="flooded") == [target["id"]]


def test_title_outranks_summary_outranks_tags_outranks_story(anon, publish):
    in_story = publish(
        "Soutien à la famille Diallo", story="Nous voulons creuser un puits au village."
    )
    in_tags = publish("Projet pour Kédougou", tags=["puits"])
    in_summary = publish("Eau potable pour Fatick", summary="Un puits pour 300 familles.")
    in_title = publish("Un puits pour Ngouye")
    assert search(anon, q="puits") == [
        in_title["id"],
        in_summary["id"],
        in_tags["id"],
        in_story["id"],
    ]


def test_websearch_syntax_is_supported(anon, publish):
    school = publish("École de Ziguinchor")
    publish("École de Louga")
    assert search(anon, q="école -louga") == [school["id"]]


@pytest.mark.parametrize(
    "q",
    [
        "'; drop table public.campaigns; --",
        "a' or '1'='1",
        "%",
        "_",
        "\\",
        "((((",
        "!!! & | :* <-> <2>",
        '"unterminated',
        "<script>alert(1)</script>",
        "😀🇸🇳",
        "   ",
        "x" * 200,
    ],
)
def test_any_string_is_safe_to_search(db, anon, publish, q):
    publish("Construire une école à Kaolack")
    assert isinstance(anon.rpc("search_campaigns", {"q": q}, get=True), list)
    assert db.one("select count(*) as n from public.campaigns")["n"] == 1


def test_too_long_or_unrepresentable_queries_are_400(anon):
    for q in ("x" * 201, "nul\x00byte"):
        with pytest.raises(ApiError) as err:
            anon.rpc("search_campaigns", {"q": q}, get=True)
        assert err.value.status == 400


# Sorts and filters ---------------------------------------------------------------------


def test_sorts(db, anon, publish):
    old = publish(
        "Campagne ancienne", published_days_ago=9, collected_amount=900_000, donor_count=5
    )
    new = publish(
        "Campagne récente", published_days_ago=1, collected_amount=100_000, donor_count=40
    )
    mid = publish(
        "Campagne du milieu",
        published_days_ago=4,
        collected_amount=500_000,
        donor_count=12,
        ends_in_days=2,
    )
    db.sql(
        "insert into private.campaign_daily_totals (campaign_id, day, donation_count, amount)"
        " values (%s, current_date, 30, 1000), (%s, current_date - 1, 3, 1000),"
        " (%s, current_date - 20, 99, 1)",
        [mid["id"], new["id"], old["id"]],
    )
    assert search(anon, sort="newest") == [new["id"], mid["id"], old["id"]]
    assert search(anon) == [new["id"], mid["id"], old["id"]]  # relevance without q
    assert search(anon, sort="most_funded") == [old["id"], mid["id"], new["id"]]
    assert search(anon, sort="most_donors") == [new["id"], mid["id"], old["id"]]
    assert search(anon, sort="ending_soon")[0] == mid["id"]
    assert search(anon, sort="trending") == [mid["id"], new["id"], old["id"]]


def test_most_funded_compares_progress_across_currencies(anon, publish):
    eur = publish("Campagne en euros", currency="EUR", goal_amount=100_000, collected_amount=90_000)
    xof = publish("Campagne en francs", goal_amount=10_000_000, collected_amount=5_000_000)
    assert search(anon, sort="most_funded") == [eur["id"], xof["id"]]


def test_filters_by_category_country_and_status(anon, publish):
    sn_health = publish("Santé au Sénégal")
    ml_school = publish("École au Mali", category="education", country="ML")
    done = publish("Campagne terminée", status="expired", published_days_ago=30, ends_in_days=-1)
    assert search(anon, category="education") == [ml_school["id"]]
    assert search(anon, country="SN") == [sn_health["id"]]
    assert search(anon, status="expired") == [done["id"]]
    assert done["id"] not in search(anon)


def test_pagination(anon, publish):
    made = [publish(f"Campagne numéro {i}", published_days_ago=i + 1) for i in range(5)]
    assert search(anon, sort="newest", page_size=2, page_offset=2) == [made[2]["id"], made[3]["id"]]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"sort": "random"}, "invalid_sort"),
        ({"sort": None}, "invalid_sort"),
        ({"page_size": 0}, "invalid_page_size"),
        ({"page_size": 51}, "invalid_page_size"),
        ({"page_offset": -1}, "invalid_page_offset"),
        ({"page_offset": 1001}, "invalid_page_offset"),
        ({"status": "draft"}, "invalid_status"),
        ({"status": "pending_review"}, "invalid_status"),
        ({"status": "bogus"}, "22P02"),
        ({"country": "sn"}, "invalid_country"),
        ({"country": "SEN"}, "invalid_country"),
    ],
)
def test_invalid_search_arguments_are_400(anon, args, error):
    with pytest.raises(ApiError) as err:
        anon.rpc("search_campaigns", args, get=True)
    assert err.value.status == 400
    assert error in (err.value.code, err.value.message)


# Featured ---------------------------------------------------------------------------------


def test_featured_campaigns_lists_featured_open_campaigns(db, anon, publish):
    featured = publish("Campagne à la une", featured=None)
    publish("Campagne ordinaire")
    db.sql("update public.campaigns set featured = true where id = %s", [featured["id"]])
    assert ids(anon.rpc("featured_campaigns", get=True)) == [featured["id"]]


def test_expiry_removes_a_campaign_from_featured(db, anon, publish):
    c = publish("Campagne à la une")
    db.sql("update public.campaigns set featured = true where id = %s", [c["id"]])
    db.sql(
        "update public.campaigns set starts_at = now() - interval '2 days',"
        " ends_at = now() - interval '1 minute' where id = %s",
        [c["id"]],
    )
    db.sql("select private.expire_campaigns()")
    assert anon.rpc("featured_campaigns", get=True) == []
