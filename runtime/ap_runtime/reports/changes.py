"""What changed between two editions of a report (issue 15: "a report re-issued after a correction says what
changed since the published version").

Rule served: a back-dated correction is visible as such. Each service flattens an edition to its figures, one
name (where the figure is in the report) to one value as its CSV shows it, leaving out what is not a figure
(headers, notes); the two editions' figures are compared here by name and value.
"""

from __future__ import annotations

from collections.abc import Mapping

from ap_contracts.events.reports import FigureChange


def changed_figures(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[FigureChange, ...]:
    """Each figure whose value differs, in the order of the later edition, then those it no longer has."""
    changed = [FigureChange(figure=name, old=old.get(name), new=value)
               for name, value in new.items() if old.get(name) != value]
    gone = [FigureChange(figure=name, old=value, new=None) for name, value in old.items() if name not in new]
    return tuple(changed + gone)
