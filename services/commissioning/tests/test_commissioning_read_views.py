"""The pure views the self-audit and panel reads answer with (issue 13): statements in template order with
their standing rating, trends oldest year first, a commissioner's providers counted per rating, and a panel's
open Fair Access waits counted to today (or left uncounted where the calendar records no term dates)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ap_commissioning.application.panel_views import panel_view
from ap_commissioning.application.self_audit_views import across_providers, self_audit_view, statement_trends
from ap_commissioning.domain.self_audit_template import CURRENT_TEMPLATE_VERSION, TEMPLATES
from ap_contracts.events.commissioning_panels import FairAccessCaseOpened
from ap_contracts.events.commissioning_quality import (
    RagRating,
    SelfAuditRatingModerated,
    SelfAuditRequested,
    SelfAuditStatementRated,
)
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent, Phase
from ap_runtime.school_days import EXAMPLE_DEMO_CALENDAR

from .commissioning_panel_history import BATH, bath_panel

FIRST = "behaviour-01"


def _audit(provider: str, year: str, rating: RagRating, moderated: RagRating | None = None) -> list[CommissioningEvent]:
    events: list[CommissioningEvent] = [
        SelfAuditRequested(provider_id=provider, commissioner_id="np-bath", academic_year=year,
                           template_version=CURRENT_TEMPLATE_VERSION, requested_by="np-lead-1"),
        SelfAuditStatementRated(provider_id=provider, academic_year=year, statement_id=FIRST, rating=rating,
                                evidence="e", action_plan="p", rated_by="m")]
    if moderated is not None:
        events.append(SelfAuditRatingModerated(provider_id=provider, academic_year=year, statement_id=FIRST,
                                               provider_rating=rating, moderated_rating=moderated, reason="r",
                                               moderated_by="np-lead-1"))
    return events


def test_an_audit_lists_every_statement_of_its_template_with_the_standing_rating() -> None:
    view = self_audit_view(_audit("pbp-1", "2026-27", RagRating.AMBER, RagRating.RED))
    assert view is not None
    assert len(view.statements) == 20 and view.statements[0].statement_id == FIRST
    assert (view.statements[0].standing, view.statements[1].standing, view.rated, view.moderated) == (
        RagRating.RED, None, 1, 1)
    assert not view.complete
    assert self_audit_view([]) is None


def test_a_trend_runs_oldest_year_first_whatever_order_the_audits_come_in() -> None:
    later = self_audit_view(_audit("pbp-1", "2026-27", RagRating.GREEN))
    earlier = self_audit_view(_audit("pbp-1", "2025-26", RagRating.AMBER, RagRating.RED))
    assert later is not None and earlier is not None
    first = next(t for t in statement_trends([later, earlier]) if t.statement_id == FIRST)
    assert [(p.academic_year, p.standing) for p in first.years] == [
        ("2025-26", RagRating.RED), ("2026-27", RagRating.GREEN)]


def test_across_providers_counts_each_providers_standing_rating() -> None:
    views = [self_audit_view(_audit(p, "2026-27", r, m)) for p, r, m in (
        ("pbp-1", RagRating.AMBER, RagRating.RED), ("pbp-2", RagRating.GREEN, None), ("pbp-3", RagRating.RED, None))]
    row = next(r for r in across_providers([v for v in views if v]) if r.statement_id == FIRST)
    [year] = row.years
    assert (year.providers, year.counts) == (3, {"red": 2, "amber": 0, "green": 1, "unrated": 0})


def test_an_open_fair_access_wait_is_counted_to_today_and_left_uncounted_without_term_dates() -> None:
    def opened(case: str, since: date) -> FairAccessCaseOpened:
        return FairAccessCaseOpened(panel_id=BATH, case_id=UUID(case), pupil_ref=UUID(case), phase=Phase.PRIMARY,
                                    without_place_since=since, opened_on=since, opened_by="la-officer-1")

    counted, uncounted = "00000000-0000-0000-0000-0000000000f1", "00000000-0000-0000-0000-0000000000f2"
    events = [*bath_panel(), opened(counted, date(2026, 6, 1)), opened(uncounted, date(2024, 9, 2))]
    view = panel_view(events, date(2026, 6, 8), EXAMPLE_DEMO_CALENDAR)
    assert view is not None
    # Monday 1 to Friday 5 June 2026: five school days before Monday 8 June.
    case = view.fair_access_cases[UUID(counted)]
    assert (case.school_days_without_place, case.beyond_expectation, case.open) == (5, False, True)
    # 2024-25 is not in the example calendar: the wait is not guessed.
    assert view.fair_access_cases[UUID(uncounted)].school_days_without_place is None


def test_an_audit_is_complete_once_every_statement_is_rated() -> None:
    template = TEMPLATES[CURRENT_TEMPLATE_VERSION]
    events = _audit("pbp-1", "2026-27", RagRating.GREEN)[:1] + [
        SelfAuditStatementRated(provider_id="pbp-1", academic_year="2026-27", statement_id=s.statement_id,
                                rating=RagRating.GREEN, evidence="e", rated_by="m") for s in template.statements]
    view = self_audit_view(events)
    assert view is not None and view.complete and view.rated == 20
    assert not self_audit_view(events[:-1]).complete  # type: ignore[union-attr]
