"""What every service's published reports share (issue 15, point in time and provenance): the moment a report
"as at" a day is cut at, the digest a publication records, and the figures that changed between two editions.
The figures themselves stay with the services."""

from ap_runtime.reports.changes import changed_figures
from ap_runtime.reports.provenance import content_digest, end_of_day_in_england

__all__ = ["changed_figures", "content_digest", "end_of_day_in_england"]
