"""Starting a placement (domain brief section 2, step 3): the referral ready, the key stage served or
approved, the prerequisites dated before the start, and the timetable and first review within their terms.
The provision, commissioner, partnership and key stage come from the referral and the register of
organisations, never from the caller.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from ap_contracts.envelope import OrgKind
from ap_contracts.events.placements import PlacementStarted
from ap_contracts.events.pupil_vocabulary import EligibilityOutcome, KeyStage, Severity, TimetableKind
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.identifiers import OrganisationId
from ap_incidents.domain.commands import Percent, PupilCommand, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction
from ap_incidents.domain.errors import (
    EhcpExceptionalCircumstancesRequired,
    EligibilityNotDecided,
    HomeSchoolHeadDecisionRequired,
    LookedAfterAuthorityMismatch,
    MultidisciplinaryMeetingRequired,
    OrganisationNotRegistered,
    ParentNotConsulted,
    PlacementAlreadyActive,
    PlacementBeforePrerequisite,
    PlacementIdInUse,
    PupilNotEligible,
    ReducedTimetableIncomplete,
    ReducedTimetableReviewTooLate,
    ReferralAlreadyPlaced,
    ReviewIntervalTooLong,
)
from ap_incidents.domain.folding import NOTHING, Applied, update_referral, with_placement
from ap_incidents.domain.guards import referral_of, require_not_future, require_open_record, require_order, require_text
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.review_interval import latest_next_review, latest_reduced_timetable_review
from ap_incidents.domain.state import Placement, PupilRecord, Referral
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class StartPlacement(PupilCommand):
    """The provision, commissioner, partnership and key stage come from the referral and the register of
    organisations, never from the caller."""

    placement_id: UUID
    referral_id: UUID
    start_date: date
    planned_end_date: date
    timetable: TimetableKind
    reduced_timetable_review_date: date | None = None
    reintegration_plan: Text = ""
    planned_review_date: date
    exit_criteria: Text
    incident_severity_threshold: Severity
    # None: the placement agrees no attendance threshold of its own, and alerts use the attendance threshold
    # of the service level agreement in force between its provision and commissioner (issue 13).
    attendance_threshold_percent: Percent | None = None
    # Issue 14: a looked-after child: the local authority looking after them (its virtual school head is told of
    # their suspensions and exclusions). An organisation id, never the child's status: see ``PlacementStarted``.
    looked_after_by: OrganisationId | None = None


# ----------------------------------------------------------------------------- decisions


def start_placement(command: StartPlacement, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A placement starts only on an eligible referral, after parents were consulted, one at a time,
    with an out-of-key-stage place approved and a reduced timetable time-limited and planned."""
    require_open_record(state, command.pupil_ref)
    if command.placement_id in state.placements:
        raise PlacementIdInUse(f"placement {command.placement_id} already exists")
    referral = referral_of(state, command.referral_id)
    _require_referral_ready(referral, state)
    assert state.home_school_id is not None and state.key_stage is not None  # set by registration
    provision = context.organisations.require(referral.provision_id, OrgKind.PROVISION, "the provision")
    commissioner = referral.commissioner_id or context.organisations.local_authority_of(state.home_school_id)
    if commissioner is None:
        raise OrganisationNotRegistered("the referral names no commissioner and the home school's local authority "
                                        "is not on the register of organisations")
    outside = state.key_stage not in provision.key_stages
    key_stage = _out_of_key_stage_approval(referral, provision.key_stages) if outside else state.key_stage
    if state.active_placement_id is not None:
        raise PlacementAlreadyActive(f"placement {state.active_placement_id} has not ended")
    _require_after_prerequisites(command.start_date, referral, key_stage if outside else None)
    require_not_future(command.start_date, context, "the start date")
    require_order(command.start_date, command.planned_end_date, "planned end date")
    _require_timetable_terms(command, referral.provision_id, context)
    _require_first_review(command, referral.provision_id, context)
    assert provision.partnership_id is not None  # a provision is registered with its partnership
    return [PlacementStarted(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, referral_id=command.referral_id,
        provision_id=referral.provision_id, home_school_id=state.home_school_id,
        commissioner_id=commissioner, partnership_id=provision.partnership_id,
        start_date=command.start_date, planned_end_date=command.planned_end_date, key_stage=key_stage,
        pupil_key_stage=state.key_stage, outside_key_stage=outside, timetable=command.timetable,
        reduced_timetable_review_date=command.reduced_timetable_review_date,
        reintegration_plan=command.reintegration_plan or None, planned_review_date=command.planned_review_date,
        exit_criteria=require_text(command.exit_criteria, "the exit criteria"),
        incident_severity_threshold=command.incident_severity_threshold,
        attendance_threshold_percent=command.attendance_threshold_percent, rule_version=context.rules.version,
        looked_after_by=_looking_after(command.looked_after_by, state, context),
    )]


