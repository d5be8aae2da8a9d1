"""Send a scripted day through the public interfaces and report what became of each step.

HTTP steps are sent one by one and answered at once; Kafka steps are published in order (keyed
by pupil, so each pupil's commands stay in order) and their results collected from the results
topic at the end. Steps on the staff register come first in the day, so a pupil's physical
intervention never overtakes the training it depends on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from ap_incidents.adapters.command_topic_client import CommandTopicClient
from ap_incidents.application.catalogue import COMMANDS
from demo.scripted_day import Channel, Outcome, ScriptedDay, Step

_HTTP_OUTCOME = {"urn:ap:problem:access-denied": Outcome.DENIED, "urn:ap:problem:invalid-request": Outcome.INVALID}


@dataclass(frozen=True, slots=True)
class StepResult:
    step: Step
    outcome: Outcome
    http_status: int
    rule: str | None
    body: dict[str, Any]

    @property
    def as_expected(self) -> bool:
        expect = self.step.expect
        status_ok = self.http_status == expect.http_status or (
            expect.outcome is Outcome.ACCEPTED and self.http_status in (200, 201))
        return self.outcome is expect.outcome and status_ok and (expect.rule is None or self.rule == expect.rule)


def path_of(step: Step) -> str:
    spec = COMMANDS[step.command_type]
    owner = {"pupil_ref": step.pupil_ref, "provision_id": step.provision_id}.get(spec.scope_field)
    scope = spec.scope_path.format(**{spec.scope_field: owner or step.command.get(spec.scope_field)})
    return f"/v1{scope}/{spec.path_for(step.command)}"


async def send_http(client: httpx.AsyncClient, step: Step) -> StepResult:
    headers = {"Authorization": f"Bearer {step.token}"}
    if step.purpose:
        headers["X-Access-Purpose"] = step.purpose
    response = await client.post(path_of(step), json=step.command, headers=headers)
    body: dict[str, Any] = response.json()
    if response.status_code in (200, 201):
        return StepResult(step, Outcome.ACCEPTED, response.status_code, None, body)
    outcome = _HTTP_OUTCOME.get(str(body.get("type")), Outcome.REJECTED)
    return StepResult(step, outcome, response.status_code, body.get("rule"), body)


async def send_kafka(client: CommandTopicClient, step: Step) -> None:
    await client.send(step.command_type, step.command, step.token, pupil_ref=step.pupil_ref,
                      provision_id=step.provision_id, purpose=step.purpose)


def kafka_result(step: Step, result: dict[str, Any]) -> StepResult:
    return StepResult(step, Outcome(result["status"]), int(result["http_status"]), result.get("rule"), result)


async def run_scripted_day(day: ScriptedDay, http: httpx.AsyncClient, kafka: CommandTopicClient | None,
                           wait_seconds: float = 120.0) -> list[StepResult]:
    """Every step's result, in the day's order (Kafka steps need ``kafka``)."""
    answered: dict[int, StepResult] = {}
    queued: list[tuple[int, Step]] = []
    for index, step in enumerate(day.steps):
        if step.channel is Channel.KAFKA:
            if kafka is None:
                raise ValueError("the day has Kafka steps: give a CommandTopicClient")
            await send_kafka(kafka, step)
            queued.append((index, step))
        else:
            answered[index] = await send_http(http, step)
    if queued:
        assert kafka is not None
        results = await kafka.wait_for([step.command_id for _, step in queued], wait_seconds)
        answered.update({index: kafka_result(step, results[step.command_id]) for index, step in queued})
    return [answered[index] for index in range(len(day.steps))]
