"""v1 events from registration to the placement decision: the pupil, the referral and its checks.

Every event of a pupil's path lives in the pupil's own stream (``pupil-<pupil_ref>``) and
subclasses :class:`PupilEvent`: it carries ``pupil_ref`` (whose data key encrypts the personal
fields) and ``record_id``, the identity of this entry in the pupil record. The incidents service
derives ``record_id`` from the command that caused the event and appends the event with the same
value as its envelope ``event_id``, so corrections name their target by either.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import (
    AlternativeToPlacement,
    BehaviourText,
    ConsultationMethod,
    EligibilityOutcome,
    Ethnicity,
    FamilyContactNote,
    IdentityText,
    KeyStage,
    OrganisationId,
    ParentView,
    Professional,
    SenHealthNote,
    SenStatus,
    Sex,
    YearGroup,
    key_stage_of,
)
from ap_contracts.personal import Personal, RecordClass
from ap_contracts.topics import INCIDENTS_EVENTS


class PupilEvent(DomainEvent):
    """Base of every event in a pupil's stream."""

    topic: ClassVar[str] = INCIDENTS_EVENTS
    pii_subject_field: ClassVar[str | None] = "pupil_ref"

    pupil_ref: UUID
    record_id: UUID = Field(description="Identity of this entry in the pupil record; equals the envelope event_id")


class PupilRegistered(PupilEvent):
    """The pupil's home school put the pupil on the platform (the start of every pupil stream)."""

    event_type: ClassVar[str] = "PupilRegistered"

    home_school_id: OrganisationId
    display_name: IdentityText
    date_of_birth: Annotated[date | None, Personal(RecordClass.PUPIL_IDENTITY)]
    sex: Sex
    year_group: YearGroup
    key_stage: KeyStage
    has_ehcp: Annotated[bool | None, Personal(RecordClass.SEN_HEALTH)]
    sen_status: Annotated[SenStatus | None, Personal(RecordClass.SEN_HEALTH)]
    fsm_eligible: Annotated[bool | None, Personal(RecordClass.PUPIL_IDENTITY)]
    # Ethnicity is special category data; it is kept with the identity class so that it is
    # erased with the pupil record rather than kept for the longer SEN retention period.
    ethnicity: Annotated[Ethnicity | None, Personal(RecordClass.PUPIL_IDENTITY)]
    looked_after: Annotated[bool | None, Personal(RecordClass.PUPIL_IDENTITY)]
    family_contact: FamilyContactNote = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.key_stage is not key_stage_of(self.year_group):
            raise ValueError(f"year group {self.year_group} is in {key_stage_of(self.year_group)}")
        if None not in (self.has_ehcp, self.sen_status) and self.has_ehcp != (self.sen_status is SenStatus.EHCP):
            raise ValueError("has_ehcp must agree with sen_status")
        return self


class PupilDetailsUpdated(PupilEvent):
    """Registration details changed (new school year, EHCP issued, moved school...); None = unchanged."""

    event_type: ClassVar[str] = "PupilDetailsUpdated"

    effective_from: date
    home_school_id: OrganisationId | None = None
    year_group: YearGroup | None = None
    key_stage: KeyStage | None = None
    sex: Sex | None = None
    has_ehcp: Annotated[bool | None, Personal(RecordClass.SEN_HEALTH)] = None
    sen_status: Annotated[SenStatus | None, Personal(RecordClass.SEN_HEALTH)] = None
    fsm_eligible: Annotated[bool | None, Personal(RecordClass.PUPIL_IDENTITY)] = None
    looked_after: Annotated[bool | None, Personal(RecordClass.PUPIL_IDENTITY)] = None
    display_name: IdentityText = None
    family_contact: FamilyContactNote = None

    @model_validator(mode="after")
    def _year_and_stage_together(self) -> Self:
        if (self.year_group is None) != (self.key_stage is None):
            raise ValueError("year_group and key_stage change together")
        if self.year_group is not None and self.key_stage is not key_stage_of(self.year_group):
            raise ValueError(f"year group {self.year_group} is in {key_stage_of(self.year_group)}")
        return self


class ReferralReceived(PupilEvent):
    """The home school referred the pupil for a behaviour provision place (graduated response)."""

    event_type: ClassVar[str] = "ReferralReceived"

    referral_id: UUID
    home_school_id: OrganisationId
    provision_id: OrganisationId
    commissioner_id: OrganisationId | None = Field(
        default=None,
        description="The body that will commission (place and pay for) a place on this referral, checked against "
                    "the register of organisations; None on referrals recorded before it was named",
    )
    received_on: date
    senco_involved: bool
    reason: BehaviourText
    support_already_tried: BehaviourText


class PupilTransferRequested(PupilEvent):
    """A move to another school was requested by the current home school or its local authority."""

    event_type: ClassVar[str] = "PupilTransferRequested"

    transfer_id: UUID
    from_school_id: OrganisationId
    to_school_id: OrganisationId
    requested_by: OrganisationId
    requested_on: date


class PupilTransferConfirmed(PupilEvent):
    """The other party (the current school or its local authority) confirmed the move: the pupil's home
    school is ``to_school_id`` from ``effective_from``."""

    event_type: ClassVar[str] = "PupilTransferConfirmed"

    transfer_id: UUID
    from_school_id: OrganisationId
    to_school_id: OrganisationId
    confirmed_by: OrganisationId
    effective_from: date


class ParentConsultationRecorded(PupilEvent):
    """The home school consulted a parent or carer about the referral (required before any placement)."""

    event_type: ClassVar[str] = "ParentConsultationRecorded"

    referral_id: UUID
    consulted_on: date
    method: ConsultationMethod
    parent_view: ParentView
    consulted_with: FamilyContactNote
    notes: BehaviourText


class SearchPolicyExplained(PupilEvent):
    """The receiving provision told the parents of its random-search policy at the referral's initial
    interview, before the learner starts (seed 002, appendix 3, point 7)."""

    event_type: ClassVar[str] = "SearchPolicyExplained"

    referral_id: UUID
    explained_on: date
    method: ConsultationMethod


class EligibilityDecided(PupilEvent):
    """The referral was judged eligible or not; an EHCP pupil is eligible only in exceptional circumstances."""

    event_type: ClassVar[str] = "EligibilityDecided"

    referral_id: UUID
    decided_on: date
    outcome: EligibilityOutcome
    pupil_has_ehcp: bool
    exceptional_circumstances: SenHealthNote = None
    rationale: BehaviourText


class MultidisciplinaryMeetingRecorded(PupilEvent):
    """Professionals met about the referral (required before a placement outside the pupil's key stage)."""

    event_type: ClassVar[str] = "MultidisciplinaryMeetingRecorded"

    referral_id: UUID
    held_on: date
    attendees: tuple[Professional, ...] = Field(min_length=2)
    considered_key_stage: KeyStage | None = Field(
        default=None, description="Provision key stage considered, when the meeting is about an out-of-key-stage place"
    )
    recommends_placement: bool
    needs_assessment: SenHealthNote


class OutOfKeyStagePlacementApproved(PupilEvent):
    """The home school head (with the governing body) decided to place the pupil outside their key stage."""

    event_type: ClassVar[str] = "OutOfKeyStagePlacementApproved"

    referral_id: UUID
    provision_key_stage: KeyStage
    approved_on: date
    governing_body_agreed: bool
    alternatives_considered: tuple[AlternativeToPlacement, ...] = Field(min_length=1)
    rationale: BehaviourText
