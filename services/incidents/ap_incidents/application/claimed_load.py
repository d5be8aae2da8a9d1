"""A command's first load, its write token claimed on the way (issue 9's one command a token, issue 11's CPU).

The HTTP route prepares its command's write-token claim and the handler makes it with the command's first load of
its stream, under the stream's lock: with a store that reads its tail in the claim's statement
(``HistoryCachingStore.load_claiming``) the claim costs no round trip of its own; with any other store the claim is
made first, in its own statement, then the stream is loaded. Either way the verdict (``TokenReplayed``) comes
before anything is decided or audited.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ap_contracts.events.base import DomainEvent
from ap_runtime.eventstore import EventStorePort
from ap_runtime.eventstore.claiming_tails import PendingClaim


@runtime_checkable
class ClaimingLoads(Protocol):
    """A store that loads a stream in the statement that makes a write-token claim."""

    async def load_claiming(self, stream_id: str, pending: PendingClaim) -> list[DomainEvent]: ...


async def load_claiming(store: EventStorePort, stream_id: str, pending: PendingClaim | None) -> list[DomainEvent]:
    """The stream's events, once ``pending``'s claim (if any) is made and holds; raises ``TokenReplayed`` when its
    token already carries another command."""
    if pending is None:
        return await store.load(stream_id)
    if isinstance(store, ClaimingLoads):
        return await store.load_claiming(stream_id, pending)
    await pending.ledger.make(pending.claim)
    return await store.load(stream_id)
