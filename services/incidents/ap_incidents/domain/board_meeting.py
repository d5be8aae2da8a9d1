"""When a governing board's decision on an exclusion may be recorded, and when its meeting day may be amended
(issue 16 follow-up): the same rules for both, so an amendment (the generic ``AmendRecord``) cannot move the
meeting before the exclusion was made or past today; and which suspension the board may reinstate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import JsonValue

from ap_contracts.events.school_exclusions import SuspensionReinstated
from ap_incidents.domain.board_cases import BoardCase, DecisionOnExclusion
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.errors import (
    BoardAlreadyDecided,
    BoardCaseUnknown,
    ExclusionWithdrawn,
    OnlyHomeSchool,
    SuspensionNotBeforeBoard,
)
from ap_incidents.domain.guards import require_not_future, require_order
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord, RecordEntry

if TYPE_CHECKING:  # the exclusions theme imports this module for its commands' rules
    from ap_incidents.domain.themes.exclusions import ReinstatePupil


def board_may_decide(state: PupilRecord, record_id: UUID, met_on: date, context: DecisionContext) -> BoardCase:
    """The board decides once, on a standing exclusion of the caller's school, met on a day between the
    exclusion and today."""
    case, entry = state.board_cases.get(record_id), state.records.get(record_id)
    if case is None or entry is None:
        raise BoardCaseUnknown(f"no exclusion {record_id} of this pupil for a governing board to consider")
    if entry.withdrawn:
        raise ExclusionWithdrawn(f"the exclusion {record_id} was withdrawn in error: the board has nothing to decide")
    if case.decision is not None:
        raise BoardAlreadyDecided(f"the governing board already decided on the exclusion {record_id}: {case.decision}")
    if not context.caller.acts_for(case.home_school_id):
        raise OnlyHomeSchool("the excluding school records its governing board's decision")
    _meeting_day_fits(case, met_on, context)
    return case


def _meeting_day_fits(case: BoardCase, met_on: date, context: DecisionContext) -> None:
    require_not_future(met_on, context, "the board meeting")
    require_order(case.made_on, met_on, "the board meeting")


def recheck_meeting_day(values: Mapping[str, JsonValue], entry: RecordEntry, state: PupilRecord,
                        context: DecisionContext) -> None:
    """An amended ``board_met_on`` (already valid as a date) meets the rules the decision met: not after today
    (guards' DatedInFuture) and not before the exclusion was made (DatesOutOfOrder)."""
    met_on = values.get("board_met_on")
    effect = entry.effect
    if met_on is None or not isinstance(effect, DecisionOnExclusion):
        return
    case = state.board_cases.get(effect.exclusion_record_id)
    if case is not None:
        _meeting_day_fits(case, date.fromisoformat(str(met_on)), context)


def suspension_reinstated(command: ReinstatePupil, state: PupilRecord, reasons: str) -> SuspensionReinstated:
    """Rule ``board_decision.suspension_before_board``: only a suspension the board had to consider (a board
    case: over 5 school days in the term) is reinstated by it. The suspension keeps counting, in the pupil's
    45-day cap and in DfE statistics: STATUTORY.md uncounts only a reinstated permanent exclusion, and the days
    up to the meeting were served, so its days stay as issued."""
    case = state.board_cases.get(command.exclusion_record_id)
    if case is None:
        raise SuspensionNotBeforeBoard(
            f"the suspension {command.exclusion_record_id} does not take the pupil over 5 school days in its term:"
            " the governing board did not have to consider it")
    return SuspensionReinstated(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        exclusion_record_id=command.exclusion_record_id, home_school_id=case.home_school_id,
        board_met_on=command.board_met_on, reasons=reasons,
    )
