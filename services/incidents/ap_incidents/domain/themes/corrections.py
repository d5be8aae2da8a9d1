"""Corrections: the record is append-only, so a mistake is amended or withdrawn by a new entry.

A correction targets an existing, correctable, not yet withdrawn entry; it is made by the party
that could have made the entry; amended values must be valid for the field they replace, and a
withdrawal may not leave the record breaking a rule (reward slips below zero, for instance).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, JsonValue, TypeAdapter, ValidationError

from ap_contracts.events.base import DomainEvent, event_model
from ap_contracts.events.pupil_corrections import (
    CORRECTION_FIELD_FOR_CLASS,
    CorrectionReason,
    RecordAmended,
    RecordWithdrawnInError,
)
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.personal import RecordClass, personal_fields
from ap_incidents.domain.caller import HOME_SCHOOL_HEAD
from ap_incidents.domain.commands import PupilCommand, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import NOT_CORRECTABLE, Correction, Corrector
from ap_incidents.domain.errors import (
    CorrectionTargetUnknown,
    CorrectionValueInvalid,
    FieldNotAmendable,
    NarrativeRequired,
    NotEntitledToCorrect,
    NothingToAmend,
    RecordAlreadyWithdrawn,
    RecordNotCorrectable,
    WithdrawalWouldOverdrawSlips,
)
from ap_incidents.domain.folding import NOTHING, Applied, entry_only
from ap_incidents.domain.guards import require_open_record, require_text
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import ProposalMade, PupilRecord, RecordEntry, SlipsChanged, TimetableChanged
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme
from ap_incidents.domain.undo import undo

# ----------------------------------------------------------------------------- commands


class AmendRecord(PupilCommand):
    target_record_id: UUID
    reason: CorrectionReason
    explanation: Text
    corrected_values: dict[str, JsonValue] = Field(description="New values by field name of the target event")


class WithdrawRecordInError(PupilCommand):
    target_record_id: UUID
    reason: CorrectionReason
    explanation: Text


# ----------------------------------------------------------------------------- decisions


def amend_record(command: AmendRecord, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Replace some field values of an earlier entry, each valid for its field and none locked."""
    require_open_record(state, command.pupil_ref)
    entry = _correctable_entry(state, command.target_record_id)
    _require_corrector(entry, state, context)
    if not command.corrected_values:
        raise NothingToAmend("name at least one field and its corrected value")
    model = event_model(entry.event_type, entry.schema_version)
    marked = personal_fields(model)
    rule = correction_of(entry.event_type)
    locked = rule.locked_fields
    groups: dict[str, dict[str, JsonValue]] = {}
    checked: dict[str, JsonValue] = {}
    for name, value in sorted(command.corrected_values.items()):
        if name not in model.model_fields or name in locked:
            raise FieldNotAmendable(_why_not_amendable(entry.event_type, name, name in model.model_fields))
        checked[name] = _checked_value(model, name, value, marked.get(name))
        groups.setdefault(CORRECTION_FIELD_FOR_CLASS[marked.get(name)], {})[name] = checked[name]
    if rule.amendment_check is not None:
        rule.amendment_check(checked, entry, state, context)
    return [RecordAmended.model_validate({
        "pupil_ref": command.pupil_ref, "record_id": record_id_for(command.command_id),
        "target_record_id": command.target_record_id, "target_event_type": entry.event_type,
        "reason": command.reason, "explanation": require_text(command.explanation, "why the entry is amended"),
        **groups,
    })]


