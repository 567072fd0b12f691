"""JWTs as a Supabase project mints them (HS256 with the project's JWT secret).

Used for the local stack's anon and service_role keys, and by the test harness
to mint the access tokens GoTrue would give a signed-in user.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "HS256"
TEN_YEARS = 10 * 365 * 24 * 3600
LOCAL_AUTH_URL = "http://127.0.0.1:54321/auth/v1"


def sign(secret: str, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def api_key(secret: str, role: str) -> str:
    """An API key (anon or service_role) shaped like Supabase's legacy JWT keys."""
    now = int(time.time())
    return sign(secret, {"iss": "supabase-demo", "role": role, "iat": now, "exp": now + TEN_YEARS})


def access_token_claims(user: dict[str, Any], *, expires_in: int = 3600) -> dict[str, Any]:
    """The claims GoTrue puts in a user's access token, before the access token hook.

    ``user`` is an auth.users row (id, email, phone, raw_app_meta_data,
    raw_user_meta_data, is_anonymous).
    """
    now = int(time.time())
    return {
        "iss": LOCAL_AUTH_URL,
        "sub": str(user["id"]),
        "aud": "authenticated",
        "exp": now + expires_in,
        "iat": now,
        "email": user.get("email") or "",
        "phone": user.get("phone") or "",
        "app_metadata": user.get("raw_app_meta_data") or {},
        "user_metadata": user.get("raw_user_meta_data") or {},
        "role": "authenticated",
        "aal": "aal1",
        "amr": [{"method": "password", "timestamp": now}],
        "session_id": str(uuid.uuid4()),
        "is_anonymous": bool(user.get("is_anonymous")),
    }


def decode(secret: str, token: str, *, audience: str | None = None) -> dict[str, Any]:
    """Verify signature and expiry, as PostgREST and our service do."""
    options = {"verify_aud": audience is not None}
    return jwt.decode(token, secret, algorithms=[ALGORITHM], audience=audience, options=options)


# Payout accounts: an OpenPGP key pair --------------------------------------------------


@dataclass(frozen=True)
class PayoutKeyPair:
    """Armored OpenPGP keys: the public half goes into the database
    (private.install_payout_account_key), the private half to the service and
    the console (PAYOUT_ACCOUNTS_PRIVATE_KEY)."""

    public: str
    private: str


def payout_key_pair(bits: int = 3072) -> PayoutKeyPair:
    """A new RSA key pair without passphrase (RSA: pgcrypto encrypts to RSA or
    Elgamal only), made by gpg in a throwaway home. For local runs and tests;
    production keys are made and kept offline the same way."""
    home = tempfile.mkdtemp(prefix="africagnotte-gpg-")
    base = ["gpg", "--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback",
            "--passphrase", ""]  # fmt: skip
    try:
        uid = "AfriCagnotte payout accounts"
        subprocess.run(
            [*base, "--quick-gen-key", uid, f"rsa{bits}", "cert", "never"],
            check=True, capture_output=True,
        )  # fmt: skip
        listing = subprocess.run(
            [*base, "--list-keys", "--with-colons"], check=True, capture_output=True, text=True
        ).stdout
        fingerprint = next(
            line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr")
        )
        subprocess.run(
            [*base, "--quick-add-key", fingerprint, f"rsa{bits}", "encr", "never"],
            check=True, capture_output=True,
        )  # fmt: skip
        export = [*base, "--armor"]
        public = subprocess.run([*export, "--export"], check=True, capture_output=True, text=True)
        private = subprocess.run(
            [*export, "--export-secret-keys"], check=True, capture_output=True, text=True
        )
        return PayoutKeyPair(public=public.stdout, private=private.stdout)
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True, check=False
        )
        shutil.rmtree(home, ignore_errors=True)


def public_half(private_key: str) -> str:
    """The armored public key of an armored private key (gpg, in a throwaway home)."""
    home = tempfile.mkdtemp(prefix="africagnotte-gpg-")
    base = ["gpg", "--homedir", home, "--batch", "--no-tty"]
    try:
        subprocess.run(
            [*base, "--import"], input=private_key.encode(), check=True, capture_output=True
        )
        return subprocess.run(
            [*base, "--armor", "--export"], check=True, capture_output=True, text=True
        ).stdout
    finally:
        subprocess.run(
            ["gpgconf", "--homedir", home, "--kill", "all"], capture_output=True, check=False
        )
        shutil.rmtree(home, ignore_errors=True)


def dotenv_value(text: str) -> str:
    """A multi-line value as one .env line (double quotes, escaped line breaks)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
