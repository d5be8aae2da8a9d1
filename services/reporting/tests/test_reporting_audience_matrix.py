"""Role x organisation x report: each audience fetches its own reports and nothing else (issue 15, BRIEF.md s.4).

The audiences: the home school (its head, staff and DSL: its weekly report), the Neighbourhood Partnership (its
termly report and its annual report to stakeholders), the local authority (every partnership's termly and annual
reports, the annual figures, the strategy data and the Schools Forum tables), the Schools Forum (the strategy data
and its tables), the provision (its term engagement and achievement board), and those with no reporting report
here (a commissioner, the LA finance team, whose reports are finance's, a parent and the platform's
administrator). Every cell of the matrix is asked
for through the API on real PostgreSQL; a refused one answers 403 with the same body whether the organisation
named exists or not, so a hostile caller learns nothing, and a forged query parameter (another organisation's
id, a window) is refused before anything is read. The facts are the attack tests' (``test_reporting_api_attack``).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role

from .test_reporting_api_attack import api, token  # noqa: F401  (``api``: the attack tests' facts, every projection)

pytestmark = pytest.mark.integration

CALLERS: dict[str, tuple[str, OrgKind, Role]] = {
    "school head": ("school-0", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD),
    "school staff": ("school-0", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_STAFF),
    "school DSL": ("school-0", OrgKind.HOME_SCHOOL, Role.DSL),
    "partnership lead": ("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD),
    "LA officer": ("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER),
    "Schools Forum member": ("forum", OrgKind.SCHOOLS_FORUM, Role.SCHOOLS_FORUM_MEMBER),
    "provision staff": ("prov-np-north", OrgKind.PROVISION, Role.PROVISION_STAFF),
    "commissioner": ("comm-north", OrgKind.COMMISSIONER, Role.COMMISSIONER),
    "finance officer": ("la-finance", OrgKind.FINANCE_TEAM, Role.FINANCE_OFFICER),
    "parent": ("school-0", OrgKind.HOME_SCHOOL, Role.PARENT),
    "platform admin": ("platform", OrgKind.PLATFORM, Role.PLATFORM_ADMIN),
}
# Each report, for the organisation the callers above belong to, and the same report of another organisation.
REPORTS: dict[str, tuple[str, str | None]] = {
    "weekly": ("/v1/reports/weekly/school-0?week_of=2024-02-05", "/v1/reports/weekly/school-1?week_of=2024-02-05"),
    "termly partnership": ("/v1/reports/partnership/np-north?period=2023/24-spring",
                           "/v1/reports/partnership/np-south?period=2023/24-spring"),
    "partnership annual": ("/v1/reports/partnership/np-north/annual-report/2023-24",
                           "/v1/reports/partnership/np-south/annual-report/2023-24"),
    "annual": ("/v1/reports/annual?academic_year=2023/24", None),
    "strategy": ("/v1/reports/strategy?from_year=2023/24&to_year=2024/25", None),
    "schools forum": ("/v1/reports/schools-forum?from_year=2023/24&to_year=2024/25", None),
    "engagement": ("/v1/reports/engagement/prov-np-north?term=2023/24-spring",
                   "/v1/reports/engagement/prov-np-south?term=2023/24-spring"),
    "achievement board": ("/v1/reports/achievement-board/prov-np-north?term=2023/24-spring",
                          "/v1/reports/achievement-board/prov-np-south?term=2023/24-spring"),
}
SCHOOL = {"school head", "school staff", "school DSL"}
ALLOWED: dict[str, set[str]] = {
    "weekly": SCHOOL,
    "termly partnership": {"partnership lead", "LA officer"},
    "partnership annual": {"partnership lead", "LA officer"},  # the termly report's rules RPT-NP-1/2
    "annual": {"LA officer"},
    "strategy": {"LA officer", "Schools Forum member"},
    "schools forum": {"LA officer", "Schools Forum member"},
    "engagement": {"provision staff"},
    "achievement board": {"provision staff"},
}
# Reports of every organisation to the LA (policy RPT-NP-2); the others' "other organisation" is refused.
ANY_ORGANISATION = {("termly partnership", "LA officer"), ("partnership annual", "LA officer")}


def headers(caller: str) -> dict[str, str]:
    return token(*CALLERS[caller])


@pytest.mark.parametrize("report", list(REPORTS))
@pytest.mark.parametrize("caller", list(CALLERS))
async def test_each_audience_fetches_only_its_own_reports(api: httpx.AsyncClient,  # noqa: F811
                                                          caller: str, report: str) -> None:
    own, other = REPORTS[report]
    response = await api.get(own, headers=headers(caller))
    expected = 200 if caller in ALLOWED[report] else 403
    assert response.status_code == expected, (caller, report, response.text)
    if other is not None:
        elsewhere = await api.get(other, headers=headers(caller))
        allowed_there = (report, caller) in ANY_ORGANISATION
        assert elsewhere.status_code == (200 if allowed_there else 403), (caller, report, elsewhere.text)


def _stripped(response: httpx.Response) -> Any:
    """The refusal without what differs between any two requests (its path and correlation id)."""
    body = response.json()
    return {k: v for k, v in body.items() if k not in ("instance", "correlation_id")}


@pytest.mark.parametrize("caller", ["school head", "partnership lead", "provision staff", "Schools Forum member"])
async def test_a_refused_caller_learns_nothing_of_whether_another_organisation_has_a_report(
        api: httpx.AsyncClient, caller: str) -> None:  # noqa: F811
    pairs = {"school head": ("/v1/reports/weekly/school-1?week_of=2024-02-05",
                             "/v1/reports/weekly/school-none?week_of=2024-02-05"),
             "partnership lead": ("/v1/reports/partnership/np-south?period=2023/24-spring",
                                  "/v1/reports/partnership/np-none?period=2023/24-spring"),
             "provision staff": ("/v1/reports/engagement/prov-np-south?term=2023/24-spring",
                                 "/v1/reports/engagement/prov-none?term=2023/24-spring"),
             "Schools Forum member": ("/v1/reports/annual?academic_year=2023/24",
                                      "/v1/reports/annual?academic_year=1999/00")}
    existing, missing = [await api.get(url, headers=headers(caller)) for url in pairs[caller]]
    assert (existing.status_code, missing.status_code) == (403, 403)
    assert _stripped(existing) == _stripped(missing)


@pytest.mark.parametrize(("caller", "url", "field"), [
    ("school head", "/v1/reports/weekly/school-0?week_of=2024-02-05&home_school_id=school-1", "home_school_id"),
    ("partnership lead", "/v1/reports/partnership/np-north?period=2023/24-spring&partnership_id=np-south",
     "partnership_id"),
    ("provision staff", "/v1/reports/engagement/prov-np-north?term=2023/24-spring&provision_id=prov-np-south",
     "provision_id"),
    ("Schools Forum member", "/v1/reports/strategy?from_year=2023/24&to_year=2024/25&first_day=2024-01-01",
     "first_day"),
    ("LA officer", "/v1/reports/schools-forum?from_year=2023/24&to_year=2024/25&last_day=2024-01-01", "last_day"),
])
async def test_a_forged_query_parameter_is_refused_before_anything_is_read(
        api: httpx.AsyncClient, caller: str, url: str, field: str) -> None:  # noqa: F811
    response = await api.get(url, headers=headers(caller))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert "tables" not in problem and "rows" not in problem


async def test_the_schools_forum_tables_are_read_as_at_a_day_too(api: httpx.AsyncClient) -> None:  # noqa: F811
    url = "/v1/reports/schools-forum?from_year=2023/24&to_year=2024/25"
    assert (await api.get(f"{url}&as_at=2999-01-01", headers=headers("LA officer"))).status_code == 422
    dated = await api.get(f"{url}&as_at=2025-01-01", headers=headers("LA officer"))
    assert dated.status_code == 200 and dated.json() == (await api.get(url, headers=headers("LA officer"))).json()
