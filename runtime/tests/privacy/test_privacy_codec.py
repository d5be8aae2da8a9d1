"""Field encryption on real key storage: round trip, binding, erasure, no plaintext, throughput."""

from __future__ import annotations

import base64
import json
from collections.abc import Collection
from uuid import UUID, uuid4

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ap_runtime.privacy.codec import SEALED_PREFIX, PersonalDataCodec, SealedPayload, field_aad
from ap_runtime.privacy.errors import (
    PersonalFieldsWithoutSubject,
    SealedValueRejected,
    SubjectErased,
    UnsealedPersonalField,
)
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.privacy.masterkeys import MasterKeyRing
from ap_testing.privacy import ProbeNoteRecorded, ProbeUnattributedNote, random_ring

pytestmark = pytest.mark.integration

TYPE = ProbeNoteRecorded.event_type
PERSONAL = ("narrative", "preferred_name", "safeguarding_note", "sen_summary", "family_contacts")


def note(pupil: UUID | None = None, **changes: object) -> ProbeNoteRecorded:
    values: dict[str, object] = {
        "pupil_ref": pupil or uuid4(),
        "narrative": "Threw a chair across the art room after a quarrel about paint",
        "preferred_name": "Quillon Marsh-Abernethy",
        "safeguarding_note": "Disclosed worries at home to the mentor on Tuesday",
        "sen_summary": "Dyslexia; EHCP review pending",
        "family_contacts": ["Grandparent on 07700 900123", "Aunt at flat 4"],
        "staff_involved": ["staff-17"],
        "severity": 3,
    }
    values.update(changes)
    return ProbeNoteRecorded.model_validate(values)


async def reveal(codec: PersonalDataCodec, sealed: dict[str, object], subject: str) -> dict[str, object]:
    return await codec.reveal(TYPE, 1, sealed, subject)


async def test_seal_then_reveal_gives_back_the_event(keystore: KeyStore) -> None:
    codec = PersonalDataCodec(keystore)
    event = note()
    sealed = await codec.seal(event)
    for name in PERSONAL:
        assert isinstance(sealed[name], str) and sealed[name].startswith(SEALED_PREFIX)
    assert sealed["staff_involved"] == ["staff-17"] and sealed["severity"] == 3  # not personal: clear
    subject = str(event.pupil_ref)
    assert await reveal(codec, sealed, subject) == event.model_dump(mode="json")
    assert await codec.reveal_model(TYPE, 1, sealed, subject) == event


async def test_none_stays_none_and_empty_values_are_sealed(keystore: KeyStore) -> None:
    codec = PersonalDataCodec(keystore)
    event = note(preferred_name=None, safeguarding_note=None, family_contacts=[], narrative="")
    sealed = await codec.seal(event)
    assert sealed["preferred_name"] is None and sealed["safeguarding_note"] is None
    assert sealed["family_contacts"].startswith(SEALED_PREFIX) and sealed["narrative"].startswith(SEALED_PREFIX)
    assert await codec.reveal_model(TYPE, 1, sealed, str(event.pupil_ref)) == event


async def test_sealed_json_holds_no_plaintext_of_personal_values(keystore: KeyStore) -> None:
    codec = PersonalDataCodec(keystore)
    event = note()
    wire = json.dumps(await codec.seal(event), ensure_ascii=False).encode()
    dumped = event.model_dump(mode="json")
    for name in PERSONAL:
        values = dumped[name] if isinstance(dumped[name], list) else [dumped[name]]
        for value in values:
            assert value.encode() not in wire
            for word in value.split():
                if len(word) >= 5:
                    assert word.encode() not in wire, word


async def test_a_sealed_value_moved_to_another_field_pupil_or_event_type_is_rejected(keystore: KeyStore) -> None:
    codec = PersonalDataCodec(keystore)
    event = note()
    subject = str(event.pupil_ref)
    sealed = await codec.seal(event)

    swapped = {**sealed, "sen_summary": sealed["safeguarding_note"]}
    with pytest.raises(SealedValueRejected):
        await reveal(codec, swapped, subject)

    other = await codec.seal(note())
    with pytest.raises(SealedValueRejected):
        await reveal(codec, {**sealed, "narrative": other["narrative"]}, subject)

    with pytest.raises(SealedValueRejected):
        await codec.reveal(ProbeUnattributedNote.event_type, 1, {"narrative": sealed["narrative"]}, subject)

    raw = bytearray(base64.b64decode(sealed["narrative"][len(SEALED_PREFIX):]))
    raw[20] ^= 0x01  # one flipped bit inside the ciphertext
    tampered = SEALED_PREFIX + base64.b64encode(bytes(raw)).decode()
    with pytest.raises(SealedValueRejected):
        await reveal(codec, {**sealed, "narrative": tampered}, subject)


