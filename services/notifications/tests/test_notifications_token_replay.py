"""A write token carries one write in notifications too (issue 9, tokens): acknowledging,
offering a child-protection file and confirming its receipt each bind the token to what they
write; the same token presented for another write is refused 401, a retry of the same one is not.
"""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role
from ap_testing.notifications.builders import NEW_SCHOOL, PROVISION, Events

from .test_notifications_api import FreshToken, http  # noqa: F401  (``http`` is the API fixture)

pytestmark = pytest.mark.integration


def one_token(fresh: FreshToken) -> dict[str, str]:
    """The same token for several requests: what a replaying attacker holds."""
    return {"Authorization": f"Bearer {fresh.minted()}"}


async def test_a_token_that_offered_one_file_cannot_offer_another(http: httpx.AsyncClient,  # noqa: F811
                                                                  ev: Events) -> None:
    captured = one_token(FreshToken(PROVISION, OrgKind.PROVISION, (Role.DSL,)))
    first = {"transfer_id": str(uuid4()), "pupil_ref": str(ev.pupil_ref), "to_organisation_id": NEW_SCHOOL}
    assert (await http.post("/v1/safeguarding-transfers", json=first, headers=captured)).status_code == 201
    retried = await http.post("/v1/safeguarding-transfers", json=first, headers=captured)
    assert retried.status_code == 201  # the same write again: its idempotent answer
    second = first | {"transfer_id": str(uuid4())}
    replayed = await http.post("/v1/safeguarding-transfers", json=second, headers=captured)
    assert replayed.status_code == 401 and "token already used" in replayed.text
    assert (await http.get(f"/v1/safeguarding-transfers/{second['transfer_id']}", headers=FreshToken(
        PROVISION, OrgKind.PROVISION, (Role.DSL,)))).status_code == 404  # nothing was offered
    receiver = one_token(FreshToken(NEW_SCHOOL, OrgKind.HOME_SCHOOL, (Role.DSL,)))
    receipt = f"/v1/safeguarding-transfers/{first['transfer_id']}/receipt"
    assert (await http.post(receipt, headers=receiver)).status_code == 200
    assert (await http.post(receipt, headers=receiver)).status_code == 200  # a retry of the same write
