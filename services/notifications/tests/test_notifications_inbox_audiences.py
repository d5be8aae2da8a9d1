"""Issue 16 follow-up: each audience reads only the alerts addressed to it, decided from the token's roles.

A looked-after child's permanent exclusion is told to the home school's local authority (audience ``la``) and to
the virtual school head of the authority looking after the child (``virtual_school_head``); here both are the same
authority, so both alerts land in one organisation's inbox. Its LA officers read the LA's alert and not the virtual
school head's (which would tell them the child is looked after); its virtual school head reads only its own; a
request value cannot widen either. A force-used notice to the parents goes through the home school but is the
parents': the school's head, staff and DSL neither list nor acknowledge it. Real API, tokens, policy, PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from uuid import UUID

import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_runtime.access import Role
from ap_testing.notifications.builders import HOME_SCHOOL, Events, home_school_registered, received
from ap_testing.store_reads import read_everything_stored

from .test_notifications_api import HEAD, HOME_DSL, HOME_STAFF, api_client, token
from .test_notifications_looked_after_sealed import sealed
from .test_notifications_virtual_school import exclusion

pytestmark = pytest.mark.integration

COUNTY = "la-county-both"  # the home school's authority, and the one looking after the child
OFFICER = token(COUNTY, OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)
VSH = token(COUNTY, OrgKind.LOCAL_AUTHORITY, Role.VIRTUAL_SCHOOL_HEAD)


@pytest_asyncio.fixture(loop_scope="session")
async def http(notif: NotificationServices, new_database: Callable[[str], Awaitable[str]],
               ev: Events) -> AsyncIterator[httpx.AsyncClient]:
    events = [received(home_school_registered(COUNTY)), await sealed(notif, ev.started(looked_after_by=(COUNTY,))),
              received(exclusion(ev)), received(ev.intervention())]
    async with api_client(notif, new_database, events) as client:
        yield client


async def listed(http: httpx.AsyncClient, headers: Mapping[str, str], query: str = "") -> set[tuple[str, str]]:
    response = await http.get(f"/v1/notifications{query}", headers=dict(headers))
    assert response.status_code == 200, response.text
    return {(n["rule_name"], n["audience"]) for n in response.json()["notifications"]}


async def sent_to(notif: NotificationServices, audience: str) -> UUID:
    return next(UUID(e.payload["notification_id"]) for e in await read_everything_stored(notif.store)
                if e.event_type == "NotificationSent" and e.payload["audience"] == audience)


async def test_an_la_officer_reads_the_las_alerts_and_not_the_virtual_school_heads(http: httpx.AsyncClient) -> None:
    seen = await listed(http, OFFICER)
    assert seen and {audience for _, audience in seen} <= {"la", "attendance_officer", "commissioner"}, seen
    for forged in ("?audience=virtual_school_head", "?audiences=virtual_school_head&role=virtual_school_head"):
        assert await listed(http, OFFICER, forged) == seen


async def test_the_virtual_school_head_reads_only_its_own_alerts(http: httpx.AsyncClient) -> None:
    assert await listed(http, VSH) == {("looked_after_exclusion_virtual_school", "virtual_school_head")}
    assert await listed(http, VSH, "?audience=la") == {
        ("looked_after_exclusion_virtual_school", "virtual_school_head")}


async def test_only_the_virtual_school_head_acknowledges_its_alert(http: httpx.AsyncClient,
                                                                   notif: NotificationServices) -> None:
    to_vsh = await sent_to(notif, "virtual_school_head")
    refused = await http.post(f"/v1/notifications/{to_vsh}/acknowledgement", headers=OFFICER)
    assert refused.status_code == 404, refused.text
    unknown = await http.post(f"/v1/notifications/{UUID(int=7)}/acknowledgement", headers=OFFICER)
    assert refused.json()["title"] == unknown.json()["title"]  # as if it did not exist
    done = await http.post(f"/v1/notifications/{to_vsh}/acknowledgement", headers=VSH)
    assert done.status_code == 200 and done.json()["already_acknowledged"] is False


async def test_a_virtual_school_head_role_held_elsewhere_reads_nothing(http: httpx.AsyncClient) -> None:
    at_school = token(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.VIRTUAL_SCHOOL_HEAD)
    assert (await http.get("/v1/notifications", headers=dict(at_school))).status_code == 403
    other_la = token("la-elsewhere", OrgKind.LOCAL_AUTHORITY, Role.VIRTUAL_SCHOOL_HEAD)
    assert await listed(http, other_la) == set()


async def test_the_parents_notice_is_neither_listed_nor_acknowledged_by_the_school(
    http: httpx.AsyncClient, notif: NotificationServices,
) -> None:
    for reader in (HEAD, HOME_STAFF, HOME_DSL):
        seen = await listed(http, reader, "?audience=parent")
        assert ("physical_intervention", "home_school") in seen and all(a != "parent" for _, a in seen), seen
    to_parents = await sent_to(notif, "parent")
    for reader in (HEAD, HOME_STAFF, HOME_DSL):
        refused = await http.post(f"/v1/notifications/{to_parents}/acknowledgement", headers=reader)
        assert refused.status_code == 404, refused.text