async def test_a_personal_field_stored_in_clear_is_refused(keystore: KeyStore) -> None:
    codec = PersonalDataCodec(keystore)
    event = note()
    sealed = await codec.seal(event)
    with pytest.raises(UnsealedPersonalField):
        await reveal(codec, {**sealed, "narrative": "written without the codec"}, str(event.pupil_ref))


async def test_personal_values_without_a_pupil_are_a_programming_error(keystore: KeyStore) -> None:
    codec = PersonalDataCodec(keystore)
    with pytest.raises(PersonalFieldsWithoutSubject):
        await codec.seal(ProbeUnattributedNote(narrative="someone"))
    assert await codec.seal(ProbeUnattributedNote()) == {"narrative": None}


async def test_after_destroy_personal_fields_read_none_and_the_ciphertext_is_dead(own_keys_dsn: str) -> None:
    ring, master_keys = random_ring("mk-a")
    pool = await asyncpg.create_pool(own_keys_dsn, min_size=1, max_size=4)
    try:
        keystore = KeyStore(pool, ring, cache_ttl_seconds=0)
        codec = PersonalDataCodec(keystore)
        event = note()
        subject = str(event.pupil_ref)
        bystanders = [note() for _ in range(20)]
        await codec.seal_many(bystanders)
        sealed = await codec.seal(event)

        await keystore.destroy(subject)

        revealed = await reveal(codec, sealed, subject)
        assert revealed["_erased"] is True
        assert all(revealed[name] is None for name in PERSONAL)
        assert revealed["staff_involved"] == ["staff-17"] and revealed["pupil_ref"] == subject
        with pytest.raises(SubjectErased):
            await codec.reveal_model(TYPE, 1, sealed, subject)

        # No key left anywhere (every live data key, and the master keys) opens the old ciphertext.
        rows = await pool.fetch("SELECT subject FROM subject_keys WHERE wrapped_key IS NOT NULL")
        live = await keystore.get_many([r["subject"] for r in rows])
        candidates = [key for key in live.values() if key is not None] + list(master_keys.values())
        assert len(candidates) == 21
        for name in PERSONAL:
            raw = base64.b64decode(sealed[name][len(SEALED_PREFIX):])
            for key in candidates:
                for aad_subject in {subject, *(r["subject"] for r in rows)}:
                    with pytest.raises(InvalidTag):
                        AESGCM(key).decrypt(raw[:12], raw[12:], field_aad(aad_subject, name, TYPE))
        assert await pool.fetchval("SELECT wrapped_key FROM subject_keys WHERE subject = $1", subject) is None
    finally:
        await pool.close()


class CountingKeyStore(KeyStore):
    """The real key store, counting database lookups so batching can be checked."""

    calls = 0

    async def get_or_create_many(self, subjects: Collection[str]) -> dict[str, bytes]:
        self.calls += 1
        return await super().get_or_create_many(subjects)

    async def get_many(self, subjects: Collection[str]) -> dict[str, bytes | None]:
        self.calls += 1
        return await super().get_many(subjects)


async def test_batches_fetch_keys_once_whatever_the_number_of_pupils(
    keys_pool: asyncpg.Pool, ring: MasterKeyRing
) -> None:
    """Sealing and revealing a batch costs one key lookup, so throughput does not fall with pupils.
    (The rates themselves are measured by ``python -m bench.privacy_codec``, not asserted here.)"""
    keystore = CountingKeyStore(keys_pool, ring, cache_ttl_seconds=5)
    codec = PersonalDataCodec(keystore)
    pupils = [uuid4() for _ in range(50)]
    events = [note(pupils[i % 50]) for i in range(500)]

    rounds = 3
    for _ in range(rounds):
        sealed = await codec.seal_many(events)
    for _ in range(rounds):
        revealed = await codec.reveal_many(
            [SealedPayload(TYPE, 1, payload, str(e.pupil_ref)) for payload, e in zip(sealed, events, strict=True)]
        )

    assert revealed == [e.model_dump(mode="json") for e in events]
    assert keystore.calls == 2 * rounds  # one key lookup per batch, whatever the number of pupils


async def test_a_cold_batch_of_fresh_pupils_creates_every_key_in_one_lookup(
        keys_pool: asyncpg.Pool, ring: MasterKeyRing) -> None:
    keystore = CountingKeyStore(keys_pool, ring, cache_ttl_seconds=0)
    codec = PersonalDataCodec(keystore)
    events = [note() for _ in range(500)]  # 500 new pupils: 500 keys created in one batch
    sealed = await codec.seal_many(events)
    assert keystore.calls == 1
    subjects = [str(e.pupil_ref) for e in events]
    stored = await keys_pool.fetchval("SELECT count(*) FROM subject_keys WHERE subject = ANY($1::text[])", subjects)
    assert stored == 500
    revealed = await codec.reveal_many(
        [SealedPayload(TYPE, 1, payload, str(e.pupil_ref)) for payload, e in zip(sealed, events, strict=True)])
    assert revealed == [e.model_dump(mode="json") for e in events]
