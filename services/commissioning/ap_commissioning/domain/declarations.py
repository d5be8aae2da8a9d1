"""Every commissioning command declared once: the command (the body and the path make it), its aggregate (the
stream it decides on, how that stream folds, whose resource it is), its decider, the access action, the events
it may emit, its route and summary.

Rule served: "a command is declared once and the rest is derived" (issue 10, STYLE.md). The HTTP routes
(``entrypoints/command_routes.py``), the handler (``application/commands.py``: which stream, which fold, the
resource the guard judges, which decider) and the action the guard checks come from ``DECLARATIONS``; the
bootstrap checks ``COMMISSIONING_ACTIONS`` against the loaded policy. To add a command: its model and decider in
its area's modules, and one line here (``DECLARATIONS`` is a plain tuple other areas append to).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ap_commissioning.domain import annual_narrative as narrative
from ap_commissioning.domain import capacity as cap
from ap_commissioning.domain import cosp, fair_access, headcounts, panels, referrals
from ap_commissioning.domain import self_audit as audit
from ap_commissioning.domain.context import CommissioningCommand, DecisionContext
from ap_commissioning.domain.panel_state import PANEL_FOLDS, fold_panel
from ap_commissioning.domain.sla import STEPS, SlaState, draft_version, fold, sign_version, sla_stream_id
from ap_commissioning.domain.sla_commands import (
    AnswerSlaReview,
    CompleteSlaReview,
    DraftSlaVersion,
    SignSlaVersion,
    SlaCommand,
)
from ap_commissioning.domain.sla_review import answer_review, complete_review
from ap_contracts.events import commissioning_narrative as cn
from ap_contracts.events import commissioning_panels as pe
from ap_contracts.events import commissioning_quality as qe
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_headcounts import PupilsOnRollRecorded
from ap_contracts.events.commissioning_sla import (
    SlaReviewAnswered,
    SlaReviewCompleted,
    SlaVersionAgreed,
    SlaVersionDrafted,
    SlaVersionSigned,
)
from ap_runtime.access.context import ResourceContext

Decider = Callable[[Any, Any, DecisionContext], Sequence[DomainEvent]]


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One kind of stream: its id for a command, its fold and the event types the fold has a step for, and the
    resource the access policy judges, built from the stored facts (``state``) where they exist and from the
    command's path before the first event."""

    name: str
    stream_of: Callable[[Any], str]
    fold: Callable[[Sequence[DomainEvent]], Any]
    folds: frozenset[type[DomainEvent]]
    resource: Callable[[Any, Any], ResourceContext]


@dataclass(frozen=True, slots=True)
class CommissioningCommandDeclaration:
    command: type[CommissioningCommand]
    aggregate: Aggregate
    decider: Decider
    action: str
    emits: tuple[type[DomainEvent], ...]
    path: str
    summary: str


def _sla_stream(command: SlaCommand) -> str:
    return sla_stream_id(command.provision_id, command.commissioner_id)


def _sla_resource(command: SlaCommand, state: SlaState) -> ResourceContext:
    """The agreement's stored parties; before its first version, the parties its path names (only the
    commissioner may draft, so a caller can open an agreement only as its own commissioner)."""
    if state.recorded:
        return ResourceContext(provision_id=state.provision_id, commissioner_id=state.commissioner_id)
    return ResourceContext(provision_id=command.provision_id, commissioner_id=command.commissioner_id)


SLA = Aggregate("sla", _sla_stream, fold, frozenset(STEPS), _sla_resource)
SLA_PATH = "/v1/slas/{provision_id}/{commissioner_id}"
SELF_AUDIT = Aggregate("self_audit", audit.self_audit_stream, audit.fold_self_audit, audit.SELF_AUDIT_FOLDS,
                       audit.self_audit_resource)
AUDIT_PATH = "/v1/self-audits/{provider_id}/{commissioner_id}/{academic_year}"
PANEL = Aggregate("panel", panels.panel_stream, fold_panel, PANEL_FOLDS, panels.panel_resource)
PANEL_PATH = "/v1/panels/{panel_id}"
CAPACITY = Aggregate("capacity", cap.capacity_stream, cap.fold_places, cap.CAPACITY_FOLDS, cap.capacity_resource)
ROLL = Aggregate("roll", headcounts.roll_stream, headcounts.fold_roll, headcounts.ROLL_FOLDS, headcounts.roll_resource)
NARRATIVE = Aggregate("narrative", narrative.narrative_stream, narrative.fold_narrative, narrative.NARRATIVE_FOLDS,
                      narrative.narrative_resource)
