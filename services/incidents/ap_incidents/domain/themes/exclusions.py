"""Exclusion from school: the home school head's suspensions and permanent exclusions, and the governing
board's one decision on each, reinstatement or upheld (domain brief section 2, step 7; STATUTORY.md; issue 16).

Suspensions are capped per academic year. Only the head of the school where the pupil is on roll excludes
(EXC-3): the access policy's rule, judged on the stored home school before any decider runs, not repeated here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from pydantic import Field

from ap_contracts.events.pupil_vocabulary import ExclusionReason, academic_year_of
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.events.school_exclusions import (
    ExclusionUpheld,
    GovernorsDuty,
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
    SuspensionReinstated,
)
from ap_incidents.domain.board_cases import BoardCase, BoardDecision, DecisionOnExclusion
from ap_incidents.domain.board_meeting import board_may_decide, recheck_meeting_day, suspension_reinstated
from ap_incidents.domain.commands import FurtherReasons, PositiveInt, PupilCommand, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.errors import (
    ExclusionUnknown,
    IndependentReviewNotExplained,
    PupilPermanentlyExcluded,
    SuspensionCapExceeded,
)
from ap_incidents.domain.folding import Applied
from ap_incidents.domain.guards import require_not_future, require_open_record, require_order, require_text
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import (
    PermanentExclusion,
    PermanentExclusionMade,
    PupilRecord,
    SuspensionCounted,
    with_item,
)
from ap_incidents.domain.suspension_days import count_suspension, governors_duty, sixth_school_day, told_at_once
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class IssueSuspension(PupilCommand):
    first_day: date
    duration_half_days: PositiveInt = Field(description="School days times two; a lunchtime counts as 1")
    primary_reason: ExclusionReason
    further_reasons: FurtherReasons = ()
    parents_informed: bool
    account: Text


class IssuePermanentExclusion(PupilCommand):
    decided_on: date
    effective_from: date
    primary_reason: ExclusionReason
    further_reasons: FurtherReasons = ()
    parents_informed: bool
    account: Text


class ReinstatePupil(PupilCommand):
    exclusion_record_id: UUID
    board_met_on: date
    reasons: Text


class UpholdExclusion(PupilCommand):
    exclusion_record_id: UUID
    board_met_on: date
    parents_told_of_independent_review: bool


# ----------------------------------------------------------------------------- decisions


def _excluding_school(state: PupilRecord) -> str:
    """The school excluding: the one the pupil is on roll at, unless it already excluded the pupil for good.
    (That its head is asking is policy EXC-3's rule, checked before the decider runs.)"""
    if state.excluded_from_home_school:
        raise PupilPermanentlyExcluded("the pupil is already permanently excluded from this school")
    assert state.home_school_id is not None
    return state.home_school_id


def issue_suspension(command: IssueSuspension, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Suspensions total at most the cap (45 school days by default) per pupil per academic year; on the home
    school's calendar, the term's total says who is told at once and what the governors must do, and a
    suspension over 5 school days names its sixth school day (``suspension_days``)."""
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
        **_on_the_calendar(command, state, context, home_school_id),
    )]


def _on_the_calendar(command: IssueSuspension, state: PupilRecord, context: DecisionContext,
                     home_school_id: str) -> dict[str, object]:
    """The per-term and sixth-day fields of a suspension, when the home school's calendar records its days."""
    days = count_suspension(command.first_day, command.duration_half_days, home_school_id, context.calendars,
                            context.rules)
    if days is None:
        return {}
    term_total = state.suspension_half_days_in_term(days.term) + command.duration_half_days
    return {"term": days.term, "term_total_half_days": term_total, "last_day": days.last_day,
            "local_authority_told_at_once": told_at_once(term_total, context.rules),
            "governors_duty": governors_duty(term_total, context.rules),
            "full_time_education_from": days.full_time_education_from, "counted_with": days.counted_with}


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
        **_sixth_day(command, context, home_school_id),
    )]


def _sixth_day(command: IssuePermanentExclusion, context: DecisionContext, home_school_id: str) -> dict[str, object]:
    """From the sixth school day of a permanent exclusion the LA arranges full-time education (DfE guidance)."""
    counted = sixth_school_day(command.effective_from, home_school_id, context.calendars, context.rules)
    return {} if counted is None else {"full_time_education_from": counted[0], "counted_with": counted[1]}


