"""Wiring from the environment: the key store and codec a service process uses.

Environment (all optional except the master keys):
  AP_MASTER_KEYS, AP_ACTIVE_MASTER_KEY   the operator's master key ring (see ``masterkeys``)
  AP_DSN_AP_KEYS                         key database DSN (default: database ``ap_keys`` on the
                                         DATABASE_URL server, see ``ap_runtime.settings``)
  AP_KEY_CACHE_TTL_SECONDS               in-process key cache lifetime (default 5; 0 disables)
"""

from __future__ import annotations

from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.keystore import DEFAULT_CACHE_TTL_SECONDS, KeyStore
from ap_runtime.privacy.masterkeys import MasterKeyRing
from ap_runtime.settings import database_dsn, platform_settings

KEYS_DATABASE = "ap_keys"
CACHE_TTL_ENV = "AP_KEY_CACHE_TTL_SECONDS"


async def keystore_from_env(dsn: str | None = None) -> KeyStore:
    """Open the key database named by the environment (creating its table if needed)."""
    configured = platform_settings().key_cache_ttl_seconds
    ttl = DEFAULT_CACHE_TTL_SECONDS if configured is None else configured  # 0 turns the cache off
    return await KeyStore.open(dsn or database_dsn(KEYS_DATABASE), MasterKeyRing.from_env(), cache_ttl_seconds=ttl)


async def codec_from_env(dsn: str | None = None) -> PersonalDataCodec:
    """The personal-data codec of this process; its key store lives as long as the process."""
    return PersonalDataCodec(await keystore_from_env(dsn))
