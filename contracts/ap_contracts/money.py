"""Money is integer pence on every contract: exact, JSON-safe, never float."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt

Pence = Annotated[StrictInt, Field(ge=0, description="Amount in pence (GBP), an exact integer")]
SignedPence = Annotated[StrictInt, Field(description="Signed amount in pence (GBP), an exact integer")]


def format_pounds(pence: int) -> str:
    """Render pence as '£1,234.56' (negative as '-£1,234.56')."""
    sign = "-" if pence < 0 else ""
    pounds, rem = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rem:02d}"
