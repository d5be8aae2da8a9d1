"""The reporting processes refuse a bad setting at start, naming the variable; one port scheme.

Rule served: issue 10, one typed settings object per service and the same names for the same things
(``AP_HTTP_HOST`` / ``AP_HTTP_PORT`` in every service; ``AP_REPORTING_API_HOST`` / ``_PORT`` are
deprecated old names, still read).
"""

from __future__ import annotations

import pytest

from ap_reporting.entrypoints import api
from ap_reporting.entrypoints.settings import ReportingSettings
from ap_runtime.settings import InvalidSetting


def test_the_api_refuses_a_bad_port_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AP_HTTP_PORT", "70000")
    monkeypatch.setenv("AP_REPORTING_API_PORT", "not-a-port")
    with pytest.raises(ValueError, match="AP_HTTP_PORT"):
        api.main()


def test_the_port_has_the_shared_name_and_the_old_one_still_works() -> None:
    assert ReportingSettings.from_env({"AP_HTTP_PORT": "9001", "AP_HTTP_HOST": "0.0.0.0"}).http_port == 9001
    old = ReportingSettings.from_env({"AP_REPORTING_API_PORT": "9002", "AP_REPORTING_API_HOST": "0.0.0.0"})
    assert (old.http_port, old.http_host) == (9002, "0.0.0.0")
    assert ReportingSettings.from_env({}).http_port == 8040


def test_a_bad_old_name_is_refused_under_its_own_name() -> None:
    with pytest.raises(InvalidSetting) as refused:
        ReportingSettings.from_env({"AP_REPORTING_API_PORT": "x"})
    assert list(refused.value.problems) == ["AP_REPORTING_API_PORT"]
