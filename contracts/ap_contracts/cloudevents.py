"""CloudEvents 1.0 attributes of an event record, for the Kafka protocol binding in binary mode.

Rule served (issue 10, contracts a non-Python consumer can use): any CloudEvents consumer can read the
event topics. The record value stays the event envelope (JSON); the headers carry the CloudEvents
context attributes, mapped from the envelope:

======================  ==========================================================================
header                  value
======================  ==========================================================================
``ce_specversion``      ``1.0``
``ce_id``               the envelope's ``event_id`` (unique per event; a re-sent record repeats it)
``ce_source``           ``/ap/<context>``, the bounded context that owns the event's contract topic
                        (``ap.incidents.events`` -> ``/ap/incidents``)
``ce_type``             ``uk.gov.ap.<context>.<EventType>.v<schema version>``
``ce_time``             the envelope's ``occurred_at`` (RFC 3339)
``ce_subject``          the envelope's ``stream_id`` (a pupil's, budget's or organisation's stream;
                        pupils appear only by their pseudonymous reference)
``ce_dataschema``       the ``$id`` of the committed JSON Schema of the event's payload (the wire form)
``content-type``        ``application/json`` (the record value, the envelope)
======================  ==========================================================================

The source and type are computed from the contract's topic, not from the topic a record is sent to,
so a record relayed to a test's own topic reads the same.
"""

from __future__ import annotations

from typing import Final

SPEC_VERSION: Final = "1.0"
CONTENT_TYPE: Final = "application/json"
TYPE_PREFIX: Final = "uk.gov.ap"
SOURCE_PREFIX: Final = "/ap/"
HEADER_PREFIX: Final = "ce_"
CONTENT_TYPE_HEADER: Final = "content-type"


def context_of(topic: str) -> str:
    """The bounded context that owns a topic: ``ap.<context>.<kind>`` -> ``<context>``.

    A topic not named so (a test's own topic, for an event without a contract) is its own context.
    """
    parts = topic.split(".")
    return parts[1] if len(parts) >= 3 and parts[0] == "ap" and parts[1] else topic


def cloudevent_source(topic: str) -> str:
    """``ce_source``: a URI reference naming the context that produced the event."""
    return SOURCE_PREFIX + context_of(topic)


def cloudevent_type(topic: str, name: str, schema_version: int) -> str:
    """``ce_type``: reverse-DNS prefix, context, event type and schema version."""
    return f"{TYPE_PREFIX}.{context_of(topic)}.{name}.v{schema_version}"
