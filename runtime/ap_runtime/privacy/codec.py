"""Field-level encryption of personal event data with the pupil's own data key.

Rule served: personal data in events can be erased (UK GDPR Art. 17) although the store and the
topics are append-only: each personal field is encrypted with its pupil's key, and destroying the
key erases every copy (crypto-shredding, see ``keystore``).

Sealed format of one personal field: ``"pd1:" + base64(nonce | AES-256-GCM ciphertext | tag)``
over the JSON encoding of the value. The associated data binds the ciphertext to the subject, the
field name and the event type, so a sealed value moved to another pupil, another field or another
event type does not decrypt. Fields that are None stay None (absence is not personal data); every
other field is sealed, including empty strings and lists, so the stored shape never hints at
content.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ap_contracts.events.base import DomainEvent, event_model
from ap_contracts.personal import personal_fields
from ap_contracts.upcasting import read_event
from ap_runtime.privacy.errors import (
    PersonalFieldsWithoutSubject,
    SealedValueRejected,
    SubjectErased,
    UnsealedPersonalField,
)
from ap_runtime.privacy.masterkeys import NONCE_BYTES

SEALED_PREFIX = "pd1:"
ERASED_FLAG = "_erased"


class SubjectKeySource(Protocol):
    """What the codec needs from a key store (``KeyStore`` provides it)."""

    async def get_or_create_many(self, subjects: Collection[str]) -> Mapping[str, bytes]: ...

    async def get_many(self, subjects: Collection[str]) -> Mapping[str, bytes | None]: ...


class SealedPayload(NamedTuple):
    """One stored payload to reveal, with what identifies its schema and its key."""

    event_type: str
    schema_version: int
    payload: Mapping[str, Any]
    subject: str | None


class PersonalDataCodec:
    """Seals events before they are stored or published; reveals payloads read back."""

    def __init__(self, keys: SubjectKeySource) -> None:
        self._keys = keys

    async def seal(self, event: DomainEvent) -> dict[str, Any]:
        return (await self.seal_many([event]))[0]

    async def seal_many(self, events: Sequence[DomainEvent]) -> list[dict[str, Any]]:
        """``model_dump(mode="json")`` of each event with personal values sealed; one key fetch per batch."""
        dumps = [event.model_dump(mode="json") for event in events]
        needing = [
            (_subject_of(event, fields), event.event_type, dump, fields)
            for event, dump in zip(events, dumps, strict=True)
            if (fields := [f for f in personal_fields(type(event)) if dump.get(f) is not None])
        ]
        keys = await self._keys.get_or_create_many({s for s, *_ in needing}) if needing else {}
        aeads = {subject: AESGCM(key) for subject, key in keys.items()}
        for subject, event_type, dump, fields in needing:
            for name in fields:
                dump[name] = seal_value(aeads[subject], subject, name, event_type, dump[name])
        return dumps

    async def reveal(
        self, event_type: str, schema_version: int, payload: Mapping[str, Any], subject: str | None
    ) -> dict[str, Any]:
        """The payload with personal fields decrypted; when the key was destroyed they read None
        and the payload gets ``"_erased": True``."""
        return (await self.reveal_many([SealedPayload(event_type, schema_version, payload, subject)]))[0]

    async def reveal_many(self, items: Sequence[SealedPayload]) -> list[dict[str, Any]]:
        """``reveal`` for a batch, fetching each subject's key once."""
        plans = [_sealed_fields(item) for item in items]
        subjects = {item.subject for item, fields in zip(items, plans, strict=True) if fields}
        keys = await self._keys.get_many([s for s in subjects if s is not None]) if subjects else {}
        aeads = {subject: AESGCM(key) for subject, key in keys.items() if key is not None}
        revealed: list[dict[str, Any]] = []
        for item, fields in zip(items, plans, strict=True):
            out = dict(item.payload)
            revealed.append(out)
            if not fields or item.subject is None:  # no subject with fields was refused above
                continue
            aead = aeads.get(item.subject)
            for name in fields:
                out[name] = None if aead is None else open_value(aead, item.subject, name, item.event_type, out[name])
            if aead is None:
                out[ERASED_FLAG] = True
        return revealed

    async def reveal_model(
        self, event_type: str, schema_version: int, payload: Mapping[str, Any], subject: str | None
    ) -> DomainEvent:
        """The domain event read back, at its latest version (upcasters); raises ``SubjectErased`` when its personal
        data was erased."""
        revealed = await self.reveal(event_type, schema_version, payload, subject)
        if revealed.pop(ERASED_FLAG, False):
            raise SubjectErased(subject or "")
        return read_event(event_type, schema_version, revealed)


def seal_value(aead: AESGCM, subject: str, field: str, event_type: str, value: Any) -> str:
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = nonce + aead.encrypt(nonce, plaintext, field_aad(subject, field, event_type))
    return SEALED_PREFIX + base64.b64encode(sealed).decode("ascii")


def open_value(aead: AESGCM, subject: str, field: str, event_type: str, sealed: str) -> Any:
    try:
        raw = base64.b64decode(sealed[len(SEALED_PREFIX):], validate=True)
        plaintext = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], field_aad(subject, field, event_type))
    except (InvalidTag, binascii.Error, ValueError):
        raise SealedValueRejected(
            f"{event_type}.{field} does not authenticate for subject {subject!r}"
        ) from None
    return json.loads(plaintext)


def field_aad(subject: str, field: str, event_type: str) -> bytes:
    return b"\x00".join((b"pd1", subject.encode(), field.encode(), event_type.encode()))


def _subject_of(event: DomainEvent, fields: Iterable[str]) -> str:
    subject = event.pii_subject()
    if subject is None:
        raise PersonalFieldsWithoutSubject(
            f"{event.event_type} holds personal values in {sorted(fields)} but names no pupil"
            " (set pii_subject_field and pupil_ref)"
        )
    return subject


def _sealed_fields(item: SealedPayload) -> list[str]:
    """Personal fields of a stored payload that hold sealed values (None fields are skipped)."""
    fields: list[str] = []
    for name in personal_fields(event_model(item.event_type, item.schema_version)):
        value = item.payload.get(name)
        if value is None:
            continue
        if not (isinstance(value, str) and value.startswith(SEALED_PREFIX)):
            raise UnsealedPersonalField(f"{item.event_type}.{name} is stored in clear")
        fields.append(name)
    if fields and item.subject is None:
        raise PersonalFieldsWithoutSubject(f"{item.event_type} holds sealed values but names no subject")
    return fields
