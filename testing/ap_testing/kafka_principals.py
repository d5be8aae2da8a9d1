"""Fresh Kafka principals with the platform's own grants, for tests on the SASL broker.

A test makes ``t<random>-<service>`` with the grants ``ap_runtime.kafka_acls.platform_grants`` gives
``ap-<service>``, on topics of its own, using Kafka's ConfigCommand and AclCommand as the admin
(AP_KAFKA_USERNAME / AP_KAFKA_PASSWORD). The jars come from deploy/local/kafka.sh's directory.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from pathlib import Path

import ap_runtime.kafka_acls as kafka_acls
from ap_runtime.kafka import KafkaSecurity


def kafka_libs() -> Path:
    """The Kafka jars deploy/local/kafka.sh fetched (AP_KAFKA_LIBS, else its default directory)."""
    state = Path(os.environ.get("AP_STATE_DIR", Path.home() / ".cache" / "ap-platform"))
    libs = Path(os.environ.get("AP_KAFKA_LIBS", state / "kafka" / "libs"))
    if not any(libs.glob("kafka-tools-*.jar")):
        raise AssertionError(f"Kafka's tools are not in {libs}: deploy/local/kafka.sh start fetches them")
    return libs


def admin_security() -> KafkaSecurity:
    """The admin's settings from the environment; the broker under test must run SASL/SCRAM."""
    admin = KafkaSecurity.from_env()
    if not (admin.sasl and admin.username and admin.password):
        raise AssertionError(
            "the broker under test must run SASL/SCRAM with ACLs (deploy/local/kafka.sh start) and "
            "AP_KAFKA_USERNAME/AP_KAFKA_PASSWORD must name its admin: `make test` passes them"
        )
    return admin


async def new_principal(bootstrap: str, service: str, topics: kafka_acls.Topics) -> KafkaSecurity:
    """A new principal holding the platform's grants of ``service`` on ``topics``; its settings."""
    admin = admin_security()
    if admin.password is None or admin.username is None:
        raise ValueError("the Kafka admin's settings name no user or password")
    prefix = f"t{secrets.token_hex(4)}-"
    name, password = f"{prefix}{service}", secrets.token_hex(16)
    grants = [g for g in kafka_acls.platform_grants(topics, principal_prefix=prefix) if g.principal == name]
    if not grants:
        raise ValueError(f"no grants for service {service!r}")
    libs = kafka_libs()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "admin.properties"
        config.write_text(kafka_acls.admin_properties(admin.password, admin.username))
        await asyncio.to_thread(kafka_acls.add_scram_user, name, password, bootstrap, config, libs)
        await asyncio.to_thread(kafka_acls.apply, grants, bootstrap, config, libs)
    return KafkaSecurity("SASL_PLAINTEXT", name, password)
