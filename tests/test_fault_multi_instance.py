"""More than one of every process, and one of each killed while 50,000 events flow (issue 11).

Real processes on the real servers: two incidents APIs (each on its own port), two relays of the
incidents event store, three runners of one projection (one consumer group). While the events flow,
the leading relay, one runner and one API are SIGKILLed at seeded random points (the seed is
printed; ``AP_FAULT_SEED`` replays it). Traffic: RegisterOrganisation commands over HTTP, spread
over both APIs and sent to the other one when an API dies (the command id makes the retry safe), and
the bulk as direct appends of test events to the same event store, so that 50,000 events flow in
minutes on a 2-core machine. Then every stored event was applied exactly once, and each stream's
events in stream order; a command repeated on the other API records nothing.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from ap_contracts.envelope import Actor
from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.eventstore import EventStore, NewEvent
from ap_runtime.projection import read_model
from ap_runtime.relay_leadership import current_leader
from ap_testing.events import CounterIncremented
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess, free_port, incidents_process_env, processes_report
from ap_testing.processes import wait_for_platform as wait_for
from ap_testing.topic_reads import first_copies_out_of_order, read_topic
from demo.personas import Persona, tokens_from
from demo.runner import path_of
from demo.scripted_day import Expect, Outcome, Step

pytestmark = pytest.mark.fault

TOTAL_EVENTS = 50_000
API_COMMANDS = 400
STREAMS = 250
CHUNK = 10  # events per direct append
ACTOR = Actor(user_id="fault-bulk", organisation_id="org-fault")
PROJECTION = "ap_testing.applied_events:AppliedEventsProjection"
RELAY_BATCH, RELAY_MAX_IN_FLIGHT = 500, 4  # ap_runtime.relay.Relay's defaults


class Cluster:
    """The processes of the test, by kind, with their logs."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.by_kind: dict[str, list[PlatformProcess]] = {"api": [], "relay": [], "runner": []}
        self.killed: list[PlatformProcess] = []
        self.client_of: dict[str, httpx.AsyncClient] = {}  # API process name -> its client

    def start(self, kind: str, args: list[str], env: dict[str, str] | None = None) -> PlatformProcess:
        name = f"{kind}{len(self.by_kind[kind]) + len([k for k in self.killed if k.name.startswith(kind)]) + 1}"
        process = PlatformProcess(name, args, {**self.env, **(env or {})}, self.logs)
        self.by_kind[kind].append(process)
        return process

    def kill(self, process: PlatformProcess) -> None:
        process.popen.kill()  # SIGKILL
        process.popen.wait(10)
        for members in self.by_kind.values():
            if process in members:
                members.remove(process)
        self.killed.append(process)

    def alive(self) -> list[PlatformProcess]:
        return [p for members in self.by_kind.values() for p in members]

    def report(self) -> str:
        return processes_report([*self.alive(), *self.killed])

    def stop(self) -> None:
        for process in self.alive():
            process.stop()


async def test_two_relays_three_runners_two_apis_each_losing_one_apply_every_event_once_in_order(
    new_database: Callable[[str], Any], new_topic: Callable[..., Any], kafka_bootstrap: str,
) -> None:
    seed = int(os.environ.get("AP_FAULT_SEED") or random.randrange(1_000_000))
    print(f"multi-instance fault test seed: {seed} (AP_FAULT_SEED={seed} replays the kill points)")
    rng = random.Random(seed)
    dsns = {name: await new_database(f"multi_{name}") for name in ("events", "audit", "keys", "rm")}
    topics = {name: await new_topic(f"multi-{name}") for name in ("events", "commands", "results")}
    _ring, raw_keys = random_ring("mk-multi")
    pair = generate_keypair()
    ports = [free_port(), free_port()]
    env = {**incidents_process_env(dsns, topics, master_keys=master_keys_env(raw_keys, "mk-multi"),
                                   token_public_pem=pair.public_pem, bootstrap=kafka_bootstrap, port=ports[0]),
           "AP_TEST_TOPICS": topics["events"]}
    cluster = Cluster(env, Path(tempfile.mkdtemp(prefix="fault-multi-")))
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in ports]
    store_pool = await asyncpg.create_pool(dsns["events"], min_size=2, max_size=8)
    rm_pool = await asyncpg.create_pool(dsns["rm"], min_size=1, max_size=4)
    started = time.monotonic()
    try:
        await _start_everything(cluster, clients, dsns, topics)
        token_for = tokens_from(TokenIssuer(load_private_key(pair.private_pem)))
        kill_at = {kind: rng.uniform(0.15, 0.75) for kind in ("relay", "runner", "api")}
        print(f"kill points (fraction of the bulk written): {kill_at}")
        accepted = await _flow(cluster, clients, store_pool, token_for, kill_at, rng)
        stored = await _stored(store_pool)
        assert len(stored) == TOTAL_EVENTS + API_COMMANDS, cluster.report()
        await _wait_applied(rm_pool, len(stored), cluster)
        await _assert_applied_once_in_stream_order(rm_pool, stored)
        await _assert_one_relay_published(kafka_bootstrap, topics["events"], stored)
        await _assert_repeats_record_nothing(cluster, accepted, store_pool, len(stored))
    finally:
        for client in clients:
            await client.aclose()
        await store_pool.close()
        await rm_pool.close()
        cluster.stop()
    print(f"multi-instance fault test took {time.monotonic() - started:.0f} s")


