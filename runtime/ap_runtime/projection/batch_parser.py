"""FastStream's batch message for a projection runner, without decoding every record's headers.

FastStream's own batch parser (``AioKafkaBatchParser.parse_batch``) decodes each header of each record
into a dict of text before the handler runs: a platform record carries a dozen (``ap-*`` and the
CloudEvents attributes, ``ap_runtime.kafka.encode_event``), about an eighth of the live runner's Python
per event (issue 11: the write path's CPU per event). The runner reads neither the decoded bodies nor
the decoded headers: it takes the records themselves (``message.raw_message``) and decodes each envelope
once. So the message is built as FastStream builds it, with the same class, records and consumer (its
acknowledgement commits and rewinds through them), and without the decoded copies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

Original = Callable[[Any], Awaitable[Any]]


async def parse_records_only(records: Sequence[Any], original: Original) -> Any:
    """The batch's message as FastStream's parser makes it, minus the decoded bodies and headers.

    ``original`` is the subscriber's own parser (a bound ``parse_batch``); should a FastStream release
    no longer expose its message class and consumer there, its own parsing is used, decoding included.
    """
    parser = getattr(original, "__self__", None)
    message_class = getattr(parser, "msg_class", None)
    consumer = getattr(parser, "_consumer", None)
    if message_class is None or consumer is None or not isinstance(records, tuple) or not records:
        return await original(records)
    first, last = records[0], records[-1]
    return message_class(
        body=[],
        headers={},
        batch_headers=[],
        message_id=f"{first.offset}-{last.offset}-{first.timestamp}",
        raw_message=records,
        consumer=consumer,
    )
