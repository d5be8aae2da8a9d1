"""What the self-audit reads show (seed 000, issue 13): one audit statement by statement, the trend of each
statement across years for a provider and its commissioner, and the commissioner's view across its
providers. Pure: built from the audits' events; the standing rating is the moderated one where the
commissioner moderated, else the provider's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ap_commissioning.domain.self_audit_template import TEMPLATES
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_quality import (
    RagRating,
    SelfAuditDueDateChanged,
    SelfAuditRatingModerated,
    SelfAuditRequested,
    SelfAuditStatementRated,
)


@dataclass(frozen=True, slots=True)
class StatementView:
    statement_id: str
    section: str
    text: str
    rating: RagRating | None = None
    evidence: str = ""
    action_plan: str = ""
    rated_by: str | None = None
    moderated_rating: RagRating | None = None
    moderation_reason: str = ""
    moderated_by: str | None = None

    @property
    def standing(self) -> RagRating | None:
        return self.moderated_rating or self.rating


@dataclass(frozen=True, slots=True)
class SelfAuditView:
    provider_id: str
    commissioner_id: str
    academic_year: str
    template_version: str
    statements: tuple[StatementView, ...]
    rated: int
    moderated: int
    due_on: date | None = None  # issue 14: None for audits requested before requests stated it

    @property
    def complete(self) -> bool:
        """Every statement of the template rated (seed 000: the provider rates each statement)."""
        return self.rated == len(self.statements)


def self_audit_view(events: Iterable[DomainEvent]) -> SelfAuditView | None:
    """The audit statement by statement (every statement of its template, rated or not); None if never requested."""
    requested: SelfAuditRequested | None = None
    rows: dict[str, StatementView] = {}
    due_on: date | None = None
    for event in events:
        if isinstance(event, SelfAuditRequested | SelfAuditDueDateChanged):
            due_on = event.due_on
        if isinstance(event, SelfAuditRequested):
            requested = event
            rows = {s.statement_id: StatementView(s.statement_id, s.section, s.text)
                    for s in TEMPLATES[event.template_version].statements}
        elif isinstance(event, SelfAuditStatementRated):
            old = rows[event.statement_id]
            rows[event.statement_id] = StatementView(old.statement_id, old.section, old.text, event.rating,
                                                     event.evidence, event.action_plan, event.rated_by)
        elif isinstance(event, SelfAuditRatingModerated):
            old = rows[event.statement_id]
            rows[event.statement_id] = StatementView(
                old.statement_id, old.section, old.text, old.rating, old.evidence, old.action_plan, old.rated_by,
                event.moderated_rating, event.reason, event.moderated_by)
    if requested is None:
        return None
    statements = tuple(rows.values())
    return SelfAuditView(requested.provider_id, requested.commissioner_id, requested.academic_year,
                         requested.template_version, statements, sum(1 for s in statements if s.rating),
                         sum(1 for s in statements if s.moderated_rating), due_on)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    academic_year: str
    rating: RagRating | None
    moderated_rating: RagRating | None
    standing: RagRating | None


@dataclass(frozen=True, slots=True)
class StatementTrend:
    statement_id: str
    text: str
    years: tuple[TrendPoint, ...]


def statement_trends(audits: Sequence[SelfAuditView]) -> tuple[StatementTrend, ...]:
    """Each statement's rating year by year (oldest first), across the audits given (one provider and
    commissioner); statement ids are stable across template versions, so years of two versions line up."""
    ordered = sorted(audits, key=lambda audit: audit.academic_year)
    texts: dict[str, str] = {}
    points: dict[str, list[TrendPoint]] = {}
    for audit in ordered:
        for s in audit.statements:
            texts[s.statement_id] = s.text
            points.setdefault(s.statement_id, []).append(
                TrendPoint(audit.academic_year, s.rating, s.moderated_rating, s.standing))
    return tuple(StatementTrend(sid, texts[sid], tuple(points[sid])) for sid in texts)


@dataclass(frozen=True, slots=True)
class RagCounts:
    academic_year: str
    providers: int
    counts: dict[str, int] = field(default_factory=dict)
    """standing rating (red, amber, green, unrated) -> number of providers"""


@dataclass(frozen=True, slots=True)
class StatementAcrossProviders:
    statement_id: str
    text: str
    years: tuple[RagCounts, ...]


def across_providers(audits: Sequence[SelfAuditView]) -> tuple[StatementAcrossProviders, ...]:
    """Per statement and year, how many of the commissioner's providers stand at each rating."""
    texts: dict[str, str] = {}
    tallies: dict[tuple[str, str], dict[str, int]] = {}
    for audit in audits:
        for s in audit.statements:
            texts[s.statement_id] = s.text
            tally = tallies.setdefault((s.statement_id, audit.academic_year),
                                       {"red": 0, "amber": 0, "green": 0, "unrated": 0})
            tally[s.standing.value if s.standing else "unrated"] += 1
    years = sorted({audit.academic_year for audit in audits})
    return tuple(StatementAcrossProviders(sid, text, tuple(
        RagCounts(year, sum(tallies[(sid, year)].values()), tallies[(sid, year)])
        for year in years if (sid, year) in tallies)) for sid, text in texts.items())