def reinstate_pupil(command: ReinstatePupil, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """The home school records its governing board's reinstatement of a permanently excluded pupil, or of a
    suspended one whose suspension the board had to consider (``SuspensionReinstated``)."""
    require_open_record(state, command.pupil_ref)
    record_id, reasons = command.exclusion_record_id, require_text(command.reasons, "the board's reasons")
    if record_id in state.board_cases:  # decided once, on a standing exclusion
        board_may_decide(state, record_id, command.board_met_on, context)
    entry = state.records.get(record_id)
    if entry is not None and entry.event_type == SuspensionIssued.event_type:
        return [suspension_reinstated(command, state, reasons)]
    exclusion = state.permanent_exclusion
    if exclusion is None or exclusion.record_id != record_id:
        raise ExclusionUnknown(f"no standing permanent exclusion or suspension {record_id}")
    return [PermanentExclusionReinstated(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        exclusion_record_id=exclusion.record_id, home_school_id=exclusion.home_school_id,
        board_met_on=command.board_met_on, reasons=reasons,
    )]


def uphold_exclusion(command: UpholdExclusion, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """The home school records that its governing board upheld a suspension or permanent exclusion it had to
    consider, once the parents were told of their right to an independent review."""
    require_open_record(state, command.pupil_ref)
    case = board_may_decide(state, command.exclusion_record_id, command.board_met_on, context)
    if not command.parents_told_of_independent_review:
        raise IndependentReviewNotExplained(
            "record the board's decision once the parents have been told of their right to an independent review")
    return [ExclusionUpheld(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        exclusion_record_id=command.exclusion_record_id, home_school_id=case.home_school_id,
        board_met_on=command.board_met_on, parents_told_of_independent_review=True,
    )]


# ----------------------------------------------------------------------------- folds (evolve)


def _suspended(event: SuspensionIssued, state: PupilRecord) -> Applied:
    total = state.suspension_half_days_in(event.academic_year) + event.duration_half_days
    state = replace(state, suspension_half_days=with_item(state.suspension_half_days, event.academic_year, total))
    if event.term is not None:
        in_term = state.suspension_half_days_in_term(event.term) + event.duration_half_days
        state = replace(state, suspension_half_days_by_term=with_item(state.suspension_half_days_by_term,
                                                                      event.term, in_term))
    if event.governors_duty is not GovernorsDuty.NONE:  # unknown without a calendar: the board may have met
        state = _with_case(state, event.record_id, BoardCase(event.home_school_id, event.first_day))
    return state, SuspensionCounted(event.academic_year, event.duration_half_days, event.term)


def _permanently_excluded(event: PermanentExclusionIssued, state: PupilRecord) -> Applied:
    exclusion = PermanentExclusion(event.record_id, event.home_school_id)
    state = _with_case(state, event.record_id, BoardCase(event.home_school_id, event.decided_on))
    return replace(state, permanent_exclusion=exclusion), PermanentExclusionMade(event.home_school_id)


def _with_case(state: PupilRecord, record_id: UUID, case: BoardCase) -> PupilRecord:
    return replace(state, board_cases=with_item(state.board_cases, record_id, case))


def _decided(state: PupilRecord, record_id: UUID, decision: BoardDecision) -> PupilRecord:
    case = state.board_cases.get(record_id)
    return state if case is None else _with_case(state, record_id, replace(case, decision=decision))


def _upheld(event: ExclusionUpheld, state: PupilRecord) -> Applied:
    return _decided(state, event.exclusion_record_id, BoardDecision.UPHELD), DecisionOnExclusion(
        event.exclusion_record_id)


def _reinstated(event: PermanentExclusionReinstated, state: PupilRecord) -> Applied:
    state = _decided(state, event.exclusion_record_id, BoardDecision.REINSTATED)
    current = state.permanent_exclusion
    if current is not None and current.record_id == event.exclusion_record_id:
        state = replace(state, permanent_exclusion=None)
    return state, DecisionOnExclusion(event.exclusion_record_id)


def _suspension_reinstated_fold(event: SuspensionReinstated, state: PupilRecord) -> Applied:
    state = _decided(state, event.exclusion_record_id, BoardDecision.REINSTATED)
    return state, DecisionOnExclusion(event.exclusion_record_id)


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(IssueSuspension, issue_suspension, "incidents.issue_exclusion", (SuspensionIssued,),
            "suspensions", "Suspend a pupil (home school head)"),
        CommandDeclaration(IssuePermanentExclusion, issue_permanent_exclusion, "incidents.issue_exclusion",
            (PermanentExclusionIssued,), "permanent-exclusions", "Permanently exclude a pupil (home school head)"),
        CommandDeclaration(ReinstatePupil, reinstate_pupil, "incidents.record_reinstatement",
            (PermanentExclusionReinstated, SuspensionReinstated), "reinstatements",
            "Record a governing board's reinstatement"),
        CommandDeclaration(UpholdExclusion, uphold_exclusion, "incidents.record_reinstatement", (ExclusionUpheld,),
            "upheld-exclusions", "Record that a governing board upheld an exclusion"),
    ),
    events={
        SuspensionIssued: EventRule(_suspended, Correction(
            Corrector.HOME_SCHOOL_HEAD,
            locked=frozenset({
                "academic_year", "duration_half_days", "first_day", "home_school_id", "year_total_half_days",
                "term", "term_total_half_days", "local_authority_told_at_once", "governors_duty", "last_day",
                "full_time_education_from", "counted_with",
            }),
            withdrawable=True,
        )),
        PermanentExclusionIssued: EventRule(_permanently_excluded, Correction(
            Corrector.HOME_SCHOOL_HEAD,
            locked=frozenset({"academic_year", "decided_on", "effective_from", "home_school_id",
                              "full_time_education_from", "counted_with"}),
            withdrawable=True,
        )),
        PermanentExclusionReinstated: EventRule(_reinstated, Correction(
            Corrector.HOME_SCHOOL,
            locked=frozenset({"home_school_id"}),
            amendment_check=recheck_meeting_day,
        )),
        SuspensionReinstated: EventRule(_suspension_reinstated_fold, Correction(
            Corrector.HOME_SCHOOL, locked=frozenset({"home_school_id"}), amendment_check=recheck_meeting_day,
        )),
        # A decision stays on the exclusion it decided (``exclusion_record_id`` is an identity field): only the
        # meeting day is mended, and checked again as the decision was (``board_meeting``).
        ExclusionUpheld: EventRule(_upheld, Correction(
            Corrector.HOME_SCHOOL,
            locked=frozenset({"home_school_id", "parents_told_of_independent_review"}),
            amendment_check=recheck_meeting_day,
        )),
    },
)
