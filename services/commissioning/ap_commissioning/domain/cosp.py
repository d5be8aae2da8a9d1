"""The Children Outside of School Panel: its cases and their outcomes (seed 004, "Children Missing
Education": the panel meets fortnightly to discuss children out of school and recommend school places).

Rules served: its cases go to the LA's Children Outside of School Panel, not an area panel
(``panel.hears_its_kind``); an outcome is recorded once (``panel.case_concluded_once``), by a member of the
panel (``panel.decided_by_member``), and a recommended or arranged place names the school
(``panel.outcome_names_school``).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ap_commissioning.domain.context import DecisionContext
from ap_commissioning.domain.errors import CommissioningRefused
from ap_commissioning.domain.panel_state import PanelState
from ap_commissioning.domain.panels import PanelCommand, case_to_conclude, check_new_case, event_fields
from ap_contracts.events.commissioning_panels import (
    OutOfSchoolReason,
    OutsideSchoolCaseOpened,
    OutsideSchoolOutcome,
    OutsideSchoolOutcomeRecorded,
    PanelKind,
)
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent, LongText, Phase
from ap_contracts.identifiers import OrganisationId
from ap_runtime.refusal import RefusalKind

PLACE_OUTCOMES = frozenset({OutsideSchoolOutcome.SCHOOL_PLACE_RECOMMENDED,
                            OutsideSchoolOutcome.ALTERNATIVE_PROVISION_ARRANGED,
                            OutsideSchoolOutcome.RETURNED_TO_SCHOOL})


class PlaceWithoutSchool(CommissioningRefused):
    rule_id = "panel.outcome_names_school"
    kind = RefusalKind.BREAKS_RULE
    says = "school_id: the outcome {outcome} names the school or provision"
    outcome: str


class OpenOutsideSchoolCase(PanelCommand):
    case_id: UUID
    pupil_ref: UUID
    phase: Phase
    reason: OutOfSchoolReason
    opened_on: date


class RecordOutsideSchoolOutcome(PanelCommand):
    """Recorded by the calling member of the panel."""

    case_id: UUID
    outcome: OutsideSchoolOutcome
    school_id: OrganisationId | None = None
    recorded_on: date
    note: LongText = ""


def open_outside_school_case(command: OpenOutsideSchoolCase, state: PanelState,
                             context: DecisionContext) -> list[CommissioningEvent]:
    check_new_case(state, command, PanelKind.CHILDREN_OUTSIDE_SCHOOL, "children outside of school", command.case_id,
                   context, opened_on=command.opened_on)
    return [OutsideSchoolCaseOpened(**event_fields(command), opened_by=context.user_id)]


def record_outcome(command: RecordOutsideSchoolOutcome, state: PanelState,
                   context: DecisionContext) -> list[CommissioningEvent]:
    case_to_conclude(state, command.panel_id, state.outside_school, command.case_id, context,
                     lambda has_outcome: has_outcome, recorded_on=command.recorded_on)
    if command.outcome in PLACE_OUTCOMES and command.school_id is None:
        raise PlaceWithoutSchool(command.outcome.value)
    return [OutsideSchoolOutcomeRecorded(**event_fields(command), recorded_by=context.user_id)]
