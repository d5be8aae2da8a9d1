"""The command answer (``api_commands.accepted_response``) is built by orjson (issue 11): the same bytes and headers
as starlette's ``JSONResponse`` of the same body, which it replaced, for new, repeated and empty outcomes."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi.responses import JSONResponse

from ap_incidents.entrypoints.api_commands import accepted_response
from ap_runtime.commands import CommandOutcome

pytestmark = pytest.mark.unit

COMMAND = UUID("3f0c7b1e-5a2d-4c1b-9f3e-2b7d8c6a1e00")
EVENTS = (UUID("3f0c7b1e-5a2d-4c1b-9f3e-2b7d8c6a1e01"), UUID("3f0c7b1e-5a2d-4c1b-9f3e-2b7d8c6a1e02"))


@pytest.mark.parametrize(("outcome", "status"), [
    (CommandOutcome(COMMAND, "pupil-7d1f", EVENTS[:1], 7, 7), 201),
    (CommandOutcome(COMMAND, "provision-north/register", EVENTS, 1, 2), 201),
    (CommandOutcome(COMMAND, "pupil-7d1f", EVENTS[:1], 7, 7, duplicate=True), 200),
    (CommandOutcome(COMMAND, "organisation-caf\u00e9 \"q\" \\ \u2028", (), 0, 0), 200),
])
def test_the_answer_is_what_a_json_response_of_the_same_body_was(outcome: CommandOutcome, status: int) -> None:
    answer = accepted_response(outcome)
    body = {"command_id": str(outcome.command_id), "stream_id": outcome.stream_id,
            "event_ids": [str(event_id) for event_id in outcome.event_ids],
            "first_version": outcome.first_version, "last_version": outcome.last_version}
    before = JSONResponse(body, status_code=status)

    assert answer.status_code == status
    assert answer.body == before.body
    assert answer.raw_headers == before.raw_headers
