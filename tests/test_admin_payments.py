"""`cagnotte-admin payments reconcile --provider cinetpay`: pending mobile-money
payments whose notification never came, settled from CinetPay's payment check
(served locally) through the webhook's own path, or expired."""

from __future__ import annotations

import functools
import json

import pytest

from tests import cinetpay_fake


def no_env_file(monkeypatch, tmp_path):
    """The console's .env.local is this test's own (empty until written)."""
    path = tmp_path / ".env.local"
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", path)
    return path


def plain(text: str) -> str:
    """Babel's narrow and non-breaking spaces as plain ones, lines joined."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def cli(operator_cli, monkeypatch, cinetpay_api):
    monkeypatch.setenv("CINETPAY_API_KEY", cinetpay_fake.API_KEY)
    monkeypatch.setenv("CINETPAY_SITE_ID", cinetpay_fake.SITE_ID)
    monkeypatch.setenv("CINETPAY_SECRET_KEY", cinetpay_fake.SECRET_KEY)
    monkeypatch.setenv("CINETPAY_API_BASE", cinetpay_api.url)
    monkeypatch.setenv("CINETPAY_TIMEOUT", "1")
    return functools.partial(operator_cli, "payments", "reconcile", "--provider", "cinetpay")


def aged(db, pledge, age):
    db.sql(
        "update private.payment_attempts set created_at = now() - %s::interval where id = %s",
        [age, pledge["transaction_id"]],
    )
    return pledge


def status(db, pledge):
    return db.one(
        "select status::text from public.donations where id = %s", [pledge["donation_id"]]
    )["status"]


def report(result):
    assert result.exit_code == 0, result.output
    return {r["attempt_id"]: r for r in json.loads(result.stdout)}


def test_pending_payments_are_settled_from_cinetpays_word(
    db, cli, cinetpay_api, pay_by_mobile_money, campaign
):
    paid, refused, waiting = (
        aged(db, pay_by_mobile_money(campaign, amount), "1 hour") for amount in (5000, 2500, 1000)
    )
    cinetpay_api.settle(paid["transaction_id"], "ACCEPTED")
    cinetpay_api.settle(refused["transaction_id"], "REFUSED")

    rows = report(cli("--json"))

    assert {k: (r["provider_status"], r["action"], r["outcome"]) for k, r in rows.items()} == {
        paid["transaction_id"]: ("ACCEPTED", "settle", "applied"),
        refused["transaction_id"]: ("REFUSED", "settle", "applied"),
        waiting["transaction_id"]: ("WAITING_FOR_CUSTOMER", "wait", None),
    }
    assert [status(db, p) for p in (paid, refused, waiting)] == ["succeeded", "failed", "pending"]
    assert db.one(
        "select collected_amount from public.campaigns where id = %s", [campaign["id"]]
    ) == {"collected_amount": 5000}
    assert db.sql("select * from private.check_ledger()") == []


def test_payments_cinetpay_never_concluded_are_expired(
    db, cli, cinetpay_api, pay_by_mobile_money, campaign
):
    waiting = aged(db, pay_by_mobile_money(campaign, 5000), "2 days")
    unknown = aged(db, pay_by_mobile_money(campaign, 2500), "2 days")
    # The service died before CinetPay's answer was recorded: no payment page, no trace.
    del cinetpay_api.payments[unknown["transaction_id"]]
    db.sql(
        "update private.payment_attempts set status = 'created' where id = %s",
        [unknown["transaction_id"]],
    )

    rows = report(cli("--json", "--expire-after", "1d"))

    assert {r["action"] for r in rows.values()} == {"expire"}
    assert [status(db, p) for p in (waiting, unknown)] == ["canceled", "canceled"]
    attempts = db.sql("select status::text from private.payment_attempts")
    assert {a["status"] for a in attempts} == {"expired"}


def test_money_arriving_after_expiry_is_still_credited(
    db, cli, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    late = aged(db, pay_by_mobile_money(campaign, 5000), "2 days")
    report(cli("--json"))
    assert status(db, late) == "canceled"

    cinetpay_api.settle(late["transaction_id"], "ACCEPTED")
    assert notify(late["transaction_id"]).get_json()["outcome"] == "applied"

    assert status(db, late) == "succeeded"


def test_recent_payments_are_left_to_their_notification(
    db, cli, cinetpay_api, pay_by_mobile_money, campaign
):
    recent = pay_by_mobile_money(campaign, 5000)
    cinetpay_api.settle(recent["transaction_id"], "ACCEPTED")

    assert report(cli("--json", "--older-than", "30m")) == {}
    assert cinetpay_api.calls("/v2/payment/check") == []
    assert status(db, recent) == "pending"


def test_a_second_run_changes_nothing(db, cli, cinetpay_api, pay_by_mobile_money, campaign):
    p = aged(db, pay_by_mobile_money(campaign, 5000), "1 hour")
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    report(cli("--json"))
    events = db.sql("select event_id from private.webhook_events")

    assert report(cli("--json")) == {}
    assert db.sql("select event_id from private.webhook_events") == events


def test_a_payment_the_webhook_already_credited_is_left_alone(
    db, cli, notify, cinetpay_api, pay_by_mobile_money, campaign
):
    p = aged(db, pay_by_mobile_money(campaign, 5000), "1 hour")
    cinetpay_api.settle(p["transaction_id"], "WAITING_FOR_CUSTOMER")
    notify(p["transaction_id"])  # processing, still pending
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    notify(p["transaction_id"])

    assert report(cli("--json")) == {}  # credited: no longer pending
    assert status(db, p) == "succeeded"


def test_dry_run_asks_and_writes_nothing(db, cli, cinetpay_api, pay_by_mobile_money, campaign):
    p = aged(db, pay_by_mobile_money(campaign, 5000), "2 days")
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    rows = report(cli("--json", "--dry-run"))

    assert rows[p["transaction_id"]]["action"] == "settle"
    assert status(db, p) == "pending"
    assert db.sql("select id from private.webhook_events") == []
    assert db.sql("select id from private.audit_log where action = 'payments reconcile'") == []


@pytest.mark.parametrize("failure", ["error", "refuse"])
def test_cinetpay_down_or_refusing_expires_nothing_and_exits_1(
    db, cli, cinetpay_api, pay_by_mobile_money, campaign, failure
):
    p = aged(db, pay_by_mobile_money(campaign, 5000), "3 days")
    cinetpay_api.fail = failure  # HTTP 500, or 609 AUTH_NOT_FOUND (a wrong key)

    result = cli("--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["action"] == "error"
    assert status(db, p) == "pending"


def test_the_run_is_audited_with_its_counts(db, cli, cinetpay_api, pay_by_mobile_money, campaign):
    p = aged(db, pay_by_mobile_money(campaign, 5000), "1 hour")
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    report(cli("--json"))

    (entry,) = db.sql("select details from private.audit_log where action = 'payments reconcile'")
    assert entry["details"]["provider"] == "cinetpay"
    assert entry["details"]["settle"] == 1


def test_the_table_names_what_was_done(db, cli, cinetpay_api, pay_by_mobile_money, campaign):
    p = aged(db, pay_by_mobile_money(campaign, 5000), "1 hour")
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    result = cli()

    assert result.exit_code == 0
    assert p["transaction_id"][:8] in result.stdout
    assert "settle" in result.stdout
    assert "did settle 1, expire 0" in result.stderr


@pytest.mark.parametrize("args", [["--older-than", "soon"], ["--provider", "paypal"]])
def test_bad_arguments_exit_2(operator_cli, args):
    result = operator_cli("payments", "reconcile", "--provider", "cinetpay", *args)

    assert result.exit_code == 2


def test_without_cinetpay_settings_it_says_so(db, operator_cli, monkeypatch, tmp_path):
    for name in ("CINETPAY_API_KEY", "CINETPAY_SITE_ID", "CINETPAY_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    no_env_file(monkeypatch, tmp_path)

    result = operator_cli("payments", "reconcile", "--provider", "cinetpay")

    assert result.exit_code == 6  # errors.EXIT_PROVIDER: not configured
    assert "CINETPAY_API_KEY, CINETPAY_SITE_ID, CINETPAY_SECRET_KEY" in result.stderr
    assert ".env.local" in result.stderr
    assert "Traceback" not in result.output


def test_cinetpay_settings_are_read_from_env_local_too(
    db, operator_cli, monkeypatch, tmp_path, cinetpay_api, pay_by_mobile_money, campaign
):
    p = aged(db, pay_by_mobile_money(campaign, 5000), "1 hour")
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    env = {
        "CINETPAY_API_KEY": cinetpay_fake.API_KEY,
        "CINETPAY_SITE_ID": cinetpay_fake.SITE_ID,
        "CINETPAY_SECRET_KEY": cinetpay_fake.SECRET_KEY,
        "CINETPAY_API_BASE": cinetpay_api.url,
    }
    for name in env:
        monkeypatch.delenv(name, raising=False)
    env_local = no_env_file(monkeypatch, tmp_path)
    env_local.write_text("".join(f"{k}={v}\n" for k, v in env.items()))

    result = operator_cli("payments", "reconcile", "--provider", "cinetpay", "--json")

    assert result.exit_code == 0, result.output
    assert status(db, p) == "succeeded"


def test_the_payment_code_runs_without_the_flask_app(
    db, cli, monkeypatch, cinetpay_api, pay_by_mobile_money, campaign
):
    import webhooks

    p = aged(db, pay_by_mobile_money(campaign, 5000), "1 hour")
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    def no_app(*args, **kwargs):
        raise AssertionError("the console booted the Flask app")

    monkeypatch.setattr(webhooks, "create_app", no_app)

    assert report(cli("--json"))[p["transaction_id"]]["outcome"] == "applied"
    assert status(db, p) == "succeeded"


def test_reconcile_speaks_french_with_amounts_and_dates(
    db, operator_cli, cli, cinetpay_api, pay_by_mobile_money, campaign
):
    p = aged(db, pay_by_mobile_money(campaign, 5000), "1 hour")
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")

    result = operator_cli(
        "--lang", "fr", "payments", "reconcile", "--provider", "cinetpay", "--dry-run"
    )

    assert result.exit_code == 0, result.output
    assert "5 000 F CFA" in plain(result.stdout)
    assert "régler" in result.stdout
    assert "réglerait 1, ferait expirer 0" in plain(result.stderr)


# Events held for review, and the books ----------------------------------------------------------


def test_events_held_for_review_are_listed_for_operators(
    db, operator_cli, donate, post_event, campaign
):
    from tests import stripe_fake as sf

    a, b = donate(campaign, 5000), donate(campaign, 5000)
    forged = sf.event(
        "checkout.session.completed",
        sf.checkout_session(b, id="cs_test_unknown", client_reference_id=a["donation_id"]),
    )
    post_event(forged)
    post_event(sf.event("checkout.session.completed", sf.checkout_session(a)))

    result = operator_cli("payments", "held", "--json")

    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["provider"], row["event_id"], row["outcome"]) == (
        "stripe",
        forged["id"],
        "mismatch",
    )
    assert row["donation_id"] == b["donation_id"]
    assert "client_reference_id" in row["detail"]


def test_held_events_need_an_admin(operator_cli, monkeypatch, user):
    monkeypatch.setenv("CAGNOTTE_OPERATOR", user.email)
    result = operator_cli("payments", "held")
    assert result.exit_code == 4


def test_the_books_check_passes_on_a_sound_ledger(db, operator_cli, give, campaign, user):
    give(campaign, 5000, user, fee=100)
    result = operator_cli("payments", "check", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_the_books_check_fails_when_the_ledger_counts_more_than_was_received(
    db, operator_cli, give, campaign, user
):
    give(campaign, 5000, user, fee=100)
    # a forged entry giving the processor fee back: the campaign's balance now
    # exceeds what reached the platform
    db.sql(
        "insert into private.ledger_entries (campaign_id, kind, amount, currency, idempotency_key)"
        " values (%s, 'processor_fee', 100, 'XOF', 'forged')",
        [campaign["id"]],
    )

    result = operator_cli("payments", "check", "--json")

    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)
    assert (row["ledger_net"], row["received"]) == (5000, 4900)


def test_the_books_check_shows_amounts_as_money(db, operator_cli, give, campaign, user):
    give(campaign, 5000, user, fee=100)
    db.sql(
        "insert into private.ledger_entries (campaign_id, kind, amount, currency, idempotency_key)"
        " values (%s, 'processor_fee', 100, 'XOF', 'forged')",
        [campaign["id"]],
    )

    result = operator_cli("--lang", "fr", "payments", "check")

    assert result.exit_code == 1
    assert "4 900 F CFA" in plain(result.stdout)


@pytest.mark.parametrize("since", ["bientôt", "7 jours", "01/11/2026"])
def test_held_refuses_a_bad_since_with_exit_2(operator_cli, since):
    result = operator_cli("--lang", "fr", "payments", "held", "--since", since)
    assert result.exit_code == 2
    assert "--since" in result.output
    assert "Traceback" not in result.output


# In a real terminal ------------------------------------------------------------------------------


def test_reconcile_shows_its_progress_on_a_terminal_and_nothing_more_under_json(
    db, cli, cinetpay_api, pay_by_mobile_money, campaign
):
    from tests.support import terminal

    p = aged(db, pay_by_mobile_money(campaign, 5000), "1 hour")
    cinetpay_api.settle(p["transaction_id"], "ACCEPTED")
    args = ("payments", "reconcile", "--provider", "cinetpay", "--dry-run")

    code, shown = terminal.in_terminal(*args, env={"CAGNOTTE_LANG": "fr"}).finish()

    assert code == 0, shown
    assert "interrogation de CinetPay" in shown  # the bar's label, on the terminal
    assert "5 000 F CFA" in plain(shown)
    assert "Traceback" not in shown

    code, shown = terminal.in_terminal(*args, "--json", env={"CAGNOTTE_LANG": "fr"}).finish()

    assert code == 0, shown
    assert "interrogation" not in shown
    listing = shown[: shown.rindex("]") + 1]  # then the summary, on stderr
    assert json.loads(listing)[0]["action"] == "settle"
