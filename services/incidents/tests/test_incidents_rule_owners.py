"""Who may ask is the access policy's rule, once: the refusals the domain used to repeat, judged where they live.

Moved from the domain tests (issue 10, one rule one owner): "only the home-school head excludes" is
policy EXC-3, "only the home-school head decides a placement outside the key stage" is OKS-1, "only
the DSL corrects a safeguarding entry" is AMD-1 (the class of the stored target decides), "only the
provider proposes withdrawing its place" is EXC-1, "only the commissioner decides" is EXC-2, and who
answers for a pupil (registers it, updates its details, consults its parents, requests its move: the home
school, the local authority the register places it in, the commissioning LA) is PUP-1 to PUP-5 and REF-2. Each is judged
here as the command handler judges it: the resource context folded from the pupil's stored events and
the register of organisations, the principal from the verified token's roles.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupil_vocabulary import TrainingKind, YearGroup
from ap_incidents.application.access_view import PupilAccessView
from ap_incidents.application.catalogue import spec_for
from ap_incidents.application.resource_context import command_context, provision_context
from ap_incidents.domain import Caller
from ap_incidents.domain import command_models as c
from ap_incidents.domain.staff_register import RecordStaffTraining
from ap_runtime.access import Decision, Principal, Role, decide
from ap_runtime.access.policy import PACKAGED_POLICY, load_policy

from .conftest import DAY, OTHER_LOCAL_AUTHORITY, OTHER_PROVISION, OTHER_SCHOOL, PROVISION, Story, caller

POLICY = load_policy(PACKAGED_POLICY)
ROGUE_LA = caller(OTHER_LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY, "la_officer")
# A head's role held at a provision is no head's role (policy role_org_kinds): refused before any rule.
ROLE_AT_WRONG_KIND = "ROLE-ORG"


def _principal(who: Caller) -> Principal:
    return Principal(user_id=who.user_id, organisation_id=who.organisation_id, org_kind=who.org_kind,
                     roles=frozenset(Role(role) for role in who.roles))


def _judged(story: Story, command: c.Command, who: Caller, **kw: Any) -> Decision:
    """The access decision on ``command`` from ``who``, against the stored facts of the story so far."""
    view = PupilAccessView(story.pupil_ref)
    for event in story.events:
        view.apply(type(event).__name__, event.model_dump())
    context = command_context(view, command, story.organisations)
    return decide(_principal(who), spec_for(command).action, context, policy=POLICY, **kw)


@pytest.mark.parametrize("who", ["provider", "provider_as_head", "home_staff", "other_head", "commissioner", "la"])
def test_only_the_home_school_head_excludes(who: str) -> None:
    story = Story().placed()
    somebody = getattr(story.who, who)
    expected = ROLE_AT_WRONG_KIND if who == "provider_as_head" else "EXC-3"
    for command in (story.cmd.suspend(), story.cmd.exclude_permanently()):
        refused = _judged(story, command, somebody)
        assert (refused.allowed, refused.rule_id) == (False, expected)
        allowed = _judged(story, command, story.who.head)
        assert (allowed.allowed, allowed.rule_id) == (True, "EXC-3")


def test_only_the_home_school_head_decides_out_of_key_stage() -> None:
    story = Story()
    story.ready_to_place(year_group=YearGroup.Y2)  # key stage 1, referred to a key stage 2 provision
    story.run(story.cmd.record_meeting(), story.who.la)
    command = story.cmd.approve_out_of_key_stage()
    for somebody in (story.who.home_staff, story.who.other_head, story.who.la):
        refused = _judged(story, command, somebody)
        assert (refused.allowed, refused.rule_id) == (False, "OKS-1")
    refused = _judged(story, command, story.who.provider_as_head)
    assert (refused.allowed, refused.rule_id) == (False, ROLE_AT_WRONG_KIND)
    allowed = _judged(story, command, story.who.head)
    assert (allowed.allowed, allowed.rule_id) == (True, "OKS-1")


@pytest.mark.parametrize("who", ["provider", "provider_manager", "head", "commissioner", "la"])
def test_a_safeguarding_entry_is_corrected_by_the_dsl_only(who: str) -> None:
    story = Story().placed()
    concern = story.one(story.cmd.safeguarding_concern(), story.who.provider)
    for command in (story.cmd.amend(concern.record_id, {"category": "physical_abuse"}),
                    story.cmd.withdraw(concern.record_id)):
        refused = _judged(story, command, getattr(story.who, who), purpose="correcting the record")
        assert not refused.allowed
        allowed = _judged(story, command, story.who.provider_dsl, purpose="correcting the record")
        assert (allowed.allowed, allowed.rule_id) == (True, "AMD-1")


def test_only_the_providers_manager_proposes_withdrawing_the_place() -> None:
    story = Story().placed()
    command = story.cmd.propose_exclusion()
    for somebody in (story.who.commissioner, story.who.head, story.who.la, story.who.provider,
                     story.who.other_provider):
        refused = _judged(story, command, somebody)
        assert (refused.allowed, refused.rule_id) == (False, "EXC-1")
    allowed = _judged(story, command, story.who.provider_manager)
    assert (allowed.allowed, allowed.rule_id) == (True, "EXC-1")


def test_only_the_commissioner_of_the_place_decides() -> None:
    story = Story().placed()
    proposal = story.cmd.propose_exclusion()
    story.run(proposal, story.who.provider_manager)
    command = story.cmd.commissioner_decision(proposal.proposal_id)
    for somebody in (story.who.provider, story.who.provider_manager, story.who.head, story.who.la):
        refused = _judged(story, command, somebody)
        assert (refused.allowed, refused.rule_id) == (False, "EXC-2")
    allowed = _judged(story, command, story.who.commissioner)
    assert (allowed.allowed, allowed.rule_id) == (True, "EXC-2")


def test_the_home_school_or_the_local_authority_of_its_area_registers_a_pupil() -> None:
    story = Story()
    command = story.cmd.register_pupil()
    for somebody in (story.who.other_head, story.who.provider, ROGUE_LA):
        refused = _judged(story, command, somebody)
        assert not refused.allowed and refused.rule_id in ("PUP-1", "PUP-2"), refused
    for somebody in (story.who.head, story.who.home_staff, story.who.la):
        assert _judged(story, command, somebody).allowed


def test_only_those_answering_for_the_pupil_update_its_details() -> None:
    story = Story().registered()
    command = story.cmd.update_details(family_contact="Call the rogue LA")
    for somebody in (story.who.provider, story.who.other_head, ROGUE_LA):
        refused = _judged(story, command, somebody)
        assert not refused.allowed and refused.rule_id in ("PUP-1", "PUP-2", "PUP-3"), refused
    for somebody in (story.who.head, story.who.la):
        assert _judged(story, command, somebody).allowed


def test_after_a_move_the_new_school_acts_as_home_school_and_the_old_one_no_more() -> None:
    story = Story().registered()
    transfer = uuid4()
    story.run(c.RequestPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer,
                                     to_school_id=OTHER_SCHOOL, requested_on=DAY), story.who.head)
    story.run(c.ConfirmPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer,
                                     effective_from=DAY), story.who.la)
    command = story.cmd.update_details(fsm_eligible=False)
    assert not _judged(story, command, story.who.head).allowed
    assert _judged(story, command, story.who.other_head).allowed


def test_only_the_home_school_consults_the_parents() -> None:
    story = Story().registered().referred()
    command = story.cmd.consult_parent()
    for somebody in (story.who.provider, story.who.provider_manager, story.who.other_head, story.who.la):
        refused = _judged(story, command, somebody)
        assert not refused.allowed and refused.rule_id == "REF-2", refused
    assert _judged(story, command, story.who.home_staff).allowed


def test_only_the_current_school_or_its_local_authority_requests_a_move() -> None:
    story = Story().registered()
    command = c.RequestPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=uuid4(),
                                     to_school_id=OTHER_SCHOOL, requested_on=DAY)
    for somebody in (ROGUE_LA, story.who.other_head, story.who.provider):
        refused = _judged(story, command, somebody)
        assert not refused.allowed and refused.rule_id in ("PUP-4", "PUP-5"), refused
    for somebody in (story.who.head, story.who.la):
        assert _judged(story, command, somebody).allowed


# Who records on a placement, and who keeps a provision's staff register: once also the domain's
# placement.provider_records, placement.parties_only and staff_register.provision_keeps (the callers those
# domain tests refused), now the policy's alone against the parties of THE placement the command names.


def test_only_the_placements_provider_marks_attendance() -> None:
    story = Story().placed()
    command = story.cmd.record_attendance()
    for somebody in (story.who.head, story.who.commissioner, story.who.other_provider):
        refused = _judged(story, command, somebody)
        assert (refused.allowed, refused.rule_id) == (False, "DAY-1"), refused
    assert _judged(story, command, story.who.provider).allowed


def test_only_the_placements_parties_agree_thresholds_and_hold_reviews() -> None:
    story = Story().placed()
    thresholds = _judged(story, story.cmd.agree_thresholds(), story.who.other_provider)
    assert not thresholds.allowed and thresholds.rule_id in ("THR-1", "THR-2"), thresholds
    review = _judged(story, story.cmd.review(), story.who.other_head)
    assert not review.allowed and review.rule_id in ("REV-1", "REV-2", "REV-4"), review
    for party in (story.who.provider_manager, story.who.commissioner, story.who.home_staff):
        assert _judged(story, story.cmd.review(), party).allowed


def test_only_the_pupils_home_school_confirms_it_takes_the_pupil_back() -> None:
    story = Story().placed()
    command = story.cmd.confirm_reintegration()
    for somebody in (story.who.provider, story.who.provider_manager, story.who.commissioner, story.who.other_head):
        refused = _judged(story, command, somebody)
        assert (refused.allowed, refused.rule_id) == (False, "PLC-3"), refused
    assert _judged(story, command, story.who.home_staff).allowed


def test_a_provider_records_only_on_its_own_placement_of_the_pupil() -> None:
    """Two placements of one pupil, one after the other at two provisions: each provision is judged against
    the placement the command names, not the pupil's latest one."""
    story = Story().placed().confirmed_back()
    story.run(story.cmd.end_placement(), story.who.la)
    referral, placement = uuid4(), uuid4()
    story.run(story.cmd.receive_referral(referral_id=referral, provision_id=OTHER_PROVISION,
                                         received_on=date(2025, 3, 10)), story.who.head)
    story.run(story.cmd.consult_parent(referral_id=referral, consulted_on=date(2025, 3, 11)), story.who.home_staff)
    story.run(story.cmd.decide_eligibility(referral_id=referral, decided_on=date(2025, 3, 11)), story.who.la)
    story.run(story.cmd.start_placement(referral_id=referral, placement_id=placement, start_date=date(2025, 3, 12),
                                        planned_review_date=date(2025, 3, 26)), story.who.la)
    on_the_new = story.cmd.record_incident(placement_id=placement)
    refused = _judged(story, on_the_new, story.who.provider)  # the former provision, naming the new placement
    assert (refused.allowed, refused.rule_id) == (False, "DAY-3"), refused
    assert _judged(story, on_the_new, story.who.other_provider).allowed
    on_the_old = story.cmd.record_incident()  # the new provision, naming the ended placement at the other
    refused = _judged(story, on_the_old, story.who.other_provider)
    assert (refused.allowed, refused.rule_id) == (False, "DAY-3"), refused


def test_only_the_provision_keeps_its_staff_register() -> None:
    register = RecordStaffTraining(command_id=uuid4(), provision_id=PROVISION, staff_id="s1",
                                   training=TrainingKind.PHYSICAL_INTERVENTION, completed_on=DAY)
    for somebody in (caller(OTHER_PROVISION, OrgKind.PROVISION, "provision_manager"),
                     caller(PROVISION, OrgKind.PROVISION, "provision_staff")):
        refused = decide(_principal(somebody), spec_for(register).action, provision_context(PROVISION), policy=POLICY)
        assert (refused.allowed, refused.rule_id) == (False, "STAFF-1"), refused
    manager = caller(PROVISION, OrgKind.PROVISION, "provision_manager")
    assert decide(_principal(manager), spec_for(register).action, provision_context(PROVISION), policy=POLICY).allowed
