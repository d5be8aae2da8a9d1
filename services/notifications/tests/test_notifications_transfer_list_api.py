"""The file transfers a DSL sends or receives, through the notifications API on real PostgreSQL with real tokens
and the real access policy (issue 16): the sending and the receiving DSL each list the transfer with its due day
and state; a DSL of a setting that is neither lists nothing; a school's staff and head, and another area's
commissioner, are refused (403)."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role
from ap_testing.notifications.builders import NEW_SCHOOL, PROVISION, Events

from .test_notifications_api import HEAD, HOME_DSL, HOME_STAFF, NEW_DSL, OTHER_COMMISSIONER, PROVISION_DSL, http, token

pytestmark = pytest.mark.integration
__all__ = ["http"]  # the fixture, shared with the API test

ROGUE_DSL = token("provision-rogue", OrgKind.PROVISION, Role.DSL)


async def _listed(client: httpx.AsyncClient, headers: object) -> list[dict[str, object]]:
    response = await client.get("/v1/safeguarding-transfers", headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    transfers: list[dict[str, object]] = response.json()["transfers"]
    return transfers


async def test_both_dsls_list_the_transfer_and_nobody_else_does(http: httpx.AsyncClient, ev: Events) -> None:
    transfer_id = str(uuid4())
    body = {"transfer_id": transfer_id, "pupil_ref": str(ev.pupil_ref), "to_organisation_id": NEW_SCHOOL}
    offered = await http.post("/v1/safeguarding-transfers", json=body, headers=PROVISION_DSL)
    assert offered.status_code == 201, offered.text
    for dsl in (PROVISION_DSL, NEW_DSL):
        [row] = [t for t in await _listed(http, dsl) if t["transfer_id"] == transfer_id]
        assert (row["from_organisation_id"], row["receiving_dsl_organisation_id"], row["due_by"],
                row["confirmed_at"]) == (PROVISION, NEW_SCHOOL, offered.json()["due_by"], None)
    for outsider in (HOME_DSL, ROGUE_DSL):
        assert transfer_id not in str(await _listed(http, outsider))
    for refused in (HEAD, HOME_STAFF, OTHER_COMMISSIONER):
        response = await http.get("/v1/safeguarding-transfers", headers=refused)
        assert response.status_code == 403 and transfer_id not in response.text, response.text
