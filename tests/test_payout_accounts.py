"""Payout accounts at rest: the database seals them to the platform's public key
(pgcrypto); dumps and backups hold ciphertext and masks only; the campaign's
team reads them in full through the service, the deciding admin through the
console, each with the private key the database never sees."""

from __future__ import annotations

import subprocess
import tarfile

import pytest

from admin_scripts import keys
from admin_scripts.backup_cmd import _tool
from localdev import stack
from tests.postgrest import ApiError
from webhooks import payout_accounts

BANK = {
    "method": "bank_account",
    "beneficiary_name": "Fatoumata Kouyaté",
    "bank_name": "Banque de Développement du Mali",
    "account_number": "ML03 D012 3456 7890 1234 5678 90",
}
ACCOUNT_NUMBER = "ML03D01234567890123456789" + "0"
WALLET = {
    "method": "mobile_money",
    "beneficiary_name": "Moussa Keïta Diarra",
    "mobile_operator": "orange_money",
    "phone_number": "+223 76 54 32 10",
}
CLEAR = ("Fatoumata", "Kouyat", ACCOUNT_NUMBER, "7654321", "Moussa", "Diarra")


@pytest.fixture
def campaign(owner, make_campaign, give, user):
    c = make_campaign(owner, "active", category="autre")
    give(c, 100_000, user)
    return c


@pytest.fixture
def payout(as_user, owner, campaign):
    return as_user(owner).rpc(
        "request_payout", {"campaign_id": campaign["id"], "amount": 10_000, **BANK}
    )


def read_account(service, who, payout_id):
    headers = {"Authorization": f"Bearer {who.token}"} if who else {}
    return service.get(f"/payouts/{payout_id}/account", headers=headers)


# At rest ----------------------------------------------------------------------------------


def test_the_account_is_stored_only_as_ciphertext_and_masks(db, payout):
    row = db.one("select * from public.payout_requests")
    assert (row["beneficiary_mask"], row["account_mask"], row["bank_name"]) == (
        "F. K.", "•••• 7890", "Banque de Développement du Mali",
    )  # fmt: skip
    assert not {"beneficiary_name", "account_number", "phone_number"} & set(row)
    sealed = db.one("select key_id, ciphertext from private.payout_accounts")
    assert sealed["key_id"] == db.one("select key_id from private.payout_account_key")["key_id"]
    assert ACCOUNT_NUMBER.encode() not in bytes(sealed["ciphertext"])


def test_a_wallet_is_masked_with_its_country_prefix(as_user, owner, campaign):
    p = as_user(owner).rpc(
        "request_payout", {"campaign_id": campaign["id"], "amount": 10_000, **WALLET}
    )
    assert (p["account_mask"], p["beneficiary_mask"], p["mobile_operator"]) == (
        "+223 •• ••• •• 10", "M. K. D.", "orange_money",
    )  # fmt: skip


def test_only_the_private_key_opens_the_account(db, payout, payout_keys):
    ciphertext = db.one("select ciphertext from private.payout_accounts")["ciphertext"]
    assert payout_accounts.decrypt(ciphertext, payout_keys.private) == {
        "beneficiary_name": "Fatoumata Kouyaté", "account_number": ACCOUNT_NUMBER,
    }  # fmt: skip
    with pytest.raises(payout_accounts.PayoutKeyError) as err:
        payout_accounts.decrypt(ciphertext, keys.payout_key_pair(2048).private)
    assert err.value.token == "payout_key_unavailable"
    with pytest.raises(payout_accounts.PayoutKeyError) as err:
        payout_accounts.decrypt(ciphertext, None)
    assert err.value.token == "payout_key_missing"


