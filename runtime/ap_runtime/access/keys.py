"""Ed25519 signing keys for access tokens.

Only the token issuer holds the private key; every service holds the public key alone, so a
compromised service cannot mint tokens. Keys come from the environment as PEM text, or as base64
(of the PEM, of DER, or of the raw 32-byte key) so that they fit on one environment-variable line.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ap_runtime.settings import PlatformSettings, platform_settings

PRIVATE_KEY_ENV = "AP_TOKEN_PRIVATE_KEY"
PUBLIC_KEY_ENV = "AP_TOKEN_PUBLIC_KEY"
_RAW_KEY_BYTES = 32


class KeyConfigError(ValueError):
    """A key is missing, malformed, or not an Ed25519 key."""


def _key_bytes(text: str) -> bytes:
    """PEM bytes as given, or the decoded base64 form."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        return stripped.encode("ascii")
    try:
        return base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyConfigError("key is neither PEM nor base64") from exc


def load_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM, or base64 of PEM, PKCS#8 DER or the raw 32 bytes."""
    data = _key_bytes(text)
    try:
        if data.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
        elif len(data) == _RAW_KEY_BYTES:
            key = Ed25519PrivateKey.from_private_bytes(data)
        else:
            key = serialization.load_der_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyConfigError(f"cannot load private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyConfigError("private key is not an Ed25519 key")
    return key


def load_public_key(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM, or base64 of PEM, SubjectPublicKeyInfo DER or the raw 32 bytes."""
    data = _key_bytes(text)
    try:
        if data.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        elif len(data) == _RAW_KEY_BYTES:
            key = Ed25519PublicKey.from_public_bytes(data)
        else:
            key = serialization.load_der_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KeyConfigError(f"cannot load public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyConfigError("public key is not an Ed25519 key")
    return key


def _required(value: str | None, name: str) -> str:
    if not value:
        raise KeyConfigError(f"{name} is not set (run `python -m ap_runtime.access keygen` for a dev pair)")
    return value


def private_key_from_settings(settings: PlatformSettings) -> Ed25519PrivateKey:
    """The token issuer's key, ``AP_TOKEN_PRIVATE_KEY``."""
    secret = settings.token_private_key
    return load_private_key(_required(None if secret is None else secret.get_secret_value(), PRIVATE_KEY_ENV))


def public_key_from_settings(settings: PlatformSettings) -> Ed25519PublicKey:
    """The key every service verifies tokens with, ``AP_TOKEN_PUBLIC_KEY``."""
    return load_public_key(_required(settings.token_public_key, PUBLIC_KEY_ENV))


def private_key_from_env(env: Mapping[str, str] | None = None) -> Ed25519PrivateKey:
    """``private_key_from_settings`` of this process's settings (or of ``env``)."""
    return private_key_from_settings(platform_settings(env))


def public_key_from_env(env: Mapping[str, str] | None = None) -> Ed25519PublicKey:
    """``public_key_from_settings`` of this process's settings (or of ``env``)."""
    return public_key_from_settings(platform_settings(env))


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A freshly generated key pair in PEM, with one-line base64 forms for environment files."""

    private_pem: str
    public_pem: str

    @property
    def private_b64(self) -> str:
        return base64.b64encode(self.private_pem.encode("ascii")).decode("ascii")

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_pem.encode("ascii")).decode("ascii")

    def env_lines(self) -> str:
        return f"{PRIVATE_KEY_ENV}={self.private_b64}\n{PUBLIC_KEY_ENV}={self.public_b64}\n"


def generate_keypair() -> KeyPair:
    """A new random Ed25519 key pair (for development, tests, or a first deployment)."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return KeyPair(private_pem=private_pem, public_pem=public_pem)
