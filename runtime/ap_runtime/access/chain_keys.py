"""The secret key of the access-audit chain, held by the processes that write or verify the audit.

Rule served: an audit trail that cannot be rewritten without detection (STATUTORY.md, DPA 2018 s.62;
OWASP ASVS V16). Each record's link is an HMAC-SHA256 under this key, and the key lives only in the
environment of the audit writers and the verifier, never in the audit database: someone who can
change the database cannot recompute a valid chain after deleting or editing records.

Format: ``AP_AUDIT_CHAIN_KEY=<key id>:<base64 of at least 32 random bytes>`` (``ap access
audit-keygen`` prints one). Rotation: generate a new key, move the old ``id:base64`` into
``AP_AUDIT_CHAIN_RETIRED_KEYS`` (comma-separated) and set the new one as ``AP_AUDIT_CHAIN_KEY``
on every writer and on the verifier. New records carry the new key id; records chained under a
retired key still verify for as long as that key stays in the retired list.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ap_runtime.settings import PlatformSettings, platform_settings

CHAIN_KEY_ENV = "AP_AUDIT_CHAIN_KEY"
RETIRED_KEYS_ENV = "AP_AUDIT_CHAIN_RETIRED_KEYS"
MIN_KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class ChainKeyError(ValueError):
    """The audit chain key is missing or malformed; the message names the variable and the problem."""


@dataclass(frozen=True, slots=True)
class ChainKey:
    """One HMAC key of the audit chain; ``secret`` is never shown in a repr."""

    key_id: str
    secret: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class ChainKeyRing:
    """The key that chains new records, and retired keys that still verify older ones."""

    active: ChainKey
    retired: tuple[ChainKey, ...] = ()

    def get(self, key_id: str) -> ChainKey | None:
        """The key named ``key_id``, active or retired."""
        return next((k for k in (self.active, *self.retired) if k.key_id == key_id), None)


def parse_chain_key(text: str, *, variable: str = CHAIN_KEY_ENV) -> ChainKey:
    """``<key id>:<base64>`` into a ``ChainKey``; raises ``ChainKeyError`` saying what is wrong."""
    key_id, sep, encoded = text.strip().partition(":")
    if not sep or not _KEY_ID.match(key_id):
        raise ChainKeyError(f"{variable}: expected '<key id>:<base64>' with a key id of letters, digits, '.', '_', '-'")
    try:
        secret = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ChainKeyError(f"{variable}: key {key_id!r} is not valid base64") from exc
    if len(secret) < MIN_KEY_BYTES:
        raise ChainKeyError(f"{variable}: key {key_id!r} has {len(secret)} bytes; at least {MIN_KEY_BYTES} needed")
    return ChainKey(key_id, secret)


def chain_keys_from_settings(settings: PlatformSettings) -> ChainKeyRing:
    """The ring from ``AP_AUDIT_CHAIN_KEY`` and ``AP_AUDIT_CHAIN_RETIRED_KEYS``; refuses to run without a key."""
    if settings.audit_chain_key is None:
        raise ChainKeyError(f"{CHAIN_KEY_ENV} is not set (run `ap access audit-keygen` for one)")
    active = parse_chain_key(settings.audit_chain_key.get_secret_value())
    retired_keys = settings.audit_chain_retired_keys
    retired_text = "" if retired_keys is None else retired_keys.get_secret_value()
    retired = tuple(parse_chain_key(part, variable=RETIRED_KEYS_ENV)
                    for part in retired_text.split(",") if part.strip())
    if any(k.key_id == active.key_id for k in retired):
        raise ChainKeyError(f"{RETIRED_KEYS_ENV}: key id {active.key_id!r} is also the active key")
    return ChainKeyRing(active, retired)


def chain_keys_from_env(env: Mapping[str, str] | None = None) -> ChainKeyRing:
    """``chain_keys_from_settings`` of this process's settings (or of ``env``)."""
    return chain_keys_from_settings(platform_settings(env))


def new_chain_key(key_id: str | None = None) -> str:
    """A fresh ``<key id>:<base64>`` value for ``AP_AUDIT_CHAIN_KEY`` (32 random bytes)."""
    name = key_id or f"audit-{datetime.now(UTC):%Y%m%d%H%M%S}"
    return f"{name}:{base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode('ascii')}"