def withdraw_record(command: WithdrawRecordInError, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Withdraw an entry made in error, when undoing it leaves the record consistent."""
    require_open_record(state, command.pupil_ref)
    entry = _correctable_entry(state, command.target_record_id)
    if not correction_of(entry.event_type).withdrawable:
        raise RecordNotCorrectable(f"a {entry.event_type} entry cannot be withdrawn; amend it instead")
    _require_corrector(entry, state, context)
    _require_undo_allowed(entry, command.target_record_id, state)
    return [RecordWithdrawnInError(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        target_record_id=command.target_record_id, target_event_type=entry.event_type, reason=command.reason,
        explanation=require_text(command.explanation, "why the entry was made in error"),
    )]


def correction_of(event_type: str) -> Correction:
    """The correction rule the entry's own theme states for ``event_type``; an entry of a type no theme states
    (a newer contract's) is corrected by any party to the placement, and amended only."""
    # Imported here, not above: the corrections theme judges the entries of every theme, and the table of
    # themes (domain/declarations.py) lists this module too.
    from ap_incidents.domain.declarations import CORRECTIONS

    return CORRECTIONS.get(event_type, Correction())


def _correctable_entry(state: PupilRecord, record_id: UUID) -> RecordEntry:
    entry = state.records.get(record_id)
    if entry is None:
        raise CorrectionTargetUnknown(f"no entry {record_id} in this pupil's record")
    if not correction_of(entry.event_type).correctable:
        raise RecordNotCorrectable("a correction is not corrected itself: correct the original entry")
    if entry.withdrawn:
        raise RecordAlreadyWithdrawn(f"entry {record_id} was already withdrawn in error")
    return entry


def _require_corrector(entry: RecordEntry, state: PupilRecord, context: DecisionContext) -> None:
    # Only the DSL corrects a safeguarding entry: policy AMD-1's rule (judged on the stored target's class
    # before the decider runs), not repeated here. What stays here needs the stored entry: which party made
    # it, and so who may correct it; for entries only the head makes, that party is the head (its role).
    caller = context.caller
    placement = None if entry.placement_id is None else state.placements.get(entry.placement_id)
    home_school = caller.acts_for(state.home_school_id) or caller.is_local_authority
    match correction_of(entry.event_type).corrector:
        case Corrector.PROVIDER:
            allowed = placement is not None and caller.acts_for(placement.provision_id)
        case Corrector.COMMISSIONER:
            allowed = placement is not None and caller.acts_for(placement.commissioner_id)
        case Corrector.HOME_SCHOOL_HEAD:
            allowed = caller.acts_for(state.home_school_id) and caller.has_role(HOME_SCHOOL_HEAD)
        case Corrector.HOME_SCHOOL:
            allowed = home_school
        case Corrector.PLACEMENT_PARTY:
            allowed = home_school or (placement is not None and caller.organisation_id in placement.parties())
    if not allowed:
        raise NotEntitledToCorrect(f"a {entry.event_type} entry is corrected by whoever could have made it")


def _require_undo_allowed(entry: RecordEntry, record_id: UUID, state: PupilRecord) -> None:
    effect = entry.effect
    if isinstance(effect, SlipsChanged) and effect.delta > 0:
        balance = state.placements[effect.placement_id].slip_balance
        if balance - effect.delta < 0:
            raise WithdrawalWouldOverdrawSlips(
                f"{effect.delta} slips were already spent: withdraw the redemption first (balance {balance})"
            )
    if isinstance(effect, ProposalMade):
        proposal = state.placements[effect.placement_id].proposals.get(effect.proposal_id)
        if proposal is not None and proposal.decision is not None:
            raise RecordNotCorrectable("the commissioner has decided this proposal; it can only be amended")
    if isinstance(effect, TimetableChanged):
        reviews = state.placements[effect.placement_id].timetable_review_ids
        if reviews and reviews[-1] != record_id:
            raise RecordNotCorrectable("withdraw the later reduced-timetable reviews first")


def _why_not_amendable(event_type: str, name: str, exists: bool) -> str:
    if not exists:
        return f"{event_type} has no field {name!r}"
    return (f"{name!r} of {event_type} cannot be amended: the record's rules depend on it, "
            "so withdraw the entry in error and record it again")


@cache
def _adapter(event_type: str, schema_version: int, name: str) -> TypeAdapter[Any]:
    info = event_model(event_type, schema_version).model_fields[name]
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation)


def _checked_value(model: type[DomainEvent], name: str, value: JsonValue,
                   record_class: RecordClass | None) -> JsonValue:
    adapter = _adapter(model.event_type, model.schema_version, name)
    try:
        clean = adapter.validate_python(value)
    except ValidationError as invalid:
        first = invalid.errors()[0]["msg"]
        raise CorrectionValueInvalid(f"{name!r}: {first}") from None
    if clean is None and record_class is not None:
        raise CorrectionValueInvalid(f"{name!r} cannot be cleared by an amendment (erasure is a separate process)")
    if isinstance(clean, str) and not clean.strip():
        raise NarrativeRequired(f"{name!r} cannot be amended to nothing")
    dumped: JsonValue = adapter.dump_python(clean, mode="json")
    return dumped


# ----------------------------------------------------------------------------- folds (evolve)


def _withdrawn(event: RecordWithdrawnInError, state: PupilRecord) -> Applied:
    entry = state.records.get(event.target_record_id)
    if entry is None or entry.withdrawn:
        return state, NOTHING
    undone = undo(entry.effect, event.target_record_id, state)
    marked = replace(entry, withdrawn=True)
    return replace(undone, records=undone.records.with_entry(event.target_record_id, marked)), NOTHING


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(AmendRecord, amend_record, "incidents.amend_record", (RecordAmended,), "amendments",
            "Amend an earlier entry"),
        CommandDeclaration(WithdrawRecordInError, withdraw_record, "incidents.withdraw_record",
            (RecordWithdrawnInError,), "withdrawals", "Withdraw an entry made in error"),
    ),
    events={
        RecordAmended: EventRule(entry_only, NOT_CORRECTABLE),
        RecordWithdrawnInError: EventRule(_withdrawn, NOT_CORRECTABLE),
    },
)
