"""Settings from the environment, validated when the app starts."""

from __future__ import annotations

import re

from pydantic import AnyHttpUrl, Field, PostgresDsn, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CINETPAY_API = "https://api-checkout.cinetpay.com"
PAYSTACK_API = "https://api.paystack.co"
# What each provider's API calls need (the gateways' require_configured; the console
# names the missing ones).
PROVIDER_SETTINGS: dict[str, tuple[str, ...]] = {
    "stripe": ("stripe_secret_key",),
    "cinetpay": ("cinetpay_api_key", "cinetpay_site_id", "cinetpay_secret_key"),
    "paystack": ("paystack_secret_key",),
}
# An origin as browsers send it (RFC 6454): scheme, host, optional port; nothing more.
ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: PostgresDsn
    db_pool_min_size: int = Field(default=1, ge=0)
    db_pool_max_size: int = Field(default=10, ge=1)
    # Seconds a request waits for a pooled connection before answering 503.
    db_pool_timeout: float = Field(default=5.0, gt=0)
    # The role the service's transactions act as (SET LOCAL ROLE); never the login
    # role itself (postgres bypasses RLS and owns everything).
    db_role: str = Field(default="service_role", min_length=1)

    # Supabase Auth: users' access tokens (HS256 with the JWT secret; asymmetric
    # keys through the project's JWKS when SUPABASE_URL is set).
    supabase_jwt_secret: str | None = Field(default=None, min_length=32)
    supabase_url: AnyHttpUrl | None = None

    # Where donors come back after paying; its origin may call the service from a
    # browser (webhooks/cors.py), as may CORS_ALLOWED_ORIGINS (comma-separated
    # origins, e.g. a preview deployment: https://preview.africagnotte.org).
    site_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:3000")
    cors_allowed_origins: str = ""

    # Stripe. STRIPE_API_BASE points API calls elsewhere (tests).
    stripe_secret_key: str | None = Field(default=None, pattern=r"^(sk|rk)_(test|live)_\w+$")
    stripe_webhook_secret: str | None = Field(default=None, pattern=r"^whsec_\w+$")
    stripe_api_base: AnyHttpUrl | None = None
    stripe_timeout: float = Field(default=15.0, gt=0)

    # CinetPay (mobile money). CINETPAY_API_BASE points API calls elsewhere (tests).
    cinetpay_api_key: str | None = None
    cinetpay_site_id: str | None = Field(default=None, pattern=r"^\d+$")
    cinetpay_secret_key: str | None = None
    cinetpay_api_base: AnyHttpUrl = AnyHttpUrl(CINETPAY_API)
    cinetpay_timeout: float = Field(default=15.0, gt=0)

    # Paystack (NGN, GHS, KES, ZAR; XOF). Its secret key signs its webhooks too.
    # PAYSTACK_API_BASE points API calls elsewhere (tests).
    paystack_secret_key: str | None = Field(default=None, pattern=r"^sk_(test|live)_\w+$")
    paystack_api_base: AnyHttpUrl = AnyHttpUrl(PAYSTACK_API)
    paystack_timeout: float = Field(default=15.0, gt=0)

    # Cloudinary: cloudinary://<api_key>:<api_secret>@<cloud_name>; this service's
    # public URL, for Cloudinary's notifications.
    cloudinary_url: str | None = Field(
        default=None, pattern=r"^cloudinary://[^:@/]+:[^:@/]+@[a-z0-9_-]+$"
    )
    public_base_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")

    # The private half of the payout-accounts key (armored OpenPGP): opens the
    # payout accounts the database sealed to its public half.
    payout_accounts_private_key: str | None = None

    @field_validator(
        "supabase_jwt_secret",
        "supabase_url",
        "stripe_secret_key",
        "stripe_webhook_secret",
        "stripe_api_base",
        "cinetpay_api_key",
        "cinetpay_site_id",
        "cinetpay_secret_key",
        "paystack_secret_key",
        "cloudinary_url",
        "payout_accounts_private_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("cinetpay_api_base", mode="before")
    @classmethod
    def _empty_is_cinetpay(cls, value: object) -> object:
        return CINETPAY_API if value == "" else value

    @field_validator("paystack_api_base", mode="before")
    @classmethod
    def _empty_is_paystack(cls, value: object) -> object:
        return PAYSTACK_API if value == "" else value

    @field_validator("site_url")
    @classmethod
    def _site_is_origin_and_path(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        """Donors' return pages and the site's CORS origin are built on it: no
        login part, query or fragment (the database's copy is held to the same:
        the email outbox migration's check on platform_settings.site_url)."""
        if value.username or value.password or value.query or value.fragment:
            raise ValueError("the site's origin and an optional path: no user, query or fragment")
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins_only(cls, value: str) -> str:
        for origin in filter(None, (o.strip() for o in value.split(","))):
            if not ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port], no path)")
        return value

    @property
    def browser_origins(self) -> list[str]:
        """The origins whose pages may call the service: the site's, then the listed ones."""
        site = f"{self.site_url.scheme}://{self.site_url.host}"
        if self.site_url.port not in (None, 80, 443):
            site += f":{self.site_url.port}"
        listed = [o.strip().lower() for o in self.cors_allowed_origins.split(",") if o.strip()]
        return list(dict.fromkeys([site.lower(), *listed]))

    @property
    def cloudinary(self) -> tuple[str, str, str] | None:
        """(cloud_name, api_key, api_secret) from CLOUDINARY_URL."""
        if not self.cloudinary_url:
            return None
        credentials, _, cloud = self.cloudinary_url.removeprefix("cloudinary://").rpartition("@")
        key, _, secret = credentials.partition(":")
        return cloud, key, secret

    def missing_settings(self, provider: str) -> list[str]:
        """The settings a provider's API calls need and this configuration lacks,
        as their environment variables (PROVIDER_SETTINGS)."""
        return [name.upper() for name in PROVIDER_SETTINGS[provider] if not getattr(self, name)]

    @property
    def cinetpay_configured(self) -> bool:
        return not self.missing_settings("cinetpay")

    @property
    def paystack_configured(self) -> bool:
        return not self.missing_settings("paystack")

    @property
    def stripe_livemode(self) -> bool:
        return bool(self.stripe_secret_key and "_live_" in self.stripe_secret_key)


class ConfigError(RuntimeError):
    pass


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
