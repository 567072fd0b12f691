"""The money path's helpers in PL/pgSQL (migration 20261202100000) answer as their
SQL bodies did.

Each converted function is created a second time in a schema `landed` from its
newest definition in the migrations that landed before that one (the SQL body,
word for word, its calls to other converted helpers pointed at their `landed`
copies too), and both are called on the same inputs: nulls, zero, negatives,
missing rows, each currency exponent, fr and en. They must give the same rows,
or fail with the same SQLSTATE. Functions that write are compared by what they
return and what they leave in their tables, each run in a transaction rolled back.
"""

from __future__ import annotations

import itertools
import re
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

MIGRATIONS = Path(__file__).resolve().parent.parent / "supabase" / "migrations"
CONVERSION = "20261202100000_cache_plans_of_money_path_helpers.sql"

CONVERTED = (
    "acknowledge_event", "campaign_path", "campaign_payload", "campaign_platform_fee_bp",
    "donation_counts", "donation_net", "donor_locale", "fee_schedule", "fee_schedules",
    "format_money", "format_time", "notify", "outcome_is_incomplete", "payment_event_inbox",
    "payment_reference", "platform_fee", "pledged_gift", "processor_fee", "provider_needs_email",
    "scheduled_fee", "site_link", "split_fee", "take_receipt_number", "to_minor_units",
    "to_single_line",
)  # fmt: skip

PROVIDERS = [None, "stripe", "cinetpay", "paystack"]
LOCALES = [None, "fr", "en"]
BIGINTS = [None, 0, 1, -1, 999, 1000, 5000, -123456789, 10**15, 2**63 - 1, -(2**63)]
METHODS = [None, "CARD", "card", "OM", "MOBILE_MONEY", "BANK", "WALLET", "NOPE"]

EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
bigints = st.one_of(st.sampled_from(BIGINTS), st.integers(-(2**63), 2**63 - 1))
small_bigints = st.one_of(st.none(), st.integers(-(10**9), 10**15))


# The landed SQL bodies ----------------------------------------------------------------


def landed_definition(name: str) -> str:
    """The newest `create function private.<name>` of the migrations before CONVERSION."""
    header = re.compile(rf"create\s+(?:or\s+replace\s+)?function\s+private\.{name}\s*\(", re.I)
    found = None
    for path in sorted(MIGRATIONS.glob("*.sql")):
        if path.name >= CONVERSION:
            break
        text = path.read_text()
        for match in header.finditer(text):
            found = statement_from(text, match.start())
    assert found, f"no landed definition of private.{name}"
    return found


def statement_from(text: str, start: int) -> str:
    """The CREATE FUNCTION statement from `start`, through its dollar-quoted body."""
    opening = re.compile(r"\bas\s+(\$\w*\$)", re.I).search(text, start)
    assert opening, text[start : start + 200]
    tag = opening.group(1)
    close = text.index(tag, opening.end())
    return text[start : text.index(";", close) + 1]


def in_landed_schema(definition: str) -> str:
    """The definition, created in `landed` and calling the landed converted helpers."""
    names = "|".join(CONVERTED)
    return re.sub(rf"\bprivate\.({names})(\s*\()", r"landed.\1\2", definition)


@pytest.fixture
def landed(db):
    """The test's database with the landed SQL helpers beside the converted ones,
    and a currency of exponent 3 (the seeded ones have 0 and 2)."""
    db.sql("create schema landed")
    db.sql("set check_function_bodies = off")  # they call one another: any order
    for name in CONVERTED:
        db.sql(in_landed_schema(landed_definition(name)))
    db.sql("reset check_function_bodies")
    db.sql(
        "insert into public.currencies (code, name_fr, name_en, exponent, min_donation,"
        " max_donation, max_goal, active)"
        " values ('TND', 'Dinar tunisien', 'Tunisian dinar', 3, 1000, 100000000, 1000000000, false)"
    )
    return db


