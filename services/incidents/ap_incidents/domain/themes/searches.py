"""Searches: who searched, who witnessed, what was found and what became of it, and the parents told of the
provision's random-search policy (STATUTORY.md; seed 002, appendix 3)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import ConfigDict, Field

from ap_contracts.events.pupil_record import FoundItem, SearchConducted
from ap_contracts.events.pupil_vocabulary import (
    ConsultationMethod,
    ItemDisposal,
    ProhibitedItem,
    SearchWitnessRole,
    Sex,
)
from ap_contracts.events.pupils import PupilEvent, SearchPolicyExplained
from ap_contracts.identifiers import StaffId
from ap_contracts.text import TextGuardedModel
from ap_incidents.domain.commands import Name, PlacementCommand, PositiveInt, PupilCommand, RecordedMoment, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.errors import (
    DisposalRequired,
    ItemMayNotBeReturned,
    ItemMustGoToPolice,
    SearchExceptionReasonRequired,
    SearchSafeguardsNotMet,
    WitnessMustDifferFromSearcher,
    WitnessNotOnRegister,
)
from ap_incidents.domain.folding import entry_only
from ap_incidents.domain.guards import (
    dated_placement_entry,
    local_date,
    referral_of,
    require_incident,
    require_not_future,
    require_not_future_time,
    require_open_record,
    require_text,
)
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.rules import RuleBook
from ap_incidents.domain.state import Placement, PupilRecord
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class FoundItemInput(TextGuardedModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    item: ProhibitedItem
    quantity: PositiveInt = 1
    disposal: ItemDisposal | None = None


class NamedAdultWitness(TextGuardedModel):
    """An adult from outside the provision's staff who witnessed a search: a name and a role, never free text."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: Name
    role: SearchWitnessRole


class RecordSearch(PlacementCommand):
    incident_id: UUID | None = None
    searched_at: RecordedMoment
    searched_for: tuple[ProhibitedItem, ...] = Field(min_length=1)
    grounds: Text
    searcher: StaffId
    searcher_sex: Sex
    witness: StaffId | None = Field(default=None, description="A member of staff on the provision's register")
    witness_adult: NamedAdultWitness | None = Field(default=None, description="Or a named adult with a role")
    serious_harm_exception: bool = False
    exception_reason: Text = ""
    items_found: tuple[FoundItemInput, ...] = ()
    parents_informed: bool


class RecordSearchPolicyExplained(PupilCommand):
    """The receiving provision records that it told the parents of its random-search policy at the referral's
    initial interview (seed 002, appendix 3)."""

    referral_id: UUID
    explained_on: date
    method: ConsultationMethod


# ----------------------------------------------------------------------------- decisions


def record_search(command: RecordSearch, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A searcher of the learner's sex with a staff witness, unless waiting risks serious harm (with the
    reason recorded); every prohibited item found has a lawful disposal."""
    require_not_future_time(command.searched_at, context, "the search")
    placement = dated_placement_entry(command, state, context, local_date(command.searched_at), "a search")
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


# ----------------------------------------------------------------------------- folds (evolve)


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(RecordSearch, record_search, "incidents.record_search", (SearchConducted,), "searches",
            "Record a search"),
        CommandDeclaration(RecordSearchPolicyExplained, record_search_policy_explained,
            "incidents.explain_search_policy", (SearchPolicyExplained,), "search-policy-explanations",
            "Record that the parents were told of the provision's random-search policy at the referral interview"),
    ),
    events={
        SearchConducted: EventRule(entry_only, Correction(
            Corrector.PROVIDER,
            locked=frozenset({
                "items_found", "learner_sex", "searcher", "searcher_sex", "serious_harm_exception", "witness",
                "witness_adult_role", "witness_present",
            }),
            withdrawable=True,
        )),
        SearchPolicyExplained: EventRule(entry_only, Correction(withdrawable=True)),
    },
)
