"""The notifications schedule (digests, quiet hours, retry backoff) reaches the processes that use it on Kubernetes.

Rule served: issue 14, digests and quiet hours. ``AP_NOTIFY_SCHEDULE_FILE`` names the rule book
(``ap_notifications.domain.digest.DeliverySchedule``); the worker holds messages by it, the digest check
releases them by it and the escalation check retries its steps by its backoff. Each of them must read the
same file, from the ConfigMap kustomize generates, and the file must be a schedule the service accepts.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from ap_notifications.domain.digest import DeliverySchedule
from tests.test_deploy_k8s import Doc, credentials, generated_config_maps, label, workloads

pytestmark = pytest.mark.unit

SCHEDULE_ENV = "AP_NOTIFY_SCHEDULE_FILE"
SCHEDULE_CONFIG_MAP = "ap-notify-schedule"
NEEDS_THE_SCHEDULE = {"notifications-worker", "notifications-digest-check", "notifications-escalation-check"}


def schedule_config_map() -> Doc:
    (found,) = [c for c in generated_config_maps() if c["metadata"]["name"] == SCHEDULE_CONFIG_MAP]
    return found


def test_the_schedule_kustomize_generates_is_one_the_service_accepts() -> None:
    data = schedule_config_map()["data"]
    assert set(data) == {"schedule.json"}
    schedule = DeliverySchedule.model_validate_json(data["schedule.json"])
    assert schedule.version and schedule.retry_backoff_minutes


def test_each_process_that_holds_or_releases_messages_reads_the_mounted_schedule() -> None:
    configured = set()
    for doc, template, container in workloads():
        path = credentials(container["env"]).get(SCHEDULE_ENV)
        if path is None:
            continue
        configured.add(doc["metadata"]["name"])
        file = PurePosixPath(path)
        mount = next((m for m in container.get("volumeMounts", []) if PurePosixPath(m["mountPath"]) == file.parent),
                     None)
        assert mount is not None and mount.get("readOnly") is True, f"{label(doc)}: {path} is not mounted read-only"
        volume = next(v for v in template["spec"]["volumes"] if v["name"] == mount["name"])
        assert volume.get("configMap", {}).get("name") == SCHEDULE_CONFIG_MAP, label(doc)
        assert file.name in schedule_config_map()["data"], f"{label(doc)}: the ConfigMap has no {file.name}"
    assert configured == NEEDS_THE_SCHEDULE