async def _start_everything(cluster: Cluster, clients: list[httpx.AsyncClient], dsns: dict[str, str],
                            topics: dict[str, str]) -> None:
    # The first API migrates the databases; everything else starts once it answers.
    first = cluster.start("api", ["-m", "ap_incidents.entrypoints.api"])
    cluster.client_of[first.name] = clients[0]
    await wait_for(lambda: _ready(clients[0]), "the first API", [first], seconds=120)
    port = str(clients[1].base_url.port)
    second = cluster.start("api", ["-m", "ap_incidents.entrypoints.api"], {"AP_HTTP_PORT": port})
    cluster.client_of[second.name] = clients[1]
    for _ in range(2):
        cluster.start("relay", ["-m", "ap_runtime.relay", "--service", "incidents", "--dsn", dsns["events"],
                                "--topic", topics["events"]])
    for _ in range(3):
        cluster.start("runner", ["-m", "ap_runtime.projection", "run", "--projection", PROJECTION,
                                 "--dsn", dsns["rm"], "--topic", topics["events"]])
    await wait_for(lambda: _ready(clients[1]), "the second API", [first, second], seconds=120)


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


def _register(token_for: Callable[[Persona], str], i: int) -> Step:
    command: dict[str, Any] = {"command_id": str(uuid4()), "organisation_id": f"la-fault-{i:04d}",
               "kind": "local_authority",
               "local_authority_id": None, "partnership_id": None, "key_stages": []}
    return Step(f"la-fault-{i} registered", "RegisterOrganisation", None, command, Persona.PLATFORM_ADMIN,
                token_for(Persona.PLATFORM_ADMIN), Expect(Outcome.ACCEPTED, 200, event_type="OrganisationRegistered"))


async def _post(clients: list[httpx.AsyncClient], step: Step, first: int) -> dict[str, Any]:
    """Send to API ``first``; when it cannot answer (killed), send the same command to the other."""
    for attempt in range(40):
        client = clients[(first + attempt) % len(clients)]
        try:
            response = await client.post(path_of(step), json=step.command,
                                         headers={"Authorization": f"Bearer {step.token}"})
        except httpx.TransportError:
            await asyncio.sleep(0.05)
            continue
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body
    raise AssertionError(f"no API answered {step.label}")


