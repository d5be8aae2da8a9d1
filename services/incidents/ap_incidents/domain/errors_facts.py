"""Refusals that rest on a stored fact: the parties named on the record, registered organisations,
transfers, and the protective rules.

Moved from ``errors.py`` (issue 10, size), which re-exports them; each names the rule it protects.
"""

from __future__ import annotations

from ap_incidents.domain.errors_base import ConflictsWithRecord, InvalidCommand, ReservedToAnotherParty

# ----------------------------------------------------------------------------- who may act, given the facts
# Who may ask (a role at an organisation standing in a relationship to the pupil) is the access policy's
# (runtime/ap_runtime/access/policy.yaml): "only the home-school head excludes" is EXC-3, "only the head
# decides out of key stage" OKS-1, "only the DSL corrects safeguarding" AMD-1, "only the commissioner
# decides a proposed withdrawal" EXC-2, "the provider's manager proposes it" EXC-1, "a local authority acts
# only for its area's pupils" PUP-2 (with PUP-1, PUP-3 to PUP-5 and REF-2 for the home school); none is
# repeated here. Nor is who records on a placement (DAY-1 to DAY-5, SG-RAISE-1/2, SG-REF-1, REV, THR, TRN, PLC:
# the provision and commissioner of the placement the command names, the pupil's home school) or who keeps a
# provision's staff register (STAFF-1): once placement.provider_records, placement.parties_only and
# staff_register.provision_keeps here.
# The refusals below need a fact of the record the policy does not see: the organisation named on THIS
# placement, proposal or entry, who requested a transfer, which party made the entry being corrected.


class OnlyHomeSchool(ReservedToAnotherParty):
    rule_id = "pupil.home_school_acts"


class TrainingNotOnRegister(InvalidCommand):
    rule_id = "staff_register.training_exists"


class NotEntitledToCorrect(ReservedToAnotherParty):
    rule_id = "correction.by_original_party"


# ----------------------------------------------------------------------------- registered organisations, transfers


class OrganisationNotRegistered(ConflictsWithRecord):
    """A fact the rule needs (a school's LA, a provision's key stages) is not on the register."""

    rule_id = "organisation.registered"


class OrganisationFactsIncomplete(InvalidCommand):
    """A registration names every fact its kind of organisation is relied on for."""

    rule_id = "organisation.registration_complete"


class CommissionerNotResponsible(ConflictsWithRecord):
    """The commissioner of a place is the home school, its local authority or a commissioning body of that LA."""

    rule_id = "referral.commissioner_responsible"


class TransferUnknown(InvalidCommand):
    rule_id = "transfer.exists"


class TransferAlreadyPending(ConflictsWithRecord):
    rule_id = "transfer.one_at_a_time"


class TransferToSameSchool(InvalidCommand):
    rule_id = "transfer.to_another_school"


class TransferConfirmedByOtherParty(ReservedToAnotherParty):
    """The party that did not request the move (the current school or its LA) confirms it."""

    rule_id = "transfer.confirmed_by_other_party"


# ----------------------------------------------------------------------------- protective rules


class PlacementBeforePrerequisite(ConflictsWithRecord):
    """A placement starts on or after the steps it depends on (referral, consultation, eligibility, meeting,
    out-of-key-stage decision): order in time, not only existence."""

    rule_id = "placement.after_its_prerequisites"


class KeyStageNotServed(ConflictsWithRecord):
    """A placement's key stage is one the provision is registered to serve."""

    rule_id = "placement.key_stage_served_by_provision"


class WitnessNotOnRegister(InvalidCommand):
    """A search witness is a member of staff on the provision's register."""

    rule_id = "search.witness_on_staff_register"


class EndReasonNeedsCommissioner(ReservedToAnotherParty):
    """The provider gives alone only the end reasons the rule book lists; the others go through the commissioner."""

    rule_id = "placement.end_reason_needs_commissioner"


class ReintegrationNotConfirmed(ConflictsWithRecord):
    """A place ends as a reintegration only once the home school confirmed it takes the pupil back."""

    rule_id = "placement.reintegration_confirmed_by_home_school"


class MeetingNotMultidisciplinary(InvalidCommand):
    """A multidisciplinary meeting brings together at least the rule book's number of different professions."""

    rule_id = "meeting.multidisciplinary"
