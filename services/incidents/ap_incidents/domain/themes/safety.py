"""Safeguards on the provider: physical interventions, safeguarding concerns, behaviour contracts and referrals to
external agencies (domain brief section 2, step 4; STATUTORY.md)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from ap_contracts.events.pupil_record import (
    BehaviourContractAgreed,
    ExternalAgencyReferralMade,
    PhysicalInterventionRecorded,
    SafeguardingConcernRaised,
)
from ap_contracts.events.pupil_vocabulary import Agency, ForceReason, SafeguardingCategory
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.identifiers import StaffId
from ap_incidents.domain.commands import LongText, Minutes, PlacementCommand, RecordedMoment, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.errors import ConcernMustGoToDsl, ParentPermissionRequired, StaffNotTrained
from ap_incidents.domain.folding import entry_only
from ap_incidents.domain.guards import (
    dated_placement_entry,
    local_date,
    require_incident,
    require_not_future_time,
    require_order,
    require_text,
)
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import Placement, PupilRecord
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class RecordPhysicalIntervention(PlacementCommand):
    incident_id: UUID
    started_at: RecordedMoment
    duration_minutes: Minutes
    reason: ForceReason
    staff_involved: tuple[StaffId, ...] = Field(min_length=1)
    injury_occurred: bool
    injury_details: Text = ""
    description: Text
    parents_informed: bool


class RaiseSafeguardingConcern(PlacementCommand):
    concern_id: UUID
    raised_at: RecordedMoment
    category: SafeguardingCategory
    immediate_risk: bool
    referred_to_dsl: bool
    raised_by: StaffId
    concern: LongText
    action_taken: LongText = ""


class AgreeBehaviourContract(PlacementCommand):
    agreed_on: date
    review_date: date
    parent_involved: bool
    targets: Text


class ReferToExternalAgency(PlacementCommand):
    referred_on: date
    agency: Agency
    parent_permission: bool
    reason: Text


# ----------------------------------------------------------------------------- decisions


def record_physical_intervention(
    command: RecordPhysicalIntervention, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """Reasonable force is used only by staff the provision's register shows trained on that day,
    in an incident already recorded, and an injury is always described."""
    require_not_future_time(command.started_at, context, "the intervention")
    day = local_date(command.started_at)
    placement = dated_placement_entry(command, state, context, day, "a physical intervention")
    require_incident(placement, command.incident_id)
    _require_trained(command.staff_involved, placement, context, day)
    injury_details = command.injury_details.strip()
    if command.injury_occurred:
        require_text(injury_details, "the injury")
    return [PhysicalInterventionRecorded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, incident_id=command.incident_id, started_at=command.started_at,
        duration_minutes=command.duration_minutes, reason=command.reason, staff_involved=command.staff_involved,
        staff_training_verified=True, injury_occurred=command.injury_occurred,
        injury_details=injury_details or None, description=require_text(command.description, "what was done"),
        parents_informed=command.parents_informed, rule_version=context.rules.version,
    )]


def _require_trained(staff: tuple[str, ...], placement: Placement, context: DecisionContext, day: date) -> None:
    register = context.staff_register
    if register is not None and register.provision_id not in (None, placement.provision_id):
        raise ValueError(f"staff register of {register.provision_id} given for {placement.provision_id}")
    needed = sorted(context.rules.training_required_for_force)
    untrained = [
        member for member in staff
        if register is None or not all(register.is_trained(member, kind, day) for kind in needed)
    ]
    if untrained:
        kinds = " and ".join(kind.value.replace("_", " ") for kind in needed)
        raise StaffNotTrained(
            f"not recorded as trained in {kinds} on {day} (in date, not revoked): {', '.join(sorted(untrained))}"
        )


def raise_safeguarding_concern(
    command: RaiseSafeguardingConcern, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """Every safeguarding concern goes to the designated safeguarding lead (KCSIE)."""
    require_not_future_time(command.raised_at, context, "the concern")
    dated_placement_entry(command, state, context, local_date(command.raised_at), "a safeguarding concern")
    if not command.referred_to_dsl:
        raise ConcernMustGoToDsl("a safeguarding concern is always passed to the designated safeguarding lead")
    return [SafeguardingConcernRaised(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, concern_id=command.concern_id, raised_at=command.raised_at,
        category=command.category, immediate_risk=command.immediate_risk, referred_to_dsl=True,
        raised_by=command.raised_by, concern=require_text(command.concern, "the concern"),
        action_taken=command.action_taken or None,
    )]


def agree_behaviour_contract(
    command: AgreeBehaviourContract, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    dated_placement_entry(command, state, context, command.agreed_on, "a behaviour contract")
    require_order(command.agreed_on, command.review_date, "contract review date")
    return [BehaviourContractAgreed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, agreed_on=command.agreed_on, review_date=command.review_date,
        parent_involved=command.parent_involved, targets=require_text(command.targets, "the targets"),
    )]


def refer_to_agency(command: ReferToExternalAgency, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Parents give permission before external services are involved, except for safeguarding referrals."""
    dated_placement_entry(command, state, context, command.referred_on, "an agency referral")
    exempt = command.agency in context.rules.agencies_without_parent_permission
    if not (command.parent_permission or exempt):
        raise ParentPermissionRequired(f"obtain parental permission before referring to {command.agency.value}")
    return [ExternalAgencyReferralMade(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, referred_on=command.referred_on, agency=command.agency,
        parent_permission=command.parent_permission, reason=require_text(command.reason, "the reason"),
    )]


# ----------------------------------------------------------------------------- folds (evolve)


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(RecordPhysicalIntervention, record_physical_intervention,
            "incidents.record_physical_intervention", (PhysicalInterventionRecorded,), "physical-interventions",
            "Record a physical intervention"),
        CommandDeclaration(RaiseSafeguardingConcern, raise_safeguarding_concern, "incidents.raise_safeguarding_concern",
            (SafeguardingConcernRaised,), "safeguarding-concerns", "Raise a safeguarding concern"),
        CommandDeclaration(AgreeBehaviourContract, agree_behaviour_contract, "incidents.agree_behaviour_contract",
            (BehaviourContractAgreed,), "behaviour-contracts", "Agree a behaviour contract"),
        CommandDeclaration(ReferToExternalAgency, refer_to_agency, "incidents.make_external_referral",
            (ExternalAgencyReferralMade,), "agency-referrals", "Refer to an external agency"),
    ),
    events={
        PhysicalInterventionRecorded: EventRule(entry_only, Correction(
            Corrector.PROVIDER,
            locked=frozenset({"injury_occurred", "staff_involved", "staff_training_verified"}),
            withdrawable=True,
        )),
        SafeguardingConcernRaised: EventRule(entry_only, Correction(
            Corrector.PROVIDER,
            locked=frozenset({"referred_to_dsl"}),
            withdrawable=True,
        )),
        BehaviourContractAgreed: EventRule(entry_only, Correction(Corrector.PROVIDER, withdrawable=True)),
        ExternalAgencyReferralMade: EventRule(entry_only, Correction(
            Corrector.PROVIDER,
            locked=frozenset({"agency", "parent_permission"}),
            withdrawable=True,
        )),
    },
)
