"""The subject access CLI reads its variables through one settings object, like every process.

Rule served: issue 10, "one way to configure": ``--token`` defaults to ``AP_TOKEN`` and a token is
minted with ``AP_TOKEN_PRIVATE_KEY``, both read by ``load_settings`` (``ExportSettings``), never by the
CLI itself; the token is a secret and does not show in the settings' repr.
"""

from __future__ import annotations

from ap_incidents.entrypoints.subject_access import export_settings, parser

ARGS = ["--pupil", "00000000-0000-4000-8000-000000000001", "--out", "/tmp/out",
        "--incidents-url", "http://incidents", "--notifications-url", "http://notifications"]


def test_the_token_flag_defaults_to_the_settings_token() -> None:
    settings = export_settings({"AP_TOKEN": "a-dpo-token"})
    assert parser(settings).parse_args(ARGS).token == "a-dpo-token"
    assert "a-dpo-token" not in repr(settings)


def test_without_a_token_variable_the_flag_has_no_default() -> None:
    assert parser(export_settings({})).parse_args(ARGS).token is None
    assert parser(export_settings({})).parse_args([*ARGS, "--token", "given"]).token == "given"
