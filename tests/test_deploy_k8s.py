"""The Kubernetes manifests in ``deploy/k8s`` are valid, offline, and agree with the Python definitions.

Rule served: issue 11, "More than one of everything" (the ``deploy/`` bullet): every process kind with
replicas, probes, resources and a PodDisruptionBudget, on Kafka and PostgreSQL run by their operators
(Strimzi, CloudNativePG) with the SASL users, ACLs, topics and roles the platform defines once in
``ap_runtime.kafka_acls``, ``ap_contracts.topics`` and ``ap_runtime.pg_roles``, and with the same
processes, principals and credentials as ``docker-compose.yml``.

* Core kinds are checked by ``kubernetes-validate --strict`` (its bundled Kubernetes schemas: an
  unknown field is an error, as ``kubectl apply --validate=strict`` would say).
* Operator resources are checked against the CRD schemas stored in ``deploy/k8s/crds`` (each file
  names its source), made strict the same way: an object that lists its properties accepts no other.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from ap_contracts.topics import INCIDENTS_COMMANDS, PARTITIONS, dead_letter_topic
from ap_incidents.adapters.command_topic_retention import BROKER_RETENTION_CHECK_MS, command_topic_configuration
from ap_runtime.health import DEFAULT_INTERVAL_SECONDS
from ap_runtime.kafka_acls import ADMIN, AUDIT_HEADS, Grant, platform_grants, principals
from ap_runtime.pg_roles import ROLE_ATTRIBUTES, platform_roles

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
CRDS = K8S / "crds"
COMPOSE = ROOT / "docker-compose.yml"
# The oldest Kubernetes minor a region is likely to run and the newest the validator ships.
K8S_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
HEARTBEAT_ENV = "AP_HEARTBEAT_FILE"
# Secrets the region creates before applying (README, "Running on Kubernetes"); the operators write the rest.
REGION_SECRETS = {"ap-master-keys", "ap-audit-chain-key", "ap-token-public-key", "ap-web-oidc", "ap-web-session",
                  "ap-web-token-key"}
AUDIT_HEADS_PARTITIONS = 1  # ap_runtime.access.audit_heads creates its topic with one partition: one order
Doc = dict[str, Any]


def _documents(path: Path) -> list[Doc]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


@cache
def manifests() -> tuple[tuple[str, Doc], ...]:
    """Every document of every manifest file (kustomization.yaml is kustomize's, not a resource)."""
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found += [(path.name, doc) for doc in _documents(path)]
    return tuple(found)


@cache
def kustomization() -> Doc:
    loaded: Doc = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return loaded


def generated_config_maps() -> list[Doc]:
    """The ConfigMaps kustomize generates (``configMapGenerator``), as it would write them."""
    generated = []
    for item in kustomization().get("configMapGenerator", []):
        data = {Path(name).name: (K8S / name).read_text() for name in item["files"]}
        metadata = {"name": item["name"], "namespace": item["namespace"], "labels": item["options"]["labels"]}
        generated.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data})
    return generated


def of_kind(kind: str) -> list[Doc]:
    return [doc for _, doc in manifests() if doc["kind"] == kind] + \
        [doc for doc in generated_config_maps() if doc["kind"] == kind]


def is_operator_resource(doc: Doc) -> bool:
    return str(doc["apiVersion"]).split("/")[0].endswith((".strimzi.io", ".cnpg.io"))


def label(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


# --- core kinds: kubernetes-validate --strict ------------------------------------------------------------

def core_errors(doc: Doc) -> list[str]:
    errors = []
    for version in K8S_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.absolute_path)
            errors.append(f"{label(doc)} (Kubernetes {version}) at {path or '/'}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{label(doc)}: no schema in Kubernetes {version}: {exc}")
    return errors


def test_every_core_resource_passes_kubernetes_validate_strict() -> None:
    core = [doc for _, doc in manifests() if not is_operator_resource(doc)] + generated_config_maps()
    assert {doc["kind"] for doc in core} >= {"Namespace", "Deployment", "PodDisruptionBudget", "Service",
                                             "ConfigMap", "CronJob", "Job", "NetworkPolicy"}
    assert [e for doc in core for e in core_errors(doc)] == []


