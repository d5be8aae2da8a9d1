"""A published report in the format asked for: JSON, CSV, workbook, HTML page or PDF (issue 15, "As documents").

Every format shows the same suppressed tables; the page and the PDF also say the day and moment the report is
as at (the ``Report-As-At`` and ``Report-Recorded-By`` headers say it to a machine). Shared by the routes of
``api``, ``schools_forum_routes`` and ``partnership_annual_routes`` so each report offers the formats the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Literal

from fastapi import Response
from pydantic import BaseModel

from ap_reporting.adapters.csv_render import tables_csv
from ap_reporting.adapters.xlsx_render import tables_workbook
from ap_reporting.domain.published import Table
from ap_reporting.entrypoints.report_moment import ReportMoment
from ap_runtime.documents import HTML_MEDIA_TYPE, PDF_MEDIA_TYPE, Document, Fact, render_html, render_pdf_off_loop
from ap_runtime.http.downloads import attachment

DocumentFormat = Literal["json", "csv", "xlsx", "html", "pdf"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def answer(result: Response | BaseModel, moment: ReportMoment, response: Response) -> Response | BaseModel:
    """Stamp the report's as-at day and moment on what is sent (a returned model is sent with ``response``'s
    headers, a returned response with its own)."""
    moment.stamp(result if isinstance(result, Response) else response)
    return result


def dated(document: Document, moment: ReportMoment) -> Document:
    """The document with the day and moment its facts are as at."""
    return replace(document, facts=(*document.facts, Fact("As at", moment.as_at.isoformat()),
                                    Fact("Facts recorded by", moment.recorded_by.isoformat())))


async def published(report: BaseModel, tables: Sequence[Table], document: Callable[[], Document],
                    fmt: DocumentFormat, name: str, moment: ReportMoment) -> Response | BaseModel:
    """A published report in the format asked for: every format shows the same suppressed tables."""
    if fmt == "csv":
        return attachment(tables_csv(tables), "text/csv", f"{name}.csv")
    if fmt == "xlsx":
        return attachment(tables_workbook(tables, document().notes), XLSX, f"{name}.xlsx")
    if fmt == "html":
        return Response(render_html(dated(document(), moment)), media_type=HTML_MEDIA_TYPE)
    if fmt == "pdf":
        return attachment(await render_pdf_off_loop(dated(document(), moment)), PDF_MEDIA_TYPE, f"{name}.pdf")
    return report
