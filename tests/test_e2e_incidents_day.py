"""End to end: a scripted day at one provision through the public HTTP API and the Kafka command topic.

Every part runs as its own OS process, as deployed: the API (uvicorn), the Kafka command consumer,
the relay (event store -> Kafka) and the projections, on fresh databases and unique topics of the
real PostgreSQL and Kafka. The day's steps end as scripted (accepted, refused with their rule,
denied by the policy, invalid), the behaviour log of each pupil shows exactly the accepted
commands in order, the placement register shows each placement's state, a repeated command
records nothing on either interface, and erasing one pupil drops their personal values from the
read models without a rebuild.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from ap_incidents.adapters.command_topic_client import CommandTopicClient
from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess as Process
from ap_testing.processes import free_port, incidents_process_env, processes_report, wait_for_platform
from demo.personas import Persona, TokenFor, tokens_from
from demo.runner import run_scripted_day, send_http
from demo.scripted_day import ScriptedDay, erasure_step, scripted_day

pytestmark = pytest.mark.e2e  # several platform processes (ap_testing.levels)


@dataclass
class Platform:
    http: httpx.AsyncClient
    kafka: CommandTopicClient
    token_for: TokenFor
    processes: list[Process]

    def report(self) -> str:
        return processes_report(self.processes)


@pytest_asyncio.fixture(loop_scope="session")
async def platform(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                   kafka_bootstrap: str) -> AsyncIterator[Platform]:
    dsns = {name: await new_database(f"e2e_incidents_{name}") for name in ("events", "audit", "keys")}
    topics = {name: await new_topic(f"e2e-incidents-{name}") for name in ("events", "commands", "results")}
    _ring, raw_keys = random_ring("mk-e2e")
    pair = generate_keypair()
    port = free_port()
    env = {
        **incidents_process_env(dsns, topics, master_keys=master_keys_env(raw_keys, "mk-e2e"),
                                token_public_pem=pair.public_pem, bootstrap=kafka_bootstrap, port=port),
    }
    logs = Path(tempfile.mkdtemp(prefix="e2e-incidents-"))
    # The API migrates the databases at startup; the other processes start once it answers.
    processes = [Process("api", ["-m", "ap_incidents.entrypoints.api"], env, logs)]
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
    kafka = CommandTopicClient(kafka_bootstrap, commands_topic=topics["commands"], results_topic=topics["results"])
    platform = Platform(http, kafka, tokens_from(TokenIssuer(load_private_key(pair.private_pem))), processes)
    try:
        async def ready() -> bool:
            return (await http.get("/readyz")).status_code == 200

        await wait_for_platform(ready, "the API to be ready", platform.processes)
        processes += [
            Process("commands", ["-m", "ap_incidents.entrypoints.commands"], env, logs),
            Process("relay", ["-m", "ap_runtime.relay", "--service", "incidents", "--dsn", dsns["events"],
                              "--topic", topics["events"]], env, logs),
            Process("projections", ["-m", "ap_incidents.entrypoints.projections"], env, logs),
        ]
        await kafka.start()
        yield platform
    finally:
        await kafka.stop()
        await http.aclose()
        for process in reversed(processes):
            process.stop()


async def _log(platform: Platform, pupil_ref: object, reader: Persona = Persona.PROVISION_DSL) -> list[dict[str, Any]]:
    response = await platform.http.get(f"/v1/pupils/{pupil_ref}/behaviour-log",
                                       headers={"Authorization": f"Bearer {platform.token_for(reader)}"})
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


async def _logs_show(platform: Platform, day: ScriptedDay, extra: dict[str, list[str]] | None = None) -> None:
    async def complete() -> bool:
        for key, pupil in day.pupils.items():
            expected = day.event_types_read_by_the_provision(pupil.pupil_ref) + (extra or {}).get(key, [])
            if len(await _log(platform, pupil.pupil_ref)) < len(expected):
                return False
        return True

    await wait_for_platform(complete, "the behaviour logs to show the day", platform.processes)


async def test_the_scripted_day_end_to_end(platform: Platform) -> None:
    day = scripted_day(platform.token_for)
    try:
        results = await run_scripted_day(day, platform.http, platform.kafka)
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{platform.report()}") from exc
    wrong = [(r.step.label, r.outcome, r.http_status, r.rule) for r in results if not r.as_expected]
    assert not wrong, f"{wrong}\n{platform.report()}"
    assert {r.step.channel for r in results if r.step.expect.outcome.value != "accepted"} == {"http", "kafka"}

    # The behaviour log shows exactly what was accepted, in order, and nothing that was refused (the
    # provision's DSL reads a pupil whose placement ended up to the end only).
    await _logs_show(platform, day)
    for pupil in day.pupils.values():
        entries = await _log(platform, pupil.pupil_ref)
        assert [e["event_type"] for e in entries] == day.event_types_read_by_the_provision(pupil.pupil_ref)
        assert [e["stream_version"] for e in entries] == list(range(1, len(entries) + 1))
        accepted_ids = [r.body["event_ids"][0] for r in results
                        if r.step.pupil_ref == pupil.pupil_ref and r.outcome.value == "accepted"]
        assert [e["record_id"] for e in entries] == accepted_ids[:len(entries)]

    # The placement register, as the local authority sees it.
    register = await platform.http.get("/v1/placements", params={"provision_id": "provision-demo-north"},
                                       headers={"Authorization": f"Bearer {platform.token_for(Persona.LA_OFFICER)}"})
    rows = {row["pupil_ref"]: row for row in register.json()["placements"]}
    state = {key: (rows[str(p.pupil_ref)]["status"], rows[str(p.pupil_ref)]["end_reason"],
                   rows[str(p.pupil_ref)]["timetable"]) for key, p in day.pupils.items()}
    assert state == {"ashgrove": ("active", None, "full_time"),
                     "birchfield": ("ended", "transition_to_secondary", "reduced"),
                     "cedar": ("ended", "permanently_excluded", "full_time")}

    # A command sent again, on either interface, records nothing.
    http_again = next(r.step for r in results if r.step.channel == "http" and r.outcome.value == "accepted"
                      and r.step.pupil_ref is not None)
    repeat = await send_http(platform.http, http_again)
    assert repeat.http_status == 200 and repeat.body == next(r.body for r in results if r.step is http_again)
    kafka_again = next(r.step for r in results if r.step.channel == "kafka" and r.outcome.value == "accepted")
    await platform.kafka.send(kafka_again.command_type, kafka_again.command, kafka_again.token,
                              pupil_ref=kafka_again.pupil_ref)
    repeated = await platform.kafka.wait_for_count(kafka_again.command_id, 2)
    assert repeated[-1]["duplicate"] and repeated[-1]["event_ids"] == repeated[0]["event_ids"]

    # Erasing a pupil: the record says so, and the read models drop the personal values at once.
    cedar = day.pupils["cedar"]
    erased = await send_http(platform.http, erasure_step(day, "cedar", platform.token_for))
    assert erased.http_status == 201, erased.body
    async def cedar_erased() -> bool:
        home = await _log(platform, cedar.pupil_ref, Persona.HOME_HEAD)
        return bool(home) and home[-1]["event_type"] == "PupilDataErased"

    await wait_for_platform(cedar_erased, "the erasure to reach cedar's log", platform.processes)
    entries = await _log(platform, cedar.pupil_ref)
    assert len(entries) == len(day.event_types_read_by_the_provision(cedar.pupil_ref))
    assert all(e["personal_data_erased"] for e in entries)
    shown = str(entries)
    assert not [value for value in cedar.identifying_values() if value in shown]
    others = str(await _log(platform, day.pupils["ashgrove"].pupil_ref))
    assert day.pupils["ashgrove"].narratives[0] in others
