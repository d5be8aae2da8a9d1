"""A codec that reads stored events without decrypting them: personal fields read as None.

For processes that decide on the clear fields of a pupil's history only (the retention job
appending its decisions): they never hold a narrative in memory, and an erased pupil's stream
reads the same as any other. Every personal field of a contract accepts None (a contract rule),
so the events still validate. Sealing is the real codec's, so anything appended is sealed as usual.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ap_contracts.events.base import DomainEvent
from ap_runtime.privacy.clear_fields import clear_payload
from ap_runtime.privacy.codec import PersonalDataCodec


class ClearFieldsOnlyCodec:
    def __init__(self, codec: PersonalDataCodec) -> None:
        self._codec = codec

    async def seal(self, event: DomainEvent) -> dict[str, Any]:
        sealed: dict[str, Any] = await self._codec.seal(event)
        return sealed

    async def reveal(
        self, event_type: str, schema_version: int, payload: Mapping[str, Any], subject: str | None
    ) -> dict[str, Any]:
        return clear_payload(event_type, schema_version, payload)
