"""The provider self-audit (seed 000, issue 13): requested by the commissioner, rated by the provider,
moderated by the commissioner.

Rules served: every statement of the template is rated Red, Amber or Green with evidence
(``self_audit.rating_has_evidence``), below Green with an action plan (``self_audit.action_plan_below_green``);
the commissioner agrees or changes a rating, always with a reason (``self_audit.moderation_has_reason``).
Who may rate (the provider itself) and who may moderate (the commissioner of record) is the access
policy's (COM-AUDIT rules), judged against the provider and commissioner this stream records.
One stream per provider, commissioner and academic year (``self_audit_stream_id``): the toolkit expects no
provider to share its self-audit (seed 000), so a provider shares each year's audit with one commissioner
at that commissioner's request, and another commissioner's request is another audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from ap_commissioning.domain.context import CommissioningCommand, DecisionContext
from ap_commissioning.domain.self_audit_errors import (
    ActionPlanMissing,
    ModerationWithoutReason,
    NothingToModerate,
    RatingWithoutEvidence,
    SelfAuditAlreadyRequested,
    SelfAuditDueChangeWithoutReason,
    SelfAuditDueInPast,
    SelfAuditDueOutsideYear,
    SelfAuditDueTooLate,
    SelfAuditNoLongerOpen,
    SelfAuditNotRequested,
    StatementNotInTemplate,
    TemplateVersionUnknown,
)
from ap_commissioning.domain.self_audit_template import CURRENT_TEMPLATE_VERSION, TEMPLATES
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_quality import (
    RagRating,
    SelfAuditDueDateChanged,
    SelfAuditRatingModerated,
    SelfAuditRequested,
    SelfAuditStatementRated,
)
from ap_contracts.events.commissioning_vocabulary import (
    AcademicYear,
    CommissioningEvent,
    LongText,
    ShortText,
)
from ap_contracts.identifiers import OrganisationId
from ap_runtime.access.context import ResourceContext
from ap_runtime.school_days import academic_year_of


def self_audit_stream_id(provider_id: str, commissioner_id: str, academic_year: str) -> str:
    return f"self-audit-{provider_id}-{commissioner_id}-{academic_year}"


class SelfAuditCommand(CommissioningCommand):
    """The path names the provider, the commissioner it shares the audit with, and the year; the body never
    names who acts (the token does, and the policy judges it against the audit's stored parties)."""

    provider_id: OrganisationId
    commissioner_id: OrganisationId
    academic_year: AcademicYear


class RequestSelfAudit(SelfAuditCommand):
    """The commissioner (only as itself: the policy compares the path's commissioner with the caller's
    organisation) asks the provider for the year's self-audit, due on ``due_on`` if it sets one (issue 14: else
    31 August, the year's last day)."""

    template_version: ShortText = CURRENT_TEMPLATE_VERSION
    due_on: date | None = None


class ChangeSelfAuditDueDate(SelfAuditCommand):
    """The commissioner moves a requested audit's due date, saying why (issue 16 follow-up)."""

    due_on: date
    reason: LongText = ""


class RateStatement(SelfAuditCommand):
    statement_id: ShortText
    rating: RagRating
    evidence: LongText = ""
    action_plan: LongText = ""


class ModerateRating(SelfAuditCommand):
    statement_id: ShortText
    moderated_rating: RagRating
    reason: LongText = ""


@dataclass(frozen=True, slots=True)
class SelfAuditState:
    provider_id: str | None = None
    commissioner_id: str | None = None
    academic_year: str | None = None
    template_version: str | None = None
    due_on: date | None = None
    ratings: Mapping[str, RagRating] = field(default_factory=dict)
    moderated: Mapping[str, RagRating] = field(default_factory=dict)


def evolve_self_audit(state: SelfAuditState, event: DomainEvent) -> SelfAuditState:
    """Fold one self-audit event; no rule is checked here."""
    if isinstance(event, SelfAuditRequested):
        return replace(state, provider_id=event.provider_id, commissioner_id=event.commissioner_id,
                       academic_year=event.academic_year, template_version=event.template_version,
                       due_on=event.due_on)
    if isinstance(event, SelfAuditDueDateChanged):
        return replace(state, due_on=event.due_on)
    if isinstance(event, SelfAuditStatementRated):
        moderated = {k: v for k, v in state.moderated.items() if k != event.statement_id}
        return replace(state, ratings={**state.ratings, event.statement_id: event.rating}, moderated=moderated)
    if isinstance(event, SelfAuditRatingModerated):
        return replace(state, moderated={**state.moderated, event.statement_id: event.moderated_rating})
    return state


_FOLDED: tuple[type[DomainEvent], ...] = (SelfAuditRequested, SelfAuditStatementRated, SelfAuditRatingModerated,
                                          SelfAuditDueDateChanged)
SELF_AUDIT_FOLDS: frozenset[type[DomainEvent]] = frozenset(_FOLDED)


def self_audit_stream(command: SelfAuditCommand) -> str:
    return self_audit_stream_id(command.provider_id, command.commissioner_id, command.academic_year)


def self_audit_resource(command: SelfAuditCommand, state: SelfAuditState) -> ResourceContext:
    """The audit's stored provider and commissioner; before the request, the parties its path names (only a
    commissioner may request, and only as itself)."""
    if state.provider_id is not None:
        return ResourceContext(provision_id=state.provider_id, commissioner_id=state.commissioner_id)
    return ResourceContext(provision_id=command.provider_id, commissioner_id=command.commissioner_id)


def fold_self_audit(events: Iterable[DomainEvent]) -> SelfAuditState:
    state = SelfAuditState()
    for event in events:
        state = evolve_self_audit(state, event)
    return state


def request_self_audit(command: RequestSelfAudit, state: SelfAuditState,
                       context: DecisionContext) -> list[CommissioningEvent]:
    """Once per provider and year, against a known version of the template, due within that year (by default on
    its last day); the event states the due date and the template's statement count, so a reader sees the audit
    overdue or done without this service's rules or template (issue 14)."""
    if state.provider_id is not None:
        raise SelfAuditAlreadyRequested(command.provider_id, command.academic_year)
    if command.template_version not in TEMPLATES:
        raise TemplateVersionUnknown(command.template_version)
    if command.due_on is not None and academic_year_of(command.due_on) != command.academic_year:
        raise SelfAuditDueOutsideYear(command.due_on.isoformat(), command.academic_year)
    return [SelfAuditRequested(
        provider_id=command.provider_id, commissioner_id=command.commissioner_id,
        academic_year=command.academic_year, template_version=command.template_version,
        requested_by=context.user_id, due_on=command.due_on or last_day_of(command.academic_year),
        statement_count=len(TEMPLATES[command.template_version].statements))]


def change_due_date(command: ChangeSelfAuditDueDate, state: SelfAuditState,
                    context: DecisionContext) -> list[CommissioningEvent]:
    """A requested audit's new due date: not before today (``self_audit.due_not_in_past``), by the end of the next
    academic year at the latest (``self_audit.due_by_next_year_end``: an overdue audit may be extended past its
    own year's end), with a reason, and only while the audit is open: not once the provider has rated every
    statement nor once the commissioner has moderated a rating (``self_audit.due_changes_while_open``)."""
    if state.template_version is None:
        raise SelfAuditNotRequested(command.provider_id, command.academic_year)
    if state.moderated or len(state.ratings) >= len(TEMPLATES[state.template_version].statements):
        why = "moderated" if state.moderated else "submitted (every statement rated)"
        raise SelfAuditNoLongerOpen(command.provider_id, command.academic_year, why)
    latest = last_day_of(command.academic_year).replace(year=int(command.academic_year[:4]) + 2)
    if command.due_on > latest:
        raise SelfAuditDueTooLate(command.due_on.isoformat(), latest.isoformat(), command.academic_year)
    if command.due_on < context.today:
        raise SelfAuditDueInPast(command.due_on.isoformat(), context.today.isoformat())
    if not command.reason.strip():
        raise SelfAuditDueChangeWithoutReason()
    return [SelfAuditDueDateChanged(
        provider_id=command.provider_id, commissioner_id=command.commissioner_id,
        academic_year=command.academic_year, previous_due_on=state.due_on, due_on=command.due_on,
        reason=command.reason, changed_by=context.user_id)]


def last_day_of(academic_year: str) -> date:
    """31 August, the last day of ``academic_year`` (``2026-27`` ends on 31 August 2027): an audit's due date
    when its commissioner sets none (issue 14)."""
    return date(int(academic_year[:4]) + 1, 8, 31)


def _requested_statement(state: SelfAuditState, provider_id: str, academic_year: str, statement_id: str) -> None:
    if state.template_version is None:
        raise SelfAuditNotRequested(provider_id, academic_year)
    if TEMPLATES[state.template_version].statement(statement_id) is None:
        raise StatementNotInTemplate(statement_id, state.template_version)


def rate_statement(command: RateStatement, state: SelfAuditState, context: DecisionContext) -> list[CommissioningEvent]:
    """A rating with its evidence; below Green, with an action plan. Rating again replaces the rating
    (and asks for moderation again)."""
    _requested_statement(state, command.provider_id, command.academic_year, command.statement_id)
    if not command.evidence.strip():
        raise RatingWithoutEvidence(command.statement_id)
    if command.rating is not RagRating.GREEN and not command.action_plan.strip():
        raise ActionPlanMissing(command.statement_id, command.rating.value)
    return [SelfAuditStatementRated(
        provider_id=command.provider_id, academic_year=command.academic_year, statement_id=command.statement_id,
        rating=command.rating, evidence=command.evidence, action_plan=command.action_plan,
        rated_by=context.user_id)]


def moderate_rating(command: ModerateRating, state: SelfAuditState,
                    context: DecisionContext) -> list[CommissioningEvent]:
    """The commissioner agrees (the same rating) or changes a provider's rating, with a reason either way."""
    _requested_statement(state, command.provider_id, command.academic_year, command.statement_id)
    provider_rating = state.ratings.get(command.statement_id)
    if provider_rating is None:
        raise NothingToModerate(command.statement_id)
    if not command.reason.strip():
        raise ModerationWithoutReason(command.statement_id)
    return [SelfAuditRatingModerated(
        provider_id=command.provider_id, academic_year=command.academic_year, statement_id=command.statement_id,
        provider_rating=provider_rating, moderated_rating=command.moderated_rating, reason=command.reason,
        moderated_by=context.user_id)]
