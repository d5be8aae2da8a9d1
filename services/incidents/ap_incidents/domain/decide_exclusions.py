"""Withdrawal of a place and exclusion from school (domain brief section 2, step 7; STATUTORY.md).

The provider may only propose to withdraw a place; the commissioner decides. Suspensions are capped
per academic year. Who asks (the provider's manager proposes, EXC-1; the placement's commissioner decides,
EXC-2; only the head of the school where the pupil is on roll excludes, EXC-3) is the access policy's,
judged on the stored placement and home school before any decider runs: it is not repeated here.
"""

from __future__ import annotations

from ap_contracts.events.placements import CommissionerDecisionRecorded, ExclusionProposed
from ap_contracts.events.pupil_vocabulary import academic_year_of
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.events.school_exclusions import (
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
)
from ap_incidents.domain.commands import (
    IssuePermanentExclusion,
    IssueSuspension,
    ProposeExclusion,
    RecordCommissionerDecision,
    ReinstatePupil,
)
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.errors import (
    ExclusionProposalPending,
    ExclusionProposalUnknown,
    ExclusionUnknown,
    OnlyHomeSchool,
    ProposalAlreadyDecided,
    ProposalIdInUse,
    PupilPermanentlyExcluded,
    SafetyArrangementsRequired,
    SuspensionCapExceeded,
)
from ap_incidents.domain.guards import (
    open_placement,
    require_not_future,
    require_open_record,
    require_order,
    require_text,
    within_placement,
)
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord


def propose_exclusion(command: ProposeExclusion, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """The provider proposes (never decides) withdrawing a place, one proposal at a time, with the
    arrangements that keep the child safe written down first. (That the provider's manager is asking, for
    this placement, is policy EXC-1's rule, judged on the stored placement before the decider runs.)"""
    require_open_record(state, command.pupil_ref)
    placement = open_placement(state, command.placement_id)
    within_placement(placement, command.proposed_on, context, "the proposal")
    if command.proposal_id in placement.proposals:
        raise ProposalIdInUse(f"proposal {command.proposal_id} already exists")
    if placement.pending_proposal is not None:
        raise ExclusionProposalPending("the commissioner has not yet decided the earlier proposal")
    if not command.safety_arrangements.strip():
        raise SafetyArrangementsRequired("set out how the child will be kept safe before any exclusion takes effect")
    return [ExclusionProposed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, proposal_id=command.proposal_id, proposed_on=command.proposed_on,
        primary_reason=command.primary_reason, further_reasons=command.further_reasons,
        account=require_text(command.account, "what happened"), safety_arrangements=command.safety_arrangements,
    )]


def record_commissioner_decision(
    command: RecordCommissionerDecision, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """A proposal is decided once. (That the placement's commissioner decides is policy EXC-2's rule.)"""
    require_open_record(state, command.pupil_ref)
    placement = open_placement(state, command.placement_id)
    proposal = placement.proposals.get(command.proposal_id)
    if proposal is None:
        raise ExclusionProposalUnknown(f"no proposal {command.proposal_id} on this placement")
    if proposal.decision is not None:
        raise ProposalAlreadyDecided(f"the proposal was already {proposal.decision.value.replace('_', ' ')}")
    within_placement(placement, command.decided_on, context, "the decision")
    return [CommissionerDecisionRecorded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, proposal_id=command.proposal_id,
        commissioner_id=placement.commissioner_id, decided_on=command.decided_on, decision=command.decision,
        reasons=require_text(command.reasons, "the reasons"),
    )]


def _excluding_school(state: PupilRecord) -> str:
    """The school excluding: the one the pupil is on roll at, unless it already excluded the pupil for good.
    (That its head is asking is policy EXC-3's rule, checked before the decider runs.)"""
    if state.excluded_from_home_school:
        raise PupilPermanentlyExcluded("the pupil is already permanently excluded from this school")
    assert state.home_school_id is not None
    return state.home_school_id


def issue_suspension(command: IssueSuspension, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Suspensions total at most the cap (45 school days by default) per pupil per academic year."""
    require_open_record(state, command.pupil_ref)
    home_school_id = _excluding_school(state)
    rules = context.rules
    year = academic_year_of(command.first_day, rules.academic_year_start_month)
    used = state.suspension_half_days_in(year)
    total = used + command.duration_half_days
    if total > rules.suspension_cap_half_days:
        raise SuspensionCapExceeded(
            f"{year}: {used / 2:g} of {rules.suspension_cap_school_days} school days already used; "
            f"{command.duration_half_days / 2:g} more would exceed the cap"
        )
    return [SuspensionIssued(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        home_school_id=home_school_id, placement_id=state.active_placement_id, first_day=command.first_day,
        duration_half_days=command.duration_half_days, academic_year=year, year_total_half_days=total,
        primary_reason=command.primary_reason, further_reasons=command.further_reasons,
        parents_informed=command.parents_informed, account=require_text(command.account, "the reason"),
        rule_version=rules.version,
    )]


def issue_permanent_exclusion(
    command: IssuePermanentExclusion, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """Only the home school head permanently excludes; the exclusion takes effect on or after the decision."""
    require_open_record(state, command.pupil_ref)
    home_school_id = _excluding_school(state)
    require_not_future(command.decided_on, context, "the decision")
    require_order(command.decided_on, command.effective_from, "effective date")
    rules = context.rules
    return [PermanentExclusionIssued(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        home_school_id=home_school_id, placement_id=state.active_placement_id, decided_on=command.decided_on,
        effective_from=command.effective_from,
        academic_year=academic_year_of(command.effective_from, rules.academic_year_start_month),
        primary_reason=command.primary_reason, further_reasons=command.further_reasons,
        parents_informed=command.parents_informed, account=require_text(command.account, "the reason"),
        rule_version=rules.version,
    )]


def reinstate_pupil(command: ReinstatePupil, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """The home school records its governing board's reinstatement of a permanently excluded pupil."""
    require_open_record(state, command.pupil_ref)
    exclusion = state.permanent_exclusion
    if exclusion is None or exclusion.record_id != command.exclusion_record_id:
        raise ExclusionUnknown(f"no standing permanent exclusion {command.exclusion_record_id}")
    if not context.caller.acts_for(exclusion.home_school_id):
        raise OnlyHomeSchool("the excluding school records its governing board's reinstatement")
    require_not_future(command.board_met_on, context, "the board meeting")
    return [PermanentExclusionReinstated(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        exclusion_record_id=exclusion.record_id, home_school_id=exclusion.home_school_id,
        board_met_on=command.board_met_on, reasons=require_text(command.reasons, "the board's reasons"),
    )]
