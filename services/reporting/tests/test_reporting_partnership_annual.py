"""The Neighbourhood Partnership annual report (seed 001 appendix 3): every template section in order,
narrative drafts versioned, approved by another person and published, hostile cases refused by rule,
figures computed from the facts and suppressed, no SEND or ethnicity profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from ap_contracts.events.pupil_vocabulary import KeyStage, PlacementEndReason, Sex
from ap_reporting.adapters.partnership_annual_document import AWAITING, partnership_annual_document
from ap_reporting.domain.annual_narrative import (
    ANNUAL_TEMPLATE,
    NARRATIVE_SECTIONS,
    AnnualNarrative,
    AnnualReportPublished,
    ApprovalOfStaleDraft,
    ApproverWroteDraft,
    NarrativeIncomplete,
    NarrativeTextInvalid,
    NotANarrativeSection,
)
from ap_reporting.domain.facts import AttendanceFact, PlacementFact
from ap_reporting.domain.partnership_annual import PROFILE_NOTE, assemble_partnership_annual
from ap_runtime.documents import render_html

LEAD, CHAIR = "lead-np-1", "chair-np-1"
YEAR = "2024/25"


def _complete(narrative: AnnualNarrative) -> AnnualNarrative:
    for section in NARRATIVE_SECTIONS:
        narrative = narrative.draft(section, f"{section}: our year.", LEAD)
        narrative = narrative.approve(section, narrative.latest(section).version, CHAIR)  # type: ignore[union-attr]
    return narrative


def _placement(partnership: str, start: date, end: date | None = None,
               reason: PlacementEndReason | None = None, outside: bool = False) -> PlacementFact:
    return PlacementFact(uuid4(), uuid4(), f"prov-{partnership}", f"school-{uuid4().hex[:4]}", partnership, start,
                         KeyStage.KS2, outside, end, reason)


def test_the_template_has_every_appendix_3_section_in_order() -> None:
    assert [name for name, _ in ANNUAL_TEMPLATE] == [
        "Overall Summary", "Budget Summary", "Staffing", "Service Delivery incl no. of pupils /schools supported",
        "Curriculum and Resources", "Performance Monitoring/KPIs", "Reporting & Evaluation",
        "Quality Assurance and Safeguarding", "Partnerships", "Communication and Feedback", "Contingency",
        "Future Proofing"]


def test_drafts_are_versioned_and_the_approved_version_is_the_one_published() -> None:
    narrative = AnnualNarrative("np-1", YEAR).draft("Overall Summary", "first words", LEAD)
    narrative = narrative.approve("Overall Summary", 1, CHAIR).draft("Overall Summary", "second words", LEAD)

    assert [d.version for d in narrative.drafts] == [1, 2]
    assert narrative.approved_text("Overall Summary").text == "first words"  # type: ignore[union-attr]


def test_hostile_narrative_changes_are_refused_by_rule_and_change_nothing() -> None:
    narrative = AnnualNarrative("np-1", YEAR).draft("Contingency", "v1", LEAD).draft("Contingency", "v2", LEAD)

    with pytest.raises(NotANarrativeSection) as not_narrative:
        narrative.draft("Performance Monitoring/KPIs", "figures typed in by hand", LEAD)
    with pytest.raises(NarrativeTextInvalid):
        narrative.draft("Contingency", "   ", LEAD)
    with pytest.raises(NarrativeTextInvalid):
        narrative.draft("Contingency", "x" * 20_001, LEAD)
    with pytest.raises(ApprovalOfStaleDraft) as stale:
        narrative.approve("Contingency", 1, CHAIR)
    with pytest.raises(ApprovalOfStaleDraft):
        narrative.approve("Partnerships", 1, CHAIR)
    with pytest.raises(ApproverWroteDraft) as own:
        narrative.approve("Contingency", 2, LEAD)
    with pytest.raises(NarrativeIncomplete) as incomplete:
        narrative.approve("Contingency", 2, CHAIR).publish(CHAIR)

    assert (not_narrative.value.rule_id, stale.value.rule_id, own.value.rule_id, incomplete.value.rule_id) == (
        "annual.narrative_section", "annual.approve_latest", "annual.four_eyes", "annual.publish_complete")
    assert "Contingency" not in incomplete.value.allowed and "Overall Summary" in incomplete.value.allowed
    assert [d.version for d in narrative.drafts] == [1, 2] and narrative.approved == ()


def test_a_published_report_is_final() -> None:
    published = _complete(AnnualNarrative("np-1", YEAR)).publish(CHAIR)

    with pytest.raises(AnnualReportPublished) as drafted:
        published.draft("Contingency", "later", LEAD)
    with pytest.raises(AnnualReportPublished):
        published.approve("Contingency", 1, CHAIR)
    with pytest.raises(AnnualReportPublished):
        published.publish(CHAIR)
    assert drafted.value.rule_id == "annual.published_final"


def test_figures_count_the_partnerships_year_and_suppress_small_numbers() -> None:
    start = date(2024, 9, 2)
    ours = [_placement("np-1", start, start + timedelta(days=59), PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)
            for _ in range(4)]
    ours += [_placement("np-1", start, start + timedelta(days=99), PlacementEndReason.SPECIALIST_PROVISION)
             for _ in range(3)]
    ours += [_placement("np-1", start, outside=True), _placement("np-1", date(2023, 9, 4), date(2024, 7, 19),
                                                                   PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)]
    theirs = [_placement("np-2", start) for _ in range(5)]
    attendance = [AttendanceFact(ours[0].placement_id, start + timedelta(days=d), d % 4 != 0, True)
                  for d in range(20)]

    figures = assemble_partnership_annual("np-1", YEAR, [*ours, *theirs], attendance, sexes={})

    pupils = figures.tables[0]
    assert pupils.grand_total == 8  # the placement that ended in 2023/24 and np-2's are not counted
    assert figures.attendance_percent == 75  # 15 of 20 sessions
    assert figures.reintegration_rate_percent == Decimal("57.1")  # 4 of the 7 placements that ended in the year
    assert figures.mean_length_of_stay_days == Decimal("77.1")  # (4 x 60 + 3 x 100) / 7
    one = assemble_partnership_annual("np-1", YEAR, ours[:1], [], sexes={})
    assert one.reintegration_rate_percent == "c" and one.mean_length_of_stay_days == "c"
    assert PROFILE_NOTE in figures.notes


def test_the_document_has_every_section_and_only_approved_text() -> None:
    figures = assemble_partnership_annual("np-1", YEAR, [], [], sexes={})
    draft = AnnualNarrative("np-1", YEAR).draft("Overall Summary", "UNAPPROVED-WORDS", LEAD)

    html = render_html(partnership_annual_document(figures, draft))
    published = render_html(partnership_annual_document(figures, _complete(AnnualNarrative("np-1", YEAR))
                                                        .publish(CHAIR)))

    positions = [html.index(name.replace("&", "&amp;")) for name, _ in ANNUAL_TEMPLATE]
    assert positions == sorted(positions)
    assert "UNAPPROVED-WORDS" not in html and AWAITING in html and "draft, not published" in html
    assert "Future Proofing: our year." in published and AWAITING not in published
    with pytest.raises(ValueError, match="different partnerships"):
        partnership_annual_document(figures, AnnualNarrative("np-2", YEAR))


def test_pupils_served_by_sex_a_clear_field_is_shown_and_suppressed() -> None:
    start = date(2024, 9, 2)
    placements = [_placement("np-1", start) for _ in range(6)]
    sexes = {p.pupil_ref: (Sex.FEMALE if n < 4 else Sex.MALE) for n, p in enumerate(placements)}

    figures = assemble_partnership_annual("np-1", YEAR, placements, [], sexes=sexes)

    by_sex = next(t for t in figures.tables if t.name == "pupils_by_sex")
    assert by_sex.column_labels == ("female", "male", "not recorded")
    assert by_sex.cells == (("c", "c", 0),) and by_sex.grand_total == 6  # 4 beside 2 would give the 2 away
    placements.append(_placement("np-1", start))
    seven = assemble_partnership_annual("np-1", YEAR, placements, [], sexes=sexes)
    # the 2 and the 1 hide each other
    assert next(t for t in seven.tables if t.name == "pupils_by_sex").cells == ((4, "c", "c"),)


def test_pupils_by_sex_hides_its_total_where_the_pupils_served_are_hidden() -> None:
    """Suppressed with the pupils served: a total shown in one table and hidden in the other gives it away."""
    start = date(2024, 9, 2)
    placements = [replace(_placement("np-1", start, outside=stage is KeyStage.KS4), pupil_key_stage=stage)
                  for stage in (KeyStage.KS1, KeyStage.KS2, KeyStage.KS3, KeyStage.KS4)]

    figures = assemble_partnership_annual("np-1", YEAR, placements, [], sexes={})

    served, by_sex = (next(t for t in figures.tables if t.name == name) for name in ("pupils_served", "pupils_by_sex"))
    # 4 pupils, one in each key stage: hidden for the key stage table's sake, and so by sex too
    assert served.grand_total == by_sex.grand_total == "c"