# Comparing answers ------------------------------------------------------------------


def answer(db, query: str, params: Any = None) -> Any:
    """The rows of a query, or its SQLSTATE; always rolled back."""
    try:
        with db.conn.transaction(force_rollback=True):
            return db.conn.execute(query, params).fetchall()
    except psycopg.Error as error:
        return error.sqlstate


def assert_same(db, function: str, args: str, params: Any = None) -> None:
    """private.<function>(args) answers as landed.<function>(args)."""
    old = answer(db, f"select * from landed.{function}({args})", params)
    new = answer(db, f"select * from private.{function}({args})", params)
    assert new == old, f"{function}({args}) with {params}: landed {old!r}, plpgsql {new!r}"


def assert_same_effects(db, steps: list[tuple[str, Any]], state: str) -> None:
    """The steps (`{s}` is the schema) answer alike and leave the same `state`,
    each step in its own savepoint, all in a transaction rolled back."""
    assert run_steps(db, "private", steps, state) == run_steps(db, "landed", steps, state)


def run_steps(db, schema: str, steps: list[tuple[str, Any]], state: str) -> list[Any]:
    out: list[Any] = []
    with db.conn.transaction(force_rollback=True):
        for query, params in steps:
            out.append(answer(db, query.format(s=schema), params))
        out.append(db.conn.execute(state).fetchall())
    return out


# The comparison itself ------------------------------------------------------------------


def test_the_landed_copies_are_the_sql_bodies_and_the_private_ones_plpgsql(landed):
    rows = landed.sql(
        "select p.pronamespace::regnamespace::text as schema, p.proname, l.lanname"
        " from pg_proc as p join pg_language as l on l.oid = p.prolang"
        " where p.proname = any(%s) and p.pronamespace in ('landed'::regnamespace, 'private'::regnamespace)",
        [list(CONVERTED)],
    )
    languages = {(r["schema"], r["proname"]): r["lanname"] for r in rows}
    assert languages == {
        **{("landed", name): "sql" for name in CONVERTED},
        **{("private", name): "plpgsql" for name in CONVERTED},
    }


def test_the_migration_converts_exactly_the_listed_helpers():
    text = (MIGRATIONS / CONVERSION).read_text()
    assert sorted(re.findall(r"create or replace function private\.(\w+)\(", text)) == sorted(
        CONVERTED
    )


def test_each_converted_helper_keeps_its_signature_volatility_strictness_and_settings(landed):
    attributes = landed.sql(
        "select p.pronamespace::regnamespace::text as schema, p.proname,"
        " pg_get_function_arguments(p.oid) as arguments, pg_get_function_result(p.oid) as result,"
        " p.provolatile, p.proisstrict, p.prosecdef, p.proparallel, p.proretset, p.proconfig"
        " from pg_proc as p"
        " where p.proname = any(%s) and p.pronamespace in ('landed'::regnamespace, 'private'::regnamespace)",
        [list(CONVERTED)],
    )
    by_schema: dict[str, dict[str, Any]] = {"landed": {}, "private": {}}
    for row in attributes:
        by_schema[row.pop("schema")][row["proname"]] = row
    assert by_schema["private"] == by_schema["landed"]


def test_the_comparison_tells_a_different_answer_apart(landed):
    landed.sql(
        "create or replace function landed.platform_fee(amount bigint, fee_bp integer)"
        " returns bigint language sql immutable set search_path = ''"
        " as $$ select (amount * fee_bp) / 10000 $$"
    )
    with pytest.raises(AssertionError):
        assert_same(landed, "platform_fee", "%s::bigint, %s::integer", [9999, 1])


# Money and fees ---------------------------------------------------------------------------


@EXAMPLES
@given(amount=bigints, fee_bp=st.one_of(st.none(), st.integers(-10, 20000)))
def test_platform_fee_answers_as_its_sql_body(landed, amount, fee_bp):
    assert_same(landed, "platform_fee", "%s::bigint, %s::integer", [amount, fee_bp])


