"""Dead-letter topics exist only where something dead-letters (issue 9 follow-up, least privilege).

Rule served: a principal is granted only the topics it uses, and plaintext personal values sit in Kafka
only within the command topic's bounds. The one writer of dead letters is the projection runner
(``ap_runtime.projection.runner``: ``dead_letter_topic(record.topic)``), and projections consume event
topics only. The incidents command consumer never dead-letters: a command it cannot process is answered
``failed`` on the results topic (``entrypoints/command_ingestion.py``). A grant for
``ap.incidents.commands.dlt`` therefore served nothing, and in compose (where the broker creates a topic on
first use) that topic would have kept plaintext commands for ever: neither the grant nor the topic exists.
"""

from __future__ import annotations

from ap_contracts.topics import dead_letter_topic
from ap_runtime.kafka_acls import Topics, platform_grants

TOPICS = Topics()
EVENT_TOPICS = {TOPICS.incidents_events, TOPICS.finance_events, TOPICS.notifications_events, TOPICS.privacy_events,
                TOPICS.commissioning_events}


def _granted_topics() -> set[str]:
    return {name for grant in platform_grants() if grant.resource == "topic" for name in grant.names}


def test_every_dead_letter_topic_granted_is_that_of_an_event_topic() -> None:
    dead_letters = {name for name in _granted_topics() if name.endswith(".dlt")}
    assert dead_letters, "the projections' dead-letter topics are granted"
    stray = sorted(name for name in dead_letters if name.removesuffix(".dlt") not in EVENT_TOPICS)
    assert not stray, f"dead-letter topics granted that nothing writes (no projection consumes their topic): {stray}"


def test_the_command_topic_has_no_dead_letter_topic() -> None:
    assert dead_letter_topic(TOPICS.incidents_commands) not in _granted_topics()
