"""Issue 9 follow-up: a local authority reads the placement register only for the pupils it answers for.

Rule REG-4 let any LA officer read every register row with pupil names, other authorities' pupils
included. An LA reads the rows of pupils on roll at schools the register of organisations places in
its area (REG-4, ``pupil_local_authority``) and of places it commissioned (REG-3); each row is judged
on stored facts (the pupil's current home school, that school's registered LA, the placement's
commissioner), filtered in SQL so that ``limit`` counts only rows the caller may see. An authority of
another area, its DPO and its commissioner learn nothing of the pupil, not even that it exists.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_incidents.application.catalogue import SPEC_BY_MODEL
from ap_incidents.domain import command_models as c
from ap_runtime.access import Role

from .conftest import (
    LOCAL_AUTHORITY,
    OTHER_LOCAL_AUTHORITY,
    PARTNERSHIP,
    ApiStory,
    RunningProjections,
    ServiceUnderTest,
)

pytestmark = pytest.mark.integration

# A school the register places in the other authority's area (registered by the platform administrator).
ROGUE_AREA_SCHOOL = "school-rogue-area-9"
# Start dates ordering the rows of the other area's LA: its own pupil's place first, then the moved pupil's,
# both after the first area's placements (START) so those come first in the register's order.
OWN_START = date(2025, 1, 14)
MOVED_START = date(2025, 1, 20)

# Callers at the local authority of ANOTHER area than the pupil's: each role an LA holds.
OTHER_AREA = {
    "other_la_officer": (Role.LA_OFFICER,),
    "other_la_dpo": (Role.DPO,),
    "other_la_commissioner": (Role.COMMISSIONER,),
}


def _headers(service: ServiceUnderTest, org: str, roles: tuple[Role, ...], who: str,
             kind: OrgKind = OrgKind.LOCAL_AUTHORITY) -> dict[str, str]:
    token = service.issuer.mint(user_id=f"{who}-user", organisation_id=org, org_kind=kind, roles=roles)
    return {"Authorization": f"Bearer {token}"}


async def _ok(service: ServiceUnderTest, command: c.Command, school: str) -> None:
    """POST ``command`` to its endpoint as staff of ``school`` (outside the fixtures' people), a fresh token each."""
    headers = _headers(service, school, (Role.HOME_SCHOOL_STAFF,), f"{school}-staff", kind=OrgKind.HOME_SCHOOL)
    spec = SPEC_BY_MODEL[type(command)]
    values = command.model_dump(mode="json")
    owner = spec.scope_path.format(**{spec.scope_field: values[spec.scope_field]})
    body = {name: value for name, value in values.items() if name not in (spec.scope_field, *spec.path_fields)}
    response = await service.client.post(f"/v1{owner}/{spec.path_for(values)}", json=body, headers=headers)
    assert response.status_code in (200, 201), (type(command).__name__, response.text)


async def _register(service: ServiceUnderTest, who_headers: dict[str, str],
                    **params: str) -> httpx.Response:
    return await service.client.get("/v1/placements", params=params, headers=who_headers)


def _pupils(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["pupil_ref"] for row in response.json()["placements"]]


async def _register_rogue_area_school(service: ServiceUnderTest) -> None:
    command = c.RegisterOrganisation(command_id=uuid4(), organisation_id=ROGUE_AREA_SCHOOL, kind=OrgKind.HOME_SCHOOL,
                                     local_authority_id=OTHER_LOCAL_AUTHORITY, partnership_id=PARTNERSHIP)
    response = await service.send(command, "platform_admin")
    assert response.status_code in (200, 201), response.text


def _without_pupil(response: httpx.Response, pupil_ref: UUID) -> Any:
    """The answer with the pupil ref asked about blanked, to compare it with the answer about nobody."""
    return response.status_code, response.text.replace(str(pupil_ref), "<pupil>")


async def test_a_local_authority_of_another_area_reads_nothing_of_the_pupil(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.ready_to_place(display_name="Wren Elsewhere")
    await api_story.ok(api_story.cmd.start_placement(), "commissioner")
    await projections.caught_up()
    pupil = str(api_story.pupil_ref)
    for who, roles in OTHER_AREA.items():
        headers = _headers(service, OTHER_LOCAL_AUTHORITY, roles, who)
        about_pupil = await _register(service, headers, pupil_ref=pupil)
        nobody = uuid4()
        about_nobody = await _register(service, headers, pupil_ref=str(nobody))
        # Not even its existence: the answer about this pupil is the answer about a pupil nobody holds.
        assert _without_pupil(about_pupil, api_story.pupil_ref) == _without_pupil(about_nobody, nobody), who
        assert pupil not in about_pupil.text, who
        everything = await _register(service, headers, limit="1000")
        assert pupil not in everything.text and "Wren Elsewhere" not in everything.text, who
    # The pupil's own local authority still reads the row, with the name.
    own = await _register(service, service.headers("la_officer"), pupil_ref=pupil)
    assert _pupils(own) == [pupil]
    assert own.json()["placements"][0]["display_name"] == "Wren Elsewhere"


async def test_a_local_authority_pages_through_its_own_rows_only(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    """``limit`` counts the rows the caller may see: the other authority's earlier placements do not crowd
    its own out of the first page (the filter is in SQL, not applied after the limit)."""
    await api_story.placed()  # a placement of the first authority's pupil, starting before the one below
    await _register_rogue_area_school(service)
    school_staff = ROGUE_AREA_SCHOOL
    own = ApiStory(service)
    await _ok(service, own.cmd.register_pupil(home_school_id=ROGUE_AREA_SCHOOL), school_staff)
    await _ok(service, own.cmd.receive_referral(commissioner_id=OTHER_LOCAL_AUTHORITY), school_staff)
    await _ok(service, own.cmd.consult_parent(), school_staff)
    await own.ok(own.cmd.decide_eligibility(), "provider_manager")
    await own.ok(own.cmd.start_placement(start_date=OWN_START), "other_la_officer")
    await projections.caught_up()
    rogue_la = service.headers("other_la_officer")
    first_page = await _register(service, rogue_la, limit="1")
    assert _pupils(first_page) == [str(own.pupil_ref)]
    assert str(api_story.pupil_ref) not in _pupils(await _register(service, rogue_la, limit="1000"))


async def test_a_local_authority_reads_the_places_it_commissioned_and_its_schools_pupils(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    """Stored facts, as they change: the LA that commissioned the place keeps reading it after the pupil moved
    to a school in another area, and that area's LA reads it from the move on (and not before)."""
    await api_story.registered()
    await api_story.ok(api_story.cmd.receive_referral(commissioner_id=LOCAL_AUTHORITY), "home_staff")
    await api_story.ok(api_story.cmd.consult_parent(), "home_staff")
    await api_story.ok(api_story.cmd.decide_eligibility(), "provider_manager")
    await api_story.ok(api_story.cmd.start_placement(start_date=MOVED_START), "la_officer")
    await projections.caught_up()
    pupil = str(api_story.pupil_ref)
    rogue_la = service.headers("other_la_officer")
    assert _pupils(await _register(service, rogue_la, pupil_ref=pupil)) == []
    await _register_rogue_area_school(service)
    transfer = uuid4()
    await api_story.ok(c.RequestPupilTransfer(command_id=uuid4(), pupil_ref=api_story.pupil_ref, transfer_id=transfer,
                                              to_school_id=ROGUE_AREA_SCHOOL, requested_on=date(2025, 3, 10)), "head")
    await api_story.ok(c.ConfirmPupilTransfer(command_id=uuid4(), pupil_ref=api_story.pupil_ref, transfer_id=transfer,
                                              effective_from=date(2025, 3, 10)), "la_officer")
    await projections.caught_up()
    assert _pupils(await _register(service, rogue_la, pupil_ref=pupil)) == [pupil]
    assert _pupils(await _register(service, service.headers("la_officer"), pupil_ref=pupil)) == [pupil]
    assert _pupils(await _register(service, service.headers("head"), pupil_ref=pupil)) == []


# Every other read of one pupil's data, with the purpose it needs: another area's authority gets the answer it
# would get about a pupil nobody holds, so it cannot even learn that the pupil exists.
PUPIL_READS: dict[str, tuple[str, dict[str, str], str | None]] = {
    "behaviour_log": ("/v1/pupils/{pupil}/behaviour-log", {}, None),
    "safeguarding_detail": ("/v1/pupils/{pupil}/behaviour-log", {"safeguarding": "true"}, "child protection"),
    "subject_access": ("/v1/pupils/{pupil}/subject-access", {}, "subject access request"),
    "access_audit": ("/v1/audit", {"pupil_ref": "{pupil}"}, "subject access request"),
}


async def _read(service: ServiceUnderTest, endpoint: str, pupil: UUID, headers: dict[str, str]) -> httpx.Response:
    path, params, purpose = PUPIL_READS[endpoint]
    filled = {k: v.format(pupil=pupil) for k, v in params.items()}
    extra = {} if purpose is None else {"X-Access-Purpose": purpose}
    return await service.client.get(path.format(pupil=pupil), params=filled, headers={**headers, **extra})


async def test_another_areas_authority_cannot_tell_the_pupil_exists_from_any_read(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.registered()
    await api_story.ok(api_story.cmd.receive_referral(commissioner_id=LOCAL_AUTHORITY), "home_staff")
    await api_story.ok(api_story.cmd.consult_parent(), "home_staff")
    await api_story.ok(api_story.cmd.decide_eligibility(), "provider_manager")
    await api_story.ok(api_story.cmd.start_placement(), "la_officer")
    await api_story.incident()
    await projections.caught_up()
    for (who, roles), endpoint in itertools.product(OTHER_AREA.items(), PUPIL_READS):
        headers = _headers(service, OTHER_LOCAL_AUTHORITY, roles, who)
        nobody = uuid4()
        about_pupil = await _read(service, endpoint, api_story.pupil_ref, headers)
        about_nobody = await _read(service, endpoint, nobody, headers)
        assert about_pupil.status_code in (200, 403, 404), (who, endpoint, about_pupil.text)
        assert _without_pupil(about_pupil, api_story.pupil_ref) == _without_pupil(about_nobody, nobody), (who, endpoint)
        assert "Pushed another pupil" not in about_pupil.text, (who, endpoint)
    # The authority that commissioned the place still reads it: its officer the log, its DPO the subject access.
    log = await _read(service, "behaviour_log", api_story.pupil_ref, service.headers("la_officer"))
    assert log.status_code == 200 and "Pushed another pupil" in log.text, log.text
    own_dpo = _headers(service, LOCAL_AUTHORITY, (Role.DPO,), "la_dpo")
    export = await _read(service, "subject_access", api_story.pupil_ref, own_dpo)
    assert export.status_code == 200 and "Pushed another pupil" in export.text, export.text
