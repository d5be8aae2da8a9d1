"""The broker settings are written once (ap_runtime.kafka_broker) for the local broker and compose's.

Rule served: issue 10, "Copies" (the SASL/SCRAM and storage settings were written twice, in
deploy/local/kafka.sh and deploy/compose/kafka-start.sh), without weakening issue 9's broker: SCRAM
for clients, PLAIN with the admin alone on the controller listener, nothing without an ACL.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ap_runtime import kafka_acls, kafka_broker

ROOT = Path(__file__).resolve().parents[1]


def _settings(lines: list[str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in lines)


def test_compose_kafka_start_is_generated_from_the_one_definition() -> None:
    script = (ROOT / kafka_broker.COMPOSE_START_SCRIPT).read_text(encoding="utf-8")
    expected = kafka_broker.compose_start_script(kafka_acls.principals(kafka_acls.platform_grants()))
    assert script == expected, (
        "regenerate: python -m ap_runtime.kafka_broker compose-start-script > deploy/compose/kafka-start.sh"
    )


def test_the_local_script_writes_none_of_the_shared_settings_itself() -> None:
    script = (ROOT / "deploy/local/kafka.sh").read_text(encoding="utf-8")
    shared = [*kafka_broker.sasl_properties("pw"), *kafka_broker.node_properties("/data")]
    written_twice = [line.split("=", 1)[0] for line in shared if f"\n{line.split('=', 1)[0]}=" in script]
    assert written_twice == []
    assert "ap_runtime.kafka_broker sasl-properties" in script
    assert "ap_runtime.kafka_broker node-properties" in script


def test_sasl_settings_take_scram_from_clients_and_plain_from_the_admin_alone() -> None:
    settings = _settings(kafka_broker.sasl_properties("s3cret"))
    assert settings["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert settings["listener.name.sasl_plaintext.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert settings["listener.name.controller.sasl.enabled.mechanisms"] == "PLAIN"
    controller_login = settings["listener.name.controller.plain.sasl.jaas.config"].split()
    plain_users = [word for word in controller_login if word.startswith("user_")]
    assert plain_users == ['user_ap-admin="s3cret";']
    assert settings["super.users"] == "User:ap-admin"
    assert settings["allow.everyone.if.no.acl.found"] == "false"


def test_the_admin_password_is_read_on_stdin_and_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert kafka_broker.main(["sasl-properties"], stdin=io.StringIO("s3cret\n")) == 0
    assert 'password="s3cret";' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        kafka_broker.main(["sasl-properties"], stdin=io.StringIO(""))
    assert "the admin's password is missing on stdin" in capsys.readouterr().err


def test_node_settings_name_the_data_directory_and_keep_records_forever(capsys: pytest.CaptureFixture[str]) -> None:
    assert kafka_broker.main(["node-properties", "--log-dirs", "/d"]) == 0
    settings = _settings(capsys.readouterr().out.splitlines())
    assert settings["log.dirs"] == "/d"
    assert settings["log.retention.hours"] == "-1"
    assert settings["num.partitions"] == "6"