@EXAMPLES
@given(
    amount=small_bigints,
    fee_bp=st.one_of(st.none(), st.integers(0, 2000)),
    fixed_fee=st.one_of(st.none(), st.integers(0, 10**8)),
    fixed_fee_from=st.one_of(st.none(), st.integers(1, 10**7)),
    fee_cap=st.one_of(st.none(), st.integers(1, 10**8)),
    tax_bp=st.one_of(st.none(), st.integers(0, 5000)),
)
def test_scheduled_fee_answers_as_its_sql_body(
    landed, amount, fee_bp, fixed_fee, fixed_fee_from, fee_cap, tax_bp
):
    assert_same(
        landed,
        "scheduled_fee",
        "%s::bigint, %s::integer, %s::bigint, %s::bigint, %s::bigint, %s::integer",
        [amount, fee_bp, fixed_fee, fixed_fee_from, fee_cap, tax_bp],
    )


@EXAMPLES
@given(fee=small_bigints, gift=small_bigints, tip=st.one_of(small_bigints, st.just(0)))
def test_split_fee_answers_as_its_sql_body(landed, fee, gift, tip):
    assert_same(landed, "split_fee", "%s::bigint, %s::bigint, %s::bigint", [fee, gift, tip])


def test_split_fee_answers_as_its_sql_body_on_a_zero_sum(landed):
    assert_same(landed, "split_fee", "%s::bigint, %s::bigint, %s::bigint", [100, 50, -50])


@EXAMPLES
@given(
    value=bigints,
    from_exponent=st.one_of(st.none(), st.integers(0, 3)),
    to_exponent=st.one_of(st.none(), st.integers(0, 3)),
)
def test_to_minor_units_answers_as_its_sql_body(landed, value, from_exponent, to_exponent):
    assert_same(
        landed, "to_minor_units", "%s::bigint, %s::integer, %s::integer",
        [value, from_exponent, to_exponent],
    )  # fmt: skip


def test_donation_net_and_donation_counts_answer_as_their_sql_bodies(landed):
    statuses = [
        None,
        *landed.one("select enum_range(null::public.donation_status)::text[] as e")["e"],
    ]
    disputes = [None, "open", "won", "lost"]
    amounts = [(1000, 0, 0), (1000, 300, 200), (None, 0, 0), (1000, None, 0), (0, 0, 5)]
    assert_same(landed, "donation_net", "null::public.donations")
    for status, (amount, refunded, disputed) in itertools.product(statuses, amounts):
        fields = {"status": status, "amount": amount, "refunded_amount": refunded,
                  "disputed_amount": disputed}  # fmt: skip
        assert_same(
            landed,
            "donation_net",
            "jsonb_populate_record(null::public.donations, %s)",
            [Jsonb(fields)],
        )
    for status, dispute in itertools.product(statuses, disputes):
        assert_same(
            landed, "donation_counts", "%s::public.donation_status, %s::public.dispute_status",
            [status, dispute],
        )  # fmt: skip


def test_the_fee_schedules_answer_as_their_sql_bodies(landed):
    currencies = [
        None,
        "ZZZ",
        *(r["code"] for r in landed.sql("select code from public.currencies")),
    ]
    for provider, currency in itertools.product(PROVIDERS, currencies):
        assert_same(
            landed, "fee_schedules", "%s::public.payment_provider, %s::text", [provider, currency]
        )


@EXAMPLES
@given(
    provider=st.sampled_from(PROVIDERS),
    currency=st.sampled_from([None, "XOF", "EUR", "USD", "NGN", "GHS", "KES", "ZAR", "TND", "ZZZ"]),
    method=st.sampled_from(METHODS),
    amount=st.one_of(st.sampled_from(BIGINTS[:8]), small_bigints),
)
def test_fee_schedule_and_processor_fee_answer_as_their_sql_bodies(
    landed, provider, currency, method, amount
):
    args = "%s::public.payment_provider, %s::text, %s::text, %s::bigint"
    for function in ("fee_schedule", "processor_fee"):
        assert_same(landed, function, args, [provider, currency, method, amount])


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active", goal_amount=1_000_000)


