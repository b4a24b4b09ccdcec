"""Excel import of activities: all or nothing, every problem with its row and column."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from binhyen.activities import excel
from binhyen.activities.models import Activity
from binhyen.activities.tests.factories import commune_scene
from binhyen.indicators.models import DataValue

pytestmark = pytest.mark.django_db

HEADER = [
    "Ngày",
    "Loại hoạt động",
    "Thôn ghi nhận",
    "Số người tham gia",
    "Các thôn",
    "Chủ đề",
    "Tờ rơi",
    "Súng",
    "Đạn",
    "Số camera",
    "Camera của",
]


def xlsx(rows: list[list], header: list[str] = HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("hoat-dong.xlsx", buffer.getvalue())


def test_a_clean_file_records_every_row_and_publishes():
    s = commune_scene()
    upload = xlsx(
        [
            [
                date(2025, 3, 1),
                "Tuyên truyền",
                "",
                50,
                "Thôn 1; thôn 2",
                "Ma túy",
                30,
                None,
                None,
                None,
                None,
            ],
            ["02/03/2025", "giao nop", "Thôn 3", None, None, None, None, 7, 72, None, None],
            ["2025-03-03", "camera", None, None, None, None, None, None, None, 2, "công cộng"],
        ]
    )
    result = excel.import_activities(actor=s.officer, commune=s.commune, upload=upload)
    assert result.ok, result.problems
    assert len(result.created) == 3
    outreach = Activity.objects.get(kind="outreach")
    assert outreach.title == "Ma túy"
    assert {v.name for v in outreach.villages.all()} == {"Thôn 1", "Thôn 2"}
    surrender = Activity.objects.get(kind="weapons_surrender")
    assert surrender.orgunit == s.villages[2]
    assert sorted(surrender.items.values_list("item_kind", "quantity")) == [
        ("dan", 72),
        ("sung", 7),
    ]
    assert (
        DataValue.objects.filter(metric__code="cameras_installed", option="public").get().value == 2
    )


def test_any_bad_row_refuses_the_whole_file_with_each_problem():
    s = commune_scene()
    upload = xlsx(
        [
            [date(2025, 3, 1), "Tuyên truyền", "", 50, "", "Ma túy", 30, None, None, None, None],
            [date(2025, 3, 2), "Tuyên truyền", "", -5, "", "Ma túy", None, None, None, None, None],
            [
                date(2099, 1, 1),
                "Tuyên truyền",
                "Thôn 9",
                None,
                "Thôn Ma",
                "X",
                None,
                None,
                None,
                None,
                None,
            ],
            ["hôm qua", "đi chơi", None, None, None, None, None, None, None, None, None],
            [date(2025, 3, 3), "Tuyên truyền", None, None, None, "X", None, None, None, 3, None],
        ]
    )
    result = excel.import_activities(actor=s.officer, commune=s.commune, upload=upload)
    assert not result.ok
    found = {(p.row, p.column) for p in result.problems}
    assert (3, "Số người tham gia") in found
    assert (4, "Thôn ghi nhận") in found
    assert (4, "Các thôn") in found
    assert (5, "Ngày") in found
    assert (5, "Loại hoạt động") in found
    assert (6, "Số camera") in found
    assert not Activity.objects.exists()
    assert not DataValue.objects.exists()


def test_future_date_is_reported_on_its_row():
    s = commune_scene()
    upload = xlsx(
        [[date(2099, 1, 1), "Tuyên truyền", "", 5, "", "X", None, None, None, None, None]]
    )
    result = excel.import_activities(actor=s.officer, commune=s.commune, upload=upload)
    assert [(p.row, p.column) for p in result.problems] == [(2, "Ngày")]
    assert "sau hôm nay" in result.problems[0].message


@pytest.mark.parametrize(
    ("upload", "fragment"),
    [
        (SimpleUploadedFile("a.xlsx", b"%PDF-1.4 not excel"), "không phải là bảng tính"),
        (SimpleUploadedFile("a.csv", b"a,b"), "Chỉ nhận tệp Excel"),
        (xlsx([], header=["Ngày", "Cột lạ"]), "Cột “Cột lạ” không được hỗ trợ"),
        (xlsx([], header=["Ngày", "Loại hoạt động"]), "không có dòng dữ liệu"),
    ],
)
def test_bad_files_are_explained(upload, fragment):
    s = commune_scene()
    result = excel.import_activities(actor=s.officer, commune=s.commune, upload=upload)
    assert any(fragment in p.message for p in result.problems), result.problems


def test_template_round_trips_through_the_import():
    # Given the import template of a commune
    s = commune_scene()
    template = load_workbook(io.BytesIO(excel.template_workbook(s.commune)))
    header = [c.value for c in template.worksheets[0][1]]
    assert header == [c.header for c in excel.COLUMNS]
    # When it is imported untouched
    example = io.BytesIO(excel.template_workbook(s.commune))
    result = excel.import_activities(
        actor=s.officer,
        commune=s.commune,
        upload=SimpleUploadedFile("mau.xlsx", example.getvalue()),
    )
    # Then each example row is refused as an example (not with a date error), nothing saved
    assert not result.ok
    assert [p.row for p in result.problems] == [2, 3]
    assert all("dòng ví dụ" in p.message for p in result.problems)
    assert Activity.objects.count() == 0
    # When the user replaces the examples' titles with their own (the rows are now theirs)
    sheet = template.worksheets[0]
    title_column = header.index(excel.COLUMN_BY_FIELD["title"].header) + 1
    for row in (2, 3):
        sheet.cell(row=row, column=title_column).value = f"Hoạt động {row}"
    edited = io.BytesIO()
    template.save(edited)
    result = excel.import_activities(
        actor=s.officer,
        commune=s.commune,
        upload=SimpleUploadedFile("mau.xlsx", edited.getvalue()),
    )
    # Then both rows import (their dates fall in the commune's lifetime: today)
    assert result.ok, result.problems
    assert Activity.objects.count() == 2


def test_import_page_lists_problems(client):
    s = commune_scene()
    client.force_login(s.officer)
    url = reverse("activities:import", args=[s.commune.code])
    upload = xlsx(
        [[date(2025, 3, 2), "Tuyên truyền", "", -5, "", "X", None, None, None, None, None]]
    )
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    assert 'data-testid="import-problems"' in response.content.decode()
    upload = xlsx(
        [[date(2025, 3, 2), "Tuyên truyền", "", 5, "", "X", None, None, None, None, None]]
    )
    response = client.post(url, {"file": upload})
    assert response.status_code == 302
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\ufeff"])
def test_hidden_characters_are_refused_on_their_row_and_nothing_saved(hidden):
    # given a file whose second row's topic hides a right-to-left override, zero-width or BOM
    s = commune_scene()
    upload = xlsx(
        [
            [date(2025, 3, 1), "Tuyên truyền", "", 50, "", "Ma túy", 30, None, None, None, None],
            [date(2025, 3, 2), "Tuyên truyền", "", 5, "", f"Ma{hidden} túy", 3, None, None, None],
        ]
    )
    # when imported; then the row and column are named with the code point, nothing saved
    result = excel.import_activities(actor=s.officer, commune=s.commune, upload=upload)
    found = [(p.row, p.column) for p in result.problems]
    assert (3, "Chủ đề") in found and {row for row, _column in found} == {3}
    assert all(f"U+{ord(hidden):04X}" in p.message for p in result.problems)
    assert not Activity.objects.exists()