def test_kubernetes_validate_rejects_an_unknown_field_in_a_deployment() -> None:
    deployment = copy.deepcopy(of_kind("Deployment")[0])
    assert core_errors(deployment) == []
    deployment["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {"exec": {"command": ["true"]}}
    errors = core_errors(deployment)
    assert errors and all("livenesProbe" in e for e in errors)


# --- operator resources: their CRDs' schemas -------------------------------------------------------------

def strict(schema: Any) -> Any:
    """The schema with ``additionalProperties: false`` wherever an object lists its properties and does
    not keep unknown fields (what the API server's strict field validation enforces for a CRD)."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if "properties" in out and "additionalProperties" not in out \
            and not out.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


@cache
def crd_validators() -> dict[tuple[str, str], jsonschema.Draft7Validator]:
    validators = {}
    for path in sorted(CRDS.glob("*.json")):
        stored = json.loads(path.read_text())
        assert stored["source"], f"{path.name} names no source"
        schema = strict(stored["openAPIV3Schema"])
        validators[(stored["apiVersion"], stored["kind"])] = jsonschema.Draft7Validator(schema)
    return validators


def crd_errors(doc: Doc) -> list[str]:
    validator = crd_validators().get((doc["apiVersion"], doc["kind"]))
    if validator is None:
        return [f"{label(doc)}: no stored CRD schema for {doc['apiVersion']} {doc['kind']} in deploy/k8s/crds"]
    errors = [f"{label(doc)} at {'/'.join(str(p) for p in e.absolute_path) or '/'}: {e.message}"
              for e in validator.iter_errors(doc)]
    metadata = doc.get("metadata", {})
    if not metadata.get("name") or metadata.get("namespace") != "ap-platform":
        errors.append(f"{label(doc)}: metadata needs a name and namespace ap-platform")
    return errors


def test_every_operator_resource_matches_its_crd_schema() -> None:
    operated = [doc for _, doc in manifests() if is_operator_resource(doc)]
    assert {doc["kind"] for doc in operated} == {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Cluster"}
    assert [e for doc in operated for e in crd_errors(doc)] == []


@pytest.mark.parametrize(("kind", "spoil", "expected"), [
    ("Cluster", lambda d: d["spec"].__setitem__("instance", 3), "'instance' was unexpected"),
    ("Cluster", lambda d: d["spec"]["managed"]["roles"][0].__setitem__("login", "yes"), "'yes' is not of type"),
    ("Kafka", lambda d: d["spec"]["kafka"]["authorization"].__setitem__("type", "acl"), "'acl' is not one of"),
    ("KafkaTopic", lambda d: d["spec"].__setitem__("partitions", "6"), "'6' is not of type 'integer'"),
    # Strimzi's v1 API dropped the singular ``operation`` of v1beta2.
    ("KafkaUser", lambda d: d["spec"]["authorization"]["acls"][0].__setitem__("operation", "Read"),
     "'operation' was unexpected"),
    ("KafkaNodePool", lambda d: d["spec"].__setitem__("roles", ["zookeeper"]), "'zookeeper' is not one of"),
])
def test_a_spoilt_operator_resource_is_rejected(kind: str, spoil: Any, expected: str) -> None:
    doc = copy.deepcopy(next(d for d in of_kind(kind) if kind != "KafkaUser" or "authorization" in d["spec"]))
    assert crd_errors(doc) == []
    spoil(doc)
    errors = crd_errors(doc)
    assert len(errors) == 1 and expected in errors[0], errors


def test_a_resource_of_an_unstored_crd_version_is_rejected() -> None:
    doc = copy.deepcopy(of_kind("KafkaTopic")[0])
    doc["apiVersion"] = "kafka.strimzi.io/v1beta2"
    assert crd_errors(doc) == [f"{label(doc)}: no stored CRD schema for kafka.strimzi.io/v1beta2 KafkaTopic "
                               "in deploy/k8s/crds"]


# --- Kafka: users, ACLs and topics as ap_runtime.kafka_acls and ap_contracts.topics define them ---------

def expanded(grants: tuple[Grant, ...]) -> set[tuple[str, str, str, str, str]]:
    """One (principal, resource type, name, pattern, operation) per permission the grants give."""
    return {(g.principal, g.resource, name, "prefix" if g.prefixed else "literal", op)
            for g in grants for name in g.names for op in g.operations}


def manifest_acls() -> set[tuple[str, str, str, str, str]]:
    found = set()
    for user in of_kind("KafkaUser"):
        for acl in user["spec"].get("authorization", {}).get("acls", []):
            resource = acl["resource"]
            assert acl.get("host", "*") == "*" and acl.get("type", "allow") == "allow", label(user)
            found |= {(user["metadata"]["name"], resource["type"], resource["name"],
                       resource.get("patternType", "literal"), op) for op in acl["operations"]}
    return found


def test_kafka_users_and_acls_are_those_of_kafka_acls_exactly() -> None:
    grants = platform_grants()
    users = {u["metadata"]["name"]: u for u in of_kind("KafkaUser")}
    assert set(users) == {*principals(grants), ADMIN}
    assert all(u["spec"]["authentication"]["type"] == "scram-sha-512" for u in users.values())
    assert all(u["metadata"]["labels"]["strimzi.io/cluster"] == "ap-kafka" for u in users.values())
    assert "authorization" not in users[ADMIN]["spec"]  # a super user: Kafka's superUsers, not ACLs
    assert manifest_acls() == expanded(grants)


def test_the_kafka_cluster_authenticates_with_scram_and_authorizes_with_acls() -> None:
    (kafka,) = of_kind("Kafka")
    spec = kafka["spec"]["kafka"]
    assert spec["authorization"] == {"type": "simple", "superUsers": [ADMIN]}
    assert [listener["authentication"]["type"] for listener in spec["listeners"]] == ["scram-sha-512"]
    assert spec["config"]["auto.create.topics.enable"] is False  # every topic is declared below
    # The README's bound on a command's plaintext in the broker's files adds this interval up.
    assert spec["config"]["log.retention.check.interval.ms"] == BROKER_RETENTION_CHECK_MS
    pools = of_kind("KafkaNodePool")
    assert sorted(role for pool in pools for role in pool["spec"]["roles"]) == ["broker", "controller"]
    assert all(pool["spec"]["replicas"] >= 3 for pool in pools)


def test_every_topic_a_principal_is_granted_is_declared_with_its_partitions_and_retention() -> None:
    granted = {name for g in platform_grants() if g.resource == "topic" and not g.prefixed for name in g.names}
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind("KafkaTopic")}
    assert set(topics) == granted
    plaintext = {INCIDENTS_COMMANDS, dead_letter_topic(INCIDENTS_COMMANDS)}
    for name, spec in topics.items():
        assert spec["partitions"] == (AUDIT_HEADS_PARTITIONS if name == AUDIT_HEADS else PARTITIONS), name
        assert spec["replicas"] == 3 and spec["config"]["min.insync.replicas"] == "2", name
        if name in plaintext:  # commands carry personal values in clear: the bounds of the README
            assert command_topic_configuration().items() <= spec["config"].items(), name
        else:
            assert spec["config"]["retention.ms"] == "-1" and spec["config"]["cleanup.policy"] == "delete", name


# --- PostgreSQL: roles as ap_runtime.pg_roles defines them ----------------------------------------------

def cluster_roles() -> dict[str, tuple[dict[str, Any], str]]:
    """Each role CloudNativePG creates, with its declared attributes and its password Secret."""
    (cluster,) = of_kind("Cluster")
    initdb = cluster["spec"]["bootstrap"]["initdb"]
    roles: dict[str, tuple[dict[str, Any], str]] = {initdb["owner"]: ({}, initdb["secret"]["name"])}
    for role in cluster["spec"]["managed"]["roles"]:
        attributes = {k: v for k, v in role.items() if k not in ("name", "ensure", "passwordSecret")}
        roles[role["name"]] = (attributes, role["passwordSecret"]["name"])
    return roles


def test_postgres_roles_are_the_platform_roles_with_their_attributes() -> None:
    roles = cluster_roles()
    assert set(roles) == {r.role for r in platform_roles()}
    # ROLE_ATTRIBUTES as CloudNativePG fields: LOGIN -> login: true, NOSUPERUSER -> superuser: false ...
    wanted = {word.removeprefix("NO").lower(): not word.startswith("NO") for word in ROLE_ATTRIBUTES.split()}
    for name, (attributes, _) in roles.items():
        if attributes:  # the bootstrap owner is created by initdb with these defaults
            assert attributes == wanted, name
    (cluster,) = of_kind("Cluster")
    assert cluster["spec"]["bootstrap"]["initdb"]["database"] == cluster["spec"]["bootstrap"]["initdb"]["owner"]


# --- processes: the same as docker-compose.yml, each well formed ----------------------------------------

def workloads() -> Iterator[tuple[Doc, Doc, Doc]]:
    """(workload, pod template, its one container) for every Deployment, CronJob and Job."""
    for doc in of_kind("Deployment") + of_kind("Job"):
        template = doc["spec"]["template"]
        yield doc, template, template["spec"]["containers"][0]
    for doc in of_kind("CronJob"):
        template = doc["spec"]["jobTemplate"]["spec"]["template"]
        yield doc, template, template["spec"]["containers"][0]


def credentials(env: list[dict[str, Any]]) -> dict[str, str]:
    """What a process holds: variable -> literal value, or ``secret:<name>/<key>``."""
    out = {}
    for item in env:
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        out[item["name"]] = f"secret:{ref['name']}/{ref['key']}" if ref else item["value"]
    return out


HELD = ("AP_KAFKA_USERNAME", "AP_MASTER_KEYS", "AP_ACTIVE_MASTER_KEY", "AP_AUDIT_CHAIN_KEY")


def held(variables: dict[str, Any]) -> dict[str, str]:
    """The principal, role users and key material a process is given (values of users, names of keys)."""
    return {k: str(v) if k.startswith("AP_PG_USER_") or k == "AP_KAFKA_USERNAME" else "set"
            for k, v in variables.items() if k in HELD or k.startswith(("AP_PG_USER_", "AP_PG_PASSWORD_"))}


def test_every_compose_process_runs_here_with_the_same_principal_roles_and_keys() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())["services"]
    by_command = {tuple(c["command"]): (doc, c) for doc, _, c in workloads()}
    for name, service in compose.items():
        if "command" not in service or name == "db-roles":
            continue  # the servers (operators here) and the jobs, compared below
        doc, container = by_command.get(tuple(service["command"]), (None, None))
        assert doc is not None and container is not None, f"compose's {name} has no workload in deploy/k8s"
        assert held(credentials(container["env"])) == held(service["environment"]), name
    roles_job = next(c for doc, _, c in workloads() if doc["metadata"]["name"] == "db-roles")
    assert held(credentials(roles_job["env"])) == held(compose["db-roles"]["environment"])


def test_each_password_comes_from_the_secret_of_its_principal_or_role() -> None:
    secrets = {role: secret for role, (_, secret) in cluster_roles().items()}
    for doc, _, container in workloads():
        env = credentials(container["env"])
        for variable, value in env.items():
            if variable.startswith("AP_PG_PASSWORD_"):
                role = env[variable.replace("PASSWORD", "USER")]
                assert value == f"secret:{secrets[role]}/password", (label(doc), variable)
            elif variable.endswith("_DSN") and not value.startswith("secret:"):
                # A literal DSN takes its password only from a Secret-backed variable, $(NAME).
                password = value.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
                assert password.startswith("$(") and env[password[2:-1]].startswith("secret:"), \
                    f"{label(doc)}: {variable} holds a password not from a Secret"
            elif ("PASSWORD" in variable or "KEY" in variable) and not variable.startswith("AP_PG_USER_"):
                assert value.startswith("secret:"), f"{label(doc)}: {variable} is not from a Secret"
        if "AP_KAFKA_USERNAME" in env:  # Strimzi's User Operator writes the Secret named after the user
            assert env["AP_KAFKA_PASSWORD"] == f"secret:{env['AP_KAFKA_USERNAME']}/password", label(doc)
    assert of_kind("Secret") == []  # Secrets are referenced, never stored here


def api_routes() -> dict[str, set[str]]:
    from ap_commissioning.entrypoints.api import create_app as commissioning
    from ap_finance.entrypoints.api import create_app as finance
    from ap_incidents.entrypoints.api import create_app as incidents
    from ap_notifications.entrypoints.api import create_app as notifications
    from ap_reporting.entrypoints.api import create_app as reporting

    def no_deps() -> Any:
        raise AssertionError("the routes are read, the app is never started")

    apps = {"incidents-api": incidents(), "finance-api": finance(no_deps), "reporting-api": reporting(),
            "notifications-api": notifications(), "commissioning-api": commissioning(), "web": web_app()}
    return {name: {getattr(route, "path", "") for route in app.routes} for name, app in apps.items()}


def web_app() -> Any:
    """The web service's app, built (never started) from settings naming no real server."""
    from pydantic import SecretStr

    from ap_runtime.access import TokenIssuer, generate_keypair
    from ap_runtime.access.keys import load_private_key
    from ap_web.app import create_app
    from ap_web.entrypoints.settings import WebSettings

    settings = WebSettings(oidc_issuer="http://localhost:9", oidc_client_secret=SecretStr("unused"),
                           dsn="postgresql://unused")
    return create_app(settings, TokenIssuer(load_private_key(generate_keypair().private_pem)))


def test_every_long_running_process_has_probes_resources_and_a_locked_down_container() -> None:
    routes = api_routes()
    deployments = of_kind("Deployment")
    assert {d["metadata"]["name"] for d in deployments} >= set(routes)
    for doc in deployments:
        name = doc["metadata"]["name"]
        pod = doc["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"], name
        security = container["securityContext"]
        assert security["runAsNonRoot"] and security["readOnlyRootFilesystem"], name
        assert not security["allowPrivilegeEscalation"] and security["capabilities"]["drop"] == ["ALL"], name
        assert pod["automountServiceAccountToken"] is False, name
        probes = [container[p] for p in ("startupProbe", "readinessProbe", "livenessProbe")]
        if name in routes:  # an API: its probes ask paths the app really serves
            assert all(p["httpGet"]["path"] in routes[name] for p in probes), name
        else:  # a worker: the heartbeat file it touches (ap_runtime.health), on a writable volume
            heartbeat = credentials(container["env"])[HEARTBEAT_ENV]
            assert all(p["exec"]["command"][:5] == ["python", "-m", "ap_runtime.health", "check", heartbeat]
                       for p in probes), name
            # A probe allows a few missed beats before it calls a worker dead.
            assert all(float(p["exec"]["command"][6]) >= 3 * DEFAULT_INTERVAL_SECONDS for p in probes), name
            mount = next(m for m in container["volumeMounts"] if heartbeat.startswith(m["mountPath"] + "/"))
            volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
            assert "emptyDir" in volume, name


def test_every_replicated_process_has_a_disruption_budget_and_no_more_replicas_than_partitions() -> None:
    budgets = {tuple(sorted(p["spec"]["selector"]["matchLabels"].items())): p for p in of_kind("PodDisruptionBudget")}
    for doc in of_kind("Deployment"):
        name, replicas = doc["metadata"]["name"], doc["spec"]["replicas"]
        assert replicas >= 2, f"{name}: every process kind runs more than once"
        assert replicas <= PARTITIONS, f"{name}: more consumers than partitions would sit idle"
        selector = tuple(sorted(doc["spec"]["selector"]["matchLabels"].items()))
        budget = budgets.get(selector)
        assert budget is not None, f"{name} has no PodDisruptionBudget"
        labels = doc["spec"]["template"]["metadata"]["labels"]
        assert dict(selector).items() <= labels.items(), name
        assert budget["spec"].get("maxUnavailable") == 1 or budget["spec"].get("minAvailable", 0) >= 1, name


def test_the_policies_kustomize_mounts_are_the_packaged_ones() -> None:
    (policies,) = [c for c in of_kind("ConfigMap") if c["metadata"]["name"] == "ap-policy"]
    packaged = {"policy.yaml": ROOT / "runtime/ap_runtime/access/policy.yaml",
                "retention_policy.yaml": ROOT / "runtime/ap_runtime/privacy/retention_policy.yaml"}
    assert set(policies["data"]) == set(packaged)
    for key, path in packaged.items():
        source = path.relative_to(ROOT)
        assert policies["data"][key] == path.read_text(), \
            f"deploy/k8s/policies/{key} differs from {source}: cp {source} deploy/k8s/policies/"


def test_every_config_map_and_secret_a_pod_references_exists_or_is_one_the_region_creates() -> None:
    config_maps = {c["metadata"]["name"] for c in of_kind("ConfigMap")}
    secrets = {*REGION_SECRETS, "ap-pg-superuser", *(u["metadata"]["name"] for u in of_kind("KafkaUser")),
               *(secret for _, secret in cluster_roles().values())}
    for doc, template, container in workloads():
        pod = template["spec"]
        mounted = {v["configMap"]["name"] for v in pod.get("volumes", []) if "configMap" in v}
        from_env = {ref["configMapRef"]["name"] for ref in container.get("envFrom", [])}
        assert mounted | from_env <= config_maps, label(doc)
        referenced = {item["valueFrom"]["secretKeyRef"]["name"] for item in container["env"] if "valueFrom" in item}
        assert referenced <= secrets, f"{label(doc)}: unknown Secrets {sorted(referenced - secrets)}"


def test_kustomize_applies_every_manifest_file() -> None:
    files = sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(kustomization()["resources"]) == files