def test_a_campaigns_platform_fee_answers_as_its_sql_body(landed, campaign):
    for campaign_id in (campaign["id"], str(uuid.uuid4()), None):
        assert_same(landed, "campaign_platform_fee_bp", "%s::uuid", [campaign_id])
    landed.sql(
        "update public.categories set platform_fee_bp = 700 where slug = %s", [campaign["category"]]
    )
    assert_same(landed, "campaign_platform_fee_bp", "%s::uuid", [campaign["id"]])


@EXAMPLES
@given(
    provider=st.sampled_from(PROVIDERS),
    currency=st.sampled_from([None, "XOF", "EUR", "NGN", "USD", "GNF"]),
    method=st.sampled_from(METHODS),
    amount=st.one_of(st.sampled_from([None, 0, 1000, 10**9]), small_bigints),
    tip=st.sampled_from([None, 0, 100, 5000]),
    cover_fees=st.sampled_from([None, False, True]),
    real_campaign=st.booleans(),
)
def test_a_pledged_gift_answers_as_its_sql_body(
    landed, campaign, provider, currency, method, amount, tip, cover_fees, real_campaign
):
    fields = {"id": str(campaign["id"] if real_campaign else uuid.uuid4()), "currency": currency}
    assert_same(
        landed,
        "pledged_gift",
        "jsonb_populate_record(null::public.campaigns, %s), %s::public.payment_provider, %s::text,"
        " %s::bigint, %s::bigint, %s::boolean",
        [Jsonb(fields), provider, method, amount, tip, cover_fees],
    )


@EXAMPLES
@given(
    amount=bigints,
    currency=st.sampled_from([None, "XOF", "XAF", "GNF", "EUR", "USD", "NGN", "TND", "ZZZ"]),
    locale=st.sampled_from(LOCALES),
)
def test_format_money_answers_as_its_sql_body(landed, amount, currency, locale):
    assert_same(
        landed,
        "format_money",
        "%s::bigint, %s::text, %s::public.locale",
        [amount, currency, locale],
    )


def test_format_money_answers_as_its_sql_body_in_every_exponent_and_locale(landed):
    codes = [r["code"] for r in landed.sql("select code from public.currencies order by exponent")]
    for amount, code, locale in itertools.product(BIGINTS, [None, "ZZZ", *codes], LOCALES):
        assert_same(
            landed,
            "format_money",
            "%s::bigint, %s::text, %s::public.locale",
            [amount, code, locale],
        )


# Payment events ---------------------------------------------------------------------------


def test_outcome_is_incomplete_answers_as_its_sql_body(landed):
    outcomes = [
        None, {}, {"refunded_total": 100}, {"refunded_total": None},
        {"dispute_amount": 500, "dispute_ref": "dp_1", "dispute_status": "open"},
        {"dispute_amount": 0, "dispute_ref": "dp_1", "dispute_status": "won"},
        {"dispute_amount": -5, "dispute_ref": "dp_1", "dispute_status": "lost"},
        {"dispute_amount": 500, "dispute_status": "lost"},
        {"dispute_amount": 500, "dispute_ref": "dp_1", "dispute_status": "warning_needs_response"},
        {"dispute_amount": "abc", "dispute_ref": "dp_1", "dispute_status": "open"},
        {"dispute_ref": "dp_1", "dispute_status": "open"},
    ]  # fmt: skip
    for kind, outcome in itertools.product([None, "refund", "dispute", "payment"], outcomes):
        value = None if outcome is None else Jsonb(outcome)
        assert_same(landed, "outcome_is_incomplete", "%s::text, %s::jsonb", [kind, value])


