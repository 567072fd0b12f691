"""`cagnotte-admin stripe reconcile`: missed webhooks recovered through the
Stripe API (served locally) and the webhook's own SQL path."""

from __future__ import annotations

import functools
import json
import time

import pytest

from tests import stripe_fake


def plain(text: str) -> str:
    """Babel's narrow and non-breaking spaces as plain ones, lines joined."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


@pytest.fixture
def cli(operator_cli, monkeypatch, stripe_api):
    monkeypatch.setenv("STRIPE_SECRET_KEY", stripe_fake.SECRET_KEY)
    monkeypatch.setenv("STRIPE_API_BASE", stripe_api.url)
    return functools.partial(operator_cli, "stripe")


def paid(stripe_api, pledge, created):
    evt = stripe_fake.event(
        "checkout.session.completed", stripe_fake.checkout_session(pledge), created=created
    )
    stripe_api.events.append(evt)
    return evt


def collected(db, campaign):
    return db.one(
        "select collected_amount, donor_count from public.campaigns where id = %s", [campaign["id"]]
    )


def test_missed_payments_are_applied_once_and_known_ones_left_alone(
    db, cli, stripe_api, donate, post_event, campaign
):
    now = int(time.time())
    delivered = paid(stripe_api, donate(campaign, 5_000), now - 300)
    assert post_event(delivered).status_code == 200  # this one the webhook got
    missed = [
        paid(stripe_api, donate(campaign, 2_000 + i), now - 200 + i) for i in range(105)
    ]  # > 1 page
    stripe_api.fee = 50
    result = cli("reconcile", "--since", "1d", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["listed"], report["already_recorded"], len(report["applied"])) == (106, 1, 105)
    assert report["missing"] == [e["id"] for e in missed]  # oldest first
    assert {a["outcome"] for a in report["applied"]} == {"applied"}
    assert collected(db, campaign) == {
        "collected_amount": 5_000 + sum(2_000 + i for i in range(105)),
        "donor_count": 106,
    }
    assert len(stripe_api.calls("GET", "/v1/events")) == 2  # paginated
    # the same way as the webhook: recorded, acknowledged, processor fee looked up
    assert (
        db.one(
            "select count(*) as n from private.webhook_events where acknowledged_at is not null"
        )["n"]
        == 106
    )
    assert (
        db.one("select count(*) as n from private.ledger_entries where kind = 'processor_fee'")["n"]
        == 105
    )
    again = json.loads(cli("reconcile", "--since", "1d", "--json").stdout)
    assert (again["already_recorded"], again["applied"]) == (106, [])
    assert collected(db, campaign)["donor_count"] == 106
    assert [a["action"] for a in db.sql("select action from private.audit_log order by id")] == [
        "stripe reconcile", "stripe reconcile",
    ]  # fmt: skip


def test_since_limits_the_listing(db, cli, stripe_api, donate, campaign):
    paid(stripe_api, donate(campaign, 3_000), int(time.time()) - 3 * 86_400)
    report = json.loads(cli("reconcile", "--since", "1d", "--json").stdout)
    assert report["listed"] == 0
    assert collected(db, campaign)["collected_amount"] == 0


def test_dry_run_applies_nothing(db, cli, stripe_api, donate, campaign):
    evt = paid(stripe_api, donate(campaign, 3_000), int(time.time()))
    report = json.loads(cli("reconcile", "--since", "2026-01-01", "--dry-run", "--json").stdout)
    assert (report["missing"], report["applied"]) == ([evt["id"]], [])
    assert collected(db, campaign)["collected_amount"] == 0


def test_stripe_down_is_a_clear_error(cli, stripe_api):
    stripe_api.fail = "error"
    result = cli("reconcile", "--since", "1d")
    assert result.exit_code == 6  # errors.EXIT_PROVIDER
    assert "Stripe" in result.stderr


@pytest.mark.parametrize("since", ["hier", "3 jours", ""])
def test_a_bad_since_is_a_usage_error(cli, since):
    assert cli("reconcile", "--since", since).exit_code == 2


def test_reconcile_is_for_admins(cli, monkeypatch, user):
    monkeypatch.setenv("CAGNOTTE_OPERATOR", user.email)
    assert cli("reconcile", "--since", "1d").exit_code == 4


def test_the_stripe_key_is_read_from_env_local_as_the_readme_sets_it_up(
    db, operator_cli, monkeypatch, tmp_path, stripe_api, donate, campaign
):
    """The issue's first traceback: .env.local held the key, the command did not read it."""
    paid(stripe_api, donate(campaign, 3_000), int(time.time()))
    for name in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    env_local = tmp_path / ".env.local"
    env_local.write_text(
        f"STRIPE_SECRET_KEY={stripe_fake.SECRET_KEY}\nSTRIPE_API_BASE={stripe_api.url}\n"
    )
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", env_local)

    result = operator_cli("stripe", "reconcile", "--since", "1d", "--json")

    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["applied"]) == 1
    assert collected(db, campaign)["collected_amount"] == 3_000


