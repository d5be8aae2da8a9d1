"""Decisions where the law puts safeguards on the provider: force, searches, safeguarding, agencies."""

from __future__ import annotations

from datetime import date

from ap_contracts.events.pupil_record import (
    BehaviourContractAgreed,
    ExternalAgencyReferralMade,
    FoundItem,
    PhysicalInterventionRecorded,
    SafeguardingConcernRaised,
    SearchConducted,
)
from ap_contracts.events.pupil_vocabulary import ItemDisposal, TrainingKind
from ap_contracts.events.pupils import PupilEvent, SearchPolicyExplained
from ap_incidents.domain.commands import (
    AgreeBehaviourContract,
    FoundItemInput,
    RaiseSafeguardingConcern,
    RecordPhysicalIntervention,
    RecordSearch,
    RecordSearchPolicyExplained,
    ReferToExternalAgency,
)
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide_daily import require_incident
from ap_incidents.domain.errors import (
    ConcernMustGoToDsl,
    DisposalRequired,
    ItemMayNotBeReturned,
    ItemMustGoToPolice,
    ParentPermissionRequired,
    SearchExceptionReasonRequired,
    SearchSafeguardsNotMet,
    StaffNotTrained,
    WitnessMustDifferFromSearcher,
    WitnessNotOnRegister,
)
from ap_incidents.domain.guards import (
    local_date,
    provider_entry,
    referral_of,
    require_not_future,
    require_not_future_time,
    require_open_record,
    require_order,
    require_text,
)
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.rules import RuleBook
from ap_incidents.domain.state import Placement, PupilRecord


def record_physical_intervention(
    command: RecordPhysicalIntervention, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """Reasonable force is used only by staff the provision's register shows trained on that day,
    in an incident already recorded, and an injury is always described."""
    require_not_future_time(command.started_at, context, "the intervention")
    day = local_date(command.started_at)
    placement = provider_entry(command, state, context, day, "a physical intervention")
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
    untrained = [
        member for member in staff
        if register is None or not register.is_trained(member, TrainingKind.PHYSICAL_INTERVENTION, day)
    ]
    if untrained:
        raise StaffNotTrained(
            f"not recorded as trained in physical intervention on {day}: {', '.join(sorted(untrained))}"
        )


def record_search(command: RecordSearch, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A searcher of the learner's sex with a staff witness, unless waiting risks serious harm (with the
    reason recorded); every prohibited item found has a lawful disposal."""
    require_not_future_time(command.searched_at, context, "the search")
    placement = provider_entry(command, state, context, local_date(command.searched_at), "a search")
    require_incident(placement, command.incident_id)
    assert state.sex is not None  # set by registration
    if command.witness is not None and command.witness == command.searcher:
        raise WitnessMustDifferFromSearcher("the witness must be a second member of staff")
    _require_witness_on_register(command.witness, placement, context, local_date(command.searched_at))
    missing = []
    if command.searcher_sex is not state.sex:
        missing.append("the searcher is not the same sex as the learner")
    if command.witness is None and command.witness_adult is None:
        missing.append("no member of staff, nor a named adult with a role, witnessed the search")
    reason = command.exception_reason.strip()
    if missing and not command.serious_harm_exception:
        raise SearchSafeguardsNotMet(
            "; ".join(missing) + ": allowed only under the urgent serious-harm exception"
        )
    if command.serious_harm_exception and not reason:
        raise SearchExceptionReasonRequired("record why the search could not wait for another member of staff")
    items = tuple(_lawful_disposal(found, context.rules) for found in command.items_found)
    return [SearchConducted(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, incident_id=command.incident_id, searched_at=command.searched_at,
        searched_for=command.searched_for, grounds=require_text(command.grounds, "the grounds for the search"),
        searcher=command.searcher, searcher_sex=command.searcher_sex, learner_sex=state.sex,
        witness=command.witness, witness_present=command.witness is not None or command.witness_adult is not None,
        witness_adult_name=None if command.witness_adult is None else command.witness_adult.name,
        witness_adult_role=None if command.witness_adult is None else command.witness_adult.role,
        serious_harm_exception=command.serious_harm_exception, exception_reason=reason or None,
        items_found=items, parents_informed=command.parents_informed, rule_version=context.rules.version,
    )]


def _require_witness_on_register(witness: str | None, placement: Placement, context: DecisionContext,
                                 day: date) -> None:
    """A witness is a member of staff on the provision's register that day, not whatever was typed ("none")."""
    if witness is None:
        return
    register = context.staff_register
    if register is not None and register.provision_id not in (None, placement.provision_id):
        raise ValueError(f"staff register of {register.provision_id} given for {placement.provision_id}")
    if register is None or not register.on_register(witness, day):
        raise WitnessNotOnRegister(
            f"{witness!r} is not on the staff register of {placement.provision_id} on {day}: a witness is a member "
            "of staff; with no second member of staff, record the search under the serious-harm exception"
        )


def _lawful_disposal(found: FoundItemInput, rules: RuleBook) -> FoundItem:
    """Weapons, controlled drugs and stolen items go to the police; alcohol, tobacco and fireworks are
    kept or disposed of, never handed back."""
    if found.disposal is None:
        raise DisposalRequired(f"record what was done with the {found.item.value.replace('_', ' ')}")
    if found.item in rules.items_for_police and found.disposal is not ItemDisposal.HANDED_TO_POLICE:
        raise ItemMustGoToPolice(f"a {found.item.value.replace('_', ' ')} must be handed to the police")
    if found.item in rules.items_never_returned and found.disposal is ItemDisposal.RETURNED:
        raise ItemMayNotBeReturned(f"a confiscated {found.item.value.replace('_', ' ')} is not returned")
    return FoundItem(item=found.item, quantity=found.quantity, disposal=found.disposal)


def raise_safeguarding_concern(
    command: RaiseSafeguardingConcern, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """Every safeguarding concern goes to the designated safeguarding lead (KCSIE)."""
    require_not_future_time(command.raised_at, context, "the concern")
    provider_entry(command, state, context, local_date(command.raised_at), "a safeguarding concern")
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
    provider_entry(command, state, context, command.agreed_on, "a behaviour contract")
    require_order(command.agreed_on, command.review_date, "contract review date")
    return [BehaviourContractAgreed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, agreed_on=command.agreed_on, review_date=command.review_date,
        parent_involved=command.parent_involved, targets=require_text(command.targets, "the targets"),
    )]


def refer_to_agency(command: ReferToExternalAgency, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Parents give permission before external services are involved, except for safeguarding referrals."""
    provider_entry(command, state, context, command.referred_on, "an agency referral")
    exempt = command.agency in context.rules.agencies_without_parent_permission
    if not (command.parent_permission or exempt):
        raise ParentPermissionRequired(f"obtain parental permission before referring to {command.agency.value}")
    return [ExternalAgencyReferralMade(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, referred_on=command.referred_on, agency=command.agency,
        parent_permission=command.parent_permission, reason=require_text(command.reason, "the reason"),
    )]


def record_search_policy_explained(
    command: RecordSearchPolicyExplained, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """The provision tells all parents of its random-search policy at the point of referral, during the
    initial interviews (seed 002, appendix 3, point 7): an entry of a referral the record holds, on a day
    that has come. Who may record it (the referral's provision) is policy SRCH-0's rule."""
    require_open_record(state, command.pupil_ref)
    referral_of(state, command.referral_id)
    require_not_future(command.explained_on, context, "the interview")
    return [SearchPolicyExplained(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        referral_id=command.referral_id, explained_on=command.explained_on, method=command.method,
    )]
