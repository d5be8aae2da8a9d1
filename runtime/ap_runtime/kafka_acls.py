"""Kafka principals and ACLs: the one definition kafka.sh, compose and the tests apply.

Rule served (issue 9, "Input and transport"): the broker authenticates every client with
SASL/SCRAM-SHA-512 and a service principal may produce and consume only its own topics. Each
service's processes share one principal (``ap-<service>``); ``ap-admin`` is the broker's super user
(tools, topic administration, the test fixtures). ``ap-incidents-client`` is a command sender: it
writes the command topic and reads the results topic, nothing else.

What each principal may do (topics from ``ap_contracts.topics``; ``<topic>.dlt`` is a dead-letter
topic the projection runner writes; consumer groups are prefixed by the service's group names):

=====================  ==========================================================================
principal              grants
=====================  ==========================================================================
ap-incidents           write+create: incidents events, privacy events, command results, own DLTs
                       (of the event topics it projects; none of the command topic, which nothing
                       dead-letters); read: command topic (group ap.incidents.commands*), incidents
                       and privacy events (groups ap.projection.incidents_*); create the command topic,
                       delete its records and alter its configs (processed commands are deleted;
                       segment bounds); write the audit heads topic
ap-finance             write+create: finance events, own DLTs; read: finance and incidents events
                       (groups ap.projection.finance_*, ap.projection.placement_costs*); audit heads
ap-reporting           write+create: reporting events (its relay: the reports it publishes), own DLTs; read:
                       incidents, finance, privacy and commissioning events (groups
                       ap.projection.reporting*; commissioning's panel referrals and Fair Access cases for
                       the Schools Forum tables); audit heads
ap-notifications       write+create: notifications events, own DLTs; read: incidents, privacy,
                       notifications and commissioning events (groups ap.projection.notification*); audit heads
ap-commissioning       write+create: commissioning events (its relay), own DLT (of the incidents events); read:
                       incidents events (group ap.projection.commissioning_*: the register's term dates, clear
                       fields only; it holds no pupil key); audit heads
ap-incidents-client    write: command topic; read: command results (no group)
=====================  ==========================================================================

``python -m ap_runtime.kafka_acls principals`` lists the principals (kafka.sh creates their SCRAM
credentials when it formats the storage); ``apply`` adds the ACLs with Kafka's own
``org.apache.kafka.tools.AclCommand`` (aiokafka has no ACL admin), signed in as the admin.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess  # nosec B404  # runs Kafka's own AclCommand with arguments built here
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ap_contracts.topics import (
    COMMISSIONING_EVENTS,
    FINANCE_EVENTS,
    INCIDENTS_COMMAND_RESULTS,
    INCIDENTS_COMMANDS,
    INCIDENTS_EVENTS,
    NOTIFICATIONS_EVENTS,
    PRIVACY_EVENTS,
    REPORTING_EVENTS,
    dead_letter_topic,
)
from ap_runtime.settings import DeployJobSettings

ADMIN = "ap-admin"
AUDIT_HEADS = "ap.audit.heads"
ACL_COMMAND = "org.apache.kafka.tools.AclCommand"
CONFIG_COMMAND = "kafka.admin.ConfigCommand"


@dataclass(frozen=True, slots=True)
class Grant:
    """Operations ``principal`` may perform on the named topics or consumer groups."""

    principal: str
    resource: str  # "topic" or "group"
    names: tuple[str, ...]
    operations: tuple[str, ...]
    prefixed: bool = False


@dataclass(frozen=True, slots=True)
class Topics:
    """The topic names the grants name (tests substitute fresh ones)."""

    incidents_events: str = INCIDENTS_EVENTS
    incidents_commands: str = INCIDENTS_COMMANDS
    command_results: str = INCIDENTS_COMMAND_RESULTS
    finance_events: str = FINANCE_EVENTS
    notifications_events: str = NOTIFICATIONS_EVENTS
    commissioning_events: str = COMMISSIONING_EVENTS
    reporting_events: str = REPORTING_EVENTS
    privacy_events: str = PRIVACY_EVENTS
    audit_heads: str = AUDIT_HEADS


PRODUCE = ("Write", "Describe", "Create")
CONSUME = ("Read", "Describe")
GROUP = ("Read", "Describe")


def platform_grants(topics: Topics = Topics(), principal_prefix: str = "ap-") -> tuple[Grant, ...]:
    """Every principal's ACLs (``principal_prefix`` lets a test make its own principals)."""
    t = topics
    dlt = dead_letter_topic

    def who(service: str) -> str:
        return f"{principal_prefix}{service}"

    incidents, finance = who("incidents"), who("finance")
    reporting, notifications, client = who("reporting"), who("notifications"), who("incidents-client")
    commissioning = who("commissioning")
    heads = [Grant(p, "topic", (t.audit_heads,), PRODUCE)
             for p in (incidents, finance, reporting, notifications, commissioning)]
    return (
        # No dead-letter topic of the command topic: nothing writes one (a command that cannot be processed
        # is answered "failed"), and it would hold plaintext commands (tests/test_kafka_dead_letter_grants.py).
        Grant(incidents, "topic", (t.incidents_events, t.privacy_events, t.command_results,
                                   dlt(t.incidents_events), dlt(t.privacy_events)), PRODUCE),
        Grant(incidents, "topic", (t.incidents_commands, t.incidents_events, t.privacy_events), CONSUME),
        Grant(incidents, "topic", (t.incidents_commands,), ("Create", "Delete", "DescribeConfigs", "AlterConfigs")),
        Grant(incidents, "group", ("ap.incidents.commands", "ap.projection.incidents_"), GROUP, prefixed=True),
        Grant(finance, "topic", (t.finance_events, dlt(t.finance_events), dlt(t.incidents_events)), PRODUCE),
        Grant(finance, "topic", (t.finance_events, t.incidents_events), CONSUME),
        Grant(finance, "group", ("ap.projection.finance_", "ap.projection.placement_costs"), GROUP, prefixed=True),
        Grant(reporting, "topic", (t.reporting_events, dlt(t.incidents_events), dlt(t.finance_events),
                                   dlt(t.privacy_events), dlt(t.commissioning_events)), PRODUCE),
        Grant(reporting, "topic", (t.incidents_events, t.finance_events, t.privacy_events,
                                   t.commissioning_events), CONSUME),
        Grant(reporting, "group", ("ap.projection.reporting",), GROUP, prefixed=True),
        Grant(notifications, "topic", (t.notifications_events, dlt(t.notifications_events),
                                       dlt(t.incidents_events), dlt(t.privacy_events),
                                       dlt(t.commissioning_events)), PRODUCE),
        Grant(notifications, "topic", (t.incidents_events, t.privacy_events, t.notifications_events,
                                       t.commissioning_events), CONSUME),
        Grant(notifications, "group", ("ap.projection.notification",), GROUP, prefixed=True),
        *_commissioning_grants(commissioning, t),
        Grant(client, "topic", (t.incidents_commands,), ("Write", "Describe")),
        Grant(client, "topic", (t.command_results,), CONSUME),
        *heads,
    )


