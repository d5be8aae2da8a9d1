"""``ap_runtime.http.downloads.attachment``: the one way a service answers a report as a file to save (CSV,
.xlsx), written once for finance and reporting (issue 10, "Copies"). Unit level."""

from __future__ import annotations

from ap_runtime.http.downloads import attachment


def test_a_download_names_its_file_and_media_type() -> None:
    response = attachment("a,b\r\n1,2\r\n", "text/csv; charset=utf-8", "quarterly-return-pbp-1-2026-27-q1.csv")

    assert response.body == b"a,b\r\n1,2\r\n"
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="quarterly-return-pbp-1-2026-27-q1.csv"'


def test_bytes_are_sent_as_they_are() -> None:
    workbook = b"PK\x03\x04 not text"

    assert attachment(workbook, "application/octet-stream", "return.xlsx").body == workbook


def test_a_quote_or_backslash_in_the_name_cannot_end_the_quoted_filename() -> None:
    """RFC 6266 / RFC 9110 quoted-string: a quote or backslash in the name is escaped, not taken as the end."""
    response = attachment("x", "text/csv", 'a"b\\c.csv')

    assert response.headers["content-disposition"] == 'attachment; filename="a\\"b\\\\c.csv"'
