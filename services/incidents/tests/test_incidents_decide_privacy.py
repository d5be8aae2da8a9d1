"""Erasure, legal holds and the subject access release are domain decisions: ``decide`` dispatches them
like every other command, on the pupil record folded by ``evolve`` (given / when / then, no server)."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID, uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.privacy import (
    LegalHoldLifted,
    LegalHoldPlaced,
    PupilDataErased,
    SubjectAccessSafeguardingReleased,
)
from ap_incidents.domain.decide import decide
from ap_incidents.domain.errors import PupilNotRegistered, PupilRecordErased
from ap_incidents.domain.evolve import fold
from ap_incidents.domain.themes.privacy import (
    ErasePupil,
    ErasureUnderLegalHold,
    LiftLegalHold,
    PlaceLegalHold,
    ReleaseIdInUse,
    ReleaseSubjectAccessSafeguarding,
)

from .conftest import HOME_SCHOOL, Story, caller

DPO = caller(HOME_SCHOOL, OrgKind.HOME_SCHOOL, "dpo")


def erase(story: Story) -> ErasePupil:
    return ErasePupil(command_id=uuid4(), pupil_ref=story.pupil_ref, reason="erasure_request_upheld",
                      legal_basis="UK GDPR Art. 17(1)(a)", requested_by="parent_or_carer")


def release(story: Story, release_id: UUID | None = None,
            reference: str = "SAR-2025-031") -> ReleaseSubjectAccessSafeguarding:
    return ReleaseSubjectAccessSafeguarding(command_id=uuid4(), pupil_ref=story.pupil_ref,
                                            release_id=release_id or uuid4(), request_reference=reference)


def test_decide_places_a_hold_refuses_erasure_under_it_and_erases_once_it_is_lifted(story: Story) -> None:
    story.registered()
    hold = uuid4()
    place = PlaceLegalHold(command_id=uuid4(), pupil_ref=story.pupil_ref, hold_id=hold,
                           authority_reference="Court order CO-77")
    [placed] = decide(place, story.state, story.context(DPO))
    story.given([placed])
    assert isinstance(placed, LegalHoldPlaced) and story.state.holds_in_force == {hold}

    with pytest.raises(ErasureUnderLegalHold, match=f"{hold} \\(Court order CO-77\\)"):
        decide(erase(story), story.state, story.context(DPO))

    lift = LiftLegalHold(command_id=uuid4(), pupil_ref=story.pupil_ref, hold_id=hold,
                         authority_reference="Court order CO-77")
    story.given(decide(lift, story.state, story.context(DPO)))
    assert isinstance(story.events[-1], LegalHoldLifted) and story.state.holds_in_force == frozenset()
    assert story.state.legal_holds[hold].authority_reference == "Court order CO-77"

    [erased] = decide(erase(story), story.state, story.context(DPO))
    story.given([erased])
    assert isinstance(erased, PupilDataErased) and story.state.erased
    assert decide(erase(story), story.state, story.context(DPO)) == []  # erased once: nothing more


def test_the_pupil_record_keeps_each_hold_and_whether_it_is_in_force(story: Story) -> None:
    story.registered()
    first, second = uuid4(), uuid4()
    story.given([LegalHoldPlaced(pupil_ref=story.pupil_ref, hold_id=first, authority_reference="PI-1"),
                 LegalHoldPlaced(pupil_ref=story.pupil_ref, hold_id=second, authority_reference="PI-2"),
                 LegalHoldLifted(pupil_ref=story.pupil_ref, hold_id=first, authority_reference="PI-1")])
    state = fold(story.events)
    assert state.holds_in_force == {second}
    assert not state.legal_holds[first].in_force and state.legal_holds[second].in_force


def test_a_release_covers_the_stream_as_decided_on_and_its_id_names_one_request(story: Story) -> None:
    story.registered()
    released_id = uuid4()
    story.given(decide(PlaceLegalHold(command_id=uuid4(), pupil_ref=story.pupil_ref, hold_id=uuid4(),
                                      authority_reference="PI-3"), story.state, story.context(DPO)))
    at_version = replace(story.context(DPO), stream_version=len(story.events))  # the application passes it
    [released] = decide(release(story, released_id), story.state, at_version)
    assert isinstance(released, SubjectAccessSafeguardingReleased)
    assert released.released_through_version == len(story.events)
    story.given([released])

    assert decide(release(story, released_id), story.state, at_version) == []  # the same release again
    with pytest.raises(ReleaseIdInUse):
        decide(release(story, released_id, "SAR-2025-099"), story.state, at_version)


def test_nothing_is_released_for_an_unregistered_or_erased_pupil(story: Story) -> None:
    with pytest.raises(PupilNotRegistered):
        decide(release(story), story.state, story.context(DPO))
    story.registered()
    story.given([PupilDataErased(pupil_ref=story.pupil_ref, reason="erasure_request_upheld",
                                 legal_basis="UK GDPR Art. 17", requested_by="data_subject")])
    with pytest.raises(PupilRecordErased):
        decide(release(story), story.state, story.context(DPO))
