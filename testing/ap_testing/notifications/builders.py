"""Builders of one pupil's placement events, for the notifications tests (unit, integration, e2e).

A KS2 placement with agreed thresholds; tests override only what the rule under test is about.
Narrative fields carry recognisable text so tests can prove that no alert ever repeats it. And one message as the
dispatcher hands it to a delivery adapter (``outbound_message``), for the adapters' tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from ap_contracts.envelope import Actor, EventEnvelope, OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import Audience
from ap_contracts.events.organisations import OrganisationRegistered
from ap_contracts.events.placements import (
    AlertThresholdsAgreed,
    ExclusionProposed,
    PlacementEnded,
    PlacementStarted,
    ReducedTimetableReviewed,
    ReviewHeld,
)
from ap_contracts.events.pupil_record import (
    AttendanceRecorded,
    FoundItem,
    IncidentRecorded,
    PhysicalInterventionRecorded,
    RewardGranted,
    SafeguardingConcernRaised,
    SearchConducted,
)
from ap_contracts.events.pupil_vocabulary import (
    AttendanceCode,
    ExclusionReason,
    ForceReason,
    IncidentCategory,
    IncidentLocation,
    IncidentTrigger,
    ItemDisposal,
    KeyStage,
    PlacementEndReason,
    ProhibitedItem,
    ReducedTimetableOutcome,
    ReviewOutcome,
    RewardKind,
    SafeguardingCategory,
    Session,
    Severity,
    Sex,
    TimetableKind,
)
from ap_notifications.application.ports import OutboundMessage
from ap_runtime.projection import ReceivedEvent

PROVISION = "provision-north"
HOME_SCHOOL = "school-home-1"
COMMISSIONER = "la-commissioning"
PARTNERSHIP = "np-north"
NEW_SCHOOL = "school-new-7"
START = date(2025, 1, 13)
NARRATIVE = "NARRATIVE-MUST-NOT-LEAK"


class Events:
    """Events of one pupil's placement, with defaults for every field the rules do not read."""

    def __init__(self) -> None:
        self.pupil_ref = uuid4()
        self.placement_id = uuid4()

    def _base(self) -> dict[str, Any]:
        return {"pupil_ref": self.pupil_ref, "record_id": uuid4(), "placement_id": self.placement_id}

    def started(self, **kw: Any) -> PlacementStarted:
        reduced = kw.get("timetable") is TimetableKind.REDUCED
        fields: dict[str, Any] = {
            **self._base(), "referral_id": uuid4(), "provision_id": PROVISION, "home_school_id": HOME_SCHOOL,
            "commissioner_id": COMMISSIONER, "partnership_id": PARTNERSHIP, "start_date": START,
            "planned_end_date": date(2025, 7, 18), "key_stage": KeyStage.KS2, "pupil_key_stage": KeyStage.KS2,
            "outside_key_stage": False, "timetable": TimetableKind.FULL_TIME,
            "reduced_timetable_review_date": date(2025, 2, 10) if reduced else None,
            "reintegration_plan": NARRATIVE, "planned_review_date": date(2025, 2, 24), "exit_criteria": NARRATIVE,
            "incident_severity_threshold": Severity.SERIOUS, "attendance_threshold_percent": 90,
            "rule_version": "test-1",
        }
        return PlacementStarted(**(fields | kw))

    def thresholds(self, agreed_on: date, severity: Severity, attendance: int = 90) -> AlertThresholdsAgreed:
        return AlertThresholdsAgreed(**self._base(), agreed_on=agreed_on, incident_severity_threshold=severity,
                                     attendance_threshold_percent=attendance)

    def incident(self, severity: Severity, on: date = date(2025, 3, 10), **kw: Any) -> IncidentRecorded:
        return IncidentRecorded(**(self._base() | {
            "incident_id": uuid4(), "happened_at": datetime(on.year, on.month, on.day, 11, tzinfo=UTC),
            "category": IncidentCategory.PHYSICAL_AGGRESSION_TO_PUPIL, "severity": severity,
            "location": IncidentLocation.CLASSROOM, "triggers": (IncidentTrigger.PEER_CONFLICT,),
            "antecedents": NARRATIVE, "description": NARRATIVE, "staff_involved": ("staff-1",)} | kw))

    def concern(self, immediate_risk: bool = False) -> SafeguardingConcernRaised:
        return SafeguardingConcernRaised(
            **self._base(), concern_id=uuid4(), raised_at=datetime(2025, 3, 10, 9, tzinfo=UTC),
            category=SafeguardingCategory.NEGLECT, immediate_risk=immediate_risk, referred_to_dsl=True,
            raised_by="staff-1", concern=NARRATIVE, action_taken=NARRATIVE)

    def intervention(self) -> PhysicalInterventionRecorded:
        return PhysicalInterventionRecorded(
            **self._base(), incident_id=uuid4(), started_at=datetime(2025, 3, 10, 11, tzinfo=UTC),
            duration_minutes=3, reason=ForceReason.PREVENT_HARM_TO_OTHERS, staff_involved=("staff-1", "staff-2"),
            staff_training_verified=True, injury_occurred=False, injury_details=None, description=NARRATIVE,
            parents_informed=True, rule_version="test-1")

    def search(self, *found: ProhibitedItem) -> SearchConducted:
        return SearchConducted(
            **self._base(), incident_id=None, searched_at=datetime(2025, 3, 10, 11, tzinfo=UTC),
            searched_for=(ProhibitedItem.KNIFE_OR_WEAPON,), grounds=NARRATIVE, searcher="staff-1",
            searcher_sex=Sex.MALE, learner_sex=Sex.MALE, witness="staff-2", witness_present=True,
            serious_harm_exception=False, exception_reason=None,
            items_found=tuple(FoundItem(item=i, disposal=ItemDisposal.HANDED_TO_POLICE) for i in found),
            parents_informed=True, rule_version="test-1")

    def proposed(self) -> ExclusionProposed:
        return ExclusionProposed(**self._base(), proposal_id=uuid4(), proposed_on=date(2025, 3, 11),
                                 primary_reason=ExclusionReason.PHYSICAL_ASSAULT_ADULT, account=NARRATIVE,
                                 safety_arrangements=NARRATIVE)

    def ended(self, reason: PlacementEndReason = PlacementEndReason.MANAGED_MOVE,
              destination_id: str | None = NEW_SCHOOL, **kw: Any) -> PlacementEnded:
        return PlacementEnded(**(self._base() | {"end_date": date(2025, 3, 14), "reason": reason,
                                                 "destination_id": destination_id, "summary": NARRATIVE} | kw))

    def mark(self, day: date, code: AttendanceCode, session: Session = Session.AM) -> AttendanceRecorded:
        return AttendanceRecorded(**self._base(), session_date=day, session=session, code=code,
                                  rule_version="test-1")

    def reward(self, kind: RewardKind) -> RewardGranted:
        return RewardGranted(**self._base(), granted_on=date(2025, 3, 10), kind=kind, quantity=1, reason=NARRATIVE)

    def timetable_reviewed(self, on: date, next_review: date | None) -> ReducedTimetableReviewed:
        outcome = ReducedTimetableOutcome.EXTENDED if next_review else ReducedTimetableOutcome.RETURNED_TO_FULL_TIME
        return ReducedTimetableReviewed(**self._base(), reviewed_on=on, outcome=outcome, next_review_date=next_review,
                                        reintegration_plan=NARRATIVE, rule_version="test-1")

    def review_held(self, on: date, next_review: date | None) -> ReviewHeld:
        return ReviewHeld(**self._base(), held_on=on, outcome=ReviewOutcome.CONTINUE, progress_summary=NARRATIVE,
                          action_plan=NARRATIVE, action_plan_due_date=on, next_review_date=next_review,
                          rule_version="test-1")


