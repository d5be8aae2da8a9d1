"""The v1 pupil-path contracts: registered, on the incidents topic, keyed by pupil, personal data marked."""

from __future__ import annotations

import json
from datetime import date
from typing import get_args
from uuid import uuid4

import pytest
from pydantic import BaseModel, ValidationError

import ap_contracts.events.catalogue  # noqa: F401  (loads every contract)
from ap_contracts.events import (
    engagement,
    placements,
    provision_staff,
    pupil_corrections,
    pupil_record,
    pupils,
    school_exclusions,
    sent_home,
)
from ap_contracts.events.base import DomainEvent, registered_events
from ap_contracts.events.pupil_vocabulary import (
    ATTENDANCE_CODES,
    AttendanceCategory,
    AttendanceCode,
    ExclusionReason,
    KeyStage,
    SenStatus,
    Severity,
    TimetableKind,
    YearGroup,
    academic_year_of,
    exclusion_reason_from_code,
    key_stage_of,
)
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.personal import PERSONAL_SCHEMA_KEY, RecordClass, personal_fields
from ap_contracts.topics import INCIDENTS_EVENTS

MODULES = (pupils, placements, pupil_record, school_exclusions, pupil_corrections, engagement, sent_home)
PUPIL_EVENTS = sorted(
    (cls for cls in registered_events().values() if cls.__module__ in {m.__name__ for m in MODULES}),
    key=lambda cls: cls.event_type,
)

EXPECTED = {
    "PupilRegistered", "PupilDetailsUpdated", "ReferralReceived", "ParentConsultationRecorded",
    "EligibilityDecided", "MultidisciplinaryMeetingRecorded", "OutOfKeyStagePlacementApproved",
    "PlacementStarted", "AlertThresholdsAgreed", "AttendanceRecorded", "IncidentRecorded", "SanctionApplied",
    "RewardGranted", "RewardRedeemed", "KeyworkerSessionHeld", "PhysicalInterventionRecorded", "SearchConducted",
    "SafeguardingConcernRaised", "BehaviourContractAgreed", "ExternalAgencyReferralMade", "ReviewHeld",
    "ReducedTimetableReviewed", "ExclusionProposed", "CommissionerDecisionRecorded", "SuspensionIssued",
    "PermanentExclusionIssued", "PermanentExclusionReinstated", "TransitionPlanRecorded", "PlacementEnded",
    "RecordAmended", "RecordWithdrawnInError", "PupilTransferRequested", "PupilTransferConfirmed",
    "ReintegrationConfirmed", "SearchPolicyExplained",
    "EngagementTargetSet", "EngagementScoreRecorded", "EngagementScoreReduced", "EngagementScoreAmended",
    "SentHomeRecorded", "ExclusionUpheld", "SuspensionReinstated",
}

# Events past their first schema version (every version stays registered; older ones are upcast on read):
# PlacementStarted v2 seals looked_after_by (issue 14 follow-up).
SCHEMA_VERSIONS = {"PlacementStarted": 2}


def test_every_pupil_path_event_is_registered():
    assert {cls.event_type for cls in PUPIL_EVENTS} == EXPECTED


@pytest.mark.parametrize("event_cls", PUPIL_EVENTS, ids=lambda cls: cls.event_type)
def test_pupil_events_travel_on_incidents_keyed_by_pupil(event_cls):
    assert issubclass(event_cls, PupilEvent)
    assert event_cls.topic == INCIDENTS_EVENTS
    assert event_cls.pii_subject_field == "pupil_ref"
    assert 1 <= event_cls.schema_version <= SCHEMA_VERSIONS.get(event_cls.event_type, 1)
    assert {"pupil_ref", "record_id"} <= set(event_cls.model_fields)
    assert event_cls.model_config.get("extra") == "forbid" and event_cls.model_config.get("frozen")


