"""Refusals of the provider self-audit (seed 000, issue 13), each named after its rule."""

from __future__ import annotations

from ap_commissioning.domain.errors import CommissioningRefused
from ap_runtime.refusal import RefusalKind


class SelfAuditNotRequested(CommissioningRefused):
    rule_id = "self_audit.requested"
    kind = RefusalKind.NOT_FOUND
    says = "no self-audit of {provider_id} has been requested for {academic_year}"
    provider_id: str
    academic_year: str


class SelfAuditAlreadyRequested(CommissioningRefused):
    rule_id = "self_audit.requested_once"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "the {academic_year} self-audit of {provider_id} is already requested"
    provider_id: str
    academic_year: str


class SelfAuditDueOutsideYear(CommissioningRefused):
    """Issue 14: an audit is due within the academic year it audits (1 September to 31 August)."""

    rule_id = "self_audit.due_within_year"
    kind = RefusalKind.BREAKS_RULE
    says = "due_on: {due_on} is not in the {academic_year} academic year"
    due_on: str
    academic_year: str


class SelfAuditDueInPast(CommissioningRefused):
    """A due date is moved to today or later: a day already gone would make the audit overdue at once."""

    rule_id = "self_audit.due_not_in_past"
    kind = RefusalKind.BREAKS_RULE
    says = "due_on: {due_on} is before today ({today})"
    due_on: str
    today: str


class SelfAuditDueTooLate(CommissioningRefused):
    """A moved due date may extend an overdue audit past its year's end, but only to the end of the next year,
    when the next year's audit is due."""

    rule_id = "self_audit.due_by_next_year_end"
    kind = RefusalKind.BREAKS_RULE
    says = "due_on: {due_on} is after {latest}, the end of the academic year after {academic_year}"
    due_on: str
    latest: str
    academic_year: str


class SelfAuditDueChangeWithoutReason(CommissioningRefused):
    rule_id = "self_audit.due_change_has_reason"
    kind = RefusalKind.BREAKS_RULE
    says = "reason: the change of the due date gives no reason"


class SelfAuditNoLongerOpen(CommissioningRefused):
    """The due date stands once the provider has rated every statement or the commissioner has moderated."""

    rule_id = "self_audit.due_changes_while_open"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "the {academic_year} self-audit of {provider_id} is {why}: its due date can no longer change"
    provider_id: str
    academic_year: str
    why: str


class TemplateVersionUnknown(CommissioningRefused):
    rule_id = "self_audit.template_known"
    kind = RefusalKind.NOT_FOUND
    says = "no self-audit template has version {version!r}"
    version: str


class StatementNotInTemplate(CommissioningRefused):
    rule_id = "self_audit.statement_in_template"
    kind = RefusalKind.NOT_FOUND
    says = "statement {statement_id!r} is not in template {version}"
    statement_id: str
    version: str


class RatingWithoutEvidence(CommissioningRefused):
    """A rating stands on its evidence (seed 000: "present evidence of self-evaluation")."""

    rule_id = "self_audit.rating_has_evidence"
    kind = RefusalKind.BREAKS_RULE
    says = "evidence: the rating of {statement_id} gives no evidence"
    statement_id: str


class ActionPlanMissing(CommissioningRefused):
    """A Red or Amber rating says what the provider will do about it."""

    rule_id = "self_audit.action_plan_below_green"
    kind = RefusalKind.BREAKS_RULE
    says = "action_plan: the {rating} rating of {statement_id} has no action plan"
    statement_id: str
    rating: str


class NothingToModerate(CommissioningRefused):
    rule_id = "self_audit.moderates_a_rating"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "statement {statement_id} has not been rated by the provider"
    statement_id: str


class ModerationWithoutReason(CommissioningRefused):
    rule_id = "self_audit.moderation_has_reason"
    kind = RefusalKind.BREAKS_RULE
    says = "reason: the moderation of {statement_id} gives no reason"
    statement_id: str