def home_school_registered(local_authority_id: str, home_school_id: str = HOME_SCHOOL) -> OrganisationRegistered:
    """The home school's registration, naming the local authority it belongs to (the LA's alerts go there)."""
    return OrganisationRegistered(organisation_id=home_school_id, kind=OrgKind.HOME_SCHOOL,
                                  local_authority_id=local_authority_id)


def received(event: DomainEvent, *, event_id: UUID | None = None, occurred_at: datetime | None = None,
             correlation_id: UUID | None = None) -> ReceivedEvent:
    """An event as a projection receives it, without Kafka (payload in clear: the alert worker
    reads only clear fields, so sealing would change nothing it sees)."""
    envelope = EventEnvelope(
        event_id=event_id or getattr(event, "record_id", None) or uuid4(), event_type=event.event_type,
        schema_version=event.schema_version, stream_id=f"pupil-{event.pii_subject()}", stream_version=1,
        occurred_at=occurred_at or datetime.now(UTC), actor=Actor(user_id="u-test", organisation_id=PROVISION),
        organisation_id=PROVISION, correlation_id=correlation_id or uuid4(), pii_subject=event.pii_subject(),
        payload=event.model_dump(mode="json"),
    )
    return ReceivedEvent(envelope, envelope.payload, "test-topic", 0, 0)


def outbound_message(**fields: Any) -> OutboundMessage:
    """An urgent safeguarding alert to school-1's DSL, ready for a delivery adapter; ``fields`` override."""
    message: dict[str, Any] = {
        "notification_id": uuid4(), "rule_name": "safeguarding_concern", "template_id": "safeguarding_concern",
        "audience": Audience.DSL, "recipient_organisation_id": "school-1", "pupil_ref": uuid4(),
        "cause_event_id": uuid4(), "cause_event_type": "SafeguardingConcernRaised", "priority": "urgent",
        "link_path": "/pupils/x/safeguarding/y", "subject": "[urgent] Safeguarding concern recorded",
        "body": "A safeguarding concern was recorded.",
    }
    return OutboundMessage(**(message | fields))
