"""One site URL (the deployment's SITE_URL; the database keeps a copy that
`cagnotte-admin doctor` checks) and one home per page of the frontend: the
emails' links and the service's payment return pages agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import psycopg
import pytest

from localdev import stack
from tests.conftest import SITE_URL

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def campaign(owner, make_campaign):
    return make_campaign(owner, "active")


def links(body: str) -> list[str]:
    return LINK.findall(body)


def test_the_email_and_the_checkout_send_a_donor_to_the_same_campaign_page(
    db, as_user, service, stripe_api, owner, user, campaign
):
    db.sql("update public.platform_settings set site_url = %s", [SITE_URL])  # the copy, in sync
    as_user(user).insert("comments", {"campaign_id": campaign["id"], "body": "Courage !"})
    email = db.one(
        "select body from private.email_messages where user_id = %s and template = 'new_comment'",
        [owner.id],
    )
    page = f"{SITE_URL}/c/{campaign['slug']}"
    assert page in links(email["body"])

    response = service.post(
        "/donations/checkout",
        json={
            "campaign_id": str(campaign["id"]),
            "amount": 5000,
            "currency": "XOF",
            "provider": "stripe",
        },
    )
    assert response.status_code == 201, response.get_json()
    donation = response.get_json()["donation_id"]
    (call,) = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert call.form["success_url"] == f"{page}/merci?don={donation}"
    assert call.form["cancel_url"] == f"{page}?don={donation}&annule=1"


def test_every_page_of_the_frontend_is_built_by_one_function(db):
    slug, donation = "soins-aminata", "6b1f0c1e-7a7e-4f55-9d3c-0f2f3c8b2a11"
    row = db.one(
        "select private.campaign_path(%(s)s) as campaign,"
        " private.donation_return_path(%(s)s, %(d)s) as paid,"
        " private.donation_return_path(%(s)s, %(d)s, cancelled => true) as cancelled,"
        " private.invitation_path('t0k') as invitation,"
        " private.preferences_path() as preferences,"
        " private.site_link(private.campaign_path(%(s)s)) as link,"
        " (select site_url from public.platform_settings) as site",
        {"s": slug, "d": donation},
    )
    assert row["campaign"] == f"/c/{slug}"
    assert row["paid"] == f"/c/{slug}/merci?don={donation}"
    assert row["cancelled"] == f"/c/{slug}?don={donation}&annule=1"
    assert row["invitation"] == "/invitations/accept?token=t0k"
    assert row["preferences"] == "/parametres/notifications"
    assert row["link"] == f"{row['site']}/c/{slug}"
    # no other migration writes a frontend path itself
    for path in (ROOT / "supabase" / "migrations").glob("*.sql"):
        if path.name != "20261121130300_create_email_outbox.sql":
            text = path.read_text()
            assert not re.search(r"'/(c|invitations|parametres)/", text), path.name
            assert "s.site_url" not in text, path.name


def test_only_the_service_asks_the_database_for_its_return_pages(db):
    for function in ("campaign_path(text)", "donation_return_path(text, uuid, boolean)"):
        for role, allowed in (("service_role", True), ("authenticated", False), ("anon", False)):
            has = db.one(
                "select has_function_privilege(%s, %s, 'execute') as has",
                [role, f"private.{function}"],
            )["has"]
            assert has is allowed, (role, function)


def test_the_local_stacks_site_url_agrees_with_the_databases_default(db, tmp_path, monkeypatch):
    monkeypatch.setattr(stack, "dev_cluster", lambda: _Cluster())
    path = tmp_path / ".env.local"
    path.write_text(f"{stack.PAYOUT_KEY}=made-by-gpg-elsewhere\n")
    env = stack.ensure_env_local(path)
    default = db.one(
        "select column_default from information_schema.columns"
        " where table_schema = 'public' and table_name = 'platform_settings'"
        " and column_name = 'site_url'"
    )["column_default"]
    assert default.startswith(f"'{env['SITE_URL']}'")
    config = tomllib.loads((ROOT / "supabase" / "config.toml").read_text())
    assert config["auth"]["site_url"] == "env(SITE_URL)"  # the CLI reads .env.local too


def test_a_site_url_with_a_trailing_slash_is_refused_so_links_have_no_double_slash(db):
    with pytest.raises(psycopg.errors.CheckViolation):
        db.sql("update public.platform_settings set site_url = 'https://africagnotte.org/'")


class _Cluster:
    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:postgres@127.0.0.1:54322/{database}"


def test_the_console_copies_site_url_into_the_database(db, operator_cli, monkeypatch, tmp_path):
    monkeypatch.setattr("admin_scripts.settings.ENV_LOCAL", tmp_path / "no.env")
    monkeypatch.setenv("SITE_URL", "https://africagnotte.org/")
    result = operator_cli("settings", "set", "site-url")
    assert result.exit_code == 0, result.output
    assert db.one("select site_url from public.platform_settings")["site_url"] == (
        "https://africagnotte.org"
    )
    monkeypatch.delenv("SITE_URL")
    result = operator_cli("settings", "set", "site-url")
    assert result.exit_code == 2
    assert "SITE_URL is not set" in result.stderr
    assert operator_cli("settings", "set", "platform-fee").exit_code == 2
