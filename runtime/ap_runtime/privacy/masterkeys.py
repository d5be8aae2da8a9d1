"""Operator-held master keys that wrap every pupil data key (envelope encryption).

The operator supplies the ring in the environment, never in the database that holds wrapped keys:

    AP_MASTER_KEYS="mk-2025a:<base64 32 bytes>,mk-2025b:<base64 32 bytes>"
    AP_ACTIVE_MASTER_KEY=mk-2025b

New data keys are wrapped with the active key; a wrapped key names the master key that wrapped it,
so during a rotation both keys sit in the ring and readers unwrap either. Wrapping is AES-256-GCM
with associated data binding the wrap to its master key id and to its subject, so a wrapped key
copied onto another subject's row does not unwrap.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ap_runtime.privacy.errors import MasterKeyConfigError, MasterKeyMissing, SealedValueRejected
from ap_runtime.settings import PlatformSettings, platform_settings

KEY_BYTES = 32
NONCE_BYTES = 12
MASTER_KEYS_ENV = "AP_MASTER_KEYS"
ACTIVE_MASTER_KEY_ENV = "AP_ACTIVE_MASTER_KEY"
_KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_WRAP_CONTEXT = b"ap.subject-key.v1"


@dataclass(frozen=True, slots=True)
class WrappedKey:
    master_key_id: str
    blob: bytes  # nonce | ciphertext | tag


class MasterKeyRing:
    """The master keys this process may use, and which one wraps new data keys."""

    __slots__ = ("_active", "_aeads")

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str) -> None:
        for key_id, key in keys.items():
            if not _KEY_ID.match(key_id):
                raise MasterKeyConfigError(f"master key id {key_id!r} must match {_KEY_ID.pattern}")
            if len(key) != KEY_BYTES:
                raise MasterKeyConfigError(f"master key {key_id!r} must be {KEY_BYTES} bytes (AES-256)")
        if active_key_id not in keys:
            raise MasterKeyConfigError(f"active master key {active_key_id!r} is not in the ring")
        self._aeads = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._active = active_key_id

    @classmethod
    def from_settings(cls, settings: PlatformSettings) -> MasterKeyRing:
        """From ``AP_MASTER_KEYS`` ("id:base64,id:base64") and ``AP_ACTIVE_MASTER_KEY``."""
        spec = "" if settings.master_keys is None else settings.master_keys.get_secret_value().strip()
        if not spec:
            raise MasterKeyConfigError(f"{MASTER_KEYS_ENV} is not set: no master key to protect pupil data keys")
        keys = parse_master_keys(spec)
        active = (settings.active_master_key or "").strip()
        if not active:
            if len(keys) != 1:
                raise MasterKeyConfigError(f"{ACTIVE_MASTER_KEY_ENV} must name one of {sorted(keys)}")
            active = next(iter(keys))
        return cls(keys, active)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MasterKeyRing:
        """``from_settings`` of this process's settings (or of ``environ``)."""
        return cls.from_settings(platform_settings(environ))

    def __repr__(self) -> str:
        return f"MasterKeyRing(key_ids={self.key_ids!r}, active={self._active!r})"

    @property
    def active_key_id(self) -> str:
        return self._active

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._aeads))

    def require(self, key_id: str) -> None:
        if key_id not in self._aeads:
            raise MasterKeyMissing(key_id)

    def wrap(self, subject: str, data_key: bytes, key_id: str | None = None) -> WrappedKey:
        """Encrypt a data key under the active master key (or ``key_id``)."""
        key_id = key_id or self._active
        self.require(key_id)
        nonce = os.urandom(NONCE_BYTES)
        blob = nonce + self._aeads[key_id].encrypt(nonce, data_key, _wrap_aad(key_id, subject))
        return WrappedKey(key_id, blob)

    def unwrap(self, subject: str, wrapped: WrappedKey) -> bytes:
        """Decrypt a data key with the master key its row names."""
        self.require(wrapped.master_key_id)
        nonce, body = wrapped.blob[:NONCE_BYTES], wrapped.blob[NONCE_BYTES:]
        try:
            key = self._aeads[wrapped.master_key_id].decrypt(
                nonce, body, _wrap_aad(wrapped.master_key_id, subject)
            )
        except InvalidTag:
            raise SealedValueRejected(
                f"wrapped data key of {subject!r} does not authenticate under {wrapped.master_key_id!r}"
            ) from None
        return key


def _wrap_aad(key_id: str, subject: str) -> bytes:
    return b"\x00".join((_WRAP_CONTEXT, key_id.encode(), subject.encode()))


def parse_master_keys(spec: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep:
            raise MasterKeyConfigError(f"{MASTER_KEYS_ENV} entries must be 'id:base64key'")
        if key_id in keys:
            raise MasterKeyConfigError(f"master key id {key_id!r} appears twice")
        try:
            keys[key_id] = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise MasterKeyConfigError(f"master key {key_id!r} is not valid base64") from None
    return keys


def generate_master_key(key_id: str | None = None) -> str:
    """A new ``id:base64`` entry for ``AP_MASTER_KEYS`` (32 random bytes from the OS CSPRNG)."""
    key_id = key_id or f"mk-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
    if not _KEY_ID.match(key_id):
        raise MasterKeyConfigError(f"master key id {key_id!r} must match {_KEY_ID.pattern}")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"