def test_a_backup_holds_no_clear_account(db, operator_cli, monkeypatch, payout, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db.url)  # pg_dump needs a session
    result = operator_cli("backup", "--output", str(tmp_path), "--no-verify")
    assert result.exit_code == 0, result.output
    (file,) = tmp_path.glob("africagnotte-*.tar")
    with tarfile.open(file) as tar:
        tar.extractall(tmp_path, filter="data")
    text = subprocess.run(
        [_tool("pg_restore"), "--file=-", str(tmp_path / "project.dump")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "•••• 7890" in text  # the dump has the payout…
    for clear in CLEAR:
        assert clear not in text  # …but not its account
    assert "PRIVATE KEY" not in text


def test_without_an_installed_key_a_request_is_refused_and_nothing_written(
    db, as_user, owner, campaign
):
    db.sql("delete from private.payout_account_key")
    with pytest.raises(ApiError) as err:
        as_user(owner).rpc(
            "request_payout", {"campaign_id": campaign["id"], "amount": 10_000, **BANK}
        )
    assert (err.value.status, err.value.message) == (503, "payout_key_missing")
    assert db.sql("select 1 from public.payout_requests") == []
    assert db.sql("select 1 from private.ledger_entries where payout_id is not null") == []


def test_api_roles_get_no_ciphertext_nor_key_by_any_path(db, as_user, owner, admin, payout):
    for who in (owner, admin):
        (row,) = as_user(who).get("payout_requests")
        assert "ciphertext" not in row
        assert not set(CLEAR) & set(map(str, row.values()))
    for table in ("payout_accounts", "payout_account_key"):
        for role in ("anon", "authenticated", "service_role"):
            assert not db.one(
                "select has_table_privilege(%s, %s, 'select') as ok", [role, f"private.{table}"]
            )["ok"]


def test_the_local_stack_makes_its_key_pair_once_and_installs_the_public_half(
    db, as_user, owner, campaign, tmp_path
):
    env = stack.ensure_env_local(tmp_path / ".env.local")
    private = env["PAYOUT_ACCOUNTS_PRIVATE_KEY"]
    assert "PRIVATE KEY BLOCK" in private
    assert stack.ensure_env_local(tmp_path / ".env.local") == env  # kept
    db.sql("delete from private.payout_account_key")
    stack.install_payout_key(db.url, env)
    stack.install_payout_key(db.url, env)  # a database with a key keeps it
    as_user(owner).rpc("request_payout", {"campaign_id": campaign["id"], "amount": 1_000, **BANK})
    ciphertext = db.one("select ciphertext from private.payout_accounts")["ciphertext"]
    assert payout_accounts.decrypt(ciphertext, private)["account_number"] == ACCOUNT_NUMBER


# The campaign's team: GET /payouts/<id>/account ----------------------------------------


def test_the_team_reads_its_payout_account_in_full_audited(
    db, service, owner, make_user, campaign, payout
):
    helper = make_user()
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [campaign["id"], helper.id],
    )
    for who in (owner, helper):
        response = read_account(service, who, payout["id"])
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == {
            "payout_id": str(payout["id"]), "method": "bank_account",
            "bank_name": "Banque de Développement du Mali", "mobile_operator": None,
            "beneficiary_name": "Fatoumata Kouyaté", "account_number": ACCOUNT_NUMBER,
            "phone_number": None, "institution_id": None, "institution_name": None,
            "account_mask": "•••• 7890",
        }  # fmt: skip
    readers = db.sql(
        "select actor_id from private.audit_log where action = 'read_payout_account' order by id"
    )
    assert [r["actor_id"] for r in readers] == [owner.id, helper.id]


def test_a_banned_team_member_no_longer_reads_where_the_money_goes(
    db, service, gotrue, owner, make_user, campaign, payout
):
    helper = make_user()
    db.sql(
        "insert into public.campaign_members (campaign_id, user_id) values (%s, %s)",
        [campaign["id"], helper.id],
    )
    for who in (helper, owner):
        gotrue.ban(who)  # their token still valid until it expires
        response = read_account(service, who, payout["id"])
        assert (response.status_code, response.get_json()["message"]) == (
            403, "account_banned",
        )  # fmt: skip
        assert "Fatoumata" not in response.get_data(as_text=True)
    assert db.sql("select 1 from private.audit_log where action = 'read_payout_account'") == []


@pytest.mark.parametrize("actor", ["user", "admin", "moderator"])
def test_anyone_off_the_team_gets_not_found(request, db, service, payout, actor):
    response = read_account(service, request.getfixturevalue(actor), payout["id"])
    assert (response.status_code, response.get_json()["message"]) == (
        404, "payout_not_found",
    )  # fmt: skip
    assert "Fatoumata" not in response.get_data(as_text=True)
    assert db.sql("select 1 from private.audit_log where action = 'read_payout_account'") == []


@pytest.mark.parametrize(
    ("path", "token", "status", "code"),
    [
        ("{id}", None, 401, "sign_in_required"),
        ("{id}", "not-a-jwt", 401, "invalid_token"),
        ("not-a-uuid", "owner", 404, "payout_not_found"),
        ("00000000-0000-0000-0000-000000000000", "owner", 404, "payout_not_found"),
    ],
)
def test_bad_calls_are_clean_refusals(service, owner, payout, path, token, status, code):
    headers = {"Authorization": f"Bearer {owner.token if token == 'owner' else token}"}
    response = service.get(
        f"/payouts/{path.format(id=payout['id'])}/account", headers=headers if token else {}
    )
    assert (response.status_code, response.get_json()["message"]) == (status, code)


@pytest.mark.parametrize(
    ("key", "code"), [("", "payout_key_missing"), ("other", "payout_key_unavailable")]
)
def test_a_missing_or_wrong_service_key_is_a_clean_503(
    make_app, service_settings, owner, payout, key, code
):
    private = keys.payout_key_pair(2048).private if key == "other" else key
    service = make_app(**{**service_settings, "payout_accounts_private_key": private}).test_client()
    response = read_account(service, owner, payout["id"])
    assert (response.status_code, response.get_json()["message"]) == (503, code)
    assert "Fatoumata" not in response.get_data(as_text=True)


# The deciding admin: `cagnotte-admin payouts show` ------------------------------------------


def test_show_without_the_private_key_exits_2(operator_cli, monkeypatch, payout):
    monkeypatch.delenv("PAYOUT_ACCOUNTS_PRIVATE_KEY")
    result = operator_cli("payouts", "show", str(payout["id"]))
    assert result.exit_code == 2
    assert "PAYOUT_ACCOUNTS_PRIVATE_KEY" in result.stderr
    assert ACCOUNT_NUMBER not in result.output


def test_show_with_a_wrong_key_exits_1_cleanly(operator_cli, monkeypatch, payout):
    monkeypatch.setenv("PAYOUT_ACCOUNTS_PRIVATE_KEY", keys.payout_key_pair(2048).private)
    result = operator_cli("payouts", "show", str(payout["id"]))
    assert result.exit_code == 1
    assert "cannot open this account" in result.stderr
    assert "Traceback" not in result.output


def test_show_prints_the_account_for_the_deciding_admin(operator_cli, payout):
    result = operator_cli("payouts", "show", str(payout["id"]))
    assert result.exit_code == 0, result.output
    assert f"account number: {ACCOUNT_NUMBER}" in result.stdout
    assert "beneficiary: Fatoumata Kouyaté" in result.stdout
