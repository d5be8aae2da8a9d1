"""v1 correction events: a pupil record is append-only, so mistakes are corrected by new entries.

``RecordAmended`` replaces some field values of an earlier entry; ``RecordWithdrawnInError``
says an entry should never have been made (it stays in the stream, and projections hide it).
Both name their target by ``record_id`` (equal to the target's envelope ``event_id``).

Corrected values are grouped by the record class of the field they replace, because a
personal field may carry only one class: a corrected safeguarding narrative is encrypted and
retained as safeguarding data, a corrected severity stays in clear. Readers merge the groups.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, JsonValue

from ap_contracts.events.pupil_vocabulary import BehaviourText
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.personal import Personal, RecordClass

EventTypeName = Annotated[str, Field(min_length=1, max_length=120)]
Values = dict[str, JsonValue]


class CorrectionReason(StrEnum):
    TYPING_ERROR = "typing_error"
    WRONG_VALUE = "wrong_value"
    LATER_INFORMATION = "later_information"
    DUPLICATE_ENTRY = "duplicate_entry"
    WRONG_PUPIL = "wrong_pupil"
    DID_NOT_HAPPEN = "did_not_happen"
    OTHER = "other"


class RecordAmended(PupilEvent):
    """Some fields of an earlier entry were corrected; fields not named keep their value."""

    event_type: ClassVar[str] = "RecordAmended"

    target_record_id: UUID
    target_event_type: EventTypeName
    reason: CorrectionReason
    explanation: BehaviourText
    corrected_values: Values = Field(default_factory=dict, description="Non-personal fields")
    corrected_behaviour: Annotated[Values | None, Personal(RecordClass.BEHAVIOUR)] = None
    corrected_exclusion: Annotated[Values | None, Personal(RecordClass.EXCLUSION)] = None
    corrected_safeguarding: Annotated[Values | None, Personal(RecordClass.SAFEGUARDING)] = None
    corrected_sen_health: Annotated[Values | None, Personal(RecordClass.SEN_HEALTH)] = None
    corrected_identity: Annotated[Values | None, Personal(RecordClass.PUPIL_IDENTITY)] = None
    corrected_family_contact: Annotated[Values | None, Personal(RecordClass.FAMILY_CONTACT)] = None


# Which RecordAmended field holds corrections of a field of each record class (None: in clear).
CORRECTION_FIELD_FOR_CLASS: dict[RecordClass | None, str] = {
    None: "corrected_values",
    RecordClass.BEHAVIOUR: "corrected_behaviour",
    RecordClass.EXCLUSION: "corrected_exclusion",
    RecordClass.SAFEGUARDING: "corrected_safeguarding",
    RecordClass.SEN_HEALTH: "corrected_sen_health",
    RecordClass.PUPIL_IDENTITY: "corrected_identity",
    RecordClass.FAMILY_CONTACT: "corrected_family_contact",
}


class RecordWithdrawnInError(PupilEvent):
    """An earlier entry was made in error; it no longer counts anywhere."""

    event_type: ClassVar[str] = "RecordWithdrawnInError"

    target_record_id: UUID
    target_event_type: EventTypeName
    reason: CorrectionReason
    explanation: BehaviourText
