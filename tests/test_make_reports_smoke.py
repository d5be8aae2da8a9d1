"""`make reports` at a tiny size (one school, one provision, one year) on the real PostgreSQL and Kafka: the
read models are built by reporting's projection runners from the run's topics (each applied every record of its
topic, relayed from the event stores), every audience's folder is written (each school's weekly report, the
Schools Forum tables fed by the synthetic commissioning facts, finance's quarterly returns cut at each quarter's
end and the governing-body summary, the commissioner's self-audit trends), every CSV parses and every .xlsx
opens, the DfE returns hold exactly the generator's standing exclusions and placements of the year, the PDFs are
PDFs, and the same seed writes the same JSON and CSV bytes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from ap_commissioning.domain.self_audit_template import CURRENT_TEMPLATE_VERSION, TEMPLATES
from ap_contracts.events.commissioning_headcounts import PupilsOnRollRecorded
from ap_contracts.events.commissioning_panels import PanelReferralMade
from ap_contracts.events.finance import SpendRecorded
from ap_contracts.events.placements import PlacementStarted
from ap_contracts.events.school_exclusions import (
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
)
from demo.reports import write_reports
from demo.synthetic_commissioning import synthetic_commissioning_events
from demo.synthetic_finance import synthetic_finance_events
from demo.synthetic_la import LaSize, synthetic_events

TINY = LaSize(schools=1, provisions=1, years=1, seed=7)


def _machine_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.suffix in (".csv", ".json")}


async def test_make_reports_writes_every_audience_at_a_tiny_size(postgres_admin_dsn: str, kafka_bootstrap: str,
                                                                  tmp_path: Path) -> None:
    first, again = tmp_path / "first", tmp_path / "again"
    run = await write_reports(TINY, postgres_admin_dsn, kafka_bootstrap, first, pdf=True)
    rerun = await write_reports(TINY, postgres_admin_dsn, kafka_bootstrap, again, pdf=False)
    written = run.written

    pupil_records, commissioning_records = len(synthetic_events(TINY)), len(synthetic_commissioning_events(TINY))
    assert run.applied == rerun.applied == {  # every record reached the read models through its topic
        "reporting_facts": pupil_records, "reporting_exclusion_reasons": pupil_records,
        "reporting_commissioning": commissioning_records}

    assert {p.relative_to(first).parts[0] for p in written} == {"local-authority", "np-1", "dfe-returns", "finance",
                                                               "commissioner",
                                                               "school-001"}
    assert {p.name for p in (first / "np-1").iterdir()} >= {
        f"annual-report-2023-24.{ext}" for ext in ("json", "csv", "xlsx", "html", "pdf")}
    assert all(p.read_bytes().startswith(b"%PDF") for p in written if p.suffix == ".pdf")
    assert all(load_workbook(p, read_only=True).sheetnames for p in written if p.suffix == ".xlsx")
    assert all(list(csv.reader(io.StringIO(p.read_text()))) for p in written if p.suffix == ".csv")
    annual_html = (first / "np-1" / "annual-report-2023-24.html").read_text()
    assert "Future Proofing" in annual_html
    # the Budget Summary is finance's ledger: the same totals as finance's own governing-body summary
    finance_totals = {row["measure"]: row["display"] for row in csv.DictReader(io.StringIO(
        (first / "finance" / "prov-np-1" / "2023-24" / "governing-body-summary.csv").read_text()))
        if row["section"] == "total"}
    assert all(finance_totals[m] in annual_html for m in ("budget", "actual", "committed", "remaining"))
    annual = json.loads((first / "np-1" / "annual-report-2023-24.json").read_text())
    served, by_sex = (next(t for t in annual["tables"] if t["name"] == name)
                      for name in ("pupils_served", "pupils_by_sex"))
    assert by_sex["grand_total"] == served["grand_total"]
    assert by_sex["column_totals"][-1] in (0, "c") and by_sex["column_totals"][:2] != [0, 0]  # sexes projected

    events = synthetic_events(TINY)
    reinstated = {e.exclusion_record_id for e in events if isinstance(e, PermanentExclusionReinstated)}
    standing = [e for e in events if isinstance(e, SuspensionIssued | PermanentExclusionIssued)
                and e.record_id not in reinstated]
    placements = [e for e in events if isinstance(e, PlacementStarted)]
    returns = first / "dfe-returns" / "2023-24"
    exclusion_lines = (returns / "census-exclusions.csv").read_text().splitlines()[1:]
    assert len(exclusion_lines) == len(standing) > 0
    assert sorted(line.split(",")[2] for line in exclusion_lines) == sorted(
        "FIXD" if isinstance(e, SuspensionIssued) else "PERM" for e in standing)
    assert len((returns / "census-ap-placements.csv").read_text().splitlines()[1:]) == len(placements)
    assert (returns / "school-001" / "census-exclusions.csv").read_text().splitlines()[1:] == exclusion_lines

    placed = {e.placement_id for e in placements}
    weekly_json, = (first / "school-001").glob("weekly-*.json")
    weekly = json.loads(weekly_json.read_text())
    assert weekly["home_school_id"] == "school-001" and weekly["learners"]
    assert {learner["placement_id"] for learner in weekly["learners"]} <= {str(p) for p in placed}
    weekly_rows = list(csv.DictReader(io.StringIO(weekly_json.with_suffix(".csv").read_text())))
    assert [row["placement_id"] for row in weekly_rows] == [learner["placement_id"] for learner in weekly["learners"]]

    assert {p.name for p in (first / "local-authority").iterdir()} >= {
        f"{report}.{ext}" for report in ("schools-forum", "exclusion-strategy")
        for ext in ("json", "csv", "xlsx", "html", "pdf")}
    assert "schools-forum.pdf" not in {p.name for p in (again / "local-authority").iterdir()}  # pdf=False skips it
    forum = {t["name"]: t for t in json.loads((first / "local-authority" / "schools-forum.json").read_text())["tables"]}
    commissioning = synthetic_commissioning_events(TINY)
    assert forum["pupils_on_roll"]["grand_total"] == sum(
        e.pupils for e in commissioning if isinstance(e, PupilsOnRollRecorded))
    assert forum["panel_referrals"]["grand_total"] == sum(isinstance(e, PanelReferralMade) for e in commissioning)
    # At this tiny size every phase's cell is hidden and the shared suppression of the strategy and Forum tables
    # (schools_forum_phases) hides the total with them; when the total is shown it must be the count.
    suspensions = forum["suspensions_by_phase"]
    assert suspensions["grand_total"] == sum(isinstance(e, SuspensionIssued) for e in standing) or (
        suspensions["grand_total"] == "c" and {cell for row in suspensions["cells"] for cell in row} == {"c"})

    finance = first / "finance" / "prov-np-1" / "2023-24"
    assert {p.name for p in finance.iterdir()} == {
        *(f"quarterly-return-q{n}.{ext}" for n in (1, 2, 3, 4) for ext in ("json", "csv", "xlsx", "html", "pdf")),
        *(f"governing-body-summary.{ext}" for ext in ("json", "csv", "html", "pdf"))}
    spends = [e for e in synthetic_finance_events(TINY) if isinstance(e, SpendRecorded)]
    first_quarter = json.loads((finance / "quarterly-return-q1.json").read_text())
    assert first_quarter["total"]["actual_pence"] == sum(
        e.amount_pence for e in spends if e.spent_on <= date(2023, 6, 30)) > 0  # Q1's spend as known at its end
    summary = json.loads((finance / "governing-body-summary.json").read_text())
    assert summary["total"]["actual_pence"] == sum(e.amount_pence for e in spends)

    trend = json.loads((first / "commissioner" / "self-audit-trend-prov-np-1.json").read_text())
    assert len(trend) == len(TEMPLATES[CURRENT_TEMPLATE_VERSION].statements)
    assert all([point["academic_year"] for point in s["years"]] == ["2023-24"] and s["years"][0]["standing"]
               for s in trend)
    across = json.loads((first / "commissioner" / "self-audits-across-providers.json").read_text())
    assert all(year["providers"] == 1 and year["counts"]["unrated"] == 0 for s in across for year in s["years"])

    assert _machine_files(first) == _machine_files(again)
