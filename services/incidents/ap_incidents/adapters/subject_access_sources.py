"""Fetch one service's subject access document over HTTP, as the DPO, stating why."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

SUBJECT_ACCESS_PATH = "/v1/pupils/{pupil_ref}/subject-access"


class SubjectAccessSourceFailed(Exception):
    """A service refused or failed to answer; ``status`` and ``detail`` say what it said."""

    def __init__(self, service: str, status: int, detail: str) -> None:
        super().__init__(f"{service} answered {status}: {detail}")
        self.service = service
        self.status = status
        self.detail = detail


async def fetch_subject_access(client: httpx.AsyncClient, service: str, pupil_ref: UUID, *, token: str,
                               purpose: str, correlation_id: UUID) -> dict[str, Any]:
    """The service's JSON document; the same correlation id ties the audit records of every service."""
    response = await client.get(
        SUBJECT_ACCESS_PATH.format(pupil_ref=pupil_ref),
        headers={"Authorization": f"Bearer {token}", "X-Access-Purpose": purpose,
                 "X-Correlation-ID": str(correlation_id), "Accept": "application/json"},
    )
    if response.status_code != httpx.codes.OK:
        raise SubjectAccessSourceFailed(service, response.status_code, _detail(response))
    document: dict[str, Any] = response.json()
    return document


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and isinstance(body.get("detail"), dict):
        body = body["detail"]  # FastAPI's default error body wraps the reason
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("reason") or body
        rule = body.get("rule")
        return f"{detail} (rule {rule})" if rule else str(detail)
    return str(body)[:200]
