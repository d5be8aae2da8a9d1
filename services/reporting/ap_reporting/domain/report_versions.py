"""The versions a publication of a reporting report records (issue 15, provenance): of each report's layout
and of the rules behind its figures. Raise a report's version when what it shows or how it is laid out
changes, a rule's when how it counts or hides a figure changes, so that a reader of two editions can tell
a changed fact from a changed rule.
"""

from __future__ import annotations

REPORT_VERSIONS: dict[str, int] = {
    "termly_partnership": 1,  # seed 001 s.6: placements, reintegration and incidents by term, suppressed
    "la_annual": 1,  # seed 001 appendix 3 data sections, by academic year
    "partnership_annual": 1,  # seed 001 appendix 3 for one partnership: figures, published narrative, Budget Summary
    "exclusion_strategy": 1,  # seed 004: exclusions by phase and year, stacked from single years
    "schools_forum_panels": 1,  # seed 004 appendix 1: phases with rates, panel referrals, Fair Access, reasons
}

RULE_VERSIONS: dict[str, str] = {
    "suppression.small_numbers": "1",  # STATUTORY.md: 1 and 2 shown as c, with secondary suppression
    "report.fixed_period": "1",  # domain/periods.py: month-aligned terms and academic years
    "dfe.exclusion_counting": "1",  # a reinstated exclusion does not count; one pupil however many suspensions
}
