"""Overdue work (issue 14): a piece of work past its date is alerted to its owner, and, still overdue a further
period later (rule-book data, ``overdue_manager_after_days``), to the owner's manager.

Rule served: exactly one message per (item, due date, step, recipient). An item's due date is set by an event
(the placement's start or a review naming the next one; a Fair Access case's opening); that event is the owner's
alert's cause, and the manager's alert's cause is derived from it, so the notification id
(``notification_id_for``) is the same on every run of the periodic check, and a new due date (a new setting
event) starts again from step 1.

Owners and managers, organisation-wise (STATUTORY.md):
- placement reviews and reduced-timetable reviews: the commissioner stays responsible for the placement and
  reviews it at least half-termly, and reviews a reduced timetable it agreed; the owner's manager is the local
  authority of the pupil's home school, which oversees every AP placement in its area. The reduced-timetable
  owner's alert is the same notification as ``reduced_timetable_past_review`` (same rule, cause and recipient),
  which the alert worker sends when an event of the placement arrives after the date: the check and the worker
  together send it once.
- Fair Access cases (a school place offered within 20 school days; ``fair_access_school_days``): the local
  authority whose panel holds the case owns it, and its manager is told under a rule of its own. The school days
  are the panel's LA's (``ap_runtime.school_days``: its half terms, INSET days, bank holidays, as recorded through
  the incidents API); where the LA recorded no calendar for the year they are weekdays, never later
  (``domain/school_days.py``). Recipients
  are organisations, so both steps reach the LA; the step's rule says which (A2's chains route by role).
- provider self-audits (seed 000): the provision rates its own practice, so it owns the audit; the commissioner
  that requested it is its manager (``domain/self_audit_due.py`` says when one is due and when it is done).
  No pupil: an audit is between two organisations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID, uuid5

from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.placement_terms import PlacementTerms
from ap_notifications.domain.rulebook import AlertRuleBook
from ap_notifications.domain.rules import PLACEMENT_LINK, REDUCED_TIMETABLE_RULE, days_late


class OverdueKind(StrEnum):
    PLACEMENT_REVIEW = "placement_review"
    REDUCED_TIMETABLE_REVIEW = "reduced_timetable_review"
    FAIR_ACCESS_CASE = "fair_access_case"
    SELF_AUDIT = "self_audit"


@dataclass(frozen=True, slots=True)
class OverdueRule:
    """Who owns a kind of work, who manages the owner, the rules (and templates) of each step, what is late."""

    owner_rule: str
    owner: Audience
    manager_rule: str
    manager: Audience
    link: str
    metric: str


OVERDUE_RULES: Mapping[OverdueKind, OverdueRule] = MappingProxyType({
    OverdueKind.PLACEMENT_REVIEW: OverdueRule(
        "placement_review_overdue", Audience.COMMISSIONER, "placement_review_overdue_to_manager", Audience.LA,
        PLACEMENT_LINK + "/reviews", "days_past_review"),
    OverdueKind.REDUCED_TIMETABLE_REVIEW: OverdueRule(
        REDUCED_TIMETABLE_RULE, Audience.COMMISSIONER, "reduced_timetable_past_review_to_manager", Audience.LA,
        PLACEMENT_LINK + "/timetable", "days_past_review"),
    OverdueKind.FAIR_ACCESS_CASE: OverdueRule(
        "fair_access_case_overdue", Audience.LA, "fair_access_case_overdue_to_manager", Audience.LA,
        "/panels/{panel_id}/cases/{case_id}", "days_past_place_expected"),
    OverdueKind.SELF_AUDIT: OverdueRule(
        "self_audit_overdue", Audience.PROVISION, "self_audit_overdue_to_manager", Audience.COMMISSIONER,
        "/self-audits/{provider_id}/{commissioner_id}/{academic_year}", "days_past_due"),
})


@dataclass(frozen=True, slots=True)
class DueItem:
    """One piece of work with a date: which kind, due when, the event that set the date, about which pupil (None
    for work about no pupil), the organisations owning it and managing them, and the ids its link names."""

    kind: OverdueKind
    due: date
    set_by_event_id: UUID
    pupil_ref: UUID | None
    owners: tuple[str, ...]
    managers: tuple[str, ...]
    link_ids: Mapping[str, str]
    placement_id: UUID | None = None


def placement_item(kind: OverdueKind, due: date, set_by_event_id: UUID, terms: PlacementTerms) -> DueItem:
    """A placement's work: its parties are the placement's recipients for the rule's audiences."""
    rule = OVERDUE_RULES[kind]
    return DueItem(kind, due, set_by_event_id, terms.pupil_ref, terms.recipients(rule.owner),
                   terms.recipients(rule.manager),
                   {"pupil_ref": str(terms.pupil_ref), "placement_id": str(terms.placement_id)}, terms.placement_id)


def manager_cause(set_by_event_id: UUID) -> UUID:
    """The cause of the manager's step: derived from the setting event, so one per (item, due date)."""
    return uuid5(set_by_event_id, "overdue-to-manager")


def overdue_alerts(item: DueItem, today: date, book: AlertRuleBook) -> tuple[Alert, ...]:
    """The alerts an item owes on ``today``: none on or before its due date (the work may be done that day), the
    owner's from the day after, and the manager's too once it is more than ``overdue_manager_after_days`` past the
    due date. The cause type is the kind of work: no event happened."""
    if today <= item.due:
        return ()
    rule = OVERDUE_RULES[item.kind]
    steps = [(rule.owner_rule, rule.owner, item.set_by_event_id, item.owners)]
    if today > item.due + timedelta(days=book.overdue_manager_after_days):
        steps.append((rule.manager_rule, rule.manager, manager_cause(item.set_by_event_id), item.managers))
    late = days_late(rule.metric, (today - item.due).days, item.placement_id)
    link = rule.link.format_map(item.link_ids)
    return tuple(
        Alert(rule_name=name, audience=audience, recipient_organisation_id=organisation, pupil_ref=item.pupil_ref,
              cause_event_id=cause, cause_event_type=item.kind.value, template_id=name, priority=Priority.NORMAL,
              link_path=link, threshold=late)
        for name, audience, cause, organisations in steps
        for organisation in organisations
    )
