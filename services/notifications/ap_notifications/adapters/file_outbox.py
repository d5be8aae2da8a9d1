"""File outbox: one JSON document per notification in a directory another system collects from.

Writing is atomic (temporary file, then rename) and the file is named by the notification id, so
delivering the same notification again rewrites the same file instead of adding a second one.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

from ap_contracts.events.notifications import Channel, DeliveryFailure
from ap_notifications.application.ports import DeliveryError, OutboundMessage


class FileOutbox:
    def __init__(self, directory: Path, channel: Channel = Channel.IN_APP) -> None:
        self.directory = directory
        self._channel = channel

    @property
    def channel(self) -> Channel:
        return self._channel

    async def deliver(self, message: OutboundMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: OutboundMessage) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / f"{message.notification_id}.json"
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(message.as_json(), handle, indent=2, sort_keys=True)
            os.replace(temporary, target)
        except OSError as exc:
            raise DeliveryError(DeliveryFailure.PROVIDER_ERROR, f"outbox write failed: {exc}") from exc
