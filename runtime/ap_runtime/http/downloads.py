"""A report answered as a file to save (CSV, .xlsx): the body, its media type and the file's name.

Rule served (issue 10, "Copies"): finance and reporting each built the ``Content-Disposition`` header by
hand; it is built here once, with the name as an RFC 9110 quoted-string (a quote or backslash in it is
escaped, so it cannot end the name early).
"""

from __future__ import annotations

from fastapi.responses import Response

__all__ = ["attachment"]


def attachment(body: bytes | str, media_type: str, filename: str) -> Response:
    """``body`` as a download named ``filename``."""
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{quoted}"'})
