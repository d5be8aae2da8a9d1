"""The AsyncAPI document: one channel per topic, a message per event version, refs that resolve."""

from __future__ import annotations

from typing import Any

import yaml

from ap_contracts.asyncapi import asyncapi_document, render_asyncapi, topic_constants
from ap_contracts.generation import ASYNCAPI_FILE, expected_files
from ap_contracts.schema_tools import contract_events
from ap_contracts.topics import PARTITIONS

DOCUMENT: dict[str, Any] = asyncapi_document(contract_events())


def resolve_local(pointer: str) -> Any:
    node: Any = DOCUMENT
    for token in pointer.removeprefix("#/").split("/"):
        node = node[token]
    return node


def all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in all_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in all_refs(value)]
    return []


def test_it_is_asyncapi_3_with_one_channel_per_topic() -> None:
    assert DOCUMENT["asyncapi"] == "3.0.0"
    addresses = sorted(channel["address"] for channel in DOCUMENT["channels"].values())
    assert addresses == sorted(topic_constants().values())


def test_every_event_version_is_a_message_on_its_topics_channel() -> None:
    for (event_type, version), model in contract_events().items():
        [channel] = [c for c in DOCUMENT["channels"].values() if c["address"] == model.topic]
        assert f"{event_type}V{version}" in channel["messages"]


def test_records_are_keyed_by_stream_id_on_fixed_partitions() -> None:
    for channel in DOCUMENT["channels"].values():
        assert channel["bindings"]["kafka"]["partitions"] == PARTITIONS
    for message in DOCUMENT["components"]["messages"].values():
        key = resolve_local(message["bindings"]["kafka"]["key"]["$ref"])
        assert "stream_id" in key["description"]


def test_personal_fields_are_described_as_ciphertext_on_the_wire() -> None:
    assert "ciphertext on the wire" in DOCUMENT["info"]["description"]
    sent = DOCUMENT["components"]["messages"]["NotificationSentV1"]
    assert sent["x-personal-fields"] == {"recipient_contact": "family_contact"}
    assert "ciphertext" in sent["description"]


def test_every_reference_resolves_inside_the_document_or_to_a_generated_schema_file() -> None:
    generated = set(expected_files())
    for ref in all_refs(DOCUMENT):
        if ref.startswith("#/"):
            resolve_local(ref)
        else:
            assert (ASYNCAPI_FILE.parent / ref).resolve() in generated, ref


def test_operation_messages_belong_to_their_channel() -> None:
    for operation in DOCUMENT["operations"].values():
        channel_ref = operation["channel"]["$ref"]
        for message in operation["messages"]:
            assert message["$ref"].startswith(channel_ref + "/messages/")
            resolve_local(message["$ref"])


def test_the_rendered_yaml_reads_back_as_the_document() -> None:
    assert yaml.safe_load(render_asyncapi(DOCUMENT)) == DOCUMENT