def test_without_a_stripe_key_it_names_the_setting_and_exits_6(operator_cli, monkeypatch, tmp_path):
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / ".env.local")

    french = operator_cli("--lang", "fr", "stripe", "reconcile", "--since", "1d")
    english = operator_cli("stripe", "reconcile", "--since", "1d")

    assert (french.exit_code, english.exit_code) == (6, 6)
    assert "Stripe n'est pas configuré : définissez STRIPE_SECRET_KEY" in french.stderr
    assert "set STRIPE_SECRET_KEY (in the environment or .env.local)" in plain(english.stderr)
    assert "Traceback" not in french.output + english.output


def test_a_malformed_key_is_a_usage_error_naming_it(cli, monkeypatch):
    monkeypatch.setenv("STRIPE_SECRET_KEY", "pk_test_not_a_secret_key")
    result = cli("reconcile", "--since", "1d")
    assert result.exit_code == 2
    assert "STRIPE_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.output


def test_reconcile_reports_in_french_with_the_amounts(db, operator_cli, cli, stripe_api, donate,
                                                      campaign):  # fmt: skip
    paid(stripe_api, donate(campaign, 12_500), int(time.time()))

    result = operator_cli("--lang", "fr", "stripe", "reconcile", "--since", "2026-01-01")

    assert result.exit_code == 0, result.output
    text = plain(result.stdout)
    assert "1 événements depuis le" in text
    assert "1 appliqués" in text
    assert "12 500 F CFA: applied" in text


def test_the_payment_code_runs_without_the_flask_app(db, cli, monkeypatch, stripe_api, donate,
                                                     campaign):  # fmt: skip
    import webhooks

    paid(stripe_api, donate(campaign, 3_000), int(time.time()))

    def no_app(*args, **kwargs):
        raise AssertionError("the console booted the Flask app")

    monkeypatch.setattr(webhooks, "create_app", no_app)
    result = cli("reconcile", "--since", "1d", "--json")

    assert result.exit_code == 0, result.output
    assert collected(db, campaign)["collected_amount"] == 3_000


def test_reconcile_shows_its_progress_in_a_real_terminal(db, cli, stripe_api, donate, campaign):
    from tests.support import terminal

    now = int(time.time())
    for i in range(3):
        paid(stripe_api, donate(campaign, 1_000 + i), now - 60 + i)

    session = terminal.in_terminal(
        "stripe", "reconcile", "--since", "1d", env={"CAGNOTTE_LANG": "fr"}
    )
    code, shown = session.finish()

    assert code == 0, shown
    assert "liste des événements Stripe" in shown
    assert "application des événements manqués" in shown
    assert "3 appliqués" in plain(shown)
    assert collected(db, campaign)["donor_count"] == 3
