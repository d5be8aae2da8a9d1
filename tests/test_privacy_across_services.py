"""Privacy duties that cross services, on real PostgreSQL and Kafka, both APIs in process:

- a break-glass read in the incidents API becomes ``BreakGlassAccessUsed``, the relay publishes it, and
  the notifications worker (its real consumers) alerts the DSLs of the pupil's provision and home
  school, with categories and identifiers only;
- the subject access exporter gathers the incidents and notifications documents as a DPO, under one
  correlation id in both services' audit, and writes one JSON and one HTML file with third parties'
  data withheld.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupil_vocabulary import (
    ConsultationMethod,
    EligibilityOutcome,
    Ethnicity,
    ParentView,
    SafeguardingCategory,
    SenStatus,
    Severity,
    Sex,
    TimetableKind,
    YearGroup,
)
from ap_incidents.adapters.subject_access_sources import SubjectAccessSourceFailed
from ap_incidents.application.catalogue import SPEC_BY_MODEL
from ap_incidents.domain import command_models as c
from ap_incidents.entrypoints.api import create_app as incidents_api
from ap_incidents.entrypoints.bootstrap import IncidentsDeps
from ap_incidents.entrypoints.subject_access import parser, run
from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.entrypoints.api import ApiDeps
from ap_notifications.entrypoints.api import create_app as notifications_api
from ap_notifications.entrypoints.bootstrap import NotificationServices, open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.entrypoints.worker import runners
from ap_runtime.access import (
    AccessGuard,
    AuditLog,
    KeyPair,
    Role,
    TokenIssuer,
    TokenVerifier,
    generate_keypair,
    open_audit_pool,
    query,
)
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.privacy.subject_access import WITHHELD
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.privacy import random_ring

pytestmark = pytest.mark.integration

HOME_SCHOOL, PROVISION = "school-home-1", "provision-north"
COMMISSIONER, PARTNERSHIP = "la-commissioning", "np-north"
PEOPLE: dict[str, tuple[str, OrgKind, Role]] = {
    "head": (HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD),
    "home_dsl": (HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.DSL),
    "home_staff": (HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF),
    "provider_staff": (PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF),
    "provider_manager": (PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER),
    "commissioner": (COMMISSIONER, OrgKind.COMMISSIONER, Role.COMMISSIONER),
    "platform_admin": ("platform-operator", OrgKind.PLATFORM, Role.PLATFORM_ADMIN),
}
LOCAL_AUTHORITY = "la-inclusion"
# The register of organisations the placement rests on (issue 9: never what a caller names in a body).
REGISTRATIONS: tuple[dict[str, Any], ...] = (
    {"organisation_id": LOCAL_AUTHORITY, "kind": "local_authority"},
    {"organisation_id": HOME_SCHOOL, "kind": "home_school", "local_authority_id": LOCAL_AUTHORITY},
    {"organisation_id": COMMISSIONER, "kind": "commissioner", "local_authority_id": LOCAL_AUTHORITY},
    {"organisation_id": PROVISION, "kind": "provision", "local_authority_id": LOCAL_AUTHORITY,
     "partnership_id": PARTNERSHIP, "key_stages": ["KS2"]},
)
FREE_TEXT = "Aunt Petra rang: child not seen since Friday"


@dataclass
class Platform:
    incidents: IncidentsDeps
    incidents_app: Any
    notifications: NotificationServices
    notifications_app: Any
    audit_pool: asyncpg.Pool
    keys: KeyPair
    issuer: TokenIssuer
    outbox: Path

    def headers(self, who: str, purpose: str | None = None, audience: ServiceAudience = ServiceAudience.INCIDENTS,
                **extra: str) -> dict[str, str]:
        org, kind, role = PEOPLE[who]
        token = self.issuer.mint(user_id=f"{who}-user", organisation_id=org, org_kind=kind, roles=(role,),
                                 audience=audience)
        return {"Authorization": f"Bearer {token}", **({"X-Access-Purpose": purpose} if purpose else {}), **extra}

    def client(self, app: Any, name: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")


async def wait_for(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not reached in time: {what}")
        await asyncio.sleep(0.2)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def platform(new_database: Callable[[str], Awaitable[str]], new_topic: Callable[..., Awaitable[str]],
                   kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    keystore = await KeyStore.open(await new_database("privx_keys"), random_ring()[0], cache_ttl_seconds=0)
    events_pool = await asyncpg.create_pool(await new_database("privx_incidents"), min_size=2, max_size=10)
    audit_pool = await open_audit_pool(await new_database("privx_audit"))
    pair = generate_keypair()
    public_key = load_public_key(pair.public_pem)
    verifier = TokenVerifier(public_key, audience=ServiceAudience.INCIDENTS)
    incidents = IncidentsDeps(events_pool, events_pool, audit_pool, keystore, verifier)
    await incidents.migrate()

    topic, inbox_topic = await new_topic("privx-events"), await new_topic("privx-inbox")
    outbox = tmp_path_factory.mktemp("privx") / "outbox"
    settings = NotificationSettings(dsn=await new_database("privx_notif"), kafka_bootstrap=kafka_bootstrap,
                                    incidents_topic=topic, notifications_topic=inbox_topic, privacy_topic=topic,
                                    group_prefix=f"privx-{uuid4().hex[:8]}", outbox_dir=outbox)
    services = await open_services(settings, codec=PersonalDataCodec(keystore), delivery=FileOutbox(outbox))
    notif_deps = ApiDeps(services, AccessGuard(AuditLog(audit_pool)),
                         TokenVerifier(public_key, audience=ServiceAudience.NOTIFICATIONS))

    worker = runners(services, settings)  # the worker's own consumers, break-glass alerts included
    app = build_app(worker, kafka_bootstrap)
    assert app.broker is not None
    stop_relay = asyncio.Event()
    relay = asyncio.create_task(Relay(events_pool, kafka_bootstrap, "privx-relay", topic_override=topic)
                                .run(stop_relay))
    async with app.broker:
        for runner in worker:
            await runner.start()
        await app.broker.start()
        yield Platform(incidents, incidents_api(incidents), services, notifications_api(notif_deps), audit_pool,
                       pair, TokenIssuer(load_private_key(pair.private_pem)), outbox)
        for runner in worker:
            await runner.stop()
    stop_relay.set()
    await relay
    await services.close()
    await keystore.close()
    await audit_pool.close()
    await events_pool.close()


async def send(platform: Platform, incidents: httpx.AsyncClient, command: c.Command, who: str) -> None:
    spec = SPEC_BY_MODEL[type(command)]
    body = command.model_dump(mode="json", exclude={"pupil_ref"})
    response = await incidents.post(f"/v1/pupils/{command.pupil_ref}/{spec.path}",  # type: ignore[attr-defined]
                                    json=body, headers=platform.headers(who))
    assert response.status_code == 201, (spec.name, response.text)


async def placed_pupil_with_a_concern(platform: Platform, incidents: httpx.AsyncClient, *,
                                      family_contact: str | None = None) -> UUID:
    pupil, referral, placement = uuid4(), uuid4(), uuid4()
    for registration in REGISTRATIONS:  # the same facts again record nothing
        response = await incidents.post(f"/v1/organisations/{registration['organisation_id']}/registration",
                                        json={"command_id": str(uuid4()), **registration},
                                        headers=platform.headers("platform_admin"))
        assert response.status_code in (200, 201), response.text

    def ids() -> dict[str, Any]:
        return {"command_id": uuid4(), "pupil_ref": pupil}

    steps: list[tuple[c.Command, str]] = [
        (c.RegisterPupil(**ids(), home_school_id=HOME_SCHOOL, display_name="Rowan Testpupil",
                         date_of_birth=date(2016, 5, 1), sex=Sex.FEMALE, year_group=YearGroup.Y4,
                         sen_status=SenStatus.SEN_SUPPORT, fsm_eligible=False, ethnicity=Ethnicity.NOT_YET_OBTAINED,
                         looked_after=False, family_contact=family_contact), "head"),
        (c.ReceiveReferral(**ids(), referral_id=referral, provision_id=PROVISION, commissioner_id=COMMISSIONER,
                           received_on=date(2025, 1, 6),
                           senco_involved=True, reason="Escalating disruption",
                           support_already_tried="In-class support"), "home_staff"),
        (c.RecordParentConsultation(**ids(), referral_id=referral, consulted_on=date(2025, 1, 8),
                                    method=ConsultationMethod.MEETING, parent_view=ParentView.SUPPORTS,
                                    consulted_with="parent"), "home_staff"),
        (c.DecideEligibility(**ids(), referral_id=referral, decided_on=date(2025, 1, 10),
                             outcome=EligibilityOutcome.ELIGIBLE, rationale="Meets the criteria"), "provider_manager"),
        (c.StartPlacement(**ids(), placement_id=placement, referral_id=referral, start_date=date(2025, 1, 13),
                          planned_end_date=date(2025, 7, 18), timetable=TimetableKind.FULL_TIME,
                          planned_review_date=date(2025, 2, 24), exit_criteria="Three settled weeks",
                          incident_severity_threshold=Severity.SERIOUS, attendance_threshold_percent=90),
         "commissioner"),
        (c.RaiseSafeguardingConcern(**ids(), placement_id=placement, concern_id=uuid4(),
                                    raised_at=datetime.fromisoformat("2025-03-10T09:30:00+00:00"),
                                    category=SafeguardingCategory.NEGLECT, immediate_risk=False,
                                    referred_to_dsl=True, raised_by="staff-1", concern="Arrives hungry"),
         "provider_staff"),
    ]
    for command, who in steps:
        await send(platform, incidents, command, who)
    return pupil


async def sent_about(platform: Platform, pupil: UUID, rule: str) -> list[str]:
    rows = await platform.notifications.pool.fetch(
        "SELECT payload->>'recipient_organisation_id' AS org FROM events WHERE event_type = 'NotificationSent'"
        " AND pii_subject = $1 AND payload->>'rule_name' = $2", str(pupil), rule)
    return sorted(r["org"] for r in rows)


def outbox_texts(outbox: Path) -> list[str]:
    return [path.read_text() for path in sorted(outbox.iterdir())] if outbox.exists() else []


async def test_a_break_glass_read_alerts_both_dsls_through_kafka_without_the_free_text(platform: Platform) -> None:
    async with platform.client(platform.incidents_app, "incidents") as incidents:
        pupil = await placed_pupil_with_a_concern(platform, incidents)
        read = await incidents.get(f"/v1/pupils/{pupil}/behaviour-log", params={"safeguarding": "true"},
                                   headers=platform.headers("head", purpose=f"missing_child: {FREE_TEXT}",
                                                            **{"X-Break-Glass": "true"}))
        assert read.status_code == 200, read.text

    async def both_told() -> bool:
        return await sent_about(platform, pupil, "break_glass_access") == sorted([HOME_SCHOOL, PROVISION])

    await wait_for(both_told, "the break-glass alert to both DSLs")
    messages = [t for t in await asyncio.to_thread(outbox_texts, platform.outbox)
                if "break_glass_access" in t and str(pupil) in t]
    assert len(messages) == 2
    assert all("head-user" in m and "missing_child" in m and "home_school_head" in m for m in messages)
    leaked = await platform.notifications.pool.fetchval(
        "SELECT count(*) FROM events WHERE payload::text LIKE '%Aunt Petra%'")
    stored = await platform.incidents.events_pool.fetchval(
        "SELECT count(*) FROM events WHERE payload::text LIKE '%Aunt Petra%'")
    assert (leaked, stored) == (0, 0)
    assert not [m for m in await asyncio.to_thread(outbox_texts, platform.outbox) if "Aunt Petra" in m]


async def test_the_subject_access_export_gathers_both_services_with_third_parties_withheld(
        platform: Platform, tmp_path: Path) -> None:
    contact = "Grandparent on 07700 900456"
    async with platform.client(platform.incidents_app, "incidents") as incidents:
        pupil = await placed_pupil_with_a_concern(platform, incidents, family_contact=contact)

    async def alerted() -> bool:
        return await sent_about(platform, pupil, "safeguarding_concern") == sorted(
            [HOME_SCHOOL, HOME_SCHOOL, PROVISION])

    await wait_for(alerted, "the safeguarding concern's notifications")
    notification = await platform.notifications.pool.fetchval(
        "SELECT payload->>'notification_id' FROM events WHERE event_type = 'NotificationSent' AND pii_subject = $1"
        " AND payload->>'audience' = 'home_school'", str(pupil))
    async with platform.client(platform.notifications_app, "notifications") as notifications:
        acknowledged = await notifications.post(f"/v1/notifications/{notification}/acknowledgement",
                                                headers=platform.headers("home_dsl",
                                                                         audience=ServiceAudience.NOTIFICATIONS))
        assert acknowledged.status_code == 200, acknowledged.text

    transports = {"incidents": httpx.ASGITransport(app=platform.incidents_app),
                  "notifications": httpx.ASGITransport(app=platform.notifications_app)}
    env = {"AP_TOKEN_PRIVATE_KEY": platform.keys.private_b64}
    out = tmp_path / "sar"
    args = parser().parse_args(["--pupil", str(pupil), "--out", str(out), "--incidents-url", "http://incidents",
                                "--notifications-url", "http://notifications", "--organisation", HOME_SCHOOL,
                                "--token", ""])
    exported = await run(args, transports, env)

    assert exported.json_path == out / f"subject-access-{pupil}.json"
    assert exported.html_path == out / f"subject-access-{pupil}.html"
    text, html, modes = await asyncio.to_thread(read_export, exported.json_path, exported.html_path)
    assert modes == (0o600, 0o600)
    bundle = json.loads(text)
    assert bundle["format"] == "ap-subject-access-bundle/1" and bundle["pupil_ref"] == str(pupil)
    assert [s["service"] for s in bundle["sources"]] == ["incidents", "notifications"]
    by_service: dict[str, list[dict[str, Any]]] = {}
    for record in bundle["records"]:
        by_service.setdefault(record["service"], []).append(record)
    assert [r["event_type"] for r in by_service["incidents"]][:2] == ["PupilRegistered", "ReferralReceived"]
    registration = by_service["incidents"][0]["data"]
    assert registration["display_name"] == "Rowan Testpupil" and registration["family_contact"] == WITHHELD
    # Every notification about this pupil was a safeguarding alert (and its acknowledgement): held back.
    assert "notifications" not in by_service and "safeguarding_concern" not in text
    assert bundle["record_count"] == len(bundle["records"]) == sum(s["record_count"] for s in bundle["sources"])
    assert contact not in text and contact not in html and "home_dsl-user" not in text
    assert "Rowan Testpupil" in html
    # The concern is held back until a DPO releases it (issue 9), and its narrative never leaves unreleased.
    assert "Safeguarding concern raised" not in html and "Arrives hungry" not in text

    audited = [r for r in await query(platform.audit_pool, pupil=pupil) if r.action == "privacy.export_subject_access"]
    assert len(audited) == 2 and {r.decision for r in audited} == {"allowed"}
    assert len({r.correlation_id for r in audited}) == 1  # one request, seen in both services' audit

    refused = parser().parse_args(["--pupil", str(pupil), "--out", str(tmp_path / "refused"), "--incidents-url",
                                   "http://incidents", "--notifications-url", "http://notifications",
                                   "--organisation", "school-other-2", "--token", ""])
    with pytest.raises(SubjectAccessSourceFailed) as failed:
        await run(refused, transports, env)
    assert failed.value.status == 403 and failed.value.service == "incidents"
    assert not await asyncio.to_thread((tmp_path / "refused").exists)


def read_export(json_path: Path, html_path: Path) -> tuple[str, str, tuple[int, int]]:
    return (json_path.read_text(), html_path.read_text(),
            (stat.S_IMODE(os.stat(json_path).st_mode), stat.S_IMODE(os.stat(html_path).st_mode)))
