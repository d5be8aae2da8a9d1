"""The DPO's release of a pupil's safeguarding records for subject access, recorded as an event.

Rule served: safeguarding records are held back from the subject access export (to the pupil or a
parent) until a data protection officer of an organisation responsible for the pupil has reviewed
them with the DSL for the serious-harm exemption (DPA 2018 Sch. 3 Part 2) and releases them (policy
DP-SAR-REL-*, stating why). The release covers the entries recorded up to it, a version stamped from
the stored stream here, never given by the caller; a concern recorded later is held back again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import SubjectAccessSafeguardingReleased
from ap_incidents.domain.commands import PupilCommand
from ap_incidents.domain.errors import ConflictsWithRecord, PupilNotRegistered, PupilRecordErased
from ap_incidents.domain.state import PupilRecord

RequestReference = Annotated[str, Field(min_length=1, max_length=200,
                                        description="The subject access request's reference; never personal data")]


class ReleaseSubjectAccessSafeguarding(PupilCommand):
    """Release the safeguarding records recorded so far for the pupil's subject access response."""

    release_id: UUID = Field(description="Chosen by the client; a retry with the same id releases once")
    request_reference: RequestReference


class ReleaseIdInUse(ConflictsWithRecord):
    """A release id names one release: reusing it for another request is refused."""

    rule: ClassVar[str] = "privacy.sar_release_id_unique"


def released_through(history: Iterable[DomainEvent]) -> int | None:
    """The last stream version released for subject access, or None when nothing was released."""
    versions = [e.released_through_version for e in history if isinstance(e, SubjectAccessSafeguardingReleased)]
    return max(versions) if versions else None


def decide_release(command: ReleaseSubjectAccessSafeguarding, state: PupilRecord,
                   history: Sequence[DomainEvent]) -> list[SubjectAccessSafeguardingReleased]:
    """One release covering the stream as stored now; nothing when the same release is asked again."""
    if not state.registered:
        raise PupilNotRegistered(f"pupil {command.pupil_ref} is not registered")
    earlier = next((e for e in history if isinstance(e, SubjectAccessSafeguardingReleased)
                    and e.release_id == command.release_id), None)
    if earlier is not None:
        if earlier.request_reference == command.request_reference:
            return []
        raise ReleaseIdInUse(f"release {command.release_id} was made for another request; choose a new id")
    if state.erased:
        raise PupilRecordErased("the pupil's personal data is erased: there is nothing left to release")
    return [SubjectAccessSafeguardingReleased(
        pupil_ref=command.pupil_ref, release_id=command.release_id, request_reference=command.request_reference,
        released_through_version=len(history),
    )]
