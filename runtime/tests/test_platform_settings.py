"""The shared settings: one function reads the environment, and a bad value is refused by name.

Rule served: issue 10, one way to configure; ``ap_runtime.settings.load_settings`` builds every
service's settings, and ``ap projections run`` refuses a bad ``AP_LOG_LEVEL`` before it connects.
"""

from __future__ import annotations

import pytest

from ap_runtime.projection.__main__ import run
from ap_runtime.settings import InvalidSetting, platform_settings


def test_the_projection_cli_refuses_a_bad_log_level_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AP_LOG_LEVEL", "loud")
    with pytest.raises(ValueError, match="AP_LOG_LEVEL"):
        run(names=[], projection=[], dsn=None, topic=[])


def test_an_empty_variable_counts_as_unset() -> None:
    assert platform_settings({"AP_HTTP_PORT": "", "KAFKA_BOOTSTRAP_SERVERS": ""}).http_port == 8000


def test_a_key_cache_of_zero_seconds_stays_zero() -> None:
    # 0 turns the data-key cache off (tests of erasure rely on it); it must not fall back to the default.
    assert platform_settings({"AP_KEY_CACHE_TTL_SECONDS": "0"}).key_cache_ttl_seconds == 0


def test_every_bad_variable_is_named_at_once() -> None:
    with pytest.raises(InvalidSetting) as refused:
        platform_settings({"AP_HTTP_PORT": "-1", "AP_KEY_CACHE_TTL_SECONDS": "soon", "AP_LOG_LEVEL": "x"})
    assert set(refused.value.problems) == {"AP_HTTP_PORT", "AP_KEY_CACHE_TTL_SECONDS", "AP_LOG_LEVEL"}
