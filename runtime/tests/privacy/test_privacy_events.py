"""Privacy event contracts: registered, routed, and free of personal fields (they outlive erasure)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

import ap_contracts.events.catalogue  # noqa: F401  (loads every contract)
from ap_contracts.events import privacy
from ap_contracts.events.base import DomainEvent, event_model
from ap_contracts.personal import PERSONAL_SCHEMA_KEY, RecordClass, personal_fields
from ap_contracts.topics import INCIDENTS_EVENTS, PRIVACY_EVENTS
from ap_runtime.privacy.codec import PersonalDataCodec

PUPIL = uuid4()
NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)

EXAMPLES: list[DomainEvent] = [
    privacy.PupilDataErased(pupil_ref=PUPIL, reason=privacy.ErasureReason.ERASURE_REQUEST_UPHELD,
                            legal_basis="UK GDPR Art. 17(1)(a)", requested_by=privacy.ErasureRequester.PARENT_OR_CARER),
    privacy.RetentionDecisionRecorded(pupil_ref=PUPIL, record_class=RecordClass.BEHAVIOUR,
                                      decision=privacy.RetentionOutcome.KEPT_REVIEW, policy_rule_id="r1",
                                      policy_version="2025.1", due_date=date(2025, 1, 1), decided_on=date(2025, 6, 2),
                                      explanation="waiting for pupil_identity"),
    privacy.LegalHoldPlaced(pupil_ref=PUPIL, hold_id=uuid4(), authority_reference="Inquiry 2025/14"),
    privacy.LegalHoldLifted(pupil_ref=PUPIL, hold_id=uuid4(), authority_reference="Inquiry 2025/14"),
    privacy.SubjectAccessSafeguardingReleased(pupil_ref=PUPIL, release_id=uuid4(), request_reference="SAR-2025-014",
                                              released_through_version=12),
    privacy.SafeguardingFileOffered(pupil_ref=PUPIL, transfer_id=uuid4(), from_organisation_id="school-a",
                                    to_organisation_id="provision-b", receiving_dsl_organisation_id="provision-b",
                                    offered_at=NOW, due_by=date(2025, 6, 9)),
    privacy.SafeguardingFileReceiptConfirmed(pupil_ref=PUPIL, transfer_id=uuid4(),
                                             confirmed_by_organisation_id="provision-b", confirmed_at=NOW),
    privacy.SafeguardingFileTransferOverdue(pupil_ref=PUPIL, transfer_id=uuid4(), due_by=date(2025, 6, 9),
                                            detected_on=date(2025, 6, 10)),
    privacy.MasterKeyRotated(new_master_key_id="mk-b", retired_master_key_ids=("mk-a",), keys_rewrapped=12),
    privacy.BreakGlassAccessUsed(pupil_ref=PUPIL, accessed_by_user_id="head-1",
                                 accessed_by_roles=("home_school_head",), accessed_by_organisation_id="school-a",
                                 action="incidents.read_safeguarding_detail", policy_rule_id="SG-BG-1",
                                 purpose_category=privacy.AccessPurposeCategory.IMMEDIATE_RISK,
                                 record_class=RecordClass.SAFEGUARDING, accessed_at=NOW, provision_id="provision-b",
                                 home_school_id="school-a"),
]


def test_every_privacy_event_is_registered_and_has_an_example() -> None:
    declared = {cls for cls in vars(privacy).values()
                if isinstance(cls, type) and issubclass(cls, DomainEvent) and "event_type" in cls.__dict__}
    assert declared == {type(e) for e in EXAMPLES}
    for cls in declared:
        assert event_model(cls.event_type, 1) is cls


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_type)
def test_no_personal_fields_so_the_record_of_erasure_survives_it(event: DomainEvent) -> None:
    assert personal_fields(type(event)) == {}
    assert PERSONAL_SCHEMA_KEY not in str(type(event).model_json_schema())


def test_erasure_travels_with_the_pupils_events_and_the_rest_on_the_privacy_topic() -> None:
    assert privacy.PupilDataErased.topic == INCIDENTS_EVENTS
    assert all(type(e).topic == PRIVACY_EVENTS for e in EXAMPLES if not isinstance(e, privacy.PupilDataErased))


def test_pupil_events_name_their_pupil_and_key_rotation_names_none() -> None:
    for event in EXAMPLES:
        expected = None if isinstance(event, privacy.MasterKeyRotated) else str(PUPIL)
        assert event.pii_subject() == expected


def test_timestamps_must_carry_a_zone() -> None:
    with pytest.raises(ValidationError):
        privacy.SafeguardingFileReceiptConfirmed(pupil_ref=PUPIL, transfer_id=uuid4(),
                                                 confirmed_by_organisation_id="x", confirmed_at=datetime(2025, 1, 1))


class NoKeysAllowed:
    """Proves the codec never asks for a key for these events (they stay readable after erasure)."""

    async def get_or_create_many(self, subjects: Collection[str]) -> Mapping[str, bytes]:
        raise AssertionError("a privacy event needed a pupil key")

    async def get_many(self, subjects: Collection[str]) -> Mapping[str, bytes | None]:
        raise AssertionError("a privacy event needed a pupil key")


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_type)
async def test_privacy_events_round_trip_through_the_codec_without_any_key(event: DomainEvent) -> None:
    codec = PersonalDataCodec(NoKeysAllowed())
    sealed = await codec.seal(event)
    assert sealed == event.model_dump(mode="json")
    assert await codec.reveal_model(event.event_type, 1, sealed, event.pii_subject()) == event
