"""A provider's proposal to withdraw a place and the commissioner's decision on it (domain brief section 2,
step 7; STATUTORY.md).

The provider may only propose to withdraw a place; the commissioner decides. Who asks (the provider's
manager proposes, EXC-1; the placement's commissioner decides, EXC-2) is the access policy's, judged on
the stored placement before any decider runs: it is not repeated here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from ap_contracts.events.placements import CommissionerDecisionRecorded, ExclusionProposed
from ap_contracts.events.pupil_vocabulary import CommissionerDecision, ExclusionReason
from ap_contracts.events.pupils import PupilEvent
from ap_incidents.domain.commands import FurtherReasons, PlacementCommand, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.errors import (
    ExclusionProposalPending,
    ExclusionProposalUnknown,
    ProposalAlreadyDecided,
    ProposalIdInUse,
    SafetyArrangementsRequired,
)
from ap_incidents.domain.folding import NOTHING, Applied, with_placement
from ap_incidents.domain.guards import open_placement, require_open_record, require_text, within_placement
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import Proposal, ProposalMade, PupilRecord, with_item
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class ProposeExclusion(PlacementCommand):
    proposal_id: UUID
    proposed_on: date
    primary_reason: ExclusionReason
    further_reasons: FurtherReasons = ()
    account: Text
    safety_arrangements: Text


class RecordCommissionerDecision(PlacementCommand):
    proposal_id: UUID
    decided_on: date
    decision: CommissionerDecision
    reasons: Text


# ----------------------------------------------------------------------------- decisions


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


# ----------------------------------------------------------------------------- folds (evolve)


def _exclusion_proposed(event: ExclusionProposed, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    proposals = with_item(placement.proposals, event.proposal_id, Proposal(event.proposal_id))
    effect = ProposalMade(event.placement_id, event.proposal_id)
    return with_placement(state, replace(placement, proposals=proposals)), effect


def _commissioner_decided(event: CommissionerDecisionRecorded, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    decided = Proposal(event.proposal_id, event.decision, event.record_id)
    proposals = with_item(placement.proposals, event.proposal_id, decided)
    return with_placement(state, replace(placement, proposals=proposals)), NOTHING


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(ProposeExclusion, propose_exclusion, "incidents.propose_exclusion", (ExclusionProposed,),
            "exclusion-proposals", "Propose withdrawing a place"),
        CommandDeclaration(RecordCommissionerDecision, record_commissioner_decision,
            "incidents.record_commissioner_decision", (CommissionerDecisionRecorded,), "commissioner-decisions",
            "Record the commissioner's decision on a proposal"),
    ),
    events={
        ExclusionProposed: EventRule(_exclusion_proposed, Correction(Corrector.PROVIDER, withdrawable=True)),
        CommissionerDecisionRecorded: EventRule(_commissioner_decided, Correction(
            Corrector.COMMISSIONER,
            locked=frozenset({"commissioner_id", "decision"}),
        )),
    },
)
