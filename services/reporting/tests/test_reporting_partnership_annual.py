"""The Neighbourhood Partnership annual report (seed 001 appendix 3): every template section in order,
the narrative as commissioning published it (its rules, versions and four eyes are tested there:
``services/commissioning/tests/test_commissioning_narrative_*``), figures computed from the facts and suppressed,
no SEND or ethnicity profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from ap_contracts.events.pupil_vocabulary import KeyStage, PlacementEndReason, Sex
from ap_reporting.adapters.partnership_annual_document import AWAITING, partnership_annual_document
from ap_reporting.domain.annual_narrative import ANNUAL_TEMPLATE, AnnualNarrative
from ap_reporting.domain.budget_summary import budget_summary
from ap_reporting.domain.facts import AttendanceFact, PlacementFact
from ap_reporting.domain.partnership_annual import PROFILE_NOTE, assemble_partnership_annual
from ap_runtime.documents import render_html
from ap_testing.reporting.narrative import published_narrative

LEAD, CHAIR = "lead-np-1", "chair-np-1"
YEAR = "2024/25"
NO_BUDGET = budget_summary("np-1", YEAR, [])


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


def test_the_document_has_every_section_and_only_published_text() -> None:
    figures = assemble_partnership_annual("np-1", YEAR, [], [], sexes={})
    unpublished = AnnualNarrative("np-1", YEAR)

    html = render_html(partnership_annual_document(figures, unpublished, NO_BUDGET))
    narrative = published_narrative("np-1", YEAR, LEAD, CHAIR, lambda section: f"{section}: our year.")
    published = render_html(partnership_annual_document(figures, narrative, NO_BUDGET))

    positions = [html.index(name.replace("&", "&amp;")) for name, _ in ANNUAL_TEMPLATE]
    assert positions == sorted(positions)
    assert AWAITING in html and "draft, not published" in html
    assert "Future Proofing: our year." in published and AWAITING not in published
    with pytest.raises(ValueError, match="different partnerships"):
        partnership_annual_document(figures, AnnualNarrative("np-2", YEAR), NO_BUDGET)


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
