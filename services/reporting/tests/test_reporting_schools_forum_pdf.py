"""The Schools Forum tables as a PDF through the reporting API on real PostgreSQL (issue 15, "As documents").

Rules served: the Forum's tables come as a PDF the way the strategy tables do (action
``reporting.read_strategy_report``: the LA and the Schools Forum, nobody else, and a forged parameter is refused
before anything is read); the PDF shows the JSON's suppressed cells as ``c`` on rows labelled in words (an
exclusion reason's census code as the DfE's words), and says
the day and moment it is as at, as the ``Report-As-At`` and ``Report-Recorded-By`` headers do. The facts are the
attack tests' (``test_reporting_api_attack``): small counts, so some cells are hidden.
"""

from __future__ import annotations

import subprocess  # nosec B404 - poppler's pdftotext on a file this test wrote
from pathlib import Path
from typing import Any

import httpx
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role
from ap_runtime.documents import label_words

from .test_reporting_api_attack import LA, api, token  # noqa: F401  (``api``: the attack tests' facts)

pytestmark = pytest.mark.integration

URL = "/v1/reports/schools-forum?from_year=2023/24&to_year=2024/25"
FORUM = token("forum", OrgKind.SCHOOLS_FORUM, Role.SCHOOLS_FORUM_MEMBER)
TITLE = "Schools Forum tables"


def _pdf_lines(content: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "schools-forum.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,  # nosec B603, B607 - fixed poppler command
                          capture_output=True, text=True).stdout
    return [" ".join(line.split()) for line in text.splitlines()]


def _hidden_coded_row(report: dict[str, Any]) -> tuple[str, list[str]]:
    """The first row of the JSON labelled by a code with a suppressed cell: its label and its shown figures, total
    last."""
    for table in report["tables"]:
        for label, cells, total in zip(table["row_labels"], table["cells"], table["row_totals"], strict=True):
            if "c" in cells and label_words(label) != label:
                return label, [f"{v:,}" if isinstance(v, int) else str(v) for v in (*cells, total)]
    raise AssertionError("the attack facts hide no cell on a row labelled by a code")


@pytest.mark.parametrize("caller", [LA, FORUM], ids=["la_officer", "forum_member"])
async def test_the_schools_forum_pdf_shows_its_title_and_hidden_cells_on_rows_in_words(
        api: httpx.AsyncClient, caller: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    report = (await api.get(f"{URL}&as_at=2025-01-01", headers=caller)).json()
    response = await api.get(f"{URL}&format=pdf&as_at=2025-01-01", headers=caller)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF-") and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].endswith('filename="schools-forum-panels.pdf"')
    assert response.headers["Report-As-At"] == "2025-01-01"
    lines = _pdf_lines(response.content, tmp_path)
    assert TITLE in lines
    assert "As at 2025-01-01" in lines
    assert f"Facts recorded by {response.headers['Report-Recorded-By']}" in " ".join(lines)
    label, shown = _hidden_coded_row(report)  # an exclusion reason's census code (``PP``)
    assert f"{label_words(label)} {' '.join(shown)}" in lines, lines  # the row in words, its c where the JSON's is
    assert not any(line.startswith(f"{label} ") for line in lines)  # and never the code


@pytest.mark.parametrize("caller", [("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD),
                                    ("school-0", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD),
                                    ("platform", OrgKind.PLATFORM, Role.PLATFORM_ADMIN)],
                         ids=["partnership_lead", "school_head", "platform_admin"])
async def test_the_schools_forum_pdf_is_refused_to_whoever_may_not_read_its_json(
        api: httpx.AsyncClient, caller: tuple[str, OrgKind, Role]) -> None:  # noqa: F811
    for fmt in ("json", "pdf", "html", "xlsx"):
        response = await api.get(f"{URL}&format={fmt}", headers=token(*caller))
        assert response.status_code == 403, (fmt, response.text)
        assert b"%PDF" not in response.content


async def test_a_forged_parameter_on_the_pdf_is_refused_before_anything_is_read(
        api: httpx.AsyncClient) -> None:  # noqa: F811
    response = await api.get(f"{URL}&format=pdf&first_day=2024-01-01", headers=LA)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["first_day"]
