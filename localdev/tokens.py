"""JWTs as a Supabase project mints them (HS256 with the project's JWT secret).

Used for the local stack's anon and service_role keys (.env.local), and by the
test harness to mint the access tokens GoTrue would give a signed-in user.
"""

from __future__ import annotations

import time
import uuid
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
