"""Subject access export: the pupil's own data in JSON and HTML, other people's data withheld."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.base import DomainEvent
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.privacy.subject_access import (
    WITHHELD,
    EventOfAnotherPupil,
    RedactionPolicy,
    build_subject_access_document,
    render_subject_access_html,
)
from ap_testing.privacy import ProbeNoteRecorded

T0 = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
GENERATED = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)


def envelope(event: DomainEvent, payload: dict[str, Any], occurred_at: datetime, version: int) -> dict[str, Any]:
    subject = event.pii_subject()
    return EventEnvelope(
        event_type=event.event_type,
        schema_version=event.schema_version,
        stream_id=f"pupil-{subject}",
        stream_version=version,
        occurred_at=occurred_at,
        actor=Actor(user_id="teacher-4411", organisation_id="school-hillcrest", roles=("teacher",)),
        organisation_id="school-hillcrest",
        correlation_id=uuid4(),
        pii_subject=subject,
        payload=payload,
    ).model_dump(mode="json")


def probe(pupil: UUID, narrative: str) -> ProbeNoteRecorded:
    return ProbeNoteRecorded(
        pupil_ref=pupil,
        narrative=narrative,
        preferred_name="Quillon",
        family_contacts=["Grandparent on 07700 900123"],
        staff_involved=["staff-17"],
        witness_user_ids=["user-witness-9"],
        severity=2,
    )


def events_for(pupil: UUID) -> list[dict[str, Any]]:
    later = probe(pupil, "Second note <script>alert(1)</script>")
    first = probe(pupil, "First note: refused to hand in phone")
    erased = {**probe(pupil, "x").model_dump(mode="json"), "narrative": None, "preferred_name": None,
              "family_contacts": None, "_erased": True}
    return [
        envelope(later, later.model_dump(mode="json"), T0 + timedelta(days=2), 2),
        envelope(first, first.model_dump(mode="json"), T0, 1),
        envelope(first, erased, T0 + timedelta(days=5), 3),
    ]


def test_document_keeps_the_pupils_data_and_withholds_other_peoples() -> None:
    pupil = uuid4()
    doc = build_subject_access_document(pupil, events_for(pupil), generated_at=GENERATED)
    json.dumps(doc)  # machine-readable as it stands
    assert doc["format"] == "ap-subject-access/1" and doc["pupil_ref"] == str(pupil)
    assert doc["record_count"] == 3
    first, second, third = doc["records"]
    assert first["data"]["narrative"].startswith("First note")  # ordered by when it happened
    assert second["data"]["narrative"].startswith("Second note")
    assert first["data"]["preferred_name"] == "Quillon" and first["data"]["pupil_ref"] == str(pupil)
    assert first["data"]["severity"] == 2
    for record in doc["records"]:
        assert record["data"]["family_contacts"] == WITHHELD  # record class FAMILY_CONTACT
        assert record["data"]["staff_involved"] == WITHHELD  # named field
        assert record["data"]["witness_user_ids"] == WITHHELD  # *_user_ids convention
        assert record["recorded_by"] == {"user_id": WITHHELD, "organisation_id": "school-hillcrest",
                                         "roles": ["teacher"]}
        assert set(record["withheld_fields"]) == {"family_contacts", "staff_involved", "witness_user_ids",
                                                  "actor.user_id"}
    assert third["personal_data_erased"] is True and third["data"]["narrative"] is None
    assert "_erased" not in third["data"]
    text = json.dumps(doc)
    for secret in ("07700 900123", "staff-17", "user-witness-9", "teacher-4411"):
        assert secret not in text


def test_html_is_readable_escaped_and_withholds_the_same() -> None:
    pupil = uuid4()
    html = render_subject_access_html(build_subject_access_document(pupil, events_for(pupil), generated_at=GENERATED))
    assert "First note: refused to hand in phone" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Privacy probe note recorded" in html and "Family contacts" in html
    assert WITHHELD in html and "Erased" in html
    for secret in ("07700 900123", "staff-17", "user-witness-9", "teacher-4411"):
        assert secret not in html


def test_an_event_about_another_pupil_is_refused() -> None:
    pupil = uuid4()
    mixed = events_for(pupil) + events_for(uuid4())[:1]
    with pytest.raises(EventOfAnotherPupil):
        build_subject_access_document(pupil, mixed, generated_at=GENERATED)


def test_the_redaction_list_is_data() -> None:
    policy = RedactionPolicy.load()
    assert policy.withholds("other_pupils", None) and policy.withholds("searched_by_user_id", None)
    assert not policy.withholds("pupil_ref", None) and not policy.withholds("narrative", None)
    lenient = policy.model_copy(update={"payload_fields": frozenset(), "envelope_fields": frozenset()})
    pupil = uuid4()
    doc = build_subject_access_document(pupil, events_for(pupil), generated_at=GENERATED, policy=lenient)
    assert doc["records"][0]["data"]["staff_involved"] == ["staff-17"]
    assert doc["records"][0]["recorded_by"]["user_id"] == "teacher-4411"


@pytest.mark.integration
async def test_export_from_sealed_events_read_back_through_the_codec(keystore: KeyStore) -> None:
    codec = PersonalDataCodec(keystore)
    pupil = uuid4()
    event = probe(pupil, "Sealed then revealed for the request")
    sealed = await codec.seal(event)
    revealed = await codec.reveal(event.event_type, 1, sealed, str(pupil))
    doc = build_subject_access_document(pupil, [envelope(event, revealed, T0, 1)], generated_at=GENERATED)
    assert doc["records"][0]["data"]["narrative"] == "Sealed then revealed for the request"
