"""A ``Document`` as HTML (Jinja2, autoescaped, no JavaScript) and as PDF made from that same HTML."""

from __future__ import annotations

import asyncio
import threading
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ap_runtime.documents.charts import chart_html
from ap_runtime.documents.model import Document

HTML_MEDIA_TYPE = "text/html; charset=utf-8"
PDF_MEDIA_TYPE = "application/pdf"
# One PDF laid out at a time per process: WeasyPrint does not promise that concurrent layouts in threads
# are safe (Pango and fontconfig state), and a report is seconds at most.
_LAYOUT = threading.Lock()


@cache
def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("ap_runtime.documents", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True))
    # The chart's markup is built by charts.py, which escapes every text it places; it is inlined as markup. The
    # template names each chart's ids (``chart-<section>-<chart>``), so two charts in a document share none.
    environment.filters["chart"] = lambda chart, id_prefix: Markup(chart_html(chart, id_prefix))  # noqa: S704  # nosec B704 - our SVG escapes text
    return environment


def render_html(document: Document) -> str:
    """The document as one self-contained HTML page (styles inline, charts inline SVG)."""
    return _environment().get_template("document.html.j2").render(document=document)


def render_pdf(document: Document) -> bytes:
    """The same HTML laid out as A4 pages by WeasyPrint (no network: the page refers to nothing outside)."""
    from weasyprint import HTML  # imported here: loading its fonts and Pango costs time other paths need not pay

    with _LAYOUT:
        pdf: bytes = HTML(string=render_html(document)).write_pdf()
    return pdf


async def render_pdf_off_loop(document: Document) -> bytes:
    """``render_pdf`` in a worker thread: laying out pages is CPU work that would otherwise hold up every other
    request the API's event loop is serving."""
    return await asyncio.to_thread(render_pdf, document)
