"""What changed between two editions of a report (issue 15: "a report re-issued after a correction says what
changed since the published version").

Rule served: a back-dated correction is visible as such. Both editions are flattened to the CSV's rows (one
figure per row); a figure is named ``section / line / measure`` and compared by value
(``ap_runtime.reports.changed_figures``, shared with the reporting service). The header (its as-at,
production time and stream position) and the notes (which quote them) differ between any two editions and
are not figures, so they are left out.
"""

from __future__ import annotations

from ap_contracts.events.reports import FigureChange
from ap_finance.reports.models import ReportModel
from ap_finance.reports.render_csv import rows
from ap_runtime.reports import changed_figures

NOT_FIGURES = frozenset({"header", "notes"})


def _figures(report: ReportModel) -> dict[str, str]:
    return {f"{section} / {line} / {measure}": str(value)
            for section, line, measure, value, _, _ in rows(report) if section not in NOT_FIGURES}


def figure_changes(before: ReportModel, after: ReportModel) -> tuple[FigureChange, ...]:
    """Each figure whose value differs, in the order of the later edition, then those it no longer has."""
    return changed_figures(_figures(before), _figures(after))
