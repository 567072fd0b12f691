"""Exchange rates (issue #20): the fixed parities, the rates admins set from the
console with their date, and the one conversion rule."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.postgrest import ApiError
from tests.support.cast import ACTORS, make_cast


@pytest.fixture
def cast(db, gotrue, anon, as_user, make_user, grant_role, make_campaign, give):
    return make_cast(
        db=db, gotrue=gotrue, anon=anon, as_user=as_user, make_user=make_user,
        grant_role=grant_role, make_campaign=make_campaign, give=give,
    )  # fmt: skip


def convert(db, amount, source, target):
    return db.one("select private.convert(%s, %s, %s) as v", [amount, source, target])["v"]


def test_the_cfa_francs_are_at_the_fixed_parity_with_the_euro(db):
    assert convert(db, 100, "EUR", "XOF") == 656  # 1 EUR = 655.957 XOF, rounded half up
    assert convert(db, 100_00, "EUR", "XAF") == 65_596
    assert convert(db, 655_957, "XOF", "EUR") == 1000_00
    assert convert(db, 5000, "XOF", "XAF") == 5000
    assert convert(db, 5000, "XOF", "XOF") == 5000


def test_a_pair_without_a_rate_is_refused_never_guessed(db):
    with pytest.raises(Exception, match="exchange_rate_missing"):
        convert(db, 100, "USD", "XOF")
    with pytest.raises(Exception, match="unknown_currency"):
        convert(db, 100, "ZZZ", "XOF")


@pytest.mark.parametrize("actor", ACTORS)
def test_only_admins_set_rates_and_everyone_reads_them(cast, db, actor):
    api = cast.api(actor)
    args = {"base_currency": "USD", "quote_currency": "XOF", "rate": 600.25, "as_of": "2026-11-29"}
    if actor == "admin":
        row = api.rpc("set_exchange_rate", args)
        assert (Decimal(str(row["rate"])), str(row["as_of"])) == (Decimal("600.25"), "2026-11-29")
    else:
        with pytest.raises(ApiError) as refused:
            api.rpc("set_exchange_rate", args)
        assert refused.value.message in (
            "admin_only",
            "permission denied for function set_exchange_rate",
        )
        for write in (
            lambda: api.insert("exchange_rates", {**args, "rate": 1}),
            lambda: api.update("exchange_rates", {"rate": 1}, {"base_currency": "USD"}),
        ):
            with pytest.raises(ApiError):
                write()
    assert api.get("exchange_rates", {}) == [] or actor == "admin"
    set_rows = db.sql("select * from public.exchange_rates")
    assert len(set_rows) == (1 if actor == "admin" else 0)


def test_rates_are_checked_and_the_fixed_parities_cannot_be_set(cast):
    admin = cast.api("admin")
    for args, token in [
        ({"base_currency": "EUR", "quote_currency": "XOF", "rate": 600}, "fixed_parity"),
        ({"base_currency": "XAF", "quote_currency": "XOF", "rate": 2}, "fixed_parity"),
        ({"base_currency": "USD", "quote_currency": "ZZZ", "rate": 600}, "unknown_currency"),
        ({"base_currency": "USD", "quote_currency": "USD", "rate": 1}, "unknown_currency"),
        ({"base_currency": "USD", "quote_currency": "XOF", "rate": -1}, "invalid_exchange_rate"),
        ({"base_currency": "USD", "quote_currency": "XOF", "rate": 0}, "invalid_exchange_rate"),
        # below the table's 10 decimals, or so small that its inverse is absurd
        ({"base_currency": "USD", "quote_currency": "XOF", "rate": 1e-11}, "invalid_exchange_rate"),
        ({"base_currency": "USD", "quote_currency": "XOF", "rate": 1e-10}, "invalid_exchange_rate"),
        ({"base_currency": "USD", "quote_currency": "XOF", "rate": 2e6}, "invalid_exchange_rate"),
        ({"base_currency": "USD", "quote_currency": "XOF", "rate": 600, "as_of": "2999-01-01"},
         "invalid_exchange_rate"),
    ]:  # fmt: skip
        with pytest.raises(ApiError) as refused:
            admin.rpc("set_exchange_rate", args)
        assert refused.value.message == token, args


def test_setting_the_reverse_pair_replaces_it(cast, db):
    admin = cast.api("admin")
    admin.rpc("set_exchange_rate", {"base_currency": "USD", "quote_currency": "XOF", "rate": 600})
    admin.rpc("set_exchange_rate", {"base_currency": "XOF", "quote_currency": "USD", "rate": 0.002})
    rows = db.sql("select base_currency, quote_currency from public.exchange_rates")
    assert rows == [{"base_currency": "XOF", "quote_currency": "USD"}]
    assert convert(db, 100_00, "USD", "XOF") == 50_000  # 1 / 0.002
    audit = db.sql("select action from private.audit_log where action = 'set_exchange_rate'")
    assert len(audit) == 2


def test_the_console_lists_and_sets_rates(db, operator_cli):
    listed = json.loads(operator_cli("rates", "list", "--json").stdout)
    assert [(r["base_currency"], r["quote_currency"], r["fixed"]) for r in listed] == [
        ("EUR", "XAF", True), ("EUR", "XOF", True), ("XAF", "XOF", True),
    ]  # fmt: skip
    result = operator_cli("rates", "set", "gbp", "xof", "780,5", "--as-of", "2026-11-30",
                          "--origin", "BCEAO")  # fmt: skip
    assert result.exit_code == 0, result.output
    row = db.one("select * from public.exchange_rates")
    assert (row["rate"], str(row["as_of"]), row["origin"]) == (
        Decimal("780.5"),
        "2026-11-30",
        "BCEAO",
    )
    listed = json.loads(operator_cli("rates", "list", "--json").stdout)
    assert (listed[-1]["quote_currency"], listed[-1]["fixed"]) == ("XOF", False)
    refused = operator_cli("rates", "set", "EUR", "XOF", "600")
    assert refused.exit_code == 1
    assert "fixed" in refused.output.lower() or "parit" in refused.output.lower()
    assert operator_cli("rates", "set", "USD", "XOF", "beaucoup").exit_code == 2


def test_the_console_sets_the_tip_suggestions(db, operator_cli):
    assert operator_cli("settings", "set", "tip-suggestions", "300,800").exit_code == 0
    shown = json.loads(operator_cli("settings", "show", "--json").stdout)
    assert (shown["tip_suggestions_bp"], shown["tip_max_bp"]) == ([300, 800], 3000)
    assert operator_cli("settings", "set", "tip-suggestions", "300,5000").exit_code == 1
    assert operator_cli("settings", "set", "tip-max", "2000").exit_code == 0
    assert db.one("select tip_max_bp from public.platform_settings")["tip_max_bp"] == 2000


def test_anyone_reads_a_rate_and_its_date_but_never_which_admin_set_it(cast, db):
    cast.api("admin").rpc(
        "set_exchange_rate", {"base_currency": "USD", "quote_currency": "XOF", "rate": 600}
    )
    (row,) = cast.api("anon").get("exchange_rates", {})
    assert set(row) == {"base_currency", "quote_currency", "rate", "as_of", "origin", "updated_at"}
    assert str(cast.users["admin"].id) not in str(row)
    audit = db.one(
        "select count(*) as n from private.audit_log where action = 'set_exchange_rate'"
        " and actor_id = %s",
        [cast.users["admin"].id],
    )
    assert audit["n"] == 1  # who set it is kept, for staff, in the audit
