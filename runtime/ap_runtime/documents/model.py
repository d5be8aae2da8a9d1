"""What a report document holds, independent of HTML or PDF: text and already-formatted figures only."""

from __future__ import annotations

from dataclasses import dataclass, field

from ap_runtime.documents.charts import BarChart


@dataclass(frozen=True)
class Fact:
    """One labelled line of the document's header (provision, period, as at ...)."""

    label: str
    value: str


@dataclass(frozen=True)
class DocumentTable:
    """A table with a caption (read out by screen readers) and its first column as row headers.

    ``rows`` are already formatted cells (the service formats money and suppressed ``c``); ``total``, when
    given, is shown last in bold as the table's footer.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None = None
    links: tuple[tuple[str | None, ...], ...] = ()
    """Optional, row by row and cell by cell: where a figure links to (its trace), None for no link."""

    def __post_init__(self) -> None:
        width = len(self.columns)
        if self.links and (len(self.links) != len(self.rows) or any(len(row) != width for row in self.links)):
            raise ValueError(f"table {self.caption!r}: links must give one entry per cell of each row")
        for row in (*self.rows, *([self.total] if self.total else [])):
            if len(row) != width:
                raise ValueError(f"table {self.caption!r}: a row has {len(row)} cells for {width} columns")


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[DocumentTable, ...] = ()
    charts: tuple[BarChart, ...] = ()


@dataclass(frozen=True)
class Document:
    """A whole report: its title, who it is for, header facts, sections and closing notes."""

    title: str
    audience: str
    facts: tuple[Fact, ...]
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = field(default=())
