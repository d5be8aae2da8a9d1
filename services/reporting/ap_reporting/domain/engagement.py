"""Engagement scores as reports read them (seed 002 sections 5.1, 5.3 and 6.9, issue 14).

- The weekly report to the home school carries each learner's scores of the week (as recorded, the reductions
  given as a sanction, and the score that counts), the week's average, the targets open in the week with
  their dates, and the progress marked against them (``engagement_week``).
- The term average per learner, and who qualifies for the end-of-term trip: an average of the counted scores at
  least the rule book's ``trip_min_term_average``, the highest first when ``trip_places`` limits the places
  (``term_engagement``). A reduction lowers the counted score, so it lowers the rewards the scores earn (6.9).
- The Achievement Board: learners whose latest progress mark in the term on a target is "exceeded"
  (``achievement_board``). It is internal to the provision (the policy's RPT-ENG-2).

Learners appear by pseudonymous ``pupil_ref`` (reporting holds no names); the provision's own placement
register shows its staff whom each reference names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ap_contracts.events.engagement import TargetArea, TargetProgress
from ap_contracts.events.pupil_vocabulary import Session
from ap_reporting.domain.facts import PlacementFact
from ap_reporting.domain.published import ReportModel
from ap_reporting.domain.vocabulary import Period


class EngagementRuleBook(BaseModel):
    """The numbers behind the engagement rewards, as data with a version (change the version with a value)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(default="engagement-2026.1", min_length=1, max_length=60)
    # Seed 002 section 5.1: "learners with the highest average score qualify for the end of term trip"; the
    # provision sets how high (on the incidents rule book's scale, 0 to 5 from england-2026.2).
    trip_min_term_average: Decimal = Field(default=Decimal("4.0"), ge=0)
    # Places on the trip, when they are limited: the highest averages at or above the threshold take them.
    trip_places: int | None = Field(default=None, ge=1)


DEFAULT_ENGAGEMENT_RULES = EngagementRuleBook()


# ----------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class EngagementScoreFact:
    placement_id: UUID
    scored_on: date
    session: Session | None
    score: int
    scale_max: int
    reduced_by: int = 0

    @property
    def counted(self) -> int:
        """The score after the reductions given as a sanction (never below zero)."""
        return max(self.score - self.reduced_by, 0)


@dataclass(frozen=True, slots=True)
class EngagementTargetFact:
    placement_id: UUID
    target_id: UUID
    area: TargetArea
    set_on: date
    due_by: date


@dataclass(frozen=True, slots=True)
class TargetProgressFact:
    placement_id: UUID
    target_id: UUID
    scored_on: date
    progress: TargetProgress


@dataclass(frozen=True, slots=True)
class EngagementFacts:
    """The engagement facts of some placements over one period."""

    scores: Sequence[EngagementScoreFact] = ()
    targets: Sequence[EngagementTargetFact] = ()
    progress: Sequence[TargetProgressFact] = ()


# ----------------------------------------------------------------------------- the week


class ScoreLine(ReportModel):
    scored_on: date
    session: Session | None
    score: int
    reduced_by: int
    counted_score: int
    scale_max: int


class TargetLine(ReportModel):
    target_id: UUID
    area: TargetArea
    set_on: date
    due_by: date
    latest_progress: TargetProgress | None


class ProgressLine(ReportModel):
    target_id: UUID
    scored_on: date
    progress: TargetProgress


class EngagementWeek(ReportModel):
    scores: tuple[ScoreLine, ...] = ()
    average_score: Decimal | None = None
    targets: tuple[TargetLine, ...] = ()
    progress: tuple[ProgressLine, ...] = ()


