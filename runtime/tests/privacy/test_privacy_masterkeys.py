"""Master key ring: operator configuration, wrapping bound to key id and subject, no key leaks."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest

from ap_runtime.privacy.errors import MasterKeyConfigError, MasterKeyMissing, SealedValueRejected
from ap_runtime.privacy.masterkeys import MasterKeyRing, WrappedKey, generate_master_key
from ap_testing.privacy import master_keys_env, random_ring


def test_from_env_reads_every_key_and_the_active_one() -> None:
    keys = {"mk-a": os.urandom(32), "mk-b": os.urandom(32)}
    ring = MasterKeyRing.from_env(master_keys_env(keys, "mk-b"))
    assert ring.key_ids == ("mk-a", "mk-b")
    assert ring.active_key_id == "mk-b"
    assert ring.wrap("s", os.urandom(32)).master_key_id == "mk-b"


def test_a_single_key_is_active_without_naming_it() -> None:
    env = master_keys_env({"only": os.urandom(32)}, "")
    assert MasterKeyRing.from_env(env).active_key_id == "only"


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"AP_MASTER_KEYS": "nocolon"},
        {"AP_MASTER_KEYS": "a:!!notbase64!!"},
        {"AP_MASTER_KEYS": "a:" + base64.b64encode(b"short").decode()},
        {"AP_MASTER_KEYS": "bad id:" + base64.b64encode(bytes(32)).decode()},
        {"AP_MASTER_KEYS": "a:" + base64.b64encode(bytes(32)).decode(), "AP_ACTIVE_MASTER_KEY": "b"},
        {"AP_MASTER_KEYS": ",".join(["a:" + base64.b64encode(bytes(32)).decode()] * 2)},
        {"AP_MASTER_KEYS": "a:" + base64.b64encode(bytes(32)).decode() + ",b:" + base64.b64encode(bytes(32)).decode()},
    ],
)
def test_malformed_configuration_is_refused(env: dict[str, str]) -> None:
    with pytest.raises(MasterKeyConfigError):
        MasterKeyRing.from_env(env)


def test_errors_and_repr_never_show_key_material() -> None:
    key = os.urandom(32)
    encoded = base64.b64encode(key).decode()
    ring = MasterKeyRing({"mk-a": key}, "mk-a")
    assert encoded not in repr(ring) and repr(key) not in repr(ring)
    with pytest.raises(MasterKeyConfigError) as caught:
        MasterKeyRing.from_env({"AP_MASTER_KEYS": f"mk-a:{encoded},mk-a:{encoded}"})
    assert encoded not in str(caught.value)


def test_wrap_round_trips_and_is_bound_to_subject_and_key_id() -> None:
    ring, _ = random_ring("mk-a", "mk-b")
    data_key = os.urandom(32)
    wrapped = ring.wrap("subject-1", data_key)
    assert ring.unwrap("subject-1", wrapped) == data_key
    with pytest.raises(SealedValueRejected):
        ring.unwrap("subject-2", wrapped)  # a wrapped key copied to another subject's row
    with pytest.raises(SealedValueRejected):
        ring.unwrap("subject-1", WrappedKey("mk-b", wrapped.blob))  # relabelled master key


def test_unwrap_with_a_retired_key_missing_from_the_ring_names_the_key() -> None:
    ring, _ = random_ring("mk-a")
    with pytest.raises(MasterKeyMissing, match="mk-gone"):
        ring.unwrap("s", WrappedKey("mk-gone", b"\x00" * 60))


def test_generated_entries_are_valid_ring_configuration_and_unique() -> None:
    first, second = generate_master_key(), generate_master_key("mk-named")
    assert second.startswith("mk-named:")
    ring = MasterKeyRing.from_env({"AP_MASTER_KEYS": f"{first},{second}", "AP_ACTIVE_MASTER_KEY": "mk-named"})
    assert len(ring.key_ids) == 2
    assert first.split(":")[1] != second.split(":")[1]


@pytest.mark.integration  # runs a real program in a subprocess: not a unit test (ap_testing.levels)
def test_generate_cli_prints_one_usable_entry() -> None:
    # A real process: the command configures process-wide logging, which must not leak into pytest.
    result = subprocess.run(
        [sys.executable, "-m", "ap_runtime.privacy", "generate", "--key-id", "mk-cli"],
        capture_output=True, text=True, check=True, timeout=60,
    )
    entry = result.stdout.strip()
    assert MasterKeyRing.from_env({"AP_MASTER_KEYS": entry}).key_ids == ("mk-cli",)
