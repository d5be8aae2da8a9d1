"""Signed bearer tokens: who the caller is, for which organisation, in which roles, for which service.

EdDSA (Ed25519) JWTs: the issuer signs with the private key, services verify with the public key
only. Verification pins the algorithm (no ``none``, no HMAC-with-public-key confusion), checks
issuer, expiry and not-before, and rejects roles or organisation kinds the platform does not know.
The signature is checked by libsodium (``token_signature``), the rest by PyJWT as before.

Rules of issue 9:
* Lifetime: at most ``MAX_TOKEN_LIFETIME_SECONDS`` (8 hours, one working day) from issue to expiry.
  The issuer refuses to mint longer, and every service refuses a longer token even when it is
  validly signed (a misconfigured or compromised minting tool cannot hand out 10-year tokens).
* Audience: one service per token (``ServiceAudience``). A token minted for finance opens nothing
  in incidents; a token naming several audiences is refused.
* Identity: every token carries a random ``jti`` (``Principal.token_id``) and its expiry, so a
  write service can refuse a replay (``token_replay``).
Tokens are read on every request, so a change of role applies at the next token.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ap_contracts.envelope import OrgKind
from ap_runtime.access.keys import (
    KeyConfigError,
    KeyPair,
    generate_keypair,
    load_private_key,
    load_public_key,
    private_key_from_settings,
    public_key_from_settings,
)
from ap_runtime.access.principal import Principal
from ap_runtime.access.roles import Role
from ap_runtime.access.token_signature import ALGORITHM, TokenDecoder
from ap_runtime.settings import PlatformSettings, platform_settings

__all__ = [
    "KeyConfigError",
    "KeyPair",
    "ServiceAudience",
    "TokenIssuer",
    "TokenRejected",
    "TokenVerifier",
    "generate_keypair",
    "load_private_key",
    "load_public_key",
]

DEFAULT_ISSUER = "ap-platform"
ISSUER_ENV = "AP_TOKEN_ISSUER"
AUDIENCE_ENV = "AP_TOKEN_AUDIENCE"
DEFAULT_TTL_SECONDS = 3600
MAX_TOKEN_LIFETIME_SECONDS = 8 * 3600
MAX_TTL_SECONDS = MAX_TOKEN_LIFETIME_SECONDS
_REQUIRED_CLAIMS = ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]


class ServiceAudience(StrEnum):
    """The service a token is for: each service accepts only its own."""

    INCIDENTS = "ap-incidents"
    FINANCE = "ap-finance"
    REPORTING = "ap-reporting"
    NOTIFICATIONS = "ap-notifications"
    COMMISSIONING = "ap-commissioning"


class TokenRejected(Exception):
    """The bearer token cannot be trusted; ``reason`` says why in words fit for a 401 body."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _PlatformClaims(BaseModel):
    """The claims this platform adds to the registered JWT ones."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sub: str = Field(min_length=1, max_length=200)
    org: str = Field(min_length=1, max_length=200)
    org_kind: OrgKind
    roles: tuple[Role, ...] = Field(min_length=1)


class _TokenClaims(_PlatformClaims):
    """What a verified token adds: its id and times (seconds since the epoch)."""

    jti: str = Field(min_length=1, max_length=200)
    iat: int
    exp: int


class TokenIssuer:
    """Mints tokens; only the identity provider / dev tooling holds one."""

    def __init__(
        self,
        private_key: Ed25519PrivateKey,
        *,
        issuer: str = DEFAULT_ISSUER,
        audience: str | None = None,
        max_ttl_seconds: int = MAX_TOKEN_LIFETIME_SECONDS,
    ) -> None:
        if not 0 < max_ttl_seconds <= MAX_TOKEN_LIFETIME_SECONDS:
            raise ValueError(f"max_ttl_seconds must be between 1 and {MAX_TOKEN_LIFETIME_SECONDS}")
        self._key = private_key
        self.issuer = issuer
        self.audience = audience
        self.max_ttl_seconds = max_ttl_seconds

    @classmethod
    def from_settings(cls, settings: PlatformSettings) -> TokenIssuer:
        """From ``AP_TOKEN_PRIVATE_KEY`` (and optional ``AP_TOKEN_ISSUER``; ``AP_TOKEN_AUDIENCE``: the
        service tokens are minted for when ``mint`` names none)."""
        return cls(private_key_from_settings(settings), issuer=settings.token_issuer or DEFAULT_ISSUER,
                   audience=settings.token_audience or None)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TokenIssuer:
        """``from_settings`` of this process's settings (or of ``env``)."""
        return cls.from_settings(platform_settings(env))

    def mint(
        self,
        *,
        user_id: str,
        organisation_id: str,
        org_kind: OrgKind,
        roles: Iterable[Role],
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        now: datetime | None = None,
        audience: str | None = None,
    ) -> str:
        """A signed token for ``user_id`` acting for ``organisation_id`` in ``roles``, for one service
        (``audience``, else the issuer's)."""
        if not 0 < ttl_seconds <= self.max_ttl_seconds:
            raise ValueError(f"ttl_seconds must be between 1 and {self.max_ttl_seconds}")
        service = audience or self.audience
        if not service:
            raise ValueError("a token is for one service: name its audience (a ServiceAudience)")
        issued = now or datetime.now(UTC)
        claims = _PlatformClaims(sub=user_id, org=organisation_id, org_kind=org_kind, roles=tuple(roles))
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "aud": str(service),
            "sub": claims.sub,
            "iat": issued,
            "nbf": issued,
            "exp": issued + timedelta(seconds=ttl_seconds),
            "jti": str(uuid.uuid4()),
            "org": claims.org,
            "org_kind": claims.org_kind.value,
            "roles": sorted(role.value for role in claims.roles),
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM)


