"""v1 events of personal-data protection: erasure, retention, legal holds, break-glass access,
safeguarding file transfer.

None of these events carries a personal field: they must stay readable after the pupil's data key
is destroyed, because they are the record that the erasure happened and why (UK GDPR Art. 5(2)
accountability). Free-text fields here hold references and rule explanations, never narrative
about a child.

``BreakGlassAccessUsed`` is appended by the incidents service to the pupil's access stream
(``access-<pupil_ref>``, apart from the pupil record: reading never writes to the record) and tells
the notifications service to alert the DSLs responsible for the pupil.

Topics: ``PupilDataErased`` is appended to the pupil's own stream by the incidents service and so
travels on ``INCIDENTS_EVENTS``, where every projection that holds pupil data already listens; it
can be declared only once in the registry (one class per event type and version), so it is not
also published on ``PRIVACY_EVENTS``. Everything else is privacy's own and travels on
``PRIVACY_EVENTS``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.personal import RecordClass
from ap_contracts.topics import INCIDENTS_EVENTS, PRIVACY_EVENTS


class ErasureReason(StrEnum):
    """Why a pupil's personal data was crypto-shredded."""

    RETENTION_EXPIRED = "retention_expired"
    ERASURE_REQUEST_UPHELD = "erasure_request_upheld"
    RECORDED_IN_ERROR = "recorded_in_error"
    COURT_ORDER = "court_order"


class ErasureRequester(StrEnum):
    """Who asked for the erasure (the envelope's actor says which user recorded it)."""

    DATA_SUBJECT = "data_subject"
    PARENT_OR_CARER = "parent_or_carer"
    DATA_PROTECTION_OFFICER = "data_protection_officer"
    RETENTION_SCHEDULE = "retention_schedule"
    COURT = "court"


class RetentionOutcome(StrEnum):
    """What a retention run did with one record class of one pupil whose retention period ended."""

    SHREDDED = "shredded"
    KEPT_LEGAL_HOLD = "kept_legal_hold"
    KEPT_REVIEW = "kept_review"


class AccessPurposeCategory(StrEnum):
    """Why an emergency (break-glass) read was made, as a category the DSL is told.

    The caller states a purpose in free text (``X-Access-Purpose``); it may name people or describe
    the child's situation, so it stays in the access audit database, which only a data protection
    officer reads. A caller may begin the purpose with one of these values and a colon
    (``immediate_risk: ...``); the category is what leaves the audit, ``uncategorised`` otherwise.
    """

    IMMEDIATE_RISK = "immediate_risk"
    MISSING_CHILD = "missing_child"
    CHILD_PROTECTION_ENQUIRY = "child_protection_enquiry"
    POLICE_OR_COURT_REQUEST = "police_or_court_request"
    MEDICAL_EMERGENCY = "medical_emergency"
    UNCATEGORISED = "uncategorised"


class _PupilEvent(DomainEvent):
    pii_subject_field: ClassVar[str | None] = "pupil_ref"

    pupil_ref: UUID


class PupilDataErased(_PupilEvent):
    """The pupil's data key was destroyed: every personal field in their events now reads as None.

    Projections answer it by deleting or blanking what they hold about the pupil.
    """

    event_type: ClassVar[str] = "PupilDataErased"
    topic: ClassVar[str] = INCIDENTS_EVENTS

    reason: ErasureReason
    legal_basis: str = Field(
        min_length=1, max_length=200, description="Citation, e.g. 'UK GDPR Art. 17(1)(a)'; never personal data"
    )
    requested_by: ErasureRequester


class RetentionDecisionRecorded(_PupilEvent):
    """A retention run reached a decision on one record class of one pupil whose period had ended."""

    event_type: ClassVar[str] = "RetentionDecisionRecorded"
    topic: ClassVar[str] = PRIVACY_EVENTS

    record_class: RecordClass
    decision: RetentionOutcome
    policy_rule_id: str = Field(min_length=1, max_length=120)
    policy_version: str = Field(min_length=1, max_length=60)
    due_date: date
    decided_on: date
    explanation: str = Field(min_length=1, max_length=500, description="Generated from the policy; no personal data")


class LegalHoldPlaced(_PupilEvent):
    """A legal hold (for example a public inquiry's) stops every retention expiry for the pupil."""

    event_type: ClassVar[str] = "LegalHoldPlaced"
    topic: ClassVar[str] = PRIVACY_EVENTS

    hold_id: UUID
    authority_reference: str = Field(
        min_length=1, max_length=200, description="Inquiry or case reference; never personal data"
    )


class LegalHoldLifted(_PupilEvent):
    event_type: ClassVar[str] = "LegalHoldLifted"
    topic: ClassVar[str] = PRIVACY_EVENTS

    hold_id: UUID
    authority_reference: str = Field(min_length=1, max_length=200)


