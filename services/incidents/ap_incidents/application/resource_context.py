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
from ap_incidents.domain import command_models as c
from ap_incidents.domain.organisations import NO_ORGANISATIONS, OrganisationDirectory
from ap_incidents.domain.themes.privacy import ReleaseSubjectAccessSafeguarding
from ap_runtime.access import ResourceContext


def pupil_context(view: PupilAccessView, record_class: RecordClass | None = None) -> ResourceContext:
    """The pupil as a whole: current home school, current (or latest) placement's parties."""
    return _pupil_with(view, view.current_placement(), record_class=record_class)


def _pupil_with(view: PupilAccessView, placement: PlacementParties | None, *, local_authority_id: str | None = None,
                record_class: RecordClass | None = None) -> ResourceContext:
    """The pupil with ``placement``'s parties (none: the latest referral's provision), built in one step: a
    command's context was built, then copied with its placement's parties, its local authority and its named
    placement's parties (three ``dataclasses.replace``, ~1% of the API's CPU a command; issue 11)."""
    if placement is None:
        return ResourceContext(pupil_ref=view.pupil_ref, home_school_id=view.home_school_id,
                               provision_id=view.latest_referral_provision, local_authority_id=local_authority_id,
                               record_class=record_class)
    return ResourceContext(pupil_ref=view.pupil_ref, home_school_id=view.home_school_id,
                           provision_id=placement.provision_id, commissioner_id=placement.commissioner_id,
                           partnership_id=placement.partnership_id, local_authority_id=local_authority_id,
                           record_class=record_class)


def _with_placement(base: ResourceContext, placement: PlacementParties | None) -> ResourceContext:
    if placement is None:
        return base
    return replace(base, provision_id=placement.provision_id, commissioner_id=placement.commissioner_id,
                   partnership_id=placement.partnership_id)


def reader_context(view: PupilAccessView, organisation_id: str) -> ResourceContext:
    """A read of the pupil's record by ``organisation_id``: judged against its own placement of the pupil
    when the current one is another's, so a former provision or commissioner still reads up to the end of
    its placement (the child-protection file goes to the new setting after a move: KCSIE) and no further
    (``PupilAccessView.readable_through``). Stored facts only: the placements in the pupil's stream."""
    base = pupil_context(view)
    if organisation_id in (base.provision_id, base.commissioner_id):
        return base
    return _with_placement(base, view.placement_of(organisation_id))


def provision_context(provision_id: str) -> ResourceContext:
    """A provision's own records (its staff register): the provision owns them."""
    return ResourceContext(provision_id=provision_id, organisation_id=provision_id)


def organisations_needed(view: PupilAccessView, command: c.PupilCommand) -> frozenset[str]:
    """Registered organisations whose facts authorise or decide ``command`` (loaded before the check)."""
    if isinstance(command, c.RegisterPupil):
        return frozenset({view.home_school_id or command.home_school_id})
    home = frozenset() if view.home_school_id is None else frozenset({view.home_school_id})
    if isinstance(command, c.UpdatePupilDetails | c.ConfirmPupilTransfer):
        return home
    if isinstance(command, c.RequestPupilTransfer):
        return home | {command.to_school_id}
    if isinstance(command, c.ReceiveReferral):
        named = frozenset() if command.commissioner_id is None else frozenset({command.commissioner_id})
        return home | named | {command.provision_id}
    if isinstance(command, c.StartPlacement | c.ApproveOutOfKeyStagePlacement):
        provision = view.referral_provisions.get(command.referral_id)
        # Issue 14: the local authority named as looking after the child is checked against the register.
        looking_after = getattr(command, "looked_after_by", None)
        named = frozenset() if looking_after is None else frozenset({looking_after})
        return (home if provision is None else home | {provision}) | named
    if isinstance(command, c.HoldReview | c.ReviewReducedTimetable):
        # Issue 13: the review intervals are read on the calendar of the provision's local authority. Only
        # the provision: the home school's facts would change the resource the policy judges.
        parties = view.placements.get(command.placement_id)
        return frozenset() if parties is None else frozenset({parties.provision_id})
    return frozenset()


def command_context(view: PupilAccessView, command: c.PupilCommand,
                    organisations: OrganisationDirectory = NO_ORGANISATIONS) -> ResourceContext:
    """What a command on a pupil's record touches, for the access policy: stored facts only (the pupil's
    stream, the register of organisations), never organisation ids from the command body (issue 9). The
    one exception is the first registration, where the school named is the one the new record is created at."""
    if isinstance(command, c.RegisterPupil):
        home_school = view.home_school_id or command.home_school_id
        return ResourceContext(pupil_ref=command.pupil_ref, home_school_id=home_school,
                               local_authority_id=organisations.local_authority_of(home_school))
    local_authority = organisations.local_authority_of(view.home_school_id)
    base = _pupil_with(view, view.current_placement(), local_authority_id=local_authority)
    if isinstance(command, ReleaseSubjectAccessSafeguarding):
        return replace(base, record_class=RecordClass.SAFEGUARDING)  # audited as a safeguarding decision
    if isinstance(command, c.StartPlacement):
        provision = view.referral_provisions.get(command.referral_id)
        registered = organisations.get(provision)
        return replace(base, provision_id=provision, commissioner_id=_referral_commissioner(view, command.referral_id,
                                                                                            organisations),
                       partnership_id=None if registered is None else registered.partnership_id)
    referral_id = getattr(command, "referral_id", None)
    if isinstance(referral_id, UUID):
        return replace(base, provision_id=view.referral_provisions.get(referral_id),
                       commissioner_id=_referral_commissioner(view, referral_id, organisations))
    if isinstance(command, c.PlacementCommand):  # the placement it names, else as the pupil as a whole
        named = view.placements.get(command.placement_id)
        return base if named is None else _pupil_with(view, named, local_authority_id=local_authority)
    if isinstance(command, c.AmendRecord | c.WithdrawRecordInError):
        # The class comes from the stored target entry, so AMD-2 and the like apply (issue 9).
        # Write access ends with the placement: an ended placement's entries are corrected by the home
        # school's parties only (the policy's AMD rules then decide), not its provision or commissioner.
        target = command.target_record_id
        placement = view.placement_of_record(target)
        if placement is not None and not placement.active:
            parties = replace(base, provision_id=None, commissioner_id=None, partnership_id=None)
        else:
            parties = _with_placement(base, placement)
        return replace(parties, record_class=view.record_class_of(target))
    return base  # pupil-level commands: referral, suspension, exclusion, details, transfers, erasure


def _referral_commissioner(view: PupilAccessView, referral_id: UUID,
                           organisations: OrganisationDirectory) -> str | None:
    """The commissioner the stored referral names; on older referrals, the home school's registered LA."""
    if referral_id not in view.referral_provisions:
        return None
    named = view.referral_commissioners.get(referral_id)
    return named or organisations.local_authority_of(view.home_school_id)
