"""Issue 9, in the domain: who answers for a pupil comes from stored facts (the register of organisations,
the referral), a move of school is two-sided, and the protective rules a hurried user slipped past."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.organisations import OrganisationRegistered
from ap_contracts.events.placements import PlacementEnded, PlacementStarted
from ap_contracts.events.provision_staff import StaffTrainingRevoked, TrainingRevocationReason
from ap_contracts.events.pupil_record import SearchConducted
from ap_contracts.events.pupil_vocabulary import (
    KeyStage,
    PlacementEndReason,
    Professional,
    SearchWitnessRole,
    TrainingKind,
    YearGroup,
)
from ap_contracts.events.pupils import PupilTransferConfirmed, ReferralReceived
from ap_incidents.domain import command_models as c
from ap_incidents.domain import errors
from ap_incidents.domain.organisations import (
    OrganisationDirectory,
    RegisteredOrganisation,
    decide_registration,
    evolve_organisation,
)
from ap_incidents.domain.rules import RuleBook
from ap_incidents.domain.staff_register import evolve_register

from .conftest import (
    COMMISSIONER,
    DAY,
    LOCAL_AUTHORITY,
    OTHER_LOCAL_AUTHORITY,
    OTHER_SCHOOL,
    PARTNERSHIP,
    PROVISION,
    REGISTRATIONS,
    TRAINED,
    TRAINED_TOO,
    Story,
    caller,
)

ROGUE_LA = caller(OTHER_LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY, "la_officer")


def _transfer(story: Story, transfer_id: object, **kw: object) -> c.RequestPupilTransfer:
    return c.RequestPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer_id,
                                  **({"to_school_id": OTHER_SCHOOL, "requested_on": DAY} | kw))


def _confirm(story: Story, transfer_id: object, **kw: object) -> c.ConfirmPupilTransfer:
    return c.ConfirmPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer_id,
                                  **({"effective_from": DAY} | kw))


# ----------------------------------------------------------------------------- a local authority's pupils


# A local authority of another area cannot update a pupil, nor register one at a school outside its
# area: policy PUP-1 to PUP-3 on stored facts (test_incidents_rule_owners.py).


def test_the_home_schools_local_authority_and_the_commissioner_update_details(story):
    story.placed()
    assert story.run(story.cmd.update_details(fsm_eligible=False), story.who.la)
    assert story.run(story.cmd.update_details(looked_after=True), story.who.commissioner)


def test_the_local_authority_of_the_school_registers_a_pupil(story):
    assert story.run(story.cmd.register_pupil(), story.who.la)


def test_home_school_is_not_a_detail_to_update():
    with pytest.raises(ValueError, match="home_school_id"):
        c.UpdatePupilDetails(command_id=uuid4(), pupil_ref=uuid4(), effective_from=DAY, home_school_id=OTHER_SCHOOL)


# ----------------------------------------------------------------------------- a move is two-sided


def test_a_move_requested_by_the_school_is_confirmed_by_its_local_authority(story):
    story.registered()
    transfer = uuid4()
    story.run(_transfer(story, transfer), story.who.head)
    with pytest.raises(errors.TransferConfirmedByOtherParty) as refused:
        story.run(_confirm(story, transfer), story.who.head)
    assert refused.value.rule_id == "transfer.confirmed_by_other_party"
    with pytest.raises(errors.TransferConfirmedByOtherParty):
        story.run(_confirm(story, transfer), ROGUE_LA)
    event = story.one(_confirm(story, transfer), story.who.la)
    assert isinstance(event, PupilTransferConfirmed) and event.confirmed_by == LOCAL_AUTHORITY
    assert story.state.home_school_id == OTHER_SCHOOL


def test_a_move_requested_by_the_local_authority_is_confirmed_by_the_school(story):
    story.registered()
    transfer = uuid4()
    story.run(_transfer(story, transfer), story.who.la)
    with pytest.raises(errors.TransferConfirmedByOtherParty):
        story.run(_confirm(story, transfer), story.who.la)
    story.run(_confirm(story, transfer), story.who.home_staff)
    assert story.state.home_school_id == OTHER_SCHOOL


# Only the current school or its local authority requests a move: policy PUP-4 and PUP-5
# (test_incidents_rule_owners.py).


def test_a_move_goes_to_a_registered_school_one_at_a_time(story):
    story.registered()
    with pytest.raises(errors.OrganisationNotRegistered):
        story.run(_transfer(story, uuid4(), to_school_id="school-nobody-registered"), story.who.head)
    with pytest.raises(errors.TransferToSameSchool):
        story.run(_transfer(story, uuid4(), to_school_id="school-home-1"), story.who.head)
    first = uuid4()
    story.run(_transfer(story, first), story.who.head)
    with pytest.raises(errors.TransferAlreadyPending):
        story.run(_transfer(story, uuid4()), story.who.la)
    with pytest.raises(errors.TransferUnknown):
        story.run(_confirm(story, uuid4()), story.who.la)
    with pytest.raises(errors.DatesOutOfOrder):
        story.run(_confirm(story, first, effective_from=date(2025, 3, 1)), story.who.la)


# ----------------------------------------------------------------------------- the referral and the placement's parties


def test_a_referral_names_a_commissioner_responsible_for_the_pupil(story):
    story.registered()
    with pytest.raises(errors.CommissionerNotResponsible) as refused:
        story.run(story.cmd.receive_referral(commissioner_id=OTHER_LOCAL_AUTHORITY), story.who.head)
    assert refused.value.rule_id == "referral.commissioner_responsible"
    event = story.one(story.cmd.receive_referral(commissioner_id=None), story.who.head)
    assert isinstance(event, ReferralReceived) and event.commissioner_id == LOCAL_AUTHORITY


def test_a_referral_goes_to_a_registered_provision(story):
    story.registered()
    with pytest.raises(errors.OrganisationNotRegistered) as refused:
        story.run(story.cmd.receive_referral(provision_id="provision-unregistered"), story.who.head)
    assert refused.value.rule_id == "organisation.registered"


def test_the_placement_takes_its_parties_and_key_stage_from_stored_facts(story):
    story.ready_to_place()
    event = story.one(story.cmd.start_placement(), story.who.la)
    assert isinstance(event, PlacementStarted)
    assert (event.provision_id, event.commissioner_id, event.partnership_id) == (PROVISION, COMMISSIONER, PARTNERSHIP)
    assert event.key_stage is KeyStage.KS2 and not event.outside_key_stage


@pytest.mark.parametrize("field", ["commissioner_id", "partnership_id", "key_stage"])
def test_a_placement_command_cannot_name_its_parties_or_key_stage(story, field):
    with pytest.raises(ValueError, match=field):
        story.cmd.start_placement(**{field: "KS1" if field == "key_stage" else "np-self-named"})


def test_a_year_2_pupil_at_a_key_stage_2_provision_needs_the_meeting(story):
    story.ready_to_place(year_group=YearGroup.Y2)
    with pytest.raises(errors.MultidisciplinaryMeetingRequired):
        story.run(story.cmd.start_placement(), story.who.la)


# ----------------------------------------------------------------------------- order in time


def test_a_placement_cannot_start_before_the_parent_was_consulted(story):
    story.registered().referred()
    story.run(story.cmd.consult_parent(consulted_on=date(2025, 1, 20)), story.who.home_staff)
    story.eligible()
    with pytest.raises(errors.PlacementBeforePrerequisite) as refused:
        story.run(story.cmd.start_placement(), story.who.la)
    assert refused.value.rule_id == "placement.after_its_prerequisites" and "consulted" in refused.value.message
    assert story.run(story.cmd.start_placement(start_date=date(2025, 1, 20)), story.who.la)


def test_a_placement_cannot_start_before_eligibility_was_decided(story):
    story.registered().referred().consulted()
    story.run(story.cmd.decide_eligibility(decided_on=date(2025, 1, 14)), story.who.la)
    with pytest.raises(errors.PlacementBeforePrerequisite):
        story.run(story.cmd.start_placement(), story.who.la)


def test_out_of_key_stage_start_follows_the_meeting_and_the_heads_decision(story):
    story.ready_to_place(year_group=YearGroup.Y7)
    story.run(story.cmd.record_meeting(held_on=date(2025, 1, 27)), story.who.head)
    with pytest.raises(errors.PlacementBeforePrerequisite):
        story.run(story.cmd.approve_out_of_key_stage(approved_on=date(2025, 1, 20)), story.who.head)
    story.run(story.cmd.approve_out_of_key_stage(approved_on=date(2025, 1, 27)), story.who.head)
    with pytest.raises(errors.PlacementBeforePrerequisite) as refused:
        story.run(story.cmd.start_placement(), story.who.la)
    assert "multidisciplinary meeting" in refused.value.message
    assert story.run(story.cmd.start_placement(start_date=date(2025, 1, 27)), story.who.la)


# ----------------------------------------------------------------------------- witnesses


@pytest.mark.parametrize("witness", ["none", "nobody", "staff-of-another-provision"])
def test_a_witness_is_a_member_of_staff_on_the_register(story, witness):
    story.placed()
    with pytest.raises(errors.WitnessNotOnRegister) as refused:
        story.run(story.cmd.search(witness=witness), story.who.provider)
    assert refused.value.rule_id == "search.witness_on_staff_register"


def test_a_member_of_staff_who_left_is_no_witness(story):
    story.placed()
    story.register = evolve_register(story.register, StaffTrainingRevoked(
        provision_id=PROVISION, staff_id=TRAINED_TOO, training=TrainingKind.SAFEGUARDING,
        revoked_on=date(2025, 3, 1), reason=TrainingRevocationReason.LEFT_PROVISION))
    with pytest.raises(errors.WitnessNotOnRegister):
        story.run(story.cmd.search(witness=TRAINED_TOO), story.who.provider)
    assert story.run(story.cmd.search(witness=TRAINED, searcher=TRAINED_TOO, searched_at="2025-02-20T11:00:00Z"),
                     story.who.provider)


def test_a_named_adult_with_a_role_can_witness_instead(story):
    story.placed()
    adult = {"name": "PC Amrit Dhillon", "role": SearchWitnessRole.POLICE_OFFICER}
    event = story.one(story.cmd.search(witness=None, witness_adult=adult), story.who.provider)
    assert isinstance(event, SearchConducted) and event.witness_present and event.witness is None
    assert event.witness_adult_name == "PC Amrit Dhillon"
    assert event.witness_adult_role is SearchWitnessRole.POLICE_OFFICER


@pytest.mark.parametrize("adult", [{"name": "PC Amrit Dhillon"}, {"name": "", "role": "police_officer"},
                                   {"name": "none", "role": "nobody"}])
def test_a_named_adult_witness_has_a_name_and_a_known_role(story, adult):
    with pytest.raises(ValueError, match="witness_adult"):
        story.cmd.search(witness=None, witness_adult=adult)


# ----------------------------------------------------------------------------- ending a place


@pytest.mark.parametrize("reason", [PlacementEndReason.MANAGED_MOVE, PlacementEndReason.SPECIALIST_PROVISION,
                                    PlacementEndReason.LEFT_AREA])
def test_a_provider_cannot_give_the_commissioners_end_reasons_alone(story, reason):
    story.placed()
    with pytest.raises(errors.EndReasonNeedsCommissioner) as refused:
        story.run(story.cmd.end_placement(reason=reason), story.who.provider)
    assert refused.value.rule_id == "placement.end_reason_needs_commissioner"
    assert story.run(story.cmd.end_placement(reason=reason), story.who.commissioner)


def test_a_reintegration_is_confirmed_by_the_home_school(story):
    story.placed()
    for anyone in (story.who.provider, story.who.commissioner):
        with pytest.raises(errors.ReintegrationNotConfirmed) as refused:
            story.run(story.cmd.end_placement(), anyone)
        assert refused.value.rule_id == "placement.reintegration_confirmed_by_home_school"
    # The provider confirming for the home school is refused by the policy's PLC-3 (once pupil.home_school_acts
    # here too): test_incidents_rule_owners.py and, over HTTP, test_incidents_api_entry_owners.py.
    story.confirmed_back()
    event = story.one(story.cmd.end_placement(), story.who.provider)
    assert isinstance(event, PlacementEnded) and event.rule_version == "england-2026.2"


def test_which_reasons_a_provider_gives_alone_is_in_the_rule_book():
    story = Story(RuleBook(version="local-2", provider_end_reasons=frozenset({PlacementEndReason.LEFT_AREA})))
    story.placed()
    event = story.one(story.cmd.end_placement(reason=PlacementEndReason.LEFT_AREA), story.who.provider)
    assert isinstance(event, PlacementEnded) and event.rule_version == "local-2"


# ----------------------------------------------------------------------------- a multidisciplinary meeting


@pytest.mark.parametrize("attendees", [(), (Professional.SENCO,), (Professional.SENCO, Professional.SENCO)])
def test_a_meeting_of_one_profession_is_not_multidisciplinary(story, attendees):
    story.registered().referred()
    with pytest.raises(errors.MeetingNotMultidisciplinary) as refused:
        story.run(story.cmd.record_meeting(attendees=attendees), story.who.head)
    assert refused.value.rule_id == "meeting.multidisciplinary"


def test_how_many_professions_make_a_meeting_is_in_the_rule_book():
    story = Story(RuleBook(version="local-3", min_meeting_professions=3))
    story.registered().referred()
    with pytest.raises(errors.MeetingNotMultidisciplinary):
        story.run(story.cmd.record_meeting(attendees=(Professional.SENCO, Professional.SOCIAL_WORKER)),
                  story.who.head)


# ----------------------------------------------------------------------------- the register itself


def test_an_organisation_is_registered_with_what_its_kind_is_relied_on_for():
    incomplete = [
        c.RegisterOrganisation(command_id=uuid4(), organisation_id="school-x", kind=OrgKind.HOME_SCHOOL),
        c.RegisterOrganisation(command_id=uuid4(), organisation_id="provision-x", kind=OrgKind.PROVISION,
                               local_authority_id=LOCAL_AUTHORITY, partnership_id=PARTNERSHIP),
        c.RegisterOrganisation(command_id=uuid4(), organisation_id="la-x", kind=OrgKind.LOCAL_AUTHORITY,
                               local_authority_id=LOCAL_AUTHORITY),
        c.RegisterOrganisation(command_id=uuid4(), organisation_id="school-y", kind=OrgKind.HOME_SCHOOL,
                               local_authority_id=LOCAL_AUTHORITY, key_stages=(KeyStage.KS2,)),
    ]
    for command in incomplete:
        with pytest.raises(errors.OrganisationFactsIncomplete) as refused:
            decide_registration(command, None)
        assert refused.value.rule_id == "organisation.registration_complete"


def test_the_same_facts_again_record_nothing_and_new_facts_replace_them():
    command = c.RegisterOrganisation(command_id=uuid4(), organisation_id=PROVISION, kind=OrgKind.PROVISION,
                                     local_authority_id=LOCAL_AUTHORITY, partnership_id=PARTNERSHIP,
                                     key_stages=(KeyStage.KS2,))
    [registered] = decide_registration(command, None)
    assert isinstance(registered, OrganisationRegistered)
    current = evolve_organisation(None, registered)
    assert decide_registration(command, current) == []
    wider = command.model_copy(update={"key_stages": (KeyStage.KS2, KeyStage.KS3)})
    [changed] = decide_registration(wider, current)
    after = evolve_organisation(current, changed)
    assert after is not None and after.key_stages == {KeyStage.KS2, KeyStage.KS3}


def test_an_unregistered_school_has_no_local_authority():
    directory = OrganisationDirectory.of(REGISTRATIONS)
    assert directory.local_authority_of("school-home-1") == LOCAL_AUTHORITY
    assert directory.local_authority_of(LOCAL_AUTHORITY) == LOCAL_AUTHORITY
    assert directory.local_authority_of("school-unknown") is None
    assert OrganisationDirectory.of([RegisteredOrganisation("x", OrgKind.HOME_SCHOOL)]).local_authority_of("x") is None
