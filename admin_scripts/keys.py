"""The payout accounts' OpenPGP key pair: the database seals payout accounts with
the public half; the service and the console open them with the private half
(PAYOUT_ACCOUNTS_PRIVATE_KEY). Made by gpg, for the local stack, the tests and,
offline, production.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass


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