def test_payment_reference_and_provider_needs_email_answer_as_their_sql_bodies(landed):
    assert_same(landed, "payment_reference", "null::private.payment_attempts")
    refs = itertools.product([None, "pi_1"], [None, "ch_1"], [None, "cs_1"])
    for provider, (payment_ref, charge_ref, session_ref) in itertools.product(PROVIDERS, refs):
        fields = {"id": str(uuid.uuid4()), "provider": provider, "payment_ref": payment_ref,
                  "charge_ref": charge_ref, "session_ref": session_ref}  # fmt: skip
        assert_same(
            landed, "payment_reference",
            "jsonb_populate_record(null::private.payment_attempts, %s)", [Jsonb(fields)],
        )  # fmt: skip
    for provider in PROVIDERS:
        assert_same(landed, "provider_needs_email", "%s::public.payment_provider", [provider])


# A void function's value, which no caller reads (the service ignores it, SQL
# callers PERFORM it or return void themselves), is null from SQL and '' from
# PL/pgSQL: the void helpers are compared by what they do, called in FROM.
VOID = "as called"

EVENTS = (
    "select provider, event_id, event_type, occurred_at, livemode, payload,"
    " acknowledged_at = now() as acknowledged from private.webhook_events order by event_id"
)


def test_a_payment_event_enters_the_inbox_once_as_with_its_sql_body(landed):
    inbox = (
        "select {s}.payment_event_inbox(%s::public.payment_provider, %s, %s, %s::timestamptz, %s, %s)"
        " = (select max(w.id) from private.webhook_events as w) as returned_the_new_row"
    )
    event = [
        "stripe",
        "evt_1",
        "checkout.session.completed",
        "2026-06-01 12:00+00",
        False,
        Jsonb({"a": 1}),
    ]
    steps = [
        (inbox, event),
        (inbox, event),  # a replay: nothing inserted, null
        (inbox, ["paystack", "evt_1", "charge.success", "2026-06-01 12:00+00", True, Jsonb({})]),
        (inbox, ["cinetpay", None, "payment", None, None, None]),
        (inbox, [None, "evt_2", None, None, None, None]),
    ]
    assert_same_effects(landed, steps, EVENTS)


def test_acknowledging_an_event_answers_as_its_sql_body(landed):
    landed.sql(
        "insert into private.webhook_events (provider, event_id, event_type, occurred_at, livemode, payload)"
        " values ('stripe', 'evt_a', 'x', now(), false, '{}'), ('cinetpay', 'evt_a', 'x', now(), false, '{}')"
    )
    ack = f"select from {{s}}.acknowledge_event(%s::public.payment_provider, %s) {VOID}"
    steps = [(ack, ["stripe", "evt_a"]), (ack, ["stripe", "evt_missing"]), (ack, [None, "evt_a"])]
    assert_same_effects(landed, steps, EVENTS)


def test_taking_receipt_numbers_answers_as_its_sql_body(landed):
    take = "select {s}.take_receipt_number(%s, %s::timestamptz) as number"
    steps = [
        (take, ["R", "2026-06-01 12:00+00"]),
        (take, ["R", "2026-06-01 12:00+00"]),
        (take, ["R", "2027-01-01 00:30+05"]),  # still 2026 in UTC
        (take, ["AV", "2031-12-31 23:59+00"]),
        (take, ["X", "2026-06-01 12:00+00"]),
        (take, [None, "2026-06-01 12:00+00"]),
        (take, ["R", None]),
        ("select {s}.take_receipt_number('R') like 'R-____-000___' as by_default", None),
    ]
    assert_same_effects(landed, steps, "select * from private.receipt_counters order by 1, 2")


# Messages ---------------------------------------------------------------------------------