def average(scores: Iterable[EngagementScoreFact]) -> Decimal | None:
    """The mean counted score to one decimal place (half up), None with no score."""
    counted = [s.counted for s in scores]
    if not counted:
        return None
    return (Decimal(sum(counted)) / len(counted)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _latest(marks: Iterable[TargetProgressFact]) -> dict[UUID, TargetProgress]:
    latest: dict[UUID, TargetProgressFact] = {}
    for mark in sorted(marks, key=lambda m: m.scored_on):
        latest[mark.target_id] = mark
    return {target_id: mark.progress for target_id, mark in latest.items()}


def engagement_week(placement_id: UUID, week: Period, facts: EngagementFacts) -> EngagementWeek:
    """One learner's week: scores, average, targets open in the week and progress marked in it."""
    scores = sorted((s for s in facts.scores if s.placement_id == placement_id and s.scored_on in week),
                    key=lambda s: (s.scored_on, s.session or ""))
    marks = sorted((m for m in facts.progress if m.placement_id == placement_id and m.scored_on in week),
                   key=lambda m: (m.scored_on, str(m.target_id)))
    latest = _latest(marks)
    targets = sorted((t for t in facts.targets if t.placement_id == placement_id
                      and t.set_on <= week.last_day and t.due_by >= week.first_day), key=lambda t: (t.set_on,
                                                                                                    str(t.target_id)))
    return EngagementWeek(
        scores=tuple(ScoreLine(scored_on=s.scored_on, session=s.session, score=s.score, reduced_by=s.reduced_by,
                               counted_score=s.counted, scale_max=s.scale_max) for s in scores),
        average_score=average(scores),
        targets=tuple(TargetLine(target_id=t.target_id, area=t.area, set_on=t.set_on, due_by=t.due_by,
                                 latest_progress=latest.get(t.target_id)) for t in targets),
        progress=tuple(ProgressLine(target_id=m.target_id, scored_on=m.scored_on, progress=m.progress)
                       for m in marks),
    )


# ----------------------------------------------------------------------------- the term


class LearnerTerm(ReportModel):
    pupil_ref: UUID
    scores_counted: int
    term_average: Decimal | None
    qualifies_for_trip: bool


class TermEngagement(ReportModel):
    report: str = "engagement_term"
    provision_id: str
    term: str
    first_day: date
    last_day: date
    rule_version: str
    trip_min_term_average: Decimal
    trip_places: int | None
    learners: tuple[LearnerTerm, ...]
    trip_list: tuple[UUID, ...] = Field(description="Learners who qualify, highest term average first")


def _by_pupil(placements: Sequence[PlacementFact], provision_id: str, term: Period) -> dict[UUID, set[UUID]]:
    pupils: dict[UUID, set[UUID]] = defaultdict(set)
    for p in placements:
        if p.provision_id == provision_id and p.active_during(term):
            pupils[p.pupil_ref].add(p.placement_id)
    return pupils


def trip_cut_off(averages: Iterable[Decimal | None], rules: EngagementRuleBook) -> Decimal:
    """The lowest term average that goes on the trip: the rule book's threshold, raised to the average of the
    last place when ``trip_places`` limits them ("the highest average score", seed 002 section 5.1; a tie for the
    last place takes every learner tied)."""
    eligible = sorted((a for a in averages if a is not None and a >= rules.trip_min_term_average), reverse=True)
    if rules.trip_places is None or len(eligible) <= rules.trip_places:
        return rules.trip_min_term_average
    return eligible[rules.trip_places - 1]


def term_engagement(provision_id: str, term_code: str, term: Period, placements: Sequence[PlacementFact],
                    facts: EngagementFacts, rules: EngagementRuleBook = DEFAULT_ENGAGEMENT_RULES) -> TermEngagement:
    """Each learner placed at the provision during the term: the term average of the counted scores, and
    whether it qualifies for the end-of-term trip (``trip_cut_off``)."""
    means: list[tuple[UUID, int, Decimal | None]] = []
    for pupil_ref, placement_ids in sorted(_by_pupil(placements, provision_id, term).items(), key=lambda i: str(i[0])):
        scores = [s for s in facts.scores if s.placement_id in placement_ids and s.scored_on in term]
        means.append((pupil_ref, len(scores), average(scores)))
    cut_off = trip_cut_off((mean for _, _, mean in means), rules)
    learners = [LearnerTerm(pupil_ref=pupil_ref, scores_counted=count, term_average=mean,
                            qualifies_for_trip=mean is not None and mean >= cut_off)
                for pupil_ref, count, mean in means]
    ranked = sorted((x for x in learners if x.qualifies_for_trip), key=lambda x: (-(x.term_average or 0),
                                                                                  str(x.pupil_ref)))
    return TermEngagement(provision_id=provision_id, term=term_code, first_day=term.first_day,
                          last_day=term.last_day, rule_version=rules.version,
                          trip_min_term_average=rules.trip_min_term_average, trip_places=rules.trip_places,
                          learners=tuple(learners), trip_list=tuple(x.pupil_ref for x in ranked))


class BoardLine(ReportModel):
    pupil_ref: UUID
    targets_exceeded: tuple[TargetLine, ...]


class AchievementBoard(ReportModel):
    report: str = "achievement_board"
    provision_id: str
    term: str
    rule_version: str
    learners: tuple[BoardLine, ...]


def achievement_board(provision_id: str, term_code: str, term: Period, placements: Sequence[PlacementFact],
                      facts: EngagementFacts, rules: EngagementRuleBook = DEFAULT_ENGAGEMENT_RULES) -> AchievementBoard:
    """Learners of the provision whose latest progress mark in the term on one of their targets is "exceeded"."""
    targets = {t.target_id: t for t in facts.targets}
    lines = []
    for pupil_ref, placement_ids in sorted(_by_pupil(placements, provision_id, term).items(), key=lambda i: str(i[0])):
        latest = _latest(m for m in facts.progress if m.placement_id in placement_ids and m.scored_on in term)
        exceeded = sorted((targets[t] for t, progress in latest.items()
                           if progress is TargetProgress.EXCEEDED and t in targets), key=lambda t: t.set_on)
        if exceeded:
            lines.append(BoardLine(pupil_ref=pupil_ref, targets_exceeded=tuple(
                TargetLine(target_id=t.target_id, area=t.area, set_on=t.set_on, due_by=t.due_by,
                           latest_progress=TargetProgress.EXCEEDED) for t in exceeded)))
    return AchievementBoard(provision_id=provision_id, term=term_code, rule_version=rules.version,
                            learners=tuple(lines))