NARRATIVE_PATH = "/v1/annual-narratives/{partnership_id}/{academic_year}"

D = CommissioningCommandDeclaration
DECLARATIONS: tuple[CommissioningCommandDeclaration, ...] = (
    D(DraftSlaVersion, SLA, draft_version, "commissioning.draft_sla", (SlaVersionDrafted,),
      SLA_PATH + "/versions", "Draft the next version of the agreement's terms, as its commissioner"),
    D(SignSlaVersion, SLA, sign_version, "commissioning.sign_sla", (SlaVersionSigned, SlaVersionAgreed),
      SLA_PATH + "/versions/{version}/signatures",
      "Sign a version as the caller's party (both parties' signatures put it in force)"),
    D(AnswerSlaReview, SLA, answer_review, "commissioning.answer_sla_review", (SlaReviewAnswered,),
      SLA_PATH + "/reviews/{review_id}/answers",
      "Answer the annual review questionnaire for the version in force, as the caller's party"),
    D(CompleteSlaReview, SLA, complete_review, "commissioning.complete_sla_review", (SlaReviewCompleted,),
      SLA_PATH + "/reviews/{review_id}/completion",
      "Complete a review both parties answered: actions, owners and the next review date"),
    # The provider self-audit (seed 000).
    D(audit.RequestSelfAudit, SELF_AUDIT, audit.request_self_audit, "commissioning.request_self_audit",
      (qe.SelfAuditRequested,), AUDIT_PATH + "/request",
      "Ask a provider for the year's self-audit, as its commissioner"),
    D(audit.RateStatement, SELF_AUDIT, audit.rate_statement, "commissioning.rate_self_audit",
      (qe.SelfAuditStatementRated,), AUDIT_PATH + "/ratings",
      "Rate one statement Red, Amber or Green with evidence (below Green, an action plan), as the provider"),
    D(audit.ModerateRating, SELF_AUDIT, audit.moderate_rating, "commissioning.moderate_self_audit",
      (qe.SelfAuditRatingModerated,), AUDIT_PATH + "/moderations",
      "Agree or change a provider's rating, with a reason, as its commissioner"),
    D(audit.ChangeSelfAuditDueDate, SELF_AUDIT, audit.change_due_date, "commissioning.change_self_audit_due_date",
      (qe.SelfAuditDueDateChanged,), AUDIT_PATH + "/due-date",
      "Move a requested audit's due date, with a reason, as its commissioner, until it is submitted or moderated"),
    # Panels, the continuum, referrals, Fair Access and the Children Outside of School Panel (seeds 003, 004).
    D(panels.ConstitutePanel, PANEL, panels.constitute_panel, "commissioning.manage_panel", (pe.PanelConstituted,),
      PANEL_PATH + "/constitution", "Constitute a panel of the caller's local authority"),
    D(panels.AppointPanelMember, PANEL, panels.appoint_member, "commissioning.manage_panel",
      (pe.PanelMemberAppointed,), PANEL_PATH + "/members", "Appoint a member to the panel"),
    D(panels.RemovePanelMember, PANEL, panels.remove_member, "commissioning.manage_panel", (pe.PanelMemberRemoved,),
      PANEL_PATH + "/members/{user_id}/removal", "Remove a member from the panel"),
    D(panels.ListContinuumService, PANEL, panels.list_service, "commissioning.manage_panel",
      (pe.ContinuumServiceListed,), PANEL_PATH + "/continuum",
      "List a service of the area's continuum: criteria, phases, who may refer, expected wait"),
    D(panels.RecordPanelMeeting, PANEL, panels.record_meeting, "commissioning.record_panel_meeting",
      (pe.PanelMeetingHeld,), PANEL_PATH + "/meetings", "Record a meeting of the panel and who attended"),
    D(referrals.MakePanelReferral, PANEL, referrals.make_referral, "commissioning.refer_to_panel",
      (pe.PanelReferralMade,), PANEL_PATH + "/referrals", "Refer a child (pupil_ref) to a service of the continuum"),
    D(referrals.DecidePanelReferral, PANEL, referrals.decide_referral, "commissioning.decide_panel_case",
      (pe.PanelReferralDecided,), PANEL_PATH + "/referrals/{referral_id}/decision",
      "Record the panel's decision on a referral, as a member of the panel"),
    D(fair_access.OpenFairAccessCase, PANEL, fair_access.open_case, "commissioning.open_panel_case",
      (pe.FairAccessCaseOpened,), PANEL_PATH + "/fair-access-cases",
      "Open a Fair Access case for a child without a place"),
    D(fair_access.CloseFairAccessCase, PANEL, fair_access.close_case, "commissioning.decide_panel_case",
      (pe.FairAccessCaseClosed,), PANEL_PATH + "/fair-access-cases/{case_id}/closure",
      "Close a Fair Access case with a placement or a reason, as a member of the panel"),
    D(cosp.OpenOutsideSchoolCase, PANEL, cosp.open_outside_school_case, "commissioning.open_panel_case",
      (pe.OutsideSchoolCaseOpened,), PANEL_PATH + "/outside-school-cases",
      "Bring a child outside of school to the Children Outside of School Panel"),
    D(cosp.RecordOutsideSchoolOutcome, PANEL, cosp.record_outcome, "commissioning.decide_panel_case",
      (pe.OutsideSchoolOutcomeRecorded,), PANEL_PATH + "/outside-school-cases/{case_id}/outcome",
      "Record the outcome of a Children Outside of School case, as a member of the panel"),
    D(cap.RecordCommissionedPlaces, CAPACITY, cap.record_places, "commissioning.record_commissioned_places",
      (pe.CommissionedPlacesRecorded,), "/v1/capacity/{local_authority_id}/{academic_year}/places",
      "Record the places commissioned from a provider for a phase and academic year"),
    D(headcounts.RecordPupilsOnRoll, ROLL, headcounts.record_pupils_on_roll, "commissioning.record_pupils_on_roll",
      (PupilsOnRollRecorded,), "/v1/rolls/{local_authority_id}/{academic_year}/schools/{school_id}",
      "Record a school's pupils on roll in an academic year and its phase (the denominators of exclusion rates)"),
    # The annual report's narrative sections (seed 001 appendix 3; issue 15).
    D(narrative.DraftNarrativeSection, NARRATIVE, narrative.draft_section, "commissioning.draft_narrative",
      (cn.NarrativeSectionDrafted,), NARRATIVE_PATH + "/drafts",
      "Draft the next version of a narrative section of the annual report, as the Partnership lead"),
    D(narrative.ApproveNarrativeSection, NARRATIVE, narrative.approve_section, "commissioning.approve_narrative",
      (cn.NarrativeSectionApproved,), NARRATIVE_PATH + "/approvals",
      "Approve a section's latest version (never the writer of that version)"),
    D(narrative.PublishAnnualNarrative, NARRATIVE, narrative.publish_narrative, "commissioning.publish_narrative",
      (cn.AnnualNarrativePublished,), NARRATIVE_PATH + "/publication",
      "Publish the narrative once every section has an approved version; the approved texts are published"),
)

DECLARATION_BY_COMMAND = {d.command: d for d in DECLARATIONS}

READ_SLAS = "commissioning.read_slas"
READ_REVIEW_TEMPLATES = "commissioning.read_review_templates"
READ_SELF_AUDITS = "commissioning.read_self_audits"
READ_PANEL_CASES = "commissioning.read_panel_cases"
READ_FAIR_ACCESS_TABLE = "commissioning.read_fair_access_table"
READ_CAPACITY = "commissioning.read_capacity"
READ_ACTIONS = frozenset({READ_SLAS, READ_REVIEW_TEMPLATES, READ_SELF_AUDITS, READ_PANEL_CASES,
                          READ_FAIR_ACCESS_TABLE, READ_CAPACITY})

COMMISSIONING_ACTIONS = frozenset({d.action for d in DECLARATIONS}) | READ_ACTIONS
"""Every action id commissioning asks the access policy about; checked against the policy at start-up."""