def _looking_after(authority: str | None, state: PupilRecord, context: DecisionContext) -> tuple[str, ...]:
    """A child the record shows looked after names the local authority looking after them, on the register as one
    (its virtual school head is told of the child's suspensions and exclusions, issue 14); no other child does.

    Empty for a child not looked after, never None: the event seals the value either way, so whether the child is
    looked after cannot be told from the stored shape (v2 of ``PlacementStarted``)."""
    if state.looked_after != (authority is not None):
        raise LookedAfterAuthorityMismatch(
            "name the local authority looking after the child (looked_after_by): the record shows the child looked"
            " after" if state.looked_after else "the record does not show the child looked after: name no authority")
    if authority is not None:
        context.organisations.require(authority, OrgKind.LOCAL_AUTHORITY, "the local authority looking after the child")
        return (authority,)
    return ()


def _require_referral_ready(referral: Referral, state: PupilRecord) -> None:
    if referral.placed:
        raise ReferralAlreadyPlaced(f"referral {referral.referral_id} already led to a placement")
    if not referral.parent_consulted:
        raise ParentNotConsulted("the home school must consult the parent or carer before a placement starts")
    if referral.eligibility is None:
        raise EligibilityNotDecided("decide the referral's eligibility before starting a placement")
    if referral.eligibility is EligibilityOutcome.NOT_ELIGIBLE:
        raise PupilNotEligible("the referral was judged not eligible")
    if state.has_ehcp and not referral.eligibility_knew_of_ehcp:
        raise EhcpExceptionalCircumstancesRequired(
            "the pupil now has an EHCP: decide eligibility again, recording the exceptional circumstances"
        )


def _out_of_key_stage_approval(referral: Referral, served: frozenset[KeyStage]) -> KeyStage:
    """The key stage of a place outside the pupil's own: one the provision serves and the head approved."""
    if not referral.meeting_held:
        raise MultidisciplinaryMeetingRequired("a placement outside the key stage needs a multidisciplinary meeting")
    approved = sorted(referral.approved_key_stages & served)
    if not approved:
        stages = ", ".join(sorted(stage.value for stage in served))
        raise HomeSchoolHeadDecisionRequired(
            f"the provision serves {stages}: the home school head has not approved such a placement for this pupil"
        )
    return approved[0]


def _require_after_prerequisites(start: date, referral: Referral, outside_stage: KeyStage | None) -> None:
    """Order in time: the placement starts on or after every step it depends on."""
    steps: list[tuple[str, date | None]] = [
        ("the referral was received", referral.received_on),
        ("the parent or carer was consulted", referral.first_consulted_on),
        ("eligibility was decided", referral.eligibility_decided_on),
    ]
    if outside_stage is not None:
        steps += [("the multidisciplinary meeting was held", referral.first_meeting_on),
                  ("the home school head decided the out-of-key-stage place",
                   referral.key_stage_approved_on.get(outside_stage))]
    for step, day in steps:
        if day is not None and start < day:
            raise PlacementBeforePrerequisite(
                f"the placement cannot start on {start}: {step} only on {day}; start it on or after that day"
            )


def _require_timetable_terms(command: StartPlacement, provision_id: str, context: DecisionContext) -> None:
    """A reduced timetable is temporary: it has a review date within the limit and a plan back to full time."""
    review = command.reduced_timetable_review_date
    if command.timetable is TimetableKind.FULL_TIME:
        if review is not None:
            raise ReducedTimetableIncomplete("a full-time timetable has no reduced-timetable review date")
        return
    if review is None or not command.reintegration_plan.strip():
        raise ReducedTimetableIncomplete("a reduced timetable needs a review date and a reintegration plan")
    require_order(command.start_date, review, "reduced timetable review date")
    limit = latest_reduced_timetable_review(command.start_date, provision_id, context)
    if review > limit.latest:
        raise ReducedTimetableReviewTooLate(f"review a reduced timetable by {limit.latest} at the latest"
                                            f" ({limit.reason})")


def _require_first_review(command: StartPlacement, provision_id: str, context: DecisionContext) -> None:
    require_order(command.start_date, command.planned_review_date, "planned review date")
    limit = latest_next_review(command.start_date, provision_id, context)
    if command.planned_review_date > limit.latest:
        raise ReviewIntervalTooLong(
            f"placements are reviewed at least half-termly: review by {limit.latest} ({limit.reason})")


# ----------------------------------------------------------------------------- folds (evolve)


def _placement_started(event: PlacementStarted, state: PupilRecord) -> Applied:
    placement = Placement(
        placement_id=event.placement_id,
        referral_id=event.referral_id,
        provision_id=event.provision_id,
        home_school_id=event.home_school_id,
        commissioner_id=event.commissioner_id,
        start_date=event.start_date,
        timetable=event.timetable,
        reduced_timetable_review_date=event.reduced_timetable_review_date,
    )
    started = replace(with_placement(state, placement), active_placement_id=event.placement_id)
    return update_referral(started, event.referral_id, placed=True), NOTHING


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(StartPlacement, start_placement, "incidents.start_placement", (PlacementStarted,),
            "placements", "Start a placement"),
    ),
    events={
        PlacementStarted: EventRule(_placement_started, Correction(
            locked=frozenset({
                "attendance_threshold_percent", "commissioner_id", "home_school_id", "incident_severity_threshold",
                "key_stage", "outside_key_stage", "partnership_id", "planned_end_date", "planned_review_date",
                "provision_id", "pupil_key_stage", "reduced_timetable_review_date", "start_date", "timetable",
            }),
        )),
    },
)
