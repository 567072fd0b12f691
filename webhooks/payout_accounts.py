"""Payout accounts in full: the database seals them to the platform's public key
(pgcrypto, OpenPGP); only this service and the console hold the private key
(PAYOUT_ACCOUNTS_PRIVATE_KEY, armored) and open them here, with gpg. SQL decides
who may read an account; the private key never goes to the database.

GET /payouts/<id>/account: the campaign's team, signed in, reads where its money
goes (private.payout_account_for_team decides and audits). A payout to a
verified institution (a hospital, a school…) shows the institution's name and
masked account only: its account is for the deciding admin (the console)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, current_app, jsonify
from pydantic import BaseModel

from webhooks.auth import optional_user_id
from webhooks.db import connection
from webhooks.errors import ApiError, TokenError

bp = Blueprint("payout_accounts", __name__)

GPG_TIMEOUT = 20  # seconds


class PayoutKeyError(TokenError):
    """The payout key is missing, or it cannot open this account."""

    token = "payout_key_unavailable"


@contextmanager
def gnupg_home() -> Iterator[str]:
    """A throwaway gpg home (the private key is imported there for one use)."""
    home = tempfile.mkdtemp(prefix="africagnotte-gpg-")
    try:
        yield home
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True, check=False
        )
        shutil.rmtree(home, ignore_errors=True)


def _gpg(home: str, *args: str, data: bytes) -> bytes:
    try:
        result = subprocess.run(
            ["gpg", "--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback",
             "--passphrase", "", *args],
            input=data, capture_output=True, timeout=GPG_TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PayoutKeyError(f"gpg is not usable here: {exc}") from None
    if result.returncode != 0:
        raise PayoutKeyError(
            "the payout key cannot open this account (is PAYOUT_ACCOUNTS_PRIVATE_KEY"
            " the private half of the key installed in the database?)"
        )
    return result.stdout


def decrypt(ciphertext: bytes, private_key: str | None) -> dict[str, Any]:
    """The account sealed by private.seal_payout_account, opened with the private key."""
    if not private_key or "PRIVATE KEY BLOCK" not in private_key:
        raise PayoutKeyError(
            "PAYOUT_ACCOUNTS_PRIVATE_KEY is not set (an armored OpenPGP private key)",
            token="payout_key_missing",
        )
    with gnupg_home() as home:
        _gpg(home, "--import", data=private_key.encode())
        clear = _gpg(home, "--decrypt", data=bytes(ciphertext))
    try:
        return json.loads(clear)
    except ValueError:
        raise PayoutKeyError("this account's plaintext is not what the database sealed") from None


class PayoutAccount(BaseModel):
    """A payout's destination in full (GET /payouts/<id>/account)."""

    payout_id: uuid.UUID
    method: str
    bank_name: str | None
    mobile_operator: str | None
    beneficiary_name: str | None
    account_number: str | None
    phone_number: str | None
    # a payout to a verified institution: its name (null: the organiser's account)
    institution_id: uuid.UUID | None
    institution_name: str | None
    account_mask: str


def account_view(payout: dict[str, Any], sealed: dict[str, Any]) -> dict[str, Any]:
    """A payout's destination, as the team or the deciding admin reads it (an
    institution's account to the team: ``sealed`` empty, its masks only)."""
    return {
        "payout_id": str(payout["id"]),
        "method": payout["method"],
        "bank_name": payout["bank_name"],
        "mobile_operator": payout["mobile_operator"],
        **{k: sealed.get(k) for k in ("beneficiary_name", "account_number", "phone_number")},
        "institution_id": payout["institution_id"] and str(payout["institution_id"]),
        "institution_name": payout["institution_name"],
        "account_mask": payout["account_mask"],
    }


ACCOUNT_SQL = """
select a.ciphertext, p.id, p.method::text, p.bank_name, p.mobile_operator::text,
    p.institution_id, i.name as institution_name, p.account_mask
from private.payout_account_for_team(%s, %s) as a
join public.payout_requests as p on p.id = a.payout_id
left join public.institutions as i on i.id = p.institution_id
"""


@bp.get("/payouts/<payout_id>/account")
def payout_account(payout_id: str):
    """The full destination of a payout, for the campaign's team."""
    user_id = optional_user_id()
    if user_id is None:
        raise ApiError("sign_in_required", "sign in to read a payout account")
    try:
        payout = uuid.UUID(payout_id)
    except ValueError:
        raise ApiError("payout_not_found", "No such payout request.") from None
    with connection() as conn:
        row = conn.execute(ACCOUNT_SQL, [user_id, payout]).fetchone()
    if row["institution_id"] is not None:  # the institution's account is not the team's
        return jsonify(account_view(row, {}))
    settings = current_app.config["SETTINGS"]
    return jsonify(
        account_view(row, decrypt(row["ciphertext"], settings.payout_accounts_private_key))
    )
