"""The retention job as the scheduler runs it (``python -m ap_incidents.entrypoints.retention``) over real
pupils recorded through the API, on its own databases: a pupil past every expiry is shredded (erasure
recorded, key destroyed, one decision per class), one under a legal hold is kept, one with a
safeguarding file is kept for review, one not yet due is untouched; a rerun records nothing; a dry run
changes nothing; once the hold is lifted the next day's run shreds; the decisions reach Kafka."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer

from ap_contracts.personal import RecordClass
from ap_incidents.entrypoints.api import create_app
from ap_incidents.entrypoints.bootstrap import IncidentsDeps
from ap_runtime.access import TokenIssuer, TokenVerifier, generate_keypair, open_audit_pool, query
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.kafka import client_security, topic_partitions
from ap_runtime.privacy.keystore import KeyStore
from ap_testing.privacy import master_keys_env, random_ring

from .conftest import ApiStory, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration

TODAY = date(2032, 1, 1)
BORN_LONG_AGO = date(1995, 6, 1)  # 25th birthday 2020, 31st 2026: every date-of-birth class has expired
CLASSES_OF_A_PLACED_PUPIL = {RecordClass.PUPIL_IDENTITY, RecordClass.SEN_HEALTH, RecordClass.FAMILY_CONTACT,
                             RecordClass.BEHAVIOUR}


@dataclass
class RetentionWorld:
    service: ServiceUnderTest
    env: dict[str, str]
    keystore: KeyStore

    async def run_job(self, *args: str) -> str:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ap_incidents.entrypoints.retention", *args,
            env={**os.environ, **self.env}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        return out.decode()

    async def stream(self, story: ApiStory) -> list[tuple[str, dict[str, object]]]:
        rows = await self.service.deps.events_pool.fetch(
            "SELECT event_type, payload::text AS payload FROM events WHERE stream_id = $1 ORDER BY stream_version",
            story.stream)
        return [(r["event_type"], json.loads(r["payload"])) for r in rows]

    async def decisions(self, story: ApiStory) -> dict[str, str]:
        return {p["record_class"]: p["decision"] for t, p in await self.stream(story)  # type: ignore[misc]
                if t == "RetentionDecisionRecorded"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(new_database: Callable[[str], Awaitable[str]], new_topic: Callable[..., Awaitable[str]],
                kafka_bootstrap: str) -> AsyncIterator[RetentionWorld]:
    dsns = {name: await new_database(f"retention_{name}") for name in ("events", "audit", "keys")}
    events_pool = await asyncpg.create_pool(dsns["events"], min_size=2, max_size=10)
    audit_pool = await open_audit_pool(dsns["audit"])
    ring, raw = random_ring("mk-1")
    keystore = await KeyStore.open(dsns["keys"], ring, cache_ttl_seconds=0)
    pair = generate_keypair()
    verifier = TokenVerifier(load_public_key(pair.public_pem), audience=ServiceAudience.INCIDENTS)
    deps = IncidentsDeps(events_pool, events_pool, audit_pool, keystore, verifier)
    await deps.migrate()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://incidents")
    issuer = TokenIssuer(load_private_key(pair.private_pem), audience=ServiceAudience.INCIDENTS)
    service = ServiceUnderTest(deps, issuer, client,
                               await new_topic("retention-events"), kafka_bootstrap, dsns)
    await service.register_organisations()
    await service.register_staff()
    env = {"AP_DSN_AP_INCIDENTS": dsns["events"], "AP_DSN_AP_AUDIT": dsns["audit"], "AP_DSN_AP_KEYS": dsns["keys"],
           "AP_KEY_CACHE_TTL_SECONDS": "0", "AP_LOG_LEVEL": "WARNING", **master_keys_env(raw, "mk-1")}
    yield RetentionWorld(service, env, keystore)
    await client.aclose()
    await keystore.close()
    await audit_pool.close()
    await events_pool.close()


async def placed_and_ended(service: ServiceUnderTest, born: date, *, concern: bool = False) -> ApiStory:
    story = ApiStory(service)
    await story.ready_to_place(date_of_birth=born)
    await story.ok(story.cmd.start_placement(), "commissioner")
    await story.ok(story.cmd.record_incident(), "provider_staff")
    if concern:
        await story.ok(story.cmd.safeguarding_concern(), "provider_staff")
    await story.ok(story.cmd.confirm_reintegration(), "home_staff")
    await story.ok(story.cmd.end_placement(), "commissioner")
    return story


async def place_hold(service: ServiceUnderTest, story: ApiStory) -> UUID:
    hold = uuid4()
    response = await service.client.post(
        f"/v1/pupils/{story.pupil_ref}/legal-holds",
        json={"command_id": str(uuid4()), "hold_id": str(hold), "authority_reference": "Inquiry PI-7"},
        headers=service.headers("home_dpo", purpose="inquiry preservation notice"))
    assert response.status_code == 201, response.text
    return hold


async def lift_hold(service: ServiceUnderTest, story: ApiStory, hold: UUID) -> None:
    response = await service.client.post(
        f"/v1/pupils/{story.pupil_ref}/legal-holds/{hold}/lift",
        json={"command_id": str(uuid4()), "authority_reference": "Inquiry PI-7"},
        headers=service.headers("home_dpo", purpose="inquiry closed"))
    assert response.status_code == 201, response.text


async def published(service: ServiceUnderTest) -> list[dict[str, object]]:
    """Every envelope on the test topic, read from the beginning to the end offsets."""
    await service.relay_to_head()
    partitions = await topic_partitions(service.bootstrap, [service.events_topic])
    consumer = AIOKafkaConsumer(bootstrap_servers=service.bootstrap, **client_security(), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        envelopes: list[dict[str, object]] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batch = await consumer.getmany(timeout_ms=1000)
            envelopes += [json.loads(record.value) for records in batch.values() for record in records]
        return envelopes
    finally:
        await consumer.stop()


async def test_the_scheduled_run_shreds_what_expired_keeps_what_is_held_and_records_each_decision_once(
        world: RetentionWorld) -> None:
    service = world.service
    expired = await placed_and_ended(service, BORN_LONG_AGO)
    held = await placed_and_ended(service, BORN_LONG_AGO)
    hold = await place_hold(service, held)
    lifted = await placed_and_ended(service, BORN_LONG_AGO)
    await lift_hold(service, lifted, await place_hold(service, lifted))
    safeguarding = await placed_and_ended(service, BORN_LONG_AGO, concern=True)
    young = ApiStory(service)
    await young.registered()
    await young.ok(young.cmd.receive_referral(), "home_staff")
    pupils = (expired, held, lifted, safeguarding, young)
    lengths = {p.pupil_ref: len(await world.stream(p)) for p in pupils}

    # A dry run says what it would do and changes nothing.
    dry = await world.run_job("--today", TODAY.isoformat(), "--dry-run")
    assert "dry run" in dry and dry.splitlines()[-1] == "5 pupil(s) examined, 2 would be shredded, 19 event(s) " \
                                                       "would record"
    assert {p.pupil_ref: len(await world.stream(p)) for p in pupils} == lengths
    assert await world.keystore.get(str(expired.pupil_ref)) is not None

    out = await world.run_job("--today", TODAY.isoformat())
    assert out.splitlines()[-1] == "5 pupil(s) examined, 2 shredded, 19 event(s) recorded", out

    for shredded in (expired, lifted):
        assert await world.keystore.get(str(shredded.pupil_ref)) is None
        appended = [t for t, _ in await world.stream(shredded)][lengths[shredded.pupil_ref]:]
        assert appended == ["PupilDataErased"] + ["RetentionDecisionRecorded"] * 4
        assert await world.decisions(shredded) == {c.value: "shredded" for c in CLASSES_OF_A_PLACED_PUPIL}
        erasure = next(p for t, p in await world.stream(shredded) if t == "PupilDataErased")
        assert (erasure["reason"], erasure["requested_by"]) == ("retention_expired", "retention_schedule")
    assert await world.keystore.get(str(held.pupil_ref)) is not None
    assert await world.decisions(held) == {c.value: "kept_legal_hold" for c in CLASSES_OF_A_PLACED_PUPIL}
    assert await world.decisions(safeguarding) == {
        c.value: "kept_review" for c in (*CLASSES_OF_A_PLACED_PUPIL, RecordClass.SAFEGUARDING)}
    assert await world.keystore.get(str(safeguarding.pupil_ref)) is not None
    assert len(await world.stream(young)) == lengths[young.pupil_ref]

    # The record of a shredded pupil is closed to new entries.
    closed = await expired.send(expired.cmd.record_attendance(), "provider_staff")
    assert closed.status_code == 409 and problem_of(closed)["rule"] == "pupil.erased_record_closed"

    # Running again, the same day or later, records nothing new.
    before = {p.pupil_ref: len(await world.stream(p)) for p in pupils}
    again = await world.run_job("--today", TODAY.isoformat())
    assert again.splitlines()[-1] == "3 pupil(s) examined, 0 shredded, 0 event(s) recorded", again
    assert {p.pupil_ref: len(await world.stream(p)) for p in pupils} == before

    # Once the hold is lifted, the next run shreds that pupil too.
    await lift_hold(service, held, hold)
    next_day = await world.run_job("--today", "2032-01-02")
    assert next_day.splitlines()[-1] == "3 pupil(s) examined, 1 shredded, 5 event(s) recorded", next_day
    assert await world.keystore.get(str(held.pupil_ref)) is None
    assert await world.decisions(held) == {c.value: "shredded" for c in CLASSES_OF_A_PLACED_PUPIL}

    # Each read of a pupil by the job is audited under the retention schedule's platform rule.
    audited = await query(service.deps.audit_pool, user="ap-retention-schedule")
    assert len(audited) >= 5 + 5 + 3 + 3
    assert {(r.action, r.decision, r.rule_id) for r in audited} == {("privacy.run_retention", "allowed", "OPS-1")}

    # The relay publishes the decisions like any other event of the store, without personal data.
    envelopes = [e for e in await published(service) if e["stream_id"] == expired.stream]
    kinds = [e["event_type"] for e in envelopes]
    assert "PupilDataErased" in kinds and kinds.count("RetentionDecisionRecorded") == 4
    assert BORN_LONG_AGO.isoformat() not in json.dumps([e for e in envelopes if e["event_type"] != "PupilRegistered"])