async def _flow(cluster: Cluster, clients: list[httpx.AsyncClient], pool: asyncpg.Pool,
                token_for: Callable[[Persona], str], kill_at: dict[str, float],
                rng: random.Random) -> dict[int, tuple[Step, dict[str, Any]]]:
    """The bulk appends and the API commands at once; kills when the bulk passes each kill point."""
    store = EventStore(pool)
    written = 0
    accepted: dict[int, tuple[Step, dict[str, Any]]] = {}
    bulk_done = asyncio.Event()

    async def bulk() -> None:
        nonlocal written
        versions = dict.fromkeys(range(STREAMS), 0)
        pending = dict(kill_at)
        while written < TOTAL_EVENTS:
            streams = list({rng.randrange(STREAMS) for _ in range(20)})[: (TOTAL_EVENTS - written) // CHUNK]
            await asyncio.gather(*(_append(store, s, versions) for s in streams))
            written += CHUNK * len(streams)
            for kind, at in list(pending.items()):
                if written >= at * TOTAL_EVENTS:
                    await _kill_one(cluster, pool, kind, rng)
                    del pending[kind]
        bulk_done.set()

    async def commands() -> None:
        for i in range(API_COMMANDS):
            step = _register(token_for, i)
            accepted[i] = (step, await _post(clients, step, i % 2))
            if not bulk_done.is_set():
                await asyncio.sleep(0.01)

    await asyncio.gather(bulk(), commands())
    return accepted


async def _append(store: EventStore, stream: int, versions: dict[int, int]) -> None:
    name = f"bulk-{stream}"
    version = versions[stream]
    versions[stream] += CHUNK
    await store.append(name, version, [
        NewEvent(CounterIncremented(counter=name, seq=version + i), ACTOR, "org-fault", uuid4()) for i in range(CHUNK)])


async def _kill_one(cluster: Cluster, pool: asyncpg.Pool, kind: str, rng: random.Random) -> None:
    members = cluster.by_kind[kind]
    if kind == "relay":  # the one that leads: killing a standby would prove nothing
        async with pool.acquire() as conn:
            leader = await current_leader(conn, "incidents-relay")
        victim = next(p for p in members if leader is not None and leader.endswith(f":{p.popen.pid}"))
    else:
        victim = rng.choice(members)
    print(f"SIGKILL {victim.name} at {time.strftime('%H:%M:%S')}")
    cluster.kill(victim)


async def _stored(pool: asyncpg.Pool) -> dict[UUID, tuple[str, int]]:
    rows = await pool.fetch("SELECT event_id, stream_id, stream_version FROM events")
    return {r["event_id"]: (r["stream_id"], r["stream_version"]) for r in rows}


async def _applied(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    async with read_model(pool, "applied_events") as conn:
        return list(await conn.fetch(
            "SELECT event_id, stream_id, stream_version, applied_count FROM applied_events ORDER BY applied_order"))


async def _wait_applied(pool: asyncpg.Pool, count: int, cluster: Cluster) -> None:
    async def all_applied() -> bool:
        async with read_model(pool, "applied_events") as conn:
            return int(await conn.fetchval("SELECT count(*) FROM applied_events")) >= count

    await wait_for(all_applied, f"{count} events applied", cluster.alive(), seconds=150)


async def _assert_applied_once_in_stream_order(pool: asyncpg.Pool, stored: dict[UUID, tuple[str, int]]) -> None:
    applied = await _applied(pool)
    assert {r["event_id"] for r in applied} == set(stored)  # every stored event, nothing else
    assert [r for r in applied if r["applied_count"] != 1] == []  # each exactly once
    last: dict[str, int] = {}
    out_of_order = []
    for r in applied:
        if r["stream_version"] != last.get(r["stream_id"], 0) + 1:
            out_of_order.append((r["stream_id"], last.get(r["stream_id"], 0), r["stream_version"]))
        last[r["stream_id"]] = r["stream_version"]
    assert out_of_order == []


async def _assert_one_relay_published(bootstrap: str, topic: str, stored: dict[UUID, tuple[str, int]]) -> None:
    """Duplicates on the topic come only from the one takeover: at most the batches the killed leader had
    sent ahead of its checkpoint. Two relays publishing at once would double everything."""
    records = await read_topic(bootstrap, topic)
    assert {r.event_id for r in records} == set(stored)
    assert first_copies_out_of_order(records) == []
    duplicates = len(records) - len(stored)
    print(f"duplicates on the topic after the relay takeover: {duplicates}")
    assert duplicates <= RELAY_MAX_IN_FLIGHT * RELAY_BATCH


async def _assert_repeats_record_nothing(cluster: Cluster, accepted: dict[int, tuple[Step, dict[str, Any]]],
                                         pool: asyncpg.Pool, stored: int) -> None:
    """A command sent again, to the API left standing, answers as the first time and records nothing."""
    survivors = [cluster.client_of[p.name] for p in cluster.by_kind["api"]]
    for i in sorted(accepted)[:: max(1, len(accepted) // 20)]:
        step, first = accepted[i]
        assert await _post(survivors, step, 0) == first
    assert int(await pool.fetchval("SELECT count(*) FROM events")) == stored
