"""The key, token and deploy-job variables are settings fields: components build from the settings object.

Rule served: issue 10, "one way to configure": ``ap_runtime.settings.load_settings`` is the one reader of
the environment, so the master keys, the audit chain keys, the token keys and the deploy jobs' variables
have one name and one type there; each component takes them from the settings object and refuses a
missing or bad value with the same error, naming the variable, as when it read the environment itself.
"""

from __future__ import annotations

import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access.chain_keys import ChainKeyError, chain_keys_from_settings, new_chain_key
from ap_runtime.access.keys import KeyConfigError, generate_keypair, public_key_from_settings
from ap_runtime.access.roles import Role
from ap_runtime.access.tokens import ServiceAudience, TokenIssuer, TokenVerifier
from ap_runtime.pg_roles import main as pg_roles_main
from ap_runtime.pg_roles import passwords_from_settings, platform_roles
from ap_runtime.privacy.errors import MasterKeyConfigError
from ap_runtime.privacy.masterkeys import MasterKeyRing, generate_master_key
from ap_runtime.settings import DeployJobSettings, platform_settings

PAIR = generate_keypair()


def _settings_with_every_key() -> dict[str, str]:
    return {
        "AP_TOKEN_PRIVATE_KEY": PAIR.private_b64, "AP_TOKEN_PUBLIC_KEY": PAIR.public_b64,
        "AP_TOKEN_ISSUER": "issuer-under-test", "AP_TOKEN_AUDIENCE": str(ServiceAudience.INCIDENTS),
        "AP_AUDIT_CHAIN_KEY": new_chain_key("chain-now"), "AP_AUDIT_CHAIN_RETIRED_KEYS": new_chain_key("chain-old"),
        "AP_MASTER_KEYS": f"{generate_master_key('mk-a')},{generate_master_key('mk-b')}",
        "AP_ACTIVE_MASTER_KEY": "mk-b",
    }


def test_components_build_from_one_settings_object() -> None:
    settings = platform_settings(_settings_with_every_key())
    ring = MasterKeyRing.from_settings(settings)
    assert (ring.key_ids, ring.active_key_id) == (("mk-a", "mk-b"), "mk-b")
    chain = chain_keys_from_settings(settings)
    assert (chain.active.key_id, [k.key_id for k in chain.retired]) == ("chain-now", ["chain-old"])
    issuer = TokenIssuer.from_settings(settings)
    assert (issuer.issuer, issuer.audience) == ("issuer-under-test", str(ServiceAudience.INCIDENTS))
    token = issuer.mint(user_id="u", organisation_id="org", org_kind=OrgKind.HOME_SCHOOL, roles=[Role.DPO])
    verifier = TokenVerifier.from_settings(settings, ServiceAudience.INCIDENTS)
    assert verifier.verify(token).user_id == "u"


def test_secret_values_do_not_show_in_the_settings_repr() -> None:
    values = _settings_with_every_key()
    shown = repr(platform_settings(values))
    for name in ("AP_TOKEN_PRIVATE_KEY", "AP_AUDIT_CHAIN_KEY", "AP_AUDIT_CHAIN_RETIRED_KEYS", "AP_MASTER_KEYS"):
        assert values[name] not in shown, name


@pytest.mark.parametrize(("build", "error", "message"), [
    (MasterKeyRing.from_settings, MasterKeyConfigError, "AP_MASTER_KEYS is not set"),
    (chain_keys_from_settings, ChainKeyError, "AP_AUDIT_CHAIN_KEY is not set"),
    (public_key_from_settings, KeyConfigError, "AP_TOKEN_PUBLIC_KEY is not set"),
    (TokenIssuer.from_settings, KeyConfigError, "AP_TOKEN_PRIVATE_KEY is not set"),
])
def test_a_missing_key_is_refused_naming_its_variable(build: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build(platform_settings({"AP_MASTER_KEYS": "  "}))  # type: ignore[operator]


def test_a_bad_key_is_refused_naming_its_variable() -> None:
    with pytest.raises(ChainKeyError, match="AP_AUDIT_CHAIN_RETIRED_KEYS"):
        chain_keys_from_settings(platform_settings({"AP_AUDIT_CHAIN_KEY": new_chain_key("k"),
                                                    "AP_AUDIT_CHAIN_RETIRED_KEYS": "old:not base64!"}))


def test_the_deploy_jobs_read_the_admin_dsn_java_and_role_passwords_from_settings() -> None:
    plan = platform_roles()
    settings = DeployJobSettings.from_env({"DATABASE_URL": "postgresql://server/postgres",
                                           "AP_PG_PASSWORD_AP_AUDIT": "audit-secret", "AP_PG_PASSWORD_AP_KEYS": ""})
    assert settings.admin_dsn() == "postgresql://server/postgres"
    assert settings.java == "java"
    passwords = passwords_from_settings(plan, settings)
    assert passwords["ap_audit"] == "audit-secret"
    assert passwords["ap_keys"] is None
    assert "audit-secret" not in repr(settings)
    admin = DeployJobSettings.from_env({"DATABASE_URL": "postgresql://server/postgres",
                                        "AP_PG_ADMIN_DSN": "postgresql://admin@server/postgres", "JAVA": "/opt/java"})
    assert (admin.admin_dsn(), admin.java) == ("postgresql://admin@server/postgres", "/opt/java")


def test_pg_roles_refuses_to_run_without_an_admin_dsn_even_though_database_url_has_a_default() -> None:
    assert DeployJobSettings.from_env({}).admin_dsn() is None
    with pytest.raises(SystemExit) as refused:
        pg_roles_main(["apply"], env={})
    assert refused.value.code == 2
