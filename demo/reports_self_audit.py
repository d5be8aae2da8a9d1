"""The commissioner's self-audit trend of ``make reports`` (seed 000, issues 13 and 14): each provider's
statements rated year by year, and the commissioner's view across its providers, built by commissioning's own
read views (``self_audit_view``, ``statement_trends``, ``across_providers``) and written as JSON, the one format
its API answers with. The synthetic audits: every provision audited each academic year against the current
template, each statement rated by the provider and about one in ten moderated by the LA (seeded apart, seed + 3).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from ap_commissioning.application.self_audit_views import across_providers, self_audit_view, statement_trends
from ap_commissioning.domain.self_audit_template import CURRENT_TEMPLATE_VERSION, TEMPLATES
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_quality import (
    RagRating,
    SelfAuditRatingModerated,
    SelfAuditRequested,
    SelfAuditStatementRated,
)
from demo.synthetic_commissioning import LA, OFFICER
from demo.synthetic_finance import provision_of
from demo.synthetic_la import LaSize

WriteFile = Callable[[str, str | bytes], None]
RATINGS = (RagRating.GREEN, RagRating.GREEN, RagRating.AMBER, RagRating.RED)


def _audit(rng: random.Random, provider: str, year: str) -> list[DomainEvent]:
    events: list[DomainEvent] = [SelfAuditRequested(provider_id=provider, commissioner_id=LA, academic_year=year,
                                                    template_version=CURRENT_TEMPLATE_VERSION, requested_by=OFFICER)]
    for statement in TEMPLATES[CURRENT_TEMPLATE_VERSION].statements:
        rating = rng.choice(RATINGS)
        events.append(SelfAuditStatementRated(provider_id=provider, academic_year=year,
                                              statement_id=statement.statement_id, rating=rating,
                                              evidence="synthetic evidence", rated_by=f"{provider}-lead"))
        if rng.random() < 0.1:
            events.append(SelfAuditRatingModerated(
                provider_id=provider, academic_year=year, statement_id=statement.statement_id,
                provider_rating=rating, moderated_rating=rng.choice(RATINGS), reason="synthetic moderation",
                moderated_by=OFFICER))
    return events


def _json(rows: Any) -> str:
    return json.dumps([asdict(row) for row in rows], indent=2, default=str)


def write_self_audits(size: LaSize, file: WriteFile) -> None:
    rng = random.Random(size.seed + 3)  # noqa: S311  # nosec B311 - synthetic data, repeatable by its seed
    views = []
    for partnership in size.partnerships():
        provider = provision_of(partnership)
        audits = [self_audit_view(_audit(rng, provider, year.replace("/", "-"))) for year in size.academic_years()]
        mine = [audit for audit in audits if audit is not None]
        views += mine
        file(f"commissioner/self-audit-trend-{provider}.json", _json(statement_trends(mine)))
    file("commissioner/self-audits-across-providers.json", _json(across_providers(views)))
