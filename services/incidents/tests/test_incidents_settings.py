"""The incidents processes refuse a bad setting at start, naming the variable.

Rule served: issue 10, one typed settings object per service (``entrypoints.settings``); a value that
does not parse stops the process before it opens a pool or binds a port, and says which variable.
"""

from __future__ import annotations

import pytest

from ap_incidents.entrypoints import api
from ap_incidents.entrypoints.settings import incidents_settings
from ap_runtime.settings import InvalidSetting


def test_the_api_refuses_a_port_that_is_not_a_number_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AP_HTTP_PORT", "eighty")
    with pytest.raises(ValueError, match="AP_HTTP_PORT"):
        api.main()


def test_the_settings_name_each_bad_variable_and_never_its_value() -> None:
    with pytest.raises(InvalidSetting) as refused:
        incidents_settings({"AP_INCIDENTS_COMMANDS_PURGE_SECONDS": "0", "AP_LOG_LEVEL": "s3cret-ish"})
    assert set(refused.value.problems) == {"AP_INCIDENTS_COMMANDS_PURGE_SECONDS", "AP_LOG_LEVEL"}
    assert "s3cret-ish" not in str(refused.value)


def test_the_settings_read_the_incidents_variables() -> None:
    settings = incidents_settings({"AP_INCIDENTS_EVENTS_TOPIC": "t-events", "AP_INCIDENTS_READ_DSN": "",
                                   "AP_HTTP_PORT": "8123", "AP_LOG_LEVEL": "debug"})
    assert (settings.events_topic, settings.read_dsn, settings.http_port, settings.log_level) == \
        ("t-events", None, 8123, "DEBUG")
