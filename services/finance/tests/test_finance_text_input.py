"""Every finance command body refuses unstorable text (NUL, unpaired surrogates) naming the field
(issue 9, "Input and transport"); the commands share the contracts' guarded base."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ap_contracts.schema_tools import describe_validation_error
from ap_contracts.text import TextGuardedModel
from ap_finance.entrypoints.command_routes import COMMAND_ROUTES


def test_every_finance_command_body_is_text_guarded() -> None:
    assert COMMAND_ROUTES
    assert [r.model.__name__ for r in COMMAND_ROUTES if not issubclass(r.model, TextGuardedModel)] == []


@pytest.mark.parametrize("bad", ["Acme\x00Ltd", "Acme\ud800Ltd"], ids=["nul", "unpaired-surrogate"])
def test_a_supplier_name_with_unstorable_text_is_refused_naming_the_field(bad: str) -> None:
    route = next(r for r in COMMAND_ROUTES if "supplier" in r.model.model_fields)
    with pytest.raises(ValidationError) as raised:
        route.model.model_validate({"supplier": bad})
    fields = [p["field"] for p in describe_validation_error(raised.value)]
    assert fields == ["supplier"]
