"""Providers' signatures as the providers compute them, for tests that post
signed webhooks (Stripe's: tests.stripe_fake.sign; CinetPay's:
tests.cinetpay_fake.x_token)."""

from __future__ import annotations

import time

import cloudinary.utils

from tests.conftest import CLOUDINARY_SECRET


def cloudinary_headers(body: str) -> dict[str, str]:
    """X-Cld-Timestamp and X-Cld-Signature for a notification's body, signed now."""
    ts = str(int(time.time()))
    sig = cloudinary.utils.compute_hex_hash(f"{body}{ts}{CLOUDINARY_SECRET}", "sha1")
    return {"X-Cld-Timestamp": ts, "X-Cld-Signature": sig}
