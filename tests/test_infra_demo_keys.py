"""The demo gives the master keys only to processes that encrypt or decrypt personal fields.

Rule served: issue 9 "master keys only in processes that decrypt". Relays publish ciphertext;
finance and reporting never handle personal fields.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# demo/ is run as `python -m demo` from the checkout, not installed: load its module by path.
_SPEC = importlib.util.spec_from_file_location("demo_processes", ROOT / "demo" / "processes.py")
assert _SPEC is not None and _SPEC.loader is not None
_DEMO = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = _DEMO  # its dataclass looks itself up there
_SPEC.loader.exec_module(_DEMO)
KEY_HOLDERS: frozenset[str] = _DEMO.KEY_HOLDERS
MASTER_KEY_VARIABLES: tuple[str, ...] = _DEMO.MASTER_KEY_VARIABLES
process_env = _DEMO.process_env
ENV = {"AP_MASTER_KEYS": "k1:AAAA", "AP_ACTIVE_MASTER_KEY": "k1", "KAFKA_BOOTSTRAP_SERVERS": "x:1"}


def started_processes() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "demo").glob("*.py"))
    return set(re.findall(r'fleet\.start\(\s*"([^"]+)"', text))


def test_only_key_holders_get_the_master_keys() -> None:
    names = started_processes()
    assert {"incidents-relay", "finance-api", "incidents-api"} <= names, names
    for name in names:
        env = process_env(name, ENV)
        holds = all(variable in env for variable in MASTER_KEY_VARIABLES)
        assert holds == (name in KEY_HOLDERS), name
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "x:1"


def test_relays_finance_and_reporting_never_hold_them() -> None:
    for name in ("incidents-relay", "finance-relay", "notifications-relay", "finance-api", "finance-projections",
                 "reporting-projections"):
        assert not set(MASTER_KEY_VARIABLES) & set(process_env(name, ENV)), name
