"""Retention facts read from a pupil's stream (pure): date of birth as corrected, placements as ended or
amended, record classes actually held, last record, legal holds in force, outcomes already recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from ap_contracts.personal import RecordClass
from ap_incidents.application.retention_facts import needs_reveal, retention_view
from ap_runtime.privacy.codec import ERASED_FLAG

PUPIL = uuid4()
SEALED = "pd1:c2VhbGVk"


@dataclass(frozen=True)
class Row:
    event_type: str
    payload: dict[str, Any]
    occurred_at: datetime = datetime(2025, 3, 10, 9, tzinfo=UTC)
    event_id: UUID = field(default_factory=uuid4)
    schema_version: int = 1


def registered(**kw: Any) -> Row:
    payload = {"pupil_ref": str(PUPIL), "record_id": str(uuid4()), "home_school_id": "school-1",
               "display_name": SEALED, "date_of_birth": SEALED, "sex": "female", "year_group": "Y4",
               "key_stage": "KS2", "has_ehcp": None, "sen_status": SEALED, "fsm_eligible": None, "ethnicity": None,
               "looked_after": None, "family_contact": None} | kw
    return Row("PupilRegistered", payload, datetime(2025, 1, 6, 9, tzinfo=UTC))


def started(placement: UUID) -> Row:
    return Row("PlacementStarted", {"pupil_ref": str(PUPIL), "placement_id": str(placement)})


def ended(placement: UUID, on: date) -> Row:
    return Row("PlacementEnded", {"pupil_ref": str(PUPIL), "placement_id": str(placement),
                                  "end_date": on.isoformat(), "summary": SEALED},
               datetime(on.year, on.month, on.day, 15, tzinfo=UTC))


def incident(on: datetime) -> Row:
    return Row("IncidentRecorded", {"pupil_ref": str(PUPIL), "description": SEALED, "antecedents": None}, on)


def amended(target: Row, event_type: str, **kw: Any) -> Row:
    return Row("RecordAmended", {"pupil_ref": str(PUPIL), "target_record_id": str(target.event_id),
                                 "target_event_type": event_type, "explanation": SEALED,
                                 "corrected_values": {}, "corrected_identity": None} | kw)


def test_the_date_of_birth_comes_from_the_registration_as_corrected() -> None:
    registration = registered()
    correction = amended(registration, "PupilRegistered", corrected_identity=SEALED)
    rows = [registration, correction]
    assert [needs_reveal(r) for r in rows] == [True, True]
    assert not needs_reveal(incident(datetime(2025, 3, 1, tzinfo=UTC)))
    revealed = {registration.event_id: {"date_of_birth": "2012-02-29"},
                correction.event_id: {"corrected_identity": {"date_of_birth": "2012-03-01"}}}
    assert retention_view(PUPIL, rows, revealed).facts.date_of_birth == date(2012, 3, 1)
    assert retention_view(PUPIL, rows[:1], revealed).facts.date_of_birth == date(2012, 2, 29)


def test_placements_ended_amended_ongoing_and_withdrawn() -> None:
    first, second, mistaken = uuid4(), uuid4(), uuid4()
    ending = ended(first, date(2025, 3, 14))
    wrong_start = started(mistaken)
    rows = [registered(), started(first), ending, amended(ending, "PlacementEnded",
                                                           corrected_values={"end_date": "2025-03-21"}),
            wrong_start, Row("RecordWithdrawnInError", {"pupil_ref": str(PUPIL),
                                                        "target_record_id": str(wrong_start.event_id),
                                                        "explanation": SEALED}),
            started(second)]
    facts = retention_view(PUPIL, rows, {}).facts
    assert facts.placement_end_dates == (date(2025, 3, 21),) and facts.placement_ongoing
    facts = retention_view(PUPIL, [*rows, ended(second, date(2025, 6, 1))], {}).facts
    assert sorted(facts.placement_end_dates) == [date(2025, 3, 21), date(2025, 6, 1)]
    assert not facts.placement_ongoing


def test_classes_held_are_the_personal_fields_holding_a_value() -> None:
    facts = retention_view(PUPIL, [registered(), incident(datetime(2025, 3, 1, tzinfo=UTC))], {}).facts
    assert facts.record_classes_held == {RecordClass.PUPIL_IDENTITY, RecordClass.SEN_HEALTH, RecordClass.BEHAVIOUR}
    with_contact = retention_view(PUPIL, [registered(family_contact=SEALED)], {}).facts
    assert RecordClass.FAMILY_CONTACT in with_contact.record_classes_held


def test_the_last_record_is_the_latest_pupil_entry_not_privacy_bookkeeping() -> None:
    rows = [registered(), incident(datetime(2025, 5, 2, 10, tzinfo=UTC)),
            Row("RetentionDecisionRecorded", {"pupil_ref": str(PUPIL), "record_class": "behaviour",
                                              "decision": "kept_review"}, datetime(2031, 1, 1, tzinfo=UTC))]
    facts = retention_view(PUPIL, rows, {}).facts
    assert facts.last_record_on == date(2025, 5, 2)
    assert facts.last_recorded == {RecordClass.BEHAVIOUR: "kept_review"}


def test_legal_holds_in_force_and_erasure_state() -> None:
    held, lifted = uuid4(), uuid4()

    def hold(kind: str, hold_id: UUID) -> Row:
        return Row(kind, {"pupil_ref": str(PUPIL), "hold_id": str(hold_id), "authority_reference": "Inquiry 1"})

    registration = registered()
    rows = [registration, hold("LegalHoldPlaced", held), hold("LegalHoldPlaced", lifted),
            hold("LegalHoldLifted", lifted)]
    view = retention_view(PUPIL, rows, {registration.event_id: {"date_of_birth": "2010-01-01"}})
    assert view.facts.legal_hold_ids == {held}
    assert view.registered and not view.erased and not view.key_destroyed and not view.finished
    erased = [*rows, Row("PupilDataErased", {"pupil_ref": str(PUPIL), "reason": "retention_expired",
                                             "legal_basis": "x", "requested_by": "retention_schedule"})]
    gone = retention_view(PUPIL, erased, {registration.event_id: {"date_of_birth": None, ERASED_FLAG: True}})
    assert gone.erased and gone.key_destroyed and gone.finished and gone.facts.date_of_birth is None
