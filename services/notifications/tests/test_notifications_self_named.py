"""Issue 9 sweep, notifications: an organisation naming itself in a request body gains nothing.

Sending a child-protection file is authorised on the pupil's stored placement (the DSL of its provision or
home school); the receiving setting named in the body is where the file goes, chosen by that authorised
sender. An organisation that names itself as the receiver of a pupil it has nothing to do with is refused,
and a setting the sender did not name can neither confirm nor read the transfer.
"""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role
from ap_testing.notifications.builders import NEW_SCHOOL, Events

from .test_notifications_api import PROVISION_DSL, http, token  # noqa: F401  (``http`` is the API fixture)

pytestmark = pytest.mark.integration

ROGUE = "school-rogue"
ROGUE_DSL = token(ROGUE, OrgKind.HOME_SCHOOL, Role.DSL)


async def test_a_setting_naming_itself_the_receiver_of_a_file_is_refused(http: httpx.AsyncClient,  # noqa: F811
                                                                         ev: Events) -> None:
    own = {"transfer_id": str(uuid4()), "pupil_ref": str(ev.pupil_ref), "to_organisation_id": ROGUE,
           "receiving_dsl_organisation_id": ROGUE}
    refused = await http.post("/v1/safeguarding-transfers", json=own, headers=ROGUE_DSL)
    assert refused.status_code == 403, refused.text

    sent = {"transfer_id": str(uuid4()), "pupil_ref": str(ev.pupil_ref), "to_organisation_id": NEW_SCHOOL}
    assert (await http.post("/v1/safeguarding-transfers", json=sent, headers=PROVISION_DSL)).status_code == 201
    path = f"/v1/safeguarding-transfers/{sent['transfer_id']}"
    assert (await http.post(f"{path}/receipt", headers=ROGUE_DSL)).status_code == 403
    assert (await http.get(path, headers=ROGUE_DSL)).status_code == 403