def _commissioning_grants(commissioning: str, t: Topics) -> tuple[Grant, ...]:
    """Commissioning holds no personal data; its events reach alerts (SLA thresholds) through notifications. It
    reads the incidents events only for the register's term dates (clear organisation facts, no pupil key)."""
    return (
        Grant(commissioning, "topic", (t.commissioning_events, dead_letter_topic(t.incidents_events)), PRODUCE),
        Grant(commissioning, "topic", (t.incidents_events,), CONSUME),
        Grant(commissioning, "group", ("ap.projection.commissioning_",), GROUP, prefixed=True),
    )


def principals(grants: Sequence[Grant]) -> list[str]:
    """The principals the grants name, in order, without the admin."""
    return list(dict.fromkeys(g.principal for g in grants))


def acl_command_arguments(grant: Grant, bootstrap: str, command_config: str) -> list[str]:
    """Arguments of one ``AclCommand --add`` call for ``grant``."""
    args = ["--bootstrap-server", bootstrap, "--command-config", command_config, "--add",
            "--allow-principal", f"User:{grant.principal}"]
    for operation in grant.operations:
        args += ["--operation", operation]
    for name in grant.names:
        args += [f"--{grant.resource}", name]
    args += ["--resource-pattern-type", "prefixed" if grant.prefixed else "literal"]
    return args


