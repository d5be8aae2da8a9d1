"""Identifiers: one strict shape for every organisation and staff id a caller may name.

Rule served (issue 9, "Input and transport"): an identifier is a code, not free text. It starts
with a letter or digit and holds only letters, digits and ``_ . : -`` (staff ids also ``@``, for
ids that are e-mail addresses): no spaces, no quotes, no leading ``=`` ``+`` ``-`` ``@`` that a
spreadsheet would run, no control characters. Finance's commands and events have always used this
shape; the incidents commands use the same definitions from here.

Published event versions keep their own, looser id fields: stored events are never rewritten and a
published schema keeps accepting what it accepted (``schema_compat``), so the shape is enforced
where ids enter, on commands.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
STAFF_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]*$"

OrganisationId = Annotated[
    str,
    Field(min_length=1, max_length=120, pattern=IDENTIFIER_PATTERN),
]
StaffId = Annotated[
    str,
    Field(min_length=1, max_length=200, pattern=STAFF_ID_PATTERN),
]
