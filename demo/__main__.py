"""`make demo`: start the platform on the local servers and run a day at a provision you can read.

Starts the incidents API, its Kafka command consumer, relays, projections, the notifications worker,
the reporting projections and the finance API; sends a scripted day through HTTP and the Kafka
command topic; prints what was accepted and refused (with the rule), a pupil's behaviour log as the
provision's DSL sees it, the placement register, the alerts sent, and a financial year's ledger.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from rich.console import Console

from demo.incidents_walkthrough import run_incidents
from demo.processes import Fleet
from demo.secrets import demo_secrets

STATE = Path(".demo")


def main() -> int:
    console = Console()
    env = {**demo_secrets(STATE), "AP_LOG_LEVEL": "WARNING", "AP_NOTIFY_OUTBOX_DIR": str(STATE / "outbox"),
           "KAFKA_BOOTSTRAP_SERVERS": os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092")}
    fleet = Fleet()
    try:
        ok = asyncio.run(run_incidents(console, fleet, env, STATE))
        try:
            from demo.finance_walkthrough import run_finance
        except ImportError:
            console.print("[yellow]finance walkthrough not available[/]")
        else:
            ok = asyncio.run(run_finance(console, fleet, env, STATE)) and ok
    finally:
        fleet.stop()
    console.print(f"\nProcess logs: {STATE / 'logs'}; alerts delivered to {STATE / 'outbox'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
