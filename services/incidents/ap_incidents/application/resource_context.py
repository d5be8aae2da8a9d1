"""The ``ResourceContext`` of a command or a read: the pupil and the organisations answering for it.

Object-level authorisation rests here: a command naming a placement is judged against THAT
placement's provision, home school and commissioner (not the caller's claim), a correction
against the placement of the entry it corrects, and everything else against the pupil's current
(or most recent) placement and home school. A pupil nobody registered relates to no organisation,
so the policy refuses every caller who needs a relationship.
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from ap_contracts.personal import RecordClass
from ap_incidents.application.access_view import PlacementParties, PupilAccessView
from ap_incidents.application.subject_access_release import ReleaseSubjectAccessSafeguarding
from ap_incidents.domain import commands as c
from ap_runtime.access import ResourceContext


def pupil_context(view: PupilAccessView, record_class: RecordClass | None = None) -> ResourceContext:
    """The pupil as a whole: current home school, current (or latest) placement's parties."""
    placement = view.current_placement()
    return _with_placement(
        ResourceContext(pupil_ref=view.pupil_ref, home_school_id=view.home_school_id,
                        provision_id=view.latest_referral_provision, record_class=record_class),
        placement,
    )


def _with_placement(base: ResourceContext, placement: PlacementParties | None) -> ResourceContext:
    if placement is None:
        return base
    return replace(base, provision_id=placement.provision_id, commissioner_id=placement.commissioner_id,
                   partnership_id=placement.partnership_id)


def provision_context(provision_id: str) -> ResourceContext:
    """A provision's own records (its staff register): the provision owns them."""
    return ResourceContext(provision_id=provision_id, organisation_id=provision_id)


def command_context(view: PupilAccessView, command: c.PupilCommand) -> ResourceContext:
    """What a command on a pupil's record touches, for the access policy."""
    if isinstance(command, c.RegisterPupil):
        home_school = view.home_school_id or command.home_school_id
        return ResourceContext(pupil_ref=command.pupil_ref, home_school_id=home_school)
    if isinstance(command, c.StartPlacement):
        return ResourceContext(
            pupil_ref=command.pupil_ref, home_school_id=view.home_school_id,
            provision_id=view.referral_provisions.get(command.referral_id),
            commissioner_id=command.commissioner_id, partnership_id=command.partnership_id,
        )
    base = pupil_context(view)
    if isinstance(command, ReleaseSubjectAccessSafeguarding):
        return replace(base, record_class=RecordClass.SAFEGUARDING)  # audited as a safeguarding decision
    if isinstance(command, c.ReceiveReferral):
        return replace(base, provision_id=command.provision_id)
    referral_id = getattr(command, "referral_id", None)
    if isinstance(referral_id, UUID):
        return replace(base, provision_id=view.referral_provisions.get(referral_id))
    if isinstance(command, c.PlacementCommand):
        return _with_placement(base, view.placements.get(command.placement_id))
    if isinstance(command, c.AmendRecord | c.WithdrawRecordInError):
        # The class comes from the stored target entry, so AMD-2 and the like apply (issue 9).
        target = command.target_record_id
        return replace(_with_placement(base, view.placement_of_record(target)),
                       record_class=view.record_class_of(target))
    return base  # pupil-level commands: suspension, exclusion, details, erasure