class TokenVerifier:
    """Verifies tokens with the public key and turns them into a ``Principal``."""

    def __init__(
        self,
        public_key: Ed25519PublicKey,
        *,
        audience: str,
        issuer: str = DEFAULT_ISSUER,
        leeway_seconds: int = 30,
        max_lifetime_seconds: int = MAX_TOKEN_LIFETIME_SECONDS,
    ) -> None:
        self._decoder = TokenDecoder(public_key)
        self.issuer = issuer
        self.audience = str(audience)
        self.leeway_seconds = leeway_seconds
        self.max_lifetime_seconds = max_lifetime_seconds

    @classmethod
    def from_settings(cls, settings: PlatformSettings, audience: str) -> TokenVerifier:
        """The verifier of the service ``audience`` from ``AP_TOKEN_PUBLIC_KEY`` (and optional ``AP_TOKEN_ISSUER``)."""
        return cls(public_key_from_settings(settings), audience=audience,
                   issuer=settings.token_issuer or DEFAULT_ISSUER)

    @classmethod
    def from_env(cls, audience: str, env: Mapping[str, str] | None = None) -> TokenVerifier:
        """``from_settings`` of this process's settings (or of ``env``)."""
        return cls.from_settings(platform_settings(env), audience)

    def verify(self, token: str) -> Principal:
        """The principal a valid token names; raises ``TokenRejected`` with the reason otherwise."""
        claims = self._claims(self._decode(token))
        lifetime = claims.exp - claims.iat
        if lifetime > self.max_lifetime_seconds:
            raise TokenRejected(f"token lifetime of {lifetime // 3600} h exceeds the "
                                f"{self.max_lifetime_seconds // 3600} h allowed")
        return Principal(
            user_id=claims.sub,
            organisation_id=claims.org,
            org_kind=claims.org_kind,
            roles=frozenset(claims.roles),
            token_id=claims.jti,
            token_expires_at=datetime.fromtimestamp(claims.exp, UTC),
        )

    def _decode(self, token: str) -> dict[str, Any]:
        """The signed claims, checked for signature, algorithm, time, audience and issuer: one reason per rejection."""
        try:
            raw: dict[str, Any] = self._decoder.decode(
                token, audience=self.audience, issuer=self.issuer, leeway=self.leeway_seconds,
                require=_REQUIRED_CLAIMS,
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRejected("token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise TokenRejected("token is not valid yet") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenRejected(f"token is not for this audience (expected {self.audience})") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenRejected(f"token was not issued by {self.issuer}") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRejected(f"token lacks the {exc.claim!r} claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenRejected("token signature is invalid") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise TokenRejected(f"token must be signed with {ALGORITHM}") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenRejected(f"token is malformed: {exc}") from exc
        return raw

    def _claims(self, raw: dict[str, Any]) -> _TokenClaims:
        """The platform's claims of a decoded token: one audience, and each claim well formed."""
        if not isinstance(raw.get("aud"), str):
            raise TokenRejected(f"token must name one audience, this service's ({self.audience})")
        try:
            return _TokenClaims.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise TokenRejected(f"token claims are invalid: {problems}") from exc
