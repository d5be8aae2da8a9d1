"""Issue 9 follow-up, notifications: a local authority of another area learns nothing of a pupil.

The notification list is its own organisation's inbox (policy NOT-1, NOT-DSL-1: ``own_organisation``)
and subject access is for the DPO of an organisation responsible for the pupil (DP-SAR-*), judged on
the pupil's stored placement. An authority of another area, whatever role its token carries (officer,
DPO, commissioner), lists no alert about the pupil and gets the same answer about the pupil as about a
pupil nobody holds; the home school and its DPO still read theirs.
"""

from __future__ import annotations

from uuid import UUID, uuid4

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role
from ap_testing.notifications.builders import HOME_SCHOOL, Events

from .test_notifications_api import HEAD, token
from .test_notifications_api import http as http  # the API fixture, with the pupil's alerts

pytestmark = pytest.mark.integration

OTHER_AREA = "la-rogue"
OTHER_AREA_ROLES = (Role.LA_OFFICER, Role.DPO, Role.COMMISSIONER)
PURPOSE = {"X-Access-Purpose": "subject access request"}


def _blanked(response: httpx.Response, pupil_ref: UUID) -> tuple[int, str]:
    return response.status_code, response.text.replace(str(pupil_ref), "<pupil>")


async def test_another_areas_authority_lists_and_exports_nothing_of_the_pupil(http: httpx.AsyncClient,
                                                                              ev: Events) -> None:
    pupil = str(ev.pupil_ref)
    for role in OTHER_AREA_ROLES:
        caller = token(OTHER_AREA, OrgKind.LOCAL_AUTHORITY, role)
        listed = await http.get("/v1/notifications", headers=dict(caller))
        assert listed.status_code in (200, 403), (role, listed.text)
        assert pupil not in listed.text, role
        nobody = uuid4()
        about_pupil = await http.get(f"/v1/pupils/{pupil}/subject-access", headers={**caller, **PURPOSE})
        about_nobody = await http.get(f"/v1/pupils/{nobody}/subject-access", headers={**caller, **PURPOSE})
        assert about_pupil.status_code in (403, 404), (role, about_pupil.text)
        assert _blanked(about_pupil, ev.pupil_ref) == _blanked(about_nobody, nobody), role
    # The organisations answering for the pupil still read: the home school its alerts, its DPO the export.
    own = await http.get("/v1/notifications", headers=dict(HEAD))
    assert own.status_code == 200 and pupil in own.text, own.text
    home_dpo = token(HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.DPO)
    export = await http.get(f"/v1/pupils/{pupil}/subject-access", headers={**home_dpo, **PURPOSE})
    assert export.status_code == 200 and pupil in export.text, export.text
