"""A rebuild's catch-up worker ends with the rebuild that started it.

Nothing stops an orphan: a rebuild SIGKILLed part-way would leave its workers loading, and the next
rebuild drops and creates the same generation schema again, so an orphan's later batches would land
in the new attempt's tables (and, loaded without their unique indexes, make it start over). On Linux
the kernel sends the worker SIGKILL when its parent dies (``PR_SET_PDEATHSIG``); a parent that died
before the worker asked (it imports for a second or more first) is seen by its pid having changed.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


class ParentGone(RuntimeError):
    """The rebuild that started this worker is no longer running."""


def die_with_parent(parent: int | None) -> None:
    """Be killed when the parent process dies; ``ParentGone`` if it is not ``parent`` (None: not checked)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if parent is not None and os.getppid() != parent:
        raise ParentGone(f"the rebuild that started this worker (pid {parent}) has ended")
