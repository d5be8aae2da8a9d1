"""Builders of incidents events for the reporting tests: a pupil, a placement and what is counted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.engagement import (
    EngagementScoreAmended,
    EngagementScoreRecorded,
    EngagementScoreReduced,
    EngagementTargetSet,
    TargetArea,
    TargetProgressMark,
)
from ap_contracts.events.placements import PlacementEnded, PlacementStarted
from ap_contracts.events.pupil_corrections import CorrectionReason, RecordWithdrawnInError
from ap_contracts.events.pupil_record import AttendanceRecorded, IncidentRecorded, RewardGranted
from ap_contracts.events.pupil_vocabulary import (
    AttendanceCode,
    ExclusionReason,
    IncidentCategory,
    IncidentLocation,
    IncidentTrigger,
    KeyStage,
    PlacementEndReason,
    RewardKind,
    SenStatus,
    Session,
    Severity,
    Sex,
    TimetableKind,
    YearGroup,
    key_stage_of,
)
from ap_contracts.events.pupils import PupilRegistered
from ap_contracts.events.school_exclusions import (
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
)

NARRATIVE = "NARRATIVE-MUST-NOT-LEAK"
#: A placement's planned length and first review, from its start (13 January 2025: review 24 February, end 18 July).
PLANNED_LENGTH, FIRST_REVIEW_AFTER = timedelta(days=186), timedelta(days=42)


class Pupil:
    """One pupil on the platform and one placement, with every event the reports count."""

    def __init__(self, home_school_id: str, partnership_id: str, year: YearGroup = YearGroup.Y4,
                 provision_key_stage: KeyStage = KeyStage.KS2) -> None:
        self.pupil_ref = uuid4()
        self.placement_id = uuid4()
        self.home_school_id = home_school_id
        self.partnership_id = partnership_id
        self.year = year
        self.provision_key_stage = provision_key_stage

    def _base(self, **kw: Any) -> dict[str, Any]:
        return {"pupil_ref": self.pupil_ref, "record_id": uuid4(), **kw}

    def registered(self) -> PupilRegistered:
        return PupilRegistered(**self._base(
            home_school_id=self.home_school_id, display_name="Test Pupil", date_of_birth=date(2016, 5, 1),
            sex=Sex.FEMALE, year_group=self.year, key_stage=key_stage_of(self.year), has_ehcp=False,
            sen_status=SenStatus.NONE, fsm_eligible=False, ethnicity=None, looked_after=False))

    def started(self, start: date = date(2025, 1, 13)) -> PlacementStarted:
        stage = key_stage_of(self.year)
        return PlacementStarted(**self._base(
            placement_id=self.placement_id, referral_id=uuid4(), provision_id=f"prov-{self.partnership_id}",
            home_school_id=self.home_school_id, commissioner_id="la-county", partnership_id=self.partnership_id,
            start_date=start, planned_end_date=start + PLANNED_LENGTH, key_stage=self.provision_key_stage,
            pupil_key_stage=stage, outside_key_stage=stage is not self.provision_key_stage,
            timetable=TimetableKind.FULL_TIME, reduced_timetable_review_date=None, reintegration_plan=NARRATIVE,
            planned_review_date=start + FIRST_REVIEW_AFTER, exit_criteria=NARRATIVE,
            incident_severity_threshold=Severity.SERIOUS, attendance_threshold_percent=90, rule_version="t"))

    def ended(self, on: date, reason: PlacementEndReason, decision: UUID | None = None) -> PlacementEnded:
        return PlacementEnded(**self._base(placement_id=self.placement_id, end_date=on, reason=reason,
                                           decision_record_id=decision, summary=NARRATIVE))

    def mark(self, day: date, code: AttendanceCode, session: Session = Session.AM) -> AttendanceRecorded:
        return AttendanceRecorded(**self._base(placement_id=self.placement_id, session_date=day, session=session,
                                               code=code, rule_version="t"))

    def incident(self, day: date, category: IncidentCategory, severity: Severity) -> IncidentRecorded:
        return IncidentRecorded(**self._base(
            placement_id=self.placement_id, incident_id=uuid4(),
            happened_at=datetime(day.year, day.month, day.day, 11, tzinfo=UTC), category=category,
            severity=severity, location=IncidentLocation.CLASSROOM, triggers=(IncidentTrigger.PEER_CONFLICT,),
            antecedents=NARRATIVE, description=NARRATIVE, staff_involved=("staff-1",)))

    def reward(self, day: date, kind: RewardKind, quantity: int = 1) -> RewardGranted:
        return RewardGranted(**self._base(placement_id=self.placement_id, granted_on=day, kind=kind,
                                          quantity=quantity, reason=NARRATIVE))

    def target(self, set_on: date, due_by: date, area: TargetArea = TargetArea.WORK_COMPLETION) -> EngagementTargetSet:
        return EngagementTargetSet(**self._base(placement_id=self.placement_id, target_id=uuid4(), area=area,
                                                set_on=set_on, due_by=due_by, description=NARRATIVE,
                                                keyworker="staff-1"))

    def scored(self, day: date, score: int, session: Session | None = Session.AM,
               progress: tuple[TargetProgressMark, ...] = ()) -> EngagementScoreRecorded:
        return EngagementScoreRecorded(**self._base(
            placement_id=self.placement_id, scored_on=day, session=session, score=score, scale_max=5,
            progress=progress, keyworker="staff-1", notes=NARRATIVE, rule_version="t"))

    def reduced(self, score: EngagementScoreRecorded, points: int) -> EngagementScoreReduced:
        return EngagementScoreReduced(**self._base(placement_id=self.placement_id, score_record_id=score.record_id,
                                                   reduced_on=score.scored_on, points=points, reason=NARRATIVE))

    def score_amended(self, score: EngagementScoreRecorded, to: int) -> EngagementScoreAmended:
        return EngagementScoreAmended(**self._base(
            placement_id=self.placement_id, score_record_id=score.record_id, score=to, scale_max=score.scale_max,
            reason=CorrectionReason.WRONG_VALUE, explanation=NARRATIVE, rule_version="t"))

    def suspended(self, first_day: date, half_days: int, year: str = "2024/25") -> SuspensionIssued:
        return SuspensionIssued(**self._base(
            home_school_id=self.home_school_id, placement_id=self.placement_id, first_day=first_day,
            duration_half_days=half_days, academic_year=year, year_total_half_days=half_days,
            primary_reason=ExclusionReason.DISRUPTIVE_BEHAVIOUR, parents_informed=True, account=NARRATIVE,
            rule_version="t"))

    def excluded(self, on: date, year: str = "2024/25") -> PermanentExclusionIssued:
        return PermanentExclusionIssued(**self._base(
            home_school_id=self.home_school_id, placement_id=self.placement_id, decided_on=on, effective_from=on,
            academic_year=year, primary_reason=ExclusionReason.PHYSICAL_ASSAULT_ADULT, parents_informed=True,
            account=NARRATIVE, rule_version="t"))

    def reinstated(self, exclusion: PermanentExclusionIssued) -> PermanentExclusionReinstated:
        return PermanentExclusionReinstated(**self._base(
            exclusion_record_id=exclusion.record_id, home_school_id=self.home_school_id,
            board_met_on=date(2025, 3, 20), reasons=NARRATIVE))

    def withdrawn(self, target: DomainEvent) -> RecordWithdrawnInError:
        return RecordWithdrawnInError(**self._base(
            target_record_id=getattr(target, "record_id"), target_event_type=target.event_type,  # noqa: B009
            reason=CorrectionReason.DUPLICATE_ENTRY, explanation=NARRATIVE))
