"""Who is calling: an optional Supabase access token (Authorization: Bearer)."""

from __future__ import annotations

import uuid
from functools import cache

import jwt
from flask import current_app, request

from webhooks.config import Settings
from webhooks.errors import TokenError

ASYMMETRIC = ["ES256", "RS256", "EdDSA"]


class Unauthorized(TokenError):
    token = "invalid_token"


@cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=600, timeout=5)


def verify_token(token: str, settings: Settings) -> dict:
    """Claims of a Supabase access token: HS256 with the project's JWT secret, or
    an asymmetric key from the project's JWKS (when SUPABASE_URL is set)."""
    try:
        alg = jwt.get_unverified_header(token).get("alg")
        if alg == "HS256" and settings.supabase_jwt_secret:
            key: object = settings.supabase_jwt_secret
            algorithms = ["HS256"]
        elif alg in ASYMMETRIC and settings.supabase_url:
            jwks = f"{str(settings.supabase_url).rstrip('/')}/auth/v1/.well-known/jwks.json"
            key = _jwks_client(jwks).get_signing_key_from_jwt(token).key
            algorithms = ASYMMETRIC
        else:
            raise Unauthorized("this token's signing algorithm is not accepted")
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            options={"require": ["exp", "role"], "verify_aud": False},
        )
    except jwt.PyJWKClientError as exc:
        raise Unauthorized(f"signing key unavailable: {exc}") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"invalid token: {exc}") from None
    if (
        claims["role"] == "authenticated"
        and claims.get("aud") == "authenticated"
        and "sub" in claims
    ):
        return claims
    if claims["role"] == "anon":
        return claims  # the anon key: a guest
    raise Unauthorized("a user's access token, the anon key, or no token")


def optional_user_id() -> uuid.UUID | None:
    """The signed-in user, None for a guest; a bad token is refused (401)."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization is 'Bearer <access token>'")
    claims = verify_token(token.strip(), current_app.config["SETTINGS"])
    if claims["role"] == "anon":
        return None
    try:
        return uuid.UUID(claims["sub"])
    except (ValueError, TypeError, AttributeError):  # sub of any JSON type
        raise Unauthorized("invalid token: sub is not a user id") from None