class BreakGlassAccessUsed(_PupilEvent):
    """Someone read a pupil's safeguarding detail by break-glass (emergency) access; the DSLs are told.

    Identifiers and codes only: the free-text purpose stays in the access audit (see
    ``AccessPurposeCategory``), whose record shares this event's correlation id. The organisations
    whose designated safeguarding leads must be told are named as the access policy saw them.
    """

    event_type: ClassVar[str] = "BreakGlassAccessUsed"
    topic: ClassVar[str] = PRIVACY_EVENTS

    accessed_by_user_id: str = Field(min_length=1, max_length=200, description="Platform user id of the reader")
    accessed_by_roles: tuple[str, ...] = Field(min_length=1, description="Roles the reader's token carried")
    accessed_by_organisation_id: str = Field(min_length=1, max_length=200)
    action: str = Field(min_length=1, max_length=120,
                        description="Access action id, e.g. incidents.read_safeguarding_detail")
    policy_rule_id: str = Field(min_length=1, max_length=120, description="The break-glass rule that allowed it")
    purpose_category: AccessPurposeCategory
    record_class: RecordClass = Field(description="Class of personal data the emergency read exposed")
    accessed_at: AwareDatetime
    provision_id: str | None = Field(default=None, min_length=1, max_length=200,
                                     description="The pupil's provision, whose DSL is told")
    home_school_id: str | None = Field(default=None, min_length=1, max_length=200,
                                       description="The pupil's home school, whose DSL is told")


class SafeguardingFileOffered(_PupilEvent):
    """The child-protection file was sent to the new setting's DSL, apart from the pupil file (KCSIE)."""

    event_type: ClassVar[str] = "SafeguardingFileOffered"
    topic: ClassVar[str] = PRIVACY_EVENTS

    transfer_id: UUID
    from_organisation_id: str = Field(min_length=1, max_length=200)
    to_organisation_id: str = Field(min_length=1, max_length=200)
    receiving_dsl_organisation_id: str = Field(min_length=1, max_length=200)
    offered_at: AwareDatetime
    due_by: date = Field(description="Last school day for confirmed receipt (5 school days by default)")
    # Issue 13: which count produced due_by, so a deadline can be explained later. Optional: offers
    # recorded before the school-days calendar counted weekdays and carry neither.
    rule_version: str | None = Field(default=None, min_length=1, max_length=60,
                                     description="Version of the alert rule book that set the deadline")
    due_by_counted_with: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="Whose school calendar counted due_by (the receiving setting's local authority), "
                    "or 'weekdays' when none was recorded (the earlier, safe fallback)",
    )


class SafeguardingFileReceiptConfirmed(_PupilEvent):
    event_type: ClassVar[str] = "SafeguardingFileReceiptConfirmed"
    topic: ClassVar[str] = PRIVACY_EVENTS

    transfer_id: UUID
    confirmed_by_organisation_id: str = Field(min_length=1, max_length=200)
    confirmed_at: AwareDatetime


class SafeguardingFileTransferOverdue(_PupilEvent):
    """Receipt of a child-protection file was not confirmed by its due date."""

    event_type: ClassVar[str] = "SafeguardingFileTransferOverdue"
    topic: ClassVar[str] = PRIVACY_EVENTS

    transfer_id: UUID
    due_by: date
    detected_on: date


class MasterKeyRotated(DomainEvent):
    """Every live pupil data key is now wrapped with ``new_master_key_id``; no pupil data here."""

    event_type: ClassVar[str] = "MasterKeyRotated"
    topic: ClassVar[str] = PRIVACY_EVENTS

    new_master_key_id: str = Field(min_length=1, max_length=64)
    retired_master_key_ids: tuple[str, ...]
    keys_rewrapped: int = Field(ge=0)


class SubjectAccessSafeguardingReleased(_PupilEvent):
    """A data protection officer released the pupil's safeguarding records for subject access.

    Safeguarding records (concerns and every correction of one) are held back from the pupil's and
    parents' subject access export until a DPO of an organisation responsible for the pupil has
    reviewed them, with the DSL, for the serious-harm exemption (DPA 2018 Sch. 3 Part 2) and
    releases them. The release covers the entries recorded up to ``released_through_version`` of
    the pupil's stream, stamped from the stored stream when the release was decided: a concern
    recorded later is held back again until another release.
    """

    event_type: ClassVar[str] = "SubjectAccessSafeguardingReleased"
    topic: ClassVar[str] = PRIVACY_EVENTS

    release_id: UUID
    request_reference: str = Field(
        min_length=1, max_length=200, description="The subject access request's reference; never personal data"
    )
    released_through_version: int = Field(ge=0, description="Last stream version of the pupil's record released")
