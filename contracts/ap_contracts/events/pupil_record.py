"""v1 day-to-day events of a placement: attendance, incidents and every response to them.

These are what the provider records (domain brief section 2, step 4) and what the behaviour log,
the weekly report and the alerts are built from. Narratives and the staff involved are personal
data of the pupil; categories, codes and counts stay in clear so reports work without them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field, StrictInt

from ap_contracts.envelope import StrictModel
from ap_contracts.events.placements import PlacementEvent
from ap_contracts.events.pupil_vocabulary import (
    Agency,
    AttendanceCode,
    BehaviourText,
    ForceReason,
    IncidentCategory,
    IncidentLocation,
    IncidentTrigger,
    ItemDisposal,
    KeyworkerFocus,
    ProhibitedItem,
    RewardKind,
    RuleVersion,
    SafeguardingCategory,
    SafeguardingText,
    SanctionType,
    SearchWitnessRole,
    SenHealthNote,
    Session,
    Severity,
    Sex,
    ShortLabel,
    StaffIds,
    StaffIdText,
)
from ap_contracts.money import Pence
from ap_contracts.personal import Personal, RecordClass

PositiveInt = Annotated[StrictInt, Field(ge=1)]
Minutes = Annotated[StrictInt, Field(ge=1, le=24 * 60)]


class AttendanceRecorded(PlacementEvent):
    """One session's attendance mark, reported by the provider on the day."""

    event_type: ClassVar[str] = "AttendanceRecorded"

    session_date: date
    session: Session
    code: AttendanceCode
    rule_version: RuleVersion = Field(description="Version of the attendance code table the code belongs to")


class IncidentRecorded(PlacementEvent):
    """A behaviour incident: what happened, how serious, where, what led to it and who was there."""

    event_type: ClassVar[str] = "IncidentRecorded"

    incident_id: UUID
    happened_at: AwareDatetime
    category: IncidentCategory
    severity: Severity
    location: IncidentLocation
    triggers: tuple[IncidentTrigger, ...] = Field(min_length=1)
    antecedents: BehaviourText
    description: BehaviourText
    staff_involved: StaffIds


class SanctionApplied(PlacementEvent):
    """A sanction was applied, usually in answer to a recorded incident."""

    event_type: ClassVar[str] = "SanctionApplied"

    incident_id: UUID | None
    applied_on: date
    sanction: SanctionType
    notes: BehaviourText


class RewardGranted(PlacementEvent):
    """The pupil earned a reward: reward slips for a session, points, a certificate, a call home."""

    event_type: ClassVar[str] = "RewardGranted"

    granted_on: date
    kind: RewardKind
    quantity: PositiveInt
    reason: BehaviourText


class RewardRedeemed(PlacementEvent):
    """Reward slips were traded for an item (tuck shop or a saved-for item up to the configured maximum)."""

    event_type: ClassVar[str] = "RewardRedeemed"

    redeemed_on: date
    item: ShortLabel
    cost_pence: Pence
    slips_spent: PositiveInt
    rule_version: RuleVersion


class KeyworkerSessionHeld(PlacementEvent):
    """A keyworker met the pupil (reflection, anger awareness, targets, reintegration planning...)."""

    event_type: ClassVar[str] = "KeyworkerSessionHeld"

    held_on: date
    focus: KeyworkerFocus
    duration_minutes: Minutes
    keyworker: StaffIdText
    notes: BehaviourText


class PhysicalInterventionRecorded(PlacementEvent):
    """Reasonable force was used, as a last resort, by staff the provision's register shows as trained."""

    event_type: ClassVar[str] = "PhysicalInterventionRecorded"

    incident_id: UUID
    started_at: AwareDatetime
    duration_minutes: Minutes
    reason: ForceReason
    staff_involved: StaffIds
    staff_training_verified: bool = Field(
        description="Every member of staff was checked against the provision's training register"
    )
    injury_occurred: bool
    injury_details: BehaviourText
    description: BehaviourText
    parents_informed: bool
    rule_version: RuleVersion


class FoundItem(StrictModel):
    """One prohibited item found in a search and what was done with it."""

    item: ProhibitedItem
    quantity: PositiveInt = 1
    disposal: ItemDisposal


class SearchConducted(PlacementEvent):
    """A search for prohibited items, with its safeguards and what was found."""

    event_type: ClassVar[str] = "SearchConducted"

    incident_id: UUID | None
    searched_at: AwareDatetime
    searched_for: tuple[ProhibitedItem, ...] = Field(min_length=1)
    grounds: BehaviourText
    searcher: StaffIdText
    searcher_sex: Sex
    learner_sex: Sex
    witness: StaffIdText
    # A named adult with a role, when the witness was not on the provision's staff register.
    witness_adult_name: Annotated[
        str | None, Personal(RecordClass.BEHAVIOUR),
        Field(default=None, max_length=200, description="Name of an adult from outside the staff who witnessed"),
    ] = None
    witness_adult_role: SearchWitnessRole | None = None
    witness_present: bool
    serious_harm_exception: bool
    exception_reason: BehaviourText
    items_found: tuple[FoundItem, ...] = ()
    parents_informed: bool
    rule_version: RuleVersion


class SafeguardingConcernRaised(PlacementEvent):
    """A member of staff raised a safeguarding concern with the designated safeguarding lead."""

    event_type: ClassVar[str] = "SafeguardingConcernRaised"

    concern_id: UUID
    raised_at: AwareDatetime
    category: SafeguardingCategory
    immediate_risk: bool
    referred_to_dsl: bool
    raised_by: Annotated[
        str | None, Personal(RecordClass.SAFEGUARDING), Field(max_length=200, description="Staff id of who raised it")
    ]
    concern: SafeguardingText
    action_taken: SafeguardingText


class BehaviourContractAgreed(PlacementEvent):
    """A behaviour contract was agreed with the pupil (and, ideally, the parent or carer)."""

    event_type: ClassVar[str] = "BehaviourContractAgreed"

    agreed_on: date
    review_date: date
    parent_involved: bool
    targets: BehaviourText


class ExternalAgencyReferralMade(PlacementEvent):
    """The pupil was referred to an external agency (CAMHS, educational psychology, social care...)."""

    event_type: ClassVar[str] = "ExternalAgencyReferralMade"

    referred_on: date
    agency: Agency
    parent_permission: bool
    reason: SenHealthNote
