"""Refusals of withdrawing a place (exclusion) and of correcting or withdrawing an entry.

Moved from ``errors.py`` (issue 10, size), which re-exports them; each names the rule it protects.
"""

from __future__ import annotations

from ap_incidents.domain.errors_base import ConflictsWithRecord, InvalidCommand

# ----------------------------------------------------------------------------- withdrawal of a place, exclusion


class ExclusionProposalPending(ConflictsWithRecord):
    rule = "exclusion.one_open_proposal"


class ExclusionProposalUnknown(InvalidCommand):
    rule = "exclusion.proposal_exists"


class ProposalAlreadyDecided(ConflictsWithRecord):
    rule = "exclusion.decided_once"


class ProposalIdInUse(ConflictsWithRecord):
    rule = "exclusion.proposal_unique"


class SafetyArrangementsRequired(InvalidCommand):
    rule = "exclusion.safety_arrangements_first"


class CommissionerDecisionRequired(ConflictsWithRecord):
    rule = "placement.withdrawal_needs_commissioner"


class PermanentExclusionRequired(ConflictsWithRecord):
    rule = "placement.end_by_exclusion_needs_exclusion"


class SuspensionCapExceeded(ConflictsWithRecord):
    rule = "suspension.cap_per_academic_year"


class PupilPermanentlyExcluded(ConflictsWithRecord):
    rule = "exclusion.pupil_off_roll"


class ExclusionUnknown(InvalidCommand):
    rule = "reinstatement.exclusion_exists"


# ----------------------------------------------------------------------------- corrections


class CorrectionTargetUnknown(InvalidCommand):
    rule = "correction.target_exists"


class RecordAlreadyWithdrawn(ConflictsWithRecord):
    rule = "correction.target_not_withdrawn"


class RecordNotCorrectable(ConflictsWithRecord):
    rule = "correction.target_correctable"


class FieldNotAmendable(InvalidCommand):
    rule = "correction.amendable_fields"


class CorrectionValueInvalid(InvalidCommand):
    rule = "correction.valid_values"


class NothingToAmend(InvalidCommand):
    rule = "correction.changes_something"


class WithdrawalWouldOverdrawSlips(ConflictsWithRecord):
    rule = "reward.slips_never_negative"
