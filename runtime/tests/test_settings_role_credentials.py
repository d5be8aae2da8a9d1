"""A process reaches each database with that database's role credentials, never the admin's.

Rule served: issue 9 least privilege; ``ap_runtime.settings.database_dsn`` builds per-role DSNs.
"""

from __future__ import annotations

import pytest

from ap_runtime.settings import database_dsn


def test_role_credentials_replace_the_server_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:secret@db.internal:5432/postgres")
    monkeypatch.delenv("AP_DSN_AP_KEYS", raising=False)
    monkeypatch.setenv("AP_PG_USER_AP_KEYS", "ap_keys")
    monkeypatch.setenv("AP_PG_PASSWORD_AP_KEYS", "p@ss/word:1")
    assert database_dsn("ap_keys") == "postgresql://ap_keys:p%40ss%2Fword%3A1@db.internal:5432/ap_keys"


def test_without_role_credentials_the_server_dsn_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:55432/postgres")
    for name in ("AP_DSN_AP_FINANCE", "AP_PG_USER_AP_FINANCE", "AP_PG_PASSWORD_AP_FINANCE"):
        monkeypatch.delenv(name, raising=False)
    assert database_dsn("ap_finance") == "postgresql://postgres@127.0.0.1:55432/ap_finance"


def test_a_whole_dsn_override_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AP_PG_USER_AP_AUDIT", "ap_audit")
    monkeypatch.setenv("AP_DSN_AP_AUDIT", "postgresql://elsewhere/ap_audit")
    assert database_dsn("ap_audit") == "postgresql://elsewhere/ap_audit"
