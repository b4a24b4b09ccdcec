"""Criteria sets round-trip through Excel and JSON; bad files are refused row by row."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from binhyen.programs import excel, services
from binhyen.programs.tests import factories as f

pytestmark = pytest.mark.django_db


def snapshot(criteria_set):
    doc = excel.to_json(criteria_set)
    for key in ("program", "program_name", "version"):
        doc.pop(key)
    return doc


@pytest.fixture
def rich_set(s):
    admin = f.ministry_admin()
    items = f.default_criteria() + f.points_items([10])
    items[-1].group = "II. Phong trào"
    items[-1].pass_points = Decimal("5.5")
    items[2].needs_completion = True
    items[2].guidance = "Đối chiếu văn bản; dòng 2\nvà ô có dấu = ở giữa"
    items[0].title_en = "A translation to read by"
    program = f.program(
        admin,
        kind="classification",
        criteria=items,
        set_data=services.SetInput(
            groups=["I. An ninh", "II. Phong trào"],
            min_optional_met=1,
            min_points=Decimal(12),
            levels=[
                {"level": "excellent", "min_points": 90},
                {"level": "fair", "min_points": 70},
                {"level": "average", "min_points": 50},
                {"level": "weak", "min_points": None},
            ],
            caps=[{"level": "excellent", "max_share": 20, "base": "fair"}],
            note="Theo quyết định của tỉnh",
        ),
    )
    return admin, program


def test_a_criteria_set_round_trips_through_excel(rich_set):
    # given a set with rules, evidence, points, groups, condition, levels and caps
    admin, program = rich_set
    source = program.current_set
    # when it is exported to Excel and imported into a new empty version
    data = excel.to_xlsx(source)
    settings, criteria = excel.from_xlsx(data)
    draft = services.criteria_set_new_version(actor=admin, program=program)
    services.criteria_set_replace(
        actor=admin, criteria_set=draft, settings=settings, criteria=criteria
    )
    # then the new version equals the original in every field
    assert snapshot(draft) == snapshot(source)
    assert "A translation to read by" in {c.title_en for c in draft.criteria.all()}


def test_a_criteria_set_round_trips_through_json(rich_set):
    admin, program = rich_set
    source = program.current_set
    import json

    settings, criteria = excel.from_json(json.dumps(excel.to_json(source)).encode())
    draft = services.criteria_set_new_version(actor=admin, program=program)
    services.criteria_set_replace(
        actor=admin, criteria_set=draft, settings=settings, criteria=criteria
    )
    assert snapshot(draft) == snapshot(source)


def test_import_reports_errors_per_row_and_saves_nothing(rich_set):
    # given an exported file edited by hand with three mistakes
    admin, program = rich_set
    book = load_workbook(io.BytesIO(excel.to_xlsx(program.current_set)))
    sheet = book[excel.CRITERIA_SHEET]
    row_of = {str(sheet.cell(row=r, column=1).value): r for r in range(2, sheet.max_row + 1)}
    sheet.cell(row=row_of["1"], column=8, value="m.serious_crimez == 0.0")  # unknown metric
    sheet.cell(row=row_of["3"], column=7, value="bảng")  # unknown kind
    sheet.cell(row=row_of["4"], column=1, value="3")  # duplicate code
    buffer = io.BytesIO()
    book.save(buffer)
    draft = services.criteria_set_new_version(actor=admin, program=program)
    before = draft.criteria.count()
    # when it is imported
    with pytest.raises(ValidationError) as caught:
        excel.from_xlsx(buffer.getvalue())
    lines = excel.error_lines(caught.value)
    # then parsing names the row and column of the bad kind
    assert lines == [
        f"Dòng {row_of['3']}, cột “Loại”: Loại “bảng” không có: dùng quy tắc, minh chứng hoặc "
        "chấm điểm."
    ]
    # and after fixing it, the service names the unknown metric and the duplicate by row
    sheet.cell(row=row_of["3"], column=7, value="minh chứng")
    buffer = io.BytesIO()
    book.save(buffer)
    settings, criteria = excel.from_xlsx(buffer.getvalue())
    with pytest.raises(ValidationError) as caught:
        services.criteria_set_replace(
            actor=admin, criteria_set=draft, settings=settings, criteria=criteria
        )
    lines = excel.error_lines(caught.value)
    assert any(
        line.startswith(f"Dòng {row_of['1']}, cột “Biểu thức CEL”") and "serious_crimez" in line
        for line in lines
    )
    assert any(
        line.startswith(f"Dòng {row_of['4']}, cột “Mã”") and "trùng" in line for line in lines
    )
    assert draft.criteria.count() == before


def test_formulas_are_refused_but_text_starting_with_equals_is_kept(rich_set):
    _admin, program = rich_set
    book = load_workbook(io.BytesIO(excel.to_xlsx(program.current_set)))
    sheet = book[excel.CRITERIA_SHEET]
    sheet["E2"].value = "=1+1"
    sheet["E2"].data_type = "s"  # typed as text: kept as the text "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    _settings, criteria = excel.from_xlsx(buffer.getvalue())
    assert criteria[0].guidance == "=1+1"
    sheet["E3"] = "=SUM(1,2)"  # a real formula
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as caught:
        excel.from_xlsx(buffer.getvalue())
    assert "row 3: file" in caught.value.message_dict


def test_formulas_and_garbage_are_refused():
    # when the file is not a workbook; then the whole file is refused
    with pytest.raises(ValidationError) as caught:
        excel.from_xlsx(b"not a workbook")
    assert "file" in caught.value.message_dict
    # when the JSON does not parse or has the wrong shape; then it is refused too
    with pytest.raises(ValidationError):
        excel.from_json(b"{not json")
    with pytest.raises(ValidationError):
        excel.from_json(b'{"criteria": "x"}')
