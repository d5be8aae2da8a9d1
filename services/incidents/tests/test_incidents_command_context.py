"""The context a placement command is judged in (``resource_context.command_context``), built in one step since
issue 11: the pupil, its home school and that school's registered local authority, and the parties of the
placement the command names (when the pupil's stream holds it), else those of the current or latest placement,
else the latest referral's provision. Seeded views: the same context as the rule says, field by field."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from ap_contracts.envelope import OrgKind
from ap_contracts.personal import RecordClass
from ap_incidents.application.access_view import PlacementParties, PupilAccessView
from ap_incidents.application.resource_context import command_context, pupil_context
from ap_incidents.domain.commands import PlacementCommand
from ap_incidents.domain.organisations import OrganisationDirectory, RegisteredOrganisation
from ap_runtime.access import ResourceContext

pytestmark = pytest.mark.unit

PUPIL = UUID("00000000-0000-4000-8000-000000000001")
ORGANISATIONS = OrganisationDirectory.of([RegisteredOrganisation("school-a", OrgKind.HOME_SCHOOL, "la-1")])
CODE = st.sampled_from(["prov-north", "prov-south", "la-1", "la-2", "part-1", "part-2"])
PARTIES = st.builds(PlacementParties, placement_id=st.uuids(), provision_id=CODE, home_school_id=st.just("school-a"),
                    commissioner_id=CODE, partnership_id=CODE, active=st.booleans())


def _expected(view: PupilAccessView, named: UUID) -> ResourceContext:
    placement = view.placements.get(named) or view.current_placement()
    local_authority = "la-1" if view.home_school_id == "school-a" else None
    if placement is None:
        return ResourceContext(pupil_ref=PUPIL, home_school_id=view.home_school_id,
                               provision_id=view.latest_referral_provision, local_authority_id=local_authority)
    return ResourceContext(pupil_ref=PUPIL, home_school_id=view.home_school_id, provision_id=placement.provision_id,
                           commissioner_id=placement.commissioner_id, partnership_id=placement.partnership_id,
                           local_authority_id=local_authority)


@seed(11)
@settings(max_examples=400, deadline=None)
@given(placements=st.lists(PARTIES, max_size=3, unique_by=lambda p: p.placement_id),
       latest=st.integers(0, 3), named=st.integers(0, 3), home=st.sampled_from([None, "school-a", "school-b"]),
       referral_provision=st.none() | CODE, record_class=st.none() | st.sampled_from(list(RecordClass)))
def test_a_placement_command_is_judged_with_its_own_placements_parties(
        placements: list[PlacementParties], latest: int, named: int, home: str | None, referral_provision: str | None,
        record_class: RecordClass | None) -> None:
    ids = [p.placement_id for p in placements]
    view = PupilAccessView(PUPIL, home, latest_referral_provision=referral_provision,
                           placements={p.placement_id: p for p in placements},
                           latest_placement_id=ids[latest] if latest < len(ids) else None)
    placement_id = ids[named] if named < len(ids) else uuid4()  # one the stream does not hold, at times
    command = PlacementCommand(command_id=uuid4(), pupil_ref=PUPIL, placement_id=placement_id)

    assert command_context(view, command, ORGANISATIONS) == _expected(view, placement_id)
    whole = _expected(view, uuid4())  # the pupil as a whole: the current or latest placement's parties
    assert pupil_context(view, record_class) == ResourceContext(
        pupil_ref=PUPIL, home_school_id=home, provision_id=whole.provision_id, commissioner_id=whole.commissioner_id,
        partnership_id=whole.partnership_id, record_class=record_class)
