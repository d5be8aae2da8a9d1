"""The notifications processes refuse a bad setting at start, naming the variable; one port scheme.

Rule served: issue 10, one typed settings object per service and the same names for the same things
(``AP_HTTP_HOST`` / ``AP_HTTP_PORT`` in every service; ``AP_NOTIFY_API_HOST`` / ``_PORT`` are
deprecated old names, still read).
"""

from __future__ import annotations

import pytest

from ap_notifications.entrypoints import api
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.settings import InvalidSetting


def test_the_api_refuses_a_bad_port_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AP_HTTP_PORT", "0")
    monkeypatch.setenv("AP_NOTIFY_API_PORT", "not-a-port")
    with pytest.raises(ValueError, match="AP_HTTP_PORT"):
        api.main()


def test_smtp_delivery_without_a_relay_names_the_missing_variable() -> None:
    with pytest.raises(InvalidSetting) as refused:
        NotificationSettings.from_env({"AP_NOTIFY_DELIVERY": "smtp"})
    assert list(refused.value.problems) == ["AP_NOTIFY_SMTP_HOST"]


def test_a_bad_delivery_channel_is_refused_by_name() -> None:
    with pytest.raises(InvalidSetting) as refused:
        NotificationSettings.from_env({"AP_NOTIFY_DELIVERY": "pigeon"})
    assert list(refused.value.problems) == ["AP_NOTIFY_DELIVERY"]


def test_the_port_has_the_shared_name_and_the_old_one_still_works() -> None:
    assert NotificationSettings.from_env({"AP_HTTP_PORT": "9001"}).http_port == 9001
    assert NotificationSettings.from_env({"AP_NOTIFY_API_PORT": "9002"}).http_port == 9002
    assert NotificationSettings.from_env({}).http_port == 8030
