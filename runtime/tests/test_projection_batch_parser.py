"""A runner's batch message is FastStream's own, without the decoded copies of every header (issue 11).

The runner reads the records themselves; the message must still be FastStream's acknowledgeable
message over the same records and consumer, or acknowledgement would commit or rewind the wrong thing.
"""

from __future__ import annotations

from typing import Any

from aiokafka import ConsumerRecord
from faststream.kafka.message import KafkaAckableMessage
from faststream.kafka.parser import AioKafkaBatchParser

from ap_runtime.projection.batch_parser import parse_records_only


def _record(offset: int) -> ConsumerRecord[bytes, bytes]:
    headers = (("ap-event-id", b"e-%d" % offset), ("ce_type", b"uk.gov.ap.incidents.AttendanceRecorded.v1"))
    return ConsumerRecord("t", 2, offset, 1_700_000_000_000 + offset, 0, b"pupil-1", b"{}", None, 7, 2, headers)


def _parser() -> tuple[AioKafkaBatchParser, object]:
    parser = AioKafkaBatchParser(msg_class=KafkaAckableMessage, regex=None)
    consumer = object()
    parser._setup(consumer)  # type: ignore[arg-type]  # as the subscriber sets it up when it starts
    return parser, consumer


async def test_the_message_is_faststreams_over_the_same_records_and_consumer_without_decoded_headers() -> None:
    parser, consumer = _parser()
    records = (_record(5), _record(6), _record(7))
    ours: Any = await parse_records_only(records, parser.parse_batch)
    theirs: Any = await parser.parse_batch(records)
    assert type(ours) is type(theirs) is KafkaAckableMessage
    assert ours.raw_message is records and ours.consumer is consumer is theirs.consumer
    assert ours.message_id == theirs.message_id == f"5-7-{records[0].timestamp}"
    assert ours.committed is theirs.committed is None  # acknowledgeable: ack commits, nack rewinds
    assert theirs.batch_headers[0]["ap-event-id"] == "e-5"  # FastStream decodes every header...
    assert ours.batch_headers == [] and ours.headers == {}  # ...the runner's message does not


async def test_a_parser_without_its_message_class_and_consumer_is_used_as_it_is() -> None:
    records = (_record(1),)
    seen: list[object] = []

    async def original(message: Any) -> str:
        seen.append(message)
        return "parsed by the original"

    assert await parse_records_only(records, original) == "parsed by the original"
    assert seen == [records]
