"""The single-node KRaft broker's settings: the one definition kafka.sh and compose's broker use.

Rule served (issue 9, "Input and transport", and issue 10, "Copies"): the local broker
(``deploy/local/kafka.sh``, what CI runs) and compose's (``deploy/compose/kafka-start.sh``) take the
same SASL/SCRAM-SHA-512 and ACL settings and the same storage and topic defaults, written here
once. Clients and brokers authenticate with SCRAM-SHA-512; the controller listener takes PLAIN with
the admin alone (SCRAM credentials live in the metadata log the controller serves, so it cannot use
them itself); nothing is allowed without an ACL but to the admin, the super user.

kafka.sh asks for its sections at every start (``sasl-properties`` reads the admin's password on
stdin, never from the command line; ``node-properties --log-dirs DIR``). Compose's image has no
Python: its start script is generated (``compose-start-script``) and a test keeps it equal.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from ap_runtime.kafka_acls import ADMIN, admin_properties, platform_grants, principals

SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required"
PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule required"
COMPOSE_START_SCRIPT = "deploy/compose/kafka-start.sh"
COMPOSE_DATA_DIR = "/var/lib/kafka/data"
# Compose passes the admin's password in the environment; the script names the variable, bash expands it.
COMPOSE_ADMIN_PASSWORD = "$AP_KAFKA_ADMIN_PASSWORD"  # noqa: S105  # nosec B105  # a variable's name


def sasl_properties(admin_password: str, admin: str = ADMIN) -> list[str]:
    """SCRAM-SHA-512 on the broker listener, PLAIN with the admin alone on the controller's, ACLs."""
    return [
        "sasl.enabled.mechanisms=SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
        "sasl.mechanism.controller.protocol=PLAIN",
        "listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512",
        f"listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config={SCRAM_LOGIN}"
        f' username="{admin}" password="{admin_password}";',
        "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
        f"listener.name.controller.plain.sasl.jaas.config={PLAIN_LOGIN}"
        f' username="{admin}" password="{admin_password}" user_{admin}="{admin_password}";',
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        f"super.users=User:{admin}",
        "allow.everyone.if.no.acl.found=false",
    ]


def node_properties(log_dirs: str) -> list[str]:
    """One KRaft node's storage and topic defaults: one replica, six partitions, records kept forever."""
    return [
        f"log.dirs={log_dirs}",
        "num.partitions=6",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=6",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=true",
        # Event topics are history: keep records forever (the event store stays the source of truth).
        "log.retention.hours=-1",
    ]


def password_variable(principal: str) -> str:
    """The environment variable holding ``principal``'s SCRAM password (as kafka.sh names it too)."""
    return "AP_KAFKA_PASSWORD_" + principal.upper().replace("-", "_")


def _compose_server_properties(admin_password: str) -> list[str]:
    """Compose's node: the broker listener for the other containers, another for the host (port 9094)."""
    return [
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@kafka:9093",
        "listeners=SASL_PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:9094",
        "advertised.listeners=SASL_PLAINTEXT://kafka:9092,HOST://127.0.0.1:9094",
        "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT,HOST:SASL_PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=SASL_PLAINTEXT",
        *sasl_properties(admin_password),
        # The host's listener takes any SCRAM user, as the broker listener does.
        "listener.name.host.sasl.enabled.mechanisms=SCRAM-SHA-512",
        f"listener.name.host.scram-sha-512.sasl.jaas.config={SCRAM_LOGIN};",
        *node_properties(COMPOSE_DATA_DIR),
    ]


def compose_start_script(service_principals: Sequence[str]) -> str:
    """The entrypoint of compose's Kafka (generated: ``compose-start-script``); passwords from its environment."""
    admin_password = COMPOSE_ADMIN_PASSWORD
    scram_users = [f"SCRAM-SHA-512=[name={ADMIN},password={admin_password}]"] + [
        f"SCRAM-SHA-512=[name={p},password=${{{password_variable(p)}:?}}]" for p in service_principals
    ]
    lines = [
        "#!/bin/bash",
        "# Generated by `python -m ap_runtime.kafka_broker compose-start-script` from ap_runtime/kafka_broker.py:",
        "# do not edit. Compose's Kafka: one KRaft node with SASL/SCRAM-SHA-512 for clients and ACLs.",
        "# SCRAM users (ap-admin and each service principal of ap_runtime/kafka_acls.py) are written into the",
        "# metadata log when the data volume is first formatted; passwords come from the environment.",
        "set -euo pipefail",
        ': "${AP_KAFKA_ADMIN_PASSWORD:?}"',
        "config=/tmp/server.properties",
        'cat >"$config" <<PROPS',
        *_compose_server_properties(admin_password),
        "PROPS",
        "cat >/tmp/admin.properties <<PROPS",
        admin_properties(admin_password).rstrip("\n"),
        "PROPS",
        f"if [ ! -f {COMPOSE_DATA_DIR}/meta.properties ]; then",
        '  /opt/kafka/bin/kafka-storage.sh format -t "$(/opt/kafka/bin/kafka-storage.sh random-uuid)" -c "$config" \\',
        *(f'    --add-scram "{user}" \\' for user in scram_users[:-1]),
        f'    --add-scram "{scram_users[-1]}"',
        "fi",
        'exec /opt/kafka/bin/kafka-server-start.sh "$config"',
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ap_runtime.kafka_broker", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("sasl-properties", help="print the SASL and ACL settings; the admin's password on stdin")
    node = sub.add_parser("node-properties", help="print the storage and topic defaults")
    node.add_argument("--log-dirs", required=True, help="the broker's data directory")
    sub.add_parser("compose-start-script", help=f"print {COMPOSE_START_SCRIPT} (compose's Kafka entrypoint)")
    args = parser.parse_args(argv)
    if args.command == "sasl-properties":
        password = (stdin or sys.stdin).read().strip()
        if not password:
            parser.error("sasl-properties: the admin's password is missing on stdin")
        print("\n".join(sasl_properties(password)))
    elif args.command == "node-properties":
        print("\n".join(node_properties(args.log_dirs)))
    else:
        sys.stdout.write(compose_start_script(principals(platform_grants())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
