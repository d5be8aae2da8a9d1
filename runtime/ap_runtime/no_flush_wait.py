"""One statement's commit that does not wait for its WAL flush, set inside the statement (issue 11).

``synchronous_commit`` off for the statement's own transaction (``set_config(..., true)``): no round trip, no pool or
session state, nothing left behind for the connection's next transaction. It is sound only where a later durable
commit on the same server flushes the WAL past it before anything relies on it; each user says why that holds for
it: the write-token claim (``ap_runtime.eventstore.claiming_tails``) and an allowed command's access-audit record
(``ap_runtime.access.command_audit``).
"""

from __future__ import annotations

__all__ = ["NO_FLUSH_WAIT_CTE", "NO_FLUSH_WAIT_JOIN"]

# A WITH item, and the join its query needs: PostgreSQL does not evaluate a CTE no part of the query reads, so the
# query must read it; CROSS JOIN of its one row and one column changes nothing else.
NO_FLUSH_WAIT_CTE = "no_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true))"
NO_FLUSH_WAIT_JOIN = "CROSS JOIN no_flush_wait"
