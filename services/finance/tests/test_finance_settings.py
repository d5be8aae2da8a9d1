"""The finance processes refuse a bad setting at start, naming the variable.

Rule served: issue 10, one typed settings object per service (``entrypoints.settings``); a value that
does not parse stops the process before it opens a pool or binds a port, and says which variable.
"""

from __future__ import annotations

import pytest

from ap_finance.entrypoints import api
from ap_finance.entrypoints.settings import finance_settings
from ap_runtime.settings import InvalidSetting


def test_the_api_refuses_a_port_that_is_not_a_number_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AP_HTTP_PORT", "eighty")
    with pytest.raises(ValueError, match="AP_HTTP_PORT"):
        api.main()


def test_the_settings_refuse_a_port_out_of_range_by_name() -> None:
    with pytest.raises(InvalidSetting) as refused:
        finance_settings({"AP_HTTP_PORT": "70000"})
    assert list(refused.value.problems) == ["AP_HTTP_PORT"]


def test_the_settings_read_the_finance_read_model_database() -> None:
    assert finance_settings({"AP_FINANCE_READ_DSN": "postgresql://h/ap_finance_read"}).read_dsn == \
        "postgresql://h/ap_finance_read"
    assert finance_settings({}).read_dsn is None
