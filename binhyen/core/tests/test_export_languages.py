"""Excel exports speak the user's language: an English page downloads English headers and
sheet names, a Vietnamese page Vietnamese ones. (Import templates keep their Vietnamese
headers: the importers read them, so they are not exports in this sense.)"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.utils import translation
from openpyxl import load_workbook

from binhyen.activities import excel as activities_excel
from binhyen.awards import excel as awards_excel
from binhyen.cases import excel as cases_excel
from binhyen.community import excel as community_excel
from binhyen.hotspots import excel as hotspots_excel
from binhyen.orgunits import excel as orgunits_excel
from binhyen.targets import excel as targets_excel

pytestmark = pytest.mark.django_db

VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)

EXPORTS: dict[str, Callable[[], bytes]] = {
    "activities": lambda: activities_excel.export_workbook([], "Activities"),
    "units": lambda: orgunits_excel.export_workbook([], "Units"),
    "targets": lambda: targets_excel.progress_workbook([]),
    "cases": lambda: cases_excel.case_list_workbook([]),
    "schemes": lambda: community_excel.schemes_workbook([]),
    "teams": lambda: community_excel.teams_workbook([], []),
    "pledges": lambda: community_excel.pledges_workbook([]),
    "hotspots": lambda: hotspots_excel.export_workbook([]),
    "award proposals": lambda: awards_excel.proposals_workbook([]),
    "rewards": lambda: awards_excel.rewards_workbook([]),
}


def _titles_and_headers(data: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    texts: list[str] = []
    for sheet in workbook.worksheets:
        texts.append(sheet.title)
        for row in sheet.iter_rows(max_row=1, values_only=True):
            texts.extend(str(v) for v in row if v is not None)
    return texts


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_an_export_from_an_english_page_has_english_headers_and_sheet_names(name):
    # when the workbook is built for a user who reads English
    with translation.override("en"):
        texts = _titles_and_headers(EXPORTS[name]())
    # then no sheet name or header is Vietnamese
    assert texts
    assert [t for t in texts if VIETNAMESE.search(t)] == []


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_the_same_export_from_a_vietnamese_page_stays_vietnamese(name):
    with translation.override("vi"):
        texts = _titles_and_headers(EXPORTS[name]())
    assert any(VIETNAMESE.search(t) for t in texts)
