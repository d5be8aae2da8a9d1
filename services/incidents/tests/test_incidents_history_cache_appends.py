"""A command's own events go into the history cache as decided, and read back the same as from the store.

Rule served: issue 11 (CPU per command) without deciding on anything but the stored history. After a command,
the next load of its stream decrypts nothing of the command's own events, and the events it returns equal those
a plain event store reads and decrypts from PostgreSQL; events another process appended meanwhile are still read.
"""

from __future__ import annotations

from typing import Any

import pytest

from ap_incidents.adapters.history_cache import HistoryCachingStore
from ap_runtime.access.principal import Principal
from ap_runtime.eventstore import EventStore
from ap_runtime.eventstore.models import StoredEvent
from ap_runtime.privacy.codec import PersonalDataCodec

from .conftest import PEOPLE, ApiStory, ServiceUnderTest

pytestmark = pytest.mark.integration


def principal(who: str) -> Principal:
    org, kind, roles = PEOPLE[who]
    return Principal(user_id=f"{who}-user", organisation_id=org, org_kind=kind, roles=frozenset(roles))


def counting_reads(store: HistoryCachingStore) -> list[int]:
    """How many rows each catch-up read (``read_new``) of ``store`` returns, in order."""
    counts: list[int] = []
    read = store.read_new

    async def counted(stream_id: str, after_version: int) -> list[StoredEvent]:
        rows = await read(stream_id, after_version)
        counts.append(len(rows))
        return rows

    store.read_new = counted  # type: ignore[method-assign]
    return counts


async def test_the_commands_own_events_are_held_as_decided_and_equal_what_the_store_reads_back(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    ours, other = service.deps.application(), service.deps.application()  # two processes' caches
    store = ours.store
    assert isinstance(store, HistoryCachingStore)
    await ours.commands.load_view(api_story.pupil_ref)
    reads = counting_reads(store)
    staff = principal("provider_staff")
    first = await ours.execute(staff, api_story.cmd.record_incident(description="Kicked the door"))
    assert reads == [0], "the load before the command found nothing new"
    held = await store.load(api_story.stream)
    assert reads == [0, 0], "the command's own event came from the cache, not from PostgreSQL"
    plain = EventStore(service.deps.events_pool, PersonalDataCodec(service.deps.keystore))
    assert held == await plain.load(api_story.stream)
    assert len(held) == first.last_version

    await other.execute(staff, api_story.cmd.record_incident(description="Another process's entry"))
    second = await ours.execute(staff, api_story.cmd.record_incident())
    assert reads[-1] == 1, "the other process's event is read from PostgreSQL"
    after: list[Any] = await store.load(api_story.stream)
    assert reads[-1] == 0 and len(after) == second.last_version
    assert after == await plain.load(api_story.stream)
