"""Escalation chains through the real notifications API (issue 14), hostile callers first.

Real FastAPI app, real tokens, the real access policy (NOT-ESC-1: an organisation's head, its own
organisation) and audit, on real PostgreSQL. Authorisation rests on the path's organisation and the verified
token only; the body names roles, so no chain can send an alert outside its organisation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.entrypoints.api import ApiDeps, create_app
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.escalation_check import check_escalations
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, generate_keypair, open_audit_pool
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_testing.notifications.builders import HOME_SCHOOL, PROVISION
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.NOTIFICATIONS)


def bearer(org: str, kind: OrgKind, role: Role) -> dict[str, str]:
    """A fresh token per request: a token carries one write."""
    token = ISSUER.mint(user_id=f"{role.value}@{org}", organisation_id=org, org_kind=kind, roles=(role,))
    return {"Authorization": f"Bearer {token}"}


def home_head() -> dict[str, str]:
    return bearer(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)


def provision_head() -> dict[str, str]:
    return bearer(PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER)


@pytest_asyncio.fixture(loop_scope="session")
async def http(notif: NotificationServices, new_database: Callable[[str], Awaitable[str]],
               ) -> AsyncIterator[httpx.AsyncClient]:
    audit_pool = await open_audit_pool(await new_database("escalate_audit"))
    deps = ApiDeps(notif, AccessGuard(AuditLog(audit_pool)),
                   TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.NOTIFICATIONS))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://t") as client:
        yield client
    await audit_pool.close()


def chain_path(organisation_id: str) -> str:
    return f"/v1/organisations/{organisation_id}/escalation-chain"


async def chain_events(notif: NotificationServices) -> list[dict[str, Any]]:
    return [e.payload for e in await read_everything_stored(notif.store) if e.event_type == "EscalationChainSet"]


async def test_the_head_sets_its_own_organisations_chain(http: httpx.AsyncClient, notif: NotificationServices) -> None:
    response = await http.post(chain_path(HOME_SCHOOL), json={"steps": ["dsl", "deputy_dsl", "head"]},
                               headers=home_head())
    assert response.status_code == 200, response.text
    assert response.json() == {"organisation_id": HOME_SCHOOL, "steps": ["dsl", "deputy_dsl", "head"],
                               "changed": True}
    again = await http.post(chain_path(HOME_SCHOOL), json={"steps": ["dsl", "deputy_dsl", "head"]},
                            headers=home_head())
    assert again.status_code == 200 and again.json()["changed"] is False
    assert [e["steps"] for e in await chain_events(notif)] == [["dsl", "deputy_dsl", "head"]]
    assert (await chain_events(notif))[0]["set_by"] == f"home_school_head@{HOME_SCHOOL}"


async def test_another_organisations_head_cannot_set_a_chain(http: httpx.AsyncClient,
                                                             notif: NotificationServices) -> None:
    response = await http.post(chain_path(PROVISION), json={"steps": ["head"]}, headers=home_head())
    assert response.status_code == 403, response.text
    assert await chain_events(notif) == []


@pytest.mark.parametrize("role", [Role.DSL, Role.PROVISION_STAFF])
async def test_only_the_head_sets_the_chain(http: httpx.AsyncClient, notif: NotificationServices, role: Role) -> None:
    response = await http.post(chain_path(PROVISION), json={"steps": ["head"]},
                               headers=bearer(PROVISION, OrgKind.PROVISION, role))
    assert response.status_code == 403, response.text
    assert await chain_events(notif) == []


@pytest.mark.parametrize("steps", [
    [{"role": "head", "organisation_id": "school-elsewhere"}],  # a person of another organisation
    ["head", "user@school-elsewhere"],  # a forged recipient instead of a role
    [],
])
async def test_a_chain_naming_anything_but_roles_of_the_organisation_is_refused(
    http: httpx.AsyncClient, notif: NotificationServices, steps: list[Any],
) -> None:
    response = await http.post(chain_path(PROVISION), json={"steps": steps}, headers=provision_head())
    assert response.status_code == 422, response.text
    assert "steps" in response.text
    assert await chain_events(notif) == []


async def test_a_chain_with_a_recipient_field_is_refused(http: httpx.AsyncClient, notif: NotificationServices) -> None:
    response = await http.post(chain_path(PROVISION), headers=provision_head(),
                               json={"steps": ["head"], "recipient_organisation_id": "school-elsewhere"})
    assert response.status_code == 422, response.text
    assert await chain_events(notif) == []


async def test_a_chain_naming_a_role_twice_is_refused_naming_the_rule(http: httpx.AsyncClient,
                                                                       notif: NotificationServices) -> None:
    response = await http.post(chain_path(PROVISION), json={"steps": ["head", "deputy_dsl", "head"]},
                               headers=provision_head())
    assert response.status_code == 422, response.text
    assert response.json()["rule"] == "escalation.each_role_once"
    assert await chain_events(notif) == []


async def test_another_organisation_cannot_acknowledge_an_alert_and_so_cannot_stop_its_chain(
    http: httpx.AsyncClient, notif: NotificationServices,
) -> None:
    chain = await http.post(chain_path(PROVISION), json={"steps": ["deputy_dsl", "head"]}, headers=provision_head())
    assert chain.status_code == 200, chain.text
    alert = Alert(rule_name="drug_or_weapon_found", audience=Audience.DSL, recipient_organisation_id=PROVISION,
                  pupil_ref=uuid4(), cause_event_id=uuid4(), cause_event_type="SearchConducted",
                  template_id="drug_or_weapon_found", priority=Priority.URGENT, link_path="/pupils/x/records/y")
    nid = (await notif.dispatcher.dispatch(alert, uuid4())).notification_id
    later = datetime.now(UTC) + timedelta(minutes=31)
    assert [s.recipient_role for s in await check_escalations(notif, later)] == ["deputy_dsl"]

    for caller in (bearer(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.DSL), home_head()):
        refused = await http.post(f"/v1/notifications/{nid}/acknowledgement", headers=caller)
        assert refused.status_code == 403, refused.text
    stored = await read_everything_stored(notif.store)
    assert not [e for e in stored if e.event_type == "NotificationAcknowledged"]

    # The provision's own DSL acknowledges before the head's step is due: the head is never told.
    own = await http.post(f"/v1/notifications/{nid}/acknowledgement",
                          headers=bearer(PROVISION, OrgKind.PROVISION, Role.DSL))
    assert own.status_code == 200, own.text
    assert await check_escalations(notif, later + timedelta(hours=5)) == []
    stored = await read_everything_stored(notif.store)
    assert [e.payload["recipient_role"] for e in stored if e.event_type == "AlertEscalated"] == ["deputy_dsl"]


def safeguarding_alert(rule: str, audience: Audience, recipient: str) -> Alert:
    return Alert(rule_name=rule, audience=audience, recipient_organisation_id=recipient, pupil_ref=uuid4(),
                 cause_event_id=uuid4(), cause_event_type="SearchConducted", template_id=rule,
                 priority=Priority.URGENT, link_path="/pupils/x/records/y")


async def acknowledgements(notif: NotificationServices) -> list[str]:
    stored = await read_everything_stored(notif.store)
    return [e.payload["acknowledged_by"] for e in stored if e.event_type == "NotificationAcknowledged"]


async def test_the_provision_head_acknowledges_a_safeguarding_alert_only_once_the_chain_has_reached_it(
    http: httpx.AsyncClient, notif: NotificationServices,
) -> None:
    chain = await http.post(chain_path(PROVISION), json={"steps": ["deputy_dsl", "head"]}, headers=provision_head())
    assert chain.status_code == 200, chain.text
    alert = safeguarding_alert("drug_or_weapon_found", Audience.DSL, PROVISION)
    nid = (await notif.dispatcher.dispatch(alert, uuid4())).notification_id
    path = f"/v1/notifications/{nid}/acknowledgement"

    # Not yet reached (no step, then the deputy DSL's step only): refused naming the rule, nothing recorded.
    early = await http.post(path, headers=provision_head())
    assert early.status_code == 403, early.text
    assert early.json()["rule"] == "escalation.acknowledged_by_those_reached"
    start = datetime.now(UTC)
    assert [s.recipient_role for s in await check_escalations(notif, start + timedelta(minutes=31))] == ["deputy_dsl"]
    assert (await http.post(path, headers=provision_head())).status_code == 403
    assert await acknowledgements(notif) == []

    assert [s.recipient_role for s in await check_escalations(notif, start + timedelta(minutes=62))] == ["head"]
    # Reached, but hostile callers still change nothing: another organisation's head, its DSL, the provision's
    # staff (not in the chain, and not told of a safeguarding alert), and a forged alert id.
    for caller in (home_head(), bearer(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.DSL),
                   bearer(PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)):
        refused = await http.post(path, headers=caller)
        assert refused.status_code == 403, refused.text
    forged = await http.post(f"/v1/notifications/{uuid4()}/acknowledgement", headers=provision_head())
    assert forged.status_code == 404, forged.text
    assert await acknowledgements(notif) == []

    reached = await http.post(path, headers=provision_head())
    assert reached.status_code == 200 and reached.json()["already_acknowledged"] is False, reached.text
    assert await acknowledgements(notif) == [f"provision_manager@{PROVISION}"]


async def test_the_home_school_head_acknowledges_an_escalated_safeguarding_concern_and_stops_its_chain(
    http: httpx.AsyncClient, notif: NotificationServices,
) -> None:
    chain = await http.post(chain_path(HOME_SCHOOL), json={"steps": ["head", "deputy_dsl"]}, headers=home_head())
    assert chain.status_code == 200, chain.text
    alert = safeguarding_alert("safeguarding_concern", Audience.HOME_SCHOOL, HOME_SCHOOL)
    nid = (await notif.dispatcher.dispatch(alert, uuid4())).notification_id
    path = f"/v1/notifications/{nid}/acknowledgement"
    assert (await http.post(path, headers=home_head())).status_code == 403  # the chain has not reached the head
    start = datetime.now(UTC)
    assert [s.recipient_role for s in await check_escalations(notif, start + timedelta(minutes=31))] == ["head"]
    staff = await http.post(path, headers=bearer(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF))
    assert staff.status_code == 403, staff.text
    assert (await http.post(path, headers=home_head())).status_code == 200
    # Acknowledged: the deputy DSL's step never comes.
    assert await check_escalations(notif, start + timedelta(hours=3)) == []
    stored = await read_everything_stored(notif.store)
    assert [e.payload["recipient_role"] for e in stored if e.event_type == "AlertEscalated"
            and e.payload["notification_id"] == str(nid)] == ["head"]