def test_a_donors_locale_answers_as_its_sql_body(landed, owner, make_user):
    english = make_user(user_metadata={"full_name": "Kofi Mensah"})
    landed.sql("update public.profiles set locale = 'en' where id = %s", [english.id])
    assert_same(landed, "donor_locale", "null::public.donations")
    for donor, locale in itertools.product(
        [None, owner.id, english.id, str(uuid.uuid4())], LOCALES
    ):
        assert_same(
            landed, "donor_locale", "jsonb_populate_record(null::public.donations, %s)",
            [Jsonb({"donor_id": str(donor) if donor else None, "locale": locale})],
        )  # fmt: skip


def test_a_campaign_payload_answers_as_its_sql_body(landed, campaign):
    assert_same(landed, "campaign_payload", "null::public.campaigns")
    assert_same(
        landed,
        "campaign_payload",
        "(select c from public.campaigns as c where c.id = %s)",
        [campaign["id"]],
    )
    assert_same(
        landed, "campaign_payload", "jsonb_populate_record(null::public.campaigns, %s)",
        [Jsonb({"title": "T", "currency": "EUR", "goal_amount": 0})],
    )  # fmt: skip


def test_links_and_paths_answer_as_their_sql_bodies(landed):
    for path in [None, "", "/c/ecole-de-kati", "/c/é?x=1"]:
        assert_same(landed, "site_link", "%s::text", [path])
        assert_same(landed, "campaign_path", "%s::text", [path])
    landed.sql("update public.platform_settings set site_url = 'https://africagnotte.example'")
    assert_same(landed, "site_link", "%s::text", ["/c/x"])


def test_format_time_answers_as_its_sql_body(landed):
    moments = [None, "2026-01-05 23:30+00", "2026-12-31 23:59:59+05", "2026-07-14 08:05:09.5-03",
               "infinity", "-infinity"]  # fmt: skip
    for at, locale in itertools.product(moments, LOCALES):
        assert_same(landed, "format_time", "%s::timestamptz, %s::public.locale", [at, locale])


@EXAMPLES
@given(value=st.one_of(st.none(), st.text().map(lambda s: s.replace("\x00", ""))))
def test_to_single_line_answers_as_its_sql_body(landed, value):
    assert_same(landed, "to_single_line", "%s::text", [value])


def test_to_single_line_answers_as_its_sql_body_on_line_breaks(landed):
    for value in ["a\nb", "a\r\n\tb", "a\u2028b\u2029c", "\x7f\x85\x9f", "é à ", "", " \x01"]:
        assert_same(landed, "to_single_line", "%s::text", [value])


def test_notifying_answers_as_its_sql_body(landed, owner, make_user, campaign):
    other = make_user(user_metadata={"full_name": "Kofi Mensah"})
    notify = (
        "select from {s}.notify(%s::uuid[], %s::public.notification_kind, %s::uuid, %s::jsonb, %s)"
        f" {VOID}"
    )
    payload = Jsonb({"amount": 1000})
    steps = [
        (
            notify,
            [
                [owner.id, owner.id, None, other.id],
                "donation_received",
                campaign["id"],
                payload,
                "k1",
            ],
        ),
        (notify, [[owner.id], "donation_received", campaign["id"], payload, "k1"]),  # deduplicated
        (notify, [[other.id], "goal_reached", None, payload, None]),
        (notify, [[other.id], "goal_reached", None, payload, None]),
        (notify, [None, "goal_reached", None, payload, "k2"]),
        (notify, [[], "goal_reached", None, payload, "k2"]),
        (notify, [[owner.id], "goal_reached", None, None, "k3"]),
        (notify, [[owner.id], None, None, payload, "k4"]),
        (notify, [[str(uuid.uuid4())], "goal_reached", None, payload, "k5"]),
    ]
    state = (
        "select user_id, kind, campaign_id, payload, dedupe_key from public.notifications"
        " order by user_id, kind, dedupe_key, payload::text"
    )
    assert_same_effects(landed, steps, state)
