"""``GET /v1/pupils/{ref}/subject-access`` on the notifications API: the DPO of an organisation answering
for the pupil gets every notification and transfer held about the pupil, stating why; a parent's contact
details and the staff who acknowledged are withheld; other pupils' notifications never appear."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor, OrgKind
from ap_contracts.events.notifications import Audience, Channel, NotificationSent
from ap_notifications.entrypoints.api import ApiDeps, create_app
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, generate_keypair, open_audit_pool
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import NewEvent
from ap_runtime.privacy.subject_access import WITHHELD
from ap_runtime.projection.store import ensure_registered
from ap_testing.notifications.builders import HOME_SCHOOL, NARRATIVE, Events, received

pytestmark = pytest.mark.integration

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.NOTIFICATIONS)
PARENT_CONTACT = "parent.contact@example.invalid"
PURPOSE = "subject access request from the parent"


def headers(org: str, kind: OrgKind, role: Role, purpose: str | None = PURPOSE) -> dict[str, str]:
    minted = ISSUER.mint(user_id=f"{role.value}@{org}", organisation_id=org, org_kind=kind, roles=(role,))
    return {"Authorization": f"Bearer {minted}", **({"X-Access-Purpose": purpose} if purpose else {})}


HOME_DPO = headers(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.DPO)
HEAD = headers(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)


async def feed(notif: NotificationServices, *events: object) -> None:
    projection = AlertingProjection(notif.dispatcher, notif.transfers, notif.book)
    schema = await ensure_registered(notif.pool, projection)
    async with notif.pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")
        for event in events:
            await projection.apply(conn, received(event))  # type: ignore[arg-type]


@pytest_asyncio.fixture(loop_scope="session")
async def http(notif: NotificationServices,
               new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[httpx.AsyncClient]:
    audit_pool = await open_audit_pool(await new_database("notif_sar_audit"))
    deps = ApiDeps(notif, AccessGuard(AuditLog(audit_pool)), TokenVerifier(load_public_key(KEYS.public_pem),
                                                                   audience=ServiceAudience.NOTIFICATIONS))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://t") as client:
        yield client
    await audit_pool.close()


async def parent_notified(notif: NotificationServices, pupil_ref: UUID) -> UUID:
    """A notification sent to a parent with no platform account: their address is family-contact data."""
    notification_id = uuid4()
    sent = NotificationSent(notification_id=notification_id, pupil_ref=pupil_ref, rule_name="reward_achieved",
                            audience=Audience.PARENT, recipient_organisation_id=HOME_SCHOOL,
                            recipient_contact=PARENT_CONTACT, channel=Channel.EMAIL, cause_event_id=uuid4(),
                            template_id="reward_achieved")
    await notif.store.append(f"notification-{notification_id}", 0, [
        NewEvent(sent, Actor(user_id="ap-notifications", organisation_id="ap-platform"), "ap-platform", uuid4())])
    return notification_id


async def test_the_dpo_gets_the_pupils_notifications_with_third_parties_withheld(
        http: httpx.AsyncClient, notif: NotificationServices, ev: Events) -> None:
    other = Events()
    await feed(notif, ev.started(), ev.concern(), ev.intervention(), other.started(), other.concern())
    parent_note = await parent_notified(notif, ev.pupil_ref)
    intervention = await notif.pool.fetchval(
        "SELECT payload->>'notification_id' FROM events WHERE event_type = 'NotificationSent'"
        " AND payload->>'rule_name' = 'physical_intervention'")
    assert (await http.post(f"/v1/notifications/{intervention}/acknowledgement", headers=HEAD)).status_code == 200

    response = await http.get(f"/v1/pupils/{ev.pupil_ref}/subject-access", headers=HOME_DPO)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["pupil_ref"] == str(ev.pupil_ref)
    assert document["redaction_policy_version"].endswith("+notifications.1")
    records = document["records"]
    sent = sorted((r["data"]["rule_name"], r["data"]["audience"]) for r in records
                  if r["event_type"] == "NotificationSent")
    # The safeguarding concern's alerts (to the home school and both DSLs) are held back (issue 9).
    assert sent == [("physical_intervention", "home_school"), ("physical_intervention_parents", "parent"),
                    ("reward_achieved", "parent")]
    assert "safeguarding" not in response.text.lower()
    [parent] = [r for r in records if r["data"].get("notification_id") == str(parent_note)]
    assert parent["data"]["recipient_contact"] == WITHHELD and "recipient_contact" in parent["withheld_fields"]
    [acknowledged] = [r for r in records if r["event_type"] == "NotificationAcknowledged"]
    assert acknowledged["data"]["acknowledged_by"] == WITHHELD
    assert all(r["recorded_by"]["user_id"] == WITHHELD for r in records)
    text = response.text
    assert PARENT_CONTACT not in text and NARRATIVE not in text and str(other.pupil_ref) not in text
    assert "home_school_head@" not in text

    html = await http.get(f"/v1/pupils/{ev.pupil_ref}/subject-access", headers={**HOME_DPO, "Accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert str(ev.pupil_ref) in html.text and PARENT_CONTACT not in html.text


async def test_only_a_dpo_answering_for_the_pupil_stating_why(http: httpx.AsyncClient, notif: NotificationServices,
                                                             ev: Events) -> None:
    await feed(notif, ev.started(), ev.concern())
    path = f"/v1/pupils/{ev.pupil_ref}/subject-access"
    for refused in (headers("school-other-2", OrgKind.HOME_SCHOOL, Role.DPO), HEAD,
                    headers(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.DPO, purpose=None),
                    headers(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.DSL)):
        response = await http.get(path, headers=refused)
        assert response.status_code == 403, response.text
    assert (await http.get(f"/v1/pupils/{uuid4()}/subject-access", headers=HOME_DPO)).status_code == 403
    assert (await http.get(path)).status_code == 401
