"""The event store codec of the incidents service: personal fields sealed per pupil, erasure-tolerant reads.

``PersonalDataCodec.reveal_model`` refuses to rebuild an event whose key was destroyed, which is
right for code that would otherwise act on half a record. The pupil-path rules never read a
personal field (``PupilRecord`` holds none), so folding an erased pupil's stream is safe and is
how the domain learns that the record is closed: this wrapper exposes only ``seal``/``reveal``,
and the event store then validates revealed payloads (personal fields None) itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ap_contracts.events.base import DomainEvent
from ap_runtime.privacy.codec import PersonalDataCodec, SealedPayload


class ErasedRecordTolerantCodec:
    """Seals with ``codec``; reveals erased payloads as None-valued fields instead of raising."""

    def __init__(self, codec: PersonalDataCodec) -> None:
        self._codec = codec

    async def seal(self, event: DomainEvent) -> dict[str, Any]:
        sealed: dict[str, Any] = await self._codec.seal(event)
        return sealed

    async def seal_many(self, events: Sequence[DomainEvent]) -> list[dict[str, Any]]:
        sealed: list[dict[str, Any]] = await self._codec.seal_many(events)
        return sealed

    async def reveal(
        self, event_type: str, schema_version: int, payload: Mapping[str, Any], subject: str | None
    ) -> dict[str, Any]:
        revealed: dict[str, Any] = await self._codec.reveal(event_type, schema_version, payload, subject)
        return revealed

    async def reveal_many(self, items: Sequence[SealedPayload]) -> list[dict[str, Any]]:
        revealed: list[dict[str, Any]] = await self._codec.reveal_many(items)
        return revealed
