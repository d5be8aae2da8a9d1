"""Reports as documents (issue 15, "As documents"): one rendering layer for every service's reports.

A service turns its report model into a ``Document`` (headings, facts, tables with captions, charts);
this package renders it as accessible HTML (``render_html``) and as PDF from the same HTML
(``render_pdf``, WeasyPrint). Charts are drawn once as SVG (``charts``) and inlined in both. The
figures stay with the services: nothing here computes or rounds one.
"""

from ap_runtime.documents.charts import BarChart, Series, bar_chart_svg, chart_html
from ap_runtime.documents.labels import label_words
from ap_runtime.documents.model import Document, DocumentTable, Fact, Section
from ap_runtime.documents.render import (
    HTML_MEDIA_TYPE,
    PDF_MEDIA_TYPE,
    render_html,
    render_pdf,
    render_pdf_off_loop,
)

__all__ = ["HTML_MEDIA_TYPE", "PDF_MEDIA_TYPE", "BarChart", "Document", "DocumentTable", "Fact", "Section",
           "Series", "bar_chart_svg", "chart_html", "label_words", "render_html", "render_pdf", "render_pdf_off_loop"]
