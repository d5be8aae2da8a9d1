"""AsyncAPI 3.0 description of the platform's Kafka topics, generated from the contracts.

One channel per topic in ``ap_contracts.topics``; one message per event type and version, whose
payload is the envelope (``schemas/envelope.json``) with the event's own schema as ``payload``.
Command topics and their results topics are described as such (no message contracts yet).
Records are keyed by stream id so one pupil's (or one budget's) events stay in order.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ap_contracts import cloudevents, topics
from ap_contracts.events.base import DomainEvent
from ap_contracts.personal import personal_fields
from ap_contracts.schema_tools import ENVELOPE_SCHEMA_FILE, EventKey, event_schema_path

KAFKA_BINDING_VERSION = "0.5.0"
# Commands may carry personal values in clear: bounded retention backs up their deletion once
# processed (the incidents command consumer creates its topic with this value). Short, because the
# broker keeps deleted records on disk until their segment ages out: see the incidents service's
# ``command_topic_retention`` for the bound this gives on plaintext at rest.
COMMAND_TOPIC_RETENTION_MS = 15 * 60 * 1000
SCHEMAS_REF_PREFIX = "./schemas/"

PERSONAL_DATA_ON_THE_WIRE = (
    "Personal fields (`x-personal` in the event schemas, listed per message in `x-personal-fields`) "
    "are ciphertext on the wire and in the event store: each is encrypted with the data key of the "
    "pupil named by the envelope's `pii_subject` before the event is stored, so Kafka never carries "
    "them in clear. The event schemas describe the records as published: whatever its plaintext type, "
    "such a property is a sealed value (`#/$defs/SealedValue`: `pd1:` followed by base64 AES-256-GCM "
    "output, see ap_runtime.privacy.codec), or null when it had no value; its plaintext schema, what "
    "ap_runtime.privacy reveals to an authorised reader, is kept under `x-plaintext`. Erasure "
    "(PupilDataErased) destroys the pupil's key and leaves every sealed value on the topics as it was: "
    "an erased value is a `pd1:` string no key opens any more, which readers through ap_runtime.privacy "
    "see as null."
)

CLOUDEVENTS_ON_THE_WIRE = (
    "Every event record carries the CloudEvents 1.0 context attributes in Kafka binary mode (headers "
    "`ce_specversion`, `ce_id`, `ce_source`, `ce_type`, `ce_time`, `ce_subject`, `ce_dataschema` and "
    "`content-type`; the record value is the envelope, JSON), mapped from the envelope: `ce_id` is its "
    "`event_id`; `ce_source` is `" + cloudevents.SOURCE_PREFIX + "<context>`, the context that owns the "
    "event's topic (`ap.incidents.events` -> `/ap/incidents`); `ce_type` is `" + cloudevents.TYPE_PREFIX
    + ".<context>.<EventType>.v<schema version>`; `ce_time` is its `occurred_at` (RFC 3339); "
    "`ce_subject` is its `stream_id`; `ce_dataschema` is the `$id` of the payload's schema. The "
    "`ap-*` and correlation headers stay for the platform's own consumers."
)


CLOUDEVENTS_TYPE_PATTERN = "^" + re.escape(cloudevents.TYPE_PREFIX) + r"\.[a-z0-9-]+\.[A-Za-z0-9]+\.v[1-9][0-9]*$"


def topic_constants() -> dict[str, str]:
    """Every topic declared in ``ap_contracts.topics``, by constant name, in declaration order."""
    return {name: value for name, value in vars(topics).items() if name.isupper() and isinstance(value, str)}


def event_topic_names() -> set[str]:
    return {value for name, value in topic_constants().items() if name.endswith("_EVENTS")}


def _channel_id(constant: str) -> str:
    head, *rest = constant.lower().split("_")
    return head + "".join(word.capitalize() for word in rest)


def _message_id(key: EventKey) -> str:
    return f"{key[0]}V{key[1]}"


def _summary(model: type[DomainEvent]) -> str:
    doc = (model.__doc__ or model.event_type).strip()
    return doc.splitlines()[0]


def _message(key: EventKey, model: type[DomainEvent]) -> dict[str, Any]:
    personal = {name: record_class.value for name, record_class in sorted(personal_fields(model).items())}
    description = f"Schema version {model.schema_version} of {model.event_type}."
    if personal:
        description += " Its personal fields are ciphertext on the wire (see the document description)."
    return {
        "name": model.event_type,
        "title": f"{model.event_type} v{model.schema_version}",
        "summary": _summary(model),
        "description": description,
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/RecordHeaders"},
        "correlationId": {"$ref": "#/components/correlationIds/envelopeCorrelation"},
        "payload": {
            "allOf": [
                {"$ref": SCHEMAS_REF_PREFIX + str(ENVELOPE_SCHEMA_FILE)},
                {
                    "type": "object",
                    "properties": {
                        "event_type": {"const": model.event_type},
                        "schema_version": {"const": model.schema_version},
                        "payload": {"$ref": SCHEMAS_REF_PREFIX + str(event_schema_path(model.topic, *key))},
                    },
                },
            ]
        },
        "bindings": {"kafka": {"key": {"$ref": "#/components/schemas/StreamKey"},
                               "bindingVersion": KAFKA_BINDING_VERSION}},
        "x-pii-subject-field": model.pii_subject_field,
        "x-personal-fields": personal,
    }


def _channel(constant: str, address: str, message_ids: list[str]) -> dict[str, Any]:
    owner = address.split(".")[1] if address.count(".") >= 2 else address
    kafka: dict[str, Any] = {"topic": address, "partitions": topics.PARTITIONS,
                             "bindingVersion": KAFKA_BINDING_VERSION}
    if address in event_topic_names():
        description = (f"Events of the {owner} context, published by its relay from its event store "
                       f"(at least once: consumers deduplicate by event_id). A record a projection cannot "
                       f"apply is parked on {topics.dead_letter_topic(address)}.")
        kafka["topicConfiguration"] = {"cleanup.policy": ["delete"], "retention.ms": -1}
    elif constant.endswith("_COMMAND_RESULTS"):
        description = (f"Results of the commands sent to the {owner} service, published by its command consumer: "
                       f"one JSON record per command record consumed, keyed by command_id, whose status says "
                       f"accepted (event ids and stream versions), rejected (the rule), invalid (the fields), "
                       f"denied (the access rule) or failed (could not be processed: the error's type only). A "
                       f"result carries ids, statuses, rule and field names, never a personal value. No result "
                       f"contract is published yet.")
    else:
        description = (f"Commands to the {owner} service, keyed by pupil_ref, bearer token in the authorization "
                       f"header. A command may carry personal values in clear, so the consumer deletes every "
                       f"record below its committed offset once processed, and the topic's retention bounds how "
                       f"long an unprocessed one stays. No command contracts are published yet.")
        kafka["topicConfiguration"] = {"cleanup.policy": ["delete"], "retention.ms": COMMAND_TOPIC_RETENTION_MS}
    return {
        "address": address,
        "title": constant.replace("_", " ").capitalize(),
        "description": description,
        "messages": {mid: {"$ref": f"#/components/messages/{mid}"} for mid in message_ids},
        "bindings": {"kafka": kafka},
    }


def asyncapi_document(events: dict[EventKey, type[DomainEvent]]) -> dict[str, Any]:
    """The AsyncAPI 3.0 document for the given contract events, deterministic for equal input."""
    channels, operations = _channels_and_operations(events)
    return {
        "asyncapi": "3.0.0",
        "info": _info(),
        "defaultContentType": "application/json",
        "servers": {
            "local": {"host": "127.0.0.1:59092", "protocol": "kafka",
                      "description": "Single-node development broker (deploy/local/kafka.sh)"},
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": {_message_id(key): _message(key, model) for key, model in sorted(events.items())},
            "schemas": _shared_schemas(),
            "correlationIds": {
                "envelopeCorrelation": {
                    "description": "Correlation id of the request that caused the event, shared by its effects",
                    "location": "$message.payload#/correlation_id",
                }
            },
        },
    }


def _info() -> dict[str, Any]:
    return {
        "title": "AP platform events",
        "version": "1.0.0",
        "description": (
            "Kafka topics of the behaviour and Alternative Provision governance platform. Every record "
            "value is an event envelope (schemas/envelope.json) whose payload follows the schema of its "
            "event type and version (schemas/<topic>/<EventType>.v<N>.json). Generated by "
            "`python -m ap_contracts generate`; do not edit by hand.\n\n" + PERSONAL_DATA_ON_THE_WIRE
            + "\n\n" + CLOUDEVENTS_ON_THE_WIRE
        ),
    }


def _channels_and_operations(events: dict[EventKey, type[DomainEvent]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One channel per topic, and a send operation for each topic that carries contract events."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for constant, address in topic_constants().items():
        channel_id = _channel_id(constant)
        message_ids = [_message_id(key) for key, model in sorted(events.items()) if model.topic == address]
        channels[channel_id] = _channel(constant, address, message_ids)
        if message_ids:
            operations[f"publish{channel_id[0].upper()}{channel_id[1:]}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "summary": f"The owning service's relay publishes every stored event to {address}.",
                "messages": [{"$ref": f"#/channels/{channel_id}/messages/{mid}"} for mid in message_ids],
            }
    return channels, operations


def _shared_schemas() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "StreamKey": {
            "type": "string",
            "description": "Record key: the envelope's stream_id, so one stream's events share a partition "
                           "and keep their order",
        },
        "RecordHeaders": {
            "type": "object",
            "properties": {
                "ap-event-id": {**text, "format": "uuid"},
                "ap-event-type": text,
                "ap-schema-version": {**text, "pattern": "^[1-9][0-9]*$"},
                "correlation_id": {**text, "format": "uuid"},
                "causation_id": {**text, "format": "uuid"},
                "ce_specversion": {"const": cloudevents.SPEC_VERSION},
                "ce_id": {**text, "format": "uuid", "description": "The envelope's event_id"},
                "ce_source": {**text, "format": "uri-reference", "pattern": "^/ap/[a-z0-9-]+$",
                              "description": "/ap/<context>: the context that owns the event's topic"},
                "ce_type": {**text, "pattern": CLOUDEVENTS_TYPE_PATTERN,
                            "description": "uk.gov.ap.<context>.<EventType>.v<schema version>"},
                "ce_time": {**text, "format": "date-time", "description": "The envelope's occurred_at"},
                "ce_subject": {**text, "description": "The envelope's stream_id"},
                "ce_dataschema": {**text, "format": "uri", "description": "$id of the payload's JSON Schema"},
                "content-type": {"const": cloudevents.CONTENT_TYPE},
            },
            "required": ["ap-event-id", "ap-event-type", "ap-schema-version", "correlation_id",
                         "ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject",
                         "ce_dataschema", "content-type"],
        },
    }


def render_asyncapi(document: dict[str, Any]) -> str:
    """YAML text of the document in its built order (AsyncAPI readers expect ``asyncapi`` first)."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)