def admin_properties(password: str, username: str = ADMIN) -> str:
    """Client properties for Kafka's tools signed in as the admin."""
    return (
        "security.protocol=SASL_PLAINTEXT\n"
        "sasl.mechanism=SCRAM-SHA-512\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{username}" password="{password}";\n'
    )


def apply(grants: Sequence[Grant], bootstrap: str, command_config: Path, libs: Path, java: str = "java") -> None:
    """Add every grant with AclCommand (idempotent: an ACL that exists is left as it is)."""
    for grant in grants:
        subprocess.run(  # noqa: S603  # nosec B603  # fixed class, arguments built above
            [java, "-cp", f"{libs}/*", ACL_COMMAND, *acl_command_arguments(grant, bootstrap, str(command_config))],
            check=True, capture_output=True, text=True, timeout=120,
        )


def add_scram_user(name: str, password: str, bootstrap: str, command_config: Path, libs: Path,
                   java: str = "java") -> None:
    """Create (or reset) principal ``name``'s SCRAM-SHA-512 credential on a running broker."""
    subprocess.run(  # noqa: S603  # nosec B603  # fixed class, arguments built here
        [java, "-cp", f"{libs}/*", CONFIG_COMMAND, "--bootstrap-server", bootstrap, "--command-config",
         str(command_config), "--alter", "--add-config", f"SCRAM-SHA-512=[password={password}]",
         "--entity-type", "users", "--entity-name", name],
        check=True, capture_output=True, text=True, timeout=120,
    )


COMPOSE_ACL_SCRIPT = "deploy/compose/kafka-acls.sh"


def compose_acl_script(grants: Sequence[Grant], bootstrap: str = "kafka:9092") -> str:
    """The shell script compose's one-shot ``kafka-acls`` service runs (generated: ``compose-script``)."""
    lines = [
        "#!/bin/bash",
        "# Generated by `python -m ap_runtime.kafka_acls compose-script` from ap_runtime/kafka_acls.py: do not edit.",
        "# Runs once in the apache/kafka image, signed in as ap-admin (AP_KAFKA_ADMIN_PASSWORD).",
        "set -euo pipefail",
        "config=$(mktemp)",
        "cat >\"$config\" <<PROPS",
        admin_properties("${AP_KAFKA_ADMIN_PASSWORD:?}").rstrip("\n"),
        "PROPS",
    ]
    for grant in grants:
        args = acl_command_arguments(grant, bootstrap, "CONFIG")
        quoted = " ".join('"$config"' if a == "CONFIG" else shlex.quote(a) for a in args)
        lines.append(f"/opt/kafka/bin/kafka-acls.sh {quoted} >/dev/null")
    lines.append(f'echo "kafka ACLs: {len(grants)} grants"')
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    settings = DeployJobSettings.from_env(env)
    parser = argparse.ArgumentParser(prog="python -m ap_runtime.kafka_acls", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("principals", help="print the service principals, one a line")
    sub.add_parser("compose-script", help=f"print {COMPOSE_ACL_SCRIPT} (compose's ACL job)")
    run = sub.add_parser("apply", help="add every ACL with Kafka's AclCommand, signed in as the admin")
    run.add_argument("--bootstrap", required=True)
    run.add_argument("--command-config", required=True, type=Path, help="admin client properties file")
    run.add_argument("--libs", required=True, type=Path, help="directory of the Kafka jars (with kafka-tools)")
    args = parser.parse_args(argv)
    grants = platform_grants()
    if args.command == "principals":
        print("\n".join(principals(grants)))
        return 0
    if args.command == "compose-script":
        sys.stdout.write(compose_acl_script(grants))
        return 0
    apply(grants, args.bootstrap, args.command_config, args.libs, settings.java)
    print(f"kafka ACLs: {len(grants)} grants for {', '.join(principals(grants))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
