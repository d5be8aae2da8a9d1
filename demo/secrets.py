"""Keys the demo needs, generated once and kept in .demo/ (never committed) so reruns can read old events."""

from __future__ import annotations

import json
from pathlib import Path

from ap_runtime.access import generate_keypair
from ap_runtime.access.chain_keys import CHAIN_KEY_ENV, new_chain_key
from ap_testing.privacy import master_keys_env, random_ring


def demo_secrets(state: Path) -> dict[str, str]:
    path = state / "secrets.json"
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        if CHAIN_KEY_ENV not in loaded:  # kept from a demo run before the audit chain had a key
            loaded[CHAIN_KEY_ENV] = new_chain_key("demo-audit-1")
            path.write_text(json.dumps(loaded, indent=1))
        return loaded
    state.mkdir(parents=True, exist_ok=True)
    _ring, raw = random_ring("demo-master-1")
    pair = generate_keypair()
    secrets = {**master_keys_env(raw, "demo-master-1"), "AP_TOKEN_PUBLIC_KEY": pair.public_pem,
               "AP_TOKEN_PRIVATE_KEY": pair.private_pem, CHAIN_KEY_ENV: new_chain_key("demo-audit-1")}
    path.write_text(json.dumps(secrets, indent=1))
    path.chmod(0o600)
    return secrets
