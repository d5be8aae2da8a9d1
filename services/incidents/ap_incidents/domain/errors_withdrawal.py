"""Refusals of withdrawing a place (exclusion) and of correcting or withdrawing an entry.

Moved from ``errors.py`` (issue 10, size), which re-exports them; each names the rule it protects.
"""

from __future__ import annotations

from ap_incidents.domain.errors_base import ConflictsWithRecord, InvalidCommand

# ----------------------------------------------------------------------------- withdrawal of a place, exclusion


class ExclusionProposalPending(ConflictsWithRecord):
    rule_id = "exclusion.one_open_proposal"


class ExclusionProposalUnknown(InvalidCommand):
    rule_id = "exclusion.proposal_exists"


class ProposalAlreadyDecided(ConflictsWithRecord):
    rule_id = "exclusion.decided_once"


class ProposalIdInUse(ConflictsWithRecord):
    rule_id = "exclusion.proposal_unique"


class SafetyArrangementsRequired(InvalidCommand):
    rule_id = "exclusion.safety_arrangements_first"


class CommissionerDecisionRequired(ConflictsWithRecord):
    rule_id = "placement.withdrawal_needs_commissioner"


class PermanentExclusionRequired(ConflictsWithRecord):
    rule_id = "placement.end_by_exclusion_needs_exclusion"


class SuspensionCapExceeded(ConflictsWithRecord):
    rule_id = "suspension.cap_per_academic_year"


class PupilPermanentlyExcluded(ConflictsWithRecord):
    rule_id = "exclusion.pupil_off_roll"


class ExclusionUnknown(InvalidCommand):
    rule_id = "reinstatement.exclusion_exists"


# ----------------------------------------------------------------------------- corrections


class CorrectionTargetUnknown(InvalidCommand):
    rule_id = "correction.target_exists"


class RecordAlreadyWithdrawn(ConflictsWithRecord):
    rule_id = "correction.target_not_withdrawn"


class RecordNotCorrectable(ConflictsWithRecord):
    rule_id = "correction.target_correctable"


class FieldNotAmendable(InvalidCommand):
    rule_id = "correction.amendable_fields"


class CorrectionValueInvalid(InvalidCommand):
    rule_id = "correction.valid_values"


class NothingToAmend(InvalidCommand):
    rule_id = "correction.changes_something"


class WithdrawalWouldOverdrawSlips(ConflictsWithRecord):
    rule_id = "reward.slips_never_negative"
