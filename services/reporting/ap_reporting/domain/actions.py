"""The access actions reporting asks about: one read per report audience (BRIEF.md section 4).

Ids of the access policy's vocabulary (``policy.yaml``, ``actions:``); the bootstrap checks
``REPORTING_ACTIONS`` against the loaded policy so a typo stops the process (issue 10).
"""

from __future__ import annotations

READ_WEEKLY_REPORT = "reporting.read_weekly_report"
READ_PARTNERSHIP_REPORT = "reporting.read_partnership_report"
READ_ANNUAL_REPORT = "reporting.read_annual_report"
READ_STRATEGY_REPORT = "reporting.read_strategy_report"
# Issue 14, seed 002 section 5: internal to the provision (term averages and the trip list; the Achievement Board).
READ_ENGAGEMENT_TERM = "reporting.read_engagement_term"
READ_ACHIEVEMENT_BOARD = "reporting.read_achievement_board"
# Issue 15, provenance: publishing a report that leaves its organisation records ReportPublished.
PUBLISH_REPORT = "reporting.publish_report"
# Issue 15, seed 001 appendix 3: the Partnership annual report to stakeholders is published by its lead alone.
PUBLISH_PARTNERSHIP_ANNUAL_REPORT = "reporting.publish_partnership_annual_report"
# Issue 15, provenance: the events behind a shown figure of the HTML view (``domain/figure_trace.py``).
TRACE_FIGURE = "reporting.trace_figure"

REPORTING_ACTIONS = frozenset({READ_WEEKLY_REPORT, READ_PARTNERSHIP_REPORT, READ_ANNUAL_REPORT, READ_STRATEGY_REPORT,
                               READ_ENGAGEMENT_TERM, READ_ACHIEVEMENT_BOARD, PUBLISH_REPORT,
                               PUBLISH_PARTNERSHIP_ANNUAL_REPORT, TRACE_FIGURE})
PUBLISHING_ACTIONS = frozenset({PUBLISH_REPORT, PUBLISH_PARTNERSHIP_ANNUAL_REPORT})
"""The actions that record (``ReportPublished``); every other reporting action reads."""
