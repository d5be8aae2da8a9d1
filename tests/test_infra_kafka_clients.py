"""Every Kafka client in the code takes its security settings from ap_runtime.kafka (one function).

Rule served: issue 9 transport: with SASL/SCRAM and ACLs on the broker, a client built without the
process's credentials would either fail or, worse, reach an unauthenticated listener. Statically
checked: each AIOKafkaProducer/Consumer/AdminClient call passes ``**client_security()`` and each
FastStream ``KafkaBroker`` call passes ``security=``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ap_runtime.kafka import KafkaSecurity, broker_security, client_security

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("runtime", "services", "testing", "bench", "tests", "demo")
AIOKAFKA_CLIENTS = {"AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaAdminClient"}


def _calls(name_set: set[str]) -> list[tuple[Path, ast.Call]]:
    found = []
    for folder in SCANNED:
        for path in (ROOT / folder).rglob("*.py"):
            if ".venv" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = getattr(func, "id", None) or getattr(func, "attr", "")
                    if name in name_set:
                        found.append((path, node))
    return found


def _where(path: Path, node: ast.Call) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def test_every_aiokafka_client_gets_the_security_settings() -> None:
    calls = [(p, n) for p, n in _calls(AIOKAFKA_CLIENTS) if p.name != "kafka.py" or "ap_runtime" not in p.parts]
    assert calls, "the scan found no Kafka clients: it is looking in the wrong place"
    missing = [
        _where(path, node) for path, node in calls
        if not any(kw.arg is None and isinstance(kw.value, ast.Call) and isinstance(kw.value.func, ast.Name)
                   and kw.value.func.id == "client_security" for kw in node.keywords)
    ]
    assert missing == [], f"Kafka clients built without **client_security(): {missing}"


def test_every_faststream_broker_gets_the_security_settings() -> None:
    calls = _calls({"KafkaBroker"})
    assert calls, "the scan found no KafkaBroker: it is looking in the wrong place"
    missing = [_where(path, node) for path, node in calls if not any(kw.arg == "security" for kw in node.keywords)]
    assert missing == [], f"KafkaBroker built without security=: {missing}"


def test_plaintext_when_nothing_is_configured() -> None:
    security = KafkaSecurity.from_env({})
    assert client_security(security) == {"security_protocol": "PLAINTEXT"}
    assert broker_security(security) is None


def test_a_username_means_scram_sha_512_over_sasl() -> None:
    security = KafkaSecurity.from_env({"AP_KAFKA_USERNAME": "ap-finance", "AP_KAFKA_PASSWORD": "pw"})
    assert client_security(security) == {
        "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "ap-finance", "sasl_plain_password": "pw",
    }
    assert broker_security(security) is not None


@pytest.mark.parametrize("env", [
    {"AP_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"},
    {"AP_KAFKA_USERNAME": "ap-finance"},
    {"AP_KAFKA_SECURITY_PROTOCOL": "SSL-ish", "AP_KAFKA_USERNAME": "u", "AP_KAFKA_PASSWORD": "p"},
])
def test_incomplete_or_unknown_settings_are_refused_with_the_variable_named(env: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="AP_KAFKA_"):
        KafkaSecurity.from_env(env)
