"""Which failed deliveries are tried again, and when (issue 14: delivery retried with backoff, dead-lettered
after a bound).

Rule served: ``schedule.delivery_attempts`` and ``schedule.retry_backoff_minutes`` (``domain/digest.py``).
A channel that could not be reached, timed out or answered with a temporary error (SMTP 4xx, GOV.UK Notify
429/5xx) may take the message later; one that refused it (SMTP 5xx, Notify 400/403: ``rejected``), bounced it,
or a recipient with no address will refuse it again, so that is not retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ap_contracts.events.notifications import DeliveryFailure
from ap_notifications.domain.digest import DeliverySchedule

TRANSIENT_FAILURES = frozenset({DeliveryFailure.UNREACHABLE, DeliveryFailure.TIMED_OUT,
                                DeliveryFailure.PROVIDER_ERROR})


def is_transient(failure: DeliveryFailure) -> bool:
    """Whether a delivery that failed so may succeed when tried again."""
    return failure in TRANSIENT_FAILURES


def will_retry(failure: DeliveryFailure, attempt: int, attempts_allowed: int) -> bool:
    """Whether the ``attempt``-th failed delivery (1 for the first) is followed by another attempt."""
    return is_transient(failure) and attempt < attempts_allowed


def retry_at(schedule: DeliverySchedule, failed_attempts: int, now: datetime) -> datetime:
    """When to try again after ``failed_attempts`` failures: the backoff's ``failed_attempts``-th step (its last
    step once the list runs out)."""
    steps = schedule.retry_backoff_minutes
    return now + timedelta(minutes=steps[min(failed_attempts, len(steps)) - 1])