@pytest.mark.parametrize("event_cls", PUPIL_EVENTS, ids=lambda cls: cls.event_type)
def test_personal_fields_are_top_level_nullable_and_shown_in_schema(event_cls):
    schema = event_cls.model_json_schema()
    for name in personal_fields(event_cls):
        assert schema["properties"][name].get(PERSONAL_SCHEMA_KEY), name
        # Erasure turns personal fields into None; the event must still validate.
        assert "null" in json.dumps(schema["properties"][name]), name
    for info in event_cls.model_fields.values():
        for nested in _models_in(info.annotation):
            assert personal_fields(nested) == {}, f"{event_cls.event_type} nests personal data in {nested}"


def _models_in(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def test_narratives_names_and_special_category_data_are_personal():
    assert personal_fields(pupils.PupilRegistered) == {
        "display_name": RecordClass.PUPIL_IDENTITY, "date_of_birth": RecordClass.PUPIL_IDENTITY,
        "has_ehcp": RecordClass.SEN_HEALTH, "sen_status": RecordClass.SEN_HEALTH,
        "fsm_eligible": RecordClass.PUPIL_IDENTITY, "ethnicity": RecordClass.PUPIL_IDENTITY,
        "looked_after": RecordClass.PUPIL_IDENTITY, "family_contact": RecordClass.FAMILY_CONTACT,
    }
    assert personal_fields(pupil_record.IncidentRecorded) == {
        "antecedents": RecordClass.BEHAVIOUR, "description": RecordClass.BEHAVIOUR,
        "staff_involved": RecordClass.BEHAVIOUR,
    }
    assert set(personal_fields(pupil_record.SafeguardingConcernRaised).values()) == {RecordClass.SAFEGUARDING}
    assert personal_fields(school_exclusions.SuspensionIssued) == {"account": RecordClass.EXCLUSION}
    assert personal_fields(pupil_record.AttendanceRecorded) == {}


def test_provision_register_events_carry_no_pupil():
    for cls in (provision_staff.StaffTrainingRecorded, provision_staff.StaffTrainingRevoked):
        assert cls.topic == INCIDENTS_EVENTS and cls.pii_subject_field is None and personal_fields(cls) == {}


def test_erased_event_still_loads():
    payload = {
        "pupil_ref": str(uuid4()), "record_id": str(uuid4()), "placement_id": str(uuid4()),
        "incident_id": str(uuid4()), "happened_at": "2025-03-10T10:00:00Z", "category": "theft",
        "severity": 2, "location": "classroom", "triggers": ["not_known"],
        "antecedents": None, "description": None, "staff_involved": None,
    }
    event = pupil_record.IncidentRecorded.model_validate(payload)
    assert event.description is None and event.pii_subject() == payload["pupil_ref"]


def _start(**kw):
    base = dict(
        pupil_ref=uuid4(), record_id=uuid4(), placement_id=uuid4(), referral_id=uuid4(), provision_id="p",
        home_school_id="h", commissioner_id="c", partnership_id="n", start_date=date(2025, 1, 13),
        planned_end_date=date(2025, 7, 1), key_stage=KeyStage.KS2, pupil_key_stage=KeyStage.KS2,
        outside_key_stage=False, timetable=TimetableKind.FULL_TIME, reduced_timetable_review_date=None,
        reintegration_plan=None, planned_review_date=date(2025, 2, 24), exit_criteria="x",
        incident_severity_threshold=Severity.SERIOUS, attendance_threshold_percent=90, rule_version="v",
    )
    return placements.PlacementStarted(**(base | kw))


def test_placement_started_is_internally_consistent():
    assert _start()
    with pytest.raises(ValidationError):
        _start(outside_key_stage=True)
    with pytest.raises(ValidationError):
        _start(timetable=TimetableKind.REDUCED)
    with pytest.raises(ValidationError):
        _start(attendance_threshold_percent=101)


def test_registration_key_stage_and_ehcp_agree():
    base = dict(pupil_ref=uuid4(), record_id=uuid4(), home_school_id="h", display_name="A", date_of_birth=None,
                sex="female", year_group=YearGroup.Y3, key_stage=KeyStage.KS2, has_ehcp=False,
                sen_status=SenStatus.NONE, fsm_eligible=None, ethnicity=None, looked_after=None)
    assert pupils.PupilRegistered(**base)
    with pytest.raises(ValidationError):
        pupils.PupilRegistered(**(base | {"key_stage": KeyStage.KS1}))
    with pytest.raises(ValidationError):
        pupils.PupilRegistered(**(base | {"has_ehcp": True}))


def test_events_reject_unknown_fields():
    with pytest.raises(ValidationError):
        _start(colour="red")


# ----------------------------------------------------------------------------- vocabulary as data


def test_attendance_table_covers_every_code():
    assert set(ATTENDANCE_CODES) == set(AttendanceCode)
    assert len(AttendanceCode) == 33


@pytest.mark.parametrize(("code", "category", "attended", "possible"), [
    ("/", AttendanceCategory.PRESENT, True, True),
    ("L", AttendanceCategory.PRESENT, True, True),
    ("K", AttendanceCategory.APPROVED_OFF_SITE, True, True),
    ("B", AttendanceCategory.APPROVED_OFF_SITE, True, True),
    ("D", AttendanceCategory.APPROVED_OFF_SITE, False, False),
    ("C2", AttendanceCategory.AUTHORISED_ABSENCE, False, True),
    ("E", AttendanceCategory.AUTHORISED_ABSENCE, False, True),
    ("Y7", AttendanceCategory.AUTHORISED_ABSENCE, False, False),
    ("U", AttendanceCategory.UNAUTHORISED_ABSENCE, False, True),
    ("#", AttendanceCategory.ADMINISTRATIVE, False, False),
])
def test_attendance_codes_count_as_the_regulations_say(code, category, attended, possible):
    info = ATTENDANCE_CODES[AttendanceCode(code)]
    assert (info.category, info.counts_as_attended, info.counts_as_possible) == (category, attended, possible)


def test_exclusion_reason_codes_are_the_census_list():
    assert [r.value for r in ExclusionReason] == [
        "PP", "PA", "VP", "VA", "BU", "RA", "LG", "DS", "SM", "DA", "DM", "TH", "MT", "OW", "DB", "PH", "OT"]


def test_legacy_persistent_disruption_code_maps_to_db():
    assert exclusion_reason_from_code("pd") is ExclusionReason.DISRUPTIVE_BEHAVIOUR
    assert exclusion_reason_from_code("TH") is ExclusionReason.THEFT
    with pytest.raises(ValueError):
        exclusion_reason_from_code("ZZ")


@pytest.mark.parametrize(("day", "year"), [
    (date(2024, 7, 31), "2023/24"), (date(2024, 8, 1), "2024/25"), (date(2025, 3, 1), "2024/25"),
    (date(1999, 9, 1), "1999/00"),
])
def test_academic_year_runs_from_august(day, year):
    assert academic_year_of(day) == year


def test_key_stages_of_year_groups():
    assert [key_stage_of(y) for y in (YearGroup.RECEPTION, YearGroup.Y2, YearGroup.Y6, YearGroup.Y9,
                                      YearGroup.Y11, YearGroup.Y13)] == [
        KeyStage.EYFS, KeyStage.KS1, KeyStage.KS2, KeyStage.KS3, KeyStage.KS4, KeyStage.KS5]


def test_severity_runs_from_one_to_five():
    assert [s.value for s in Severity] == [1, 2, 3, 4, 5]


def test_correction_groups_cover_every_record_class():
    from ap_contracts.events.pupil_corrections import CORRECTION_FIELD_FOR_CLASS

    assert set(CORRECTION_FIELD_FOR_CLASS) == {None, *RecordClass}
    marked = personal_fields(pupil_corrections.RecordAmended)
    for record_class, field_name in CORRECTION_FIELD_FOR_CLASS.items():
        assert marked.get(field_name) == record_class or (record_class is None and field_name not in marked)


def test_all_events_are_domain_events():
    assert all(issubclass(cls, DomainEvent) for cls in PUPIL_EVENTS)
