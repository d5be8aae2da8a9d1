"""Engagement in the reports (seed 002 sections 5.1, 5.3 and 6.9, issue 14): the week's scores, targets and
progress in the weekly report to the home school, the term average and the end-of-term trip (threshold as rule
book data), the reduction sanction lowering what the scores earn, and the Achievement Board."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

from ap_contracts.events.engagement import TargetArea, TargetProgress
from ap_contracts.events.pupil_vocabulary import KeyStage, Session
from ap_reporting.adapters.csv_render import weekly_csv
from ap_reporting.domain.engagement import (
    EngagementFacts,
    EngagementRuleBook,
    EngagementScoreFact,
    EngagementTargetFact,
    TargetProgressFact,
    achievement_board,
    term_engagement,
)
from ap_reporting.domain.facts import PlacementFact
from ap_reporting.domain.periods import PeriodKind, parse_period
from ap_reporting.domain.vocabulary import school_week
from ap_reporting.domain.weekly import assemble_weekly

WEEK = school_week(date(2025, 3, 10))
SPRING = parse_period("term", "2024/25-spring", (PeriodKind.TERM,))


def placement(provision: str = "prov-a", home: str = "school-a") -> PlacementFact:
    return PlacementFact(placement_id=uuid4(), pupil_ref=uuid4(), provision_id=provision, home_school_id=home,
                         partnership_id="np", start_date=date(2025, 1, 6), pupil_key_stage=KeyStage.KS2,
                         outside_key_stage=False)


def score(p: PlacementFact, day: date, points: int, session: Session | None = Session.AM,
          reduced_by: int = 0) -> EngagementScoreFact:
    return EngagementScoreFact(p.placement_id, day, session, points, 5, reduced_by)


def test_the_weekly_report_carries_the_weeks_scores_targets_and_progress() -> None:
    mine = placement()
    monday = WEEK.first_day
    open_target = EngagementTargetFact(mine.placement_id, uuid4(), TargetArea.WORK_COMPLETION, monday - timedelta(7),
                                       monday + timedelta(7))
    done_before = EngagementTargetFact(mine.placement_id, uuid4(), TargetArea.RELATIONSHIPS, monday - timedelta(30),
                                       monday - timedelta(3))
    facts = EngagementFacts(
        scores=[score(mine, monday, 4), score(mine, monday, 3, Session.PM, reduced_by=2),
                score(mine, monday + timedelta(1), 5, None), score(mine, monday - timedelta(1), 1)],
        targets=[open_target, done_before],
        progress=[TargetProgressFact(mine.placement_id, open_target.target_id, monday, TargetProgress.MET),
                  TargetProgressFact(mine.placement_id, open_target.target_id, monday + timedelta(1),
                                     TargetProgress.EXCEEDED)],
    )
    [line] = assemble_weekly("school-a", WEEK, [mine], [], [], [], facts).learners
    week = line.engagement
    assert [(s.scored_on, s.session, s.score, s.reduced_by, s.counted_score) for s in week.scores] == [
        (monday, Session.AM, 4, 0, 4), (monday, Session.PM, 3, 2, 1), (monday + timedelta(1), None, 5, 0, 5)]
    assert week.average_score == Decimal("3.3")  # (4 + 1 + 5) / 3: the reduced score counts as reduced
    [target] = week.targets
    assert (target.target_id, target.set_on, target.due_by, target.latest_progress) == (
        open_target.target_id, open_target.set_on, open_target.due_by, TargetProgress.EXCEEDED)
    assert [p.progress for p in week.progress] == [TargetProgress.MET, TargetProgress.EXCEEDED]
    header, row = weekly_csv(assemble_weekly("school-a", WEEK, [mine], [], [], [], facts)).splitlines()
    assert header.endswith("engagement_scores,engagement_average,targets_open,targets_exceeded")
    assert row.endswith(",3,3.3,1,1")


def test_a_week_without_scores_has_no_average() -> None:
    [line] = assemble_weekly("school-a", WEEK, [placement()], [], [], []).learners
    assert line.engagement.scores == () and line.engagement.average_score is None


def test_the_term_average_decides_the_trip_at_the_rule_books_threshold() -> None:
    high, low, elsewhere = placement(), placement(), placement(provision="prov-b")
    day = date(2025, 2, 3)
    facts = EngagementFacts(scores=[score(high, day, 5), score(high, day, 4, Session.PM),
                                    score(low, day, 4), score(low, day, 3, Session.PM),
                                    score(elsewhere, day, 5)])
    report = term_engagement("prov-a", SPRING.code, SPRING.days, [high, low, elsewhere], facts)
    by_pupil = {x.pupil_ref: x for x in report.learners}
    assert set(by_pupil) == {high.pupil_ref, low.pupil_ref}  # another provision's learner is not here
    assert (by_pupil[high.pupil_ref].term_average, by_pupil[low.pupil_ref].term_average) == (
        Decimal("4.5"), Decimal("3.5"))
    assert report.trip_list == (high.pupil_ref,) and report.trip_min_term_average == Decimal("4.0")
    lenient = term_engagement("prov-a", SPRING.code, SPRING.days, [high, low], facts,
                              EngagementRuleBook(version="local-1", trip_min_term_average=Decimal("3.5")))
    assert lenient.trip_list == (high.pupil_ref, low.pupil_ref) and lenient.rule_version == "local-1"


def test_a_score_reduction_as_a_sanction_can_lose_the_trip() -> None:
    learner = placement()
    day = date(2025, 2, 3)
    kept = EngagementFacts(scores=[score(learner, day, 5), score(learner, day, 4, Session.PM)])
    reduced = EngagementFacts(scores=[score(learner, day, 5), score(learner, day, 4, Session.PM, reduced_by=3)])
    assert term_engagement("prov-a", SPRING.code, SPRING.days, [learner], kept).trip_list == (learner.pupil_ref,)
    after = term_engagement("prov-a", SPRING.code, SPRING.days, [learner], reduced)
    assert after.trip_list == () and after.learners[0].term_average == Decimal("3.0")


def test_the_achievement_board_lists_learners_whose_latest_mark_exceeded_a_target() -> None:
    star, slipped, other = placement(), placement(), placement(provision="prov-b")
    day = date(2025, 2, 3)
    targets = [EngagementTargetFact(p.placement_id, uuid4(), TargetArea.ATTITUDE_TO_LEARNING, day, day + timedelta(30))
               for p in (star, slipped, other)]
    progress = [TargetProgressFact(star.placement_id, targets[0].target_id, day, TargetProgress.EXCEEDED),
                TargetProgressFact(slipped.placement_id, targets[1].target_id, day, TargetProgress.EXCEEDED),
                TargetProgressFact(slipped.placement_id, targets[1].target_id, day + timedelta(1),
                                   TargetProgress.WORKING_TOWARDS),
                TargetProgressFact(other.placement_id, targets[2].target_id, day, TargetProgress.EXCEEDED)]
    board = achievement_board("prov-a", SPRING.code, SPRING.days, [star, slipped, other],
                              EngagementFacts(targets=targets, progress=progress))
    assert [(line.pupil_ref, [t.target_id for t in line.targets_exceeded]) for line in board.learners] == [
        (star.pupil_ref, [targets[0].target_id])]


def test_limited_trip_places_go_to_the_highest_averages_and_a_tie_for_the_last_takes_both() -> None:
    learners = [placement() for _ in range(4)]
    day = date(2025, 2, 3)
    facts = EngagementFacts(scores=[score(p, day, points) for p, points in zip(learners, (5, 4, 4, 3), strict=True)])
    rules = EngagementRuleBook(version="local-2", trip_min_term_average=Decimal("3.0"), trip_places=2)
    report = term_engagement("prov-a", SPRING.code, SPRING.days, learners, facts, rules)
    assert report.trip_list[0] == learners[0].pupil_ref
    assert set(report.trip_list) == {learners[0].pupil_ref, learners[1].pupil_ref, learners[2].pupil_ref}
    assert report.trip_places == 2
    roomy = EngagementRuleBook(version="local-3", trip_min_term_average=Decimal("3.0"), trip_places=10)
    assert len(term_engagement("prov-a", SPRING.code, SPRING.days, learners, facts, roomy).trip_list) == 4
