"""Kafka topic names: one event topic per owning service, one command topic per writable service.

Partition counts are fixed up front (adding partitions later moves keys and breaks per-stream order).
Event topics keep records forever (retention.ms=-1) but the event store stays the source of truth.
"""

INCIDENTS_EVENTS = "ap.incidents.events"
INCIDENTS_COMMANDS = "ap.incidents.commands"
INCIDENTS_COMMAND_RESULTS = "ap.incidents.command-results"
FINANCE_EVENTS = "ap.finance.events"
NOTIFICATIONS_EVENTS = "ap.notifications.events"
COMMISSIONING_EVENTS = "ap.commissioning.events"
REPORTING_EVENTS = "ap.reporting.events"
"""Reporting's own publications (``ReportPublished``), relayed from its store (``ap relay --service reporting``)."""
PRIVACY_EVENTS = "ap.privacy.events"

PARTITIONS = 6


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlt"
