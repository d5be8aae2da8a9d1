"""A rebuild's catch-up worker process: ``python -m ap_runtime.rebuild_worker catch-up <options>``.

The same command as ``ap projections catch-up`` (``ap_runtime.projection.__main__``; ``rebuild.py`` starts
one per share of the partitions), started with the cyclic collector off. A worker first imports for
about a second (the platform's modules, the contracts' pydantic schemas), and each wave of those
allocations set off young and middle collections, and a full one, over objects that all live as long as
the process: 60-70 ms of a worker's CPU in ~250 collections, measured with ``gc.callbacks`` (issue 11:
paid by every worker of every rebuild). The worker then freezes what it imported (``freeze_startup_objects``
collects once first) and catches up with the collector paused as before (``catch_up.py``, which still
collects in full every ``FULL_COLLECTION_EVERY_RECORDS`` records), so nothing later depends on it running.

Outside the ``ap_runtime.projection`` package on purpose: importing any of its modules runs the package's
``__init__``, which imports the runner and with it nearly everything, before a line here could run.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()  # before the imports below (see the module)
    from ap_runtime.projection.__main__ import app

    app()


if __name__ == "__main__":
    main()
