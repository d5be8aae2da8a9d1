"""Report tables kept beside the ledger: budget metadata, items awaiting signatures and
virements. Facts copied from events, no decisions; free text (reasons, suppliers) is
left out so no finance output can carry a pupil's name by accident."""

from __future__ import annotations

from datetime import date

import asyncpg

from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.finance import (
    BudgetSet,
    CommitmentRaised,
    CommitmentReleased,
    FinanceEvent,
    ItemSignatureAdded,
    ItemSignaturesRequested,
    SpendRecorded,
    VirementMade,
    YearClosed,
)


def effective_date(event: FinanceEvent) -> date | None:
    """The business date an event carries (spent, raised, released, closed), if any."""
    match event:
        case SpendRecorded():
            return event.spent_on
        case CommitmentRaised():
            return event.raised_on
        case CommitmentReleased():
            return event.released_on
        case YearClosed():
            return event.closed_on
        case ItemSignaturesRequested():
            return event.item_date
    return None


async def record_details(conn: asyncpg.Connection, event: FinanceEvent, envelope: EventEnvelope) -> None:
    await _budget_position(conn, event, envelope)
    match event:
        case ItemSignaturesRequested():
            await conn.execute(
                "INSERT INTO pending_items (item_id, provision_id, financial_year, item_kind, category,"
                " funding_source, amount_pence, item_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                event.item_id, event.provision_id, event.financial_year, event.item_kind.value,
                event.category.value, event.funding_source.value, event.amount_pence, event.item_date,
            )
        case ItemSignatureAdded():
            await conn.execute(
                "UPDATE pending_items SET signed_for = array_append(signed_for, $2) WHERE item_id = $1",
                event.item_id, event.signing_organisation.value,
            )
        case SpendRecorded() | CommitmentRaised():
            item_id = event.spend_id if isinstance(event, SpendRecorded) else event.commitment_id
            await conn.execute("UPDATE pending_items SET completed = true WHERE item_id = $1", item_id)
        case VirementMade():
            await conn.execute(
                "INSERT INTO virements (virement_id, provision_id, financial_year, from_category, to_category,"
                " funding_source, amount_pence, approved, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                event.virement_id, event.provision_id, event.financial_year, event.from_category.value,
                event.to_category.value, event.funding_source.value, event.amount_pence,
                event.approved_by is not None, envelope.recorded_at,
            )
        case YearClosed():
            await conn.execute(
                "UPDATE budgets SET closed_on = $3 WHERE provision_id = $1 AND financial_year = $2",
                event.provision_id, event.financial_year, event.closed_on,
            )


async def _budget_position(conn: asyncpg.Connection, event: FinanceEvent, envelope: EventEnvelope) -> None:
    """The budget's identity on BudgetSet; on every event, how far its stream has been applied."""
    if isinstance(event, BudgetSet):
        await conn.execute(
            "INSERT INTO budgets (provision_id, financial_year, budget_id, stream_id, host_school_id, partnership_id,"
            " signature_threshold_pence, last_stream_version, last_event_id, last_recorded_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            event.provision_id, event.financial_year, event.budget_id, envelope.stream_id, event.host_school_id,
            event.partnership_id, event.signature_threshold_pence, envelope.stream_version, envelope.event_id,
            envelope.recorded_at,
        )
        return
    await conn.execute(
        "UPDATE budgets SET last_stream_version = $3, last_event_id = $4, last_recorded_at = $5"
        " WHERE provision_id = $1 AND financial_year = $2 AND last_stream_version < $3",
        event.provision_id, event.financial_year, envelope.stream_version, envelope.event_id, envelope.recorded_at,
    )
