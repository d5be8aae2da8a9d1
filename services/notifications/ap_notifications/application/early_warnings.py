"""Raise an early-warning flag: record ``EarlyWarningRaised`` once and alert the pupil's home school and provision.

The command id is the flag's id (derived from rule, pupil and window), so a redelivered or replayed event records
nothing new; the alerts go through the dispatcher, one notification per (flag, audience, recipient).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ap_contracts.events.notifications import EarlyWarningRaised
from ap_notifications.application.dispatch import PLATFORM_ORGANISATION, SYSTEM_ACTOR, AlertDispatcher
from ap_notifications.domain.early_warning_alerts import EARLY_WARNING_RULE, decide_raise, flag_alerts, flag_stream_id
from ap_runtime.commands import CommandExecutor, CommandMeta, event_id_for


class EarlyWarnings:
    def __init__(self, executor: CommandExecutor, dispatcher: AlertDispatcher) -> None:
        self._executor = executor
        self._dispatcher = dispatcher

    def is_history(self, cause_recorded_at: datetime) -> bool:
        """Whether a fact recorded then is too old to flag on now: a rebuild or a new deployment reading old facts
        rebuilds the trends but raises no flag about a past window (the alerts' recency rule, ``domain/recency.py``)."""
        return self._dispatcher.is_history(EARLY_WARNING_RULE, cause_recorded_at)

    async def raise_flag(self, flag: EarlyWarningRaised, cause_event_id: UUID, correlation_id: UUID) -> None:
        meta = CommandMeta(command_id=flag.notification_id, actor=SYSTEM_ACTOR, organisation_id=PLATFORM_ORGANISATION,
                           correlation_id=correlation_id, causation_id=cause_event_id)
        await self._executor.execute(flag_stream_id(flag.notification_id), meta,
                                     lambda history: decide_raise(history, flag))
        raised = event_id_for(flag.notification_id, 0)  # the EarlyWarningRaised event's id, the alerts' cause
        for alert in flag_alerts(flag, raised):
            await self._dispatcher.dispatch(alert, correlation_id)
