"""The one sealed field the alert worker opens: the local authority looking after a child (``PlacementStarted``).

Rule served: a looked-after child's virtual school head is told of the child's suspensions and exclusions
(STATUTORY.md, issue 14), and whether a pseudonymous pupil is looked after is the child's personal data. From v2 of
``PlacementStarted`` the incidents service seals ``looked_after_by`` for every child (empty when not looked after),
so no other reader of placement events learns it. The worker reads every other field in clear
(``clear_event``); this module asks the personal-data codec to open this field alone, from a payload holding
nothing else, so no narrative is ever decrypted here. v1 events kept the authority in clear and are read as stored.
"""

from __future__ import annotations

from ap_runtime.eventstore import EventCodec
from ap_runtime.projection import ReceivedEvent

FIELD = "looked_after_by"


class CodecNeeded(RuntimeError):
    """The worker met a sealed ``looked_after_by`` without the codec that opens it (a wiring mistake)."""


async def looked_after_by(event: ReceivedEvent, codec: EventCodec | None) -> str | None:
    """The authority looking after the child a ``PlacementStarted`` is about; None when not looked after or erased."""
    value = event.payload.get(FIELD)
    if value is None:  # not said, or (sealed values of an erased pupil read None) erased
        return None
    envelope = event.envelope
    if envelope.schema_version == 1:  # v1 kept it in clear (superseded; what was stored stays readable)
        return str(value)
    if codec is None:
        raise CodecNeeded(f"{envelope.event_type} {envelope.event_id}: the alert worker needs the personal-data codec"
                          f" to open {FIELD} (pass codec= to AlertingProjection)")
    # Only this field goes to the codec: it opens what the payload holds and nothing else of the event.
    revealed = await codec.reveal(envelope.event_type, envelope.schema_version, {FIELD: value},
                                  envelope.pii_subject)
    authorities = revealed.get(FIELD) or ()
    return str(authorities[0]) if authorities else None
